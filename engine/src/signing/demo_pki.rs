//! A demo PKI for `motcua pki demo`, demos and tests: a CA, a leader's personal certificate (RSA 2048) and an
//! agency seal certificate (ECDSA P-256) issued by it, written as PEM and PKCS#12 files. Not for production: the
//! PKCS#12 password is a published constant.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use der::EncodePem;
use der::pem::LineEnding;
use p256::ecdsa::DerSignature;
use spki::SubjectPublicKeyInfoRef;
use x509_cert::Certificate;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use super::dates::asn1_time;
use super::error::SignError;
use super::keys::PrivateKey;
use super::signer::BuiltInSigner;

/// The password of the demo PKCS#12 files.
pub const DEMO_PKCS12_PASSWORD: &str = "motcua-demo";

/// Key algorithm of a new certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa2048,
    EcdsaP256,
}

/// Extensions of the demo certificates: CA (keyCertSign, cRLSign) or signer (digitalSignature,
/// nonRepudiation), with key identifiers.
struct Profile {
    subject: Name,
    issuer: Option<Name>,
    ca: bool,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, subject: &Name) -> Name {
        self.issuer.clone().unwrap_or_else(|| subject.clone())
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let subject = tbs.subject();
        let mut ext = Vec::new();
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(SubjectKeyIdentifier::try_from(issuer_spk)?.0),
            ..Default::default()
        };
        ext.push(BasicConstraints { ca: self.ca, path_len_constraint: None }.to_extension(subject, &ext)?);
        let usage = if self.ca {
            KeyUsages::KeyCertSign | KeyUsages::CRLSign
        } else {
            KeyUsages::DigitalSignature | KeyUsages::NonRepudiation
        };
        ext.push(KeyUsage(usage).to_extension(subject, &ext)?);
        ext.push(ski.to_extension(subject, &ext)?);
        ext.push(aki.to_extension(subject, &ext)?);
        Ok(ext)
    }
}

fn cert_err(e: impl std::fmt::Display) -> SignError {
    SignError::Key(format!("certificate: {e}"))
}

/// Makes a certificate for `subject_key`, signed by `issuer_key` (self-signed when `issuer` is `None`).
fn issue_certificate(
    subject: &str,
    subject_key: &PrivateKey,
    issuer: Option<(&Certificate, &PrivateKey)>,
    ca: bool,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<Certificate, SignError> {
    let profile = Profile {
        subject: Name::from_str(subject).map_err(cert_err)?,
        issuer: issuer.map(|(c, _)| c.tbs_certificate().subject().clone()),
        ca,
    };
    let mut serial = [0u8; 16];
    getrandom::fill(&mut serial).map_err(|_| SignError::Key("the system random generator failed".into()))?;
    serial[0] = (serial[0] & 0x7f) | 0x01; // positive, no leading zero byte
    let validity = Validity::new(asn1_time(not_before).map_err(cert_err)?, asn1_time(not_after).map_err(cert_err)?);
    let builder = CertificateBuilder::new(
        profile,
        SerialNumber::new(&serial).map_err(cert_err)?,
        validity,
        subject_key.public_key_info()?,
    )
    .map_err(cert_err)?;
    let signer = issuer.map_or(subject_key, |(_, k)| k);
    match signer {
        PrivateKey::Rsa(k) => builder.build::<_, rsa::pkcs1v15::Signature>(k),
        PrivateKey::P256(k) => builder.build::<_, DerSignature>(k),
    }
    .map_err(cert_err)
}

/// A demo certification authority: it keeps its key to issue more certificates.
pub struct DemoCa {
    key: PrivateKey,
    cert: Certificate,
}

impl std::fmt::Debug for DemoCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCa").field("subject", &self.cert.tbs_certificate().subject().to_string()).finish()
    }
}

