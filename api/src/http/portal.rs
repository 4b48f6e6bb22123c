//! The national portal routes dossiers submitted there to us (service account with scope `portal`).

use actix_web::{HttpResponse, post, web};
use motcua_engine::domain::dossier::Dossier;
use motcua_engine::service::portal::{PortalDossier, Routed};

use super::auth::Service;
use super::problem::Problem;
use super::{AppState, blocking};

/// Papers come inline (base64), so this route takes larger bodies than the rest of the API.
pub const MAX_PORTAL_BODY: usize = 25 * 1024 * 1024;

/// A dossier submitted on the national portal: created in status 1 in its agency's reception queue (201);
/// routing the same `portal_id` again answers the same dossier (200). Unknown procedure or agency: 422, and
/// nothing is stored.
#[utoipa::path(tag = "portal",
    request_body = PortalDossier,
    responses((status = 201, body = Dossier), (status = 200, body = Dossier), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[post("/dossiers")]
pub async fn receive(
    state: web::Data<AppState>,
    portal: Service,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, Problem> {
    let body = body.map_err(|e| match e.as_response_error().status_code().as_u16() {
        413 => Problem::new(413, "request.too_large", format!("the body is larger than {MAX_PORTAL_BODY} bytes")),
        _ => Problem::new(400, "request.malformed", e.to_string()),
    })?;
    let input: PortalDossier = super::json::parse(&body)?;
    let services = state.services.clone();
    let outcome = blocking(move || services.portal().receive_from_portal(&portal.0, input)).await;
    state.metrics.actions.with_label_values(&["portal_submit", if outcome.is_ok() { "ok" } else { "refused" }]).inc();
    Ok(match outcome? {
        Routed::Created(dossier) => HttpResponse::Created().json(dossier),
        Routed::Replayed(dossier) => HttpResponse::Ok().insert_header(("Idempotent-Replayed", "true")).json(dossier),
    })
}
