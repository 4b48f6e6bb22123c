//! Petitions (phản ánh, kiến nghị): filing by anyone, following and answering back by code and contact, the
//! published answers, the staff queue and actions, and the portal's routing.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use motcua_engine::domain::petition::{Petition, PetitionEvent, PetitionStatus};
use motcua_engine::service::petition_summary::PetitionSummary;
use motcua_engine::service::petitions::{
    Contact, Filer, PetitionInput, PetitionPage, PetitionRequest, PetitionResponse, PetitionTracking, PublishedPage,
};
use serde::Deserialize;

use super::auth::{Citizen, Service, Staff};
use super::dossiers::expected_version;
use super::json::Json;
use super::problem::Problem;
use super::{AppState, blocking};

fn with_etag(status: StatusCode, petition: &Petition) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, format!("\"{}\"", petition.version))).json(petition)
}

/// File a petition about a procedure, a dossier, an officer's conduct or a regulation. A signed-in citizen
/// files as themselves; anyone else gives a phone number or an e-mail address, which with the answer's code is
/// how they follow it. Answers 201 with what the petitioner may see, the code first.
#[utoipa::path(tag = "petitions", request_body = PetitionInput,
    responses((status = 201, body = PetitionTracking), (status = 400, body = Problem), (status = 422, body = Problem)))]
#[post("/petitions")]
pub async fn file(
    state: web::Data<AppState>,
    citizen: Option<Citizen>,
    body: Json<PetitionInput>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let input = body.into_inner();
    let tracking = blocking(move || {
        let petitions = services.petitions();
        let filer = match &citizen {
            Some(c) => Filer::Citizen(&c.0),
            None => Filer::Anonymous,
        };
        let petition = petitions.file(filer, input)?;
        let contact = match &citizen {
            Some(c) => Contact::Citizen(&c.0),
            None => Contact::Typed(
                petition
                    .filing
                    .petitioner
                    .phone
                    .as_deref()
                    .or(petition.filing.petitioner.email.as_deref())
                    .unwrap_or_default(),
            ),
        };
        petitions.track(&petition.filing.code, contact)
    })
    .await?;
    Ok(HttpResponse::Created().json(tracking))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FollowQuery {
    /// The petition's code, e.g. PA-000.31.01.H26-261207-0001.
    pub code: String,
    /// The phone number or e-mail address given when filing (not needed when signed in as the petitioner).
    #[serde(default)]
    pub contact: Option<String>,
}

/// Follow a petition by its code and the petitioner's phone or e-mail: its status, clocks and answer.
#[utoipa::path(tag = "petitions", params(FollowQuery),
    responses((status = 200, body = PetitionTracking), (status = 404, body = Problem)))]
#[get("/petitions/track")]
pub async fn track(
    state: web::Data<AppState>,
    citizen: Option<Citizen>,
    query: web::Query<FollowQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let FollowQuery { code, contact } = query.into_inner();
    let tracking = blocking(move || {
        let contact = contact_of(&citizen, contact.as_deref());
        services.petitions().track(&code, contact)
    })
    .await?;
    Ok(HttpResponse::Ok().json(tracking))
}

fn contact_of<'a>(citizen: &'a Option<Citizen>, typed: Option<&'a str>) -> Contact<'a> {
    match (typed, citizen) {
        (Some(text), _) => Contact::Typed(text),
        (None, Some(c)) => Contact::Citizen(&c.0),
        (None, None) => Contact::Typed(""),
    }
}

