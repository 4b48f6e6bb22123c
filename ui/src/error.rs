//! A page that cannot be shown: a rendered error page with the catalogue's words for the stable code, in the
//! visitor's language (pages are not API clients, so they get HTML, not problem+json).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use motcua_engine::service::ServiceError;

use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::security_headers;

#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    body: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    shell: Shell,
    message: &'a str,
    code: &'a str,
    detail: String,
}

impl PageError {
    /// An error page for a stable code of the catalogue, with an optional detail line.
    pub fn new(visit: &Visit, status: u16, code: &str, detail: String) -> PageError {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = visit.lang.t(code);
        let page = ErrorPage { shell: visit.shell(message), message, code, detail };
        let body = page.render().unwrap_or_else(|_| message.to_string());
        PageError { status, body }
    }

    /// What the service refused, in the visitor's words. Server faults show no detail.
    pub fn service(visit: &Visit, e: &ServiceError) -> PageError {
        let status = e.http_status();
        if status >= 500 {
            tracing::error!(error = %e, "page failed");
        }
        let detail = if status >= 500 { String::new() } else { e.detail() };
        PageError::new(visit, status, e.code(), detail)
    }

    pub fn not_found(visit: &Visit) -> PageError {
        PageError::new(visit, 404, "ui.page_not_found", String::new())
    }

    pub fn csrf(visit: &Visit) -> PageError {
        PageError::new(visit, 403, "ui.csrf_failed", String::new())
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "page error {}", self.status)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut answer = HttpResponse::build(self.status);
        answer.content_type("text/html; charset=utf-8");
        security_headers(&mut answer);
        answer.body(self.body.clone())
    }
}
