//! Certificate chains: ordering a signer's chain, and validating a signer's certificate at a given time up to a
//! configured trust anchor (each certificate's signature checked with its issuer's key).

use chrono::{DateTime, Utc};
use der::Encode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::name::Name;

use super::dates::from_asn1_time;
use super::keys::verify_signature;

/// Longest chain followed (signer, intermediates, anchor).
const MAX_DEPTH: usize = 8;

/// The common name of `name`, or the whole name when it has none.
pub(crate) fn common_name(name: &Name) -> String {
    match name.common_name() {
        Ok(Some(cn)) => cn.value().into_owned(),
        _ => name.to_string(),
    }
}

fn cn_of(cert: &Certificate) -> String {
    common_name(cert.tbs_certificate().subject())
}

fn self_issued(cert: &Certificate) -> bool {
    cert.tbs_certificate().subject() == cert.tbs_certificate().issuer()
}

/// Puts `certs[leaf]` first and then its issuers in order; certificates outside that chain are dropped.
pub(crate) fn order_chain(mut certs: Vec<Certificate>, leaf: usize) -> Vec<Certificate> {
    let mut chain = vec![certs.remove(leaf)];
    while chain.len() <= MAX_DEPTH {
        let last = &chain[chain.len() - 1];
        if self_issued(last) {
            break;
        }
        let issuer = last.tbs_certificate().issuer();
        match certs.iter().position(|c| c.tbs_certificate().subject() == issuer) {
            Some(i) => chain.push(certs.remove(i)),
            None => break,
        }
    }
    chain
}

/// Checks that `issuer`'s key made `cert`'s signature.
pub(crate) fn signed_by(cert: &Certificate, issuer: &Certificate) -> Result<(), String> {
    let tbs = cert.tbs_certificate().to_der().map_err(|e| e.to_string())?;
    let signature = cert.signature().as_bytes().ok_or("malformed certificate signature")?;
    let key = issuer.tbs_certificate().subject_public_key_info();
    verify_signature(key, cert.signature_algorithm(), None, &tbs, signature)
}

/// Checks `cert`'s validity period at `at`.
pub(crate) fn valid_at(cert: &Certificate, at: DateTime<Utc>) -> Result<(), String> {
    let validity = cert.tbs_certificate().validity();
    let (from, to) = (from_asn1_time(&validity.not_before), from_asn1_time(&validity.not_after));
    if at > to {
        Err(format!("certificate expired: \"{}\" was valid until {to}, signed at {at}", cn_of(cert)))
    } else if at < from {
        Err(format!("certificate not yet valid: \"{}\" is valid from {from}, signed at {at}", cn_of(cert)))
    } else {
        Ok(())
    }
}

fn is_ca(cert: &Certificate) -> bool {
    matches!(cert.tbs_certificate().get_extension::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca)
}

/// Validates `leaf` at `at`: it and every intermediate are within their validity, each is signed by the next,
/// intermediates are CAs, and the path ends at one of `anchors` (by equality, or by a signature an anchor made).
/// `pool` holds the certificates the signature carried.
pub(crate) fn validate(
    leaf: &Certificate,
    pool: &[Certificate],
    anchors: &[Certificate],
    at: DateTime<Utc>,
) -> Result<(), String> {
    valid_at(leaf, at)?;
    let mut current = leaf;
    for _ in 0..MAX_DEPTH {
        if anchors.contains(current) {
            return Ok(());
        }
        let issuer_name = current.tbs_certificate().issuer();
        let mut failure = None;
        for anchor in anchors.iter().filter(|a| a.tbs_certificate().subject() == issuer_name) {
            match signed_by(current, anchor) {
                Ok(()) => return valid_at(anchor, at),
                Err(e) => failure = Some(e),
            }
        }
        let next = pool.iter().filter(|c| *c != current && c.tbs_certificate().subject() == issuer_name).find(|c| {
            match signed_by(current, c) {
                Ok(()) => true,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            }
        });
        match next {
            Some(issuer) => {
                valid_at(issuer, at)?;
                if !is_ca(issuer) {
                    return Err(format!("untrusted: the issuer \"{}\" is not a certificate authority", cn_of(issuer)));
                }
                current = issuer;
            }
            None => {
                return Err(match failure {
                    Some(e) => format!(
                        "untrusted: the certificate of \"{}\" is not signed by its issuer ({e})",
                        cn_of(current)
                    ),
                    None => format!(
                        "untrusted: no chain from \"{}\" to a trust anchor (issuer \"{}\" is not trusted)",
                        cn_of(leaf),
                        common_name(issuer_name)
                    ),
                });
            }
        }
    }
    Err(format!("untrusted: the chain of \"{}\" is too long", cn_of(leaf)))
}
