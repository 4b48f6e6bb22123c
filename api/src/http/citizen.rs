//! Callers from outside: citizens signing in with the national e-identity (OpenID Connect, code + PKCE) and then
//! using their own dossiers under `/me`, and service accounts taking tokens with client credentials.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine as _;
use motcua_engine::adapters::oidc::form_decode;
use motcua_engine::domain::identity::ServiceIdentity;
use motcua_engine::service::citizens::{
    Callback, MyDossier, MyDossierDetail, MyPage, SignInError, SignedIn, SubmittedMine,
};
use motcua_engine::service::dossiers::IdempotencyKey;
use motcua_engine::service::requests::OnlineSubmission;
use motcua_engine::store::papers::Paper;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::auth::{ACCESS_LIFETIME_SECS, Citizen, issue_citizen_token, issue_service_token};
use super::json::Json;
use super::problem::Problem;
use super::{AppState, blocking};

fn malformed(detail: impl Into<String>) -> Problem {
    Problem::new(400, "request.malformed", detail)
}

fn sign_in_problem(e: SignInError) -> Problem {
    match e {
        SignInError::Service(service) => Problem::from(service),
        other => {
            tracing::warn!(code = other.code(), error = %other, "citizen sign-in refused");
            Problem::new(other.http_status(), other.code(), other.to_string())
        }
    }
}

/// Runs sign-in work (database, calls to the provider) on the blocking pool.
async fn sign_in_blocking<T, F>(f: F) -> Result<T, Problem>
where
    F: FnOnce() -> Result<T, SignInError> + Send + 'static,
    T: Send + 'static,
{
    match web::block(f).await {
        Ok(result) => result.map_err(sign_in_problem),
        Err(_) => Err(Problem::server_error()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StartQuery {
    /// A path of this site to go to once signed in (default `/`).
    pub return_to: Option<String>,
    /// A personal id the provider may pre-fill.
    pub login_hint: Option<String>,
}

/// Start a citizen's sign-in: redirects (302) to the national e-identity with a fresh state, nonce and PKCE
/// challenge.
#[utoipa::path(tag = "auth", params(StartQuery),
    responses((status = 302, description = "to the identity provider"), (status = 400, body = Problem),
        (status = 502, body = Problem), (status = 503, body = Problem)))]
#[get("/auth/citizen/start")]
pub async fn start(state: web::Data<AppState>, query: web::Query<StartQuery>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let StartQuery { return_to, login_hint } = query.into_inner();
    let url = sign_in_blocking(move || services.begin_sign_in(return_to.as_deref(), login_hint.as_deref())).await?;
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// The provider's redirect back. Providers add parameters of their own (`iss`, `session_state`): unknown ones
/// are ignored here.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CallbackQuery {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CitizenTokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub citizen: motcua_engine::ports::identity::VerifiedIdentity,
    pub return_to: String,
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.split(',').any(|part| part.trim().starts_with("application/json")))
}

/// Finish a citizen's sign-in: the state is spent, the code redeemed with the PKCE verifier, the ID token checked
/// (signature, issuer, audience, expiry, nonce) and the account's level must be 2. Answers our access token as
/// JSON (`Accept: application/json`), or sets it in an HttpOnly, SameSite=Strict cookie on a page that moves on to
/// `return_to`.
#[utoipa::path(tag = "auth", params(CallbackQuery),
    responses((status = 200, description = "JSON tokens (`Accept: application/json`), or for a browser a page moving on to return_to with the session cookie", content((CitizenTokens = "application/json"), (String = "text/html"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 502, body = Problem)))]
#[get("/auth/citizen/callback")]
pub async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let sign_in_state =
        query.state.filter(|s| !s.is_empty()).ok_or_else(|| sign_in_problem(SignInError::UnknownState))?;
    let outcome = match (query.code, query.error) {
        (_, Some(error)) => Callback::Error { error, description: query.error_description },
        (Some(code), None) if !code.is_empty() => Callback::Code(code),
        _ => return Err(malformed("the callback carries neither code nor error")),
    };
    let services = state.services.clone();
    let signed_in: SignedIn = sign_in_blocking(move || services.finish_sign_in(&sign_in_state, outcome)).await?;
    let access = issue_citizen_token(&state.keys, &signed_in.citizen);
    if wants_json(&req) {
        return Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(CitizenTokens {
            access_token: access,
            token_type: "Bearer",
            expires_in: ACCESS_LIFETIME_SECS,
            citizen: signed_in.verified,
            return_to: signed_in.return_to,
        }));
    }
    let cookie = Cookie::build(state.pages.session_cookie, access)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.services.config.public_url.starts_with("https://"))
        .max_age(actix_web::cookie::time::Duration::seconds(ACCESS_LIFETIME_SECS))
        .finish();
    let mut page = (state.pages.continue_to)(&signed_in.return_to);
    page.add_cookie(&cookie).map_err(|_| Problem::server_error())?;
    Ok(page)
}

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
    let identity = match web::block(move || services.authenticate_client(&client_id, &secret)).await {
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

fn with_etag(status: StatusCode, dossier: &MyDossier) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, format!("\"{}\"", dossier.version))).json(dossier)
}

