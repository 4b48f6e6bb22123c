//! The data repository (kho dữ liệu): the owner's own API, what staff may see, reuse offers, and the national
//! portal's push and pull.

use actix_web::{HttpResponse, web};
use motcua_engine::service::repository::{MoveItem, NewItem, Share};
use motcua_engine::store::repository::ItemFilter;
use serde::Deserialize;

use super::auth::{AnyCaller, Citizen, Service, Staff};
use super::papers::stream_file;
use super::problem::Problem;
use super::{AppState, blocking};

/// Usage, stores with their folders, and recent items.
#[utoipa::path(get, path = "/api/v1/repository", tag = "repository", responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn overview(state: web::Data<AppState>, owner: Citizen) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.repository_overview(&owner.0)).await?))
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
#[utoipa::path(get, path = "/api/v1/repository/items", tag = "repository", params(ItemsQuery), responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn items(
    state: web::Data<AppState>,
    owner: Citizen,
    query: web::Query<ItemsQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let q = query.into_inner();
    let filter = ItemFilter { store: q.store, folder: q.folder, trash: q.trash };
    Ok(HttpResponse::Ok().json(blocking(move || services.repository_items(&owner.0, filter)).await?))
}

/// Add an uploaded file to the repository: `{ "upload", "title", "paper_type"?, "issuer"?, "issue_date"?, "valid_until"?, "store"?, "folder"? }`.
#[utoipa::path(post, path = "/api/v1/repository/items", tag = "repository", request_body = Object, responses((status = 201, body = Object), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn add(
    state: web::Data<AppState>,
    owner: Citizen,
    body: web::Json<NewItem>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Created().json(blocking(move || services.add_own_item(&owner.0, body.into_inner())).await?))
}

/// One item for whoever may see it (owner, staff it is shared with or whose agency issued it, the portal).
#[utoipa::path(get, path = "/api/v1/repository/items/{id}", tag = "repository", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn item(
    state: web::Data<AppState>,
    caller: AnyCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.item(&caller.0, &id)).await?))
}

/// An item's content, hash-checked while streaming; the access is logged.
#[utoipa::path(get, path = "/api/v1/repository/items/{id}/content", tag = "repository", params(("id" = String, Path)), responses((status = 200), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn content(
    state: web::Data<AppState>,
    caller: AnyCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let (item, reader) = blocking(move || services.item_content(&caller.0, &id)).await?;
    Ok(stream_file(reader, &item.media_type, &item.file_name, &item.blob_sha256, item.size_bytes))
}

/// Move to another store or folder: `{ "store", "folder" }`.
#[utoipa::path(post, path = "/api/v1/repository/items/{id}/move", tag = "repository", params(("id" = String, Path)), request_body = Object, responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn move_item(
    state: web::Data<AppState>,
    owner: Citizen,
    id: web::Path<String>,
    body: web::Json<MoveItem>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.move_item(&owner.0, &id, body.into_inner())).await?))
}

/// To the trash.
#[utoipa::path(post, path = "/api/v1/repository/items/{id}/trash", tag = "repository", params(("id" = String, Path)), responses((status = 204)), security(("bearer" = [])))]
pub async fn trash(state: web::Data<AppState>, owner: Citizen, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    blocking(move || services.trash_item(&owner.0, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Back from the trash.
#[utoipa::path(post, path = "/api/v1/repository/items/{id}/restore", tag = "repository", params(("id" = String, Path)), responses((status = 204)), security(("bearer" = [])))]
pub async fn restore(
    state: web::Data<AppState>,
    owner: Citizen,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    blocking(move || services.restore_item(&owner.0, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Delete for good (from the trash only).
#[utoipa::path(delete, path = "/api/v1/repository/items/{id}", tag = "repository", params(("id" = String, Path)), responses((status = 204), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn purge(state: web::Data<AppState>, owner: Citizen, id: web::Path<String>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    blocking(move || services.purge_item(&owner.0, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Share with an agency, one of the owner's dossiers, or the national portal: `{ "kind", "grantee" }`.
#[utoipa::path(post, path = "/api/v1/repository/items/{id}/shares", tag = "repository", params(("id" = String, Path)), request_body = Object, responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn share(
    state: web::Data<AppState>,
    owner: Citizen,
    id: web::Path<String>,
    body: web::Json<Share>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.share_item(&owner.0, &id, body.into_inner(), true)).await?))
}

/// Withdraw a share: `{ "kind", "grantee" }`.
#[utoipa::path(post, path = "/api/v1/repository/items/{id}/unshare", tag = "repository", params(("id" = String, Path)), request_body = Object, responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn unshare(
    state: web::Data<AppState>,
    owner: Citizen,
    id: web::Path<String>,
    body: web::Json<Share>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.share_item(&owner.0, &id, body.into_inner(), false)).await?))
}

/// Who accessed the owner's repository, and how.
#[utoipa::path(get, path = "/api/v1/repository/access-log", tag = "repository", responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn access_log(state: web::Data<AppState>, owner: Citizen) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.repository_access_log(&owner.0)).await?))
}

/// Staff: an owner's items shared with the caller's agencies or issued by them.
#[utoipa::path(get, path = "/api/v1/repository/owners/{owner}/items", tag = "repository", params(("owner" = String, Path)), responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn for_staff(
    state: web::Data<AppState>,
    staff: Staff,
    owner: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.repository_for_staff(&staff.0, &owner)).await?))
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
#[utoipa::path(get, path = "/api/v1/repository/offers", tag = "repository", params(OffersQuery), responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn offers(
    state: web::Data<AppState>,
    caller: AnyCaller,
    query: web::Query<OffersQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let q = query.into_inner();
    Ok(HttpResponse::Ok()
        .json(blocking(move || services.reuse_offers(&caller.0, &q.owner, &q.procedure, &q.component)).await?))
}

/// The national portal pushes a paper into an owner's repository (scope `portal`).
#[utoipa::path(post, path = "/api/v1/portal/repository/{owner}/items", tag = "portal", params(("owner" = String, Path)), request_body = Object, responses((status = 201, body = Object), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn portal_push(
    state: web::Data<AppState>,
    portal: Service,
    owner: web::Path<String>,
    body: web::Json<NewItem>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Created()
        .json(blocking(move || services.portal_push(&portal.0, &owner, body.into_inner())).await?))
}

/// The national portal pulls the papers an owner shared with it (scope `portal`).
#[utoipa::path(get, path = "/api/v1/portal/repository/{owner}/items", tag = "portal", params(("owner" = String, Path)), responses((status = 200, body = Object), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn portal_pull(
    state: web::Data<AppState>,
    portal: Service,
    owner: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    Ok(HttpResponse::Ok().json(blocking(move || services.portal_pull(&portal.0, &owner)).await?))
}
