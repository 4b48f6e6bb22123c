//! Outbox deliveries: a message written in the transaction of a change is handed, later and at least once, to
//! the sink of its topic.

/// The outbox topics, shared by the use cases that write them and the sinks that deliver them.
pub mod topics {
    /// A dossier's status message to the national portal (`portal::message::SyncMessage`).
    pub const PORTAL_STATUS: &str = "portal.status_sync";
    /// A petition's status message to the national portal (`portal::petition::PetitionSyncMessage`).
    pub const PORTAL_PETITION: &str = "portal.petition_sync";
    /// A repository paper's metadata pushed to the national portal.
    pub const REPOSITORY_SYNC: &str = "repository.sync";
    /// An e-mail to the applicant (`notice::EmailNotice`).
    pub const EMAIL: &str = "notify.email";
    /// An SMS to the applicant (`notice::SmsNotice`).
    pub const SMS: &str = "notify.sms";
    /// A payment order to open on the payment platform (`payment::OrderMessage`).
    pub const PAYMENT_ORDER: &str = "payment.order";
    /// A refund to make on the payment platform (`payment::RefundMessage`).
    pub const PAYMENT_REFUND: &str = "payment.refund";
}

/// One outbox message as a sink sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery<'a> {
    pub topic: &'a str,
    /// Unique per message and the same on every attempt: the receiver's idempotency key.
    pub key: &'a str,
    /// JSON, of the topic's type.
    pub payload: &'a str,
}

/// What a delivery learned that must be recorded with it (in the transaction that marks it delivered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    Delivered,
    /// The payment platform opened the order: where the citizen pays it.
    OrderOpened {
        order_id: String,
        pay_url: String,
    },
    /// The payment platform made the refund.
    Refunded {
        refund_id: String,
    },
}

/// Why a delivery to an outside system failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The counterpart was unavailable (timeout, 5xx, refused connection): retried with backoff.
    Transient(String),
    /// The counterpart refused this message: sending it again cannot help, so it is parked dead at once.
    Rejected(String),
}

impl Failure {
    pub fn reason(&self) -> &str {
        match self {
            Failure::Transient(r) | Failure::Rejected(r) => r,
        }
    }
}

impl From<String> for Failure {
    fn from(reason: String) -> Self {
        Failure::Transient(reason)
    }
}

/// Where outbox messages of a topic go: the national portal, mail, SMS, the payment platform.
pub trait Sink: Send + Sync {
    fn deliver(&self, delivery: &Delivery<'_>) -> Result<Receipt, Failure>;
}
