//! PKCS#12 (RFC 7292) files: reading a key with its certificates, and writing one. Supported: PBES2 (PBKDF2 with
//! AES-CBC, as OpenSSL 3 and this module write) for key bags and encrypted safe contents, and an HMAC-SHA-256/384/
//! 512 integrity MAC keyed through the PKCS#12 KDF. The legacy PKCS#12 PBE schemes (RC2-40, 3DES; OpenSSL's
//! `-legacy`) and PBMAC1 are refused with a message saying how to re-export.

use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::{BmpString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use hmac::{Hmac, KeyInit, Mac};
use pkcs8::pkcs5::{self, pbes2};
use sha2_next::{Digest, Sha256, Sha384, Sha512};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

use super::error::SignError;
use super::keys::PrivateKey;
use super::oids;

/// `PFX`.
#[derive(Clone, Debug, Sequence)]
struct Pfx {
    version: u8,
    auth_safe: ContentInfo,
    #[asn1(optional = "true")]
    mac_data: Option<MacData>,
}

/// `MacData`.
#[derive(Clone, Debug, Sequence)]
struct MacData {
    mac: DigestInfo,
    mac_salt: OctetString,
    #[asn1(default = "one")]
    iterations: u32,
}

fn one() -> u32 {
    1
}

/// `DigestInfo`.
#[derive(Clone, Debug, Sequence)]
struct DigestInfo {
    algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

/// `SafeBag`.
#[derive(Clone, Debug, Sequence)]
struct SafeBag {
    bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    bag_value: Any,
    #[asn1(optional = "true")]
    bag_attributes: Option<SetOfVec<Attribute>>,
}

/// `CertBag`.
#[derive(Clone, Debug, Sequence)]
struct CertBag {
    cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    cert_value: OctetString,
}

/// Iterations of the key derivations this module writes (OpenSSL 3's default is 2048).
const ITERATIONS: u32 = 10_000;

fn p12_err(what: impl std::fmt::Display) -> SignError {
    SignError::Pkcs12(what.to_string())
}

/// Reads the private key and the certificates of a PKCS#12 file.
pub(crate) fn parse(bytes: &[u8], password: &str) -> Result<(PrivateKey, Vec<Certificate>), SignError> {
    let pfx = Pfx::from_der(bytes).map_err(|e| p12_err(format!("not a PKCS#12 file ({e})")))?;
    if pfx.auth_safe.content_type != oids::ID_DATA {
        return Err(p12_err("public-key integrity mode is not supported"));
    }
    let auth_safe = pfx.auth_safe.content.decode_as::<OctetString>().map_err(p12_err)?;
    match &pfx.mac_data {
        Some(mac) => check_mac(mac, auth_safe.as_bytes(), password)?,
        None => return Err(p12_err("the file has no integrity MAC")),
    }
    let contents = Vec::<ContentInfo>::from_der(auth_safe.as_bytes()).map_err(p12_err)?;
    let mut keys = Vec::new();
    let mut certs = Vec::new();
    for ci in contents {
        let safe_contents = if ci.content_type == oids::ID_DATA {
            ci.content.decode_as::<OctetString>().map_err(p12_err)?.as_bytes().to_vec()
        } else if ci.content_type == oids::ID_ENCRYPTED_DATA {
            let data = ci.content.decode_as::<EncryptedData>().map_err(p12_err)?;
            let info = data.enc_content_info;
            let scheme = pbes2_scheme(&info.content_enc_alg)?;
            let ciphertext = info.encrypted_content.ok_or_else(|| p12_err("empty encrypted content"))?;
            scheme.decrypt(password, ciphertext.as_bytes()).map_err(|_| p12_err("wrong password"))?
        } else {
            continue;
        };
        for bag in Vec::<SafeBag>::from_der(&safe_contents).map_err(p12_err)? {
            let value = bag.bag_value.to_der().map_err(p12_err)?;
            if bag.bag_id == oids::SHROUDED_KEY_BAG {
                let enc = pkcs8::EncryptedPrivateKeyInfoRef::try_from(value.as_slice()).map_err(p12_err)?;
                refuse_legacy(&enc.encryption_algorithm.oid())?;
                let doc = enc.decrypt(password).map_err(|_| p12_err("wrong password"))?;
                keys.push(PrivateKey::from_pkcs8_der(doc.as_bytes())?);
            } else if bag.bag_id == oids::KEY_BAG {
                keys.push(PrivateKey::from_pkcs8_der(&value)?);
            } else if bag.bag_id == oids::CERT_BAG {
                let cert_bag = CertBag::from_der(&value).map_err(p12_err)?;
                if cert_bag.cert_id == oids::X509_CERTIFICATE {
                    certs.push(Certificate::from_der(cert_bag.cert_value.as_bytes()).map_err(p12_err)?);
                }
            }
        }
    }
    let key = match keys.len() {
        1 => keys.remove(0),
        0 => return Err(p12_err("the file holds no private key")),
        n => return Err(p12_err(format!("the file holds {n} private keys, expected one"))),
    };
    Ok((key, certs))
}

fn refuse_legacy(oid: &ObjectIdentifier) -> Result<(), SignError> {
    if oid.to_string().starts_with(oids::PKCS12_PBE_ARC) {
        return Err(p12_err(
            "legacy PKCS#12 encryption (RC2/3DES) is not supported: re-export with AES, e.g. \
             `openssl pkcs12 -export` (OpenSSL 3 defaults)",
        ));
    }
    Ok(())
}

fn pbes2_scheme(alg: &AlgorithmIdentifierOwned) -> Result<pkcs5::EncryptionScheme, SignError> {
    refuse_legacy(&alg.oid)?;
    let der = alg.to_der().map_err(p12_err)?;
    pkcs5::EncryptionScheme::try_from(der.as_slice()).map_err(|e| p12_err(format!("unsupported encryption: {e}")))
}

/// The password as the PKCS#12 KDF wants it: big-endian UTF-16 with a terminating NUL.
fn bmp_password(password: &str) -> Vec<u8> {
    let mut out: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    out.extend_from_slice(&[0, 0]);
    out
}

/// The PKCS#12 key derivation (RFC 7292 appendix B.2) with hash `D` of block size `v`.
fn pkcs12_kdf<D: Digest>(password: &[u8], salt: &[u8], id: u8, rounds: u32, v: usize, len: usize) -> Vec<u8> {
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let n = v * src.len().div_ceil(v);
        src.iter().copied().cycle().take(n).collect()
    };
    let mut i_block = fill(salt);
    i_block.extend(fill(password));
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let mut a = D::new().chain_update(vec![id; v]).chain_update(&i_block).finalize().to_vec();
        for _ in 1..rounds {
            a = D::digest(&a).to_vec();
        }
        out.extend_from_slice(&a);
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for chunk in i_block.chunks_mut(v) {
            // chunk = (chunk + b + 1) mod 2^(8v)
            let mut carry = 1u16;
            for (x, y) in chunk.iter_mut().zip(&b).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(len);
    out
}

fn mac_of(
    hash_oid: ObjectIdentifier,
    password: &str,
    salt: &[u8],
    rounds: u32,
    data: &[u8],
) -> Result<Vec<u8>, SignError> {
    let pass = bmp_password(password);
    macro_rules! hmac {
        ($d:ty, $v:expr, $len:expr) => {{
            let key = pkcs12_kdf::<$d>(&pass, salt, 3, rounds, $v, $len);
            let mut mac = <Hmac<$d> as KeyInit>::new_from_slice(&key).map_err(p12_err)?;
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }};
    }
    Ok(match hash_oid {
        oids::SHA256 => hmac!(Sha256, 64, 32),
        oids::SHA384 => hmac!(Sha384, 128, 48),
        oids::SHA512 => hmac!(Sha512, 128, 64),
        other => {
            return Err(p12_err(format!(
                "unsupported MAC algorithm {other} (SHA-256/384/512 only; re-export with OpenSSL 3 defaults)"
            )));
        }
    })
}

fn check_mac(mac: &MacData, data: &[u8], password: &str) -> Result<(), SignError> {
    let expected = mac_of(mac.mac.algorithm.oid, password, mac.mac_salt.as_bytes(), mac.iterations, data)?;
    let given = mac.mac.digest.as_bytes();
    // Constant-time comparison of equal-length values.
    let same = expected.len() == given.len() && expected.iter().zip(given).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if same { Ok(()) } else { Err(p12_err("wrong password or corrupted file (MAC mismatch)")) }
}

fn random<const N: usize>() -> Result<[u8; N], SignError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|_| p12_err("the system random generator failed"))?;
    Ok(buf)
}

