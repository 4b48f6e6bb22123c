//! Batch review and signing: division heads approve and leaders sign several dossiers at once. Each dossier
//! is its own action (its own transaction, the same service call as one at a time), and the page then says
//! per dossier what happened.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use motcua_engine::service::StaffIdentity;
use motcua_engine::service::requests::ActionRequest;
use motcua_engine::service::work::Queue;

use super::Row;
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

pub struct Batch {
    /// `approve` or `sign`.
    pub action: &'static str,
    pub title: &'static str,
    pub button: &'static str,
    pub rows: Vec<Row>,
}

pub struct Outcome {
    pub code: String,
    pub id: String,
    pub done: bool,
    pub message: String,
}

#[derive(Template)]
#[template(path = "staff/batch.html")]
struct BatchPage {
    shell: Shell,
    batches: Vec<Batch>,
    outcomes: Vec<Outcome>,
}

impl BatchPage {
    fn done_count(&self) -> usize {
        self.outcomes.iter().filter(|o| o.done).count()
    }
}

const BATCHES: &[(Queue, &str)] = &[(Queue::Review, "approve"), (Queue::Sign, "sign")];

async fn batches(visit: &Visit, state: &UiState, staff: &StaffIdentity) -> Result<Vec<Batch>, actix_web::Error> {
    let mine = state.services.work().my_queues(staff);
    let mut out = Vec::new();
    for (queue, action) in BATCHES {
        if !mine.contains(queue) {
            continue;
        }
        let (services, who, queue) = (state.services.clone(), staff.clone(), *queue);
        let found = web::block(move || services.work().work_queue(&who, queue, None))
            .await?
            .map_err(|e| PageError::service(visit, &e))?;
        out.push(Batch {
            action,
            title: visit.lang.t(&format!("ui.staff.queue.{}", queue.slug())),
            button: visit.lang.t(&format!("ui.staff.batch.{action}")),
            rows: super::work::rows(visit, state, &found),
        });
    }
    Ok(out)
}

fn allowed(visit: &Visit, state: &UiState, staff: &StaffIdentity) -> Result<(), PageError> {
    let mine = state.services.work().my_queues(staff);
    if BATCHES.iter().any(|(q, _)| mine.contains(q)) {
        Ok(())
    } else {
        Err(PageError::new(visit, 403, "request.forbidden", String::new()))
    }
}

/// `GET /can-bo/ky-duyet`.
pub async fn page(visit: Visit, state: web::Data<UiState>) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    allowed(&visit, &state, &staff)?;
    let page = BatchPage {
        shell: visit.shell(visit.lang.t("ui.staff.batch_title")),
        batches: batches(&visit, &state, &staff).await?,
        outcomes: Vec::new(),
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

/// `POST /can-bo/ky-duyet`: `pick` = `<id>:<version>` for each dossier ticked, `action` = approve | sign.
pub async fn submit(
    visit: Visit,
    state: web::Data<UiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    // Read whole and its CSRF token checked before anything is done.
    let f = visit.posted(&req, payload).await?;
    let staff = visit.require_staff()?;
    allowed(&visit, &state, &staff)?;
    let action = f.text("action").to_string();
    let picks: Vec<(String, Option<u64>)> = f
        .all("pick")
        .iter()
        .map(|p| {
            let (id, version) = p.split_once(':').unwrap_or((p, ""));
            (id.to_string(), version.parse().ok())
        })
        .collect();
    let lang = visit.lang;
    let mut outcomes = Vec::new();
    for (id, version) in picks {
        let request = match action.as_str() {
            "approve" => ActionRequest::Approve,
            "sign" => ActionRequest::Sign,
            _ => return Err(PageError::new(&visit, 400, "request.invalid", String::new()).into()),
        };
        let (services, who, dossier_id) = (state.services.clone(), staff.clone(), id.clone());
        let result = match version {
            Some(version) => {
                web::block(move || {
                    let done = services.dossiers().act(&who, &dossier_id, version, request, None);
                    let code = services.dossiers().dossier(&who, &dossier_id).ok().and_then(|d| d.code);
                    (done.map(|_| ()), code)
                })
                .await?
            }
            None => (Err(motcua_engine::service::ServiceError::NotFound("dossier.not_found")), None),
        };
        let (done, code) = result;
        let message = match &done {
            Ok(()) => lang.t(&format!("ui.staff.done.{action}")).to_string(),
            Err(e) => {
                let errors = Errors::of(lang, e);
                let fields: Vec<&str> = errors.fields().map(|(_, m)| m).collect();
                if errors.general.is_empty() { fields.join("; ") } else { errors.general.join("; ") }
            }
        };
        outcomes.push(Outcome { code: code.unwrap_or_else(|| id.clone()), id, done: done.is_ok(), message });
    }
    let page = BatchPage {
        shell: visit.shell(lang.t("ui.staff.batch_title")),
        batches: batches(&visit, &state, &staff).await?,
        outcomes,
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}
