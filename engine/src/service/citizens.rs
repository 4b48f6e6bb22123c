//! The signed-in citizen's own use cases: submitting online (status 1), reading their dossiers with a public
//! history (no staff notes, no internal steps), resubmitting after a supplement request, withdrawing while the
//! domain allows it, and listing the result papers once processing is complete.

use crate::domain::policy::{self, Access, Target};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::dossiers::IdempotencyKey;
use super::requests::OnlineSubmission;
use super::{Citizens, FieldError, ServiceError, ServiceResult, Services};
use crate::domain::actor::Actor;
use crate::domain::calendar::Timeliness;
use crate::domain::dossier::{
    Action, Applicant, Channel, ComponentState, Context, Dossier, Event, Payment, PendingSupplement, Status, apply,
    decide,
};
use crate::domain::identity::{Caller, CitizenIdentity};
use crate::store::identity::{self as store, ApplicantCursor};
use crate::store::papers::{self, Paper};
use crate::store::{DbConnection, dossiers, events, idempotency, to_db};

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;

/// A dossier as its applicant sees it: what was asked, where it stands, what is expected of them, and the
/// result; not who handles it inside the agency, drafts, consultations or alerts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyDossier {
    pub id: String,
    pub code: Option<String>,
    pub procedure_code: String,
    /// The version of the procedure the dossier is handled under.
    pub procedure_version: u32,
    pub procedure_name: String,
    pub agency: String,
    pub agency_name: String,
    pub channel: Channel,
    pub summary: String,
    pub applicant: Applicant,
    pub status: Status,
    pub status_name: &'static str,
    pub components: Vec<ComponentState>,
    /// What the applicant filled in on the e-form (and other form data the portal sent).
    pub form_data: std::collections::BTreeMap<String, String>,
    pub submitted_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    /// What the agency asked to supplement, while it waits for it.
    pub supplement: Option<PendingSupplement>,
    pub payment: Option<Payment>,
    pub result_available: bool,
    pub result_number: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub timeliness: Option<Timeliness>,
    pub can_withdraw: bool,
    pub can_resubmit: bool,
    /// For `If-Match` on resubmit and withdraw.
    pub version: u64,
    /// A member of an inter-agency bundle: the bundle's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle_code: Option<String>,
    /// A bundle: where each of its procedures stands.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<super::bundles::MemberView>,
}

/// One entry of the public history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyEvent {
    pub seq: usize,
    pub at: DateTime<Utc>,
    /// The change's name; `status_changed` for internal work that moved the status.
    pub kind: &'static str,
    /// `applicant`, `agency` or `system`.
    pub by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The change itself, for changes the applicant is told about (reasons, items, amounts, codes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<crate::domain::dossier::Change>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyDossierDetail {
    #[serde(flatten)]
    pub dossier: MyDossier,
    pub history: Vec<MyEvent>,
}

/// What `submit_mine` answers: the new dossier, or the stored answer to an earlier request with the same key.
pub enum SubmittedMine {
    Created(Box<MyDossier>),
    Replayed { status: u16, body: String },
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyPage {
    pub items: Vec<MyDossier>,
    pub next_cursor: Option<String>,
}

/// Changes the applicant is told about with their details; other changes are internal work of the agency.
const PUBLIC_CHANGES: &[&str] = &[
    "submitted",
    "received",
    "reception_refused",
    "supplement_requested",
    "resubmitted",
    "paper_attached",
    "result_attached",
    "payment_requested",
    "payment_recorded",
    "stopped",
    "extended",
    "withdrawn",
    "returned",
];

fn public_history(events: Vec<Event>) -> Vec<MyEvent> {
    events
        .into_iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let name = e.change.name();
            let public = PUBLIC_CHANGES.contains(&name);
            if !public && e.status.is_none() {
                return None;
            }
            let by = match e.actor {
                Actor::Citizen { .. } => "applicant",
                Actor::Staff { .. } => "agency",
                Actor::System { .. } => "system",
            };
            Some(MyEvent {
                seq: i + 1,
                at: e.at,
                kind: if public { name } else { "status_changed" },
                by,
                status: e.status,
                details: public.then_some(e.change),
            })
        })
        .collect()
}

