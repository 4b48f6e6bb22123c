//! Assembles the application: routes, request limits, problem responses for bad input, request ids,
//! metrics, and the HTTP server.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpServer, error, web};
use motcua_engine::service::Services;

use super::problem::Problem;
use super::{
    AppState, admin, auth, citizen, dossiers, forms, health, metrics, openapi, papers, portal, procedures, repository,
};

/// Request bodies larger than this are refused (413).
pub const MAX_BODY: usize = 256 * 1024;

pub fn state(services: Arc<Services>) -> Result<web::Data<AppState>, motcua_engine::service::ServiceError> {
    let keys = auth::JwtKeys::load(&services)?;
    Ok(web::Data::new(AppState { services, keys: std::sync::Arc::new(keys), metrics: metrics::Metrics::new() }))
}

fn payload_problem(e: &error::JsonPayloadError) -> Problem {
    match e {
        error::JsonPayloadError::Overflow { .. } | error::JsonPayloadError::OverflowKnownLength { .. } => {
            Problem::new(413, "request.too_large", format!("the body is larger than {MAX_BODY} bytes"))
        }
        other => Problem::new(400, "request.malformed", other.to_string()),
    }
}

/// Every route, for the server and for tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(MAX_BODY).error_handler(|e, _| payload_problem(&e).into()))
        .app_data(web::PayloadConfig::new(MAX_BODY))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|e, _| Problem::new(400, "request.malformed", e.to_string()).into()),
        )
        .app_data(
            web::PathConfig::default()
                .error_handler(|e, _| Problem::new(400, "request.malformed", e.to_string()).into()),
        )
        .configure(motcua_ui::configure)
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .service(
            web::scope("/api/v1")
                .route("/openapi.json", web::get().to(openapi::document))
                .route("/auth/login", web::post().to(auth::login))
                .route("/auth/refresh", web::post().to(auth::refresh))
                .route("/auth/logout", web::post().to(auth::logout))
                .route("/auth/token", web::post().to(citizen::token))
                .route("/auth/citizen/start", web::get().to(citizen::start))
                .route("/auth/citizen/callback", web::get().to(citizen::callback))
                .route("/me/dossiers", web::post().to(citizen::submit))
                .route("/me/dossiers", web::get().to(citizen::list))
                .route("/me/dossiers/{id}", web::get().to(citizen::get))
                .route("/me/dossiers/{id}/resubmit", web::post().to(citizen::resubmit))
                .route("/me/dossiers/{id}/withdraw", web::post().to(citizen::withdraw))
                .route("/me/dossiers/{id}/results", web::get().to(citizen::results))
                .route("/procedures", web::get().to(procedures::search))
                .route("/procedures/{code}", web::get().to(procedures::get))
                .route("/dossiers", web::post().to(dossiers::receive))
                .route("/dossiers", web::get().to(dossiers::list))
                .route("/dossiers/{id}", web::get().to(dossiers::get))
                .route("/dossiers/{id}/actions", web::post().to(dossiers::act))
                .route("/dossiers/{id}/history", web::get().to(dossiers::history))
                .route("/dossiers/{id}/identity-check", web::post().to(super::population::recheck))
                .route("/dossiers/{id}/payments", web::get().to(super::payments::of_dossier))
                .route("/population/lookup", web::post().to(super::population::lookup))
                .route("/payments/callback", web::post().to(super::payments::callback))
                .route("/dossiers/{id}/notifications", web::get().to(super::notifications::list))
                .route("/dossiers/{id}/papers", web::get().to(papers::list))
                .route("/dossiers/{id}/papers", web::post().to(papers::attach))
                .route("/dossiers/{id}/papers/{paper}/content", web::get().to(papers::content))
                .route("/dossiers/{id}/results", web::post().to(papers::attach_result))
                .route("/dossiers/{id}/forms/{form}", web::get().to(forms::form))
                .route("/agencies/{id}/register", web::get().to(forms::register))
                .route("/uploads", web::post().to(papers::upload))
                .route("/repository", web::get().to(repository::overview))
                .route("/repository/items", web::get().to(repository::items))
                .route("/repository/items", web::post().to(repository::add))
                .route("/repository/items/{id}", web::get().to(repository::item))
                .route("/repository/items/{id}", web::delete().to(repository::purge))
                .route("/repository/items/{id}/content", web::get().to(repository::content))
                .route("/repository/items/{id}/move", web::post().to(repository::move_item))
                .route("/repository/items/{id}/trash", web::post().to(repository::trash))
                .route("/repository/items/{id}/restore", web::post().to(repository::restore))
                .route("/repository/items/{id}/shares", web::post().to(repository::share))
                .route("/repository/items/{id}/unshare", web::post().to(repository::unshare))
                .route("/repository/access-log", web::get().to(repository::access_log))
                .route("/repository/owners/{owner}/items", web::get().to(repository::for_staff))
                .route("/repository/offers", web::get().to(repository::offers))
                .route("/portal/repository/{owner}/items", web::post().to(repository::portal_push))
                .route("/portal/repository/{owner}/items", web::get().to(repository::portal_pull))
                .route("/track", web::get().to(dossiers::track))
                .service(
                    web::resource("/portal/dossiers")
                        .app_data(web::PayloadConfig::new(portal::MAX_PORTAL_BODY))
                        .route(web::post().to(portal::receive)),
                )
                .route("/admin/outbox", web::get().to(admin::outbox))
                .route("/admin/outbox/redrive", web::post().to(admin::redrive_all))
                .route("/admin/outbox/{id}/redrive", web::post().to(admin::redrive_one))
                .route("/admin/jobs", web::get().to(admin::jobs))
                .route("/admin/jobs/redrive", web::post().to(admin::redrive_jobs))
                .route("/admin/jobs/{id}/redrive", web::post().to(admin::redrive_job)),
        )
        .default_service(web::to(|| async {
            actix_web::ResponseError::error_response(&Problem::new(404, "request.not_found", "no such route"))
        }));
}