/// The petitioner answers back: the information asked for (`provide_information`), or whether the answer
/// satisfied them (`rate`, once).
#[utoipa::path(tag = "petitions", params(FollowQuery), request_body = PetitionResponse,
    responses((status = 200, body = PetitionTracking), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/petitions/track/responses")]
pub async fn respond(
    state: web::Data<AppState>,
    citizen: Option<Citizen>,
    query: web::Query<FollowQuery>,
    body: Json<PetitionResponse>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let FollowQuery { code, contact } = query.into_inner();
    let response = body.into_inner();
    let tracking = blocking(move || {
        let contact = contact_of(&citizen, contact.as_deref());
        services.petitions().respond(&code, contact, response)
    })
    .await?;
    Ok(HttpResponse::Ok().json(tracking))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublishedQuery {
    /// Words to find in the title, content or answer (accents and case aside).
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// Published answers to petitions, newest first: no petitioner's data.
#[utoipa::path(tag = "public", params(PublishedQuery),
    responses((status = 200, body = PublishedPage), (status = 422, body = Problem)))]
#[get("/petitions/published")]
pub async fn published(state: web::Data<AppState>, query: web::Query<PublishedQuery>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let PublishedQuery { q, cursor, limit } = query.into_inner();
    let page = blocking(move || services.petitions().published(q.as_deref(), cursor.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// One of the caller's agencies (default: all of them).
    #[serde(default)]
    pub agency: Option<String>,
    /// `filed`, `accepted`, `information_requested`, `answered`, `published`, `rejected`, comma-separated
    /// (default: the four a deadline runs for).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// The staff queue of petitions, soonest deadline first.
#[utoipa::path(tag = "petitions", params(QueueQuery),
    responses((status = 200, body = PetitionPage), (status = 400, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
#[get("/petitions")]
pub async fn queue(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, Problem> {
    let QueueQuery { agency, status, cursor, limit } = query.into_inner();
    let mut statuses = Vec::new();
    for word in status.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|w| !w.is_empty()) {
        let found = PetitionStatus::ALL.into_iter().find(|s| s.as_str() == word);
        statuses.push(found.ok_or_else(|| Problem::new(400, "request.malformed", format!("unknown status `{word}`")))?);
    }
    let services = state.services.clone();
    let page =
        blocking(move || services.petitions().queue(&staff.0, agency.as_deref(), &statuses, cursor.as_deref(), limit))
            .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    /// The month (`2026-11`); this month when left out.
    pub month: Option<String>,
}

/// A leader's or division head's month of petitions, for their agencies and every agency under them: per agency
/// and per officer named, the parts of the two Decision 766 petition indicators.
#[utoipa::path(tag = "petitions", params(SummaryQuery),
    responses((status = 200, body = PetitionSummary), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[get("/petitions/summary")]
pub async fn summary(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let today = services.calendar.local_date(services.now());
    let month = super::reports::month_or(query.month.as_deref(), today)?;
    let summary = blocking(move || services.petitions().summary(&staff.0, month)).await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// One petition of the caller's agencies, with its version as `ETag`.
#[utoipa::path(tag = "petitions", params(("id" = String, Path)),
    responses((status = 200, body = Petition), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/petitions/{id}")]
pub async fn get(state: web::Data<AppState>, staff: Staff, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let petition = blocking(move || services.petitions().get(&staff.0, &id)).await?;
    Ok(with_etag(StatusCode::OK, &petition))
}

/// A petition's events, hash-chained in the store.
#[utoipa::path(tag = "petitions", params(("id" = String, Path)),
    responses((status = 200, body = [PetitionEvent]), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/petitions/{id}/history")]
pub async fn history(state: web::Data<AppState>, staff: Staff, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let events = blocking(move || services.petitions().history(&staff.0, &id)).await?;
    Ok(HttpResponse::Ok().json(events))
}

/// Act on a petition with `If-Match`: accept, reject (2 working days), ask for more information (within 5),
/// assign, answer (15), publish (2 after answering).
#[utoipa::path(tag = "petitions", params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = PetitionRequest,
    responses((status = 200, body = Petition), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
#[post("/petitions/{id}/actions")]
pub async fn act(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<PetitionRequest>,
) -> Result<HttpResponse, Problem> {
    let version = expected_version(&req)?;
    let request = body.into_inner();
    let services = state.services.clone();
    let petition = blocking(move || services.petitions().act(&staff.0, &id, version, request)).await?;
    Ok(with_etag(StatusCode::OK, &petition))
}

/// A petition submitted on the national portal, with the portal's id of it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalPetition {
    pub portal_id: String,
    pub petition: PetitionInput,
}

/// The portal routes a petition filed there (201); routing the same `portal_id` again answers the same
/// petition (200).
#[utoipa::path(tag = "portal", request_body = PortalPetition,
    responses((status = 201, body = Petition), (status = 200, body = Petition), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[post("/petitions")]
pub async fn from_portal(
    state: web::Data<AppState>,
    portal: Service,
    body: Json<PortalPetition>,
) -> Result<HttpResponse, Problem> {
    let PortalPetition { portal_id, petition } = body.into_inner();
    let services = state.services.clone();
    let (stored, new) =
        blocking(move || services.petitions().receive_from_portal(&portal.0, &portal_id, petition)).await?;
    let status = if new { StatusCode::CREATED } else { StatusCode::OK };
    Ok(with_etag(status, &stored))
}
