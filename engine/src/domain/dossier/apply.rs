//! `apply`: folds one event into the dossier. Total and calendar-free: every computed instant is in the event.

use super::event::{Change, Event};
use super::model::{
    ComponentState, Consultation, Dossier, IdentityCheck, Payment, PendingSupplement, Proposal, Status,
};
use crate::domain::deadline::LegalClock;

/// The dossier a `Submitted` event creates.
fn open(event: &Event) -> Option<Dossier> {
    let Change::Submitted(submission) = &event.change else {
        return None;
    };
    let s = submission.as_ref().clone();
    Some(Dossier {
        id: s.id,
        code: s.code,
        form_data: s.form_data,
        portal_id: s.portal_id,
        signed_in_with_vneid: s.signed_in_with_vneid,
        chosen_members: s.members,
        member_dossiers: Vec::new(),
        bundle: s.bundle,
        procedure_code: s.procedure_code,
        procedure_version: s.procedure_version,
        agency: s.agency,
        channel: s.channel,
        applicant: s.applicant,
        summary: s.summary,
        status: Status::Submitted,
        step: None,
        step_started_at: None,
        step_due_at: None,
        assignee: None,
        components: s.components,
        submitted_at: event.at,
        received_at: None,
        clock: LegalClock::default(),
        due_at: None,
        original_due_at: None,
        proposal: None,
        supplement: None,
        supplements_before_reception: 0,
        supplements_after_reception: 0,
        payment: None,
        identity_check: None,
        consultation: None,
        consulted_agencies: Vec::new(),
        signed: false,
        result_papers: Vec::new(),
        result_number: None,
        result_document: None,
        completed_at: None,
        timeliness: None,
        returned_at: None,
        withdrawn_at: None,
        nearly_due_raised: false,
        overdue_raised: false,
        trailing_alerts: 0,
        register_entry: None,
        version: 1,
    })
}

/// Folds a whole history; `None` when it does not start with a submission.
pub fn fold<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Dossier> {
    let mut events = events.into_iter();
    let first = open(events.next()?)?;
    Some(events.fold(first, apply))
}

/// Applies one event to the dossier.
pub fn apply(mut d: Dossier, event: &Event) -> Dossier {
    let at = event.at;
    match &event.change {
        Change::Submitted(_) => {}
        Change::Received { code, register_entry, .. } => {
            d.code = Some(code.clone());
            d.received_at = Some(at);
            d.register_entry = *register_entry;
        }
        Change::Withdrawn { .. } => d.withdrawn_at = Some(at),
        Change::ReceptionRefused { .. } | Change::Approved => {}
        Change::SupplementRequested { items } => {
            let before_reception = d.status == Status::Submitted;
            if before_reception {
                d.supplements_before_reception += 1;
            } else {
                d.supplements_after_reception += 1;
            }
            let resume_to = if before_reception { Status::Submitted } else { Status::InProcess };
            // A component found wanting needs a new paper before resubmission.
            for item in items {
                if let Some(state) = d.components.iter_mut().find(|c| Some(&c.id) == item.component.as_ref()) {
                    state.provided = false;
                }
            }
            d.supplement = Some(PendingSupplement { items: items.clone(), resume_to, requested_at: at });
        }
        Change::Resubmitted => d.supplement = None,
        Change::PaperAttached { component, paper_id, digitisation } => {
            let state = ComponentState {
                id: component.clone(),
                provided: true,
                digitisation: *digitisation,
                paper: Some(paper_id.clone()),
                handed_in_as: None,
                count: None,
            };
            match d.components.iter_mut().find(|c| c.id == *component) {
                // A new scan of what was handed in keeps how it was handed in.
                Some(existing) => {
                    *existing = ComponentState { handed_in_as: existing.handed_in_as, count: existing.count, ..state }
                }
                None => d.components.push(state),
            }
        }
        Change::ResultAttached { paper_id, .. } => d.result_papers.push(paper_id.clone()),
        Change::PaymentRequested { amount_vnd, .. } => {
            d.payment = Some(Payment { amount_vnd: *amount_vnd, requested_at: at, paid_at: None, reference: None });
        }
        Change::PaymentRecorded { reference, .. } => {
            if let Some(payment) = d.payment.as_mut() {
                payment.paid_at = Some(at);
                payment.reference = Some(reference.clone());
            }
        }
        Change::IdentityChecked { outcome, registered } => {
            let next_actions = if outcome.is_discrepancy() && d.status == Status::Submitted {
                vec!["refuse_reception".into(), "request_supplement".into(), "check_identity".into()]
            } else if outcome.is_discrepancy() {
                vec!["request_supplement".into(), "check_identity".into()]
            } else if matches!(outcome, super::model::IdentityOutcome::NotVerified { .. }) {
                vec!["check_identity".into()]
            } else {
                Vec::new()
            };
            d.identity_check = Some(IdentityCheck {
                outcome: outcome.clone(),
                checked_at: at,
                registered: registered.clone(),
                next_actions,
            });
        }
        Change::Assigned { assignee } | Change::Reassigned { assignee } => d.assignee = Some(assignee.clone()),
        Change::Appraised { proposal, document } => {
            d.proposal = Some(proposal.clone());
            if document.is_some() {
                d.result_document = document.clone();
            }
        }
        Change::Disagreed { .. } => d.signed = false,
        Change::Signed { document } => {
            d.signed = true;
            if document.is_some() {
                d.result_document = document.clone();
            }
        }
        Change::Numbered { number } => d.result_number = Some(number.clone()),
        Change::Sealed { document } => {
            if document.is_some() {
                d.result_document = document.clone();
            }
        }
        Change::Stopped { reasons } => d.proposal = Some(Proposal::Refusal { reasons: reasons.clone() }),
        Change::ConsultRequested { agency, question } => {
            if !d.consulted_agencies.contains(agency) {
                d.consulted_agencies.push(agency.clone());
            }
            d.consultation =
                Some(Consultation { agency: agency.clone(), question: question.clone(), asked_at: at, answer: None });
        }
        Change::ConsultAnswered { answer, .. } => {
            if let Some(c) = d.consultation.as_mut() {
                c.answer = Some(answer.clone());
            }
        }
        Change::Extended { .. } => {
            if d.original_due_at.is_none() {
                d.original_due_at = d.due_at;
            }
        }
        Change::Returned { .. } => d.returned_at = Some(at),
        Change::NearlyDue => d.nearly_due_raised = true,
        Change::Overdue => d.overdue_raised = true,
        Change::MembersOpened { members } => d.member_dossiers = members.clone(),
        Change::MembersDone => {}
    }
    if let Some(status) = event.status {
        d.status = status;
    }
    if let Some(change) = event.clock {
        d.clock.apply(change, at);
    }
    if let Some(due) = event.due_at {
        d.due_at = Some(due);
    }
    if let Some(step_due) = event.step_due_at {
        d.step_due_at = Some(step_due);
    }
    if let Some(step) = &event.step {
        d.step = step.to.clone();
        d.step_started_at = Some(at);
        d.step_due_at = step.due_at;
    }
    if let Some(timeliness) = event.timeliness {
        d.timeliness = Some(timeliness);
        d.completed_at = Some(at);
    }
    d.version += 1;
    d.trailing_alerts = match event.change {
        Change::NearlyDue | Change::Overdue => d.trailing_alerts.saturating_add(1),
        _ => 0,
    };
    d
}
