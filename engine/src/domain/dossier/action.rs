//! What a person (or the system) asks to do to a dossier, and the context a decision is made in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{
    Applicant, BundleRef, Channel, ComponentState, Digitisation, IdentityOutcome, MemberDossier, Proposal,
    RegisteredPerson, SupplementItem,
};
use crate::domain::actor::{Actor, StaffRef};
use crate::domain::calendar::Calendar;
use crate::domain::procedure::ReturnMethod;

/// A new dossier as handed in (online, by the national portal, at the counter or by post).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submission {
    pub id: String,
    pub procedure_code: String,
    pub procedure_version: u32,
    pub agency: String,
    pub channel: Channel,
    pub applicant: Applicant,
    pub summary: String,
    pub components: Vec<ComponentState>,
    /// Online submissions get their code at once, so the applicant can track them; counter and post
    /// receptions get it at `Receive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The e-form's fields as filled in (field name -> value).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub form_data: std::collections::BTreeMap<String, String>,
    /// The dossier's id on the national portal, when the portal routed it to us: every status message carries
    /// it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_id: Option<String>,
    /// The applicant signed in with the national e-identity (VNeID) to submit it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signed_in_with_vneid: bool,
    /// For a bundle: the member procedures the applicant chose (the required ones among them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// For a member of a bundle, opened by the system when the bundle is received: the bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleRef>,
}

/// A fee of the procedure charged by its schedule: which fee (by name) and how many of its units (pages,
/// copies); a flat fee needs no units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeCharge {
    pub fee: String,
    #[serde(default)]
    pub units: Option<u32>,
}

/// Every action of DESIGN.md §5 on an existing dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    /// Receive: the code is allocated by the caller in the same transaction (a dossier submitted online keeps
    /// the code it got then).
    /// `register_entry`: the dossier's number in the agency's register of the year (form 06), allocated with
    /// the code.
    Receive {
        code: String,
        #[serde(default)]
        register_entry: Option<u32>,
    },
    RefuseReception {
        reasons: Vec<String>,
    },
    /// Once, listing everything missing.
    RequestSupplement {
        items: Vec<SupplementItem>,
    },
    /// The applicant hands in what was asked for: every requested component has a new paper by now.
    Resubmit,
    /// A paper for a component: uploaded by the applicant, scanned by the clerk, or reused.
    AttachPaper {
        component: String,
        paper_id: String,
        digitisation: Digitisation,
    },
    /// A paper of the result (the signed result scanned, or generated), before it is returned.
    AttachResult {
        paper_id: String,
        title: String,
    },
    /// An amount, or a fee of the procedure charged by its schedule (`charge`); with both they must agree. An
    /// amount that is none of the procedure's fees (nor their sum) needs the `reason` for it.
    RequestPayment {
        #[serde(default)]
        amount_vnd: u64,
        #[serde(default)]
        charge: Option<FeeCharge>,
        #[serde(default)]
        reason: Option<String>,
    },
    RecordPayment {
        amount_vnd: u64,
        reference: String,
    },
    /// Records what the population database answered (the service asks it; the domain records the answer).
    CheckIdentity {
        outcome: IdentityOutcome,
        #[serde(default)]
        registered: Option<RegisteredPerson>,
    },
    Assign {
        assignee: StaffRef,
    },
    Reassign {
        assignee: StaffRef,
    },
    /// `document`: the id the service gives the draft it renders from the procedure's template, if any.
    Appraise {
        proposal: Proposal,
        #[serde(default)]
        document: Option<String>,
    },
    Approve,
    Disagree {
        reason: String,
    },
    /// `document`: the id of the result document with the leader's signature added, when signed electronically.
    Sign {
        #[serde(default)]
        document: Option<String>,
    },
    /// Numbers the result, then seals it; `document`: the numbered and sealed result document, if electronic.
    Seal {
        number: String,
        #[serde(default)]
        document: Option<String>,
    },
    Stop {
        reasons: Vec<String>,
    },
    Consult {
        agency: String,
        question: String,
    },
    Answer {
        answer: String,
        favourable: bool,
    },
    Extend {
        new_due: DateTime<Utc>,
        reason: String,
    },
    Withdraw {
        reason: String,
    },
    Return {
        method: ReturnMethod,
    },
    /// The system records the member dossiers it opened for a bundle just received.
    OpenMembers {
        members: Vec<MemberDossier>,
    },
    /// The system moves a bundle on once every member is finished; `all_refused` when none gave a result.
    MembersDone {
        all_refused: bool,
    },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Receive { .. } => "receive",
            Action::RefuseReception { .. } => "refuse_reception",
            Action::RequestSupplement { .. } => "request_supplement",
            Action::Resubmit => "resubmit",
            Action::AttachPaper { .. } => "attach_paper",
            Action::AttachResult { .. } => "attach_result",
            Action::RequestPayment { .. } => "request_payment",
            Action::RecordPayment { .. } => "record_payment",
            Action::CheckIdentity { .. } => "check_identity",
            Action::Assign { .. } => "assign",
            Action::Reassign { .. } => "reassign",
            Action::Appraise { .. } => "appraise",
            Action::Approve => "approve",
            Action::Disagree { .. } => "disagree",
            Action::Sign { .. } => "sign",
            Action::Seal { .. } => "seal",
            Action::Stop { .. } => "stop",
            Action::Consult { .. } => "consult",
            Action::Answer { .. } => "answer",
            Action::Extend { .. } => "extend",
            Action::Withdraw { .. } => "withdraw",
            Action::Return { .. } => "return",
            Action::OpenMembers { .. } => "open_members",
            Action::MembersDone { .. } => "members_done",
        }
    }
}

/// Everything a decision depends on besides the dossier and its procedure. Time is an argument: the domain
/// never reads the clock.
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub actor: Actor,
    pub calendar: &'a Calendar,
    /// The version the actor saw; `None` only for system actors that act on the latest state.
    pub expected_version: Option<u64>,
    pub note: Option<String>,
    /// Agency kind of the agency a consult is sent to (resolved by the caller), checked against the step.
    pub consulted_agency_kind: Option<String>,
}

impl<'a> Context<'a> {
    pub fn new(now: DateTime<Utc>, actor: Actor, calendar: &'a Calendar) -> Context<'a> {
        Context { now, actor, calendar, expected_version: None, note: None, consulted_agency_kind: None }
    }

    pub fn expecting(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }
}
