//! Dossier use cases: receive at the counter or by post, act on a dossier, read it, its history and the
//! queues, and public tracking. Every change is one transaction: the state with its version check, the
//! hash-chained events, and the outbox messages it causes.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::papers::ResolvedPaper;
use super::requests::{ActionRequest, NewDossier, OnlineSubmission, check_applicant, check_component_inputs};
use super::{Dossiers, FieldError, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::actor::StaffRef;
use crate::domain::calendar::Timeliness;
use crate::domain::codes::{AgencyId, DossierCode};
use crate::domain::dossier::{
    Action, Context, Dossier, Event, Rejection, SlipRow, Status, Submission, apply, control_slip, decide,
    decide_submission, fold,
};
use crate::domain::free_text;
use crate::domain::identity::Caller;
pub use crate::domain::identity::CitizenIdentity;
use crate::domain::policy::{Access, Target, agencies_for, staff_may};
use crate::domain::procedure::{Procedure, Role, StepKind, check_form_data};
use crate::store::dossiers::{Cursor, QueueFilter};
use crate::store::{DbConnection, agencies, dossiers, events, idempotency, outbox, sequences, staff};

/// What `receive` answers: the new dossier, or the stored answer to an earlier request with the same
/// `Idempotency-Key`.
pub enum Received {
    Created(Box<Dossier>),
    Replayed { status: u16, body: String },
}

/// The parts of a new dossier as submitted, before checking.
struct Draft<'a> {
    procedure_code: &'a str,
    agency: &'a str,
    channel: crate::domain::dossier::Channel,
    applicant: &'a super::requests::ApplicantInput,
    components: &'a [super::requests::ComponentInput],
    summary: Option<&'a str>,
    form_data: &'a std::collections::BTreeMap<String, String>,
    members: &'a [String],
}

/// Where an online submission came from: the national portal (its id for the dossier), and whether the
/// applicant signed in with the national e-identity.
pub(super) struct Origin {
    pub portal_id: Option<String>,
    pub signed_in_with_vneid: bool,
}

/// The caller's idempotency key and a hash of the request it came with.
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

/// Documents made for an action before its transaction, with the decision they were made for.
struct PreparedDocuments {
    /// The dossier's version they were made from.
    version: u64,
    action: Action,
    consulted_kind: Option<String>,
    papers: Vec<crate::store::papers::Paper>,
}

#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub agency: Option<String>,
    pub statuses: Vec<Status>,
    pub step: Option<String>,
    /// A staff id, or `me`.
    pub assignee: Option<String>,
    pub procedure: Option<String>,
    pub channel: Option<i32>,
    pub due_before: Option<DateTime<Utc>>,
    pub text: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page {
    pub items: Vec<Dossier>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub seq: usize,
    pub at: DateTime<Utc>,
    pub kind: &'static str,
    pub actor: String,
    pub note: Option<String>,
    pub status: Option<Status>,
    pub step: Option<String>,
    pub event: Event,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct History {
    pub events: Vec<HistoryEntry>,
    pub control_slip: Vec<SlipRow>,
}

/// What anyone may learn about a dossier from its code and the applicant's id number.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tracking {
    pub code: String,
    pub procedure_name: String,
    pub status: u8,
    pub status_name: &'static str,
    pub received_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub current_step: Option<String>,
    /// The kind of the current step (`receive`, `appraise`, …), for naming it in any language.
    pub current_step_kind: Option<String>,
    pub current_step_name: Option<String>,
    pub result_available: bool,
    pub returned_at: Option<DateTime<Utc>>,
    pub timeliness: Option<Timeliness>,
    /// The latest payment order: amount, state, and the platform's pay URL while it waits for payment.
    pub payment: Option<super::payments::OrderView>,
    /// An inter-agency bundle: where each of its procedures stands.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<super::bundles::MemberView>,
}

/// E-form data the e-form does not declare is kept as sent (the portal sends its own), within bounds.
fn check_form_data_bounds(data: &std::collections::BTreeMap<String, String>, errors: &mut Vec<FieldError>) {
    const MAX_FIELDS: usize = 200;
    if data.len() > MAX_FIELDS {
        errors.push(FieldError::new("form_data", "field.too_long").with_detail(&format!("≤ {MAX_FIELDS} fields")));
    }
    for (name, value) in data.iter().take(MAX_FIELDS) {
        if !free_text::within(name, free_text::SHORT_MAX) || !free_text::within(value, free_text::TEXT_MAX) {
            let shown: String = name.chars().take(free_text::SHORT_MAX).collect();
            errors.push(FieldError::new(format!("form_data.{shown}"), "field.too_long"));
        }
    }
}

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;

