//! What the applicant is told by e-mail and SMS: the outbox payloads of `topics::EMAIL` and `topics::SMS`,
//! rendered by the use cases and sent as they are by the mail and SMS adapters.

use serde::{Deserialize, Serialize};

/// What a notification tells the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Receipt,
    SupplementRequest,
    Refusal,
    PaymentRequest,
    ResultReady,
    Stopped,
    Apology,
    /// The result was handed over: the applicant is asked to rate the service, by a link.
    RatingInvitation,
    /// To a petitioner: the petition was rejected as outside the agency's remit, with the reason.
    PetitionRejected,
    /// To a petitioner: the agency asks for more information (the answer clock waits for it).
    PetitionInformationRequested,
    /// To a petitioner: the petition was answered.
    PetitionAnswered,
}

/// The outbox payload of an e-mail notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailNotice {
    pub kind: NoticeKind,
    pub to: String,
    pub to_name: String,
    pub dossier_code: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The outbox payload of an SMS notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SmsNotice {
    pub kind: NoticeKind,
    /// The mobile number as the applicant gave it, without separators (`0912000111` or `+84912000111`).
    pub to: String,
    pub text: String,
}
