//! The hook through which electronic papers get their signature checked (DESIGN.md §9). The verifier of
//! PDF signatures (PAdES, X.509 chains to configured trust anchors) plugs in here; without one, papers are
//! recorded as "unchecked" and shown as not yet verified, never as valid.

use std::io::Read;

/// What a signature check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Signed by `signer`, intact, certificate valid at signing time and chained to a trust anchor.
    Valid { signer: String },
    /// Signed, but the signature does not hold (altered content, untrusted or expired certificate…).
    Invalid { reason: String },
    /// No signature at all.
    Unsigned,
}

impl SignatureCheck {
    /// The repository's `signature_status` and its detail.
    pub fn status(&self) -> (&'static str, Option<String>) {
        match self {
            SignatureCheck::Valid { signer } => ("valid", Some(signer.clone())),
            SignatureCheck::Invalid { reason } => ("invalid", Some(reason.clone())),
            SignatureCheck::Unsigned => ("unsigned", None),
        }
    }
}

pub trait SignatureVerifier: Send + Sync {
    /// Checks the signatures of a paper of the given MIME type.
    fn check(&self, media_type: &str, content: &mut dyn Read) -> Result<SignatureCheck, std::io::Error>;
}
