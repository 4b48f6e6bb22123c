//! Dossiers: reception, queues, state, actions, history, and public tracking.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use motcua_engine::domain::dossier::{Dossier, Status};
use motcua_engine::service::dossiers::{History, IdempotencyKey, Page as DossierPage, QueueQuery, Received, Tracking};
use motcua_engine::service::requests::{ActionRequest, NewDossier, parse_action_body};
use motcua_engine::service::{FieldError, downloads as tables};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::auth::Staff;
use super::downloads::attachment;
use super::problem::Problem;
use super::{AppState, blocking};
use motcua_engine::adapters::sheets::{self, SheetFormat, stem};

fn with_etag(status: actix_web::http::StatusCode, dossier: &Dossier) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, format!("\"{}\"", dossier.version))).json(dossier)
}

fn malformed(detail: impl Into<String>) -> Problem {
    Problem::new(400, "request.malformed", detail)
}

/// Why the raw body could not be read (413 past `MAX_BODY`), as a problem: actix answers in plain text.
fn body_problem(e: actix_web::Error) -> Problem {
    match e.as_response_error().status_code() {
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(413, "request.too_large", format!("the body is larger than {} bytes", super::server::MAX_BODY))
        }
        _ => malformed(e.to_string()),
    }
}

/// Receive a dossier at the counter or by post (reception clerk). Answers 201 with the received dossier:
/// id, code, status 2, due instant, version. `Idempotency-Key` makes retries safe.
#[utoipa::path(tag = "dossiers",
    request_body = NewDossier,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Dossier), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[post("/dossiers")]
pub async fn receive(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Problem> {
    let body = body.map_err(body_problem)?;
    let input: NewDossier = super::json::parse(&body)?;
    let key = req.headers().get("Idempotency-Key").map(|v| v.to_str().unwrap_or_default().to_string());
    if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(malformed("Idempotency-Key must have 1 to 200 characters"));
    }
    let key = key.map(|key| IdempotencyKey { key, request_hash: hex::encode(Sha256::digest(&body)) });
    let services = state.services.clone();
    let outcome = blocking(move || services.dossiers().receive(&staff.0, input, key)).await;
    state.metrics.actions.with_label_values(&["receive", if outcome.is_ok() { "ok" } else { "refused" }]).inc();
    match outcome? {
        Received::Created(dossier) => Ok(with_etag(actix_web::http::StatusCode::CREATED, &dossier)),
        Received::Replayed { status, body } => Ok(HttpResponse::build(
            actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK),
        )
        .content_type("application/json")
        .insert_header(("Idempotent-Replayed", "true"))
        .body(body)),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub agency: Option<String>,
    /// Comma-separated status codes, e.g. `2,4`.
    pub status: Option<String>,
    pub step: Option<String>,
    /// A staff id, or `me`.
    pub assignee: Option<String>,
    pub procedure: Option<String>,
    /// counter | online | post.
    pub channel: Option<String>,
    pub due_before: Option<DateTime<Utc>>,
    /// Text in code, applicant name or id, or summary.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
    /// Download every dossier the filters select (from `cursor` on) as CSV or XLSX, streamed, instead of a page.
    pub format: Option<SheetFormat>,
}

