//! The public procedure catalogue.

use actix_web::{HttpResponse, get, web};
use motcua_engine::domain::procedure::{Level, Procedure};
use serde::{Deserialize, Serialize};

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

/// Procedures found, in the catalogue's order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProcedureList<'a> {
    pub items: Vec<&'a Procedure>,
    pub count: usize,
}

/// A procedure's version with the versions published.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProcedureDetail<'a> {
    #[serde(flatten)]
    pub procedure: &'a Procedure,
    pub versions: Vec<u32>,
}

/// Search the catalogue (current versions).
#[utoipa::path(tag = "procedures", params(CatalogueQuery),
    responses((status = 200, description = "Procedures", body = ProcedureList), (status = 422, body = Problem)))]
#[get("/procedures")]
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
    Ok(HttpResponse::Ok().json(ProcedureList { count: found.len(), items: found }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// A published version; the current one when left out.
    pub version: Option<u32>,
}

/// One procedure: the current version, or `?version=N`.
#[utoipa::path(tag = "procedures", params(("code" = String, Path), VersionQuery),
    responses((status = 200, body = ProcedureDetail), (status = 404, body = Problem)))]
#[get("/procedures/{code}")]
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
    Ok(HttpResponse::Ok().json(ProcedureDetail { procedure: procedure.as_ref(), versions }))
}