impl Services {
    /// The dossier, locked for the write about to be made, if the staff member may see it (a dossier they may
    /// not see is "not found", as when listing).
    pub(super) fn load_seen_for_update(
        &self,
        conn: &mut DbConnection,
        caller: &StaffIdentity,
        id: &str,
    ) -> ServiceResult<Dossier> {
        let dossier = dossiers::load_for_update(conn, id)?.ok_or(ServiceError::NotFound("dossier.not_found"))?;
        if !staff_may(caller, Access::SeeDossier, Target::Dossier(&dossier)) {
            return Err(ServiceError::NotFound("dossier.not_found"));
        }
        Ok(dossier)
    }

    pub(super) fn procedure_of(&self, dossier: &Dossier) -> ServiceResult<std::sync::Arc<Procedure>> {
        let (code, version) = (&dossier.procedure_code, dossier.procedure_version);
        if let Some(procedure) = self.catalogue.version(code, version) {
            return Ok(procedure);
        }
        // Published by another process since this one started.
        self.sync_catalogue()?;
        self.catalogue.version(code, version).ok_or(ServiceError::NotFound("procedure.not_found"))
    }

    /// Checks what a new dossier is made of, adding every bad field to `errors`; answers its procedure and
    /// the submission. `agency_allowed` says whether the caller may submit to an existing agency.
    fn check_submission(
        &self,
        caller: &Caller,
        draft: Draft<'_>,
        agency_allowed: impl Fn(&agencies::Agency) -> bool,
        mut errors: Vec<FieldError>,
    ) -> ServiceResult<(std::sync::Arc<Procedure>, Submission, Vec<ResolvedPaper>)> {
        let procedure = self.catalogue.current(draft.procedure_code);
        if procedure.is_none() {
            errors.push(FieldError::new("procedure_code", "field.unknown_procedure").with_detail(draft.procedure_code));
        }
        let applicant = check_applicant(draft.applicant, "applicant", &mut errors);
        check_form_data_bounds(draft.form_data, &mut errors);
        if draft.summary.is_some_and(|s| !free_text::within(s, free_text::TEXT_MAX)) {
            errors.push(FieldError::new("summary", "field.too_long"));
        }
        let mut resolved = Vec::new();
        if let Some(procedure) = &procedure {
            for (name, code) in check_form_data(procedure, draft.form_data) {
                errors.push(FieldError::new(format!("form_data.{name}"), code));
            }
            check_component_inputs(draft.components, procedure, &mut errors);
            self.check_member_papers(procedure, draft.members, draft.components, &mut errors);
            if errors.is_empty() {
                self.db.read(|conn| -> ServiceResult<()> {
                    for (i, input) in draft.components.iter().enumerate() {
                        let field = format!("components[{i}]");
                        match self.resolve_paper(conn, caller, &applicant.id_number, procedure, input, &field) {
                            Ok(paper) => resolved.push(paper),
                            Err(ServiceError::Invalid(mut bad)) => errors.append(&mut bad),
                            Err(other) => return Err(other),
                        }
                    }
                    Ok(())
                })?;
            }
        }
        if !draft.agency.is_empty() {
            let agency = self.db.read(|conn| self.db.agencies().get(conn, draft.agency).map_err(ServiceError::from))?;
            match (&agency, &procedure) {
                (Some(agency), _) if !agency_allowed(agency) => {
                    errors.push(FieldError::new("agency", "field.unknown_agency"))
                }
                (None, _) => errors.push(FieldError::new("agency", "field.unknown_agency")),
                (Some(agency), Some(procedure)) if agency.kind != procedure.agency_kind => {
                    errors.push(FieldError::new("agency", "field.wrong_agency_kind"))
                }
                _ => {}
            }
        }
        let procedure = match procedure {
            Some(procedure) if errors.is_empty() => procedure,
            _ => return Err(ServiceError::Invalid(errors)),
        };
        let summary = draft
            .summary
            .filter(|s| !s.trim().is_empty())
            .map_or_else(|| format!("{} - {}", procedure.name, applicant.name), str::to_string);
        let submission = Submission {
            id: uuid::Uuid::now_v7().to_string(),
            procedure_code: procedure.code.clone(),
            procedure_version: procedure.version,
            agency: draft.agency.to_string(),
            channel: draft.channel,
            applicant,
            summary,
            components: resolved.iter().map(|r| r.state.clone()).collect(),
            code: None,
            form_data: draft.form_data.clone(),
            portal_id: None,
            signed_in_with_vneid: false,
            members: draft.members.to_vec(),
            bundle: None,
        };
        Ok((procedure, submission, resolved))
    }

