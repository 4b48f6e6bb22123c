//! Petitions (phản ánh, kiến nghị): filed by a signed-in citizen, by anyone with a phone number or e-mail
//! address to answer, or routed by the national portal; handled by the agency in charge under the legal clocks
//! of `domain::petition`; followed by code and contact; answers published for everyone. Every change is one
//! transaction: the state with its version check, the hash-chained events, and the portal's status message.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{FieldError, Petitions, ServiceError, ServiceResult, StaffIdentity};
use crate::domain::actor::{Actor, StaffRef};
use crate::domain::calendar::Timeliness;
use crate::domain::free_text::{self, EMAIL_MAX, NAME_MAX};
use crate::domain::identity::CitizenIdentity;
use crate::domain::petition::{
    self, Classification, Filing, Petition, PetitionAction, PetitionChannel, PetitionContext, PetitionEvent,
    PetitionStatus, Petitioner, Refusal, Subject,
};
use crate::domain::procedure::Role;
use crate::ports::portal::petition::PetitionSyncMessage;
use crate::store::{DbConnection, agencies, dossiers, outbox, petitions, sequences, staff};

impl From<Refusal> for ServiceError {
    fn from(refusal: Refusal) -> ServiceError {
        match (refusal.http_status(), refusal.field()) {
            (403, _) => ServiceError::Forbidden(refusal.code()),
            (422, Some(field)) => {
                ServiceError::Invalid(vec![FieldError::new(field, refusal.code()).with_detail(&refusal.to_string())])
            }
            _ => ServiceError::Conflict(refusal.code(), refusal.to_string()),
        }
    }
}

/// A new petition as sent by the petitioner or the portal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PetitionInput {
    /// The agency in charge (its electronic id); may be left out when `dossier_code` names the dossier.
    #[serde(default)]
    pub agency: Option<String>,
    pub subject: Subject,
    pub title: String,
    pub content: String,
    /// Who files it: for a signed-in citizen the name comes from the e-identity.
    #[serde(default)]
    pub name: Option<String>,
    /// A phone number or an e-mail address (at least one unless signed in): where the answer goes, and with the
    /// code how the petition is followed.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// The dossier it is about.
    #[serde(default)]
    pub dossier_code: Option<String>,
    /// The procedure it is about (national code).
    #[serde(default)]
    pub procedure_code: Option<String>,
    /// The code of an earlier petition whose answer this one complains about again.
    #[serde(default)]
    pub repeats: Option<String>,
}

/// Who files: a signed-in citizen, anyone else, or the portal (with its own id of the petition).
pub enum Filer<'a> {
    Citizen(&'a CitizenIdentity),
    Anonymous,
    Portal { service: &'a str, portal_id: &'a str },
}

/// What anyone holding a petition's code and contact may see of it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionTracking {
    pub code: String,
    pub agency: String,
    pub title: String,
    pub status: PetitionStatus,
    pub filed_at: DateTime<Utc>,
    pub decision_due_at: DateTime<Utc>,
    pub answer_due_at: Option<DateTime<Utc>>,
    /// The question the agency asked, while it waits for the petitioner's reply.
    pub information_request: Option<String>,
    pub rejection_reason: Option<String>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub timeliness: Option<Timeliness>,
    pub published_at: Option<DateTime<Utc>>,
    /// The petitioner's word on the answer, once given.
    pub satisfied: Option<bool>,
    /// Whether the petitioner may now say whether the answer satisfied them.
    pub may_rate: bool,
    pub version: u64,
}

