//! What may happen to a petition, and when: `decide` turns an action into events (recording every instant it
//! computes, so `apply` needs no calendar), `apply` folds them.
//!
//! The clocks are the portal's operating rules, in working time from the moment the petition was filed (the
//! next session start when filed outside one): accept or reject within 2 working days, ask for more
//! information within 5, answer within 15 (the time the petitioner takes to add information does not count),
//! and publish the answer within 2 working days of answering, unless it is personal.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::model::{Classification, Filing, Petition, PetitionAnswer, PetitionStatus, Satisfaction};
use crate::domain::actor::{Actor, StaffRef};
use crate::domain::calendar::{Calendar, Timeliness};
use crate::domain::deadline::{ClockChange, LegalClock};
use crate::domain::free_text::{self, TEXT_MAX};
use crate::domain::procedure::Role;

/// Working days to accept or reject a petition.
pub const DECISION_DAYS: i32 = 2;
/// Working days within which more information may be asked for.
pub const INFORMATION_DAYS: i32 = 5;
/// Working days to answer.
pub const ANSWER_DAYS: i32 = 15;
/// Working days to publish an answer.
pub const PUBLISH_DAYS: i32 = 2;
/// The longest petition, answer or question kept.
pub const CONTENT_MAX: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum PetitionAction {
    /// Accept it for handling, classifying it (regulation or conduct) if the petitioner's choice was wrong.
    Accept {
        #[serde(default)]
        classification: Option<Classification>,
    },
    /// Reject it as outside the agency's remit, with the reason.
    Reject {
        reason: String,
    },
    /// Ask the petitioner for more information (once, within 5 working days): the answer clock pauses.
    RequestInformation {
        question: String,
    },
    /// The petitioner adds the information asked for: the answer clock runs again.
    ProvideInformation {
        reply: String,
    },
    Assign {
        assignee: StaffRef,
    },
    Answer {
        text: String,
        #[serde(default)]
        personal: bool,
    },
    Publish,
    /// The petitioner says whether the answer satisfied them (once).
    Rate {
        satisfied: bool,
        #[serde(default)]
        comment: Option<String>,
    },
    /// A later petition complains again about this one's answer.
    ComplainAgain {
        by: String,
    },
}

impl PetitionAction {
    pub fn name(&self) -> &'static str {
        match self {
            PetitionAction::Accept { .. } => "accept",
            PetitionAction::Reject { .. } => "reject",
            PetitionAction::RequestInformation { .. } => "request_information",
            PetitionAction::ProvideInformation { .. } => "provide_information",
            PetitionAction::Assign { .. } => "assign",
            PetitionAction::Answer { .. } => "answer",
            PetitionAction::Publish => "publish",
            PetitionAction::Rate { .. } => "rate",
            PetitionAction::ComplainAgain { .. } => "complain_again",
        }
    }

    /// The staff roles that may take it; empty: only the petitioner (or, for `complain_again`, the system).
    pub fn roles(&self) -> &'static [Role] {
        use Role::*;
        match self {
            PetitionAction::Accept { .. }
            | PetitionAction::Reject { .. }
            | PetitionAction::RequestInformation { .. } => &[ReceptionClerk, DivisionHead, AgencyLeader],
            PetitionAction::Assign { .. } => &[DivisionHead, AgencyLeader],
            PetitionAction::Answer { .. } => &[Specialist, DivisionHead, AgencyLeader],
            PetitionAction::Publish => &[ReceptionClerk, DivisionHead, AgencyLeader],
            PetitionAction::ProvideInformation { .. }
            | PetitionAction::Rate { .. }
            | PetitionAction::ComplainAgain { .. } => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionEvent {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub change: PetitionChange,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PetitionStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockChange>,
    /// The answer's new due instant, when it changes (`None` while the clock is paused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_due_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeliness: Option<Timeliness>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum PetitionChange {
    Filed { filing: Box<Filing>, decision_due_at: DateTime<Utc>, information_due_at: DateTime<Utc> },
    Accepted { classification: Classification },
    Rejected { reason: String },
    InformationRequested { question: String },
    InformationProvided { reply: String },
    Assigned { assignee: StaffRef },
    Answered { text: String, personal: bool, publish_due_at: Option<DateTime<Utc>> },
    Published,
    Rated { satisfied: bool, comment: Option<String> },
    ComplainedAgain { by: String },
}

impl PetitionChange {
    pub fn name(&self) -> &'static str {
        match self {
            PetitionChange::Filed { .. } => "filed",
            PetitionChange::Accepted { .. } => "accepted",
            PetitionChange::Rejected { .. } => "rejected",
            PetitionChange::InformationRequested { .. } => "information_requested",
            PetitionChange::InformationProvided { .. } => "information_provided",
            PetitionChange::Assigned { .. } => "assigned",
            PetitionChange::Answered { .. } => "answered",
            PetitionChange::Published => "published",
            PetitionChange::Rated { .. } => "rated",
            PetitionChange::ComplainedAgain { .. } => "complained_again",
        }
    }
}

