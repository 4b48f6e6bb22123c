//! OpenID Connect client for the national e-identity (VNeID): authorization code flow with PKCE (RFC 7636,
//! S256 only), confidential client (`client_secret_basic`, or `client_secret_post` when the provider offers only
//! that), ID tokens signed RS256 and checked against the provider's JWKS.
//!
//! The ID token carries the verified identity: `sub` = the 12-digit personal id, `name`, `birthdate`
//! (YYYY-MM-DD), `gender` (`male` | `female`) and `level`, the account's verified level (1: registered online,
//! 2: verified in person with the chip ID card). The simulator `motcua sim idp` holds the other end.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::NaiveDate;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use reqwest::blocking::Client;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::outside::OidcProvider;
use crate::domain::codes::{PersonalId, Sex};
use crate::ports::identity::{Authorization, IdentityProvider, OidcError, VerifiedIdentity};

/// The scopes asked for: the identity and the profile claims.
pub const SCOPE: &str = "openid profile";

/// How long discovery documents and key sets are reused before they are fetched again.
const CACHE_FOR: Duration = Duration::from_secs(3600);

/// The parts of `/.well-known/openid-configuration` the flow needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
}

/// A PKCE pair: the verifier stays with us, the challenge goes to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

/// The S256 challenge of a verifier: base64url(SHA-256(verifier)).
pub fn s256_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub fn new_pkce() -> Pkce {
    let verifier = crate::random::token(32);
    Pkce { challenge: s256_challenge(&verifier), verifier }
}

#[derive(Debug, Deserialize)]
struct TokenResponse {
    id_token: Option<String>,
    token_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorResponse {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// The claims we read; `iss`, `aud` and `exp` are checked by the validation itself.
#[derive(Debug, Deserialize)]
struct IdClaims {
    sub: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    azp: Option<String>,
    /// One audience or several (checked by the validation; read here to see whether there are several).
    #[serde(default)]
    aud: serde_json::Value,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    birthdate: Option<String>,
    #[serde(default)]
    gender: Option<String>,
    #[serde(default)]
    level: Option<u8>,
}

#[derive(Default)]
struct Cached {
    discovery: Option<(Instant, Discovery)>,
    keys: Option<(Instant, JwkSet)>,
}

/// Per issuer: what the provider published. Sign-ins are rare and short, so a process-wide table is enough;
/// an unknown key id makes the key set be fetched again (the provider rotated its keys).
static CACHE: LazyLock<Mutex<HashMap<String, Cached>>> = LazyLock::new(Default::default);

/// The client of one configured provider.
pub struct OidcClient {
    provider: OidcProvider,
    http: Client,
}

impl OidcClient {
    pub fn new(provider: OidcProvider, timeout: Duration) -> OidcClient {
        OidcClient { provider, http: super::http::client(timeout) }
    }

    fn issuer(&self) -> &str {
        self.provider.issuer.trim_end_matches('/')
    }

    fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, OidcError> {
        let response = self.http.get(url).header("Accept", "application/json").send().map_err(unavailable)?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(OidcError::Unavailable(format!("GET {url}: HTTP {}", status.as_u16())));
        }
        if !status.is_success() {
            return Err(OidcError::Misconfigured(format!("GET {url}: HTTP {}", status.as_u16())));
        }
        response.json().map_err(|e| OidcError::Misconfigured(format!("GET {url}: {e}")))
    }

    /// The provider's metadata; its `issuer` must be the configured one (OpenID Connect Discovery §4.3).
    pub fn discover(&self) -> Result<Discovery, OidcError> {
        if let Some((at, discovery)) = &cache().entry(self.issuer().to_string()).or_default().discovery
            && at.elapsed() < CACHE_FOR
        {
            return Ok(discovery.clone());
        }
        let url = format!("{}/.well-known/openid-configuration", self.issuer());
        let discovery: Discovery = self.get_json(&url)?;
        if discovery.issuer.trim_end_matches('/') != self.issuer() {
            return Err(OidcError::Misconfigured(format!(
                "the discovery document names issuer {} instead of {}",
                discovery.issuer,
                self.issuer()
            )));
        }
        if !discovery.code_challenge_methods_supported.as_ref().is_some_and(|m| m.iter().any(|m| m == "S256")) {
            return Err(OidcError::Misconfigured("the provider does not offer PKCE with S256".into()));
        }
        cache().entry(self.issuer().to_string()).or_default().discovery = Some((Instant::now(), discovery.clone()));
        Ok(discovery)
    }

    /// Where to send the citizen's browser: the authorization endpoint with the request in its query.
    pub fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        nonce: &str,
        challenge: &str,
        login_hint: Option<&str>,
    ) -> Result<String, OidcError> {
        let discovery = self.discover()?;
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", self.provider.client_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("scope", SCOPE),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ];
        if let Some(hint) = login_hint {
            params.push(("login_hint", hint));
        }
        let url = reqwest::Url::parse_with_params(&discovery.authorization_endpoint, &params)
            .map_err(|e| OidcError::Misconfigured(format!("authorization endpoint: {e}")))?;
        Ok(url.to_string())
    }