impl PetitionTracking {
    fn of(p: &Petition) -> PetitionTracking {
        PetitionTracking {
            code: p.filing.code.clone(),
            agency: p.filing.agency.clone(),
            title: p.filing.title.clone(),
            status: p.status,
            filed_at: p.filed_at,
            decision_due_at: p.decision_due_at,
            answer_due_at: p.answer_due_at,
            information_request: p.information_request.clone(),
            rejection_reason: p.rejection_reason.clone(),
            answer: p.answer.as_ref().map(|a| a.text.clone()),
            answered_at: p.answer.as_ref().map(|a| a.at),
            timeliness: p.timeliness,
            published_at: p.published_at,
            satisfied: p.satisfaction.as_ref().map(|s| s.satisfied),
            may_rate: matches!(p.status, PetitionStatus::Answered | PetitionStatus::Published)
                && p.satisfaction.is_none(),
            version: p.version,
        }
    }
}

/// A published answer as anyone reads it: no petitioner's data.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedPetition {
    pub code: String,
    pub agency: String,
    pub classification: Classification,
    pub title: String,
    pub content: String,
    pub answer: String,
    pub filed_at: DateTime<Utc>,
    pub answered_at: DateTime<Utc>,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedPage {
    pub items: Vec<PublishedPetition>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionPage {
    pub items: Vec<Petition>,
    pub next_cursor: Option<String>,
}

/// A staff member's action as the API sends it: the domain's, with the assignee by staff id.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "action", deny_unknown_fields)]
pub enum PetitionRequest {
    Accept {
        #[serde(default)]
        classification: Option<Classification>,
    },
    Reject {
        reason: String,
    },
    RequestInformation {
        question: String,
    },
    Assign {
        assignee: String,
    },
    Answer {
        text: String,
        #[serde(default)]
        personal: bool,
    },
    Publish,
}

/// The longest title kept (the domain checks it too).
const TITLE_MAX: usize = free_text::ADDRESS_MAX;
const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;
/// The statuses of the staff queue by default: those a deadline runs for.
const OPEN: [PetitionStatus; 4] =
    [PetitionStatus::Filed, PetitionStatus::Accepted, PetitionStatus::InformationRequested, PetitionStatus::Answered];

fn not_found() -> ServiceError {
    ServiceError::NotFound("petition.not_found")
}

/// A phone number as the portal and SMS gateways take it: 10 or 11 digits starting with 0 (after spaces, dots
/// and dashes are dropped and +84 read as 0).
fn is_phone(text: &str) -> bool {
    let digits = petition::normalise_contact(text);
    (10..=11).contains(&digits.len()) && digits.starts_with('0') && digits.chars().all(|c| c.is_ascii_digit())
}

fn is_email(text: &str) -> bool {
    let text = text.trim();
    free_text::within(text, EMAIL_MAX)
        && text.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && !text.contains(char::is_whitespace)
        })
}

/// The keyset a list's cursor holds: an instant and an id.
fn read_cursor(cursor: Option<&str>) -> ServiceResult<Option<(chrono::NaiveDateTime, String)>> {
    let Some(text) = cursor else { return Ok(None) };
    match super::cursor::decode(text) {
        Some((Some(at), id)) => Ok(Some((crate::store::to_db(at), id))),
        _ => Err(ServiceError::Invalid(vec![
            FieldError::new("cursor", "field.required").with_detail("unreadable cursor"),
        ])),
    }
}

fn trimmed(text: &Option<String>) -> Option<String> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string)
}

