//! Agencies (`/quan-tri/co-quan`): the list, and a form that adds one under the rules of
//! `motcua admin add-agency`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::service::ServiceError;
use motcua_engine::service::administration::{LEVELS, NewAgency};
use motcua_engine::store::agencies::Agency;
use serde::Deserialize;

use super::{Tab, admin, tabs};
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

#[derive(Debug, Default, Deserialize)]
pub struct AgencyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    area: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Added {
    #[serde(default)]
    them: String,
}

/// An option of a select: value, words, chosen.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/agencies.html")]
struct Page {
    shell: Shell,
    tabs: Vec<Tab>,
    agencies: Vec<Row>,
    form: AgencyForm,
    levels: Vec<Opt>,
    kinds: Vec<Opt>,
    parents: Vec<Opt>,
    errors: Errors,
    /// Of the field ids in the error summary.
    prefix: &'static str,
    added: Option<String>,
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub level: &'static str,
    pub kind: String,
    pub parent: String,
    pub area: String,
}

async fn render_page(
    visit: &Visit,
    state: &UiState,
    form: AgencyForm,
    errors: Errors,
    added: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = admin(visit)?;
    let lang = visit.lang;
    let services = state.services.clone();
    let list = web::block(move || services.administration().admin_agencies(&staff)).await?;
    let list: Vec<Agency> = list.map_err(|e| PageError::service(visit, &e))?;
    let registry = &state.services.registry;
    let name_of = |id: &Option<String>| {
        id.as_ref().map(|p| list.iter().find(|a| &a.id == p).map_or(p.clone(), |a| a.name.clone())).unwrap_or_default()
    };
    let agencies = list
        .iter()
        .map(|a| Row {
            id: a.id.clone(),
            name: a.name.clone(),
            level: lang.t(&format!("ui.admin.level.{}", a.level)),
            kind: registry.agency_kinds.get(&a.kind).cloned().unwrap_or_else(|| a.kind.clone()),
            parent: name_of(&a.parent_id),
            area: a.area.clone().unwrap_or_default(),
        })
        .collect();
    let levels = LEVELS
        .iter()
        .map(|l| Opt {
            value: l.to_string(),
            label: lang.t(&format!("ui.admin.level.{l}")).to_string(),
            selected: form.level == *l,
        })
        .collect();
    let kinds = registry
        .agency_kinds
        .iter()
        .map(|(k, name)| Opt { value: k.clone(), label: name.clone(), selected: &form.kind == k })
        .collect();
    let parents = list
        .iter()
        .map(|a| Opt { value: a.id.clone(), label: format!("{} ({})", a.name, a.id), selected: form.parent == a.id })
        .collect();
    let page = Page {
        shell: visit.shell(lang.t("ui.admin.agencies")),
        tabs: tabs(lang, "/quan-tri/co-quan"),
        agencies,
        form,
        levels,
        kinds,
        parents,
        errors,
        prefix: "",
        added,
    };
    Ok(visit.page(status, render(&page)?))
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Added>,
) -> Result<HttpResponse, actix_web::Error> {
    let added = Some(query.into_inner().them).filter(|a| !a.is_empty());
    render_page(&visit, &state, AgencyForm::default(), Errors::default(), added, StatusCode::OK).await
}

pub async fn add(
    visit: Visit,
    state: web::Data<UiState>,
    form: web::Form<AgencyForm>,
) -> Result<HttpResponse, actix_web::Error> {
    visit.check_csrf(&form.csrf)?;
    let staff = admin(&visit)?;
    let form = form.into_inner();
    let input = NewAgency {
        id: form.id.clone(),
        level: form.level.clone(),
        kind: form.kind.clone(),
        name: form.name.clone(),
        parent: Some(form.parent.clone()),
        area: Some(form.area.clone()),
    };
    let services = state.services.clone();
    match web::block(move || services.administration().add_agency(&staff, &input)).await? {
        Ok(agency) => Ok(visit.see_other(&format!("/quan-tri/co-quan?them={}", agency.id))),
        Err(e @ ServiceError::Invalid(_)) => {
            let errors = Errors::of(visit.lang, &e);
            render_page(&visit, &state, form, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}