/// Request id, access log and metrics around every request.
async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, error::Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get("X-Request-Id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 100)
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_string);
    let method = req.method().to_string();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let mut response = next.call(req).await?;
    let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".into());
    let status = response.status().as_u16();
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(actix_web::http::header::HeaderName::from_static("x-request-id"), value);
    }
    let elapsed = started.elapsed();
    // Server time for browsers' developer tools and `motcua bench pages` (W3C Server Timing).
    if let Ok(value) =
        actix_web::http::header::HeaderValue::from_str(&format!("app;dur={:.2}", elapsed.as_secs_f64() * 1e3))
    {
        response.headers_mut().insert(actix_web::http::header::HeaderName::from_static("server-timing"), value);
    }
    if let Some(state) = state {
        state.metrics.requests.with_label_values(&[&method, &route, &status.to_string()]).inc();
        state.metrics.latency.with_label_values(&[&method, &route]).observe(elapsed.as_secs_f64());
    }
    tracing::info!(target: "http", request_id = %request_id, %method, %route, status, micros = elapsed.as_micros() as u64);
    Ok(response)
}

pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = error::Error,
        InitError = (),
    >,
> {
    let pages = web::Data::new(motcua_ui::UiState { services: state.services.clone(), tokens: state.keys.clone() });
    App::new().app_data(state).app_data(pages).wrap(from_fn(observe)).configure(configure)
}

/// Binds and serves until stopped.
pub async fn serve(state: web::Data<AppState>, listener: std::net::TcpListener, workers: usize) -> std::io::Result<()> {
    HttpServer::new(move || app(state.clone())).workers(workers).listen(listener)?.run().await
}

/// Starts the server on its own thread (with its own actix system) and returns its handle: for tests and
/// benchmarks that drive a real server from another runtime.
pub fn spawn(
    state: web::Data<AppState>,
    listener: std::net::TcpListener,
    workers: usize,
) -> actix_web::dev::ServerHandle {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server =
                match HttpServer::new(move || app(state.clone())).workers(workers).disable_signals().listen(listener) {
                    Ok(server) => server.run(),
                    Err(e) => panic!("cannot listen: {e}"),
                };
            tx.send(server.handle()).expect("the caller waits for the handle");
            server.await
        })
    });
    rx.recv().expect("the server thread sends its handle")
}
