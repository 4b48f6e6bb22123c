//! Rating the service: the form the citizen's dossier page and the page of the link sent with the result share
//! (score, the national portal's three questions, a comment), and that page itself (`/danh-gia/{token}`), where the
//! applicant rates without signing in. The link's page shows the dossier's code and procedure only: whoever holds
//! the link sees it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::service::ratings::{LinkedDossier, RatingInput};
use serde::Deserialize;

use super::Shell;
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::i18n::UiLang;
use crate::session::Visit;
use crate::shell::render;

/// The rating form as posted (kept as typed when refused). Answers are `co` (satisfied) or `khong`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub score: String,
    #[serde(default)]
    pub reception_satisfied: String,
    #[serde(default)]
    pub result_satisfied: String,
    #[serde(default)]
    pub officer_satisfied: String,
    #[serde(default)]
    pub comment: String,
}

fn answer(text: &str) -> Option<bool> {
    match text.trim() {
        "co" => Some(true),
        "khong" => Some(false),
        _ => None,
    }
}

impl RatingForm {
    /// What the form says, for the use case to check (a score not a number is out of range).
    pub fn input(&self) -> RatingInput {
        RatingInput {
            score: self.score.trim().parse().unwrap_or(0),
            reception_satisfied: answer(&self.reception_satisfied),
            result_satisfied: answer(&self.result_satisfied),
            officer_satisfied: answer(&self.officer_satisfied),
            comment: Some(self.comment.clone()),
        }
    }
}

/// One of the portal's questions on the form.
pub struct Question {
    pub field: &'static str,
    pub label: &'static str,
    pub yes: bool,
    pub no: bool,
}

/// The rating form as the templates lay it out (`rating_form.html`).
pub struct RatingView {
    pub action: String,
    /// Each score: its value, its word, whether chosen.
    pub scores: Vec<(&'static str, &'static str, bool)>,
    pub questions: Vec<Question>,
    pub comment: String,
}

impl RatingView {
    pub fn new(lang: UiLang, action: String, form: &RatingForm) -> RatingView {
        let scores = ["1", "2", "3", "4", "5"]
            .into_iter()
            .map(|s| (s, lang.t(&format!("ui.citizen.score.{s}")), form.score.trim() == s))
            .collect();
        let questions = [
            ("reception_satisfied", "ui.rating.reception", &form.reception_satisfied),
            ("result_satisfied", "ui.rating.result", &form.result_satisfied),
            ("officer_satisfied", "ui.rating.officer", &form.officer_satisfied),
        ]
        .into_iter()
        .map(|(field, label, given)| Question {
            field,
            label: lang.t(label),
            yes: answer(given) == Some(true),
            no: answer(given) == Some(false),
        })
        .collect();
        RatingView { action, scores, questions, comment: form.comment.clone() }
    }
}

/// Each of the portal's questions with the answer given, as the pages show them.
pub type Answers = Vec<(&'static str, &'static str)>;

/// The answers of a rating given.
pub fn answered(lang: UiLang, rating: &motcua_engine::store::ratings::Rating) -> Answers {
    let word = |a: Option<bool>| match a {
        Some(true) => lang.t("ui.rating.satisfied"),
        Some(false) => lang.t("ui.rating.not_satisfied"),
        None => lang.t("ui.rating.not_asked"),
    };
    vec![
        (lang.t("ui.rating.reception"), word(rating.reception_satisfied)),
        (lang.t("ui.rating.result"), word(rating.result_satisfied)),
        (lang.t("ui.rating.officer"), word(rating.officer_satisfied)),
    ]
}

#[derive(Template)]
#[template(path = "rating_link.html")]
struct LinkPage {
    shell: Shell,
    code: String,
    procedure: String,
    agency: String,
    /// The rating given: score, and each question with its answer.
    rated: Option<(i32, Answers)>,
    just_rated: bool,
    rate: RatingView,
    errors: Errors,
}

impl LinkPage {
    fn id(&self, field: &str) -> String {
        crate::form::input_id(field)
    }
}

async fn link_page(
    visit: &Visit,
    state: &UiState,
    token: &str,
    form: &RatingForm,
    errors: Errors,
    just_rated: bool,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let services = state.services.clone();
    let asked = token.to_string();
    let linked: LinkedDossier = web::block(move || services.citizens().rating_link(&asked))
        .await?
        .map_err(|e| PageError::service(visit, &e))?;
    let lang = visit.lang;
    let page = LinkPage {
        shell: visit.shell(lang.t("ui.citizen.rate_title")),
        code: linked.code.unwrap_or_default(),
        procedure: linked.procedure_name,
        agency: linked.agency_name,
        rated: linked.rating.as_ref().map(|r| (r.score, answered(lang, r))),
        just_rated,
        rate: RatingView::new(lang, format!("/danh-gia/{token}"), form),
        errors,
    };
    Ok(visit.page(status, render(&page)?))
}

/// `GET /danh-gia/{token}`: the dossier of the link and the form, or the rating once given; an unknown or expired
/// link is a page not found.
pub async fn show(
    visit: Visit,
    state: web::Data<UiState>,
    token: web::Path<String>,
) -> Result<HttpResponse, actix_web::Error> {
    link_page(&visit, &state, &token, &RatingForm::default(), Errors::default(), false, StatusCode::OK).await
}

/// `POST /danh-gia/{token}`: rates the dossier of the link, once.
pub async fn submit(
    visit: Visit,
    state: web::Data<UiState>,
    token: web::Path<String>,
    form: web::Form<RatingForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let form = form.into_inner();
    visit.check_csrf(&form.csrf)?;
    let services = state.services.clone();
    let (asked, input) = (token.to_string(), form.input());
    match web::block(move || services.citizens().rate_by_link(&asked, input)).await? {
        Ok(_) => {
            link_page(&visit, &state, &token, &RatingForm::default(), Errors::default(), true, StatusCode::OK).await
        }
        Err(e) if e.http_status() < 500 && e.http_status() != 404 => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            link_page(&visit, &state, &token, &form, Errors::of(visit.lang, &e), false, status).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}
