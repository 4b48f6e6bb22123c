//! Citizens sign in with the national e-identity (OpenID Connect, code + PKCE): the redirect to the provider and
//! its redirect back, which answers our access token (as JSON, or as the pages' session cookie).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use motcua_engine::service::sign_in::{Callback, SignInError, SignedIn};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::{ACCESS_LIFETIME_SECS, issue_citizen_token};
use super::problem::Problem;

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
    let url = sign_in_blocking(move || services.identity().begin_sign_in(return_to.as_deref(), login_hint.as_deref()))
        .await?;
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
    let signed_in: SignedIn =
        sign_in_blocking(move || services.identity().finish_sign_in(&sign_in_state, outcome)).await?;
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
