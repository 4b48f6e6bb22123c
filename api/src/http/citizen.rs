//! The signed-in citizen's own dossiers under `/me`: submitting online, reading, resubmitting, withdrawing, and
//! the result papers.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use motcua_engine::service::citizens::{MyDossier, MyDossierDetail, MyPage, SubmittedMine};
use motcua_engine::service::dossiers::IdempotencyKey;
use motcua_engine::service::requests::OnlineSubmission;
use motcua_engine::store::papers::Paper;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::auth::Citizen;
use super::json::Json;
use super::problem::Problem;
use super::{AppState, blocking};

fn malformed(detail: impl Into<String>) -> Problem {
    Problem::new(400, "request.malformed", detail)
}

fn with_etag(status: StatusCode, dossier: &MyDossier) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, format!("\"{}\"", dossier.version))).json(dossier)
}

fn body_problem(e: actix_web::Error) -> Problem {
    match e.as_response_error().status_code() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(413, "request.too_large", format!("the body is larger than {} bytes", super::server::MAX_BODY))
        }
        _ => malformed(e.to_string()),
    }
}

/// Submit a dossier online as the signed-in applicant (status 1): the body is like a counter reception's without
/// `channel`; the applicant must be the citizen. `Idempotency-Key` makes retries safe.
#[utoipa::path(tag = "citizen",
    request_body = OnlineSubmission,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = MyDossier), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[post("/me/dossiers")]
pub async fn submit(
    state: web::Data<AppState>,
    citizen: Citizen,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Problem> {
    let body = body.map_err(body_problem)?;
    let input: OnlineSubmission = super::json::parse(&body)?;
    let key = req.headers().get("Idempotency-Key").map(|v| v.to_str().unwrap_or_default().to_string());
    if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(malformed("Idempotency-Key must have 1 to 200 characters"));
    }
    let key = key.map(|key| IdempotencyKey { key, request_hash: hex::encode(Sha256::digest(&body)) });
    let services = state.services.clone();
    let outcome = blocking(move || services.citizens().submit_mine(&citizen.0, input, key)).await;
    state.metrics.actions.with_label_values(&["submit_online", if outcome.is_ok() { "ok" } else { "refused" }]).inc();
    match outcome? {
        SubmittedMine::Created(dossier) => Ok(with_etag(StatusCode::CREATED, &dossier)),
        SubmittedMine::Replayed { status, body } => {
            Ok(HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                .content_type("application/json")
                .insert_header(("Idempotent-Replayed", "true"))
                .body(body))
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MineQuery {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// The signed-in citizen's dossiers, newest first, with cursor pagination.
#[utoipa::path(tag = "citizen", params(MineQuery),
    responses((status = 200, body = MyPage), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
#[get("/me/dossiers")]
pub async fn list(
    state: web::Data<AppState>,
    citizen: Citizen,
    query: web::Query<MineQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let MineQuery { cursor, limit } = query.into_inner();
    let page = blocking(move || services.citizens().my_dossiers(&citizen.0, cursor.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One of the citizen's dossiers with its public history (another's: 404).
#[utoipa::path(tag = "citizen", params(("id" = String, Path)),
    responses((status = 200, body = MyDossierDetail), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/me/dossiers/{id}")]
pub async fn get(state: web::Data<AppState>, citizen: Citizen, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let detail = blocking(move || services.citizens().my_dossier(&citizen.0, &id)).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, format!("\"{}\"", detail.dossier.version))).json(detail))
}

/// Send the dossier back after a supplement request (attach the new papers first), with `If-Match`.
#[utoipa::path(tag = "citizen", params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = MyDossier), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
#[post("/me/dossiers/{id}/resubmit")]
pub async fn resubmit(
    state: web::Data<AppState>,
    citizen: Citizen,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let version = super::dossiers::expected_version(&req)?;
    let services = state.services.clone();
    let outcome = blocking(move || services.citizens().resubmit_mine(&citizen.0, &id, version)).await;
    state.metrics.actions.with_label_values(&["resubmit", outcome.as_ref().map_or_else(|p| p.code, |_| "ok")]).inc();
    Ok(with_etag(StatusCode::OK, &outcome?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    pub reason: String,
}

/// Withdraw the dossier (before reception, or while a supplement is awaited): `{ "reason": "…" }` with `If-Match`.
#[utoipa::path(tag = "citizen", params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = WithdrawRequest,
    responses((status = 200, body = MyDossier), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
#[post("/me/dossiers/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    citizen: Citizen,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<WithdrawRequest>,
) -> Result<HttpResponse, Problem> {
    let version = super::dossiers::expected_version(&req)?;
    let services = state.services.clone();
    let reason = body.into_inner().reason;
    let outcome = blocking(move || services.citizens().withdraw_mine(&citizen.0, &id, version, reason)).await;
    state.metrics.actions.with_label_values(&["withdraw", outcome.as_ref().map_or_else(|p| p.code, |_| "ok")]).inc();
    Ok(with_etag(StatusCode::OK, &outcome?))
}

/// A paper of the result with where to download it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResultPaper {
    #[serde(flatten)]
    paper: Paper,
    /// Where to download it (the dossier's paper content, which its applicant may read).
    download: String,
}

/// The dossier's result papers once processing is complete (empty before), each with its download path.
#[utoipa::path(tag = "citizen", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ResultPaper>), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/me/dossiers/{id}/results")]
pub async fn results(
    state: web::Data<AppState>,
    citizen: Citizen,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let papers = blocking(move || services.citizens().my_results(&citizen.0, &id)).await?;
    let listed: Vec<ResultPaper> = papers
        .into_iter()
        .map(|paper| ResultPaper {
            download: format!("/api/v1/dossiers/{}/papers/{}/content", paper.dossier_id, paper.id),
            paper,
        })
        .collect();
    Ok(HttpResponse::Ok().json(listed))
}
