//! Why an action is refused. Each rejection has a stable code; its words for users are in the message
//! catalogue (`crate::messages`) under that code.

use super::model::Status;
use crate::domain::procedure::{Role, StepKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("action {action} is not allowed in status {}", status.code())]
    WrongStatus { action: &'static str, status: Status },
    #[error("the dossier is at version {actual}, not {expected}")]
    StaleVersion { expected: u64, actual: u64 },
    #[error("this action needs the role {}", required.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or "))]
    ForbiddenRole { required: Vec<Role> },
    #[error("the dossier belongs to another agency")]
    WrongAgency,
    #[error("the dossier is assigned to someone else")]
    NotAssignee,
    #[error("only the applicant may do this")]
    NotOwner,
    #[error("action {action} does not belong to the current {kind} step `{step}`")]
    WrongStep { action: &'static str, step: String, kind: StepKind },
    #[error("required components are missing: {}", .0.join(", "))]
    MissingComponent(Vec<String>),
    #[error("`{0}` is not a component of this procedure")]
    UnknownComponent(String),
    #[error("a supplement was already requested once at this stage")]
    SupplementAlreadyRequested,
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("`{0}` is listed twice")]
    Duplicate(String),
    #[error("paid {paid} VND but {requested} VND was requested")]
    AmountMismatch { requested: u64, paid: u64 },
    #[error("the amount must be more than 0")]
    ZeroAmount,
    #[error("`{0}` is not a fee of this procedure")]
    UnknownFee(String),
    #[error("this procedure is not offered online")]
    NotOnline,
    #[error("the new due instant must be later than the current one")]
    ExtensionNotLater,
    #[error("the new due instant may be at the latest {latest}")]
    ExtensionTooLong { latest: chrono::DateTime<chrono::Utc> },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} lists more than {max} items")]
    TooMany { field: &'static str, max: usize },
    #[error("the amount may be at most {max} VND")]
    AmountTooLarge { max: u64 },
    #[error("{0} VND is none of the procedure's fees: give the reason for it")]
    AmountNotAFee(u64),
    #[error("this procedure does not return results that way")]
    ReturnMethodNotOffered,
    #[error("the consulted agency is not of kind {expected}")]
    WrongConsultedAgency { expected: String },
    #[error("the dossier is waiting for the consulted agency's answer")]
    AwaitingAnswer,
    #[error("no consultation has been sent yet")]
    NotConsulted,
    #[error("the dossier was submitted under another procedure or version")]
    ProcedureMismatch,
    #[error("the applicant's identifier is invalid: {0}")]
    InvalidApplicant(String),
    #[error("the population database does not confirm the applicant's identity")]
    IdentityMismatch,
    #[error("the choice of the bundle's procedures is not allowed: {0}")]
    BundleChoice(String),
}

impl Rejection {
    /// Stable code, e.g. `dossier.wrong_status`.
    pub fn code(&self) -> &'static str {
        use Rejection::*;
        match self {
            WrongStatus { .. } => "dossier.wrong_status",
            StaleVersion { .. } => "dossier.stale_version",
            ForbiddenRole { .. } => "dossier.forbidden_role",
            WrongAgency => "dossier.wrong_agency",
            NotAssignee => "dossier.not_assignee",
            NotOwner => "dossier.not_owner",
            WrongStep { .. } => "dossier.wrong_step",
            MissingComponent(_) => "dossier.missing_component",
            UnknownComponent(_) => "dossier.unknown_component",
            SupplementAlreadyRequested => "dossier.supplement_already_requested",
            Empty(_) => "dossier.empty_field",
            Duplicate(_) => "dossier.duplicate_item",
            AmountMismatch { .. } => "dossier.amount_mismatch",
            ZeroAmount => "dossier.zero_amount",
            UnknownFee(_) => "dossier.unknown_fee",
            NotOnline => "dossier.not_online",
            ExtensionNotLater => "dossier.extension_not_later",
            ExtensionTooLong { .. } => "dossier.extension_too_long",
            TooLong { .. } => "dossier.text_too_long",
            TooMany { .. } => "dossier.too_many_items",
            AmountTooLarge { .. } => "dossier.amount_too_large",
            AmountNotAFee(_) => "dossier.amount_not_a_fee",
            ReturnMethodNotOffered => "dossier.return_method_not_offered",
            WrongConsultedAgency { .. } => "dossier.wrong_consulted_agency",
            AwaitingAnswer => "dossier.awaiting_answer",
            NotConsulted => "dossier.not_consulted",
            ProcedureMismatch => "dossier.procedure_mismatch",
            InvalidApplicant(_) => "dossier.invalid_applicant",
            IdentityMismatch => "dossier.identity_mismatch",
            BundleChoice(_) => "dossier.bundle_choice",
        }
    }

    /// The HTTP status an API answers with.
    pub fn http_status(&self) -> u16 {
        use Rejection::*;
        match self {
            StaleVersion { .. }
            | WrongStatus { .. }
            | WrongStep { .. }
            | SupplementAlreadyRequested
            | AwaitingAnswer
            | NotConsulted
            | IdentityMismatch => 409,
            ForbiddenRole { .. } | WrongAgency | NotAssignee | NotOwner => 403,
            _ => 422,
        }
    }
}