    /// An online submission by `who` (the applicant, or the national portal on their behalf); `within` runs in
    /// the same transaction once the dossier is stored.
    pub(super) fn submit_online_as(
        &self,
        who: &Caller,
        actor: crate::domain::actor::Actor,
        mut input: OnlineSubmission,
        origin: Origin,
        within: impl FnOnce(&mut DbConnection, &Dossier) -> ServiceResult<()>,
    ) -> ServiceResult<Dossier> {
        // A citizen applies as the person the e-identity verified: the policy refuses another id, and for their own
        // the name and birth date are the identity's, whatever the form says.
        if let Caller::Citizen(verified) = who
            && input.applicant.id_number.trim() == verified.id_number
        {
            input.applicant.name = verified.name.clone();
            if let Some(born) = verified.birth_date {
                input.applicant.birth_date = Some(born);
            }
        }
        let draft = Draft {
            procedure_code: &input.procedure_code,
            agency: &input.agency,
            channel: crate::domain::dossier::Channel::Online,
            applicant: &input.applicant,
            components: &input.components,
            summary: input.summary.as_deref(),
            form_data: &input.form_data,
            members: &input.members,
        };
        let (procedure, submission, papers) = self.check_submission(who, draft, |_| true, Vec::new())?;
        let now = self.now();
        self.db.write(|conn| {
            let submission = Submission {
                code: Some(allocate_code(conn, &submission.agency, now, &self.calendar)?),
                portal_id: origin.portal_id.clone(),
                signed_in_with_vneid: origin.signed_in_with_vneid,
                ..submission.clone()
            };
            let events = decide_submission(&procedure, submission, &Context::new(now, actor, &self.calendar))?;
            let dossier = fold(&events).expect("a submission opens a dossier");
            self.persist(conn, None, &dossier, &events, &procedure, now)?;
            self.store_papers(conn, &dossier, papers, who, true)?;
            within(conn, &dossier)?;
            Ok(dossier)
        })
    }

    /// Tries the caller's roles in the agencies concerned (the current step's role first); the first role
    /// the domain accepts acts. Otherwise the most telling refusal is returned.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn decide_as(
        &self,
        caller: &StaffIdentity,
        dossier: &Dossier,
        procedure: &Procedure,
        action: Action,
        expected_version: u64,
        note: Option<String>,
        consulted_kind: Option<String>,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<Event>> {
        let step_role = dossier.step.as_deref().and_then(|s| procedure.step(s)).map(|s| s.role);
        let consulted = dossier.consultation.as_ref().map(|c| c.agency.as_str());
        let mut candidates: Vec<&(String, Role)> = caller
            .roles
            .iter()
            .filter(|(agency, _)| *agency == dossier.agency || Some(agency.as_str()) == consulted)
            .collect();
        candidates.sort_by_key(|(_, role)| Some(*role) != step_role);
        let mut refusals = Vec::new();
        for (agency, role) in candidates {
            let ctx = Context {
                now,
                actor: caller.actor(agency, *role),
                calendar: &self.calendar,
                expected_version: Some(expected_version),
                note: note.clone(),
                consulted_agency_kind: consulted_kind.clone(),
            };
            match decide(dossier, procedure, action.clone(), &ctx) {
                Ok(events) => return Ok(events),
                Err(rejection) => refusals.push(rejection),
            }
        }
        let telling =
            refusals.iter().position(|r| !matches!(r, Rejection::ForbiddenRole { .. } | Rejection::WrongAgency));
        Err(match telling {
            Some(i) => refusals.swap_remove(i).into(),
            None => refusals.into_iter().next().map_or(ServiceError::Forbidden("dossier.forbidden_role"), Into::into),
        })
    }