/// Result papers are the applicant's once processing is complete: the papers attached as the result, and the
/// rendered result document once signed electronically. An unsigned draft never is: on the paper route the
/// signed result is scanned and attached.
fn result_papers(conn: &mut DbConnection, dossier: &Dossier) -> ServiceResult<Vec<Paper>> {
    if !matches!(dossier.status, Status::ResultReady | Status::Stopped | Status::Returned) {
        return Ok(Vec::new());
    }
    let current = dossier.result_document.as_deref();
    Ok(papers::of_dossier(conn, &dossier.id)?
        .into_iter()
        .filter(|p| dossier.result_papers.contains(&p.id) || (Some(p.id.as_str()) == current && p.source != "draft"))
        .collect())
}

impl Services {
    /// The applicant's view of a dossier.
    fn my_view(&self, conn: &mut DbConnection, dossier: &Dossier) -> ServiceResult<MyDossier> {
        let procedure = &*self.procedure_of(dossier)?;
        let agency_name = self.db.agencies().get(conn, &dossier.agency)?.map(|a| a.name).unwrap_or_default();
        let d = dossier.clone();
        let open_supplement = d.status == Status::SupplementRequested;
        let members = self.member_views(conn, dossier)?;
        Ok(MyDossier {
            bundle_code: d.bundle.as_ref().map(|b| b.code.clone()),
            members,
            result_available: !result_papers(conn, dossier)?.is_empty(),
            can_withdraw: matches!(d.status, Status::Submitted | Status::SupplementRequested),
            can_resubmit: open_supplement,
            procedure_name: procedure.name.clone(),
            agency_name,
            status_name: d.status.name_vi(),
            id: d.id,
            code: d.code,
            procedure_code: d.procedure_code,
            procedure_version: d.procedure_version,
            agency: d.agency,
            channel: d.channel,
            summary: d.summary,
            applicant: d.applicant,
            status: d.status,
            components: d.components,
            form_data: d.form_data,
            submitted_at: d.submitted_at,
            received_at: d.received_at,
            due_at: d.due_at,
            supplement: d.supplement,
            payment: d.payment,
            result_number: d.result_number,
            completed_at: d.completed_at,
            returned_at: d.returned_at,
            timeliness: d.timeliness,
            version: d.version,
        })
    }

    /// A dossier of the citizen's; another's is not found.
    fn mine(&self, conn: &mut DbConnection, citizen: &CitizenIdentity, id: &str, lock: bool) -> ServiceResult<Dossier> {
        let dossier = if lock { dossiers::load_for_update(conn, id)? } else { dossiers::get(conn, id)? };
        let caller = Caller::Citizen(citizen.clone());
        dossier
            .filter(|d| policy::may(&caller, Access::SeeDossier, Target::Dossier(d)))
            .ok_or(ServiceError::NotFound("dossier.not_found"))
    }

    /// Audits a refusal (after its transaction, which rolled back).
    fn audited<T>(&self, citizen: &CitizenIdentity, what: &str, outcome: ServiceResult<T>) -> ServiceResult<T> {
        if let Err(e) = &outcome
            && matches!(e.http_status(), 403 | 404)
        {
            self.audit(&Caller::Citizen(citizen.clone()).label(), what, &format!("denied:{}", e.code()));
        }
        outcome
    }

    fn act_as_applicant(
        &self,
        citizen: &CitizenIdentity,
        id: &str,
        expected_version: u64,
        action: Action,
    ) -> ServiceResult<MyDossier> {
        let now = self.now();
        let what = format!("{} {id}", action.name());
        let outcome = self.db.write(|conn| {
            let before = self.mine(conn, citizen, id, true)?;
            let procedure = &*self.procedure_of(&before)?;
            let actor = Actor::Citizen { id: citizen.id_number.clone(), name: citizen.name.clone() };
            let ctx = Context::new(now, actor, &self.calendar).expecting(expected_version);
            let events = decide(&before, procedure, action, &ctx)?;
            let after = events.iter().fold(before.clone(), apply);
            self.persist(conn, Some(&before), &after, &events, procedure, now)?;
            self.my_view(conn, &after)
        });
        self.audited(citizen, &what, outcome)
    }
}