impl Petitions<'_> {
    /// Files a petition: checked whole (every bad field at once), stored with its code, its first event and the
    /// portal's message in one transaction. A petition repeating an answered one marks that one complained
    /// about again, in the same transaction.
    pub fn file(&self, filer: Filer<'_>, input: PetitionInput) -> ServiceResult<Petition> {
        let mut errors = Vec::new();
        let phone = trimmed(&input.phone);
        let email = trimmed(&input.email);
        if let Some(phone) = &phone
            && !is_phone(phone)
        {
            errors.push(FieldError::new("phone", "field.invalid_phone"));
        }
        if let Some(email) = &email
            && !is_email(email)
        {
            errors.push(FieldError::new("email", "field.invalid_email"));
        }
        let (name, id_number) = match &filer {
            Filer::Citizen(c) => (c.name.clone(), Some(c.id_number.clone())),
            Filer::Anonymous | Filer::Portal { .. } => {
                if phone.is_none() && email.is_none() {
                    errors.push(FieldError::new("phone", "petition.contact_required"));
                }
                (trimmed(&input.name).unwrap_or_else(|| "Ẩn danh".to_string()), None)
            }
        };
        if !free_text::within(&name, NAME_MAX) {
            errors.push(FieldError::new("name", "field.too_long").with_detail(&format!("≤ {NAME_MAX}")));
        }
        for (field, text, max) in
            [("title", &input.title, TITLE_MAX), ("content", &input.content, petition::CONTENT_MAX)]
        {
            if text.trim().is_empty() {
                errors.push(FieldError::new(field, "field.required"));
            } else if !free_text::within(text, max) {
                errors.push(FieldError::new(field, "field.too_long").with_detail(&format!("≤ {max}")));
            }
        }
        let address = trimmed(&input.address);
        if address.as_deref().is_some_and(|a| !free_text::within(a, free_text::ADDRESS_MAX)) {
            errors.push(FieldError::new("address", "field.too_long"));
        }
        let procedure_code = trimmed(&input.procedure_code);
        if let Some(code) = &procedure_code
            && self.catalogue.current(code).is_none()
        {
            errors.push(FieldError::new("procedure_code", "field.unknown_procedure"));
        }
        let (actor, channel, portal_id) = match &filer {
            Filer::Citizen(c) => {
                (Actor::Citizen { id: c.id_number.clone(), name: c.name.clone() }, PetitionChannel::Online, None)
            }
            Filer::Anonymous => {
                (Actor::Citizen { id: String::new(), name: name.clone() }, PetitionChannel::Online, None)
            }
            Filer::Portal { service, portal_id } => {
                let id = portal_id.trim();
                if id.is_empty() || !free_text::within(id, free_text::SHORT_MAX) {
                    errors.push(FieldError::new("portal_id", "field.required"));
                }
                (Actor::System { name: service.to_string() }, PetitionChannel::Portal, Some(id.to_string()))
            }
        };
        let now = self.now();
        let stored = self.db.write(|conn| {
            if let Some(id) = &portal_id
                && let Some(routed) = petitions::by_portal_id(conn, id)?
            {
                // Routed again (the portal retried): the petition it became.
                return Ok(routed);
            }
            let dossier = match trimmed(&input.dossier_code) {
                Some(code) => match dossiers::by_code(conn, &code)? {
                    Some(d) => Some(d),
                    None => {
                        errors.push(FieldError::new("dossier_code", "petition.unknown_dossier"));
                        None
                    }
                },
                None => None,
            };
            let agency = match (trimmed(&input.agency), &dossier) {
                (Some(agency), _) => agency,
                (None, Some(d)) => d.agency.clone(),
                (None, None) => {
                    errors.push(FieldError::new("agency", "field.required"));
                    String::new()
                }
            };
            if !agency.is_empty() && agencies::get(conn, &agency)?.is_none() {
                errors.push(FieldError::new("agency", "field.unknown_agency"));
            }
            if dossier.as_ref().is_some_and(|d| d.agency != agency) && !agency.is_empty() {
                errors.push(FieldError::new("dossier_code", "petition.dossier_of_another_agency"));
            }
            let repeated = match trimmed(&input.repeats) {
                Some(code) => match petitions::by_code(conn, &code)? {
                    Some(p) if p.filing.agency == agency && p.status.is_handled() && p.answer.is_some() => Some(p),
                    _ => {
                        errors.push(FieldError::new("repeats", "petition.not_answered"));
                        None
                    }
                },
                None => None,
            };
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(std::mem::take(&mut errors)));
            }
            let day = self.calendar.local_date(now).format("%y%m%d").to_string();
            let sequence = sequences::next(conn, &agency, &format!("PA-{day}"))?;
            let officer = dossier.as_ref().and_then(|d| d.assignee.clone());
            let filing = Filing {
                id: uuid::Uuid::now_v7().to_string(),
                code: format!("PA-{agency}-{day}-{sequence:04}"),
                agency: agency.clone(),
                subject: input.subject,
                title: input.title.trim().to_string(),
                content: input.content.trim().to_string(),
                petitioner: Petitioner {
                    name: name.clone(),
                    id_number: id_number.clone(),
                    phone: phone.clone(),
                    email: email.clone(),
                    address: address.clone(),
                },
                channel,
                dossier_id: dossier.as_ref().map(|d| d.id.clone()),
                dossier_code: dossier.as_ref().and_then(|d| d.code.clone()),
                procedure_code: procedure_code.clone().or_else(|| dossier.as_ref().map(|d| d.procedure_code.clone())),
                officer,
                repeats: repeated.as_ref().map(|p| p.filing.code.clone()),
                portal_id: portal_id.clone(),
            };
            let ctx = PetitionContext { now, actor: actor.clone(), calendar: &self.calendar, expected_version: None };
            let events = petition::file(filing, &ctx)?;
            let created = petition::fold(&events).expect("filing opens a petition");
            petitions::insert(conn, &created, &events, now)?;
            self.sync(conn, &created, now)?;
            if let Some(earlier) = repeated {
                let system = Actor::System { name: "motcua".into() };
                let ctx = PetitionContext { now, actor: system, calendar: &self.calendar, expected_version: None };
                let action = PetitionAction::ComplainAgain { by: created.filing.code.clone() };
                let events = petition::decide(&earlier, action, &ctx)?;
                self.store_change(conn, &earlier, &events, now)?;
            }
            Ok(created)
        });
        match stored {
            // The portal routed the same petition twice at once: the first one stored wins.
            Err(e) if e.is_unique_violation() && portal_id.is_some() => {
                let id = portal_id.unwrap_or_default();
                self.db.read(|conn| petitions::by_portal_id(conn, &id)?.ok_or_else(not_found))
            }
            other => other,
        }
    }

    /// A petition the national portal routed to us (its scope checked): filed once per portal id, and the
    /// same petition answered when the portal routes it again (with `false`: not new).
    pub fn receive_from_portal(
        &self,
        service: &crate::domain::identity::ServiceIdentity,
        portal_id: &str,
        input: PetitionInput,
    ) -> ServiceResult<(Petition, bool)> {
        use crate::domain::identity::Caller;
        use crate::domain::policy::{self, Access, Target};
        if !policy::may(&Caller::Service(service.clone()), Access::ExchangeAsPortal, Target::Anywhere) {
            self.audit(&format!("service:{}", service.name), "petition from portal", "denied:portal.forbidden_scope");
            return Err(ServiceError::Forbidden("portal.forbidden_scope"));
        }
        if let Some(routed) = self.db.read(|conn| petitions::by_portal_id(conn, portal_id.trim()))? {
            return Ok((routed, false));
        }
        self.file(Filer::Portal { service: &service.name, portal_id }, input).map(|p| (p, true))
    }

    /// Folds `events` into `before`, stores both with the version check, and queues the portal's message.
    fn store_change(
        &self,
        conn: &mut DbConnection,
        before: &Petition,
        events: &[PetitionEvent],
        now: DateTime<Utc>,
    ) -> ServiceResult<Petition> {
        let after = events.iter().fold(Some(before.clone()), petition::apply).expect("a petition stays one");
        if !petitions::update(conn, before, &after, events, now)? {
            return Err(ServiceError::Conflict("petition.stale_version", format!("petition {}", before.filing.code)));
        }
        self.sync(conn, &after, now)?;
        self.queue_petition_notices(conn, before, &after, now)?;
        Ok(after)
    }

    /// The portal's status message of the petition as it now stands, in the outbox (ordered per petition).
    fn sync(&self, conn: &mut DbConnection, p: &Petition, now: DateTime<Utc>) -> ServiceResult<()> {
        let message = self.sync_message(p);
        outbox::enqueue(
            conn,
            outbox::NewMessage {
                dossier_id: Some(&p.filing.id),
                topic: crate::ports::topics::PORTAL_PETITION,
                key: format!("{}:{}", p.filing.id, p.version),
                payload: serde_json::to_string(&message).expect("messages serialize"),
            },
            now,
        )?;
        Ok(())
    }

    pub fn sync_message(&self, p: &Petition) -> PetitionSyncMessage {
        let time = |t: DateTime<Utc>| super::sync::portal_time(&self.calendar, t);
        PetitionSyncMessage {
            code: p.filing.code.clone(),
            portal_id: p.filing.portal_id.clone(),
            agency: p.filing.agency.clone(),
            title: p.filing.title.clone(),
            content: p.filing.content.clone(),
            classification: match p.classification {
                Classification::Regulation => 1,
                Classification::Conduct => 2,
            },
            status: p.status.code(),
            filed_at: time(p.filed_at),
            answer_due_at: p.answer_due_at.filter(|_| !p.status.is_handled()).map(time),
            handled_at: p.handled_at.map(time),
            on_time: p.handled_at.and(p.timeliness).map(|t| if t == Timeliness::Late { 2 } else { 1 }),
            rejection_reason: p.rejection_reason.clone(),
            answer: p.published_at.and(p.answer.as_ref()).map(|a| a.text.clone()),
            published_at: p.published_at.map(time),
            satisfaction: match &p.satisfaction {
                None => 0,
                Some(s) if s.satisfied => 1,
                Some(_) => 2,
            },
            complained_again: u8::from(!p.complained_again_by.is_empty()),
            dossier_code: p.filing.dossier_code.clone(),
        }
    }

    /// The agencies whose petitions `caller` handles: those they hold a role in, administration aside.
    fn scope(caller: &StaffIdentity) -> Vec<String> {
        let mut agencies: Vec<String> =
            caller.roles.iter().filter(|(_, role)| *role != Role::Admin).map(|(agency, _)| agency.clone()).collect();
        agencies.sort();
        agencies.dedup();
        agencies
    }

    /// A petition `caller` may see, or "not found".
    pub fn get(&self, caller: &StaffIdentity, id: &str) -> ServiceResult<Petition> {
        let scope = Self::scope(caller);
        self.db
            .read(|conn| petitions::get(conn, id).map_err(ServiceError::from))?
            .filter(|p| scope.contains(&p.filing.agency))
            .ok_or_else(not_found)
    }

    /// A petition's events in order, for staff who may see it.
    pub fn history(&self, caller: &StaffIdentity, id: &str) -> ServiceResult<Vec<PetitionEvent>> {
        let petition = self.get(caller, id)?;
        self.db.read(|conn| petitions::history(conn, &petition.filing.id).map_err(ServiceError::from))
    }

    /// The staff queue: petitions of `caller`'s agencies (or the one asked), soonest deadline first.
    pub fn queue(
        &self,
        caller: &StaffIdentity,
        agency: Option<&str>,
        statuses: &[PetitionStatus],
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> ServiceResult<PetitionPage> {
        let mut scope = Self::scope(caller);
        if scope.is_empty() {
            return Err(ServiceError::Forbidden("petition.forbidden_role"));
        }
        if let Some(agency) = agency {
            scope.retain(|a| a == agency);
        }
        let after = read_cursor(cursor)?;
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let statuses = if statuses.is_empty() { &OPEN[..] } else { statuses };
        let mut items = self
            .db
            .read(|conn| petitions::queue(conn, &scope, statuses, after, limit + 1).map_err(ServiceError::from))?;
        let next_cursor = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|p| {
                let (due, id) = petitions::queue_key(p);
                super::cursor::encode(Some(crate::store::from_db(due)), &id)
            })
        } else {
            None
        };
        Ok(PetitionPage { items, next_cursor })
    }

    /// A staff member acts on a petition of their agency, expecting `version`: the first of their roles there
    /// that the domain accepts acts; otherwise the most telling refusal.
    pub fn act(
        &self,
        caller: &StaffIdentity,
        id: &str,
        version: u64,
        request: PetitionRequest,
    ) -> ServiceResult<Petition> {
        let scope = Self::scope(caller);
        let now = self.now();
        let outcome = self.db.write(|conn| {
            let petition = petitions::load_for_update(conn, id)?
                .filter(|p| scope.contains(&p.filing.agency))
                .ok_or_else(not_found)?;
            let action = match request.clone() {
                PetitionRequest::Accept { classification } => PetitionAction::Accept { classification },
                PetitionRequest::Reject { reason } => PetitionAction::Reject { reason },
                PetitionRequest::RequestInformation { question } => PetitionAction::RequestInformation { question },
                PetitionRequest::Answer { text, personal } => PetitionAction::Answer { text, personal },
                PetitionRequest::Publish => PetitionAction::Publish,
                PetitionRequest::Assign { assignee } => {
                    PetitionAction::Assign { assignee: Self::assignee(conn, &petition.filing.agency, &assignee)? }
                }
            };
            let mut refusals = Vec::new();
            let mut roles: Vec<Role> =
                caller.roles.iter().filter(|(a, _)| *a == petition.filing.agency).map(|(_, r)| *r).collect();
            // The assignee answers as the specialist they were assigned as.
            roles.sort_by_key(|r| *r != Role::Specialist);
            for role in roles {
                let ctx = PetitionContext {
                    now,
                    actor: caller.actor(&petition.filing.agency, role),
                    calendar: &self.calendar,
                    expected_version: Some(version),
                };
                match petition::decide(&petition, action.clone(), &ctx) {
                    Ok(events) => return self.store_change(conn, &petition, &events, now),
                    Err(refusal) => refusals.push(refusal),
                }
            }
            let telling =
                refusals.iter().position(|r| !matches!(r, Refusal::ForbiddenRole { .. } | Refusal::NotAssignee));
            Err(match telling {
                Some(i) => refusals.swap_remove(i).into(),
                None => {
                    refusals.into_iter().next().map_or(ServiceError::Forbidden("petition.forbidden_role"), Into::into)
                }
            })
        });
        if let Err(e) = &outcome {
            self.audit(&format!("staff:{}", caller.id), &format!("petition {id}"), &format!("denied:{}", e.code()));
        }
        outcome
    }

    /// The specialists of the petition's agency, whom it may be assigned to (for staff who see it).
    pub fn assignees(&self, caller: &StaffIdentity, petition: &Petition) -> ServiceResult<Vec<StaffRef>> {
        if !Self::scope(caller).contains(&petition.filing.agency) {
            return Err(not_found());
        }
        let agency = petition.filing.agency.clone();
        let people = self
            .db
            .read(|conn| staff::holding(conn, &agency, Role::Specialist.as_str()).map_err(ServiceError::from))?;
        Ok(people.into_iter().map(|(id, name)| StaffRef { id, name }).collect())
    }

    /// The staff member named by id, if they hold a role that answers petitions in `agency`.
    fn assignee(conn: &mut DbConnection, agency: &str, id: &str) -> ServiceResult<StaffRef> {
        let person = staff::by_id(conn, id)?;
        let answers = staff::roles(conn, id)?.into_iter().any(|(a, r)| {
            a == agency
                && r.parse::<Role>()
                    .is_ok_and(|r| matches!(r, Role::Specialist | Role::DivisionHead | Role::AgencyLeader))
        });
        match person {
            Some(p) if answers => Ok(StaffRef { id: p.id, name: p.full_name }),
            _ => Err(ServiceError::Invalid(vec![FieldError::new("assignee", "field.unknown_staff")])),
        }
    }

    /// The petition of `code` if `contact` is its petitioner's phone or e-mail (or, signed in, their own):
    /// anything else is "not found", so a code alone tells nothing.
    fn mine(conn: &mut DbConnection, code: &str, contact: &Contact<'_>) -> ServiceResult<Petition> {
        petitions::by_code(conn, code.trim())?
            .filter(|p| match contact {
                Contact::Typed(text) => p.is_contact(text),
                Contact::Citizen(c) => p.filing.petitioner.id_number.as_deref() == Some(c.id_number.as_str()),
            })
            .ok_or_else(not_found)
    }

    /// What the petitioner may see of their petition.
    pub fn track(&self, code: &str, contact: Contact<'_>) -> ServiceResult<PetitionTracking> {
        self.db.read(|conn| Self::mine(conn, code, &contact).map(|p| PetitionTracking::of(&p)))
    }

    /// The petitioner's own actions: adding the information asked for, saying whether the answer satisfied them.
    pub fn respond(
        &self,
        code: &str,
        contact: Contact<'_>,
        response: PetitionResponse,
    ) -> ServiceResult<PetitionTracking> {
        let now = self.now();
        let who = match &contact {
            Contact::Citizen(c) => format!("citizen:{}", c.id_number),
            Contact::Typed(_) => "petitioner".to_string(),
        };
        let outcome = self.db.write(|conn| {
            let found = Self::mine(conn, code, &contact)?;
            let petition = petitions::load_for_update(conn, &found.filing.id)?.ok_or_else(not_found)?;
            let actor = Actor::Citizen {
                id: petition.filing.petitioner.id_number.clone().unwrap_or_default(),
                name: petition.filing.petitioner.name.clone(),
            };
            let action = match response {
                PetitionResponse::ProvideInformation { reply } => PetitionAction::ProvideInformation { reply },
                PetitionResponse::Rate { satisfied, comment } => PetitionAction::Rate { satisfied, comment },
            };
            let ctx = PetitionContext { now, actor, calendar: &self.calendar, expected_version: None };
            let events = petition::decide(&petition, action, &ctx)?;
            self.store_change(conn, &petition, &events, now).map(|p| PetitionTracking::of(&p))
        });
        if let Err(e) = &outcome {
            self.audit(&who, &format!("petition {}", code.trim()), &format!("denied:{}", e.code()));
        }
        outcome
    }

    /// Published answers, newest first, matching every word of `text` (accents and case aside).
    pub fn published(
        &self,
        text: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> ServiceResult<PublishedPage> {
        let words: Vec<String> = text.map(crate::text::words).unwrap_or_default().into_iter().take(10).collect();
        let after = read_cursor(cursor)?;
        let limit = limit.unwrap_or(20).clamp(1, 100);
        let mut found = self
            .reports_db()
            .read(|conn| petitions::published(conn, &words, after, limit + 1).map_err(ServiceError::from))?;
        let more = found.len() as i64 > limit;
        found.truncate(limit as usize);
        let next_cursor = more
            .then(|| found.last().and_then(|p| p.published_at.map(|at| super::cursor::encode(Some(at), &p.filing.id))))
            .flatten();
        let items = found
            .into_iter()
            .filter_map(|p| {
                let answer = p.answer.clone()?;
                Some(PublishedPetition {
                    code: p.filing.code,
                    agency: p.filing.agency,
                    classification: p.classification,
                    title: p.filing.title,
                    content: p.filing.content,
                    answer: answer.text,
                    filed_at: p.filed_at,
                    answered_at: answer.at,
                    published_at: p.published_at?,
                })
            })
            .collect();
        Ok(PublishedPage { items, next_cursor })
    }
}

/// How the petitioner proves a petition is theirs: the phone or e-mail they gave, or being signed in as the
/// citizen who filed it.
pub enum Contact<'a> {
    Typed(&'a str),
    Citizen(&'a CitizenIdentity),
}

/// What the petitioner may do on their petition.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "action", deny_unknown_fields)]
pub enum PetitionResponse {
    ProvideInformation {
        reply: String,
    },
    Rate {
        satisfied: bool,
        #[serde(default)]
        comment: Option<String>,
    },
}