/// Why an action on a petition is refused; each with a stable code in the message catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("action {action} is not allowed while the petition is {}", status.as_str())]
    WrongStatus { action: &'static str, status: PetitionStatus },
    #[error("the petition is at version {actual}, not {expected}")]
    StaleVersion { expected: u64, actual: u64 },
    #[error("this action needs the role {}", required.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or "))]
    ForbiddenRole { required: Vec<Role> },
    #[error("the petition belongs to another agency")]
    WrongAgency,
    #[error("the petition is assigned to someone else")]
    NotAssignee,
    #[error("only the petitioner may do this")]
    NotPetitioner,
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("more information may be asked for until {due}, within 5 working days of filing")]
    InformationTooLate { due: DateTime<Utc> },
    #[error("more information was already asked for once")]
    InformationAlreadyRequested,
    #[error("a personal answer is not published")]
    PersonalAnswer,
    #[error("the petitioner has already said whether the answer satisfied them")]
    AlreadyRated,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::WrongStatus { .. } => "petition.wrong_status",
            Refusal::StaleVersion { .. } => "petition.stale_version",
            Refusal::ForbiddenRole { .. } => "petition.forbidden_role",
            Refusal::WrongAgency => "petition.wrong_agency",
            Refusal::NotAssignee => "petition.not_assignee",
            Refusal::NotPetitioner => "petition.not_petitioner",
            Refusal::Empty(_) => "petition.empty_field",
            Refusal::TooLong { .. } => "petition.text_too_long",
            Refusal::InformationTooLate { .. } => "petition.information_too_late",
            Refusal::InformationAlreadyRequested => "petition.information_already_requested",
            Refusal::PersonalAnswer => "petition.personal_answer",
            Refusal::AlreadyRated => "petition.already_rated",
        }
    }

    /// The field a text refusal is about, for the API's field errors.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::Empty(field) | Refusal::TooLong { field, .. } => Some(field),
            _ => None,
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            Refusal::ForbiddenRole { .. } | Refusal::WrongAgency | Refusal::NotAssignee | Refusal::NotPetitioner => 403,
            Refusal::Empty(_) | Refusal::TooLong { .. } => 422,
            _ => 409,
        }
    }
}

/// When and by whom: the instant, the actor, the calendar, and the version the actor saw.
pub struct PetitionContext<'a> {
    pub now: DateTime<Utc>,
    pub actor: Actor,
    pub calendar: &'a Calendar,
    /// `None` for the petitioner and the system, who act on the latest state.
    pub expected_version: Option<u64>,
}

fn working_days(calendar: &Calendar, days: i32) -> TimeDelta {
    calendar.day_length() * days
}

/// The events that open a petition: its clocks start at filing.
pub fn file(filing: Filing, ctx: &PetitionContext<'_>) -> Result<Vec<PetitionEvent>, Refusal> {
    check_text("title", &filing.title, free_text::ADDRESS_MAX)?;
    check_text("content", &filing.content, CONTENT_MAX)?;
    let calendar = ctx.calendar;
    let start = calendar.clock_start(ctx.now);
    let mut clock = LegalClock::default();
    let start_clock =
        ClockChange::Start { budget_secs: working_days(calendar, ANSWER_DAYS).num_seconds(), calendar_days: None };
    clock.apply(start_clock, ctx.now);
    Ok(vec![PetitionEvent {
        at: ctx.now,
        actor: ctx.actor.clone(),
        change: PetitionChange::Filed {
            filing: Box::new(filing),
            decision_due_at: calendar.add(start, working_days(calendar, DECISION_DAYS)),
            information_due_at: calendar.add(start, working_days(calendar, INFORMATION_DAYS)),
        },
        status: Some(PetitionStatus::Filed),
        clock: Some(start_clock),
        answer_due_at: clock.due(calendar),
        timeliness: None,
    }])
}

