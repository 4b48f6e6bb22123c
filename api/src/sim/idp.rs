//! The national e-identity (VNeID) as an OpenID Connect provider, simulated: discovery, `/authorize` (a page to
//! pick a demo citizen, no JavaScript; or straight through with `login_hint=<personal id>`), `/token`
//! (authorization code + PKCE S256, confidential client by `client_secret_basic` or `client_secret_post`) and
//! `/jwks`. ID tokens are signed RS256 with a key made at start.
//!
//! Strict as the real provider: an unknown client or unregistered redirect URI gets an error page and never a
//! redirect; other bad authorization requests are redirected back with an OAuth error; codes are single use and
//! short-lived, bound to the client, the redirect URI and the PKCE challenge. The citizens are those of
//! `fixtures/demo.toml`, and any valid 12-digit personal id given as `login_hint` (a test person).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use chrono::{NaiveDate, Utc};
use clap::Args;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use motcua_engine::adapters::oidc::{form_decode, form_encode, s256_challenge};
use motcua_engine::domain::codes::{PersonalId, Sex};
use motcua_engine::random;
use motcua_engine::text::escape_html;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// The client id motcua is registered under.
    #[arg(long, default_value = "motcua")]
    pub client_id: String,
    #[arg(long, default_value = "motcua-idp-demo-secret")]
    pub client_secret: String,
    /// Registered redirect URIs (repeat the option for several); matched exactly.
    #[arg(long = "redirect-uri", default_value = "http://localhost:8080/api/v1/auth/citizen/callback")]
    pub redirect_uris: Vec<String>,
    /// The issuer; by default the URL the simulator is reached at.
    #[arg(long)]
    pub issuer: Option<String>,
    /// Personal ids whose accounts are only of level 1 (registered online, not verified in person).
    #[arg(long = "level-one")]
    pub level_one: Vec<String>,
    /// How long an authorization code may wait to be redeemed.
    #[arg(long, default_value_t = 60)]
    pub code_lifetime_secs: u64,
}

/// How long the ID tokens (and the opaque access tokens) it issues live.
const TOKEN_LIFETIME_SECS: i64 = 300;

#[derive(Debug, Clone)]
struct Person {
    id: String,
    name: String,
    birth_date: NaiveDate,
    sex: Sex,
    level: u8,
}

struct Grant {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    nonce: Option<String>,
    person: Person,
    issued: Instant,
    used: bool,
}

struct Idp {
    settings: Settings,
    kid: String,
    encoding: EncodingKey,
    jwk: serde_json::Value,
    citizens: Vec<Person>,
    codes: Mutex<HashMap<String, Grant>>,
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The simulator's routes, with a signing key made now.
pub fn routes(settings: Settings) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static {
    let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).expect("an RSA key is made");
    let der = key.to_pkcs1_der().expect("the key encodes as PKCS#1");
    let n = b64url(&key.n().to_be_bytes_trimmed_vartime());
    let e = b64url(&key.e().to_be_bytes_trimmed_vartime());
    let kid = hex::encode(&Sha256::digest(n.as_bytes())[..8]);
    let level_of = |id: &str| if settings.level_one.iter().any(|l| l == id) { 1 } else { 2 };
    let citizens = super::demo_citizens()
        .into_iter()
        .map(|c| Person {
            level: level_of(&c.id_number),
            id: c.id_number,
            name: c.name,
            birth_date: c.birth_date,
            sex: c.sex,
        })
        .collect();
    let idp = web::Data::new(Idp {
        jwk: serde_json::json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e}),
        kid,
        encoding: EncodingKey::from_rsa_der(der.as_bytes()),
        citizens,
        codes: Mutex::new(HashMap::new()),
        settings,
    });
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(idp.clone())
            .route("/.well-known/openid-configuration", web::get().to(discovery))
            .route("/authorize", web::get().to(authorize))
            .service(web::resource("/token").route(web::post().to(token)))
            .route("/jwks", web::get().to(jwks));
    }
}

impl Idp {
    fn issuer(&self, req: &HttpRequest) -> String {
        match &self.settings.issuer {
            Some(issuer) => issuer.trim_end_matches('/').to_string(),
            None => {
                let info = req.connection_info();
                format!("{}://{}", info.scheme(), info.host())
            }
        }
    }

    /// A demo citizen, or a test person for any valid personal id.
    fn person(&self, id: &str) -> Option<Person> {
        if let Some(known) = self.citizens.iter().find(|c| c.id == id) {
            return Some(known.clone());
        }
        let parsed = PersonalId::parse(id).ok()?;
        Some(Person {
            id: id.to_string(),
            name: "Công Dân Thử Nghiệm".into(),
            birth_date: NaiveDate::from_ymd_opt(parsed.birth_year, 1, 1)?,
            sex: parsed.sex,
            level: if self.settings.level_one.iter().any(|l| l == id) { 1 } else { 2 },
        })
    }
}

async fn discovery(idp: web::Data<Idp>, req: HttpRequest) -> HttpResponse {
    let issuer = idp.issuer(&req);
    HttpResponse::Ok().json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile"],
        "claims_supported": ["sub", "name", "birthdate", "gender", "level", "acr"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "authorization_response_iss_parameter_supported": true,
    }))
}

