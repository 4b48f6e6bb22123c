//! motcua's web pages (DESIGN.md §11): server-rendered HTML (askama) over the same service layer as the JSON
//! API, working without JavaScript, Vietnamese first with English, behind a strict Content-Security-Policy.
//! The API crate mounts them with [`configure`] and provides a [`UiState`].

mod i18n;
mod pages;
mod shell;

use std::sync::Arc;

use actix_web::web;
use motcua_engine::service::Services;

pub use i18n::UiLang;

/// What every page needs.
pub struct UiState {
    pub services: Arc<Services>,
}

/// Every page route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::home::page))
        .route("/thu-tuc/{code}", web::get().to(pages::procedure::page))
        .route("/tra-cuu", web::get().to(pages::track::page))
        .route("/static/app.css", web::get().to(shell::stylesheet));
}