/// The events an action causes, or why it is refused.
pub fn decide(
    petition: &Petition,
    action: PetitionAction,
    ctx: &PetitionContext<'_>,
) -> Result<Vec<PetitionEvent>, Refusal> {
    use PetitionStatus::*;
    if let Some(expected) = ctx.expected_version
        && expected != petition.version
    {
        return Err(Refusal::StaleVersion { expected, actual: petition.version });
    }
    check_actor(petition, &action, &ctx.actor)?;
    let wrong_status = || Refusal::WrongStatus { action: action.name(), status: petition.status };
    let calendar = ctx.calendar;
    let event = |change: PetitionChange| PetitionEvent {
        at: ctx.now,
        actor: ctx.actor.clone(),
        change,
        status: None,
        clock: None,
        answer_due_at: None,
        timeliness: None,
    };
    let event = match action.clone() {
        PetitionAction::Accept { classification } => {
            if petition.status != Filed {
                return Err(wrong_status());
            }
            let classification = classification.unwrap_or(petition.classification);
            PetitionEvent { status: Some(Accepted), ..event(PetitionChange::Accepted { classification }) }
        }
        PetitionAction::Reject { reason } => {
            if !matches!(petition.status, Filed | InformationRequested) {
                return Err(wrong_status());
            }
            check_text("reason", &reason, TEXT_MAX)?;
            PetitionEvent {
                status: Some(Rejected),
                clock: petition.answer_clock.is_running().then_some(ClockChange::Pause),
                timeliness: Some(calendar.classify(ctx.now, petition.decision_due_at)),
                ..event(PetitionChange::Rejected { reason: reason.trim().to_string() })
            }
        }
        PetitionAction::RequestInformation { question } => {
            if !matches!(petition.status, Filed | Accepted) {
                return Err(wrong_status());
            }
            if petition.information_request.is_some() {
                return Err(Refusal::InformationAlreadyRequested);
            }
            if ctx.now > petition.information_due_at {
                return Err(Refusal::InformationTooLate { due: petition.information_due_at });
            }
            check_text("question", &question, TEXT_MAX)?;
            PetitionEvent {
                status: Some(InformationRequested),
                clock: Some(ClockChange::Pause),
                ..event(PetitionChange::InformationRequested { question: question.trim().to_string() })
            }
        }
        PetitionAction::ProvideInformation { reply } => {
            if petition.status != InformationRequested {
                return Err(wrong_status());
            }
            check_text("reply", &reply, CONTENT_MAX)?;
            let mut clock = petition.answer_clock.clone();
            clock.apply(ClockChange::Resume, ctx.now);
            PetitionEvent {
                status: Some(if petition.accepted_at.is_some() { Accepted } else { Filed }),
                clock: Some(ClockChange::Resume),
                answer_due_at: clock.due(calendar),
                ..event(PetitionChange::InformationProvided { reply: reply.trim().to_string() })
            }
        }
        PetitionAction::Assign { assignee } => {
            if petition.status != Accepted {
                return Err(wrong_status());
            }
            event(PetitionChange::Assigned { assignee })
        }
        PetitionAction::Answer { text, personal } => {
            if petition.status != Accepted {
                return Err(wrong_status());
            }
            check_text("text", &text, CONTENT_MAX)?;
            let due = petition.answer_due_at.unwrap_or(ctx.now);
            let publish_due_at =
                (!personal).then(|| calendar.add(calendar.clock_start(ctx.now), working_days(calendar, PUBLISH_DAYS)));
            PetitionEvent {
                status: Some(Answered),
                clock: Some(ClockChange::Pause),
                timeliness: Some(calendar.classify(ctx.now, due)),
                ..event(PetitionChange::Answered { text: text.trim().to_string(), personal, publish_due_at })
            }
        }
        PetitionAction::Publish => {
            if petition.status != Answered {
                return Err(wrong_status());
            }
            if petition.answer.as_ref().is_some_and(|a| a.personal) {
                return Err(Refusal::PersonalAnswer);
            }
            PetitionEvent { status: Some(Published), ..event(PetitionChange::Published) }
        }
        PetitionAction::Rate { satisfied, comment } => {
            if !matches!(petition.status, Answered | Published) {
                return Err(wrong_status());
            }
            if petition.satisfaction.is_some() {
                return Err(Refusal::AlreadyRated);
            }
            let comment = comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
            if let Some(c) = &comment {
                check_text("comment", c, TEXT_MAX)?;
            }
            event(PetitionChange::Rated { satisfied, comment })
        }
        PetitionAction::ComplainAgain { by } => {
            if !matches!(petition.status, Answered | Published) {
                return Err(wrong_status());
            }
            event(PetitionChange::ComplainedAgain { by })
        }
    };
    Ok(vec![event])
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), Refusal> {
    if value.trim().is_empty() {
        Err(Refusal::Empty(field))
    } else if !free_text::within(value, max) {
        Err(Refusal::TooLong { field, max })
    } else {
        Ok(())
    }
}