    fn exchange(
        &self,
        discovery: &Discovery,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<String, OidcError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ];
        // client_secret_basic is the default (OpenID Connect Core §9); post only when basic is not offered.
        let basic = discovery
            .token_endpoint_auth_methods_supported
            .as_ref()
            .is_none_or(|methods| methods.iter().any(|m| m == "client_secret_basic"));
        let mut request = self.http.post(&discovery.token_endpoint).header("Accept", "application/json");
        if basic {
            let credentials =
                format!("{}:{}", form_encode(&self.provider.client_id), form_encode(&self.provider.client_secret));
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            request = request.header("Authorization", format!("Basic {encoded}"));
        } else {
            form.push(("client_id", &self.provider.client_id));
            form.push(("client_secret", &self.provider.client_secret));
        }
        let response = request.form(&form).send().map_err(unavailable)?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(OidcError::Unavailable(format!("token endpoint: HTTP {}", status.as_u16())));
        }
        if !status.is_success() {
            let reason = match response.json::<ErrorResponse>() {
                Ok(e) => format!("{}{}", e.error, e.error_description.map(|d| format!(": {d}")).unwrap_or_default()),
                Err(_) => format!("HTTP {}", status.as_u16()),
            };
            return Err(OidcError::Refused(reason));
        }
        let answer: TokenResponse =
            response.json().map_err(|e| OidcError::Misconfigured(format!("token response: {e}")))?;
        if !answer.token_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("bearer")) {
            return Err(OidcError::Misconfigured("the token response is not of type Bearer".into()));
        }
        answer.id_token.ok_or_else(|| OidcError::Misconfigured("the token response has no id_token".into()))
    }

    /// The provider's signing key `kid`, fetching the key set again once if it is not known yet.
    fn key(&self, discovery: &Discovery, kid: &str) -> Result<Jwk, OidcError> {
        let cached = cache()
            .get(self.issuer())
            .and_then(|c| c.keys.as_ref())
            .filter(|(at, _)| at.elapsed() < CACHE_FOR)
            .and_then(|(_, set)| set.find(kid).cloned());
        if let Some(key) = cached {
            return Ok(key);
        }
        let set: JwkSet = self.get_json(&discovery.jwks_uri)?;
        let key = set.find(kid).cloned();
        cache().entry(self.issuer().to_string()).or_default().keys = Some((Instant::now(), set));
        key.ok_or_else(|| OidcError::InvalidToken(format!("no key `{kid}` in the provider's key set")))
    }

    /// Checks signature (RS256 only), issuer, audience, expiry and nonce, then reads the identity claims.
    pub fn verify_id_token(
        &self,
        discovery: &Discovery,
        id_token: &str,
        nonce: &str,
    ) -> Result<VerifiedIdentity, OidcError> {
        let invalid = |why: String| OidcError::InvalidToken(why);
        let header = decode_header(id_token).map_err(|e| invalid(format!("header: {e}")))?;
        if header.alg != Algorithm::RS256 {
            return Err(invalid(format!("signed with {:?}, not RS256", header.alg)));
        }
        let kid = header.kid.ok_or_else(|| invalid("the header names no key (kid)".into()))?;
        let jwk = self.key(discovery, &kid)?;
        let rsa = matches!(jwk.algorithm, AlgorithmParameters::RSA(_));
        if !rsa || jwk.common.key_algorithm.is_some_and(|a| a != KeyAlgorithm::RS256) {
            return Err(invalid(format!("key `{kid}` is not an RS256 key")));
        }
        let key = DecodingKey::from_jwk(&jwk).map_err(|e| invalid(format!("key `{kid}`: {e}")))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[discovery.issuer.as_str()]);
        validation.set_audience(&[self.provider.client_id.as_str()]);
        validation.set_required_spec_claims(&["iss", "aud", "exp", "sub"]);
        validation.leeway = 30;
        let claims = decode::<IdClaims>(id_token, &key, &validation).map_err(|e| invalid(e.to_string()))?.claims;
        if claims.nonce.as_deref() != Some(nonce) {
            return Err(invalid("the nonce is not the one of this sign-in".into()));
        }
        let several = claims.aud.as_array().is_some_and(|all| all.len() > 1);
        if (several || claims.azp.is_some()) && claims.azp.as_deref() != Some(self.provider.client_id.as_str()) {
            return Err(invalid("the token was issued to another party (azp)".into()));
        }
        identity_of(claims).map_err(invalid)
    }
}

