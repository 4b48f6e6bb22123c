//! Who acted in which post: for the rows of the control slip (form 05) and the portal's processing rows, the
//! title, division and phone of each person in a dossier's history, and the agencies they acted for.

use std::collections::{BTreeSet, HashMap};

use crate::domain::actor::Actor;
use crate::domain::dossier::Event;
use crate::domain::title;
use crate::store::staff::PostRow;
use crate::store::{DbConnection, StoreResult, agencies, staff};

/// The posts of the people and the agencies of one history.
#[derive(Debug, Default)]
pub struct Posts {
    /// (staff id, agency id, role) -> post.
    posts: HashMap<(String, String, String), PostRow>,
    phones: HashMap<String, String>,
    /// agency id -> (kind, name).
    agencies: HashMap<String, (String, String)>,
}

impl Posts {
    /// Reads the posts of everyone who acted in `events`, and the agencies named by them or in `also`.
    pub fn load(
        conn: &mut DbConnection,
        directory: &agencies::Directory,
        events: &[Event],
        also: &[&str],
    ) -> StoreResult<Posts> {
        let mut people = BTreeSet::new();
        let mut agency_ids: BTreeSet<&str> = also.iter().copied().collect();
        for event in events {
            if let Actor::Staff { id, agency, .. } = &event.actor {
                people.insert(id.as_str());
                agency_ids.insert(agency.as_str());
            }
        }
        let mut posts = Posts::default();
        for row in staff::posts_of(conn, &people.into_iter().collect::<Vec<_>>())? {
            if let Some(phone) = &row.phone {
                posts.phones.insert(row.staff_id.clone(), phone.clone());
            }
            posts.posts.insert((row.staff_id.clone(), row.agency_id.clone(), row.role.clone()), row);
        }
        for agency in directory.by_ids(conn, &agency_ids.into_iter().collect::<Vec<_>>())? {
            posts.agencies.insert(agency.id, (agency.kind, agency.name));
        }
        Ok(posts)
    }

    fn post(&self, actor: &Actor) -> Option<&PostRow> {
        match actor {
            Actor::Staff { id, agency, role, .. } => self.posts.get(&(id.clone(), agency.clone(), role.to_string())),
            _ => None,
        }
    }

    pub fn agency_name(&self, id: &str) -> Option<&str> {
        self.agencies.get(id).map(|(_, name)| name.as_str())
    }

    fn agency_kind(&self, id: &str) -> &str {
        self.agencies.get(id).map_or("", |(kind, _)| kind.as_str())
    }

    /// Whether the actor holds their role as a deputy (phó).
    pub fn is_deputy(&self, actor: &Actor) -> bool {
        self.post(actor).is_some_and(|p| p.deputy)
    }

    /// The actor's title, e.g. "Phó Chủ tịch", "Chuyên viên", "Người nộp hồ sơ".
    pub fn title(&self, actor: &Actor) -> String {
        let kind = match actor {
            Actor::Staff { agency, .. } => self.agency_kind(agency),
            _ => "",
        };
        title::of_actor(actor, self.is_deputy(actor), kind)
    }

    /// Where the actor works: their division of the agency, else the agency itself; for anyone else, what
    /// they are.
    pub fn division(&self, actor: &Actor) -> String {
        match actor {
            Actor::Staff { agency, .. } => match self.post(actor).and_then(|p| p.division.clone()) {
                Some(division) => division,
                None => self.agency_name(agency).unwrap_or(agency).to_string(),
            },
            Actor::Citizen { .. } => "Cá nhân, tổ chức".into(),
            Actor::System { name } => name.clone(),
        }
    }

    /// The actor's work phone, if recorded.
    pub fn phone(&self, actor: &Actor) -> Option<&str> {
        match actor {
            Actor::Staff { id, .. } => self.phones.get(id).map(String::as_str),
            _ => None,
        }
    }
}
