//! The current state of a dossier, as folded from its events.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::actor::StaffRef;
use crate::domain::calendar::Timeliness;
use crate::domain::codes::Sex;
use crate::domain::deadline::LegalClock;

/// The public status: the national portal's code (1-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(into = "u8", try_from = "u8")]
#[repr(u8)]
pub enum Status {
    Submitted = 1,
    Received = 2,
    RefusedAtReception = 3,
    InProcess = 4,
    SupplementRequested = 5,
    PaymentRequested = 6,
    Withdrawn = 7,
    Stopped = 8,
    ResultReady = 9,
    Returned = 10,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Received,
        Status::RefusedAtReception,
        Status::InProcess,
        Status::SupplementRequested,
        Status::PaymentRequested,
        Status::Withdrawn,
        Status::Stopped,
        Status::ResultReady,
        Status::Returned,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<Status> {
        Status::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Status::RefusedAtReception | Status::Withdrawn | Status::Returned)
    }

    /// Statuses this one may move to (DESIGN.md §5). 2 -> 6 and 2 -> 8 are the same moves as from 4, taken
    /// before anyone picked the received dossier up.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Submitted => &[Received, RefusedAtReception, SupplementRequested, Withdrawn],
            Received => &[InProcess, SupplementRequested, PaymentRequested, Stopped, ResultReady],
            InProcess => &[SupplementRequested, PaymentRequested, Stopped, ResultReady],
            SupplementRequested => &[Submitted, InProcess, Withdrawn],
            PaymentRequested => &[InProcess],
            Stopped => &[Returned],
            ResultReady => &[Returned],
            RefusedAtReception | Withdrawn | Returned => &[],
        }
    }

    /// Vietnamese name of the status as the portal shows it.
    pub fn name_vi(self) -> &'static str {
        use Status::*;
        match self {
            Submitted => "Mới đăng ký",
            Received => "Được tiếp nhận",
            RefusedAtReception => "Không được tiếp nhận",
            InProcess => "Đang xử lý",
            SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            PaymentRequested => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Withdrawn => "Công dân yêu cầu rút hồ sơ",
            Stopped => "Dừng xử lý",
            ResultReady => "Đã xử lý xong",
            Returned => "Đã trả kết quả",
        }
    }
}

impl From<Status> for u8 {
    fn from(status: Status) -> u8 {
        status.code()
    }
}

impl TryFrom<u8> for Status {
    type Error = String;
    fn try_from(code: u8) -> Result<Status, String> {
        Status::from_code(code).ok_or_else(|| format!("unknown status {code}"))
    }
}

/// Channel of submission (kênh thực hiện).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 1: at the counter.
    Counter,
    /// 2: online, on our portal or routed from the national portal.
    Online,
    /// 3: public postal service.
    Post,
}

impl Channel {
    pub fn code(self) -> u8 {
        match self {
            Channel::Counter => 1,
            Channel::Online => 2,
            Channel::Post => 3,
        }
    }
}

/// The applicant's identifier kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    PersonalId,
    TaxCode,
    Passport,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Applicant {
    pub name: String,
    pub id_kind: IdKind,
    pub id_number: String,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Digitisation status of a component (0-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(into = "u8", try_from = "u8")]
#[repr(u8)]
pub enum Digitisation {
    #[default]
    NotDigitised = 0,
    Digitised = 1,
    ReusedFromRepository = 2,
    ReusedFromResult = 3,
}

impl Digitisation {
    /// Taken from a repository or an earlier result instead of being handed in.
    pub fn is_reuse(self) -> bool {
        matches!(self, Digitisation::ReusedFromRepository | Digitisation::ReusedFromResult)
    }
}

/// How a paper was handed in (hình thức), as the receipt lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaperForm {
    /// Bản chính.
    Original,
    /// Bản sao (a plain copy, checked against the original shown).
    Copy,
    /// Bản sao có chứng thực.
    CertifiedCopy,
    /// Bản điện tử.
    Electronic,
}

impl From<Digitisation> for u8 {
    fn from(d: Digitisation) -> u8 {
        d as u8
    }
}