    /// Turns an API action into a domain action, resolving staff and agencies and allocating a code.
    fn domain_action(
        &self,
        conn: &mut DbConnection,
        dossier: &Dossier,
        request: ActionRequest,
        now: DateTime<Utc>,
    ) -> ServiceResult<(Action, Option<String>)> {
        let assignee = |conn: &mut DbConnection, id: String| -> ServiceResult<StaffRef> {
            let person = staff::by_id(conn, &id)?;
            let roles = staff::roles(conn, &id)?.into_iter().filter_map(|(a, r)| Some((a, r.parse().ok()?))).collect();
            let them = StaffIdentity {
                id: id.clone(),
                username: String::new(),
                full_name: String::new(),
                roles,
                token_generation: 0,
            };
            let holds = staff_may(&them, Access::Handle(Role::Specialist), Target::Dossier(dossier));
            match person {
                Some(p) if holds => Ok(StaffRef { id: p.id, name: p.full_name }),
                _ => Err(ServiceError::Invalid(vec![FieldError::new("assignee", "field.unknown_staff")])),
            }
        };
        Ok(match request {
            ActionRequest::Receive => {
                let receivable = dossier.status == Status::Submitted;
                let code = if receivable && dossier.code.is_none() {
                    allocate_code(conn, &dossier.agency, now, &self.calendar)?
                } else {
                    String::new()
                };
                let register_entry = match receivable {
                    true => Some(allocate_register_entry(conn, &dossier.agency, now, &self.calendar)?),
                    false => None,
                };
                (Action::Receive { code, register_entry }, None)
            }
            ActionRequest::RefuseReception { reasons } => (Action::RefuseReception { reasons }, None),
            ActionRequest::RequestSupplement { items } => (Action::RequestSupplement { items }, None),
            ActionRequest::Resubmit => (Action::Resubmit, None),
            ActionRequest::RequestPayment { amount_vnd, charge, reason } => {
                (Action::RequestPayment { amount_vnd, charge, reason }, None)
            }
            ActionRequest::RecordPayment { amount_vnd, reference } => {
                (Action::RecordPayment { amount_vnd, reference }, None)
            }
            ActionRequest::Assign { assignee: id } => (Action::Assign { assignee: assignee(conn, id)? }, None),
            ActionRequest::Reassign { assignee: id } => (Action::Reassign { assignee: assignee(conn, id)? }, None),
            ActionRequest::Appraise { proposal } => (Action::Appraise { proposal, document: None }, None),
            ActionRequest::Approve => (Action::Approve, None),
            ActionRequest::Disagree { reason } => (Action::Disagree { reason }, None),
            ActionRequest::Sign => (Action::Sign { document: None }, None),
            ActionRequest::Seal { number } => (Action::Seal { number, document: None }, None),
            ActionRequest::Stop { reasons } => (Action::Stop { reasons }, None),
            ActionRequest::Consult { agency, question } => {
                let kind = self
                    .db
                    .agencies()
                    .get(conn, &agency)?
                    .ok_or_else(|| ServiceError::Invalid(vec![FieldError::new("agency", "field.unknown_agency")]))?
                    .kind;
                (Action::Consult { agency, question }, Some(kind))
            }
            ActionRequest::Answer { answer, favourable } => (Action::Answer { answer, favourable }, None),
            ActionRequest::Extend { new_due, reason } => (Action::Extend { new_due, reason }, None),
            ActionRequest::Withdraw { reason } => (Action::Withdraw { reason }, None),
            ActionRequest::Return { method } => (Action::Return { method }, None),
        })
    }

    /// Stores a change: the row (version-checked), its events, and a portal sync message when the status
    /// or the due instant changed.
    pub(super) fn persist(
        &self,
        conn: &mut DbConnection,
        before: Option<&Dossier>,
        after: &Dossier,
        new_events: &[Event],
        procedure: &Procedure,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        match before {
            None => dossiers::insert(conn, after, now)?,
            Some(before) => update_row(conn, before, after, now)?,
        }
        self.record_change(conn, before, after, new_events, procedure, now)
    }

    /// Everything a change writes besides the dossier's row: its events, forms to render, the portal's status,
    /// the applicant's notices and payment orders. `before` is the state before the change (None for a new
    /// dossier, whose events then start the chain).
    fn record_change(
        &self,
        conn: &mut DbConnection,
        before: Option<&Dossier>,
        after: &Dossier,
        new_events: &[Event],
        procedure: &Procedure,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let first_seq = before.map_or(0, |b| b.version);
        if after.due_at.is_some() && before.is_none_or(|b| b.due_at != after.due_at) {
            // The calendar this deadline was computed with: a later change of the calendar does not move it.
            crate::store::calendars::mark_dossier(conn, &after.id, self.calendar.version())?;
        }
        let mut numbered = new_events.to_vec();
        number_papers(conn, &after.agency, &mut numbered, &self.calendar)?;
        let new_events = numbered.as_slice();
        events::append(conn, &after.id, first_seq, new_events)?;
        self.record_facts(conn, before, after, new_events, procedure)?;
        super::forms::queue_forms(conn, &after.id, first_seq + 1, new_events, now)?;
        let brought_papers =
            new_events.iter().any(|e| matches!(e.change, crate::domain::dossier::Change::PaperAttached { .. }));
        if before.is_none() || brought_papers {
            super::readings::queue_check(self, conn, after, now)?;
        }
        if before.is_none() {
            super::declarations::queue_declaration(conn, after, procedure, now)?;
        }
        if after.status == Status::Returned && before.is_some_and(|b| b.status != Status::Returned) {
            self.push_results(conn, after, procedure, now)?;
        }
        let changed = before.is_none_or(|b| b.status != after.status || b.due_at != after.due_at);
        if changed && after.code.is_some() {
            // A new dossier's history is what was just written; otherwise read it back whole.
            let history = if before.is_none() { new_events.to_vec() } else { events::history(conn, &after.id)? };
            if let Some(message) = self.status_message(conn, after, procedure, &history)? {
                outbox::enqueue(
                    conn,
                    outbox::NewMessage {
                        dossier_id: Some(&after.id),
                        topic: crate::ports::topics::PORTAL_STATUS,
                        key: format!("{}:{}", after.id, after.version),
                        payload: serde_json::to_string(&message).expect("messages serialize"),
                    },
                    now,
                )?;
            }
        }
        // After the status sync, so the applicant's notices follow it in the outbox.
        self.queue_notifications(conn, before, after, new_events, procedure, now)?;
        // Payment orders (request_payment) and refunds (a paid dossier refused), in the same transaction.
        self.queue_payments(conn, before, after, new_events, procedure, now)?;
        Ok(())
    }

