//! What one dossier contributes to the Decision 766 indicators ([`super::scorecard`]): a narrow row of facts the
//! store keeps beside the dossier, rewritten in the same transaction as each change, so that a period's figures
//! are counted by index without decoding a state, and the dossiers behind a lost point are found by the same
//! conditions.

use chrono::{DateTime, Utc};

use super::actor::Actor;
use super::calendar::Timeliness;
use super::dossier::{Change, Channel, Digitisation, Dossier, Event, Proposal, Status};
use super::procedure::{Online, Procedure};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierFacts {
    pub dossier_id: String,
    pub agency: String,
    pub procedure_code: String,
    pub channel: Channel,
    /// The specialist the dossier is (or was last) assigned to.
    pub handler: Option<String>,
    pub received_at: Option<DateTime<Utc>>,
    /// When it was finished: result ready, or stopped with a reasoned refusal (rule 7).
    pub finished_at: Option<DateTime<Utc>>,
    /// The legal due instant before any extension (rule 6), else the current one.
    pub due_at: Option<DateTime<Utc>>,
    /// Finished with a refusal (stopped with its reasons), not a result granting what was asked.
    pub refused: bool,
    /// When the applicant withdrew it: it leaves the work in progress without being finished.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Of a finished dossier. Late as well when more than one supplement was asked for (the portal's rule);
    /// on time when the procedure sets no time limit.
    pub timeliness: Option<Timeliness>,
    /// Of a procedure offered fully online (toàn trình).
    pub fully_online_eligible: bool,
    /// Of a procedure whose result is a paper (a certificate, a licence, a decision).
    pub result_is_paper: bool,
    /// Its result was issued as a signed, numbered electronic document.
    pub electronic_result: bool,
    /// A fee was asked for.
    pub fee_due: bool,
    /// Paid through the payment platform, not at the counter.
    pub paid_online: bool,
    /// Papers were provided and every one is electronic (scanned or reused).
    pub digitised: bool,
    /// Of a procedure with a paper that data the state holds can replace.
    pub reuse_eligible: bool,
    /// A paper was replaced by one from a repository or an earlier result.
    pub reused: bool,
    /// The applicant was checked against the population database and found.
    pub population_data: bool,
}

/// The facts of `dossier` as it now stands. `paid_online` is carried from its earlier facts ([`paid_online`]
/// of the events since), since the state keeps the payment but not who recorded it.
pub fn facts_of(dossier: &Dossier, procedure: &Procedure, paid_online: bool) -> DossierFacts {
    let finished = dossier.completed_at.is_some();
    let supplements = dossier.supplements_before_reception + dossier.supplements_after_reception;
    let timeliness = match (finished, dossier.timeliness) {
        (false, _) => None,
        (true, _) if supplements > 1 => Some(Timeliness::Late),
        (true, found) => Some(found.unwrap_or(Timeliness::OnTime)),
    };
    let provided: Vec<Digitisation> =
        dossier.components.iter().filter(|c| c.provided).map(|c| c.digitisation).collect();
    let issued = matches!(dossier.status, Status::ResultReady | Status::Returned);
    DossierFacts {
        dossier_id: dossier.id.clone(),
        agency: dossier.agency.clone(),
        procedure_code: dossier.procedure_code.clone(),
        channel: dossier.channel,
        handler: dossier.assignee.as_ref().map(|a| a.id.clone()),
        received_at: dossier.received_at,
        finished_at: dossier.completed_at,
        due_at: dossier.original_due_at.or(dossier.due_at),
        refused: finished && matches!(dossier.proposal, Some(Proposal::Refusal { .. })),
        withdrawn_at: dossier.withdrawn_at,
        timeliness,
        fully_online_eligible: procedure.online == Online::Full,
        result_is_paper: !procedure.results.is_empty(),
        electronic_result: issued && dossier.result_document.is_some() && dossier.result_number.is_some(),
        fee_due: dossier.payment.is_some(),
        paid_online,
        digitised: !provided.is_empty() && provided.iter().all(|d| *d != Digitisation::NotDigitised),
        reuse_eligible: procedure.components.iter().any(|c| !c.reusable.is_empty()),
        reused: provided.iter().any(|d| d.is_reuse()),
        population_data: dossier
            .identity_check
            .as_ref()
            .is_some_and(|c| matches!(c.outcome, super::dossier::IdentityOutcome::Match)),
    }
}

/// Whether `events` record a payment made through the payment platform (its callback acts as a system actor;
/// a payment taken at the counter is recorded by the clerk).
pub fn paid_online(events: &[Event]) -> bool {
    events.iter().any(|e| matches!(e.change, Change::PaymentRecorded { .. }) && matches!(e.actor, Actor::System { .. }))
}
