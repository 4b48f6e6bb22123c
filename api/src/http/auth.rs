//! Staff sign-in: short-lived JWT access tokens (HS256, 15 minutes) and rotating refresh tokens; the keys they
//! are signed with are in `signing_keys`.

use actix_web::dev::Payload;
use actix_web::post;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::Utc;
use futures::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, Header, Validation, decode, encode};
use motcua_engine::domain::identity::{Caller, CitizenIdentity, ServiceIdentity};
use motcua_engine::domain::procedure::Role;
use motcua_engine::service::StaffIdentity;
use serde::{Deserialize, Serialize};

use super::json::Json;
use super::problem::Problem;
pub use super::signing_keys::JwtKeys;
use super::{AppState, blocking};

pub const ACCESS_LIFETIME_SECS: i64 = 15 * 60;

/// Access-token claims. `typ` tells staff (signed in here), citizens (signed in with the national
/// e-identity) and service accounts (other systems, with scopes) apart.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    typ: TokenType,
    #[serde(default)]
    username: String,
    name: String,
    #[serde(default)]
    roles: Vec<(String, Role)>,
    #[serde(default)]
    scopes: Vec<String>,
    /// A citizen's birth date as the e-identity verified it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    birthdate: Option<chrono::NaiveDate>,
    /// A staff account's token generation at issue (see `StaffIdentity::token_generation`).
    #[serde(default)]
    generation: i32,
    iat: i64,
    exp: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TokenType {
    #[default]
    Staff,
    Citizen,
    Service,
}

fn sign(keys: &JwtKeys, claims: &Claims) -> String {
    let (id, key) = keys.signing();
    let header = Header { kid: Some(id.to_string()), ..Header::new(Algorithm::HS256) };
    encode(&header, claims, key).expect("HS256 encodes")
}

fn claims(sub: &str, typ: TokenType, name: &str) -> Claims {
    let now = Utc::now().timestamp();
    Claims {
        sub: sub.to_string(),
        typ,
        username: String::new(),
        name: name.to_string(),
        roles: Vec::new(),
        scopes: Vec::new(),
        generation: 0,
        birthdate: None,
        iat: now,
        exp: now + ACCESS_LIFETIME_SECS,
    }
}

pub fn issue_access_token(keys: &JwtKeys, staff: &StaffIdentity) -> String {
    sign(
        keys,
        &Claims {
            username: staff.username.clone(),
            roles: staff.roles.clone(),
            generation: staff.token_generation,
            ..claims(&staff.id, TokenType::Staff, &staff.full_name)
        },
    )
}

/// A citizen's access token, issued after sign-in with the national e-identity.
pub fn issue_citizen_token(keys: &JwtKeys, citizen: &CitizenIdentity) -> String {
    sign(
        keys,
        &Claims { birthdate: citizen.birth_date, ..claims(&citizen.id_number, TokenType::Citizen, &citizen.name) },
    )
}

/// A service account's access token (client credentials), with its scopes.
pub fn issue_service_token(keys: &JwtKeys, service: &ServiceIdentity) -> String {
    sign(keys, &Claims { scopes: service.scopes.clone(), ..claims(&service.name, TokenType::Service, &service.name) })
}

pub fn verify(keys: &JwtKeys, token: &str) -> Option<Caller> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 5;
    let kid = jsonwebtoken::decode_header(token).ok()?.kid;
    let c = keys.verifying(kid.as_deref()).find_map(|key| decode::<Claims>(token, key, &validation).ok())?.claims;
    Some(match c.typ {
        TokenType::Staff => Caller::Staff(StaffIdentity {
            id: c.sub,
            username: c.username,
            full_name: c.name,
            roles: c.roles,
            token_generation: c.generation,
        }),
        TokenType::Citizen => {
            Caller::Citizen(CitizenIdentity { id_number: c.sub, name: c.name, birth_date: c.birthdate })
        }
        TokenType::Service => Caller::Service(ServiceIdentity { name: c.sub, scopes: c.scopes }),
    })
}

