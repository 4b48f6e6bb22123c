//! CAdES `SignedData` for PAdES baseline B-B (RFC 5652, ETSI EN 319 122-1 / 319 142-1): detached, SHA-256, with
//! the signer's certificate chain and the signed attributes content-type, message-digest and
//! signing-certificate-v2 (ESS, RFC 5035). PAdES baseline forbids the CMS signing-time attribute (the claimed
//! signing time is the signature dictionary's `/M`, inside the signed byte range), so it is only added when a
//! caller asks for plain CAdES.

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;

use super::dates::asn1_time;
use super::error::SignError;
use super::keys::Hash;
use super::oids;

/// ESS `SigningCertificateV2` (RFC 5035 §3): the hash of the signing certificate, bound into the signed attributes.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
}

/// ESS `ESSCertIDv2`; `hash_algorithm` absent means SHA-256 (the ASN.1 DEFAULT, omitted in DER).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// ESS `IssuerSerial`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: GeneralNames,
    pub serial_number: SerialNumber,
}

fn attribute(oid: ObjectIdentifier, value: impl Encode) -> Result<Attribute, SignError> {
    let value = Any::from_der(&value.to_der().map_err(SignError::cms)?).map_err(SignError::cms)?;
    Ok(Attribute { oid, values: SetOfVec::try_from(vec![value]).map_err(SignError::cms)? })
}

fn sha256_id() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: oids::SHA256, parameters: None }
}

/// The signed attributes for a detached signature over content whose SHA-256 is `content_digest`; with
/// `signing_time`, a CMS signing-time attribute too (plain CAdES; PAdES passes `None`).
pub fn signed_attributes(
    signer_cert: &Certificate,
    content_digest: &[u8],
    signing_time: Option<DateTime<Utc>>,
) -> Result<Attributes, SignError> {
    let tbs = signer_cert.tbs_certificate();
    let cert_der = signer_cert.to_der().map_err(SignError::cms)?;
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Hash::Sha256.digest(&cert_der)).map_err(SignError::cms)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
    };
    let mut attrs = vec![
        attribute(oids::CONTENT_TYPE, oids::ID_DATA)?,
        attribute(oids::MESSAGE_DIGEST, OctetString::new(content_digest).map_err(SignError::cms)?)?,
        attribute(oids::SIGNING_CERTIFICATE_V2, ess)?,
    ];
    if let Some(t) = signing_time {
        attrs.push(attribute(oids::SIGNING_TIME, asn1_time(t).map_err(SignError::cms)?)?);
    }
    SetOfVec::try_from(attrs).map_err(SignError::cms)
}

/// Builds the DER `ContentInfo(SignedData)` of a detached CAdES signature. `chain[0]` is the signer's
/// certificate; `signing_time` adds the CMS signing-time attribute (see the module note: `None` for PAdES); `sign`
/// receives the DER of the signed attributes (the bytes to sign) and returns the signature
/// value made with `signature_algorithm`. A remote signing service plugs its call in as `sign`.
pub fn signed_data(
    chain: &[Certificate],
    content_digest: &[u8],
    signing_time: Option<DateTime<Utc>>,
    signature_algorithm: AlgorithmIdentifierOwned,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, SignError>,
) -> Result<Vec<u8>, SignError> {
    let signer_cert = chain.first().ok_or_else(|| SignError::Key("no signing certificate".into()))?;
    let attrs = signed_attributes(signer_cert, content_digest, signing_time)?;
    let to_sign = attrs.to_der().map_err(SignError::cms)?;
    let signature = sign(&to_sign)?;

    let tbs = signer_cert.tbs_certificate();
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: sha256_id(),
        signed_attrs: Some(attrs),
        signature_algorithm,
        signature: OctetString::new(signature).map_err(SignError::cms)?,
        unsigned_attrs: None,
    };
    let certificates: Vec<CertificateChoices> = chain.iter().cloned().map(CertificateChoices::Certificate).collect();
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256_id()]).map_err(SignError::cms)?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: oids::ID_DATA, econtent: None },
        certificates: Some(CertificateSet::try_from(certificates).map_err(SignError::cms)?),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer_info]).map_err(SignError::cms)?,
    };
    let content_info = ContentInfo {
        content_type: oids::ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(SignError::cms)?,
    };
    content_info.to_der().map_err(SignError::cms)
}