impl TryFrom<u8> for Digitisation {
    type Error = String;
    fn try_from(code: u8) -> Result<Digitisation, String> {
        match code {
            0 => Ok(Digitisation::NotDigitised),
            1 => Ok(Digitisation::Digitised),
            2 => Ok(Digitisation::ReusedFromRepository),
            3 => Ok(Digitisation::ReusedFromResult),
            _ => Err(format!("unknown digitisation status {code}")),
        }
    }
}

/// What the applicant handed over for one component of the procedure: a stored paper (uploaded, scanned at
/// the counter) or a link to a paper reused from the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentState {
    pub id: String,
    pub provided: bool,
    #[serde(default)]
    pub digitisation: Digitisation,
    /// The current paper (its id); earlier papers of the component stay in the dossier's history.
    #[serde(default)]
    pub paper: Option<String>,
    /// How it was handed in, as the clerk recorded it (absent: as the procedure asks for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_in_as: Option<PaperForm>,
    /// How many of it were handed in (absent: one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

/// The specialist's proposal after appraisal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Proposal {
    /// Issue the result; `summary` is the draft's gist.
    Result { summary: String },
    /// A reasoned refusal.
    Refusal { reasons: Vec<String> },
}

/// One missing or incomplete item of a supplement request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplementItem {
    /// The component concerned, if the item is one of the procedure's components.
    pub component: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingSupplement {
    pub items: Vec<SupplementItem>,
    /// Status to go back to on resubmission (1 before reception, 4 after).
    pub resume_to: Status,
    pub requested_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payment {
    pub amount_vnd: u64,
    pub requested_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
}

/// What the population database (CSDLQG về dân cư) answered when the applicant's identity was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum IdentityOutcome {
    /// Name, birth date and sex all match the register.
    Match,
    /// The register knows the personal id, but these fields (`name`, `birth_date`, `sex`) differ.
    Mismatch { fields: Vec<String> },
    /// The register has nobody with this personal id.
    NotFound,
    /// The register refused the applicant's data as invalid (e.g. a name it cannot hold): the identity is not
    /// confirmed, as with a mismatch, and reception must not go on as if the register were down.
    Refused { reason: String },
    /// The register could not be asked (down, timed out, refused us): reception goes on unverified and the
    /// check can be run again later.
    NotVerified { reason: String },
}

impl IdentityOutcome {
    /// A mismatch or an unknown id: the clerk must not receive the dossier as it stands; the documented ways
    /// on are refusing it, asking the applicant to clarify or supplement, or having the register updated and
    /// checking again.
    pub fn is_discrepancy(&self) -> bool {
        matches!(self, IdentityOutcome::Mismatch { .. } | IdentityOutcome::NotFound | IdentityOutcome::Refused { .. })
    }
}

/// The person as the population database has them: what a verified check prefills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisteredPerson {
    pub name: String,
    pub id_number: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// Nơi thường trú.
    #[serde(default)]
    pub permanent_address: Option<String>,
    /// Quê quán.
    #[serde(default)]
    pub place_of_origin: Option<String>,
}

/// The latest identity check of the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityCheck {
    pub outcome: IdentityOutcome,
    pub checked_at: DateTime<Utc>,
    /// The register's data, when it knows the personal id (for prefilling and for the clerk to compare).
    #[serde(default)]
    pub registered: Option<RegisteredPerson>,
    /// What the clerk may do next: after a discrepancy, the documented outcomes.
    #[serde(default)]
    pub next_actions: Vec<String>,
}

/// A member dossier of an inter-agency bundle (Decree 63/2024), opened when the bundle is received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberDossier {
    pub procedure: String,
    pub dossier_id: String,
    /// Electronic id of the agency that handles it.
    pub agency: String,
    pub code: String,
    /// Its legal due instant when it was opened.
    pub due_at: Option<DateTime<Utc>>,
}

