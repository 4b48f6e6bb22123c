//! The public procedure catalogue.

use actix_web::{HttpResponse, web};
use motcua_engine::domain::procedure::Level;
use serde::Deserialize;

use super::AppState;
use super::problem::Problem;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CatalogueQuery {
    /// Free text in code, name or field.
    pub q: Option<String>,
    /// Field (lĩnh vực), e.g. "Hộ tịch".
    pub field: Option<String>,
    /// province | department | commune.
    pub level: Option<String>,
}

/// Search the catalogue (current versions).
#[utoipa::path(get, path = "/api/v1/procedures", tag = "procedures", params(CatalogueQuery),
    responses((status = 200, description = "Procedures", body = Object), (status = 422, body = Problem)))]
pub async fn search(state: web::Data<AppState>, query: web::Query<CatalogueQuery>) -> Result<HttpResponse, Problem> {
    let level = match query.level.as_deref() {
        None | Some("") => None,
        Some(text) => Some(text.parse::<Level>().map_err(|_| {
            let mut p =
                Problem::new(422, "request.invalid", format!("level `{text}` is not province, department or commune"));
            p.errors = vec![motcua_engine::service::FieldError::new("level", "field.required")];
            p
        })?),
    };
    let hits = state.services.catalogue.search(query.q.as_deref(), query.field.as_deref(), level);
    let found: Vec<&motcua_engine::domain::procedure::Procedure> = hits.iter().map(|p| p.as_ref()).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": found, "count": found.len() })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// A published version; the current one when left out.
    pub version: Option<u32>,
}

/// One procedure: the current version, or `?version=N`.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "procedures", params(("code" = String, Path), VersionQuery),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: web::Query<VersionQuery>,
) -> Result<HttpResponse, Problem> {
    let catalogue = &state.services.catalogue;
    let found = match query.version {
        Some(v) => catalogue.version(&code, v),
        None => catalogue.current(&code),
    };
    let procedure = found.ok_or_else(|| Problem::new(404, "procedure.not_found", format!("no procedure {code}")))?;
    let versions: Vec<u32> = catalogue.versions(&code).iter().map(|p| p.version).collect();
    let mut body = serde_json::to_value(procedure.as_ref()).expect("procedures serialize");
    body["versions"] = serde_json::json!(versions);
    Ok(HttpResponse::Ok().json(body))
}
