//! Administration over HTTP: the outbox (what went out, what waits, what died and why), background jobs, and
//! re-driving both.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use motcua_engine::service::background::JobRedrive;
use motcua_engine::service::outbox::Redrive;
use motcua_engine::store::jobs::{Filter as JobFilter, JobEntry, JobStats, State as JobState};
use motcua_engine::store::outbox::{Filter, OutboxEntry, OutboxStats, State};
use serde::{Deserialize, Serialize};

use super::auth::Staff;
use super::json::Json;
use super::problem::Problem;
use super::{AppState, blocking};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    pub state: Option<State>,
    pub topic: Option<String>,
    pub dossier: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    pub limit: Option<i64>,
}

/// A page of outbox messages, newest first, with the counts of every topic.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutboxPage {
    pub items: Vec<OutboxEntry>,
    /// The cursor of the next page, when there may be one.
    pub next_cursor: Option<i64>,
    pub topics: BTreeMap<String, OutboxStats>,
}

/// A page of background jobs, newest first, with the counts of every kind.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobsPage {
    pub items: Vec<JobEntry>,
    pub next_cursor: Option<i64>,
    pub kinds: BTreeMap<String, JobStats>,
}

/// How many were put back in line.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Redriven {
    pub redriven: usize,
}

/// Outbox messages, newest first, with counts per topic (administrators).
#[utoipa::path(tag = "admin", params(OutboxQuery),
    responses((status = 200, body = OutboxPage), (status = 403, body = Problem)), security(("bearer" = [])))]
#[get("/admin/outbox")]
pub async fn outbox(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let filter = Filter {
        state: query.state,
        topic: query.topic,
        dossier_id: query.dossier,
        before_id: query.cursor,
        limit: query.limit.unwrap_or(50),
    };
    let services = state.services.clone();
    let (messages, topics) = blocking(move || services.administration().outbox_messages(&staff.0, filter)).await?;
    let next_cursor = (messages.len() as i64 >= query.limit.unwrap_or(50).clamp(1, 200))
        .then(|| messages.last().map(|m| m.id))
        .flatten();
    let topics = topics.into_iter().collect();
    Ok(HttpResponse::Ok().json(OutboxPage { items: messages, next_cursor, topics }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedriveAll {
    pub topic: Option<String>,
}

/// Puts one dead message back in line.
#[utoipa::path(tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = Redriven), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
#[post("/admin/outbox/{id}/redrive")]
pub async fn redrive_one(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let id = id.into_inner();
    let redriven = blocking(move || services.administration().redrive(&staff.0, Redrive::One(id))).await?;
    Ok(HttpResponse::Ok().json(Redriven { redriven }))
}

/// Puts every dead message (of a topic) back in line.
#[utoipa::path(tag = "admin", request_body = RedriveAll,
    responses((status = 200, body = Redriven), (status = 403, body = Problem)), security(("bearer" = [])))]
#[post("/admin/outbox/redrive")]
pub async fn redrive_all(
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<RedriveAll>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let topic = body.into_inner().topic;
    let redriven = blocking(move || services.administration().redrive(&staff.0, Redrive::AllDead { topic })).await?;
    Ok(HttpResponse::Ok().json(Redriven { redriven }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobsQuery {
    pub state: Option<JobState>,
    pub kind: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    pub limit: Option<i64>,
}

/// Background jobs, newest first, with counts per kind (administrators).
#[utoipa::path(tag = "admin", params(JobsQuery),
    responses((status = 200, body = JobsPage), (status = 403, body = Problem)), security(("bearer" = [])))]
#[get("/admin/jobs")]
pub async fn jobs(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<JobsQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(50);
    let filter = JobFilter { state: query.state, kind: query.kind, before_id: query.cursor, limit };
    let services = state.services.clone();
    let (jobs, kinds) = blocking(move || services.administration().background_jobs(&staff.0, filter)).await?;
    let next_cursor = (jobs.len() as i64 >= limit.clamp(1, 200)).then(|| jobs.last().map(|j| j.id)).flatten();
    let kinds = kinds.into_iter().collect();
    Ok(HttpResponse::Ok().json(JobsPage { items: jobs, next_cursor, kinds }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedriveJobs {
    pub kind: Option<String>,
}

/// Puts one dead job back in line.
#[utoipa::path(tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, body = Redriven), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
#[post("/admin/jobs/{id}/redrive")]
pub async fn redrive_job(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let id = id.into_inner();
    let redriven = blocking(move || services.administration().redrive_jobs(&staff.0, JobRedrive::One(id))).await?;
    Ok(HttpResponse::Ok().json(Redriven { redriven }))
}

/// Puts every dead job (of a kind) back in line.
#[utoipa::path(tag = "admin", request_body = RedriveJobs,
    responses((status = 200, body = Redriven), (status = 403, body = Problem)), security(("bearer" = [])))]
#[post("/admin/jobs/redrive")]
pub async fn redrive_jobs(
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<RedriveJobs>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let kind = body.into_inner().kind;
    let redriven =
        blocking(move || services.administration().redrive_jobs(&staff.0, JobRedrive::AllDead { kind })).await?;
    Ok(HttpResponse::Ok().json(Redriven { redriven }))
}
