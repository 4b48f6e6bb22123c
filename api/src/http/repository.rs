//! The data repository (kho dữ liệu): the owner's own API, what staff may see, reuse offers, and the national
//! portal's push and pull.

use actix_web::{HttpResponse, delete, get, post, web};
use motcua_engine::service::repository::{AccessRecord, ItemView, MoveItem, NewItem, Overview, Share};
use motcua_engine::store::repository::ItemFilter;
use serde::Deserialize;

use super::auth::{AnyCaller, Citizen, Service, Staff};
use super::json::Json;
use super::papers::stream_file;
use super::problem::Problem;
use super::{AppState, blocking};

/// Usage, stores with their folders, and recent items.
#[utoipa::path(tag = "repository", responses((status = 200, body = Overview)), security(("bearer" = [])))]
#[get("/repository")]
pub async fn overview(state: web::Data<AppState>, owner: Citizen) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.repository().repository_overview(&owner.0)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ItemsQuery {
    /// dossier_papers | personal_papers | uploads
    pub store: Option<String>,
    pub folder: Option<String>,
    /// true: the trash.
    #[serde(default)]
    pub trash: bool,
}

/// The owner's items (or the trash), with validity and shares.
#[utoipa::path(tag = "repository", params(ItemsQuery), responses((status = 200, body = Vec<ItemView>)), security(("bearer" = [])))]
#[get("/repository/items")]
pub async fn items(
    state: web::Data<AppState>,
    owner: Citizen,
    query: web::Query<ItemsQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let q = query.into_inner();
    let filter = ItemFilter { store: q.store, folder: q.folder, trash: q.trash };
    Ok(HttpResponse::Ok().json(blocking(move || services.repository().repository_items(&owner.0, filter)).await?))
}

/// Add an uploaded file to the repository: `{ "upload", "title", "paper_type"?, "issuer"?, "issue_date"?, "valid_until"?, "store"?, "folder"? }`.
#[utoipa::path(tag = "repository", request_body = NewItem, responses((status = 201, body = ItemView), (status = 422, body = Problem)), security(("bearer" = [])))]
#[post("/repository/items")]
pub async fn add(state: web::Data<AppState>, owner: Citizen, body: Json<NewItem>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Created()
        .json(blocking(move || services.repository().add_own_item(&owner.0, body.into_inner())).await?))
}

/// One item for whoever may see it (owner, staff it is shared with or whose agency issued it, the portal).
#[utoipa::path(tag = "repository", params(("id" = String, Path)), responses((status = 200, body = ItemView), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/repository/items/{id}")]
pub async fn item(
    state: web::Data<AppState>,
    caller: AnyCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.repository().item(&caller.0, &id)).await?))
}

/// An item's content, hash-checked while streaming; the access is logged.
#[utoipa::path(tag = "repository", params(("id" = String, Path)), responses((status = 200, description = "The paper as it was stored", content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))), (status = 404, body = Problem)), security(("bearer" = [])))]
#[get("/repository/items/{id}/content")]
pub async fn content(
    state: web::Data<AppState>,
    caller: AnyCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let (found, reader) = blocking(move || services.repository().item_content(&caller.0, &id)).await?;
    Ok(stream_file(reader, &found.media_type, &found.file_name, &found.blob_sha256, found.size_bytes))
}

/// Move to another store or folder: `{ "store", "folder" }`.
#[utoipa::path(tag = "repository", params(("id" = String, Path)), request_body = MoveItem, responses((status = 200, body = ItemView)), security(("bearer" = [])))]
#[post("/repository/items/{id}/move")]
pub async fn move_item(
    state: web::Data<AppState>,
    owner: Citizen,
    id: web::Path<String>,
    body: Json<MoveItem>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok()
        .json(blocking(move || services.repository().move_item(&owner.0, &id, body.into_inner())).await?))
}

