//! The home page: the procedure catalogue, searched by name, code or field and filtered by level.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::domain::procedure::Level;
use serde::Deserialize;

use super::Shell;
use crate::UiState;
use crate::session::Visit;
use crate::shell::render;

#[derive(Debug, Deserialize)]
pub struct Query {
    #[serde(default)]
    q: String,
    #[serde(default)]
    level: String,
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub field: String,
    pub online: &'static str,
}

pub struct LevelChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    shell: Shell,
    q: String,
    levels: Vec<LevelChoice>,
    rows: Vec<Row>,
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let query = query.into_inner();
    let level: Option<Level> = query.level.parse().ok();
    let text = Some(query.q.trim()).filter(|q| !q.is_empty());
    let rows = state
        .services
        .catalogue
        .search(text, None, level)
        .into_iter()
        .map(|p| Row {
            code: p.code.clone(),
            name: p.name.clone(),
            field: p.field.clone(),
            online: lang.t(&format!("ui.online.{}", p.online.as_str())),
        })
        .collect();
    let levels = [Level::Province, Level::Department, Level::Commune]
        .into_iter()
        .map(|l| LevelChoice {
            value: l.as_str(),
            label: lang.t(&format!("ui.level.{}", l.as_str())),
            selected: level == Some(l),
        })
        .collect();
    let page = Home { shell: visit.shell(lang.t("ui.search_title")), q: query.q, levels, rows };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}
