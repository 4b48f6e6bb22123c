//! Events: the facts a dossier's history is made of. `apply` folds them without a calendar, so every
//! computed instant (due dates, step dues, timeliness) is recorded in the event that caused it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::action::Submission;
use super::model::{Digitisation, IdentityOutcome, MemberDossier, Proposal, RegisteredPerson, Status, SupplementItem};
use crate::domain::actor::{Actor, StaffRef};
use crate::domain::calendar::Timeliness;
use crate::domain::deadline::ClockChange;
use crate::domain::procedure::ReturnMethod;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub change: Change,
    /// The new public status, when it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// A hand-off to another step (or out of the flow at the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StepMove>,
    /// The current step's new due instant without a hand-off (after a pause or restart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_due_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockChange>,
    /// The new legal due instant, when it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    /// Set when processing completes (status 8 or 9), per rule 7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeliness: Option<Timeliness>,
    /// The number of the paper this event issues (forms 02-04 of Circular 01/2018), e.g. "12/PBSHS": allocated
    /// from the agency's yearly sequence of that form when the event is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper_number: Option<String>,
}

/// The dossier moves to step `to` (or leaves the flow when `to` is `None`), due at `due_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepMove {
    pub to: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Change {
    Submitted(Box<Submission>),
    Received {
        code: String,
        /// The reception step's own legal end (its share of the time), for the control slip and the portal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step_due_at: Option<DateTime<Utc>>,
        /// The dossier's number in the agency's register of the year (form 06); the receipt carries it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        register_entry: Option<u32>,
    },
    ReceptionRefused {
        reasons: Vec<String>,
    },
    SupplementRequested {
        items: Vec<SupplementItem>,
    },
    Resubmitted,
    PaperAttached {
        component: String,
        paper_id: String,
        digitisation: Digitisation,
    },
    ResultAttached {
        paper_id: String,
        title: String,
    },
    PaymentRequested {
        amount_vnd: u64,
        /// The fee of the procedure charged, when the amount came from its schedule.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fee: Option<String>,
        /// Why an amount that is none of the procedure's fees was asked for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    PaymentRecorded {
        amount_vnd: u64,
        reference: String,
    },
    /// The reception clerk checked the applicant against the population database.
    IdentityChecked {
        outcome: IdentityOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        registered: Option<RegisteredPerson>,
    },
    Assigned {
        assignee: StaffRef,
    },
    Reassigned {
        assignee: StaffRef,
    },
    /// `document`: the draft result rendered from the template.
    Appraised {
        proposal: Proposal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document: Option<String>,
    },
    Approved,
    Disagreed {
        back_to: String,
        reason: String,
    },
    /// The leader's signature; `document`: the result document carrying it (absent: signed on paper).
    Signed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document: Option<String>,
    },
    /// The records clerk gives the result its number (số văn bản).
    Numbered {
        number: String,
    },
    /// The agency's seal; `document`: the numbered result document carrying it.
    Sealed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document: Option<String>,
    },
    Stopped {
        reasons: Vec<String>,
    },
    ConsultRequested {
        agency: String,
        question: String,
    },
    ConsultAnswered {
        answer: String,
        favourable: bool,
    },
    Extended {
        new_due: DateTime<Utc>,
        reason: String,
    },
    Withdrawn {
        reason: String,
    },
    Returned {
        method: ReturnMethod,
    },
    NearlyDue,
    Overdue,
    /// A bundle's member dossiers, opened at its reception.
    MembersOpened {
        members: Vec<MemberDossier>,
    },
    /// Every member of a bundle is finished.
    MembersDone,
}

impl Change {
    /// Stable name of the change, used in APIs, audit and the control slip.
    pub fn name(&self) -> &'static str {
        match self {
            Change::Submitted(_) => "submitted",
            Change::Received { .. } => "received",
            Change::ReceptionRefused { .. } => "reception_refused",
            Change::SupplementRequested { .. } => "supplement_requested",
            Change::Resubmitted => "resubmitted",
            Change::PaperAttached { .. } => "paper_attached",
            Change::ResultAttached { .. } => "result_attached",
            Change::PaymentRequested { .. } => "payment_requested",
            Change::PaymentRecorded { .. } => "payment_recorded",
            Change::IdentityChecked { .. } => "identity_checked",
            Change::Assigned { .. } => "assigned",
            Change::Reassigned { .. } => "reassigned",
            Change::Appraised { .. } => "appraised",
            Change::Approved => "approved",
            Change::Disagreed { .. } => "disagreed",
            Change::Signed { .. } => "signed",
            Change::Numbered { .. } => "numbered",
            Change::Sealed { .. } => "sealed",
            Change::Stopped { .. } => "stopped",
            Change::ConsultRequested { .. } => "consult_requested",
            Change::ConsultAnswered { .. } => "consult_answered",
            Change::Extended { .. } => "extended",
            Change::Withdrawn { .. } => "withdrawn",
            Change::Returned { .. } => "returned",
            Change::NearlyDue => "nearly_due",
            Change::Overdue => "overdue",
            Change::MembersOpened { .. } => "members_opened",
            Change::MembersDone => "members_done",
        }
    }
}

impl Event {
    pub fn new(at: DateTime<Utc>, actor: Actor, change: Change) -> Event {
        Event {
            at,
            actor,
            note: None,
            change,
            status: None,
            step: None,
            step_due_at: None,
            clock: None,
            due_at: None,
            timeliness: None,
            paper_number: None,
        }
    }
}
