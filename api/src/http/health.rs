//! Liveness, readiness and Prometheus metrics.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;

use super::AppState;
use super::blocking;
use super::problem::{Problem, RETRY_AFTER_SECS};
use actix_web::HttpRequest;
use motcua_engine::service::operations::Readiness;
use subtle::ConstantTimeEq;

/// The figures tell how busy each agency is and how the outbox fares: for the operators' Prometheus, from
/// loopback or with the configured token, not for anyone who finds the address.
fn may_scrape(req: &HttpRequest, token: Option<&str>) -> Result<(), Problem> {
    if req.peer_addr().is_some_and(|peer| peer.ip().is_loopback()) {
        return Ok(());
    }
    let sent = super::auth::bearer(req);
    match (token, sent) {
        (Some(token), Some(sent)) if bool::from(token.as_bytes().ct_eq(sent.as_bytes())) => Ok(()),
        (_, None) => Err(Problem::new(401, "auth.required", "send Authorization: Bearer <metrics token>")),
        _ => Err(Problem::new(403, "request.forbidden", "the metrics are for the operators' monitoring")),
    }
}

/// How the process or its database is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, `ready`, `migrations pending`, `blob store unwritable` or `database unreachable`.
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
    let not_ready = |status, detail| {
        HttpResponse::ServiceUnavailable()
            .insert_header((actix_web::http::header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()))
            .json(Health { status, detail })
    };
    match blocking(move || services.operations().ready()).await {
        Ok(Readiness::Ready) => HttpResponse::Ok().json(Health { status: "ready", detail: None }),
        Ok(Readiness::MigrationsPending) => not_ready("migrations pending", None),
        Ok(Readiness::BlobsUnwritable(detail)) => not_ready("blob store unwritable", Some(detail)),
        Err(problem) => not_ready("database unreachable", Some(problem.detail)),
    }
}

/// Prometheus text exposition.
#[utoipa::path(tag = "operations", responses((status = 200, body = String, content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    may_scrape(&req, state.services.config.metrics_token.as_deref())?;
    let services = state.services.clone();
    let figures = blocking(move || services.operations().store_figures()).await?;
    state.metrics.observe_store(&figures);
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render()))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::may_scrape;

    #[test]
    fn metrics_are_for_loopback_or_the_token() {
        let from = |addr: &str| TestRequest::default().peer_addr(addr.parse().unwrap());
        assert!(may_scrape(&from("127.0.0.1:5000").to_http_request(), None).is_ok());
        assert!(may_scrape(&from("[::1]:5000").to_http_request(), None).is_ok());
        let outside = from("10.0.0.7:5000");
        assert_eq!(may_scrape(&outside.to_http_request(), None).unwrap_err().status, 401);
        let wrong = from("10.0.0.7:5000").insert_header(("authorization", "Bearer nope"));
        assert_eq!(may_scrape(&wrong.to_http_request(), Some("secret")).unwrap_err().status, 403);
        let right = from("10.0.0.7:5000").insert_header(("authorization", "bearer secret"));
        assert!(may_scrape(&right.to_http_request(), Some("secret")).is_ok());
        let no_token_set = from("10.0.0.7:5000").insert_header(("authorization", "Bearer secret"));
        assert_eq!(may_scrape(&no_token_set.to_http_request(), None).unwrap_err().status, 403);
    }
}
