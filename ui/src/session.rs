//! Who is visiting, and the cookies that carry it (DESIGN.md §11): the access token in an HttpOnly,
//! SameSite=Strict cookie, a staff member's refresh token beside it (rotated when the access token has
//! expired, so a clerk stays signed in through the working day), and a CSRF token for every form.
//!
//! Tokens are minted and checked by the API crate (it owns the signing keys) through [`Tokens`].

use std::future::Future;
use std::pin::Pin;
use subtle::ConstantTimeEq;

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use motcua_engine::domain::identity::{Caller, CitizenIdentity};
use motcua_engine::service::StaffIdentity;

use crate::UiState;
use crate::error::PageError;
use crate::i18n::UiLang;
use crate::pages::Shell;
use crate::posted::{self, Posted};
use crate::shell::security_headers;

/// The access token (staff or citizen), as the API's citizen sign-in sets it.
pub const ACCESS_COOKIE: &str = "motcua_session";
/// A staff member's refresh token.
pub const REFRESH_COOKIE: &str = "motcua_refresh";
/// The CSRF token every form repeats (double submit: a cross-site page can neither read nor set it).
pub const CSRF_COOKIE: &str = "motcua_csrf";
/// How long a staff session lasts without a visit (the refresh token's own lifetime is longer).
const REFRESH_COOKIE_HOURS: i64 = 12;

/// Access tokens, as the API issues and checks them.
pub trait Tokens: Send + Sync {
    fn verify(&self, token: &str) -> Option<Caller>;
    fn issue_staff(&self, staff: &StaffIdentity) -> String;
    /// The access token's lifetime in seconds (the cookie's max-age).
    fn lifetime_secs(&self) -> i64;
}

/// One request to a page: its language, its visitor (if signed in), its CSRF token, and the cookies the
/// answer must set.
pub struct Visit {
    pub lang: UiLang,
    pub caller: Option<Caller>,
    pub csrf: String,
    /// The path and query asked for (where sign-in comes back to).
    pub here: String,
    secure: bool,
    set: Vec<Cookie<'static>>,
}

impl FromRequest for Visit {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Visit, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Visit::resolve(&req).await })
    }
}

/// Compares in constant time, so the time taken does not tell how much of a guess was right.
fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

impl Visit {
    async fn resolve(req: &HttpRequest) -> Result<Visit, actix_web::Error> {
        let state = req.app_data::<web::Data<UiState>>().expect("UiState is registered").clone();
        let lang = UiLang::of(req);
        let secure = state.services.config.public_url.starts_with("https://");
        let here = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
        let mut visit = Visit { lang, caller: None, csrf: String::new(), here, secure, set: Vec::new() };
        match req.cookie(CSRF_COOKIE).map(|c| c.value().to_string()).filter(|v| v.len() == 43) {
            Some(token) => visit.csrf = token,
            None => {
                visit.csrf = motcua_engine::random::token(32);
                let cookie = visit.cookie(CSRF_COOKIE, visit.csrf.clone(), None);
                visit.set.push(cookie);
            }
        }
        visit.caller = req.cookie(ACCESS_COOKIE).and_then(|c| state.tokens.verify(c.value()));
        // A staff token of an earlier generation (signed out since, a new password) or of a removed account is
        // no session: the refresh token decides, as for an expired one.
        if let Some(Caller::Staff(staff)) = &visit.caller {
            let (services, id, issued) = (state.services.clone(), staff.id.clone(), staff.token_generation);
            let current = web::block(move || services.identity().token_generation(&id)).await?;
            if current.ok().flatten() != Some(issued) {
                visit.caller = None;
            }
        }
        if visit.caller.is_none()
            && let Some(refresh) = req.cookie(REFRESH_COOKIE).map(|c| c.value().to_string())
        {
            let services = state.services.clone();
            match web::block(move || services.identity().rotate_refresh_token(&refresh)).await? {
                Ok((staff, next)) => visit.start_staff_session(&state, staff, next),
                // Expired, revoked or reused: the visitor is signed out.
                Err(_) => visit.end_session(),
            }
        }
        Ok(visit)
    }

