//! Citizen pages: online submission, my dossiers (supplement, withdrawal, payment, result, rating), my
//! repository.

mod dossiers;
mod repository;
mod submit;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};

use crate::UiState;
use crate::form::Errors;
use crate::shell::security_headers;

/// The citizen routes (under `/cong-dan`, and submission under `/thu-tuc/{code}/nop`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/thu-tuc/{code}/nop", web::get().to(submit::form))
        .route("/thu-tuc/{code}/nop", web::post().to(submit::post))
        .route("/cong-dan", web::get().to(dossiers::list))
        .route("/cong-dan/ho-so/{id}", web::get().to(dossiers::detail))
        .route("/cong-dan/ho-so/{id}/da-nop", web::get().to(dossiers::submitted))
        .route("/cong-dan/ho-so/{id}/bo-sung", web::post().to(dossiers::supplement))
        .route("/cong-dan/ho-so/{id}/rut", web::post().to(dossiers::withdraw))
        .route("/cong-dan/ho-so/{id}/danh-gia", web::post().to(dossiers::rate))
        .route("/cong-dan/ho-so/{id}/ket-qua/{paper}", web::get().to(dossiers::result))
        .route("/cong-dan/kho", web::get().to(repository::page))
        .route("/cong-dan/kho", web::post().to(repository::add))
        .route("/cong-dan/kho/{id}/tai-ve", web::get().to(repository::download_item))
        .route("/cong-dan/kho/{id}/{action}", web::post().to(repository::act));
}

/// An instant as the citizen reads it: local time of the calendar, `HH:MM dd/mm/yyyy`.
fn when(state: &UiState, t: DateTime<Utc>) -> String {
    t.with_timezone(&state.services.calendar.timezone()).format("%H:%M %d/%m/%Y").to_string()
}

/// A stored file to download: its own type, never sniffed, saved under its name, sent as it is read.
fn download(media_type: &str, file_name: &str, reader: Box<dyn std::io::Read + Send>) -> HttpResponse {
    let safe: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let mut answer = HttpResponse::Ok();
    security_headers(&mut answer);
    answer
        .content_type(media_type.to_string())
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\"")))
        .streaming(crate::downloads::reader_body(reader))
}

/// Field errors whose names the page changes (`components[2]` → `components.giay_chung_sinh`).
fn renamed(errors: Errors, rename: impl Fn(&str) -> String) -> Errors {
    let mut out = Errors::default();
    for (field, message) in errors.fields() {
        out.add(&rename(field), message);
    }
    out.general = errors.general;
    out
}
