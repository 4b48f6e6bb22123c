//! Identity checks against the national population database at reception (DESIGN.md §10).
//!
//! The register is asked synchronously, outside any database transaction (a slow register must not hold the
//! write lock), and its answer is then recorded on the dossier as the `identity_checked` event of the
//! reception clerk: audited, hash-chained, and shown as `identity_check` on the dossier. When the register
//! cannot be asked, reception goes on and the dossier records "not verified"; the check can be re-run
//! (`check_identity`). A mismatch (or an unknown id) keeps the dossier from being received until a re-run
//! matches; the clerk's documented ways on are to refuse reception or ask the applicant to clarify or
//! supplement (the register itself is updated by the police, after which the check is run again).
//!
//! When it runs: inside counter reception, at `receive` of an online dossier, and on demand; each only when
//! the register is configured and the applicant is identified by a personal id. The reception desk can also
//! look a person up before filling in the dossier (`lookup_population`), to prefill the applicant.

use crate::domain::policy::{Access, Target, staff_may};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::requests::ActionRequest;
use super::{FieldError, Reception, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::codes::{PersonalId, Sex};
use crate::domain::dossier::{Action, Applicant, Dossier, IdKind, IdentityOutcome, RegisteredPerson, Status, apply};
use crate::ports::population::Query;

/// `POST /population/lookup`: the four fields the register verifies.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    pub id_number: String,
    pub name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
}

/// What the reception desk is told: the outcome, the register's data, the applicant to prefill the new
/// dossier with (the register's data where it knows the person), and the clerk's next possible actions.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lookup {
    pub outcome: IdentityOutcome,
    pub message_vi: &'static str,
    pub message_en: &'static str,
    pub registered: Option<RegisteredPerson>,
    pub prefill: Option<Prefill>,
    pub next_actions: Vec<&'static str>,
}

/// Shaped like the `applicant` of a new dossier, so the desk can submit it as it is.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PopulationPrefill))]
pub struct Prefill {
    pub name: String,
    pub id_kind: IdKind,
    pub id_number: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub address: Option<String>,
}

/// An answer recorded as the `check_identity` action.
pub(super) type Answer = (IdentityOutcome, Option<RegisteredPerson>);

fn message_code(outcome: &IdentityOutcome) -> &'static str {
    match outcome {
        IdentityOutcome::Match => "population.match",
        IdentityOutcome::Mismatch { .. } => "population.mismatch",
        IdentityOutcome::NotFound => "population.not_found",
        IdentityOutcome::Refused { .. } => "population.refused",
        IdentityOutcome::NotVerified { .. } => "population.not_verified",
    }
}

impl Services {
    /// Asks the register about an applicant: `None` when there is nothing to ask (no register configured, or
    /// an applicant not identified by a personal id). Never fails: no answer is "not verified".
    pub(super) fn ask_population(&self, applicant: &Applicant) -> Option<Answer> {
        if applicant.id_kind != IdKind::PersonalId {
            return None;
        }
        let registry = self.ports.population.as_deref()?;
        let (Some(birth_date), Some(sex)) = (applicant.birth_date, applicant.sex) else {
            let reason = "the birth date and sex are needed to ask the register".to_string();
            return Some((IdentityOutcome::NotVerified { reason }, None));
        };
        let query = Query { id_number: applicant.id_number.clone(), name: applicant.name.clone(), birth_date, sex };
        Some(match registry.verify(&query) {
            Ok(verification) => (verification.outcome, verification.registered),
            Err(unavailable) => {
                tracing::warn!(error = %unavailable, "population database: reception goes on unverified");
                (IdentityOutcome::NotVerified { reason: unavailable.0 }, None)
            }
        })
    }

    /// Records an answer in its own transaction, on the latest state (or on `expected_version`).
    fn record_identity_check(
        &self,
        caller: &StaffIdentity,
        id: &str,
        expected_version: Option<u64>,
        (outcome, registered): Answer,
    ) -> ServiceResult<Dossier> {
        let now = self.now();
        let outcome = self.db.write(|conn| -> ServiceResult<Dossier> {
            let before = self.load_seen_for_update(conn, caller, id)?;
            let procedure = &*self.procedure_of(&before)?;
            let action = Action::CheckIdentity { outcome, registered };
            let version = expected_version.unwrap_or(before.version);
            let events = self.decide_as(caller, &before, procedure, action, version, None, None, now)?;
            let after = events.iter().fold(before.clone(), apply);
            self.persist(conn, Some(&before), &after, &events, procedure, now)?;
            Ok(after)
        });
        if let Err(e) = &outcome
            && matches!(e.http_status(), 403 | 404)
        {
            self.deny(caller, &format!("check_identity {id}"), e.code());
        }
        outcome
    }

