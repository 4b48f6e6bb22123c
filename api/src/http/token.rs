//! Service accounts (the national portal connector, other agencies) take access tokens with client credentials
//! (RFC 6749 §4.4).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use base64::Engine as _;
use motcua_engine::adapters::oidc::form_decode;
use motcua_engine::domain::identity::ServiceIdentity;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::{ACCESS_LIFETIME_SECS, issue_service_token};
use super::problem::Problem;

/// An OAuth 2.0 error (RFC 6749 §5.2), not a problem: clients of the token endpoint expect this shape.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OAuthError<'a> {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type` or `invalid_scope`.
    pub error: &'a str,
    pub error_description: &'a str,
}

/// A client credentials request (RFC 6749 §4.4), as a form (or a JSON object of strings).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct TokenRequest {
    /// `client_credentials`.
    grant_type: String,
    /// With `client_secret`, unless they come in HTTP Basic.
    client_id: Option<String>,
    client_secret: Option<String>,
    /// Space-separated scopes, a subset of the account's.
    scope: Option<String>,
}

fn oauth_error(status: u16, error: &str, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST));
    if status == 401 {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"motcua\""));
    }
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(OAuthError { error, error_description: description })
}

/// The parameters of a token request, from a form or a JSON object; none may be repeated.
fn token_params(req: &HttpRequest, body: &[u8]) -> Result<Vec<(String, String)>, &'static str> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let params: Vec<(String, String)> = if content_type.starts_with("application/x-www-form-urlencoded") {
        std::str::from_utf8(body).map_err(|_| "the form is not UTF-8")?;
        form_urlencoded::parse(body).map(|(name, value)| (name.into_owned(), value.into_owned())).collect()
    } else if content_type.starts_with("application/json") {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(body).map_err(|_| "the body is not a JSON object")?;
        object
            .into_iter()
            .map(|(name, value)| match value {
                serde_json::Value::String(text) => Some((name, text)),
                _ => None,
            })
            .collect::<Option<_>>()
            .ok_or("every parameter must be a string")?
    } else {
        return Err("send application/x-www-form-urlencoded (or application/json)");
    };
    let mut names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Err("a parameter is repeated");
    }
    Ok(params)
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1: form-encoded, then base64).
fn basic_credentials(req: &HttpRequest) -> Option<Result<(String, String), ()>> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok();
    let text = decoded.and_then(|d| String::from_utf8(d).ok());
    Some(
        text.as_deref()
            .and_then(|t| t.split_once(':'))
            .and_then(|(id, secret)| Some((form_decode(id)?, form_decode(secret)?)))
            .ok_or(()),
    )
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceTokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    /// The scopes granted, space-separated.
    pub scope: String,
}

/// Client credentials grant (RFC 6749 §4.4) for service accounts: `grant_type=client_credentials`, the client
/// id and secret in HTTP Basic or in the body, and optionally `scope` (a subset of the account's scopes). Errors
/// are RFC 6749 JSON (`invalid_client` with 401, `invalid_request`, `unsupported_grant_type`, `invalid_scope`).
#[utoipa::path(tag = "auth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = ServiceTokens), (status = 400, body = OAuthError), (status = 401, body = OAuthError)))]
#[post("/auth/token")]
pub async fn token(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let params = match token_params(&req, &body) {
        Ok(params) => params,
        Err(why) => return oauth_error(400, "invalid_request", why),
    };
    let param = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let from_body = match (param("client_id"), param("client_secret")) {
        (Some(id), Some(secret)) => Some((id, secret)),
        (None, None) => None,
        _ => return oauth_error(400, "invalid_request", "send client_id with client_secret"),
    };
    let credentials = match (basic_credentials(&req), from_body) {
        (Some(_), Some(_)) => return oauth_error(400, "invalid_request", "use one client authentication method"),
        (Some(Err(())), None) => return oauth_error(401, "invalid_client", "unreadable Basic credentials"),
        (Some(Ok(pair)), None) | (None, Some(pair)) => pair,
        (None, None) => return oauth_error(401, "invalid_client", "client authentication is required"),
    };
    match param("grant_type").as_deref() {
        Some("client_credentials") => {}
        None => return oauth_error(400, "invalid_request", "grant_type is required"),
        Some(_) => return oauth_error(400, "unsupported_grant_type", "only client_credentials is offered here"),
    }
    let services = state.services.clone();
    let (client_id, secret) = credentials;
    let identity = match web::block(move || services.identity().authenticate_client(&client_id, &secret)).await {
        Ok(Ok(identity)) => identity,
        Ok(Err(e)) if e.http_status() == 401 => {
            return oauth_error(401, "invalid_client", "unknown client, wrong secret, or disabled");
        }
        Ok(Err(e)) => return actix_web::ResponseError::error_response(&Problem::from(e)),
        Err(_) => return actix_web::ResponseError::error_response(&Problem::server_error()),
    };
    let granted = match param("scope") {
        None => identity.scopes.clone(),
        Some(requested) => {
            let requested: Vec<String> = requested.split_whitespace().map(str::to_string).collect();
            if !motcua_engine::domain::policy::scopes_granted(&identity, &requested) {
                return oauth_error(400, "invalid_scope", "a requested scope is not granted to this client");
            }
            requested
        }
    };
    let granted = ServiceIdentity { name: identity.name, scopes: granted };
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(ServiceTokens {
            access_token: issue_service_token(&state.keys, &granted),
            token_type: "Bearer",
            expires_in: ACCESS_LIFETIME_SECS,
            scope: granted.scopes.join(" "),
        })
}
