//! Citizens sign in with the national e-identity (DESIGN.md §10-11; OpenID Connect, authorization code + PKCE):
//! `begin_sign_in` keeps the state, PKCE verifier and nonce and answers the provider's URL; `finish_sign_in`
//! takes that row out (single use, 10 minutes at most), redeems the code and checks the ID token. Only accounts of
//! verified level 2 are let in: level 1 accounts are registered online without an in-person check, and every
//! use case of a signed-in citizen is a public-service transaction in their name.

use chrono::TimeDelta;

use super::Identity;
use super::{ServiceError, ServiceResult, Services};
use crate::domain::identity::{Caller, CitizenIdentity};
use crate::ports::identity::{IdentityProvider, OidcError, VerifiedIdentity};
use crate::store::identity::{self as store, SignInAttempt};
use crate::store::{from_db, to_db};

/// How long a sign-in may take between the redirect to the provider and its callback.
pub const SIGN_IN_LIFETIME: TimeDelta = TimeDelta::minutes(10);
/// The verified level an e-identity account needs to sign in here.
pub const REQUIRED_LEVEL: u8 = 2;
/// Where the provider sends the citizen back, under the public URL.
pub const CALLBACK_PATH: &str = "/api/v1/auth/citizen/callback";

/// Why a citizen's sign-in did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("no identity provider is configured (MOTCUA_OIDC_ISSUER)")]
    NotConfigured,
    #[error("return_to must be a path of this site, e.g. /ho-so")]
    BadReturnTo,
    #[error("login_hint must be a 12-digit personal id")]
    BadLoginHint,
    #[error("this sign-in is unknown or was already completed")]
    UnknownState,
    #[error("this sign-in took longer than 10 minutes; start again")]
    Expired,
    #[error("{0}")]
    Provider(#[from] OidcError),
    /// The provider answered the callback with an error (the citizen cancelled, or it refused the request).
    #[error("the identity provider answered {0}")]
    ProviderAnswered(String),
    #[error("the e-identity account is of level {0}; level 2 is required")]
    LevelTooLow(u8),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl SignInError {
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::NotConfigured => "auth.provider_not_configured",
            SignInError::BadReturnTo => "auth.invalid_return_to",
            SignInError::BadLoginHint => "auth.invalid_login_hint",
            SignInError::UnknownState => "auth.sign_in_unknown",
            SignInError::Expired => "auth.sign_in_expired",
            SignInError::Provider(OidcError::Unavailable(_)) => "auth.provider_unavailable",
            SignInError::Provider(OidcError::Misconfigured(_)) => "auth.provider_misconfigured",
            SignInError::Provider(OidcError::Refused(_)) | SignInError::ProviderAnswered(_) => "auth.provider_refused",
            SignInError::Provider(OidcError::InvalidToken(_)) => "auth.id_token_invalid",
            SignInError::LevelTooLow(_) => "auth.level_too_low",
            SignInError::Service(e) => e.code(),
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            SignInError::NotConfigured => 503,
            SignInError::BadReturnTo | SignInError::BadLoginHint | SignInError::UnknownState | SignInError::Expired => {
                400
            }
            SignInError::Provider(OidcError::Unavailable(_) | OidcError::Misconfigured(_)) => 502,
            SignInError::Provider(OidcError::Refused(_) | OidcError::InvalidToken(_))
            | SignInError::ProviderAnswered(_) => 401,
            SignInError::LevelTooLow(_) => 403,
            SignInError::Service(e) => e.http_status(),
        }
    }
}

/// What the provider's redirect back carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Code(String),
    Error { error: String, description: Option<String> },
}

/// A completed sign-in: who, what the provider vouched for, and where the browser goes next.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub citizen: CitizenIdentity,
    pub verified: VerifiedIdentity,
    pub return_to: String,
}

/// A path of this site to return to after sign-in; anything else (another site, `//host`) is refused.
fn valid_return_to(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2000
        && !path.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
}

