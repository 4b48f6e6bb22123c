//! A dossier's notifications to its applicant (e-mail and SMS, DESIGN.md §10): what was sent or is waiting,
//! as the outbox records it.

use actix_web::{HttpResponse, get, web};
use motcua_engine::service::notify::NotificationEntry;
use serde::Serialize;

use super::auth::AnyCaller;
use super::problem::Problem;
use super::{AppState, blocking};

/// The notifications of a dossier, oldest first: topic, channel, kind, recipient, subject, key, status
/// (pending, delivered, dead), attempts, times, and (staff only) the last error. Staff who can see the dossier
/// and the applicant may read them.
/// A dossier's notification log: what the applicant was sent, on which channel, and whether it went out.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationList {
    pub notifications: Vec<NotificationEntry>,
}

#[utoipa::path(tag = "dossiers", params(("id" = String, Path)),
    responses((status = 200, body = NotificationList), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/dossiers/{id}/notifications")]
pub async fn list(
    state: web::Data<AppState>,
    caller: AnyCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let id = id.into_inner();
    let notifications = blocking(move || services.notifications().log(&caller.0, &id)).await?;
    Ok(HttpResponse::Ok().json(NotificationList { notifications }))
}
