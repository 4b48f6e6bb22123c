//! One module per page (or group of pages on one subject).

pub mod admin;
pub mod citizen;
pub mod home;
pub mod members;
pub mod petitions;
pub mod procedure;
pub mod rating;
pub mod sign_in;
pub mod staff;
pub mod statistics;
pub mod track;

use motcua_engine::domain::identity::Caller;
use motcua_engine::domain::policy::{Access, Target, staff_may};
use motcua_engine::domain::procedure::Role;

use crate::i18n::UiLang;
use crate::session::Visit;

/// A link of the site's navigation.
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}

/// What the page shell (templates/base.html) shows around every page.
pub struct Shell {
    pub lang: UiLang,
    pub title: String,
    /// The current page in the other language (`?lang=`).
    pub switch_href: String,
    /// Every form repeats it (see `session`).
    pub csrf: String,
    /// The signed-in visitor's name.
    pub user: Option<String>,
    pub nav: Vec<NavLink>,
}

/// The staff navigation: each link with what the policy must allow (any of; none: every staff member).
const STAFF_LINKS: &[(&str, &str, &[Access])] = &[
    ("/can-bo", "ui.nav_work", &[]),
    ("/can-bo/tiep-nhan", "ui.nav_reception", &[Access::Receive]),
    ("/can-bo/giay-to", "ui.nav_paper_search", &[]),
    ("/can-bo/phan-anh", "ui.nav_petitions", &[]),
    ("/can-bo/ky-duyet", "ui.nav_batch", &[Access::Handle(Role::AgencyLeader), Access::Handle(Role::DivisionHead)]),
    ("/can-bo/thong-ke", "ui.nav_dashboard", &[Access::Reports]),
    ("/can-bo/diem-766", "ui.nav_scorecard", &[Access::Reports]),
    ("/quan-tri", "ui.nav_admin", &[Access::Administer]),
];

impl Shell {
    pub fn new(visit: &Visit, title: impl Into<String>) -> Shell {
        let lang = visit.lang;
        let t = |key: &str| lang.t(key);
        let link = |href: &'static str, key: &str| NavLink { href, label: t(key) };
        let (user, nav) = match &visit.caller {
            Some(Caller::Staff(staff)) => {
                let allowed =
                    |needs: &[Access]| needs.is_empty() || needs.iter().any(|a| staff_may(staff, *a, Target::Anywhere));
                let links = STAFF_LINKS.iter().filter(|(_, _, needs)| allowed(needs)).map(|(h, k, _)| link(h, k));
                (Some(staff.full_name.clone()), links.collect())
            }
            Some(Caller::Citizen(citizen)) => (
                Some(citizen.name.clone()),
                vec![
                    link("/", "ui.nav_home"),
                    link("/cong-dan", "ui.nav_mine"),
                    link("/cong-dan/kho", "ui.nav_repository"),
                    link("/phan-anh-kien-nghi", "ui.nav_petitions"),
                ],
            ),
            _ => (
                None,
                vec![
                    link("/", "ui.nav_home"),
                    link("/tra-cuu", "ui.nav_track"),
                    link("/thong-ke-cong-khai", "ui.public.stats_link"),
                    link("/phan-anh-kien-nghi", "ui.nav_petitions"),
                    link("/dang-nhap", "ui.nav_sign_in"),
                ],
            ),
        };
        Shell {
            lang,
            title: title.into(),
            switch_href: switch_href(&visit.here, lang.other().0),
            csrf: visit.csrf.clone(),
            user,
            nav,
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
}

/// `here` with `lang=` set to `to`, other query parameters kept.
fn switch_href(here: &str, to: &str) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
    let lang = format!("lang={to}");
    pairs.push(&lang);
    format!("{path}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_language_switch_keeps_the_query() {
        assert_eq!(super::switch_href("/tra-cuu?ma=X&lang=vi", "en"), "/tra-cuu?ma=X&lang=en");
        assert_eq!(super::switch_href("/", "vi"), "/?lang=vi");
    }
}
