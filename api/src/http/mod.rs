//! The JSON API under `/api/v1` (DESIGN.md §11): thin handlers over `motcua_engine::service`.

pub mod admin;
pub mod auth;
pub mod citizen;
pub mod dossiers;
pub mod downloads;
pub mod forms;
pub mod generations;
pub mod health;
pub mod json;
pub mod metrics;
pub mod notifications;
pub mod openapi;
pub mod papers;
pub mod payments;
pub mod petitions;
pub mod population;
pub mod portal;
pub mod problem;
pub mod procedures;
pub mod readings;
pub mod reports;
pub mod repository;
pub mod server;
pub mod sign_in;
pub mod signing_keys;
pub mod token;

use std::sync::Arc;

use motcua_engine::service::Services;

/// Shared by every request.
pub struct AppState {
    pub services: Arc<Services>,
    pub keys: std::sync::Arc<auth::JwtKeys>,
    pub metrics: metrics::Metrics,
    /// Staff accounts' token generations, as access tokens are checked against them.
    pub generations: std::sync::Arc<generations::TokenGenerations>,
    /// What the API needs of the pages, wired by the composition root (`server`).
    pub pages: PagesLink,
}

/// The citizen sign-in ends in the browser: the API sets the pages' session cookie and shows the pages' "moving
/// on" page (a same-site step, so the SameSite=Strict cookie is sent on the next request).
pub struct PagesLink {
    /// The name of the cookie the pages read the access token from.
    pub session_cookie: &'static str,
    /// The page that moves the browser on to a local path.
    pub continue_to: fn(&str) -> actix_web::HttpResponse,
}

/// Runs blocking service work (database, argon2) on actix's blocking pool, off the async executor.
pub async fn blocking<T, F>(f: F) -> Result<T, problem::Problem>
where
    F: FnOnce() -> Result<T, motcua_engine::service::ServiceError> + Send + 'static,
    T: Send + 'static,
{
    match actix_web::web::block(f).await {
        Ok(result) => result.map_err(problem::Problem::from),
        Err(_) => Err(problem::Problem::server_error()),
    }
}
