//! motcua's web pages (DESIGN.md §11): server-rendered HTML (askama) over the same service layer as the JSON
//! API, working without JavaScript, Vietnamese first with English, behind a strict Content-Security-Policy.
//! The API crate mounts them with [`configure`] and provides a [`UiState`].

pub mod downloads;
mod error;
mod form;
mod i18n;
mod pages;
mod posted;
mod session;
mod shell;

use std::sync::Arc;

use actix_web::web;
use motcua_engine::service::Services;

pub use i18n::UiLang;
pub use pages::sign_in::continue_to;
pub use session::{ACCESS_COOKIE, Tokens};

/// What every page needs.
pub struct UiState {
    pub services: Arc<Services>,
    pub tokens: Arc<dyn Tokens>,
}

/// Every page route. Paths are Vietnamese, as the people who type and read them are.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::home::page))
        .route("/thu-tuc/{code}", web::get().to(pages::procedure::page))
        .route("/tra-cuu", web::get().to(pages::track::page))
        .route("/phan-anh-kien-nghi", web::get().to(pages::petitions::list))
        .route("/phan-anh-kien-nghi/gui", web::get().to(pages::petitions::form))
        .route("/phan-anh-kien-nghi/gui", web::post().to(pages::petitions::submit))
        .route("/phan-anh-kien-nghi/theo-doi", web::get().to(pages::petitions::follow))
        .route("/phan-anh-kien-nghi/theo-doi", web::post().to(pages::petitions::respond))
        .route("/danh-gia/{token}", web::get().to(pages::rating::show))
        .route("/danh-gia/{token}", web::post().to(pages::rating::submit))
        .route("/thong-ke-cong-khai", web::get().to(pages::statistics::page))
        .route("/thong-ke-cong-khai/bao-cao-thang", web::get().to(pages::statistics::monthly))
        .route("/dang-nhap", web::get().to(pages::sign_in::chooser))
        .route("/dang-xuat", web::post().to(pages::sign_in::sign_out))
        .route("/can-bo/dang-nhap", web::get().to(pages::sign_in::staff_form))
        .route("/can-bo/dang-nhap", web::post().to(pages::sign_in::staff_submit))
        .route("/static/app.css", web::get().to(shell::stylesheet))
        .configure(pages::staff::configure)
        .configure(pages::citizen::configure)
        .configure(pages::admin::configure);
}
