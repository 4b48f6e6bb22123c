//! The population database at the reception desk: a lookup before a dossier exists (to verify and prefill
//! the applicant), and a re-run of a dossier's identity check (after the register was down or updated).

use actix_web::{HttpResponse, post, web};
use motcua_engine::domain::dossier::Dossier;
use motcua_engine::service::population::{Lookup, LookupRequest};

use super::auth::Staff;
use super::json::Json;
use super::problem::Problem;
use super::{AppState, blocking};

/// Verify a person with the national population database (reception clerks). Answers the outcome (`match`,
/// `mismatch` with the fields, `not_found`, or `not_verified` when the register did not answer), the
/// register's data, an `applicant` prefill for the new dossier, and the clerk's next possible actions.
/// Every lookup is audited.
#[utoipa::path(tag = "population",
    request_body = LookupRequest,
    responses((status = 200, body = Lookup), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[post("/population/lookup")]
pub async fn lookup(
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<LookupRequest>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let request = body.into_inner();
    let lookup = blocking(move || services.reception().lookup_population(&staff.0, request)).await?;
    Ok(HttpResponse::Ok().json(lookup))
}

/// Check the dossier's applicant again with the population database and record the answer on the dossier
/// (reception clerk). Answers the dossier with its `identity_check`.
#[utoipa::path(tag = "population", params(("id" = String, Path)),
    responses((status = 200, body = Dossier), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[post("/dossiers/{id}/identity-check")]
pub async fn recheck(state: web::Data<AppState>, staff: Staff, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let dossier = blocking(move || services.reception().check_identity(&staff.0, &id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, format!("\"{}\"", dossier.version)))
        .json(dossier))
}
