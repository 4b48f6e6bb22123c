//! Administration over HTTP: the outbox (what went out, what waits, what died and why), background jobs, and
//! re-driving both.

use actix_web::{HttpResponse, web};
use motcua_engine::service::background::JobRedrive;
use motcua_engine::service::outbox::Redrive;
use motcua_engine::store::jobs::{Filter as JobFilter, State as JobState};
use motcua_engine::store::outbox::{Filter, State};
use serde::Deserialize;

use super::auth::Staff;
use super::problem::Problem;
use super::{AppState, blocking};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// pending | delivered | dead
    pub state: Option<String>,
    pub topic: Option<String>,
    pub dossier: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    pub limit: Option<i64>,
}

/// Outbox messages, newest first, with counts per topic (administrators).
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin", params(OutboxQuery),
    responses((status = 200, body = Object), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn outbox(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let wanted = match query.state.as_deref() {
        None => None,
        Some("pending") => Some(State::Pending),
        Some("delivered") => Some(State::Delivered),
        Some("dead") => Some(State::Dead),
        Some(other) => return Err(Problem::new(400, "request.malformed", format!("unknown state {other}"))),
    };
    let filter = Filter {
        state: wanted,
        topic: query.topic,
        dossier_id: query.dossier,
        before_id: query.cursor,
        limit: query.limit.unwrap_or(50),
    };
    let services = state.services.clone();
    let (messages, topics) = blocking(move || services.outbox_messages(&staff.0, filter)).await?;
    let next_cursor = (messages.len() as i64 >= query.limit.unwrap_or(50).clamp(1, 200))
        .then(|| messages.last().map(|m| m.id))
        .flatten();
    let topics: serde_json::Map<String, serde_json::Value> =
        topics.into_iter().map(|(topic, stats)| (topic, serde_json::json!(stats))).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": messages, "next_cursor": next_cursor, "topics": topics })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedriveAll {
    pub topic: Option<String>,
}

/// Puts one dead message back in line.
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/redrive", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn redrive_one(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let id = id.into_inner();
    let redriven = blocking(move || services.redrive(&staff.0, Redrive::One(id))).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "redriven": redriven })))
}

/// Puts every dead message (of a topic) back in line.
#[utoipa::path(post, path = "/api/v1/admin/outbox/redrive", tag = "admin", request_body(content = Object, description = "topic?"),
    responses((status = 200, body = Object), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn redrive_all(
    state: web::Data<AppState>,
    staff: Staff,
    body: web::Json<RedriveAll>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let topic = body.into_inner().topic;
    let redriven = blocking(move || services.redrive(&staff.0, Redrive::AllDead { topic })).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "redriven": redriven })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobsQuery {
    /// pending | done | dead
    pub state: Option<String>,
    pub kind: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    pub limit: Option<i64>,
}

/// Background jobs, newest first, with counts per kind (administrators).
#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = "admin", params(JobsQuery),
    responses((status = 200, body = Object), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn jobs(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<JobsQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let wanted = match query.state.as_deref() {
        None => None,
        Some("pending") => Some(JobState::Pending),
        Some("done") => Some(JobState::Done),
        Some("dead") => Some(JobState::Dead),
        Some(other) => return Err(Problem::new(400, "request.malformed", format!("unknown state {other}"))),
    };
    let limit = query.limit.unwrap_or(50);
    let filter = JobFilter { state: wanted, kind: query.kind, before_id: query.cursor, limit };
    let services = state.services.clone();
    let (jobs, kinds) = blocking(move || services.background_jobs(&staff.0, filter)).await?;
    let next_cursor = (jobs.len() as i64 >= limit.clamp(1, 200)).then(|| jobs.last().map(|j| j.id)).flatten();
    let kinds: serde_json::Map<String, serde_json::Value> =
        kinds.into_iter().map(|(kind, stats)| (kind, serde_json::json!(stats))).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": jobs, "next_cursor": next_cursor, "kinds": kinds })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedriveJobs {
    pub kind: Option<String>,
}

/// Puts one dead job back in line.
#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/redrive", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn redrive_job(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let id = id.into_inner();
    let redriven = blocking(move || services.redrive_jobs(&staff.0, JobRedrive::One(id))).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "redriven": redriven })))
}

/// Puts every dead job (of a kind) back in line.
#[utoipa::path(post, path = "/api/v1/admin/jobs/redrive", tag = "admin", request_body(content = Object, description = "kind?"),
    responses((status = 200, body = Object), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn redrive_jobs(
    state: web::Data<AppState>,
    staff: Staff,
    body: web::Json<RedriveJobs>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let kind = body.into_inner().kind;
    let redriven = blocking(move || services.redrive_jobs(&staff.0, JobRedrive::AllDead { kind })).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "redriven": redriven })))
}