impl DemoCa {
    /// A self-signed CA (ECDSA P-256) valid from an hour before `now` for ten years.
    pub fn new(subject: &str, now: DateTime<Utc>) -> Result<Self, SignError> {
        let key = PrivateKey::generate(false)?;
        let cert = issue_certificate(subject, &key, None, true, now - Duration::hours(1), now + Duration::days(3650))?;
        Ok(DemoCa { key, cert })
    }

    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// Issues a signing certificate for a new key and returns the signer (chain: the new certificate, the CA).
    pub fn issue(
        &self,
        subject: &str,
        kind: KeyKind,
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<BuiltInSigner, SignError> {
        let key = PrivateKey::generate(kind == KeyKind::Rsa2048)?;
        let cert = issue_certificate(subject, &key, Some((&self.cert, &self.key)), false, not_before, not_after)?;
        BuiltInSigner::new(key, vec![cert, self.cert.clone()])
    }
}

/// A signer with a self-signed certificate (trusted by nobody unless made an anchor).
pub fn self_signed(
    subject: &str,
    kind: KeyKind,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<BuiltInSigner, SignError> {
    let key = PrivateKey::generate(kind == KeyKind::Rsa2048)?;
    let cert = issue_certificate(subject, &key, None, false, not_before, not_after)?;
    BuiltInSigner::new(key, vec![cert])
}

/// What [`demo_pki`] made.
#[derive(Debug)]
pub struct DemoPki {
    pub ca: DemoCa,
    /// The leader's personal signer (RSA 2048).
    pub leader: BuiltInSigner,
    /// The agency's seal (ECDSA P-256).
    pub agency: BuiltInSigner,
    /// Every file written, private ones with mode 0600.
    pub files: Vec<PathBuf>,
}

/// Subjects of the demo certificates.
pub const DEMO_CA_SUBJECT: &str = "CN=motcua Demo CA,O=motcua demo PKI,C=VN";
pub const DEMO_LEADER_SUBJECT: &str = "CN=Nguyễn Văn An,title=Chủ tịch,O=UBND xã Demo,C=VN";
pub const DEMO_AGENCY_SUBJECT: &str = "CN=UBND xã Demo,O=UBND xã Demo,C=VN";

/// Creates the demo CA, leader and agency certificates and writes into `dir`: `ca.pem`, `ca.key.pem`,
/// `leader.pem` (certificate + CA), `leader.key.pem`, `leader.p12`, and the same for `agency`. The `.key.pem` and
/// `.p12` files are created with mode 0600; the PKCS#12 password is [`DEMO_PKCS12_PASSWORD`].
pub fn demo_pki(dir: &Path, now: DateTime<Utc>) -> Result<DemoPki, SignError> {
    crate::files::create_private_dir_all(dir)?;
    let ca = DemoCa::new(DEMO_CA_SUBJECT, now)?;
    let not_before = now - Duration::hours(1);
    let not_after = now + Duration::days(730);
    let leader = ca.issue(DEMO_LEADER_SUBJECT, KeyKind::Rsa2048, not_before, not_after)?;
    let agency = ca.issue(DEMO_AGENCY_SUBJECT, KeyKind::EcdsaP256, not_before, not_after)?;

    let mut files = Vec::new();
    let pem_err = |e: der::Error| SignError::Key(format!("PEM: {e}"));
    let ca_pem = ca.cert.to_pem(LineEnding::LF).map_err(pem_err)?;
    files.push(write(dir, "ca.pem", ca_pem.as_bytes(), false)?);
    let ca_key = ca
        .key
        .to_pkcs8_der()?
        .to_pem("PRIVATE KEY", LineEnding::LF)
        .map_err(|_| SignError::Key("cannot encode the CA key".into()))?;
    files.push(write(dir, "ca.key.pem", ca_key.as_bytes(), true)?);
    for (name, signer) in [("leader", &leader), ("agency", &agency)] {
        let mut chain_pem = String::new();
        for cert in signer.chain() {
            chain_pem.push_str(&cert.to_pem(LineEnding::LF).map_err(pem_err)?);
        }
        files.push(write(dir, &format!("{name}.pem"), chain_pem.as_bytes(), false)?);
        files.push(write(dir, &format!("{name}.key.pem"), signer.private_key_pem()?.as_bytes(), true)?);
        let p12 = signer.to_pkcs12(&signer.subject(), DEMO_PKCS12_PASSWORD)?;
        files.push(write(dir, &format!("{name}.p12"), &p12, true)?);
    }
    Ok(DemoPki { ca, leader, agency, files })
}

/// Writes a file; a private one is created (or reset) with mode 0600 before anything is written to it.
fn write(dir: &Path, name: &str, bytes: &[u8], private: bool) -> Result<PathBuf, SignError> {
    let path = dir.join(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if private {
            options.mode(0o600);
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    let mut file = options.open(&path)?;
    file.write_all(bytes)?;
    Ok(path)
}

/// Fills a [`DirectoryKeyring`](super::DirectoryKeyring) directory for a demo: a demo CA as its trust anchor
/// (`trust/demo-ca.pem`), a personal certificate (RSA 2048) for each leader given as (username, full name) and
/// a seal certificate (ECDSA P-256) for each agency given as (agency id, name). PKCS#12 files are protected by
/// `password` and written with mode 0600. Does nothing when the trust anchor is already there.
pub fn demo_keyring(
    dir: &Path,
    leaders: &[(String, String)],
    agencies: &[(String, String)],
    password: &str,
    now: DateTime<Utc>,
) -> Result<bool, SignError> {
    use super::DirectoryKeyring;
    let anchor = DirectoryKeyring::trust_dir(dir).join("demo-ca.pem");
    if anchor.exists() {
        return Ok(false);
    }
    for sub in ["staff", "agencies", "trust"] {
        crate::files::create_private_dir_all(&dir.join(sub))?;
    }
    let ca = DemoCa::new(DEMO_CA_SUBJECT, now)?;
    let (not_before, not_after) = (now - Duration::hours(1), now + Duration::days(730));
    let subject = |cn: &str, org: &str| format!("CN={},O={},C=VN", rdn_value(cn), rdn_value(org));
    for (username, full_name) in leaders {
        let signer = ca.issue(&subject(full_name, "motcua demo"), KeyKind::Rsa2048, not_before, not_after)?;
        let path = DirectoryKeyring::staff_file(dir, username);
        write_file(&path, &signer.to_pkcs12(full_name, password)?, true)?;
    }
    for (id, name) in agencies {
        let signer = ca.issue(&subject(name, name), KeyKind::EcdsaP256, not_before, not_after)?;
        write_file(&DirectoryKeyring::agency_file(dir, id), &signer.to_pkcs12(name, password)?, true)?;
    }
    let pem = ca.cert.to_pem(LineEnding::LF).map_err(|e| SignError::Key(format!("PEM: {e}")))?;
    write_file(&anchor, pem.as_bytes(), false)?;
    Ok(true)
}

/// Escapes the characters RFC 4514 reserves in an attribute value.
fn rdn_value(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escape = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=');
            escape.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

fn write_file(path: &Path, bytes: &[u8], private: bool) -> Result<PathBuf, SignError> {
    let dir = path.parent().expect("a file in a directory");
    write(dir, &path.file_name().expect("a file name").to_string_lossy(), bytes, private)
}