/// The bundle a member dossier belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundleRef {
    pub dossier_id: String,
    pub code: String,
    /// The agency whose one-stop desk received the bundle and returns it.
    pub agency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consultation {
    /// Electronic id of the consulted agency.
    pub agency: String,
    pub question: String,
    pub asked_at: DateTime<Utc>,
    pub answer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dossier {
    pub id: String,
    /// Assigned at reception (Circular 01/2018 Art. 19).
    pub code: Option<String>,
    pub procedure_code: String,
    pub procedure_version: u32,
    /// Electronic id of the agency in charge.
    pub agency: String,
    pub channel: Channel,
    pub applicant: Applicant,
    /// Trích yếu: what the dossier asks for, in one line.
    pub summary: String,
    /// The e-form's fields as filled in (field name -> value).
    #[serde(default)]
    pub form_data: std::collections::BTreeMap<String, String>,
    /// The dossier's id on the national portal, when the portal routed it to us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_id: Option<String>,
    /// The applicant signed in with the national e-identity (VNeID) to submit it.
    #[serde(default)]
    pub signed_in_with_vneid: bool,
    pub status: Status,
    /// Current step of the flow (from reception on).
    pub step: Option<String>,
    pub step_started_at: Option<DateTime<Utc>>,
    pub step_due_at: Option<DateTime<Utc>>,
    pub assignee: Option<StaffRef>,
    pub components: Vec<ComponentState>,
    pub submitted_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub clock: LegalClock,
    pub due_at: Option<DateTime<Utc>>,
    /// The due instant before the first extension, kept for statistics (rule 6).
    pub original_due_at: Option<DateTime<Utc>>,
    pub proposal: Option<Proposal>,
    pub supplement: Option<PendingSupplement>,
    /// Supplement requests made before and after reception; each is allowed once.
    pub supplements_before_reception: u8,
    pub supplements_after_reception: u8,
    pub payment: Option<Payment>,
    /// The applicant's identity as checked against the population database (absent: never checked).
    #[serde(default)]
    pub identity_check: Option<IdentityCheck>,
    pub consultation: Option<Consultation>,
    /// Every agency consulted so far (each keeps sight of the dossier after its answer).
    #[serde(default)]
    pub consulted_agencies: Vec<String>,
    pub signed: bool,
    /// Papers of the result (scanned or generated), in the order they were attached.
    #[serde(default)]
    pub result_papers: Vec<String>,
    pub result_number: Option<String>,
    /// The current version of the result rendered from the procedure's template: the draft, then the same with
    /// the leader's signature, then numbered and sealed. Earlier versions stay papers of the dossier.
    #[serde(default)]
    pub result_document: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub timeliness: Option<Timeliness>,
    pub returned_at: Option<DateTime<Utc>>,
    /// When the applicant withdrew it (status 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub nearly_due_raised: bool,
    pub overdue_raised: bool,
    /// A bundle: the member procedures the applicant chose, and their dossiers once opened at reception.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chosen_members: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_dossiers: Vec<MemberDossier>,
    /// A member of a bundle: the bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleRef>,
    /// The dossier's number in the agency's register of its reception year (form 06).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub register_entry: Option<u32>,
    /// Number of events applied; the optimistic-concurrency version.
    pub version: u64,
    /// How many of the latest events are the deadline sweeper's alerts (absent: none). They change nothing a
    /// person acts on: an action sent with a version up to this many below `version` still stands.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub trailing_alerts: u8,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

impl Dossier {
    /// A person who read the dossier at `expected` acts on what it still is: nothing but deadline alerts has
    /// happened since. Anything else someone (or some job) did in between makes the reading stale.
    pub fn is_current(&self, expected: u64) -> bool {
        expected <= self.version && expected >= self.version - u64::from(self.trailing_alerts)
    }

    pub fn is_owned_by(&self, id: &str) -> bool {
        self.applicant.id_number == id
    }

    /// The latest identity check found a discrepancy the clerk has not yet cleared.
    pub fn identity_discrepancy(&self) -> bool {
        self.identity_check.as_ref().is_some_and(|c| c.outcome.is_discrepancy())
    }

    /// Required components with nothing provided, except papers only shown in person.
    pub fn missing_components(&self, procedure: &crate::domain::procedure::Procedure) -> Vec<String> {
        // The filled-in e-form stands for the paper declaration it replaces.
        let by_form = crate::domain::procedure::replaced_by_form(procedure, &self.form_data);
        procedure
            .components
            .iter()
            .filter(|c| c.required && !c.in_person_only && Some(c.id.as_str()) != by_form)
            .filter(|c| !self.components.iter().any(|s| s.id == c.id && s.provided))
            .map(|c| c.id.clone())
            .collect()
    }
}
