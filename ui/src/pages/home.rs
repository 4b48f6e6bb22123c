//! The home page: the procedure catalogue, searched by name, code or field and filtered by field, agency and level.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::domain::procedure::Level;
use serde::Deserialize;

use super::Shell;
use crate::UiState;
use crate::error::PageError;
use crate::session::Visit;
use crate::shell::render;

#[derive(Debug, Deserialize)]
pub struct Query {
    #[serde(default)]
    q: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    field: String,
    /// An agency id: the procedures its kind of agency handles.
    #[serde(default)]
    agency: String,
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub field: String,
    pub online: &'static str,
}

/// One option of a filter's `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    shell: Shell,
    q: String,
    levels: Vec<Choice>,
    fields: Vec<Choice>,
    agencies: Vec<Choice>,
    rows: Vec<Row>,
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let query = query.into_inner();
    let services = state.services.clone();
    let agencies = match web::block(move || services.agencies()).await? {
        Ok(agencies) => agencies,
        Err(e) => return Err(PageError::service(&visit, &e).into()),
    };
    let level: Option<Level> = query.level.parse().ok();
    let field = Some(query.field.as_str()).filter(|f| !f.is_empty());
    let agency_kind = agencies.iter().find(|a| a.id == query.agency).map(|a| a.kind.as_str());
    let text = Some(query.q.trim()).filter(|q| !q.is_empty());
    let catalogue = &state.services.catalogue;
    let rows = catalogue
        .search(text, field, level)
        .into_iter()
        .filter(|p| agency_kind.is_none_or(|kind| p.agency_kind == kind))
        .map(|p| Row {
            code: p.code.clone(),
            name: p.name.clone(),
            field: p.field.clone(),
            online: lang.t(&format!("ui.online.{}", p.online.as_str())),
        })
        .collect();
    let levels = [Level::Province, Level::Department, Level::Commune]
        .into_iter()
        .map(|l| Choice {
            value: l.as_str().to_string(),
            label: lang.t(&format!("ui.level.{}", l.as_str())).to_string(),
            selected: level == Some(l),
        })
        .collect();
    let mut field_names: Vec<String> =
        catalogue.search(None, None, None).into_iter().map(|p| p.field.clone()).collect();
    field_names.sort();
    field_names.dedup();
    let fields = field_names
        .into_iter()
        .map(|f| Choice { selected: field == Some(f.as_str()), label: f.clone(), value: f })
        .collect();
    let agencies = agencies
        .iter()
        .map(|a| Choice { value: a.id.clone(), label: a.name.clone(), selected: a.id == query.agency })
        .collect();
    let page = Home { shell: visit.shell(lang.t("ui.search_title")), q: query.q, levels, fields, agencies, rows };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}