    pub(super) fn deny(&self, caller: &StaffIdentity, what: &str, code: &str) {
        self.audit(&caller.username, what, &format!("denied:{code}"));
    }
}

impl Dossiers<'_> {
    /// Receives a dossier at the counter or by post: it is created and received (status 2) in one
    /// transaction, with its code allocated from the agency's gap-free daily sequence.
    pub fn receive(
        &self,
        caller: &StaffIdentity,
        input: NewDossier,
        key: Option<IdempotencyKey>,
    ) -> ServiceResult<Received> {
        let clerk_agencies = agencies_for(caller, Access::Receive);
        if clerk_agencies.is_empty() {
            self.deny(caller, "receive", "dossier.forbidden_role");
            return Err(ServiceError::Forbidden("dossier.forbidden_role"));
        }
        let mut errors = Vec::new();
        input.check_texts(&mut errors);
        let agency_id = match &input.agency {
            Some(agency) => agency.clone(),
            None if clerk_agencies.len() == 1 => clerk_agencies[0].clone(),
            None => {
                errors.push(FieldError::new("agency", "field.required"));
                String::new()
            }
        };
        let draft = Draft {
            procedure_code: &input.procedure_code,
            agency: &agency_id,
            channel: input.channel,
            applicant: &input.applicant,
            components: &input.components,
            summary: input.summary.as_deref(),
            form_data: &input.form_data,
            members: &input.members,
        };
        let who = Caller::Staff(caller.clone());
        let (procedure, submission, mut papers) =
            self.check_submission(&who, draft, |a| staff_may(caller, Access::Receive, Target::Agency(&a.id)), errors)?;
        // The population database is asked before the transaction (a slow register must not hold the lock).
        let identity = self.ask_population(&submission.applicant);
        let now = self.now();
        let outcome = self.db.write(|conn| {
            if let Some(key) = &key
                && let Some(stored) = idempotency::find(conn, &caller.id, &key.key)?
            {
                if stored.request_hash != key.request_hash {
                    return Err(ServiceError::Conflict("request.idempotency_key_reused", key.key.clone()));
                }
                return Ok(Received::Replayed { status: stored.status, body: stored.body });
            }
            let ctx = Context {
                note: input.note.clone(),
                ..Context::new(now, caller.actor(&agency_id, Role::ReceptionClerk), &self.calendar)
            };
            let mut history = decide_submission(&procedure, submission.clone(), &ctx)?;
            let mut submitted = fold(&history).expect("a submission opens a dossier");
            if let Some((outcome, registered)) = identity.clone() {
                let check = Action::CheckIdentity { outcome, registered };
                let checked = decide(&submitted, &procedure, check, &ctx)?;
                submitted = checked.iter().fold(submitted, apply);
                history.extend(checked);
            }
            // A discrepancy with the register leaves the dossier submitted (status 1, no code yet) with the
            // answer on it, for the clerk to refuse, ask for a supplement, or check again.
            let papers = std::mem::take(&mut papers);
            let dossier = if submitted.identity_discrepancy() {
                self.persist(conn, None, &submitted, &history, &procedure, now)?;
                self.store_papers(conn, &submitted, papers, &who, true)?;
                submitted
            } else {
                // The agency's counters stay locked from their increment to the commit, and every reception of
                // the agency waits for them. So the row as submitted and its papers are written first, and after
                // the numbers come only the writes that carry them.
                dossiers::insert(conn, &submitted, now)?;
                self.store_papers(conn, &submitted, papers, &who, true)?;
                let code = allocate_code(conn, &agency_id, now, &self.calendar)?;
                let register_entry = Some(allocate_register_entry(conn, &agency_id, now, &self.calendar)?);
                let receive = decide(
                    &submitted,
                    &procedure,
                    Action::Receive { code, register_entry },
                    &ctx.expecting(submitted.version),
                )?;
                history.extend(receive.iter().cloned());
                let received = receive.iter().fold(submitted.clone(), apply);
                update_row(conn, &submitted, &received, now)?;
                self.record_change(conn, None, &received, &history, &procedure, now)?;
                received
            };
            let dossier = self.coordinate_bundle(conn, None, dossier, &procedure, now)?;
            if let Some(key) = &key {
                let body = serde_json::to_string(&dossier).expect("dossiers serialize");
                let answer = idempotency::StoredAnswer { request_hash: key.request_hash.clone(), status: 201, body };
                idempotency::insert(conn, &caller.id, &key.key, &answer, now)?;
            }
            Ok(Received::Created(Box::new(dossier)))
        });
        match outcome {
            // Two requests with one key raced: the loser's insert failed; the winner's answer is stored now.
            Err(e) if e.is_unique_violation() && key.is_some() => {
                let key = key.expect("checked");
                let stored =
                    self.db.read(|conn| idempotency::find(conn, &caller.id, &key.key).map_err(ServiceError::from))?;
                match stored {
                    Some(s) if s.request_hash == key.request_hash => {
                        Ok(Received::Replayed { status: s.status, body: s.body })
                    }
                    _ => Err(ServiceError::Conflict("request.idempotency_key_reused", key.key)),
                }
            }
            other => other,
        }
    }

    /// A dossier submitted online by its applicant: status 1, in the agency's reception queue.
    pub fn submit_online(&self, citizen: &CitizenIdentity, input: OnlineSubmission) -> ServiceResult<Dossier> {
        let actor = crate::domain::actor::Actor::Citizen { id: citizen.id_number.clone(), name: citizen.name.clone() };
        // Citizens sign in here only through the national e-identity (VNeID).
        let origin = Origin { portal_id: None, signed_in_with_vneid: true };
        self.submit_online_as(&Caller::Citizen(citizen.clone()), actor, input, origin, |_, _| Ok(()))
    }

    /// Performs an action on a dossier as the caller, with the version they saw.
    pub fn act(
        &self,
        caller: &StaffIdentity,
        id: &str,
        expected_version: u64,
        request: ActionRequest,
        note: Option<String>,
    ) -> ServiceResult<Dossier> {
        // Receiving an online dossier first checks the applicant with the population database (recorded in its
        // own transaction: the answer stays on record even when the receive is then refused).
        let expected_version = self.check_before_receive(caller, id, expected_version, &request)?;
        let now = self.now();
        let outcome = (|| {
            // A draft to render, a signature or a seal takes milliseconds of CPU: they are made before the write
            // transaction from the dossier as read now, so that no row lock waits on them. The transaction takes
            // the same decision on the locked row and records them if it is still that version (else 409, as for
            // any race between two actions).
            let prepared = match request {
                ActionRequest::Appraise { .. } | ActionRequest::Sign | ActionRequest::Seal { .. } => {
                    Some(self.prepare_documents(caller, id, expected_version, &request, note.clone(), now)?)
                }
                _ => None,
            };
            self.db.write(|conn| {
                let before = self.load_seen_for_update(conn, caller, id)?;
                let procedure = &*self.procedure_of(&before)?;
                let (action, consulted_kind) = match &prepared {
                    Some(made) if !before.is_current(made.version) => {
                        return Err(Rejection::StaleVersion { expected: made.version, actual: before.version }.into());
                    }
                    Some(made) => (made.action.clone(), made.consulted_kind.clone()),
                    None => {
                        let (mut action, consulted_kind) = self.domain_action(conn, &before, request, now)?;
                        self.plan_document(&before, &mut action);
                        (action, consulted_kind)
                    }
                };
                let events =
                    self.decide_as(caller, &before, procedure, action, expected_version, note, consulted_kind, now)?;
                let after = events.iter().fold(before.clone(), apply);
                self.persist(conn, Some(&before), &after, &events, procedure, now)?;
                let papers = match prepared {
                    Some(made) => made.papers,
                    None => self.make_documents(conn, caller, &before, &after, &events, procedure)?,
                };
                self.record_documents(conn, &papers)?;
                self.coordinate_bundle(conn, Some(&before), after, procedure, now)
            })
        })();
        if let Err(e) = &outcome
            && matches!(e.http_status(), 403 | 404)
        {
            self.deny(caller, &format!("act {id}"), e.code());
        }
        outcome
    }

    /// The documents an action will make, made from the dossier as it stands (see `act`).
    fn prepare_documents(
        &self,
        caller: &StaffIdentity,
        id: &str,
        expected_version: u64,
        request: &ActionRequest,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> ServiceResult<PreparedDocuments> {
        let before = self.dossier(caller, id)?;
        self.db.read(|conn| {
            let procedure = &*self.procedure_of(&before)?;
            let (mut action, consulted_kind) = self.domain_action(conn, &before, request.clone(), now)?;
            self.plan_document(&before, &mut action);
            let events = self.decide_as(
                caller,
                &before,
                procedure,
                action.clone(),
                expected_version,
                note,
                consulted_kind.clone(),
                now,
            )?;
            let after = events.iter().fold(before.clone(), apply);
            let papers = self.make_documents(conn, caller, &before, &after, &events, procedure)?;
            Ok(PreparedDocuments { version: before.version, action, consulted_kind, papers })
        })
    }

    /// A dossier the caller may see.
    pub fn dossier(&self, caller: &StaffIdentity, id: &str) -> ServiceResult<Dossier> {
        let dossier = self.db.read(|conn| dossiers::get(conn, id).map_err(ServiceError::from))?;
        match dossier {
            Some(d) if staff_may(caller, Access::SeeDossier, Target::Dossier(&d)) => Ok(d),
            Some(_) => {
                self.deny(caller, &format!("read {id}"), "dossier.not_found");
                Err(ServiceError::NotFound("dossier.not_found"))
            }
            None => Err(ServiceError::NotFound("dossier.not_found")),
        }
    }

    pub fn history(&self, caller: &StaffIdentity, id: &str) -> ServiceResult<History> {
        let dossier = self.dossier(caller, id)?;
        let procedure = &*self.procedure_of(&dossier)?;
        let events = self.db.read(|conn| events::history(conn, id).map_err(ServiceError::from))?;
        Ok(History {
            control_slip: control_slip(procedure, &events, &self.calendar),
            events: events
                .into_iter()
                .enumerate()
                .map(|(i, e)| HistoryEntry {
                    seq: i + 1,
                    at: e.at,
                    kind: e.change.name(),
                    actor: e.actor.name().to_string(),
                    note: e.note.clone(),
                    status: e.status,
                    step: e.step.as_ref().and_then(|m| m.to.clone()),
                    event: e,
                })
                .collect(),
        })
    }

    /// The caller's queue: dossiers of their agencies, filtered, sorted by due instant, a page at a time.
    pub fn queue(&self, caller: &StaffIdentity, query: QueueQuery) -> ServiceResult<Page> {
        let scope = agencies_for(caller, Access::ListAgency);
        if let Some(agency) = &query.agency
            && !staff_may(caller, Access::ListAgency, Target::Agency(agency))
        {
            self.deny(caller, &format!("queue {agency}"), "request.forbidden");
            return Err(ServiceError::Forbidden("request.forbidden"));
        }
        let limit = query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let after = match &query.cursor {
            None => None,
            Some(text) => {
                Some(super::cursor::decode(text).map(|(due_at, id)| Cursor { due_at, id }).ok_or_else(|| {
                    ServiceError::Invalid(vec![
                        FieldError::new("cursor", "field.required").with_detail("unreadable cursor"),
                    ])
                })?)
            }
        };
        let filter = QueueFilter {
            agencies: scope,
            agency: query.agency,
            statuses: query.statuses,
            step: query.step,
            assignee: query.assignee.map(|a| if a == "me" { caller.id.clone() } else { a }),
            procedure: query.procedure,
            channel: query.channel,
            applicant_id: None,
            due_before: query.due_before,
            text: query.text,
            after,
            limit: limit + 1,
            ..QueueFilter::default()
        };
        let mut items = self.db.read(|conn| dossiers::list(conn, &filter).map_err(ServiceError::from))?;
        let next_cursor = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|d| super::cursor::encode(d.due_at, &d.id))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Public tracking: the dossier code and the applicant's id number must both match.
    pub fn track(&self, code: &str, id_number: &str) -> ServiceResult<Tracking> {
        let dossier = self.db.read(|conn| dossiers::by_code(conn, code.trim()).map_err(ServiceError::from))?;
        let dossier = dossier
            .filter(|d| d.applicant.id_number == id_number.trim())
            .ok_or(ServiceError::NotFound("dossier.not_found"))?;
        let procedure = &*self.procedure_of(&dossier)?;
        let step = dossier.step.as_deref().and_then(|s| procedure.step(s));
        Ok(Tracking {
            code: dossier.code.clone().unwrap_or_default(),
            procedure_name: procedure.name.clone(),
            status: dossier.status.code(),
            status_name: dossier.status.name_vi(),
            received_at: dossier.received_at,
            due_at: dossier.due_at,
            current_step: step.map(|s| s.id.clone()),
            current_step_kind: step.map(|s| s.kind.to_string()),
            current_step_name: step
                .map(|s| crate::messages::text(&format!("step.{}", s.kind), crate::messages::Lang::Vi).to_string()),
            result_available: matches!(dossier.status, Status::ResultReady | Status::Stopped)
                && step.is_some_and(|s| s.kind == StepKind::Return),
            returned_at: dossier.returned_at,
            timeliness: dossier.timeliness,
            payment: self.payments_due(&dossier)?.orders.pop(),
            members: self.member_statuses(&dossier)?,
        })
    }
}

