//! Outbox and dead messages (`/quan-tri/hop-thu-di`): counts per topic, the messages filtered by state,
//! topic and dossier, and re-driving one or every dead message (the service audits each).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::service::outbox::Redrive;
use motcua_engine::store::outbox::{Filter, State};
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
    #[serde(default, rename = "chu-de")]
    topic: String,
    #[serde(default, rename = "ho-so")]
    dossier: String,
    #[serde(default, rename = "gui-lai")]
    redriven: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct RedriveForm {
    #[serde(default)]
    csrf: String,
    /// One message; absent: every dead message (of `topic`).
    #[serde(default)]
    id: String,
    #[serde(default)]
    topic: String,
}

pub struct TopicLine {
    pub topic: String,
    pub pending: i64,
    pub delivered: i64,
    pub dead: i64,
}

pub struct Message {
    pub id: i64,
    pub topic: String,
    pub dossier: String,
    pub created: String,
    pub attempts: i32,
    pub state: &'static str,
    pub state_class: &'static str,
    pub dead: bool,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct Page {
    shell: Shell,
    tabs: Vec<Tab>,
    topics: Vec<TopicLine>,
    states: Vec<Opt>,
    topic_choices: Vec<Opt>,
    dossier: String,
    topic: String,
    messages: Vec<Message>,
    any_dead: bool,
    redriven: Option<String>,
}

fn parse_state(text: &str) -> Option<State> {
    match text {
        "pending" => Some(State::Pending),
        "delivered" => Some(State::Delivered),
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
    let (wanted, topic, dossier) = (parse_state(&query.state), query.topic.trim().to_string(), query.dossier.clone());
    let filter_topic = Some(topic.clone()).filter(|t| !t.is_empty());
    let answer = web::block(move || {
        let dossier_id = match dossier.trim() {
            "" => None,
            text => Some(services.administration().dossier_id_of(text)?),
        };
        let filter = Filter { state: wanted, topic: filter_topic, dossier_id, before_id: None, limit: PAGE_SIZE };
        services.administration().outbox_messages(&staff, filter)
    })
    .await?;
    let (entries, counts) = answer.map_err(|e| PageError::service(&visit, &e))?;
    let calendar = &state.services.calendar;
    let tz = calendar.timezone();
    let messages: Vec<Message> = entries
        .into_iter()
        .map(|m| {
            let (state, class) = if m.dead {
                ("ui.admin.state_dead", "late")
            } else if m.delivered_at.is_some() {
                ("ui.admin.state_delivered", "ok")
            } else {
                ("ui.admin.state_pending", "near")
            };
            let created = m.created_at.and_utc().with_timezone(&tz).format("%H:%M:%S %d/%m/%Y").to_string();
            Message {
                id: m.id,
                topic: m.topic,
                dossier: m.dossier_id.unwrap_or_default(),
                created,
                attempts: m.attempts,
                state: lang.t(state),
                state_class: class,
                dead: m.dead,
                error: m.last_error.unwrap_or_default(),
            }
        })
        .collect();
    let states = ["pending", "delivered", "dead"]
        .iter()
        .map(|s| Opt {
            value: s.to_string(),
            label: lang.t(&format!("ui.admin.state_{s}")).to_string(),
            selected: query.state == *s,
        })
        .collect();
    let topic_choices =
        counts.iter().map(|(t, _)| Opt { value: t.clone(), label: t.clone(), selected: *t == topic }).collect();
    let any_dead = counts.iter().any(|(t, c)| c.dead > 0 && (topic.is_empty() || *t == topic));
    let topics = counts
        .into_iter()
        .map(|(topic, c)| TopicLine { topic, pending: c.pending, delivered: c.delivered, dead: c.dead })
        .collect();
    let redriven = Some(query.redriven).filter(|n| !n.is_empty());
    let page = Page {
        shell: visit.shell(lang.t("ui.admin.outbox")),
        tabs: tabs(lang, "/quan-tri/hop-thu-di"),
        topics,
        states,
        topic_choices,
        dossier: query.dossier,
        topic,
        messages,
        any_dead,
        redriven,
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
    let topic = Some(form.topic.trim().to_string()).filter(|t| !t.is_empty());
    let target = match form.id.trim() {
        "" => Redrive::AllDead { topic: topic.clone() },
        id => match id.parse::<i64>() {
            Ok(id) => Redrive::One(id),
            Err(_) => return Err(PageError::new(&visit, 400, "request.malformed", String::new()).into()),
        },
    };
    let services = state.services.clone();
    let redriven = web::block(move || services.administration().redrive(&staff, target))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    let topic = topic.map(|t| format!("&chu-de={}", url_escape(&t))).unwrap_or_default();
    Ok(visit.see_other(&format!("/quan-tri/hop-thu-di?gui-lai={redriven}{topic}")))
}
