//! The staff's petitions: the queue of their agencies' petitions with the time each clock has left
//! (`/can-bo/phan-anh`), and one petition with its history and the actions the staff member's roles allow
//! (`/can-bo/phan-anh/{id}`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use motcua_engine::domain::calendar::{Calendar, Timeliness};
use motcua_engine::domain::petition::{Petition, PetitionEvent, PetitionStatus};
use motcua_engine::domain::procedure::Role;
use motcua_engine::service::ServiceError;
use motcua_engine::service::petitions::PetitionRequest;

use super::{TimeLeft, local_time, working_left};
use crate::UiState;
use crate::error::PageError;
use crate::form::{Errors, input_id};
use crate::i18n::UiLang;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

/// What a petition's clock says now: the decision, answer or publication due, and the time left to it.
fn petition_left(lang: UiLang, calendar: &Calendar, now: DateTime<Utc>, p: &Petition) -> (String, TimeLeft) {
    match (p.next_due(), p.timeliness) {
        (Some(due), _) => (local_time(calendar, due), working_left(lang, calendar, now, due)),
        (None, Some(t)) => {
            let key = match t {
                Timeliness::Early => "ui.staff.timeliness.early",
                Timeliness::OnTime => "ui.staff.timeliness.on_time",
                Timeliness::Late => "ui.staff.timeliness.late",
            };
            (String::new(), TimeLeft { class: "", text: lang.t(key).to_string() })
        }
        (None, None) => (String::new(), TimeLeft { class: "", text: lang.t("ui.staff.paused").to_string() }),
    }
}

pub struct Line {
    pub id: String,
    pub code: String,
    pub title: String,
    pub classification: &'static str,
    pub status: &'static str,
    pub due: String,
    pub left: TimeLeft,
}

#[derive(Template)]
#[template(path = "staff/petitions.html")]
struct QueuePage {
    shell: Shell,
    lines: Vec<Line>,
    /// A leader or division head sees the month per agency and officer.
    may_summarise: bool,
}

/// `GET /can-bo/phan-anh`: the open petitions of the staff member's agencies, soonest deadline first.
pub async fn queue(visit: Visit, state: web::Data<UiState>) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let may_summarise = staff.roles.iter().any(|(_, r)| matches!(r, Role::AgencyLeader | Role::DivisionHead));
    let services = state.services.clone();
    let page = web::block(move || services.petitions().queue(&staff, None, &[], None, Some(200)))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    let (lang, calendar, now) = (visit.lang, &state.services.calendar, state.services.now());
    let lines = page
        .items
        .iter()
        .map(|p| {
            let (due, left) = petition_left(lang, calendar, now, p);
            Line {
                id: p.filing.id.clone(),
                code: p.filing.code.clone(),
                title: p.filing.title.clone(),
                classification: lang.t(&format!("ui.petition.classification.{}", p.classification.as_str())),
                status: lang.t(&format!("ui.petition.status.{}", p.status.as_str())),
                due,
                left,
            }
        })
        .collect();
    let page = QueuePage { shell: visit.shell(lang.t("ui.petition.queue_title")), lines, may_summarise };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

pub struct HistoryLine {
    pub at: String,
    pub what: &'static str,
    pub who: String,
    pub text: String,
}

pub struct Person {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "staff/petition.html")]
struct PetitionPage {
    shell: Shell,
    p: Petition,
    classification: &'static str,
    status: &'static str,
    facts: Vec<(&'static str, String)>,
    history: Vec<HistoryLine>,
    /// The actions the staff member's roles in the petition's agency may take now.
    actions: Vec<&'static str>,
    people: Vec<Person>,
    errors: Errors,
}

impl PetitionPage {
    fn id(&self, field: &str) -> String {
        input_id(field)
    }

    fn may(&self, action: &str) -> bool {
        self.actions.contains(&action)
    }
}

/// What an event adds to its line of the history.
fn event_text(e: &PetitionEvent) -> String {
    use motcua_engine::domain::petition::PetitionChange::*;
    match &e.change {
        Rejected { reason } => reason.clone(),
        InformationRequested { question } => question.clone(),
        InformationProvided { reply } => reply.clone(),
        Assigned { assignee } => assignee.name.clone(),
        Answered { text, .. } => text.clone(),
        Rated { satisfied, comment } => {
            format!(
                "{}{}",
                if *satisfied { "✓" } else { "✗" },
                comment.as_deref().map(|c| format!(" {c}")).unwrap_or_default()
            )
        }
        ComplainedAgain { by } => by.clone(),
        Filed { .. } | Accepted { .. } | Published => String::new(),
    }
}

/// The actions the page offers for `p` to someone holding `roles` in its agency.
fn offered(p: &Petition, roles: &[Role], staff_id: &str) -> Vec<&'static str> {
    let holds = |allowed: &[Role]| roles.iter().any(|r| allowed.contains(r));
    let triage = holds(&[Role::ReceptionClerk, Role::DivisionHead, Role::AgencyLeader]);
    let lead = holds(&[Role::DivisionHead, Role::AgencyLeader]);
    let assigned_to_me = p.assignee.as_ref().is_some_and(|a| a.id == staff_id);
    let mut actions = Vec::new();
    match p.status {
        PetitionStatus::Filed if triage => actions.extend(["accept", "reject", "request_information"]),
        PetitionStatus::InformationRequested if triage => actions.push("reject"),
        PetitionStatus::Accepted => {
            if triage && p.information_request.is_none() {
                actions.push("request_information");
            }
            if lead {
                actions.push("assign");
            }
            if lead || (assigned_to_me && holds(&[Role::Specialist])) {
                actions.push("answer");
            }
        }
        PetitionStatus::Answered if triage && !p.answer.as_ref().is_some_and(|a| a.personal) => actions.push("publish"),
        _ => {}
    }
    actions
}

