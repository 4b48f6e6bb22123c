//! Liveness, readiness and Prometheus metrics.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;

use super::AppState;
use super::blocking;
use super::problem::Problem;

/// How the process or its database is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, `ready`, `migrations pending` or `database unreachable`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The process answers.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok", detail: None })
}

/// The database is reachable and every migration is applied.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health), (status = 503, body = Health)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let services = state.services.clone();
    match blocking(move || services.operations().ready()).await {
        Ok(true) => HttpResponse::Ok().json(Health { status: "ready", detail: None }),
        Ok(false) => HttpResponse::ServiceUnavailable().json(Health { status: "migrations pending", detail: None }),
        Err(problem) => HttpResponse::ServiceUnavailable()
            .json(Health { status: "database unreachable", detail: Some(problem.detail) }),
    }
}

/// Prometheus text exposition.
#[utoipa::path(tag = "operations", responses((status = 200, body = String, content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let figures = blocking(move || services.operations().store_figures()).await?;
    state.metrics.observe_store(&figures);
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render()))
}