fn body_problem(e: actix_web::Error) -> Problem {
    match e.as_response_error().status_code() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(413, "request.too_large", format!("the body is larger than {} bytes", super::server::MAX_BODY))
        }
        _ => malformed(e.to_string()),
    }
}

/// Submit a dossier online as the signed-in applicant (status 1): the body is like a counter reception's without
/// `channel`; the applicant must be the citizen. `Idempotency-Key` makes retries safe.
#[utoipa::path(tag = "citizen",
    request_body = OnlineSubmission,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = MyDossier), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[post("/me/dossiers")]
pub async fn submit(
    state: web::Data<AppState>,
    citizen: Citizen,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Problem> {
    let body = body.map_err(body_problem)?;
    let input: OnlineSubmission = super::json::parse(&body)?;
    let key = req.headers().get("Idempotency-Key").map(|v| v.to_str().unwrap_or_default().to_string());
    if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(malformed("Idempotency-Key must have 1 to 200 characters"));
    }
    let key = key.map(|key| IdempotencyKey { key, request_hash: hex::encode(Sha256::digest(&body)) });
    let services = state.services.clone();
    let outcome = blocking(move || services.submit_mine(&citizen.0, input, key)).await;
    state.metrics.actions.with_label_values(&["submit_online", if outcome.is_ok() { "ok" } else { "refused" }]).inc();
    match outcome? {
        SubmittedMine::Created(dossier) => Ok(with_etag(StatusCode::CREATED, &dossier)),
        SubmittedMine::Replayed { status, body } => {
            Ok(HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                .content_type("application/json")
                .insert_header(("Idempotent-Replayed", "true"))
                .body(body))
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MineQuery {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// The signed-in citizen's dossiers, newest first, with cursor pagination.
#[utoipa::path(tag = "citizen", params(MineQuery),
    responses((status = 200, body = MyPage), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
#[get("/me/dossiers")]
pub async fn list(
    state: web::Data<AppState>,
    citizen: Citizen,
    query: web::Query<MineQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let MineQuery { cursor, limit } = query.into_inner();
    let page = blocking(move || services.my_dossiers(&citizen.0, cursor.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One of the citizen's dossiers with its public history (another's: 404).
#[utoipa::path(tag = "citizen", params(("id" = String, Path)),
    responses((status = 200, body = MyDossierDetail), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/me/dossiers/{id}")]
pub async fn get(state: web::Data<AppState>, citizen: Citizen, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let detail = blocking(move || services.my_dossier(&citizen.0, &id)).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, format!("\"{}\"", detail.dossier.version))).json(detail))
}

/// Send the dossier back after a supplement request (attach the new papers first), with `If-Match`.
#[utoipa::path(tag = "citizen", params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = MyDossier), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
#[post("/me/dossiers/{id}/resubmit")]
pub async fn resubmit(
    state: web::Data<AppState>,
    citizen: Citizen,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let version = super::dossiers::expected_version(&req)?;
    let services = state.services.clone();
    let outcome = blocking(move || services.resubmit_mine(&citizen.0, &id, version)).await;
    state.metrics.actions.with_label_values(&["resubmit", outcome.as_ref().map_or_else(|p| p.code, |_| "ok")]).inc();
    Ok(with_etag(StatusCode::OK, &outcome?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    pub reason: String,
}

/// Withdraw the dossier (before reception, or while a supplement is awaited): `{ "reason": "…" }` with `If-Match`.
#[utoipa::path(tag = "citizen", params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = WithdrawRequest,
    responses((status = 200, body = MyDossier), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
#[post("/me/dossiers/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    citizen: Citizen,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<WithdrawRequest>,
) -> Result<HttpResponse, Problem> {
    let version = super::dossiers::expected_version(&req)?;
    let services = state.services.clone();
    let reason = body.into_inner().reason;
    let outcome = blocking(move || services.withdraw_mine(&citizen.0, &id, version, reason)).await;
    state.metrics.actions.with_label_values(&["withdraw", outcome.as_ref().map_or_else(|p| p.code, |_| "ok")]).inc();
    Ok(with_etag(StatusCode::OK, &outcome?))
}

/// A paper of the result with where to download it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResultPaper {
    #[serde(flatten)]
    paper: Paper,
    /// Where to download it (the dossier's paper content, which its applicant may read).
    download: String,
}

/// The dossier's result papers once processing is complete (empty before), each with its download path.
#[utoipa::path(tag = "citizen", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ResultPaper>), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/me/dossiers/{id}/results")]
pub async fn results(
    state: web::Data<AppState>,
    citizen: Citizen,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let papers = blocking(move || services.my_results(&citizen.0, &id)).await?;
    let listed: Vec<ResultPaper> = papers
        .into_iter()
        .map(|paper| ResultPaper {
            download: format!("/api/v1/dossiers/{}/papers/{}/content", paper.dossier_id, paper.id),
            paper,
        })
        .collect();
    Ok(HttpResponse::Ok().json(listed))
}