/// Writes the row's change from `before`, refused as stale when the row is no longer at `before`'s version.
fn update_row(conn: &mut DbConnection, before: &Dossier, after: &Dossier, now: DateTime<Utc>) -> ServiceResult<()> {
    match dossiers::update(conn, before, after, now)? {
        true => Ok(()),
        false => Err(Rejection::StaleVersion { expected: before.version, actual: before.version + 1 }.into()),
    }
}

/// The next dossier code of `agency` for the reception day (in the calendar's timezone).
pub(super) fn allocate_code(
    conn: &mut DbConnection,
    agency: &str,
    now: DateTime<Utc>,
    calendar: &crate::domain::calendar::Calendar,
) -> ServiceResult<String> {
    let day = calendar.local_date(now);
    let sequence = sequences::next(conn, agency, &day.format("%y%m%d").to_string())?;
    let agency_id = AgencyId::parse(agency)
        .map_err(|e| ServiceError::Store(crate::store::StoreError::Corrupt(format!("agency id: {e}"))))?;
    let code = DossierCode::new(agency_id, day, sequence)
        .map_err(|e| ServiceError::Conflict("dossier.code_exhausted", e.to_string()))?;
    Ok(code.to_string())
}

/// The next entry of `agency`'s register for the year of reception (form 06's "Quyển số" is the year). Gap-free
/// like the code: allocated in the reception transaction, rolled back with it.
pub(super) fn allocate_register_entry(
    conn: &mut DbConnection,
    agency: &str,
    now: DateTime<Utc>,
    calendar: &crate::domain::calendar::Calendar,
) -> ServiceResult<u32> {
    let year = calendar.local_date(now).format("%Y");
    Ok(sequences::next(conn, agency, &format!("register-{year}"))?)
}