fn identity_of(claims: IdClaims) -> Result<VerifiedIdentity, String> {
    let id = PersonalId::parse(&claims.sub).map_err(|e| format!("sub is not a personal id: {e}"))?;
    let name = claims.name.filter(|n| !n.trim().is_empty()).ok_or("the token has no name")?;
    let birth_date = match claims.birthdate {
        None => None,
        Some(text) => Some(NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| format!("birthdate {text:?}"))?),
    };
    let sex = match claims.gender.as_deref() {
        None => None,
        Some("male") => Some(Sex::Male),
        Some("female") => Some(Sex::Female),
        Some(other) => return Err(format!("gender {other:?}")),
    };
    id.check(birth_date, sex).map_err(|e| format!("the claims contradict the personal id: {e}"))?;
    // An account without a level claim has not been verified: level 1.
    let level = claims.level.unwrap_or(1);
    if !(1..=2).contains(&level) {
        return Err(format!("unknown level {level}"));
    }
    Ok(VerifiedIdentity { personal_id: id.as_str().to_string(), name: name.trim().to_string(), birth_date, sex, level })
}

fn cache() -> std::sync::MutexGuard<'static, HashMap<String, Cached>> {
    CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl IdentityProvider for OidcClient {
    fn authorize(&self, redirect_uri: &str, login_hint: Option<&str>) -> Result<Authorization, OidcError> {
        let pkce = new_pkce();
        let (state, nonce) = (crate::random::token(32), crate::random::token(32));
        let url = self.authorization_url(redirect_uri, &state, &nonce, &pkce.challenge, login_hint)?;
        Ok(Authorization { url, state, nonce, verifier: pkce.verifier })
    }

    /// Redeems the code at the token endpoint and checks the ID token it answers.
    fn sign_in(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<VerifiedIdentity, OidcError> {
        let discovery = self.discover()?;
        let id_token = self.exchange(&discovery, code, redirect_uri, verifier)?;
        self.verify_id_token(&discovery, &id_token, nonce)
    }
}

fn unavailable(e: reqwest::Error) -> OidcError {
    OidcError::Unavailable(if e.is_timeout() { "timed out".into() } else { e.to_string() })
}

/// `application/x-www-form-urlencoded` encoding of one value, which client_secret_basic applies before base64
/// (RFC 6749 §2.3.1).
pub fn form_encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Reverses `form_encode` (`+` is a space; a `%` not followed by two hex digits stays as it is); `None` for
/// bytes that are not UTF-8.
pub fn form_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8().ok().map(|t| t.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_s256_challenge_is_the_rfc_7636_example() {
        // RFC 7636 Appendix B.
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let pkce = new_pkce();
        assert_eq!(pkce.verifier.len(), 43);
        assert_eq!(pkce.challenge, s256_challenge(&pkce.verifier));
    }

    #[test]
    fn form_encoding_escapes_what_basic_credentials_need() {
        assert_eq!(form_encode("a b:c%d"), "a+b%3Ac%25d");
        assert_eq!(form_decode("a+b%3Ac%25d").as_deref(), Some("a b:c%d"));
        assert_eq!(form_decode("%4").as_deref(), Some("%4"));
        assert_eq!(form_decode("%FF"), None, "not UTF-8");
    }

    #[test]
    fn claims_must_agree_with_the_personal_id() {
        let claims = |birthdate: &str, gender: &str| IdClaims {
            sub: "031190012345".into(),
            nonce: None,
            azp: None,
            aud: serde_json::Value::Null,
            name: Some("Nguyễn Thị Hường".into()),
            birthdate: Some(birthdate.into()),
            gender: Some(gender.into()),
            level: Some(2),
        };
        let ok = identity_of(claims("1990-05-17", "female")).unwrap();
        assert_eq!((ok.level, ok.sex), (2, Some(Sex::Female)));
        assert!(identity_of(claims("1991-05-17", "female")).is_err(), "birth year differs from the id");
        assert!(identity_of(claims("1990-05-17", "male")).is_err(), "sex differs from the id");
        assert!(identity_of(IdClaims { sub: "12345".into(), ..claims("1990-05-17", "female") }).is_err());
    }
}
