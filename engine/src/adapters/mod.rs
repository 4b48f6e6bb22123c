//! Adapters at the engine's edge (DESIGN.md §2, §10): the PDF forms of Circular 01/2018/TT-VPCP and the outside
//! systems, each a trait with an HTTP adapter configured in `outside`.

pub mod forms;
pub mod http;
pub mod mail;
pub mod oidc;
pub mod outside;
pub mod payment;
pub mod population;
pub mod portal;
pub mod sms;

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
