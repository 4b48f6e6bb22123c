//! RFC 9457 problem details: `application/problem+json` with a stable code, the Vietnamese title, the English
//! title, and every bad field.

use std::num::NonZeroU16;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use motcua_engine::messages::lookup;
use motcua_engine::service::{FieldError, ServiceError};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:motcua:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: ProblemType,
    /// The stable code, e.g. `dossier.wrong_status`.
    pub code: &'static str,
    /// Vietnamese title.
    pub title: &'static str,
    pub title_en: &'static str,
    pub status: u16,
    pub detail: String,
    /// Every bad field, when the request had some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Sent as `Retry-After` (seconds), not in the body.
    #[serde(skip)]
    #[schema(ignore)]
    pub retry_after: Option<NonZeroU16>,
}

/// The problem type URI, written from the code when serialized (keeps `Problem` small to pass around).
#[derive(Debug, Clone, Copy)]
pub struct ProblemType(&'static str);

impl Serialize for ProblemType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("urn:motcua:problem:{}", self.0))
    }
}

impl Problem {
    pub fn new(status: u16, code: &'static str, detail: impl Into<String>) -> Problem {
        let (vi, en) = lookup(code);
        Problem {
            kind: ProblemType(code),
            code,
            title: vi,
            title_en: en,
            status,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: if status == 503 { NonZeroU16::new(RETRY_AFTER_SECS) } else { None },
        }
    }

    pub fn server_error() -> Problem {
        Problem::new(500, "server.error", "internal error")
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code, self.detail)
    }
}

impl From<ServiceError> for Problem {
    fn from(e: ServiceError) -> Problem {
        if let ServiceError::Store(store) = &e {
            tracing::error!(error = %store, "store error");
        }
        let mut problem = Problem::new(e.http_status(), e.code(), e.detail());
        problem.errors = e.field_errors().to_vec();
        if let Some(secs) = e.retry_after() {
            problem.retry_after = NonZeroU16::new(secs.clamp(1, 3600) as u16);
        }
        problem
    }
}

/// How long a client should wait before sending again a request answered 503.
pub const RETRY_AFTER_SECS: u16 = 5;

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut answer = HttpResponse::build(self.status_code());
        // Busy, full or throttled, not broken: the same request can be sent again then.
        if let Some(secs) = self.retry_after {
            answer.insert_header((actix_web::http::header::RETRY_AFTER, secs.to_string()));
        }
        answer.content_type("application/problem+json").json(self)
    }
}
