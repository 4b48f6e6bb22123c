//! Private keys of the built-in signer (RSA or ECDSA P-256) and public-key signature checks. A private key never
//! leaves this module except as an encrypted PKCS#12 bag or the PEM the demo PKI writes to a 0600 file.

use der::asn1::Null;
use der::{Any, Decode, Encode};
use p256::ecdsa::DerSignature;
use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, SecretDocument};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use sha2_next::{Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;
use signature::{SignatureEncoding, Signer as _};
use spki::{AlgorithmIdentifierOwned, DecodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

use super::error::SignError;
use super::oids;

/// A signing key. Its `Debug` shows the algorithm only.
pub(crate) enum PrivateKey {
    Rsa(rsa::pkcs1v15::SigningKey<Sha256>),
    P256(p256::ecdsa::SigningKey),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({}, redacted)", self.algorithm_name())
    }
}

impl PrivateKey {
    /// Reads a PKCS#8 `PrivateKeyInfo` (DER).
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self, SignError> {
        let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|_| bad_key("not a PKCS#8 private key"))?;
        let oid = info.algorithm.oid;
        if oid == oids::RSA_ENCRYPTION {
            let key = rsa::PrivateKey::from_pkcs8_der(der).map_err(|_| bad_key("unreadable RSA key"))?;
            Ok(PrivateKey::Rsa(rsa::pkcs1v15::SigningKey::new(key)))
        } else if oid == oids::EC_PUBLIC_KEY {
            let key = p256::ecdsa::SigningKey::from_pkcs8_der(der)
                .map_err(|_| bad_key("only ECDSA keys on P-256 are supported"))?;
            Ok(PrivateKey::P256(key))
        } else {
            Err(bad_key(&format!("unsupported key algorithm {oid} (RSA or ECDSA P-256 only)")))
        }
    }

    /// Reads a PEM private key: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`).
    pub(crate) fn from_pem(pem: &str) -> Result<Self, SignError> {
        let label = pem
            .lines()
            .find_map(|l| l.trim().strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")))
            .ok_or_else(|| bad_key("no PEM private key found"))?;
        match label {
            "PRIVATE KEY" => {
                let (_, doc) = SecretDocument::from_pem(pem).map_err(|_| bad_key("unreadable PEM private key"))?;
                Self::from_pkcs8_der(doc.as_bytes())
            }
            "RSA PRIVATE KEY" => {
                let key = rsa::PrivateKey::from_pkcs1_pem(pem).map_err(|_| bad_key("unreadable RSA private key"))?;
                Ok(PrivateKey::Rsa(rsa::pkcs1v15::SigningKey::new(key)))
            }
            "EC PRIVATE KEY" => {
                let key = p256::SecretKey::from_sec1_pem(pem)
                    .map_err(|_| bad_key("unreadable EC private key (only P-256 is supported)"))?;
                Ok(PrivateKey::P256(key.into()))
            }
            "ENCRYPTED PRIVATE KEY" => {
                Err(bad_key("the PEM private key is encrypted: use the PKCS#12 file with its password"))
            }
            other => Err(bad_key(&format!("unexpected PEM block {other:?}"))),
        }
    }

    /// Makes a new key: RSA 2048 or ECDSA P-256.
    pub(crate) fn generate(rsa: bool) -> Result<Self, SignError> {
        let mut rng = getrandom::SysRng;
        if rsa {
            let key = rsa::PrivateKey::new(&mut rng, 2048).map_err(|e| bad_key(&format!("RSA key generation: {e}")))?;
            Ok(PrivateKey::Rsa(rsa::pkcs1v15::SigningKey::new(key)))
        } else {
            use p256::elliptic_curve::Generate;
            let key = p256::ecdsa::SigningKey::try_generate_from_rng(&mut rng)
                .map_err(|_| bad_key("the system random generator failed"))?;
            Ok(PrivateKey::P256(key))
        }
    }

    pub(crate) fn algorithm_name(&self) -> String {
        match self {
            PrivateKey::Rsa(k) => format!("RSA-{}", k.as_ref().n().bit_width()),
            PrivateKey::P256(_) => "ECDSA P-256".into(),
        }
    }

    /// The key's PKCS#8 DER (zeroised on drop).
    pub(crate) fn to_pkcs8_der(&self) -> Result<SecretDocument, SignError> {
        match self {
            PrivateKey::Rsa(k) => k.to_pkcs8_der(),
            PrivateKey::P256(k) => k.to_pkcs8_der(),
        }
        .map_err(|_| bad_key("cannot encode the private key"))
    }

    pub(crate) fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, SignError> {
        let doc = match self {
            PrivateKey::Rsa(k) => k.as_ref().to_public_key().to_public_key_der(),
            PrivateKey::P256(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(|e| bad_key(&format!("cannot encode the public key: {e}")))?;
        SubjectPublicKeyInfoOwned::from_der(doc.as_bytes()).map_err(|e| bad_key(&e.to_string()))
    }

    /// The signature algorithm of [`PrivateKey::sign`] (always with SHA-256).
    pub(crate) fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            PrivateKey::Rsa(_) => {
                AlgorithmIdentifierOwned { oid: oids::SHA256_WITH_RSA, parameters: Some(Any::from(Null)) }
            }
            PrivateKey::P256(_) => AlgorithmIdentifierOwned { oid: oids::ECDSA_WITH_SHA256, parameters: None },
        }
    }

    /// Signs `message` (hashed with SHA-256 here): PKCS#1 v1.5 for RSA, a DER `ECDSA-Sig-Value` for P-256.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match self {
            PrivateKey::Rsa(k) => {
                k.try_sign(message).map(|s| s.to_vec()).map_err(|_| SignError::Cms("RSA signing failed".into()))
            }
            PrivateKey::P256(k) => {
                let sig: DerSignature =
                    k.try_sign(message).map_err(|_| SignError::Cms("ECDSA signing failed".into()))?;
                Ok(sig.to_vec())
            }
        }
    }

    /// Whether `cert` carries this key's public half.
    pub(crate) fn matches(&self, cert: &Certificate) -> bool {
        let Ok(ours) = self.public_key_info() else { return false };
        let theirs = cert.tbs_certificate().subject_public_key_info();
        ours.algorithm.oid == theirs.algorithm.oid && ours.subject_public_key == theirs.subject_public_key
    }
}

