//! What a use case answers when it cannot do what was asked. Each error has a stable code whose words are
//! in the message catalogue, and an HTTP status for the API.

use serde::Serialize;

use crate::domain::dossier::Rejection;
use crate::messages::lookup;
use crate::store::StoreError;

/// One bad field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> FieldError {
        let (vi, en) = lookup(code);
        FieldError { field: field.into(), code, message_vi: vi.to_string(), message_en: en.to_string() }
    }

    /// With a detail appended to both messages (e.g. why an id is invalid).
    pub fn with_detail(mut self, detail: &str) -> FieldError {
        self.message_vi = format!("{}: {detail}", self.message_vi);
        self.message_en = format!("{}: {detail}", self.message_en);
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Rejected(#[from] Rejection),
    #[error("invalid request: {} field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}: {1}")]
    Conflict(&'static str, String),
    /// Too many failed sign-ins from here or for this name: try again after this many seconds.
    #[error("try again in {0} s")]
    Throttled(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Blob(#[from] crate::documents::blobs::BlobError),
    /// A fault of the server (a form that cannot render, a key that cannot be read): logged, never shown.
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    /// A unique constraint refused the write: another request stored the same thing first.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, ServiceError::Store(e) if e.is_unique_violation())
    }
}

impl ServiceError {
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Rejected(r) => r.code(),
            ServiceError::Invalid(_) => "request.invalid",
            ServiceError::NotFound(code)
            | ServiceError::Forbidden(code)
            | ServiceError::Unauthenticated(code)
            | ServiceError::Conflict(code, _) => code,
            ServiceError::Throttled(_) => "auth.throttled",
            ServiceError::Store(StoreError::Pool(_) | StoreError::Busy(_)) => "server.unavailable",
            ServiceError::Store(StoreError::Unstorable(_)) => "request.malformed",
            ServiceError::Store(_) | ServiceError::Internal(_) => "server.error",
            ServiceError::Blob(e) => e.code(),
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            ServiceError::Rejected(r) => r.http_status(),
            ServiceError::Invalid(_) => 422,
            ServiceError::NotFound(_) => 404,
            ServiceError::Forbidden(_) => 403,
            ServiceError::Throttled(_) => 429,
            ServiceError::Unauthenticated(_) => 401,
            ServiceError::Conflict(..) => 409,
            ServiceError::Store(StoreError::Pool(_) | StoreError::Busy(_)) => 503,
            ServiceError::Store(StoreError::Unstorable(_)) => 400,
            ServiceError::Store(_) | ServiceError::Internal(_) => 500,
            ServiceError::Blob(e) => match e.code() {
                "blob.too_large" => 413,
                "blob.unsupported_type" => 415,
                "blob.not_found" => 404,
                "blob.unavailable" => 503,
                _ => 500,
            },
        }
    }

    /// Seconds after which the same request may succeed, when the error knows (a throttled sign-in); the API
    /// adds its default to any other 503.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            ServiceError::Throttled(secs) => Some(*secs),
            _ => None,
        }
    }

    /// A detail for the person reading the problem, never internals of the server.
    pub fn detail(&self) -> String {
        match self {
            ServiceError::Store(StoreError::Unstorable(_)) => {
                "a text holds a character that cannot be stored (NUL)".into()
            }
            ServiceError::Store(_) => lookup(self.code()).1.to_string(),
            ServiceError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                lookup(self.code()).1.to_string()
            }
            ServiceError::Blob(e) if e.code() == "blob.io" || e.code() == "blob.corrupt" => {
                tracing::error!(error = %e, "blob store");
                lookup(self.code()).1.to_string()
            }
            other => other.to_string(),
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ServiceError::Invalid(errors) => errors,
            _ => &[],
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
