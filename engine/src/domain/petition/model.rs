//! A petition (phản ánh, kiến nghị) as the store keeps it: folded from its events, like a dossier.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::actor::StaffRef;
use crate::domain::calendar::Timeliness;
use crate::domain::deadline::LegalClock;

/// Where a petition stands. The codes are the ones the portal's petition sync carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PetitionStatus {
    /// 1: filed, waiting for the agency to accept or reject it.
    Filed,
    /// 2: accepted for handling (assigned or not).
    Accepted,
    /// 3: the agency asked the petitioner for more information; the answer clock is paused.
    InformationRequested,
    /// 4: answered.
    Answered,
    /// 5: the answer is published.
    Published,
    /// 6: rejected as outside the agency's remit.
    Rejected,
}

impl PetitionStatus {
    pub const ALL: [PetitionStatus; 6] = [
        PetitionStatus::Filed,
        PetitionStatus::Accepted,
        PetitionStatus::InformationRequested,
        PetitionStatus::Answered,
        PetitionStatus::Published,
        PetitionStatus::Rejected,
    ];

    pub fn code(self) -> u8 {
        match self {
            PetitionStatus::Filed => 1,
            PetitionStatus::Accepted => 2,
            PetitionStatus::InformationRequested => 3,
            PetitionStatus::Answered => 4,
            PetitionStatus::Published => 5,
            PetitionStatus::Rejected => 6,
        }
    }

    pub fn from_code(code: u8) -> Option<PetitionStatus> {
        PetitionStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PetitionStatus::Filed => "filed",
            PetitionStatus::Accepted => "accepted",
            PetitionStatus::InformationRequested => "information_requested",
            PetitionStatus::Answered => "answered",
            PetitionStatus::Published => "published",
            PetitionStatus::Rejected => "rejected",
        }
    }

    /// Handled: answered (published or not) or rejected. The clocks stop.
    pub fn is_handled(self) -> bool {
        matches!(self, PetitionStatus::Answered | PetitionStatus::Published | PetitionStatus::Rejected)
    }
}

/// What the petition is about, as the petitioner chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A procedure as published (its papers, fees, time).
    Procedure,
    /// The handling of one dossier.
    Dossier,
    /// An officer's conduct.
    Conduct,
    /// A regulation.
    Regulation,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Procedure => "procedure",
            Subject::Dossier => "dossier",
            Subject::Conduct => "conduct",
            Subject::Regulation => "regulation",
        }
    }

    /// The class the portal reports, until the agency classifies the petition itself on accepting it.
    pub fn default_classification(self) -> Classification {
        match self {
            Subject::Conduct => Classification::Conduct,
            Subject::Procedure | Subject::Dossier | Subject::Regulation => Classification::Regulation,
        }
    }
}

/// The two classes the portal reports: about administrative regulations (quy định hành chính) or about the
/// conduct of staff (hành vi hành chính).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Regulation,
    Conduct,
}

impl Classification {
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Regulation => "regulation",
            Classification::Conduct => "conduct",
        }
    }
}

/// How the petition reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PetitionChannel {
    /// Filed on our pages or API.
    Online,
    /// Routed by the national portal.
    Portal,
}

/// Who filed it and how to answer them. Signed-in citizens give their id number; anyone else a phone number or
/// an e-mail address (at least one), which with the code is also what lets them follow the petition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Petitioner {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// A new petition, checked, with its code allocated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filing {
    pub id: String,
    pub code: String,
    /// The agency in charge (its electronic id).
    pub agency: String,
    pub subject: Subject,
    pub title: String,
    pub content: String,
    pub petitioner: Petitioner,
    pub channel: PetitionChannel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dossier_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dossier_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure_code: Option<String>,
    /// The officer the petition is about, when it names one (a conduct petition, or the dossier's handler).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<StaffRef>,
    /// The code of an earlier petition whose answer this one complains about again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeats: Option<String>,
    /// The portal's own id, for a routed petition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionAnswer {
    pub text: String,
    pub at: DateTime<Utc>,
    pub by: StaffRef,
    /// A personal answer is given to the petitioner only, never published.
    pub personal: bool,
}

/// The petitioner's word on the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Satisfaction {
    pub satisfied: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Petition {
    #[serde(flatten)]
    pub filing: Filing,
    pub status: PetitionStatus,
    /// The number of events: the version an action must expect.
    pub version: u64,
    pub classification: Classification,
    pub filed_at: DateTime<Utc>,
    /// Accept or reject by then (2 working days).
    pub decision_due_at: DateTime<Utc>,
    /// Ask for more information by then (5 working days).
    pub information_due_at: DateTime<Utc>,
    /// Answer by then (15 working days, not counting the time the petitioner took to add information).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_due_at: Option<DateTime<Utc>>,
    pub answer_clock: LegalClock,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<StaffRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_request: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_reply: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<PetitionAnswer>,
    /// When it was answered or rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_at: Option<DateTime<Utc>>,
    /// Against the decision clock for a rejection, the answer clock for an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeliness: Option<Timeliness>,
    /// Publish the answer by then (2 working days after answering), unless it is personal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_due_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<Satisfaction>,
    /// Codes of later petitions complaining again about this one's answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub complained_again_by: Vec<String>,
}

impl Petition {
    /// The deadline that matters now: the decision while filed, the answer while being handled, the
    /// publication once answered (none once done).
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        match self.status {
            PetitionStatus::Filed => Some(self.decision_due_at),
            PetitionStatus::Accepted => self.answer_due_at,
            PetitionStatus::InformationRequested => None,
            PetitionStatus::Answered => self.publish_due_at,
            PetitionStatus::Published | PetitionStatus::Rejected => None,
        }
    }

    /// The petitioner counts it against the agency: not satisfied with the answer, or complained again.
    pub fn is_disputed(&self) -> bool {
        self.satisfaction.as_ref().is_some_and(|s| !s.satisfied) || !self.complained_again_by.is_empty()
    }

    /// Whether `contact` (a phone number or e-mail address, as typed) is the petitioner's: how someone who
    /// is not signed in proves the petition is theirs, with its code.
    pub fn is_contact(&self, contact: &str) -> bool {
        let given = normalise_contact(contact);
        !given.is_empty()
            && [&self.filing.petitioner.phone, &self.filing.petitioner.email]
                .into_iter()
                .flatten()
                .any(|c| normalise_contact(c) == given)
    }
}

/// A phone number without spaces, dots or dashes (and +84 read as 0), an e-mail address in lower case.
pub fn normalise_contact(text: &str) -> String {
    let text = text.trim();
    if text.contains('@') {
        return text.to_lowercase();
    }
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    match digits.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => digits,
    }
}