async fn detail(
    visit: &Visit,
    state: &UiState,
    id: String,
    errors: Errors,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let services = state.services.clone();
    let who = staff.clone();
    let loaded = web::block(move || {
        let petitions = services.petitions();
        let p = petitions.get(&who, &id)?;
        let history = petitions.history(&who, &id)?;
        let people = petitions.assignees(&who, &p)?;
        Ok::<_, ServiceError>((p, history, people))
    })
    .await?
    .map_err(|e| PageError::service(visit, &e))?;
    let (p, history, people) = loaded;
    let (lang, calendar, now) = (visit.lang, &state.services.calendar, state.services.now());
    let roles: Vec<Role> = staff.roles.iter().filter(|(a, _)| *a == p.filing.agency).map(|(_, r)| *r).collect();
    let mut facts = vec![
        ("ui.petition.filed_at", local_time(calendar, p.filed_at)),
        ("ui.petition.subject", lang.t(&format!("ui.petition.subject.{}", p.filing.subject.as_str())).to_string()),
        ("ui.petition.petitioner", petitioner(&p)),
    ];
    let (due, left) = petition_left(lang, calendar, now, &p);
    if !due.is_empty() {
        let label = match p.status {
            PetitionStatus::Filed => "ui.petition.decision_due",
            PetitionStatus::Answered => "ui.petition.publish_due",
            _ => "ui.petition.answer_due",
        };
        facts.push((label, format!("{due} — {}", left.text)));
    }
    if let Some(code) = &p.filing.dossier_code {
        facts.push(("ui.petition.dossier_code", code.clone()));
    }
    if let Some(officer) = &p.filing.officer {
        facts.push(("ui.petition.officer", officer.name.clone()));
    }
    if let Some(assignee) = &p.assignee {
        facts.push(("ui.petition.assignee", assignee.name.clone()));
    }
    let history = history
        .iter()
        .map(|e| HistoryLine {
            at: local_time(calendar, e.at),
            what: lang.t(&format!("ui.petition.event.{}", e.change.name())),
            who: e.actor.name().to_string(),
            text: event_text(e),
        })
        .collect();
    let page = PetitionPage {
        shell: visit.shell(format!("{} — {}", lang.t("ui.nav_petitions"), p.filing.code)),
        classification: lang.t(&format!("ui.petition.classification.{}", p.classification.as_str())),
        status: lang.t(&format!("ui.petition.status.{}", p.status.as_str())),
        actions: offered(&p, &roles, &staff.id),
        people: people.into_iter().map(|s| Person { id: s.id, name: s.name }).collect(),
        facts,
        history,
        p,
        errors,
    };
    Ok(visit.page(status, render(&page)?))
}

/// Who filed it and how to reach them: staff handling it need both.
fn petitioner(p: &Petition) -> String {
    let who = &p.filing.petitioner;
    [Some(who.name.as_str()), who.phone.as_deref(), who.email.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `GET /can-bo/phan-anh/{id}`.
pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    id: web::Path<String>,
) -> Result<HttpResponse, actix_web::Error> {
    detail(&visit, &state, id.into_inner(), Errors::default(), StatusCode::OK).await
}

/// `POST /can-bo/phan-anh/{id}/thao-tac`: one action with the version the page showed.
pub async fn act(
    visit: Visit,
    state: web::Data<UiState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let form = visit.posted(&req, payload).await?;
    let staff = visit.require_staff()?;
    let id = id.into_inner();
    let lang = visit.lang;
    let text = |name: &str| form.text(name).to_string();
    let request = match form.text("action") {
        "accept" => PetitionRequest::Accept { classification: None },
        "reject" => PetitionRequest::Reject { reason: text("reason") },
        "request_information" => PetitionRequest::RequestInformation { question: text("question") },
        "assign" => PetitionRequest::Assign { assignee: text("assignee") },
        "answer" => PetitionRequest::Answer { text: text("text"), personal: form.text("personal") == "1" },
        "publish" => PetitionRequest::Publish,
        _ => return Err(PageError::new(&visit, 400, "request.malformed", "unknown action".into()).into()),
    };
    let Ok(version) = form.text("version").parse::<u64>() else {
        let mut errors = Errors::default();
        errors.general.push(lang.t("request.precondition_required").to_string());
        return detail(&visit, &state, id, errors, StatusCode::PRECONDITION_REQUIRED).await;
    };
    let services = state.services.clone();
    let (who, petition) = (staff.clone(), id.clone());
    match web::block(move || services.petitions().act(&who, &petition, version, request)).await? {
        Ok(_) => Ok(visit.see_other(&format!("/can-bo/phan-anh/{id}"))),
        Err(e) if e.http_status() < 500 && e.http_status() != 404 => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            detail(&visit, &state, id, Errors::of(lang, &e), status).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}
