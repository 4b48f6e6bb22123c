//! What every page answer shares: the security headers and the stylesheet.

use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

/// No inline scripts or styles, nothing from elsewhere, no framing: pages work without JavaScript, and what
/// little enhancement there is comes from our own files.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The headers of every page: the policy above, no sniffing, no referrer outside, no caching of personal pages.
pub fn security_headers(answer: &mut HttpResponseBuilder) {
    answer
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "same-origin"))
        .insert_header(("Cache-Control", "no-store"));
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
