//! Background jobs (`/quan-tri/viec-nen`): counts per kind, the jobs filtered by state and kind, and putting
//! one or every dead job back in line (the service audits each).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::service::background::JobRedrive;
use motcua_engine::store::jobs::{Filter, State};
use serde::Deserialize;

use super::agencies::Opt;
use super::{Tab, admin, tabs};
use crate::UiState;
use crate::error::PageError;
use crate::pages::Shell;
use crate::session::{Visit, url_escape};
use crate::shell::render;

const PAGE_SIZE: i64 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct Query {
    #[serde(default, rename = "trang-thai")]
    state: String,
    #[serde(default, rename = "loai")]
    kind: String,
    #[serde(default, rename = "chay-lai")]
    redriven: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct RedriveForm {
    #[serde(default)]
    csrf: String,
    /// One job; absent: every dead job (of `kind`).
    #[serde(default)]
    id: String,
    #[serde(default)]
    kind: String,
}

pub struct KindLine {
    pub kind: String,
    pub pending: i64,
    pub done: i64,
    pub dead: i64,
}

pub struct Job {
    pub id: i64,
    pub kind: String,
    pub run_at: String,
    pub attempts: i32,
    pub state: &'static str,
    pub state_class: &'static str,
    pub dead: bool,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/jobs.html")]
struct Page {
    shell: Shell,
    tabs: Vec<Tab>,
    kinds: Vec<KindLine>,
    states: Vec<Opt>,
    kind_choices: Vec<Opt>,
    kind: String,
    jobs: Vec<Job>,
    any_dead: bool,
    redriven: Option<String>,
}

fn parse_state(text: &str) -> Option<State> {
    match text {
        "pending" => Some(State::Pending),
        "done" => Some(State::Done),
        "dead" => Some(State::Dead),
        _ => None,
    }
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = admin(&visit)?;
    let lang = visit.lang;
    let query = query.into_inner();
    let services = state.services.clone();
    let kind = query.kind.trim().to_string();
    let filter = Filter {
        state: parse_state(&query.state),
        kind: Some(kind.clone()).filter(|k| !k.is_empty()),
        before_id: None,
        limit: PAGE_SIZE,
    };
    let answer = web::block(move || services.administration().background_jobs(&staff, filter)).await?;
    let (entries, counts) = answer.map_err(|e| PageError::service(&visit, &e))?;
    let tz = state.services.calendar.timezone();
    let jobs = entries
        .into_iter()
        .map(|j| {
            let (state, class) = if j.dead {
                ("ui.admin.state_dead", "late")
            } else if j.done_at.is_some() {
                ("ui.admin.state_done", "ok")
            } else {
                ("ui.admin.state_pending", "near")
            };
            Job {
                id: j.id,
                kind: j.kind,
                run_at: j.run_at.and_utc().with_timezone(&tz).format("%H:%M:%S %d/%m/%Y").to_string(),
                attempts: j.attempts,
                state: lang.t(state),
                state_class: class,
                dead: j.dead,
                error: j.last_error.unwrap_or_default(),
            }
        })
        .collect();
    let states = ["pending", "done", "dead"]
        .iter()
        .map(|s| Opt {
            value: s.to_string(),
            label: lang.t(&format!("ui.admin.state_{s}")).to_string(),
            selected: query.state == *s,
        })
        .collect();
    let kind_choices =
        counts.iter().map(|(k, _)| Opt { value: k.clone(), label: k.clone(), selected: *k == kind }).collect();
    let any_dead = counts.iter().any(|(k, c)| c.dead > 0 && (kind.is_empty() || *k == kind));
    let kinds =
        counts.into_iter().map(|(kind, c)| KindLine { kind, pending: c.pending, done: c.done, dead: c.dead }).collect();
    let page = Page {
        shell: visit.shell(lang.t("ui.admin.jobs")),
        tabs: tabs(lang, "/quan-tri/viec-nen"),
        kinds,
        states,
        kind_choices,
        kind,
        jobs,
        any_dead,
        redriven: Some(query.redriven).filter(|n| !n.is_empty()),
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

pub async fn redrive(
    visit: Visit,
    state: web::Data<UiState>,
    form: web::Form<RedriveForm>,
) -> Result<HttpResponse, actix_web::Error> {
    visit.check_csrf(&form.csrf)?;
    let staff = admin(&visit)?;
    let form = form.into_inner();
    let kind = Some(form.kind.trim().to_string()).filter(|k| !k.is_empty());
    let target = match form.id.trim() {
        "" => JobRedrive::AllDead { kind: kind.clone() },
        id => match id.parse::<i64>() {
            Ok(id) => JobRedrive::One(id),
            Err(_) => return Err(PageError::new(&visit, 400, "request.malformed", String::new()).into()),
        },
    };
    let services = state.services.clone();
    let redriven = web::block(move || services.administration().redrive_jobs(&staff, target))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    let kind = kind.map(|k| format!("&loai={}", url_escape(&k))).unwrap_or_default();
    Ok(visit.see_other(&format!("/quan-tri/viec-nen?chay-lai={redriven}{kind}")))
}
