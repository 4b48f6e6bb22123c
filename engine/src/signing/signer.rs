//! The [`Signer`] trait and the built-in signer, which holds a private key and its certificate chain.

use chrono::{DateTime, Utc};
use x509_cert::Certificate;

use super::cades;
use super::chain::{common_name, order_chain};
use super::error::SignError;
use super::keys::{Hash, PrivateKey};
use super::pdf_update::{self, SignatureInfo};
use super::pkcs12;

/// Signs PDFs with a PAdES signature. The built-in signer does it with a local key; a remote signing service (an
/// HSM, a provider's signing API) implements the same trait.
pub trait Signer: Send + Sync {
    /// Returns `pdf` with one more signature, appended as an incremental update (earlier signatures stay valid).
    fn sign_pdf(&self, pdf: &[u8], reason: &str, signing_time: DateTime<Utc>) -> Result<Vec<u8>, SignError>;
}

/// A signer with its own key (RSA or ECDSA P-256) and certificate chain (signer's certificate first).
pub struct BuiltInSigner {
    key: PrivateKey,
    chain: Vec<Certificate>,
}

/// Room for the CMS beyond the certificates: attributes, signature, structure.
const CMS_OVERHEAD: usize = 8 * 1024;
/// The smallest placeholder, so that a signature with a short chain always has room to spare.
const MIN_RESERVED: usize = 16 * 1024;

impl BuiltInSigner {
    /// Loads a PKCS#12 (`.p12`/`.pfx`) file: its private key, the certificate carrying that key and the other
    /// certificates as the chain. PBES2 (AES) encryption with an HMAC-SHA-2 MAC — OpenSSL 3's and this crate's
    /// default — is supported; the legacy RC2/3DES encryption is not.
    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<Self, SignError> {
        let (key, certs) = pkcs12::parse(bytes, password)?;
        Self::new(key, certs)
    }

    /// Loads a PEM private key (PKCS#8, or PKCS#1 RSA / SEC1 EC) and a PEM certificate chain (in any order; the
    /// certificate matching the key is the signer's).
    pub fn from_pem(key_pem: &str, cert_chain_pem: &str) -> Result<Self, SignError> {
        let key = PrivateKey::from_pem(key_pem)?;
        let certs = super::certificates_from_pem(cert_chain_pem)?;
        Self::new(key, certs)
    }

    pub(crate) fn new(key: PrivateKey, certs: Vec<Certificate>) -> Result<Self, SignError> {
        let leaf = certs
            .iter()
            .position(|c| key.matches(c))
            .ok_or_else(|| SignError::Key("no certificate matches the private key".into()))?;
        Ok(BuiltInSigner { key, chain: order_chain(certs, leaf) })
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.chain[0]
    }

    /// The signer's certificate followed by its issuers, as embedded in each signature.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The common name of the signer's certificate.
    pub fn subject(&self) -> String {
        common_name(self.certificate().tbs_certificate().subject())
    }

    /// "RSA-2048" or "ECDSA P-256".
    pub fn algorithm(&self) -> String {
        self.key.algorithm_name()
    }

    /// The key and chain as a PKCS#12 file protected by `password` (PBES2 AES-256-CBC, HMAC-SHA-256 MAC).
    pub fn to_pkcs12(&self, friendly_name: &str, password: &str) -> Result<Vec<u8>, SignError> {
        pkcs12::build(&self.key, &self.chain, friendly_name, password)
    }

    /// The private key as PKCS#8 PEM, for writing to a protected file.
    pub(crate) fn private_key_pem(&self) -> Result<der::zeroize::Zeroizing<String>, SignError> {
        self.key
            .to_pkcs8_der()?
            .to_pem("PRIVATE KEY", der::pem::LineEnding::LF)
            .map_err(|_| SignError::Key("cannot encode the private key".into()))
    }
}

impl std::fmt::Debug for BuiltInSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltInSigner")
            .field("subject", &self.subject())
            .field("algorithm", &self.key.algorithm_name())
            .field("chain_len", &self.chain.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Signer for BuiltInSigner {
    fn sign_pdf(&self, pdf: &[u8], reason: &str, signing_time: DateTime<Utc>) -> Result<Vec<u8>, SignError> {
        let validity = self.certificate().tbs_certificate().validity();
        let (from, to) =
            (super::dates::from_asn1_time(&validity.not_before), super::dates::from_asn1_time(&validity.not_after));
        if signing_time < from || signing_time > to {
            tracing::warn!(signer = %self.subject(), %signing_time, "signing outside the certificate's validity");
        }
        let chain_len: usize = self.chain.iter().map(|c| der::Encode::to_der(c).map_or(4096, |d| d.len())).sum();
        let subject = self.subject();
        let info = SignatureInfo {
            reason,
            signing_time,
            name: Some(&subject),
            reserved: (chain_len + CMS_OVERHEAD).max(MIN_RESERVED),
        };
        let prepared = pdf_update::prepare(pdf, &info)?;
        let digest = Hash::Sha256.digest_parts(&prepared.signed_parts());
        let cms = cades::signed_data(&self.chain, &digest, None, self.key.signature_algorithm(), |to_sign| {
            self.key.sign(to_sign)
        })?;
        prepared.finish(&cms)
    }
}