impl Citizens<'_> {
    /// Submits online as the signed-in citizen (status 1). With an `Idempotency-Key`, a retry gets the first
    /// answer; the key is stored in the submission's own transaction.
    pub fn submit_mine(
        &self,
        citizen: &CitizenIdentity,
        input: OnlineSubmission,
        key: Option<IdempotencyKey>,
    ) -> ServiceResult<SubmittedMine> {
        let owner = Caller::Citizen(citizen.clone()).label();
        let replay = |key: &IdempotencyKey| -> ServiceResult<Option<SubmittedMine>> {
            let stored = self.db.read(|conn| idempotency::find(conn, &owner, &key.key).map_err(ServiceError::from))?;
            match stored {
                None => Ok(None),
                Some(s) if s.request_hash == key.request_hash => {
                    Ok(Some(SubmittedMine::Replayed { status: s.status, body: s.body }))
                }
                Some(_) => Err(ServiceError::Conflict("request.idempotency_key_reused", key.key.clone())),
            }
        };
        if let Some(key) = &key
            && let Some(answer) = replay(key)?
        {
            return Ok(answer);
        }
        let actor = Actor::Citizen { id: citizen.id_number.clone(), name: citizen.name.clone() };
        let mut view = None;
        let origin = super::dossiers::Origin { portal_id: None, signed_in_with_vneid: true };
        let outcome =
            self.submit_online_as(&Caller::Citizen(citizen.clone()), actor, input, origin, |conn, dossier| {
                let mine = self.my_view(conn, dossier)?;
                if let Some(key) = &key {
                    let body = serde_json::to_string(&mine).expect("views serialize");
                    let answer =
                        idempotency::StoredAnswer { request_hash: key.request_hash.clone(), status: 201, body };
                    idempotency::insert(conn, &owner, &key.key, &answer, self.now())?;
                }
                view = Some(mine);
                Ok(())
            });
        match outcome {
            Ok(_) => Ok(SubmittedMine::Created(Box::new(view.expect("set in the transaction")))),
            // Two requests with one key raced: the loser's insert failed; the winner's answer is stored now.
            Err(e) if e.is_unique_violation() && key.is_some() => {
                let key = key.expect("checked");
                replay(&key)?.ok_or(ServiceError::Conflict("request.idempotency_key_reused", key.key))
            }
            Err(e) => Err(e),
        }
    }

    /// The citizen's dossiers, newest first, a page at a time.
    pub fn my_dossiers(
        &self,
        citizen: &CitizenIdentity,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> ServiceResult<MyPage> {
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let after = match cursor {
            None => None,
            Some(text) => Some(
                super::cursor::decode(text)
                    .and_then(|(at, id)| Some(ApplicantCursor { submitted_at: to_db(at?), id }))
                    .ok_or_else(|| {
                        ServiceError::Invalid(vec![
                            FieldError::new("cursor", "field.required").with_detail("unreadable cursor"),
                        ])
                    })?,
            ),
        };
        self.db.read(|conn| {
            let mut found = store::dossiers_of_applicant(conn, &citizen.id_number, after.as_ref(), limit + 1)?;
            let next_cursor = if found.len() as i64 > limit {
                found.truncate(limit as usize);
                found.last().map(|d| super::cursor::encode(Some(d.submitted_at), &d.id))
            } else {
                None
            };
            let items = found.iter().map(|d| self.my_view(conn, d)).collect::<ServiceResult<Vec<_>>>()?;
            Ok(MyPage { items, next_cursor })
        })
    }

    /// One dossier of the citizen's with its public history.
    pub fn my_dossier(&self, citizen: &CitizenIdentity, id: &str) -> ServiceResult<MyDossierDetail> {
        let outcome = self.db.read(|conn| {
            let dossier = self.mine(conn, citizen, id, false)?;
            let history = public_history(events::history(conn, id)?);
            Ok(MyDossierDetail { dossier: self.my_view(conn, &dossier)?, history })
        });
        self.audited(citizen, &format!("read {id}"), outcome)
    }

    /// Sends the dossier back after a supplement request, once its new papers are attached.
    pub fn resubmit_mine(
        &self,
        citizen: &CitizenIdentity,
        id: &str,
        expected_version: u64,
    ) -> ServiceResult<MyDossier> {
        self.act_as_applicant(citizen, id, expected_version, Action::Resubmit)
    }

    /// Withdraws the dossier, while the domain allows it (before reception, or while a supplement is awaited).
    pub fn withdraw_mine(
        &self,
        citizen: &CitizenIdentity,
        id: &str,
        expected_version: u64,
        reason: String,
    ) -> ServiceResult<MyDossier> {
        self.act_as_applicant(citizen, id, expected_version, Action::Withdraw { reason })
    }

    /// The result papers of a dossier of the citizen's, once processing is complete (empty before).
    pub fn my_results(&self, citizen: &CitizenIdentity, id: &str) -> ServiceResult<Vec<Paper>> {
        let outcome = self.db.read(|conn| {
            let dossier = self.mine(conn, citizen, id, false)?;
            result_papers(conn, &dossier)
        });
        self.audited(citizen, &format!("results {id}"), outcome)
    }
}