/// To the trash.
#[utoipa::path(tag = "repository", params(("id" = String, Path)), responses((status = 204)), security(("bearer" = [])))]
#[post("/repository/items/{id}/trash")]
pub async fn trash(state: web::Data<AppState>, owner: Citizen, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    blocking(move || services.repository().trash_item(&owner.0, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Back from the trash.
#[utoipa::path(tag = "repository", params(("id" = String, Path)), responses((status = 204)), security(("bearer" = [])))]
#[post("/repository/items/{id}/restore")]
pub async fn restore(
    state: web::Data<AppState>,
    owner: Citizen,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    blocking(move || services.repository().restore_item(&owner.0, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Delete for good (from the trash only).
#[utoipa::path(tag = "repository", params(("id" = String, Path)), responses((status = 204), (status = 409, body = Problem)), security(("bearer" = [])))]
#[delete("/repository/items/{id}")]
pub async fn purge(state: web::Data<AppState>, owner: Citizen, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    blocking(move || services.repository().purge_item(&owner.0, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Share with an agency, one of the owner's dossiers, or the national portal: `{ "kind", "grantee" }`.
#[utoipa::path(tag = "repository", params(("id" = String, Path)), request_body = Share, responses((status = 200, body = ItemView)), security(("bearer" = [])))]
#[post("/repository/items/{id}/shares")]
pub async fn share(
    state: web::Data<AppState>,
    owner: Citizen,
    id: web::Path<String>,
    body: Json<Share>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok()
        .json(blocking(move || services.repository().share_item(&owner.0, &id, body.into_inner(), true)).await?))
}

/// Withdraw a share: `{ "kind", "grantee" }`.
#[utoipa::path(tag = "repository", params(("id" = String, Path)), request_body = Share, responses((status = 200, body = ItemView)), security(("bearer" = [])))]
#[post("/repository/items/{id}/unshare")]
pub async fn unshare(
    state: web::Data<AppState>,
    owner: Citizen,
    id: web::Path<String>,
    body: Json<Share>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok()
        .json(blocking(move || services.repository().share_item(&owner.0, &id, body.into_inner(), false)).await?))
}

/// Who accessed the owner's repository, and how.
#[utoipa::path(tag = "repository", responses((status = 200, body = Vec<AccessRecord>)), security(("bearer" = [])))]
#[get("/repository/access-log")]
pub async fn access_log(state: web::Data<AppState>, owner: Citizen) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.repository().repository_access_log(&owner.0)).await?))
}

/// Staff: an owner's items shared with the caller's agencies or issued by them.
#[utoipa::path(tag = "repository", params(("owner" = String, Path)), responses((status = 200, body = Vec<ItemView>)), security(("bearer" = [])))]
#[get("/repository/owners/{owner}/items")]
pub async fn for_staff(
    state: web::Data<AppState>,
    staff: Staff,
    owner: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.repository().repository_for_staff(&staff.0, &owner)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OffersQuery {
    /// The applicant (personal id or tax code).
    pub owner: String,
    pub procedure: String,
    pub component: String,
}

/// Papers of the applicant that can stand for a component: valid, of an accepted type, visible to the caller.
#[utoipa::path(tag = "repository", params(OffersQuery), responses((status = 200, body = Vec<ItemView>)), security(("bearer" = [])))]
#[get("/repository/offers")]
pub async fn offers(
    state: web::Data<AppState>,
    caller: AnyCaller,
    query: web::Query<OffersQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let q = query.into_inner();
    Ok(HttpResponse::Ok().json(
        blocking(move || services.repository().reuse_offers(&caller.0, &q.owner, &q.procedure, &q.component)).await?,
    ))
}

/// The national portal pushes a paper into an owner's repository (scope `portal`).
#[utoipa::path(tag = "portal", params(("owner" = String, Path)), request_body = NewItem, responses((status = 201, body = ItemView), (status = 403, body = Problem)), security(("bearer" = [])))]
#[post("/repository/{owner}/items")]
pub async fn portal_push(
    state: web::Data<AppState>,
    portal: Service,
    owner: web::Path<String>,
    body: Json<NewItem>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Created()
        .json(blocking(move || services.repository().portal_push(&portal.0, &owner, body.into_inner())).await?))
}

/// The national portal pulls the papers an owner shared with it (scope `portal`).
#[utoipa::path(tag = "portal", params(("owner" = String, Path)), responses((status = 200, body = Vec<ItemView>), (status = 403, body = Problem)), security(("bearer" = [])))]
#[get("/repository/{owner}/items")]
pub async fn portal_pull(
    state: web::Data<AppState>,
    portal: Service,
    owner: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.repository().portal_pull(&portal.0, &owner)).await?))
}
