//! Procedures (`/quan-tri/thu-tuc`): the catalogue in use with every version; a definition (TOML, as in
//! `procedures/*.toml`) uploaded or pasted, checked as `motcua procedures check` does with every problem
//! listed, and published as a new version that new dossiers use.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use motcua_engine::domain::procedure::Problem;
use serde::Deserialize;

use super::{Tab, admin, tabs};
use crate::UiState;
use crate::error::PageError;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

/// A definition pasted in the form has this name in problems.
const PASTED: &str = "definition.toml";

#[derive(Debug, Default, Deserialize)]
pub struct Published {
    #[serde(default, rename = "cong-bo")]
    published: String,
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub field: String,
    pub level: &'static str,
    pub current: u32,
    pub versions: String,
}

/// One problem of a definition, in the words the page shows.
pub struct Shown {
    pub place: String,
    pub path: String,
    pub rule: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "admin/procedures.html")]
struct Page {
    shell: Shell,
    tabs: Vec<Tab>,
    procedures: Vec<Row>,
    source: String,
    problems: Vec<Shown>,
    /// The definition checked without problems: its code, version and name.
    valid: Option<String>,
    published: Option<String>,
}

fn shown(lang: crate::i18n::UiLang, p: &Problem) -> Shown {
    let place = match p.position {
        Some((line, column)) => lang
            .t("ui.admin.line_column")
            .replace("{file}", &p.file)
            .replace("{line}", &line.to_string())
            .replace("{column}", &column.to_string()),
        None => p.file.clone(),
    };
    Shown { place, path: p.path.clone(), rule: p.rule, message: p.message.clone() }
}

fn render_page(
    visit: &Visit,
    state: &UiState,
    source: String,
    problems: Vec<Shown>,
    valid: Option<String>,
    published: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let catalogue = &state.services.catalogue;
    let procedures = catalogue
        .current_all()
        .iter()
        .map(|p| Row {
            code: p.code.clone(),
            name: p.name.clone(),
            field: p.field.clone(),
            level: lang.t(&format!("ui.admin.level.{}", p.level)),
            current: p.version,
            versions: catalogue.versions(&p.code).iter().map(|v| v.version.to_string()).collect::<Vec<_>>().join(", "),
        })
        .collect();
    let page = Page {
        shell: visit.shell(lang.t("ui.admin.procedures")),
        tabs: tabs(lang, "/quan-tri/thu-tuc"),
        procedures,
        source,
        problems,
        valid,
        published,
    };
    Ok(visit.page(status, render(&page)?))
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Published>,
) -> Result<HttpResponse, actix_web::Error> {
    admin(&visit)?;
    let published = Some(query.into_inner().published).filter(|p| !p.is_empty());
    render_page(&visit, &state, String::new(), Vec::new(), None, published, StatusCode::OK)
}

/// `action=check` only checks; `action=publish` checks and, without problems, publishes.
pub async fn upload(
    visit: Visit,
    state: web::Data<UiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    // Read whole and its CSRF token checked before anything is done.
    let submitted = visit.posted(&req, payload).await?;
    let staff = admin(&visit)?;
    let lang = visit.lang;
    let (file, source) = match submitted.file("definition") {
        Some(f) => (f.name.clone(), String::from_utf8(f.bytes.clone())),
        None => (PASTED.to_string(), Ok(submitted.text("source").replace("\r\n", "\n"))),
    };
    let Ok(source) = source else {
        let problem =
            Shown { place: file, path: String::new(), rule: "utf8", message: lang.t("ui.admin.not_utf8").to_string() };
        return render_page(&visit, &state, String::new(), vec![problem], None, None, StatusCode::UNPROCESSABLE_ENTITY);
    };
    if source.trim().is_empty() {
        let problem =
            Shown { place: file, path: String::new(), rule: "empty", message: lang.t("ui.admin.no_definition").into() };
        return render_page(&visit, &state, source, vec![problem], None, None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let publish = submitted.text("action") == "publish";
    let services = state.services.clone();
    let text = source.clone();
    let outcome = web::block(move || {
        if publish {
            services
                .administration()
                .publish_definition(&staff, &file, &text)
                .map(|r| r.map(|p| (p.code.clone(), p.version, p.name.clone())))
        } else {
            services
                .administration()
                .check_definition(&staff, &file, &text)
                .map(|r| r.map(|p| (p.code.clone(), p.version, p.name.clone())))
        }
    })
    .await?
    .map_err(|e| PageError::service(&visit, &e))?;
    match outcome {
        Ok((code, version, _)) if publish => {
            Ok(visit.see_other(&format!("/quan-tri/thu-tuc?cong-bo={code}%40{version}")))
        }
        Ok((code, version, name)) => {
            let valid = format!("{code} — {name} — {} {version}", lang.t("ui.admin.version"));
            render_page(&visit, &state, source, Vec::new(), Some(valid), None, StatusCode::OK)
        }
        Err(problems) => {
            let problems = problems.iter().map(|p| shown(lang, p)).collect();
            render_page(&visit, &state, source, problems, None, None, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}
