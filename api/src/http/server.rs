//! Assembles the application: routes, request limits, problem responses for bad input, request ids,
//! metrics, and the HTTP server.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpServer, error, web};
use motcua_engine::domain::identity::Caller;
use motcua_engine::service::{Services, StaffIdentity};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};

use super::problem::Problem;
use super::{
    AppState, PagesLink, admin, auth, citizen, dossiers, forms, health, metrics, notifications, openapi, papers,
    payments, petitions, population, portal, procedures, readings, reports, repository, sign_in, token,
};

/// Request bodies larger than this are refused (413).
pub const MAX_BODY: usize = 256 * 1024;

pub fn state(services: Arc<Services>) -> Result<web::Data<AppState>, super::signing_keys::KeyError> {
    let keys = auth::JwtKeys::load(&services.config.data_dir)?;
    let pages = PagesLink { session_cookie: motcua_ui::ACCESS_COOKIE, continue_to: motcua_ui::continue_to };
    Ok(web::Data::new(AppState {
        services,
        keys: std::sync::Arc::new(keys),
        metrics: metrics::Metrics::new(),
        generations: Default::default(),
        pages,
    }))
}

/// The pages keep the API's tokens in cookies (`motcua_ui::session`).
impl motcua_ui::Tokens for auth::JwtKeys {
    fn verify(&self, token: &str) -> Option<Caller> {
        auth::verify(self, token)
    }

    fn issue_staff(&self, staff: &StaffIdentity) -> String {
        auth::issue_access_token(self, staff)
    }

    fn lifetime_secs(&self) -> i64 {
        auth::ACCESS_LIFETIME_SECS
    }
}

fn payload_problem(e: &error::JsonPayloadError) -> Problem {
    match e {
        error::JsonPayloadError::Overflow { .. } | error::JsonPayloadError::OverflowKnownLength { .. } => {
            Problem::new(413, "request.too_large", format!("the body is larger than {MAX_BODY} bytes"))
        }
        other => Problem::new(400, "request.malformed", other.to_string()),
    }
}

/// Every route: the pages, and the JSON API declared once for the server and its OpenAPI document.
fn routes(cfg: &mut ServiceConfig) {
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
        .map(|cfg| cfg.configure(motcua_ui::configure))
        .service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(
            scope("/api/v1")
                .service(openapi::serve_document)
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(token::token)
                .service(sign_in::start)
                .service(sign_in::callback)
                .service(citizen::submit)
                .service(citizen::list)
                .service(citizen::get)
                .service(citizen::resubmit)
                .service(citizen::withdraw)
                .service(citizen::results)
                .service(procedures::search)
                .service(procedures::get)
                .service(dossiers::receive)
                .service(dossiers::list)
                .service(dossiers::get)
                .service(dossiers::act)
                .service(dossiers::history)
                .service(dossiers::track)
                // The fixed paths before `/petitions/{id}`, which would take them as ids.
                .service(petitions::file)
                .service(petitions::track)
                .service(petitions::respond)
                .service(petitions::published)
                .service(petitions::queue)
                // Before `get`, whose `{id}` would take "summary".
                .service(petitions::summary)
                .service(petitions::get)
                .service(petitions::history)
                .service(petitions::act)
                .service(population::recheck)
                .service(population::lookup)
                .service(payments::of_dossier)
                .service(payments::callback)
                .service(notifications::list)
                .service(readings::of_dossier)
                .service(readings::checks)
                .service(readings::decide)
                .service(readings::of_upload)
                .service(readings::search)
                .service(papers::list)
                .service(papers::attach)
                .service(papers::content)
                .service(papers::attach_result)
                .service(papers::upload)
                .service(forms::form)
                .service(forms::register)
                .service(repository::overview)
                .service(repository::items)
                .service(repository::add)
                .service(repository::item)
                .service(repository::purge)
                .service(repository::content)
                .service(repository::move_item)
                .service(repository::trash)
                .service(repository::restore)
                .service(repository::share)
                .service(repository::unshare)
                .service(repository::access_log)
                .service(repository::for_staff)
                .service(repository::offers)
                .service(
                    // The portal routes dossiers with their papers inline: a larger body than anyone else's.
                    scope("/portal")
                        .app_data(web::PayloadConfig::new(portal::MAX_PORTAL_BODY))
                        .service(portal::receive)
                        .service(petitions::from_portal)
                        .service(repository::portal_push)
                        .service(repository::portal_pull),
                )
                .service(admin::outbox)
                .service(admin::redrive_all)
                .service(admin::redrive_one)
                .service(admin::jobs)
                .service(admin::redrive_jobs)
                .service(admin::redrive_job)
                .service(reports::scorecard)
                .service(reports::breakdown)
                .service(reports::trend)
                .service(reports::statistics)
                .service(reports::monthly_pdf)
                .service(reports::monthly)
                .service(reports::low_ratings)
                .service(reports::enter_figure)
                .service(reports::lost),
        )
        .default_service(web::to(no_route));
}