/// Numbers the papers the new events issue (forms 02-04), each from the agency's yearly sequence of its form.
fn number_papers(
    conn: &mut DbConnection,
    agency: &str,
    events: &mut [Event],
    calendar: &crate::domain::calendar::Calendar,
) -> ServiceResult<()> {
    for event in events {
        let suffix = match super::forms::FormKind::of_change(&event.change) {
            Some(form) => form.number_suffix(),
            None => None,
        };
        if let Some(suffix) = suffix.filter(|_| event.paper_number.is_none()) {
            let year = calendar.local_date(event.at).format("%Y");
            let n = sequences::next(conn, agency, &format!("{suffix}-{year}"))?;
            event.paper_number = Some(format!("{n}/{suffix}"));
        }
    }
    Ok(())
}

impl Dossiers<'_> {
    /// Raises the nearly-due or overdue alert of one dossier if it is due one (rule 8); false if not.
    pub fn raise_deadline_alert(&self, id: &str) -> ServiceResult<bool> {
        let now = self.now();
        self.db.write(|conn| {
            let Some(before) = dossiers::load_for_update(conn, id)? else { return Ok(false) };
            let alerts = crate::domain::dossier::sweep(&before, now, &self.calendar);
            if alerts.is_empty() {
                return Ok(false);
            }
            let procedure = &*self.procedure_of(&before)?;
            let after = alerts.iter().fold(before.clone(), apply);
            self.persist(conn, Some(&before), &after, &alerts, procedure, now)?;
            Ok(true)
        })
    }
}

/// Shared by the use cases.
impl Services {
    pub fn agencies(&self) -> ServiceResult<Vec<agencies::Agency>> {
        self.db.read(|conn| agencies::all(conn).map_err(ServiceError::from))
    }
}