/// Staff act for the petition's agency in a role the action allows (a specialist answers only what was
/// assigned to them); the petitioner's actions are the petitioner's, `complain_again` the system's.
fn check_actor(petition: &Petition, action: &PetitionAction, actor: &Actor) -> Result<(), Refusal> {
    let roles = action.roles();
    match actor {
        Actor::Staff { id, role, agency, .. } => {
            if roles.is_empty() {
                return Err(Refusal::NotPetitioner);
            }
            if *agency != petition.filing.agency {
                return Err(Refusal::WrongAgency);
            }
            if !roles.contains(role) {
                return Err(Refusal::ForbiddenRole { required: roles.to_vec() });
            }
            let assigned_elsewhere = petition.assignee.as_ref().is_some_and(|a| a.id != *id);
            if *role == Role::Specialist && (petition.assignee.is_none() || assigned_elsewhere) {
                return Err(Refusal::NotAssignee);
            }
            Ok(())
        }
        Actor::Citizen { .. } | Actor::System { .. } if roles.is_empty() => Ok(()),
        _ => Err(Refusal::ForbiddenRole { required: roles.to_vec() }),
    }
}

/// Folds one event into the petition (`None` before the first).
pub fn apply(petition: Option<Petition>, event: &PetitionEvent) -> Option<Petition> {
    let mut p = match (&event.change, petition) {
        (PetitionChange::Filed { filing, decision_due_at, information_due_at }, _) => Petition {
            classification: filing.subject.default_classification(),
            filing: (**filing).clone(),
            status: PetitionStatus::Filed,
            version: 0,
            filed_at: event.at,
            decision_due_at: *decision_due_at,
            information_due_at: *information_due_at,
            answer_due_at: None,
            answer_clock: LegalClock::default(),
            accepted_at: None,
            assignee: None,
            information_request: None,
            information_reply: None,
            rejection_reason: None,
            answer: None,
            handled_at: None,
            timeliness: None,
            publish_due_at: None,
            published_at: None,
            satisfaction: None,
            complained_again_by: Vec::new(),
        },
        (_, None) => return None,
        (change, Some(mut p)) => {
            match change {
                PetitionChange::Filed { .. } => unreachable!("matched above"),
                PetitionChange::Accepted { classification } => {
                    p.classification = *classification;
                    p.accepted_at = Some(event.at);
                }
                PetitionChange::Rejected { reason } => {
                    p.rejection_reason = Some(reason.clone());
                    p.handled_at = Some(event.at);
                }
                PetitionChange::InformationRequested { question } => p.information_request = Some(question.clone()),
                PetitionChange::InformationProvided { reply } => p.information_reply = Some(reply.clone()),
                PetitionChange::Assigned { assignee } => p.assignee = Some(assignee.clone()),
                PetitionChange::Answered { text, personal, publish_due_at } => {
                    let by = match &event.actor {
                        Actor::Staff { id, name, .. } => StaffRef { id: id.clone(), name: name.clone() },
                        other => StaffRef { id: String::new(), name: other.name().to_string() },
                    };
                    p.answer = Some(PetitionAnswer { text: text.clone(), at: event.at, by, personal: *personal });
                    p.handled_at = Some(event.at);
                    p.publish_due_at = *publish_due_at;
                }
                PetitionChange::Published => p.published_at = Some(event.at),
                PetitionChange::Rated { satisfied, comment } => {
                    p.satisfaction =
                        Some(Satisfaction { satisfied: *satisfied, comment: comment.clone(), at: event.at })
                }
                PetitionChange::ComplainedAgain { by } => p.complained_again_by.push(by.clone()),
            }
            p
        }
    };
    if let Some(status) = event.status {
        p.status = status;
    }
    if let Some(clock) = event.clock {
        p.answer_clock.apply(clock, event.at);
        // A pause leaves the due instant unknown until the clock runs again; an answer keeps the one it met.
        if clock == ClockChange::Pause && !matches!(event.change, PetitionChange::Answered { .. }) {
            p.answer_due_at = None;
        }
    }
    if event.answer_due_at.is_some() {
        p.answer_due_at = event.answer_due_at;
    }
    if event.timeliness.is_some() {
        p.timeliness = event.timeliness;
    }
    p.version += 1;
    Some(p)
}

/// The petition its history makes.
pub fn fold(events: &[PetitionEvent]) -> Option<Petition> {
    events.iter().fold(None, apply)
}
