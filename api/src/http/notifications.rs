//! A dossier's notifications to its applicant (e-mail and SMS, DESIGN.md §10): what was sent or is waiting,
//! as the outbox records it.

use actix_web::{HttpResponse, web};

use super::auth::AnyCaller;
use super::problem::Problem;
use super::{AppState, blocking};

/// The notifications of a dossier, oldest first: topic, channel, kind, recipient, subject, key, status
/// (pending, delivered, dead), attempts, times, and (staff only) the last error. Staff who can see the dossier
/// and the applicant may read them.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/notifications", tag = "dossiers", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: AnyCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let id = id.into_inner();
    let notifications = blocking(move || services.notifications(&caller.0, &id)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "notifications": notifications })))
}
