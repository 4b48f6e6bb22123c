//! Digital signatures of PDF papers (DESIGN.md §9): PAdES baseline B-B signing as an incremental update, and
//! verification of every signature of a PDF against configured trust anchors.
//!
//! - [`Signer`] is what the result flow calls; [`BuiltInSigner`] holds a key (RSA or ECDSA P-256, from PKCS#12 or
//!   PEM/PKCS#8) with its certificate chain. A remote signing service implements [`Signer`] as well, and can reuse
//!   [`cades::signed_data`] and [`pdf_update`] around its own signing call.
//! - [`Verifier`] implements the documents' [`SignatureVerifier`](crate::documents::signature::SignatureVerifier)
//!   hook and also gives a per-signature report ([`Verifier::verify_pdf`]).
//! - [`stamp_overlay`] draws a page (the document number the records clerk adds after the leader signed) onto a
//!   signed PDF as an incremental update.
//! - [`demo_pki`] makes a demo CA with a leader's and an agency's certificate for demos and tests.
//!
//! Private keys never appear in `Debug` output, errors or logs.

pub mod cades;
mod chain;
mod dates;
pub mod demo_pki;
mod error;
mod keyring;
mod keys;
mod oids;
mod pdf_object;
mod pdf_scan;
pub mod pdf_update;
mod pkcs12;
mod signer;
mod stamp;
mod verifier;

pub use demo_pki::{DEMO_PKCS12_PASSWORD, DemoCa, DemoPki, KeyKind, demo_keyring, demo_pki, self_signed};
pub use error::SignError;
pub use keyring::{DirectoryKeyring, Keyring};
pub use signer::{BuiltInSigner, Signer};
pub use stamp::stamp_overlay;
pub use verifier::{SignatureReport, SignatureStatus, Verifier};
pub use x509_cert::Certificate;

/// Reads PEM certificates (one or many, e.g. a chain or a trust-anchor bundle).
pub fn certificates_from_pem(pem: &str) -> Result<Vec<Certificate>, SignError> {
    let certs = Certificate::load_pem_chain(pem.as_bytes())
        .map_err(|e| SignError::Key(format!("cannot read PEM certificates: {e}")))?;
    if certs.is_empty() {
        return Err(SignError::Key("no certificate in the PEM text".into()));
    }
    Ok(certs)
}