fn attribute(oid: ObjectIdentifier, value: impl Encode) -> Result<Attribute, SignError> {
    let value = Any::from_der(&value.to_der().map_err(p12_err)?).map_err(p12_err)?;
    Ok(Attribute { oid, values: SetOfVec::try_from(vec![value]).map_err(p12_err)? })
}

fn data_content(bytes: Vec<u8>) -> Result<ContentInfo, SignError> {
    let octets = OctetString::new(bytes).map_err(p12_err)?;
    Ok(ContentInfo { content_type: oids::ID_DATA, content: Any::encode_from(&octets).map_err(p12_err)? })
}

/// Writes `key` and `chain` (signer's certificate first) as a PKCS#12 file: the key in a PBES2 shrouded key bag
/// (PBKDF2-HMAC-SHA-256, AES-256-CBC), the certificates in plain bags, an HMAC-SHA-256 MAC over the whole.
pub(crate) fn build(
    key: &PrivateKey,
    chain: &[Certificate],
    friendly_name: &str,
    password: &str,
) -> Result<Vec<u8>, SignError> {
    let leaf = chain.first().ok_or_else(|| p12_err("no certificate"))?;
    let local_key_id = Sha256::digest(leaf.to_der().map_err(p12_err)?)[..20].to_vec();
    let leaf_attrs = SetOfVec::try_from(vec![
        attribute(oids::FRIENDLY_NAME, BmpString::from_utf8(friendly_name).map_err(p12_err)?)?,
        attribute(oids::LOCAL_KEY_ID, OctetString::new(local_key_id).map_err(p12_err)?)?,
    ])
    .map_err(p12_err)?;

    let mut cert_bags = Vec::new();
    for (i, cert) in chain.iter().enumerate() {
        let bag = CertBag {
            cert_id: oids::X509_CERTIFICATE,
            cert_value: OctetString::new(cert.to_der().map_err(p12_err)?).map_err(p12_err)?,
        };
        cert_bags.push(SafeBag {
            bag_id: oids::CERT_BAG,
            bag_value: Any::encode_from(&bag).map_err(p12_err)?,
            bag_attributes: (i == 0).then(|| leaf_attrs.clone()),
        });
    }

    let params = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(ITERATIONS, &random::<16>()?, random::<16>()?)
        .map_err(p12_err)?;
    let key_der = key.to_pkcs8_der()?;
    let info = pkcs8::PrivateKeyInfoRef::try_from(key_der.as_bytes()).map_err(p12_err)?;
    let encrypted = info.encrypt_with_params(params, password).map_err(p12_err)?;
    let key_bag = SafeBag {
        bag_id: oids::SHROUDED_KEY_BAG,
        bag_value: Any::from_der(encrypted.as_bytes()).map_err(p12_err)?,
        bag_attributes: Some(leaf_attrs),
    };

    let auth_safe = vec![
        data_content(cert_bags.to_der().map_err(p12_err)?)?,
        data_content(vec![key_bag].to_der().map_err(p12_err)?)?,
    ]
    .to_der()
    .map_err(p12_err)?;
    let salt = random::<16>()?;
    let mac = mac_of(oids::SHA256, password, &salt, ITERATIONS, &auth_safe)?;
    let pfx = Pfx {
        version: 3,
        auth_safe: data_content(auth_safe)?,
        mac_data: Some(MacData {
            mac: DigestInfo {
                algorithm: AlgorithmIdentifierOwned { oid: oids::SHA256, parameters: Some(Any::from(der::asn1::Null)) },
                digest: OctetString::new(mac).map_err(p12_err)?,
            },
            mac_salt: OctetString::new(salt.to_vec()).map_err(p12_err)?,
            iterations: ITERATIONS,
        }),
    };
    pfx.to_der().map_err(p12_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The KDF's shape; its agreement with OpenSSL is checked by the integration tests (each reads the other's files).
    #[test]
    fn kdf_is_deterministic_and_id_dependent() {
        let pass = bmp_password("motcua");
        let a = pkcs12_kdf::<Sha256>(&pass, b"saltsalt", 3, 2, 64, 32);
        let b = pkcs12_kdf::<Sha256>(&pass, b"saltsalt", 3, 2, 64, 32);
        let c = pkcs12_kdf::<Sha256>(&pass, b"saltsalt", 1, 2, 64, 32);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(pkcs12_kdf::<Sha256>(&pass, b"saltsalt", 3, 2, 64, 80).len(), 80);
    }
}
