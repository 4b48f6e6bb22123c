//! Unguessable tokens: refresh tokens, secrets, sign-in states and nonces, CSRF tokens, idempotency keys.

use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes from the operating system's generator, base64url without padding (32 bytes: 43
/// characters, as RFC 7636 asks of a PKCE verifier).
pub fn token(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// The SHA-256 of a token (hex), as the store keeps those it must recognise and never show again.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_url_safe_and_differ() {
        let (a, b) = (super::token(32), super::token(32));
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
}