impl Services {
    fn identity_provider(&self) -> Result<&dyn IdentityProvider, SignInError> {
        self.ports.identity.as_deref().ok_or(SignInError::NotConfigured)
    }

    fn complete_sign_in(&self, state: &str, callback: Callback) -> Result<SignedIn, SignInError> {
        let provider = self.identity_provider()?;
        let attempt = self
            .db
            .write(|conn| store::take_attempt(conn, state).map_err(ServiceError::from))?
            .ok_or(SignInError::UnknownState)?;
        if from_db(attempt.created_at) + SIGN_IN_LIFETIME < self.now() {
            return Err(SignInError::Expired);
        }
        let code = match callback {
            Callback::Code(code) => code,
            Callback::Error { error, description } => {
                return Err(SignInError::ProviderAnswered(match description {
                    Some(d) => format!("{error}: {d}"),
                    None => error,
                }));
            }
        };
        let verified =
            provider.sign_in(&code, &self.identity().citizen_redirect_uri(), &attempt.code_verifier, &attempt.nonce)?;
        if verified.level < REQUIRED_LEVEL {
            return Err(SignInError::LevelTooLow(verified.level));
        }
        Ok(SignedIn {
            citizen: CitizenIdentity {
                id_number: verified.personal_id.clone(),
                name: verified.name.clone(),
                birth_date: verified.birth_date,
            },
            verified,
            return_to: attempt.return_to.unwrap_or_else(|| "/".into()),
        })
    }
}

impl Identity<'_> {
    /// The redirect URI registered with the provider: the callback under the public URL.
    pub fn citizen_redirect_uri(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.config.public_url.trim_end_matches('/'))
    }

    /// Starts a sign-in: stores its state, PKCE verifier and nonce, and answers the provider's URL to send the
    /// browser to.
    pub fn begin_sign_in(&self, return_to: Option<&str>, login_hint: Option<&str>) -> Result<String, SignInError> {
        let return_to = return_to.filter(|r| !r.is_empty());
        if return_to.is_some_and(|r| !valid_return_to(r)) {
            return Err(SignInError::BadReturnTo);
        }
        if login_hint.is_some_and(|h| h.len() != 12 || !h.bytes().all(|b| b.is_ascii_digit())) {
            return Err(SignInError::BadLoginHint);
        }
        let authorization = self.identity_provider()?.authorize(&self.citizen_redirect_uri(), login_hint)?;
        let now = self.now();
        let attempt = SignInAttempt {
            state: authorization.state,
            code_verifier: authorization.verifier,
            nonce: authorization.nonce,
            return_to: return_to.map(str::to_string),
            created_at: to_db(now),
        };
        self.db.write(|conn| -> ServiceResult<()> {
            store::delete_attempts_before(conn, now - SIGN_IN_LIFETIME)?;
            store::insert_attempt(conn, &attempt)?;
            Ok(())
        })?;
        Ok(authorization.url)
    }

    /// Completes a sign-in from the provider's redirect back. The state is spent whatever happens next, so a
    /// callback cannot be replayed.
    pub fn finish_sign_in(&self, state: &str, callback: Callback) -> Result<SignedIn, SignInError> {
        let outcome = self.complete_sign_in(state, callback);
        match &outcome {
            Ok(signed_in) => self.audit(&Caller::Citizen(signed_in.citizen.clone()).label(), "sign_in", "ok"),
            Err(e) => self.audit("citizen:?", "sign_in", &format!("denied:{}", e.code())),
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_stays_on_this_site() {
        for good in ["/", "/ho-so", "/ho-so?trang=2#ket-qua"] {
            assert!(valid_return_to(good), "{good}");
        }
        for bad in ["", "ho-so", "//evil.example", "https://evil.example/", "/\\evil.example", "/a b", "/a\nb"] {
            assert!(!valid_return_to(bad), "{bad:?}");
        }
    }
}
