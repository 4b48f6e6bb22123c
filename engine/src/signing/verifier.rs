//! Verification of every signature of a PDF: the byte range covers the file but the `/Contents` hole (the last
//! signature up to the end of file, earlier ones up to the end of a revision), the message digest over the
//! ranges, the CMS signature over the signed attributes with the signer certificate's key (RSA PKCS#1 v1.5,
//! ECDSA P-256), the ESS signing-certificate binding, the certificate's validity at the signing time and its chain
//! to the configured trust anchors.

use std::io::Read;

use chrono::{DateTime, Utc};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Encode, Reader, SliceReader};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{KeyUsage, SubjectKeyIdentifier};
use x509_cert::time::Time;

use super::cades::SigningCertificateV2;
use super::chain::{common_name, validate};
use super::dates::{from_asn1_time, parse_pdf_date};
use super::keys::{Hash, verify_signature};
use super::oids;
use super::pdf_scan::{FoundSignature, find_signatures};
use crate::documents::signature::{SignatureCheck, SignatureVerifier};

/// Whether one signature holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    Valid,
    Invalid { reason: String },
}

/// The verdict on one signature of a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureReport {
    /// The common name of the signer's certificate, when the signature carried it.
    pub signer: Option<String>,
    /// The claimed signing time: the CMS signing-time attribute, else the dictionary's `/M`.
    pub signing_time: Option<DateTime<Utc>>,
    /// `/SubFilter` (e.g. `ETSI.CAdES.detached`, `adbe.pkcs7.detached`).
    pub sub_filter: Option<String>,
    /// `/ByteRange`, when readable.
    pub byte_range: Option<[usize; 4]>,
    pub status: SignatureStatus,
}

/// Verifies PDF signatures against a set of trust anchors.
#[derive(Debug, Clone)]
pub struct Verifier {
    anchors: Vec<Certificate>,
}

impl Verifier {
    /// A verifier trusting exactly these anchors (root or intermediate CA certificates, or end certificates).
    pub fn new(trust_anchors: Vec<Certificate>) -> Self {
        Verifier { anchors: trust_anchors }
    }

    /// One report per signature dictionary, in file order.
    pub fn verify_pdf(&self, pdf: &[u8]) -> Vec<SignatureReport> {
        let found = find_signatures(pdf);
        let last_end = found.iter().filter_map(|f| f.byte_range.as_ref().ok()).map(|r| r[2] + r[3]).max();
        found.into_iter().map(|f| self.verify_one(pdf, f, last_end)).collect()
    }

    /// The overall verdict: `Unsigned` without signatures, `Valid` if every one holds, else `Invalid` with the
    /// first failure.
    pub fn summarize(reports: &[SignatureReport]) -> SignatureCheck {
        if reports.is_empty() {
            return SignatureCheck::Unsigned;
        }
        for (i, r) in reports.iter().enumerate() {
            if let SignatureStatus::Invalid { reason } = &r.status {
                let who = r.signer.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
                return SignatureCheck::Invalid { reason: format!("signature {}{who}: {reason}", i + 1) };
            }
        }
        let signers: Vec<&str> = reports.iter().map(|r| r.signer.as_deref().unwrap_or("?")).collect();
        SignatureCheck::Valid { signer: signers.join("; ") }
    }

    fn verify_one(&self, pdf: &[u8], found: FoundSignature, last_end: Option<usize>) -> SignatureReport {
        let mut report = SignatureReport {
            signer: None,
            signing_time: found.m.as_deref().and_then(parse_pdf_date),
            sub_filter: found.sub_filter.clone(),
            byte_range: found.byte_range.as_ref().ok().copied(),
            status: SignatureStatus::Valid,
        };
        if let Err(reason) = self.check(pdf, &found, last_end, &mut report) {
            report.status = SignatureStatus::Invalid { reason };
        }
        report
    }

    fn check(
        &self,
        pdf: &[u8],
        found: &FoundSignature,
        last_end: Option<usize>,
        report: &mut SignatureReport,
    ) -> Result<(), String> {
        let range = found.byte_range.clone()?;
        let contents = check_byte_range(pdf, range, last_end)?;
        match found.sub_filter.as_deref() {
            Some("ETSI.CAdES.detached" | "adbe.pkcs7.detached") | None => {}
            Some(other) => return Err(format!("unsupported signature format /{other}")),
        }
        let signed_data = parse_cms(&contents)?;
        let certs: Vec<Certificate> = signed_data
            .certificates
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|c| match c {
                CertificateChoices::Certificate(cert) => Some(cert.clone()),
                _ => None,
            })
            .collect();
        let mut infos = signed_data.signer_infos.0.iter();
        let info = infos.next().ok_or("the signature has no signer")?;
        if infos.next().is_some() {
            return Err("more than one signer in one signature is not supported".into());
        }
        let cert = find_signer(info, &certs).ok_or("the signer's certificate is not in the signature")?;
        report.signer = Some(common_name(cert.tbs_certificate().subject()));
        if let Ok(Some((_, usage))) = cert.tbs_certificate().get_extension::<KeyUsage>()
            && !(usage.digital_signature() || usage.non_repudiation())
        {
            return Err("the signer's certificate is not for signing (key usage)".into());
        }

        let hash = Hash::from_digest_oid(&info.digest_alg.oid)
            .ok_or_else(|| format!("unsupported digest algorithm {}", info.digest_alg.oid))?;
        let parts = [&pdf[range[0]..range[0] + range[1]], &pdf[range[2]..range[2] + range[3]]];
        let digest = hash.digest_parts(&parts);