/// Queues: dossiers of the caller's agencies, filtered and sorted by due instant, with cursor pagination; with
/// `format`, all of them as CSV or XLSX.
#[utoipa::path(tag = "dossiers", params(ListQuery),
    responses((status = 200, content((DossierPage = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
#[get("/dossiers")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let mut errors = Vec::new();
    let mut statuses = Vec::new();
    for part in query.status.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<u8>().ok().and_then(Status::from_code) {
            Some(status) => statuses.push(status),
            None => errors.push(
                FieldError::new("status", "field.required").with_detail(&format!("`{part}` is not a status 1-10")),
            ),
        }
    }
    let channel = match query.channel.as_deref() {
        None | Some("") => None,
        Some("counter") => Some(1),
        Some("online") => Some(2),
        Some("post") => Some(3),
        Some(other) => {
            errors.push(FieldError::new("channel", "field.channel_not_allowed").with_detail(other));
            None
        }
    };
    if !errors.is_empty() {
        let mut problem = Problem::new(422, "request.invalid", "some filters are invalid");
        problem.errors = errors;
        return Err(problem);
    }
    let queue = QueueQuery {
        agency: query.agency,
        statuses,
        step: query.step,
        assignee: query.assignee,
        procedure: query.procedure,
        channel,
        due_before: query.due_before,
        text: query.q,
        cursor: query.cursor.filter(|c| !c.is_empty()),
        limit: query.limit,
    };
    let services = state.services.clone();
    let Some(format) = query.format else {
        let page = blocking(move || services.dossiers().queue(&staff.0, queue)).await?;
        return Ok(HttpResponse::Ok().json(page));
    };
    // The first page answers for the caller's rights and the filters before the download starts.
    let queue = QueueQuery { limit: Some(QUEUE_DOWNLOAD_PAGE), ..queue };
    let first = {
        let (services, staff, queue) = (services.clone(), staff.0.clone(), queue.clone());
        blocking(move || services.dossiers().queue(&staff, queue)).await?
    };
    let name = stem(&["ho-so", queue.agency.as_deref().unwrap_or("")]);
    Ok(attachment(sheets::stream(format, &name, tables::queue_headers(), move |emit| {
        let zone = services.calendar.timezone();
        let mut page = first;
        loop {
            for d in &page.items {
                emit(&tables::queue_row(d, &services.catalogue, zone))?;
            }
            let Some(after) = page.next_cursor else { return Ok(()) };
            page = services.dossiers().queue(&staff.0, QueueQuery { cursor: Some(after), ..queue.clone() })?;
        }
    })))
}

/// Dossiers read per page of a queue download.
const QUEUE_DOWNLOAD_PAGE: i64 = 200;

/// A dossier's full state; `ETag` is its version.
#[utoipa::path(tag = "dossiers", params(("id" = String, Path)),
    responses((status = 200, body = Dossier), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/dossiers/{id}")]
pub async fn get(state: web::Data<AppState>, staff: Staff, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let dossier = blocking(move || services.dossiers().dossier(&staff.0, &id)).await?;
    Ok(with_etag(actix_web::http::StatusCode::OK, &dossier))
}

/// The body of an action: the action with its fields, and an optional note for the history (at most 2000
/// characters). Read by `parse_action_body`; this type gives it its schema.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ActionBody {
    #[serde(flatten)]
    action: ActionRequest,
    note: Option<String>,
}

/// `If-Match: "5"`, `5` or `W/"5"`.
pub fn expected_version(req: &HttpRequest) -> Result<u64, Problem> {
    let value = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or_else(|| Problem::new(428, "request.precondition_required", "send If-Match with the version you saw"))?;
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| malformed("If-Match must be the dossier version, e.g. \"5\""))
}

/// Perform an action: `{ "action": "assign", "assignee": "…", "note": "…" }` with `If-Match`. Answers the new
/// state, or a problem (409 `dossier.stale_version` when someone acted first; the deadline sweeper's nearly-due and
/// overdue alerts since the version seen do not count).
#[utoipa::path(tag = "dossiers", params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = ActionBody,
    responses((status = 200, body = Dossier), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
#[post("/dossiers/{id}/actions")]
pub async fn act(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    id: web::Path<String>,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Problem> {
    let version = expected_version(&req)?;
    let body = body.map_err(body_problem)?;
    let value: serde_json::Value = super::json::parse(&body)?;
    let (request, note) = parse_action_body(&value).map_err(malformed)?;
    let action = value.get("action").and_then(|a| a.as_str()).unwrap_or("unknown").to_string();
    let services = state.services.clone();
    let outcome = blocking(move || services.dossiers().act(&staff.0, &id, version, request, note)).await;
    let label = match &outcome {
        Ok(_) => "ok".to_string(),
        Err(problem) => problem.code.to_string(),
    };
    state.metrics.actions.with_label_values(&[&action, &label]).inc();
    Ok(with_etag(actix_web::http::StatusCode::OK, &outcome?))
}

/// Events and the control slip (form 05 data).
#[utoipa::path(tag = "dossiers", params(("id" = String, Path)),
    responses((status = 200, body = History), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/dossiers/{id}/history")]
pub async fn history(state: web::Data<AppState>, staff: Staff, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let history = blocking(move || services.dossiers().history(&staff.0, &id)).await?;
    Ok(HttpResponse::Ok().json(history))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TrackQuery {
    /// Dossier code, e.g. 000.31.01.H26-261123-0001.
    pub code: String,
    /// The applicant's personal id, tax code or passport number.
    pub id: String,
}

/// Public tracking by dossier code and the applicant's id number: status and dates, nothing more personal.
#[utoipa::path(tag = "public", params(TrackQuery),
    responses((status = 200, body = Tracking), (status = 404, body = Problem)))]
#[get("/track")]
pub async fn track(state: web::Data<AppState>, query: web::Query<TrackQuery>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let TrackQuery { code, id } = query.into_inner();
    let tracking = blocking(move || services.dossiers().track(&code, &id)).await?;
    Ok(HttpResponse::Ok().json(tracking))
}
