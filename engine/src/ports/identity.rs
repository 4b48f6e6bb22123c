//! The national e-identity (VNeID) as citizens sign in with it: an OpenID Connect provider the browser is sent
//! to, and the identity it vouches for when the browser comes back with a code.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::codes::Sex;

/// A sign-in begun: where to send the browser, and what to keep until it comes back (the state names the
/// attempt; the nonce and the PKCE verifier prove the answer is to this attempt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// The identity the provider vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifiedIdentity {
    pub personal_id: String,
    pub name: String,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    /// Verified level of the account: 1 or 2.
    pub level: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached, timed out, or answered 5xx.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the request (e.g. `invalid_grant` for a spent code or a wrong verifier).
    #[error("the identity provider refused: {0}")]
    Refused(String),
    /// The ID token is not one we can trust (signature, issuer, audience, expiry, nonce, claims).
    #[error("the ID token is invalid: {0}")]
    InvalidToken(String),
    /// The provider's metadata breaks the protocol (issuer mismatch, no S256, unreadable JSON).
    #[error("the identity provider is misconfigured: {0}")]
    Misconfigured(String),
}

pub trait IdentityProvider: Send + Sync {
    /// Starts a sign-in that returns to `redirect_uri` (`login_hint`: the personal id the citizen typed).
    fn authorize(&self, redirect_uri: &str, login_hint: Option<&str>) -> Result<Authorization, OidcError>;
    /// Redeems the code the browser came back with and checks the identity token it is answered.
    fn sign_in(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<VerifiedIdentity, OidcError>;
}