    /// Before an online dossier is received: asks the register and records the answer. Answers the version
    /// the receive is then to expect, or refuses when the register does not confirm the applicant (the
    /// answer stays recorded either way).
    pub(super) fn check_before_receive(
        &self,
        caller: &StaffIdentity,
        id: &str,
        expected_version: u64,
        request: &ActionRequest,
    ) -> ServiceResult<u64> {
        if !matches!(request, ActionRequest::Receive) || self.ports.population.is_none() {
            return Ok(expected_version);
        }
        let dossier = self.dossiers().dossier(caller, id)?;
        if dossier.status != Status::Submitted || !dossier.is_current(expected_version) {
            // The action itself refuses (wrong status, stale version): no reason to ask the register.
            return Ok(expected_version);
        }
        let Some(answer) = self.ask_population(&dossier.applicant) else { return Ok(expected_version) };
        let checked = self.record_identity_check(caller, id, Some(expected_version), answer)?;
        if checked.identity_discrepancy() {
            return Err(crate::domain::dossier::Rejection::IdentityMismatch.into());
        }
        Ok(checked.version)
    }
}

impl Reception<'_> {
    /// The reception desk's lookup before a dossier exists. Clerks only; every lookup is audited (it reads
    /// a person's data from the national register).
    pub fn lookup_population(&self, caller: &StaffIdentity, request: LookupRequest) -> ServiceResult<Lookup> {
        if !staff_may(caller, Access::LookUpPopulation, Target::Anywhere) {
            self.deny(caller, "population lookup", "dossier.forbidden_role");
            return Err(ServiceError::Forbidden("dossier.forbidden_role"));
        }
        let mut errors = Vec::new();
        if request.name.trim().is_empty() {
            errors.push(FieldError::new("name", "field.required"));
        }
        let id_number = request.id_number.trim().to_string();
        if let Err(e) =
            PersonalId::parse(&id_number).and_then(|id| id.check(Some(request.birth_date), Some(request.sex)))
        {
            errors.push(FieldError::new("id_number", "field.invalid_personal_id").with_detail(&e.to_string()));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        if self.ports.population.is_none() {
            return Err(ServiceError::Conflict("population.not_configured", "no population database".into()));
        }
        let applicant = Applicant {
            name: request.name.trim().to_string(),
            id_kind: IdKind::PersonalId,
            id_number: id_number.clone(),
            birth_date: Some(request.birth_date),
            sex: Some(request.sex),
            address: None,
            phone: None,
            email: None,
        };
        let (outcome, registered) = self.ask_population(&applicant).expect("a configured register, a personal id");
        let code = message_code(&outcome);
        self.audit(&caller.username, &format!("population lookup {id_number}"), code);
        let (message_vi, message_en) = crate::messages::lookup(code);
        let next_actions = match &outcome {
            o if o.is_discrepancy() => vec!["refuse_reception", "request_supplement"],
            IdentityOutcome::NotVerified { .. } => vec!["receive", "check_identity"],
            _ => vec!["receive"],
        };
        let prefill = registered.as_ref().map(|p| Prefill {
            name: p.name.clone(),
            id_kind: IdKind::PersonalId,
            id_number: p.id_number.clone(),
            birth_date: p.birth_date,
            sex: p.sex,
            address: p.permanent_address.clone(),
        });
        Ok(Lookup { outcome, message_vi, message_en, registered, prefill, next_actions })
    }

    /// Re-runs the check of a dossier's applicant and records the answer (reception clerk).
    pub fn check_identity(&self, caller: &StaffIdentity, id: &str) -> ServiceResult<Dossier> {
        if self.ports.population.is_none() {
            return Err(ServiceError::Conflict("population.not_configured", "no population database".into()));
        }
        let dossier = self.dossiers().dossier(caller, id)?;
        if dossier.applicant.id_kind != IdKind::PersonalId {
            return Err(crate::domain::dossier::Rejection::InvalidApplicant(
                "only a personal id can be checked".into(),
            )
            .into());
        }
        let answer = self.ask_population(&dossier.applicant).expect("a configured register, a personal id");
        self.record_identity_check(caller, id, None, answer)
    }
}
