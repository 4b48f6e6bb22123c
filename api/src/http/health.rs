//! Liveness, readiness and Prometheus metrics.

use actix_web::{HttpResponse, web};

use super::AppState;
use super::blocking;
use super::problem::Problem;

/// The process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The database is reachable and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200), (status = 503, body = Problem)))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let services = state.services.clone();
    match blocking(move || services.ready()).await {
        Ok(true) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Ok(false) => HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "migrations pending" })),
        Err(problem) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "status": "database unreachable", "detail": problem.detail })),
    }
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, content_type = "text/plain")))]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let figures = blocking(move || services.store_figures()).await?;
    state.metrics.observe_store(&figures);
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render()))
}