async fn jwks(idp: web::Data<Idp>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "keys": [idp.jwk] }))
}

/// Query or form parameters in order; `None` when one is repeated (RFC 6749 §3.1).
fn pairs(text: &str) -> Option<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in form_urlencoded::parse(text.as_bytes()) {
        let (name, value) = (name.into_owned(), value.into_owned());
        if out.iter().any(|(n, _)| *n == name) {
            return None;
        }
        out.push((name, value));
    }
    Some(out)
}

fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn page(status: u16, title: &str, body: &str) -> HttpResponse {
    let html = format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1>{body}</body></html>",
        title = escape_html(title)
    );
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", "default-src 'none'"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

/// Back to the client with `extra` (a code, or an error), the state and the issuer (RFC 9207).
fn redirect_back(redirect_uri: &str, extra: &[(&str, &str)], state: Option<&str>, issuer: &str) -> HttpResponse {
    let Ok(mut url) = reqwest::Url::parse(redirect_uri) else {
        return page(400, "Địa chỉ chuyển hướng không hợp lệ", "<p>invalid redirect_uri</p>");
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in extra {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", issuer);
    }
    HttpResponse::Found()
        .insert_header((header::LOCATION, url.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn valid_pkce_value(text: &str) -> bool {
    (43..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

async fn authorize(idp: web::Data<Idp>, req: HttpRequest) -> HttpResponse {
    let issuer = idp.issuer(&req);
    let Some(params) = pairs(req.query_string()) else {
        return page(400, "Yêu cầu không hợp lệ", "<p>invalid_request: a parameter is repeated or badly encoded</p>");
    };
    // Until the client and its redirect URI are known, nothing may be sent anywhere (RFC 6749 §4.1.2.1).
    if get(&params, "client_id") != Some(idp.settings.client_id.as_str()) {
        return page(400, "Ứng dụng không được đăng ký", "<p>invalid_request: unknown client_id</p>");
    }
    let Some(redirect_uri) = get(&params, "redirect_uri").filter(|r| idp.settings.redirect_uris.iter().any(|u| u == r))
    else {
        return page(400, "Địa chỉ chuyển hướng không được đăng ký", "<p>invalid_request: redirect_uri</p>");
    };
    let state = get(&params, "state");
    let fail = |error: &str, description: &str| {
        redirect_back(redirect_uri, &[("error", error), ("error_description", description)], state, &issuer)
    };
    if get(&params, "response_type") != Some("code") {
        return fail("unsupported_response_type", "only response_type=code is offered");
    }
    if !get(&params, "scope").is_some_and(|s| s.split(' ').any(|s| s == "openid")) {
        return fail("invalid_scope", "the scope must include openid");
    }
    let Some(challenge) = get(&params, "code_challenge") else {
        return fail("invalid_request", "PKCE is required: code_challenge is missing");
    };
    if get(&params, "code_challenge_method") != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    if challenge.len() != 43 || !valid_pkce_value(challenge) {
        return fail("invalid_request", "code_challenge is not an S256 challenge");
    }
    let person = get(&params, "login_hint").and_then(|hint| idp.person(hint));
    let Some(person) = person else {
        if get(&params, "prompt") == Some("none") {
            return fail("login_required", "the citizen must sign in");
        }
        return choose_page(&idp, &params);
    };
    let code = random::token(32);
    let grant = Grant {
        client_id: idp.settings.client_id.clone(),
        redirect_uri: redirect_uri.to_string(),
        challenge: challenge.to_string(),
        nonce: get(&params, "nonce").map(str::to_string),
        person,
        issued: Instant::now(),
        used: false,
    };
    {
        let mut codes = idp.codes.lock().unwrap_or_else(|p| p.into_inner());
        let lifetime = Duration::from_secs(idp.settings.code_lifetime_secs);
        // Forget codes long past use; spent ones are kept a while so that a replay is told apart.
        codes.retain(|_, g| g.issued.elapsed() < lifetime * 10);
        codes.insert(code.clone(), grant);
    }
    redirect_back(redirect_uri, &[("code", &code)], state, &issuer)
}

/// The sign-in page: demo citizens to pick (links carrying the request with a `login_hint`), or a personal id.
fn choose_page(idp: &Idp, params: &[(String, String)]) -> HttpResponse {
    let kept: Vec<&(String, String)> = params.iter().filter(|(n, _)| n != "login_hint").collect();
    let query: String =
        kept.iter().map(|(n, v)| format!("{}={}&", form_encode(n), form_encode(v))).collect::<Vec<_>>().concat();
    let mut body = String::from("<p>Chọn công dân để đăng nhập (môi trường thử nghiệm):</p><ul>");
    for person in &idp.citizens {
        body.push_str(&format!(
            "<li><a href=\"/authorize?{}login_hint={}\">{} — {} (mức {})</a></li>",
            escape_html(&query),
            person.id,
            escape_html(&person.name),
            person.id,
            person.level
        ));
    }
    body.push_str("</ul><form method=\"get\" action=\"/authorize\">");
    for (name, value) in kept {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape_html(name),
            escape_html(value)
        ));
    }
    body.push_str(
        "<label for=\"login_hint\">Số định danh cá nhân</label> \
         <input id=\"login_hint\" name=\"login_hint\" inputmode=\"numeric\" pattern=\"[0-9]{12}\" required> \
         <button type=\"submit\">Đăng nhập</button></form>",
    );
    page(200, "Đăng nhập bằng tài khoản định danh điện tử", &body)
}

/// An OAuth error of the token endpoint (RFC 6749 §5.2).
fn token_error(status: u16, error: &str, description: &str, basic: bool) -> HttpResponse {
    let mut response = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default());
    if status == 401 && basic {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"vneid\""));
    }
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(serde_json::json!({ "error": error, "error_description": description }))
}

fn basic_credentials(req: &HttpRequest) -> Option<Option<(String, String)>> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let text =
        base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok().and_then(|d| String::from_utf8(d).ok());
    Some(text.and_then(|t| {
        let (id, secret) = t.split_once(':')?;
        Some((form_decode(id)?, form_decode(secret)?))
    }))
}