    fn cookie(&self, name: &'static str, value: String, max_age: Option<Duration>) -> Cookie<'static> {
        let mut cookie =
            Cookie::build(name, value).path("/").http_only(true).same_site(SameSite::Strict).secure(self.secure);
        if let Some(age) = max_age {
            cookie = cookie.max_age(age);
        }
        cookie.finish()
    }

    /// A staff member signed in (or their session renewed): both tokens go into cookies.
    pub fn start_staff_session(&mut self, state: &UiState, staff: StaffIdentity, refresh: String) {
        let access = state.tokens.issue_staff(&staff);
        let access_cookie = self.cookie(ACCESS_COOKIE, access, Some(Duration::seconds(state.tokens.lifetime_secs())));
        let refresh_cookie = self.cookie(REFRESH_COOKIE, refresh, Some(Duration::hours(REFRESH_COOKIE_HOURS)));
        self.set.extend([access_cookie, refresh_cookie]);
        self.caller = Some(Caller::Staff(staff));
    }

    /// Clears the session cookies (the caller revokes the refresh token).
    pub fn end_session(&mut self) {
        for name in [ACCESS_COOKIE, REFRESH_COOKIE] {
            let mut gone = self.cookie(name, String::new(), Some(Duration::ZERO));
            gone.make_removal();
            self.set.push(gone);
        }
        self.caller = None;
    }

    /// A posted form (urlencoded or multipart), read whole, its CSRF token checked before anything else.
    pub async fn posted(&self, req: &HttpRequest, payload: web::Payload) -> Result<Posted, PageError> {
        let form =
            posted::read(req, payload).await.map_err(|e| PageError::new(self, e.status(), e.code(), String::new()))?;
        self.check_csrf(form.text("csrf"))?;
        Ok(form)
    }

    /// A form's CSRF token must equal the cookie's: a 403 page otherwise.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        if same(submitted, &self.csrf) { Ok(()) } else { Err(PageError::csrf(self)) }
    }

    pub fn staff(&self) -> Option<&StaffIdentity> {
        match &self.caller {
            Some(Caller::Staff(staff)) => Some(staff),
            _ => None,
        }
    }

    pub fn citizen(&self) -> Option<&CitizenIdentity> {
        match &self.caller {
            Some(Caller::Citizen(citizen)) => Some(citizen),
            _ => None,
        }
    }

    /// The signed-in staff member; anyone else is answered with the redirect to staff sign-in (and back here
    /// after), so a handler writes `visit.require_staff()?`.
    pub fn require_staff(&self) -> Result<StaffIdentity, actix_web::Error> {
        self.staff().cloned().ok_or_else(|| self.redirect_to_sign_in("/can-bo/dang-nhap"))
    }

    /// The signed-in citizen; anyone else is answered with the redirect that starts sign-in with the national
    /// e-identity.
    pub fn require_citizen(&self) -> Result<CitizenIdentity, actix_web::Error> {
        self.citizen().cloned().ok_or_else(|| self.redirect_to_sign_in("/dang-nhap"))
    }

    /// The redirect as an error: actix answers an error with its response, here the redirect itself.
    fn redirect_to_sign_in(&self, page: &str) -> actix_web::Error {
        let back: String = url_escape(&self.here);
        let mut answer = HttpResponse::SeeOther();
        answer.insert_header((header::LOCATION, format!("{page}?tiep={back}")));
        security_headers(&mut answer);
        self.add_cookies(&mut answer);
        actix_web::error::InternalError::from_response("sign in first", answer.finish()).into()
    }

    /// The page shell for this visit.
    pub fn shell(&self, title: impl Into<String>) -> Shell {
        Shell::new(self, title)
    }

    /// A rendered page with the security headers and this visit's cookies.
    pub fn page(&self, status: StatusCode, body: String) -> HttpResponse {
        let mut answer = HttpResponse::build(status);
        answer.content_type("text/html; charset=utf-8");
        security_headers(&mut answer);
        self.add_cookies(&mut answer);
        answer.body(body)
    }

    /// After a form's work is done: 303 See Other to the page that shows the outcome (post/redirect/get).
    pub fn see_other(&self, location: &str) -> HttpResponse {
        let mut answer = HttpResponse::SeeOther();
        answer.insert_header((header::LOCATION, location.to_string()));
        security_headers(&mut answer);
        self.add_cookies(&mut answer);
        answer.finish()
    }

    fn add_cookies(&self, builder: &mut actix_web::HttpResponseBuilder) {
        for cookie in &self.set {
            builder.cookie(cookie.clone());
        }
        if self.lang.chosen {
            builder.cookie(self.lang.cookie());
        }
    }
}

/// Percent-escapes a path for a query value (enough for our own paths: everything but unreserved characters
/// and `/`).
pub fn url_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// A `return_to` that stays on this site: a path starting with one `/`.
pub fn local_path(candidate: &str) -> Option<&str> {
    (candidate.starts_with('/') && !candidate.starts_with("//") && !candidate.contains('\\')).then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/cong-dan"), Some("/cong-dan"));
        assert_eq!(local_path("//evil.example"), None);
        assert_eq!(local_path("https://evil.example"), None);
        assert_eq!(local_path("/\\evil"), None);
        assert_eq!(url_escape("/a?b=c d"), "/a%3Fb%3Dc%20d");
    }
}
