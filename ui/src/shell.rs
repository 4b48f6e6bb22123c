//! What every page shares: the security headers, the language cookie, the stylesheet.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::i18n::{COOKIE, UiLang};

/// No inline scripts or styles, nothing from elsewhere, no framing: pages work without JavaScript, and what
/// little enhancement there is comes from our own files.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A rendered page with the security headers (and the language cookie when the request chose a language).
pub fn html(status: StatusCode, lang: UiLang, body: String) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "same-origin"))
        .insert_header(("Cache-Control", "no-store"));
    if lang.chosen {
        let cookie = Cookie::build(COOKIE, lang.code())
            .path("/")
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish();
        response.cookie(cookie);
    }
    response.body(body)
}

/// A template that failed to render is our fault: a plain 500, logged by the caller's middleware.
pub fn render(template: &impl askama::Template) -> Result<String, actix_web::Error> {
    template.render().map_err(actix_web::error::ErrorInternalServerError)
}

pub async fn stylesheet(_req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(include_str!("../static/app.css"))
}
