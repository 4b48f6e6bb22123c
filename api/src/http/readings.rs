//! What text recognition read on papers: a dossier's papers' text, the findings of the check of its papers
//! against what was stated and the clerk's decision on them, what a held upload says, and search in the text.

use actix_web::{HttpResponse, get, post, web};
use motcua_engine::service::ServiceError;
use motcua_engine::service::readings::{HeldScan, PaperText};
use motcua_engine::store::readings::{Check, Hit};
use serde::{Deserialize, Serialize};

use super::auth::Staff;
use super::json::Json;
use super::problem::Problem;
use super::{AppState, blocking};

/// What was read on one paper of a dossier.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PaperReading {
    pub paper_id: String,
    pub reading: PaperText,
}

/// The text read on each paper of a dossier (papers not read, or not readable, are left out).
#[utoipa::path(tag = "readings", params(("id" = String, Path)),
    responses((status = 200, body = Vec<PaperReading>), (status = 404, body = Problem)),
    security(("bearer" = [])))]
#[get("/dossiers/{id}/readings")]
pub async fn of_dossier(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let read = blocking(move || services.readings().of_dossier(&staff.0, &id)).await?;
    let body: Vec<PaperReading> =
        read.into_iter().map(|(paper_id, reading)| PaperReading { paper_id, reading }).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Where a dossier's papers disagree with what was stated, oldest first, with the clerk's decisions.
#[utoipa::path(tag = "readings", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Check>), (status = 404, body = Problem)),
    security(("bearer" = [])))]
#[get("/dossiers/{id}/paper-checks")]
pub async fn checks(state: web::Data<AppState>, staff: Staff, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let checks = blocking(move || services.readings().checks(&staff.0, &id)).await?;
    Ok(HttpResponse::Ok().json(checks))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `kept` (what was stated stands) or `corrected` (the clerk had it put right).
    pub decision: String,
    /// The finding decided (its `id`); absent: every finding still waiting.
    #[serde(default)]
    pub check: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Decided {
    pub decided: usize,
}

/// The clerk's decision on one finding of the dossier still waiting, or on every one (reception clerks of its
/// agency). Audited. 404 `reading.nothing_waiting` when none (or not that one) waits.
#[utoipa::path(tag = "readings", params(("id" = String, Path)), request_body = Decision,
    responses((status = 200, body = Decided), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[post("/dossiers/{id}/paper-checks/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    body: Json<Decision>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let body = body.into_inner();
    let decided =
        blocking(move || services.readings().decide(&staff.0, &id, body.check.as_deref(), &body.decision)).await?;
    Ok(HttpResponse::Ok().json(Decided { decided }))
}

/// What a held upload of the caller's says: `text` is null while it is `pending` (being read) or when it is
/// not a kind of file that is read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadReading {
    pub upload_id: String,
    pub file_name: String,
    pub pending: bool,
    pub text: Option<PaperText>,
}

#[utoipa::path(tag = "readings", params(("id" = String, Path)),
    responses((status = 200, body = UploadReading), (status = 404, body = Problem)),
    security(("bearer" = [])))]
#[get("/uploads/{id}/reading")]
pub async fn of_upload(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let ids = vec![id.into_inner()];
    let found: Vec<HeldScan> = blocking(move || services.readings().held_scans(&staff.0, &ids)).await?;
    let scan = found.into_iter().next().ok_or_else(|| Problem::from(ServiceError::NotFound("paper.not_found")))?;
    Ok(HttpResponse::Ok().json(UploadReading {
        upload_id: scan.upload_id,
        file_name: scan.file_name,
        pending: scan.pending,
        text: scan.text,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words read on the paper (all must be there), with or without accents.
    pub q: String,
    /// The previous page's `next`.
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Hits {
    pub items: Vec<Hit>,
    /// The cursor of the next page, or null on the last.
    pub next: Option<String>,
}

/// Papers of the caller's agencies whose read text holds every word asked, newest first (keyset pages).
#[utoipa::path(tag = "readings", params(SearchQuery),
    responses((status = 200, body = Hits), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[get("/papers/search")]
pub async fn search(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(25);
    let services = state.services.clone();
    let (items, next) =
        blocking(move || services.readings().search(&staff.0, &query.q, query.after.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(Hits { items, next }))
}