/// The token of `Authorization: Bearer <token>`; the scheme's name is case-insensitive (RFC 9110 §11.1).
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// The caller of a request from `Authorization: Bearer`, whoever it is. A staff member's token must be of their
/// account's current generation, a service account's of an account still enabled: signing out, a disabled or
/// removed account end it at once, not at its expiry.
fn caller_of(req: &HttpRequest) -> LocalBoxFuture<'static, Result<Caller, Problem>> {
    let state = req.app_data::<web::Data<AppState>>().expect("state is registered").clone();
    let caller = match bearer(req) {
        None => Err(Problem::new(401, "auth.required", "send Authorization: Bearer <access token>")),
        Some(token) => verify(&state.keys, token).ok_or_else(invalid_token),
    };
    Box::pin(async move {
        let caller = caller?;
        match &caller {
            Caller::Staff(staff) => {
                let current = state.generations.current(&state.services, &staff.id).await?;
                if current != Some(staff.token_generation) {
                    return Err(invalid_token());
                }
            }
            Caller::Service(service) => {
                if !state.generations.service_active(&state.services, &service.name).await? {
                    return Err(invalid_token());
                }
            }
            Caller::Citizen(_) => {}
        }
        Ok(caller)
    })
}

fn invalid_token() -> Problem {
    Problem::new(401, "auth.invalid_token", "the access token is invalid, expired or ended by signing out")
}

/// Any signed-in caller: staff, citizen or service account.
pub struct AnyCaller(pub Caller);

impl FromRequest for AnyCaller {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<AnyCaller, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = caller_of(req);
        Box::pin(async move { caller.await.map(AnyCaller) })
    }
}

/// A signed-in citizen (owner of a repository).
pub struct Citizen(pub CitizenIdentity);

impl FromRequest for Citizen {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Citizen, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = caller_of(req);
        Box::pin(async move {
            match caller.await {
                Ok(Caller::Citizen(c)) => Ok(Citizen(c)),
                Ok(_) => Err(Problem::new(
                    403,
                    "request.forbidden",
                    "this is for citizens signed in with the national e-identity",
                )),
                Err(p) => Err(p),
            }
        })
    }
}

/// A service account (another system).
pub struct Service(pub ServiceIdentity);

impl FromRequest for Service {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Service, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = caller_of(req);
        Box::pin(async move {
            match caller.await {
                Ok(Caller::Service(s)) => Ok(Service(s)),
                Ok(_) => Err(Problem::new(403, "request.forbidden", "this is for service accounts")),
                Err(p) => Err(p),
            }
        })
    }
}

/// The signed-in staff member of a request (from `Authorization: Bearer`).
pub struct Staff(pub StaffIdentity);

impl FromRequest for Staff {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Staff, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = caller_of(req);
        Box::pin(async move {
            match caller.await {
                Ok(Caller::Staff(staff)) => Ok(Staff(staff)),
                Ok(_) => Err(Problem::new(403, "request.forbidden", "this is for staff")),
                Err(p) => Err(p),
            }
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Tokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    #[schema(value_type = Object)]
    pub staff: StaffIdentity,
}

fn tokens(keys: &JwtKeys, staff: StaffIdentity, refresh_token: String) -> Tokens {
    Tokens {
        access_token: issue_access_token(keys, &staff),
        token_type: "Bearer",
        expires_in: ACCESS_LIFETIME_SECS,
        refresh_token,
        staff,
    }
}

/// Sign in with username and password.
#[utoipa::path(tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Tokens), (status = 401, body = Problem), (status = 423, body = Problem)))]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let LoginRequest { username, password } = body.into_inner();
    let address = {
        let info = req.connection_info();
        state.services.config.client_address(info.peer_addr(), info.realip_remote_addr()).to_string()
    };
    let (staff, refresh_token) = blocking(move || {
        let staff = services.identity().login(&username, &password, &address)?;
        let refresh_token = services.identity().issue_refresh_token(&staff.id)?;
        Ok((staff, refresh_token))
    })
    .await?;
    Ok(HttpResponse::Ok().json(tokens(&state.keys, staff, refresh_token)))
}

/// Exchange a refresh token for new tokens; the old refresh token is spent.
#[utoipa::path(tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = Tokens), (status = 401, body = Problem)))]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: Json<RefreshRequest>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let token = body.into_inner().refresh_token;
    let (staff, next) = blocking(move || services.identity().rotate_refresh_token(&token)).await?;
    Ok(HttpResponse::Ok().json(tokens(&state.keys, staff, next)))
}

/// Sign out: the refresh token's family is revoked.
#[utoipa::path(tag = "auth", request_body = RefreshRequest,
    responses((status = 204)))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, body: Json<RefreshRequest>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let token = body.into_inner().refresh_token;
    if let Some(staff_id) = blocking(move || services.identity().revoke_refresh_token(&token)).await? {
        state.generations.forget(&staff_id);
    }
    Ok(HttpResponse::NoContent().finish())
}
