//! The work home (the user's queues with counts), a queue's dossiers by due instant, and the return desk.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::domain::dossier::Dossier;
use motcua_engine::service::work::{QUEUE_LIST_MAX, Queue, QueueCount};
use serde::Deserialize;

use super::Row;
use crate::UiState;
use crate::error::PageError;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

pub struct CountLink {
    pub href: String,
    pub label: &'static str,
    pub count: i64,
    /// Nearly due and overdue stand out (in words too: the label says it).
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "staff/home.html")]
struct Home {
    shell: Shell,
    counts: Vec<CountLink>,
    clerk: bool,
    signer: bool,
}

fn queue_label(queue: Queue) -> String {
    format!("ui.staff.queue.{}", queue.slug())
}

/// `GET /can-bo`.
pub async fn home(visit: Visit, state: web::Data<UiState>) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let services = state.services.clone();
    let who = staff.clone();
    let counts: Vec<QueueCount> =
        web::block(move || services.work().work_counts(&who)).await?.map_err(|e| PageError::service(&visit, &e))?;
    let lang = visit.lang;
    let counts = counts
        .into_iter()
        .map(|c| CountLink {
            href: format!("/can-bo/ho-so?hang={}", c.queue.slug()),
            label: lang.t(&queue_label(c.queue)),
            count: c.count,
            class: match c.queue {
                Queue::Overdue if c.count > 0 => "late",
                Queue::NearlyDue if c.count > 0 => "near",
                _ => "",
            },
        })
        .collect();
    use motcua_engine::domain::policy::{Access, Target, staff_may};
    use motcua_engine::domain::procedure::Role;
    let may = |access: Access| staff_may(&staff, access, Target::Anywhere);
    let page = Home {
        shell: visit.shell(lang.t("ui.staff.home_title")),
        counts,
        clerk: may(Access::Receive),
        signer: may(Access::Handle(Role::AgencyLeader)) || may(Access::Handle(Role::DivisionHead)),
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    hang: String,
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "staff/queue.html")]
struct QueuePage {
    shell: Shell,
    queue: String,
    text: String,
    queues: Vec<(String, &'static str)>,
    rows: Vec<Row>,
    /// The list stops at the earliest due [`QUEUE_LIST_MAX`]: the page says so and offers the search.
    full: bool,
}

/// Rows for a list of dossiers, in the order given.
pub fn rows(visit: &Visit, state: &UiState, dossiers: &[Dossier]) -> Vec<Row> {
    let services = &state.services;
    let now = services.now();
    dossiers
        .iter()
        .map(|d| {
            let procedure = services.catalogue.version(&d.procedure_code, d.procedure_version);
            Row::of(visit.lang, &services.calendar, now, d, procedure.as_deref())
        })
        .collect()
}

/// `GET /can-bo/ho-so?hang=<queue>&q=<text>`: one of the user's queues, by due instant.
pub async fn queue(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let QueueQuery { hang, q } = query.into_inner();
    let mine = state.services.work().my_queues(&staff);
    let queue = match Queue::from_slug(&hang) {
        Some(queue) if mine.contains(&queue) => queue,
        None if hang.is_empty() => match mine.first() {
            Some(first) => *first,
            None => return Err(PageError::new(&visit, 403, "request.forbidden", String::new()).into()),
        },
        _ => return Err(PageError::not_found(&visit).into()),
    };
    let services = state.services.clone();
    let text = q.clone();
    let found = web::block(move || services.work().work_queue(&staff, queue, Some(&text)))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    let lang = visit.lang;
    let page = QueuePage {
        shell: visit.shell(lang.t(&queue_label(queue))),
        queue: queue.slug().to_string(),
        text: q,
        queues: mine.iter().map(|q| (q.slug().to_string(), lang.t(&queue_label(*q)))).collect(),
        full: found.len() >= QUEUE_LIST_MAX,
        rows: rows(&visit, &state, &found),
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

pub struct ReturnRow {
    pub row: Row,
    /// (method, its name) the procedure offers.
    pub methods: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "staff/return_desk.html")]
struct ReturnDesk {
    shell: Shell,
    rows: Vec<ReturnRow>,
    notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    #[serde(default)]
    pub tb: String,
}

/// A notice after an action, named by the action (only catalogued ones are shown).
pub fn notice(visit: &Visit, action: &str) -> Option<&'static str> {
    let key = format!("ui.staff.done.{action}");
    motcua_engine::messages::find(&key).map(|_| visit.lang.t(&key))
}

/// `GET /can-bo/tra-ket-qua`: results (and refusal letters) ready to hand back, each with its return form.
pub async fn return_desk(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Notice>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    if !state.services.work().my_queues(&staff).contains(&Queue::Return) {
        return Err(PageError::new(&visit, 403, "request.forbidden", String::new()).into());
    }
    let services = state.services.clone();
    let found = web::block(move || services.work().work_queue(&staff, Queue::Return, None))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    let lang = visit.lang;
    let listed = rows(&visit, &state, &found);
    let rows = listed
        .into_iter()
        .zip(&found)
        .map(|(row, d)| {
            let methods = state
                .services
                .catalogue
                .version(&d.procedure_code, d.procedure_version)
                .map(|p| {
                    p.return_methods
                        .iter()
                        .map(|m| (m.as_str(), lang.t(&format!("ui.return.{}", m.as_str()))))
                        .collect()
                })
                .unwrap_or_default();
            ReturnRow { row, methods }
        })
        .collect();
    let page = ReturnDesk {
        shell: visit.shell(lang.t("ui.staff.return_desk_title")),
        rows,
        notice: notice(&visit, &query.tb),
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}