/// The OpenAPI document of the routes, as the server declares them.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let (_, mut document) =
        App::new().into_utoipa_app().openapi(openapi::ApiDoc::openapi()).configure(routes).split_for_parts();
    utoipa::Modify::modify(&openapi::StableCodes, &mut document);
    utoipa::Modify::modify(&openapi::ProblemResponses, &mut document);
    document
}

/// A NUL character in the address (`%00`) is bad input everywhere: refused before any handler reads it, so it
/// can reach neither a query nor a page.
async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, error::Error> {
    let uri = req.uri();
    let nul = |text: &str| text.as_bytes().windows(3).any(|w| w == b"%00");
    if nul(uri.path()) || uri.query().is_some_and(nul) {
        return Err(Problem::new(400, "request.malformed", "the address holds the NUL character (%00)").into());
    }
    next.call(req).await
}

/// What every answer carries whatever the handler: `nosniff`; `no-store` on the API (its answers hold
/// personal data, and no shared cache or browser history should keep them); HSTS when served over HTTPS. A
/// `HEAD` request is answered as its `GET`, without the body.
async fn harden(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, error::Error> {
    use actix_web::http::{Method, header};
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let api = req.path().starts_with("/api/");
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.services.config.public_url.starts_with("https://"));
    let mut response = next.call(req).await?.map_into_boxed_body();
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    if api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            header::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if head {
        response = response.map_body(|_, _| actix_web::body::BoxBody::new(()));
    }
    Ok(response)
}

/// A request no route takes: 405 with `Allow` when the address exists for other methods, else 404.
async fn no_route(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    let allowed = allowed_methods(req.path());
    if allowed.is_empty() {
        return actix_web::ResponseError::error_response(&Problem::new(404, "request.not_found", "no such route"));
    }
    let problem = Problem::new(405, "request.method_not_allowed", format!("{} is not one of {allowed}", req.method()));
    let mut answer = actix_web::ResponseError::error_response(&problem);
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allowed) {
        answer.headers_mut().insert(actix_web::http::header::ALLOW, value);
    }
    answer
}

/// The methods the API document gives an address (`/api/v1/dossiers/{id}` matches `/api/v1/dossiers/x`), with
/// HEAD beside GET; empty for an address the document does not know (the pages' included: a 404).
fn allowed_methods(path: &str) -> String {
    static PATHS: std::sync::OnceLock<Vec<(Vec<String>, Vec<String>)>> = std::sync::OnceLock::new();
    let paths = PATHS.get_or_init(|| {
        let document = serde_json::to_value(api_doc()).expect("the document serializes");
        let paths = document["paths"].as_object().cloned().unwrap_or_default();
        paths
            .into_iter()
            .map(|(template, operations)| {
                let segments = template.split('/').map(str::to_string).collect();
                let methods = operations.as_object().map(|o| o.keys().map(|m| m.to_uppercase()).collect());
                (segments, methods.unwrap_or_default())
            })
            .collect()
    });
    let wanted: Vec<&str> = path.split('/').collect();
    let fits = |template: &[String]| {
        template.len() == wanted.len()
            && template.iter().zip(&wanted).all(|(t, w)| t == w || (t.starts_with('{') && !w.is_empty()))
    };
    let mut methods: Vec<String> = paths.iter().filter(|(t, _)| fits(t)).flat_map(|(_, m)| m.clone()).collect();
    if methods.iter().any(|m| m == "GET") {
        methods.push("HEAD".into());
    }
    methods.sort();
    methods.dedup();
    methods.join(", ")
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
    let app = App::new()
        .app_data(state)
        .app_data(pages)
        .wrap(from_fn(refuse_nul))
        .wrap(from_fn(harden))
        .wrap(from_fn(observe));
    app.into_utoipa_app().openapi(openapi::ApiDoc::openapi()).configure(routes).split_for_parts().0
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
