//! `/can-bo/diem-766/nhap-so-lieu`: an administrator enters the figures of the indicators held outside this
//! system (the publication of procedures, certified copies) for an agency and month; scorecards then sum them.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::domain::scorecard::{INDICATORS, Source};
use motcua_engine::service::ServiceError;
use motcua_engine::service::scorecard::FigureInput;
use serde::Deserialize;

use super::admin;
use super::scorecard::Choice;
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

#[derive(Debug, Default, Deserialize)]
pub struct EnteredForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    numerator: String,
    #[serde(default)]
    denominator: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    /// Set after a figure was saved: what to say and where the scorecard is.
    #[serde(default, rename = "da-luu")]
    saved: String,
}

#[derive(Template)]
#[template(path = "admin/scorecard_entered.html")]
struct EnteredPage {
    shell: Shell,
    form: EnteredForm,
    agencies: Vec<Choice>,
    indicators: Vec<Choice>,
    errors: Errors,
    saved: Option<String>,
}

async fn render_page(
    visit: &Visit,
    state: &web::Data<UiState>,
    form: EnteredForm,
    errors: Errors,
    saved: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = admin(visit)?;
    let services = state.services.clone();
    let all = web::block(move || services.reports().scorecard_agencies(&staff))
        .await?
        .map_err(|e| PageError::service(visit, &e))?;
    let lang = visit.lang;
    let agencies = all.into_iter().map(|a| Choice { selected: a.id == form.agency, id: a.id, name: a.name }).collect();
    let indicators = INDICATORS
        .iter()
        .filter(|i| i.source == Source::Entered)
        .map(|i| Choice {
            selected: i.code == form.indicator,
            id: i.code.to_string(),
            name: lang.t(&format!("ui.admin.indicator_{}", i.code.to_ascii_lowercase())).to_string(),
        })
        .collect();
    let page =
        EnteredPage { shell: visit.shell(lang.t("ui.admin.entered_title")), form, agencies, indicators, errors, saved };
    Ok(visit.page(status, render(&page)?))
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    shown: web::Query<Shown>,
) -> Result<HttpResponse, actix_web::Error> {
    let saved = Some(shown.into_inner().saved).filter(|s| !s.is_empty());
    let today = state.services.calendar.local_date(state.services.now());
    let form = EnteredForm { month: today.format("%Y-%m").to_string(), ..EnteredForm::default() };
    render_page(&visit, &state, form, Errors::default(), saved, StatusCode::OK).await
}

pub async fn submit(
    visit: Visit,
    state: web::Data<UiState>,
    form: web::Form<EnteredForm>,
) -> Result<HttpResponse, actix_web::Error> {
    visit.check_csrf(&form.csrf)?;
    let staff = admin(&visit)?;
    let form = form.into_inner();
    let lang = visit.lang;
    let mut errors = Errors::default();
    let number = |field: &str, text: &str, errors: &mut Errors| match text.trim().parse::<u64>() {
        Ok(n) => n,
        Err(_) => {
            errors.add(field, lang.t("ui.admin.entered_not_a_number"));
            0
        }
    };
    let numerator = number("numerator", &form.numerator, &mut errors);
    let denominator = number("denominator", &form.denominator, &mut errors);
    if !errors.is_empty() {
        return render_page(&visit, &state, form, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let input = FigureInput {
        agency: form.agency.clone(),
        month: form.month.trim().to_string(),
        indicator: form.indicator.clone(),
        numerator,
        denominator,
    };
    let services = state.services.clone();
    match web::block(move || services.reports().enter_figure(&staff, &input)).await? {
        Ok(figure) => {
            let saved = format!(
                "{} {} {} {}/{}",
                figure.agency_id, figure.month, figure.indicator, figure.numerator, figure.denominator
            );
            let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("da-luu", &saved).finish();
            Ok(visit.see_other(&format!("/can-bo/diem-766/nhap-so-lieu?{query}")))
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::NotFound(_))) => {
            let errors = Errors::of(lang, &e);
            render_page(&visit, &state, form, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}