fn bad_key(what: &str) -> SignError {
    SignError::Key(what.to_string())
}

/// A hash algorithm CMS and X.509 signatures may use here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(crate) fn from_digest_oid(oid: &der::asn1::ObjectIdentifier) -> Option<Hash> {
        match *oid {
            oids::SHA256 => Some(Hash::Sha256),
            oids::SHA384 => Some(Hash::Sha384),
            oids::SHA512 => Some(Hash::Sha512),
            _ => None,
        }
    }

    pub(crate) fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        use sha2_next::Digest;
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            Hash::Sha256 => run::<Sha256>(parts),
            Hash::Sha384 => run::<Sha384>(parts),
            Hash::Sha512 => run::<Sha512>(parts),
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        self.digest_parts(&[data])
    }
}

/// Checks `signature` over `message` with the public key `spki`, for a signature algorithm `sig_alg` (the hash
/// comes from `sig_alg` when it names one, otherwise from `hash`, as CMS allows `rsaEncryption` there).
pub(crate) fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    hash: Option<Hash>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let named = match sig_alg.oid {
        oids::SHA256_WITH_RSA | oids::ECDSA_WITH_SHA256 => Some(Hash::Sha256),
        oids::SHA384_WITH_RSA | oids::ECDSA_WITH_SHA384 => Some(Hash::Sha384),
        oids::SHA512_WITH_RSA | oids::ECDSA_WITH_SHA512 => Some(Hash::Sha512),
        oids::RSA_ENCRYPTION | oids::EC_PUBLIC_KEY => None,
        other => return Err(format!("unsupported signature algorithm {other}")),
    };
    let hash = named.or(hash).ok_or("the signature algorithm names no hash")?;
    let prehash = hash.digest(message);
    let spki_der = spki.to_der().map_err(|e| e.to_string())?;
    match spki.algorithm.oid {
        oids::RSA_ENCRYPTION => {
            if !matches!(
                sig_alg.oid,
                oids::RSA_ENCRYPTION | oids::SHA256_WITH_RSA | oids::SHA384_WITH_RSA | oids::SHA512_WITH_RSA
            ) {
                return Err("signature algorithm does not match the RSA key".into());
            }
            let key = rsa::PublicKey::from_public_key_der(&spki_der).map_err(|e| format!("bad RSA key: {e}"))?;
            let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| "malformed RSA signature")?;
            let ok = match hash {
                Hash::Sha256 => rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key).verify_prehash(&prehash, &sig),
                Hash::Sha384 => rsa::pkcs1v15::VerifyingKey::<Sha384>::new(key).verify_prehash(&prehash, &sig),
                Hash::Sha512 => rsa::pkcs1v15::VerifyingKey::<Sha512>::new(key).verify_prehash(&prehash, &sig),
            };
            ok.map_err(|_| "the RSA signature does not verify".to_string())
        }
        oids::EC_PUBLIC_KEY => {
            let curve =
                spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
            if curve != Some(oids::SECP256R1) {
                return Err("unsupported elliptic curve (P-256 only)".into());
            }
            let key =
                p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der).map_err(|e| format!("bad P-256 key: {e}"))?;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| "malformed ECDSA signature")?;
            key.verify_prehash(&prehash, &sig).map_err(|_| "the ECDSA signature does not verify".to_string())
        }
        other => Err(format!("unsupported public key algorithm {other}")),
    }
}