async fn token(idp: web::Data<Idp>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let form = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !form.starts_with("application/x-www-form-urlencoded") {
        return token_error(400, "invalid_request", "the body must be application/x-www-form-urlencoded", false);
    }
    let Some(params) = std::str::from_utf8(&body).ok().and_then(pairs) else {
        return token_error(400, "invalid_request", "a parameter is repeated or badly encoded", false);
    };
    let basic = basic_credentials(&req);
    let in_body = get(&params, "client_id").zip(get(&params, "client_secret"));
    let (client_id, secret) = match (&basic, in_body) {
        (Some(_), Some(_)) => {
            return token_error(400, "invalid_request", "more than one client authentication method", false);
        }
        (Some(Some((id, secret))), None) => (id.as_str(), secret.as_str()),
        (None, Some(pair)) => pair,
        (Some(None), None) | (None, None) => {
            return token_error(401, "invalid_client", "client authentication failed", basic.is_some());
        }
    };
    if client_id != idp.settings.client_id || secret != idp.settings.client_secret {
        return token_error(401, "invalid_client", "client authentication failed", basic.is_some());
    }
    match get(&params, "grant_type") {
        Some("authorization_code") => {}
        None => return token_error(400, "invalid_request", "grant_type is missing", false),
        Some(_) => return token_error(400, "unsupported_grant_type", "only authorization_code", false),
    }
    let (Some(code), Some(redirect_uri), Some(verifier)) =
        (get(&params, "code"), get(&params, "redirect_uri"), get(&params, "code_verifier"))
    else {
        return token_error(400, "invalid_request", "code, redirect_uri and code_verifier are required", false);
    };
    if !valid_pkce_value(verifier) {
        return token_error(400, "invalid_request", "code_verifier is malformed", false);
    }
    let person;
    let nonce;
    {
        let mut codes = idp.codes.lock().unwrap_or_else(|p| p.into_inner());
        let Some(grant) = codes.get_mut(code) else {
            return token_error(400, "invalid_grant", "unknown code", false);
        };
        if grant.used {
            return token_error(400, "invalid_grant", "the code was already used", false);
        }
        // Spent by this attempt whatever its outcome: a code is good for one try.
        grant.used = true;
        if grant.client_id != client_id {
            return token_error(400, "invalid_grant", "the code was issued to another client", false);
        }
        if grant.issued.elapsed() > Duration::from_secs(idp.settings.code_lifetime_secs) {
            return token_error(400, "invalid_grant", "the code has expired", false);
        }
        if grant.redirect_uri != redirect_uri {
            return token_error(400, "invalid_grant", "redirect_uri differs from the authorization request", false);
        }
        if s256_challenge(verifier) != grant.challenge {
            return token_error(400, "invalid_grant", "code_verifier does not match the code_challenge", false);
        }
        person = grant.person.clone();
        nonce = grant.nonce.clone();
    }
    let now = Utc::now().timestamp();
    let mut claims = serde_json::json!({
        "iss": idp.issuer(&req),
        "sub": person.id,
        "aud": client_id,
        "iat": now,
        "exp": now + TOKEN_LIFETIME_SECS,
        "auth_time": now,
        "name": person.name,
        "birthdate": person.birth_date.format("%Y-%m-%d").to_string(),
        "gender": match person.sex { Sex::Male => "male", Sex::Female => "female" },
        "level": person.level,
        "acr": format!("vneid:level:{}", person.level),
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = serde_json::Value::String(nonce);
    }
    let header = Header { kid: Some(idp.kid.clone()), ..Header::new(Algorithm::RS256) };
    let id_token = match jsonwebtoken::encode(&header, &claims, &idp.encoding) {
        Ok(token) => token,
        Err(e) => return token_error(500, "server_error", &e.to_string(), false),
    };
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(serde_json::json!({
            "access_token": random::token(32),
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECS,
            "id_token": id_token,
            "scope": "openid profile",
        }))
}
