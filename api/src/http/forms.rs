//! Forms 01-06 as PDF downloads: a dossier's forms (receipt, supplement request, refusal, apology, control slip)
//! and an agency's register over a period.

use actix_web::get;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use motcua_engine::adapters::sheets::{self, SheetFormat};
use serde::Deserialize;

use super::auth::{AnyCaller, Staff};
use super::papers::stream_file;
use super::problem::Problem;
use super::{AppState, blocking};

/// A form of a dossier, for its latest event: 01 receipt, 02 supplement request, 03 refusal, 04 apology, 05
/// control slip (as of now). Staff in scope and the applicant may download it.
#[utoipa::path(tag = "papers",
    params(("id" = String, Path), ("form" = String, Path, description = "01, 02, 03, 04 or 05")),
    responses((status = 200, content((Vec<u8> = "application/pdf"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/dossiers/{id}/forms/{form}")]
pub async fn form(
    state: web::Data<AppState>,
    caller: AnyCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let (id, code) = path.into_inner();
    let (paper, reader) = blocking(move || services.papers().form(&caller.0, &id, &code)).await?;
    Ok(stream_file(reader, &paper.media_type, &paper.file_name, &paper.blob_sha256, paper.size_bytes))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegisterQuery {
    /// First day (YYYY-MM-DD, local).
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// The same rows as CSV or XLSX instead of the PDF.
    pub format: Option<SheetFormat>,
}

/// The register (form 06, A4) of the dossiers an agency received in a period; staff of that agency only.
#[utoipa::path(tag = "papers",
    params(("id" = String, Path), RegisterQuery),
    responses((status = 200, content((Vec<u8> = "application/pdf"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/agencies/{id}/register")]
pub async fn register(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let RegisterQuery { from, to, format } = query.into_inner();
    if to < from || (to - from).num_days() > 366 {
        return Err(Problem::new(422, "request.invalid", "`to` must be on or after `from`, at most a year later"));
    }
    if let Some(format) = format {
        let name = sheets::stem(&["so-theo-doi", &id, &from.to_string(), &to.to_string()]);
        let data = blocking(move || services.papers().register_data(&staff.0, &id, from, to)).await?;
        return Ok(super::downloads::attachment(sheets::stream_table(
            format,
            &name,
            motcua_engine::service::downloads::register(&data),
        )));
    }
    let pdf = blocking(move || services.papers().register(&staff.0, &id, from, to)).await?;
    Ok(super::downloads::pdf(&format!("so-theo-doi-{from}-{to}"), pdf))
}