        let message = match &info.signed_attrs {
            Some(attrs) => {
                let mut content_type = None;
                let mut message_digest = None;
                for attr in attrs.iter() {
                    let value = attr.values.iter().next().ok_or("empty signed attribute")?;
                    match attr.oid {
                        oids::CONTENT_TYPE => content_type = value.decode_as::<ObjectIdentifier>().ok(),
                        oids::MESSAGE_DIGEST => message_digest = value.decode_as::<OctetString>().ok(),
                        oids::SIGNING_TIME => {
                            let t = value.decode_as::<Time>().map_err(|_| "malformed signing-time")?;
                            report.signing_time = Some(from_asn1_time(&t));
                        }
                        oids::SIGNING_CERTIFICATE_V2 => {
                            let ess = value
                                .decode_as::<SigningCertificateV2>()
                                .map_err(|_| "malformed signing-certificate-v2 attribute")?;
                            check_ess(&ess, cert)?;
                        }
                        _ => {}
                    }
                }
                if content_type != Some(oids::ID_DATA) {
                    return Err("the content-type attribute is missing or not id-data".into());
                }
                let claimed = message_digest.ok_or("the message-digest attribute is missing")?;
                if claimed.as_bytes() != digest.as_slice() {
                    return Err("message digest mismatch: the signed bytes were altered".into());
                }
                attrs.to_der().map_err(|e| format!("signed attributes: {e}"))?
            }
            None => parts.concat(),
        };
        let signature = info.signature.as_bytes();
        verify_signature(
            cert.tbs_certificate().subject_public_key_info(),
            &info.signature_algorithm,
            Some(hash),
            &message,
            signature,
        )
        .map_err(|e| match info.signed_attrs {
            Some(_) => format!("the signature value does not verify with the signer's certificate ({e})"),
            // Without signed attributes the signature covers the bytes directly: a change shows up here.
            None => format!("the signature does not verify: the signed bytes were altered or the key differs ({e})"),
        })?;

        let at = report.signing_time.unwrap_or_else(Utc::now);
        validate(cert, &certs, &self.anchors, at)
    }
}

impl SignatureVerifier for Verifier {
    fn check(&self, media_type: &str, content: &mut dyn Read) -> Result<SignatureCheck, std::io::Error> {
        let essence = media_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/pdf") {
            return Ok(SignatureCheck::Unsigned);
        }
        let mut pdf = Vec::new();
        content.read_to_end(&mut pdf)?;
        Ok(Verifier::summarize(&self.verify_pdf(&pdf)))
    }
}

/// Checks the shape of the byte range and returns the DER bytes of the `/Contents` hole.
fn check_byte_range(pdf: &[u8], r: [usize; 4], last_end: Option<usize>) -> Result<Vec<u8>, String> {
    let end = r[2].checked_add(r[3]).ok_or("malformed /ByteRange")?;
    if r[0] != 0 || r[1] >= r[2] || end > pdf.len() {
        return Err("the byte range does not start at the beginning of the file or exceeds it".into());
    }
    let hole = &pdf[r[1]..r[2]];
    let (Some(b'<'), Some(b'>')) = (hole.first(), hole.last()) else {
        return Err("the byte range leaves out more than the signature value".into());
    };
    let hex: Vec<u8> = hole[1..hole.len() - 1].iter().copied().filter(|c| !c.is_ascii_whitespace()).collect();
    let contents = hex::decode(&hex).map_err(|_| "the byte range leaves out more than the signature value")?;
    if end < pdf.len() {
        if Some(end) == last_end {
            return Err(format!(
                "the document was changed after the last signature ({} bytes after the signed range)",
                pdf.len() - end
            ));
        }
        // An earlier signature: what follows must be a later revision, so the signed part ends a revision.
        if !pdf[..end].trim_ascii_end().ends_with(b"%%EOF") {
            return Err("the signed range does not end a revision of the document".into());
        }
    }
    Ok(contents)
}

/// The `SignedData` in `contents` (DER followed by the placeholder's zero padding).
fn parse_cms(contents: &[u8]) -> Result<SignedData, String> {
    let mut reader = SliceReader::new(contents).map_err(|e| format!("unreadable signature value: {e}"))?;
    let ci: ContentInfo = reader.decode().map_err(|e| format!("the signature value is not CMS: {e}"))?;
    if ci.content_type != oids::ID_SIGNED_DATA {
        return Err("the signature value is not a CMS SignedData".into());
    }
    let sd = ci.content.decode_as::<SignedData>().map_err(|e| format!("unreadable CMS SignedData: {e}"))?;
    if sd.encap_content_info.econtent.is_some() {
        return Err("the CMS signature is not detached".into());
    }
    Ok(sd)
}

fn find_signer<'a>(info: &SignerInfo, certs: &'a [Certificate]) -> Option<&'a Certificate> {
    certs.iter().find(|c| {
        let tbs = c.tbs_certificate();
        match &info.sid {
            SignerIdentifier::IssuerAndSerialNumber(isn) => {
                tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                matches!(tbs.get_extension::<SubjectKeyIdentifier>(), Ok(Some((_, own))) if own == *ski)
            }
        }
    })
}

/// The ESS signing-certificate-v2 attribute must name the signer's certificate.
fn check_ess(ess: &SigningCertificateV2, cert: &Certificate) -> Result<(), String> {
    let first = ess.certs.first().ok_or("empty signing-certificate-v2 attribute")?;
    let hash = match &first.hash_algorithm {
        None => Hash::Sha256,
        Some(alg) => Hash::from_digest_oid(&alg.oid).ok_or("unsupported hash in signing-certificate-v2")?,
    };
    let der = cert.to_der().map_err(|e| e.to_string())?;
    if first.cert_hash.as_bytes() != hash.digest(&der).as_slice() {
        return Err("the signing-certificate-v2 attribute names another certificate".into());
    }
    Ok(())
}
