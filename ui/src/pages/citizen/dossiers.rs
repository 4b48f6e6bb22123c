//! My dossiers (`/cong-dan`) and one dossier (`/cong-dan/ho-so/{id}`): the status timeline (the public
//! history, without staff notes), the due date, and what the citizen can do now: answer a supplement request,
//! withdraw, pay, download the result, rate the service. Every action is the same use case as the API's
//! `/me/dossiers/...`, with the version the page showed (a dossier changed meanwhile is refused, not
//! overwritten).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use motcua_engine::domain::dossier::{Change, Status};
use motcua_engine::domain::identity::{Caller, CitizenIdentity};
use motcua_engine::domain::procedure::{form_entries, replaced_by_form};
use motcua_engine::service::ServiceError;
use motcua_engine::service::citizens::{MyDossier, MyDossierDetail};
use motcua_engine::service::payments::DossierPayments;
use motcua_engine::service::requests::ComponentInput;
use motcua_engine::store::papers::Paper;
use motcua_engine::store::ratings::Rating;

use crate::pages::rating::{Answers, RatingForm, RatingView, answered};
use serde::Deserialize;

use super::{download, renamed, when};
use crate::UiState;
use crate::error::PageError;
use crate::form::{Errors, input_id};
use crate::pages::Shell;
use crate::session::{Visit, url_escape};
use crate::shell::render;
use motcua_engine::text::dong_short;

pub struct Row {
    pub id: String,
    pub code: String,
    pub procedure: String,
    pub status: &'static str,
    pub submitted: String,
    pub due: String,
    /// `late` when past due and not complete: said in words too.
    pub late: bool,
}

#[derive(Template)]
#[template(path = "citizen/dossiers.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
    next: Option<String>,
}

fn is_late(d: &MyDossier, now: DateTime<Utc>) -> bool {
    d.due_at.is_some_and(|due| due < now) && d.completed_at.is_none() && !d.status.is_terminal()
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    tiep: Option<String>,
}

/// `GET /cong-dan`.
pub async fn list(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let citizen = visit.require_citizen()?;
    let services = state.services.clone();
    let cursor = query.into_inner().tiep.filter(|c| !c.is_empty());
    let page = web::block(move || services.citizens().my_dossiers(&citizen, cursor.as_deref(), Some(20)))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    let rows = page
        .items
        .iter()
        .map(|d| Row {
            id: d.id.clone(),
            code: d.code.clone().unwrap_or_else(|| "—".into()),
            procedure: d.procedure_name.clone(),
            status: visit.lang.t(&format!("status.{}", d.status.code())),
            submitted: when(&state, d.submitted_at),
            due: d.due_at.map_or_else(|| "—".into(), |t| when(&state, t)),
            late: is_late(d, state.services.now()),
        })
        .collect();
    let page = ListPage {
        shell: visit.shell(visit.lang.t("ui.nav_mine")),
        rows,
        next: page.next_cursor.map(|c| format!("/cong-dan?tiep={}", url_escape(&c))),
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

pub struct Entry {
    pub at: String,
    pub what: &'static str,
    pub by: &'static str,
    pub status: Option<&'static str>,
    pub details: Vec<String>,
}

pub struct Requested {
    pub component: Option<String>,
    pub name: String,
    pub reason: String,
    pub field: String,
}

pub struct PaymentView {
    pub amount: String,
    pub state: &'static str,
    pub pay_url: Option<String>,
}

pub struct ResultLink {
    pub href: String,
    pub title: String,
    pub file_name: String,
}

pub struct ComponentRow {
    pub name: String,
    pub provided: bool,
    /// Declared on the e-form instead of handed in on paper.
    pub by_form: bool,
}

/// What the action forms keep after a refusal.
#[derive(Default)]
struct Kept {
    section: &'static str,
    reason: String,
    rating: RatingForm,
}

#[derive(Template)]
#[template(path = "citizen/dossier.html")]
struct DetailPage {
    shell: Shell,
    id: String,
    code: String,
    status: &'static str,
    facts: Vec<(&'static str, String)>,
    late: bool,
    components: Vec<ComponentRow>,
    /// The filled-in e-form: (label, value).
    eform: Vec<(String, String)>,
    timeline: Vec<Entry>,
    supplement: Vec<Requested>,
    can_resubmit: bool,
    can_withdraw: bool,
    version: u64,
    payment: Option<PaymentView>,
    results: Vec<ResultLink>,
    /// The rating given: score, comment, when, each question with its answer.
    rating: Option<(i32, String, String, Answers)>,
    can_rate: bool,
    rate: RatingView,
    section: &'static str,
    errors: Errors,
    reason: String,
}

impl DetailPage {
    fn id(&self, field: &str) -> String {
        input_id(field)
    }
}

/// Everything the dossier page shows, read in one go.
struct Loaded {
    detail: MyDossierDetail,
    results: Vec<Paper>,
    rating: Option<Rating>,
    payments: Option<DossierPayments>,
}

async fn load(
    state: &UiState,
    citizen: &CitizenIdentity,
    id: &str,
) -> Result<Result<Loaded, ServiceError>, actix_web::Error> {
    let services = state.services.clone();
    let (citizen, id) = (citizen.clone(), id.to_string());
    Ok(web::block(move || -> Result<Loaded, ServiceError> {
        let detail = services.citizens().my_dossier(&citizen, &id)?;
        let results = services.citizens().my_results(&citizen, &id)?;
        let rating = services.citizens().my_rating(&citizen, &id)?;
        let payments =
            if detail.dossier.payment.is_some() { Some(services.citizens().my_payments(&citizen, &id)?) } else { None };
        Ok(Loaded { detail, results, rating, payments })
    })
    .await?)
}

fn timeline(visit: &Visit, state: &UiState, detail: &MyDossierDetail) -> Vec<Entry> {
    let lang = visit.lang;
    let procedure = state.services.catalogue.version(&detail.dossier.procedure_code, detail.dossier.procedure_version);
    let component_name =
        |id: &str| procedure.as_ref().and_then(|p| p.component(id)).map_or_else(|| id.to_string(), |c| c.name.clone());
    detail
        .history
        .iter()
        .rev()
        .map(|e| {
            let details = match &e.details {
                Some(Change::Received { code, .. }) => vec![format!("{}: {code}", lang.t("ui.citizen.dossier_code"))],
                Some(Change::ReceptionRefused { reasons } | Change::Stopped { reasons }) => reasons.clone(),
                Some(Change::SupplementRequested { items }) => items
                    .iter()
                    .map(|i| match &i.component {
                        Some(c) => format!("{}: {}", component_name(c), i.reason),
                        None => i.reason.clone(),
                    })
                    .collect(),
                Some(Change::PaperAttached { component, .. }) => vec![component_name(component)],
                Some(Change::ResultAttached { title, .. }) => vec![title.clone()],
                Some(Change::PaymentRequested { amount_vnd, .. } | Change::PaymentRecorded { amount_vnd, .. }) => {
                    vec![dong_short(*amount_vnd)]
                }
                Some(Change::Extended { new_due, reason }) => {
                    vec![format!("{}: {}", lang.t("ui.due_at"), when(state, *new_due)), reason.clone()]
                }
                Some(Change::Withdrawn { reason }) => vec![reason.clone()],
                _ => Vec::new(),
            };
            Entry {
                at: when(state, e.at),
                what: lang.t(&format!("ui.citizen.event.{}", e.kind)),
                by: lang.t(&format!("ui.citizen.by.{}", e.by)),
                status: e.status.map(|s| lang.t(&format!("status.{}", s.code()))),
                details,
            }
        })
        .collect()
}

async fn detail_page(
    visit: &Visit,
    state: &UiState,
    citizen: &CitizenIdentity,
    id: &str,
    errors: Errors,
    kept: Kept,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let loaded = load(state, citizen, id).await?.map_err(|e| PageError::service(visit, &e))?;
    let d = &loaded.detail.dossier;
    let procedure = state.services.catalogue.version(&d.procedure_code, d.procedure_version);
    let component_name = |cid: &str| {
        procedure.as_ref().and_then(|p| p.component(cid)).map_or_else(|| cid.to_string(), |c| c.name.clone())
    };
    let mut facts = vec![
        (lang.t("ui.citizen.procedure"), d.procedure_name.clone()),
        (lang.t("ui.citizen.agency"), d.agency_name.clone()),
        (lang.t("ui.citizen.submitted_at"), when(state, d.submitted_at)),
    ];
    if let Some(t) = d.received_at {
        facts.push((lang.t("ui.received_at"), when(state, t)));
    }
    if let Some(t) = d.due_at {
        facts.push((lang.t("ui.due_at"), when(state, t)));
    }
    if let Some(t) = d.returned_at {
        facts.push((lang.t("ui.returned_at"), when(state, t)));
    }
    if let Some(number) = &d.result_number {
        facts.push((lang.t("ui.citizen.result_number"), number.clone()));
    }
    if let Some(bundle) = &d.bundle_code {
        facts.push((lang.t("ui.staff.in_bundle"), bundle.clone()));
    }
    for m in &d.members {
        let status = lang.t(&format!("status.{}", m.status.code()));
        facts.push((lang.t("ui.staff.bundle_member"), format!("{} — {status} ({})", m.procedure_name, m.code)));
    }
    let supplement = d
        .supplement
        .as_ref()
        .map(|s| {
            s.items
                .iter()
                .map(|item| Requested {
                    name: item.component.as_deref().map(component_name).unwrap_or_default(),
                    field: item.component.as_ref().map(|c| format!("components.{c}")).unwrap_or_default(),
                    component: item.component.clone(),
                    reason: item.reason.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let payment = loaded.payments.as_ref().and_then(|p| p.orders.last()).map(|order| PaymentView {
        amount: dong_short(order.order.amount_vnd.max(0) as u64),
        state: lang.t(&format!("payment.{}", order.state)),
        pay_url: order.order.pay_url.clone().filter(|_| order.state == "open" && d.status == Status::PaymentRequested),
    });
    let results = loaded
        .results
        .iter()
        .map(|p| ResultLink {
            href: format!("/cong-dan/ho-so/{}/ket-qua/{}", d.id, p.id),
            title: p.title.clone(),
            file_name: p.file_name.clone(),
        })
        .collect();
    let replaced = procedure.as_deref().and_then(|p| replaced_by_form(p, &d.form_data));
    let page =
        DetailPage {
            shell: visit.shell(format!("{} {}", lang.t("ui.citizen.dossier"), d.code.clone().unwrap_or_default())),
            id: d.id.clone(),
            code: d.code.clone().unwrap_or_default(),
            status: lang.t(&format!("status.{}", d.status.code())),
            late: is_late(d, state.services.now()),
            facts,
            components: d
                .components
                .iter()
                .filter(|c| procedure.as_ref().and_then(|p| p.component(&c.id)).is_none_or(|c| !c.in_person_only))
                .filter(|c| c.provided || Some(c.id.as_str()) != replaced)
                .map(|c| ComponentRow { name: component_name(&c.id), provided: c.provided, by_form: false })
                // The paper declaration the e-form stands for.
                .chain(
                    replaced
                        .filter(|id| !d.components.iter().any(|c| c.id == *id && c.provided))
                        .map(|id| ComponentRow { name: component_name(id), provided: false, by_form: true }),
                )
                .collect(),
            eform: procedure.as_deref().map(|p| form_entries(p, &d.form_data)).unwrap_or_default(),
            timeline: timeline(visit, state, &loaded.detail),
            supplement,
            can_resubmit: d.can_resubmit,
            can_withdraw: d.can_withdraw,
            version: d.version,
            payment,
            results,
            rating: loaded.rating.as_ref().map(|r| {
                let at = motcua_engine::store::from_db(r.rated_at);
                (r.score, r.comment.clone().unwrap_or_default(), when(state, at), answered(visit.lang, r))
            }),
            can_rate: d.status == Status::Returned && loaded.rating.is_none(),
            rate: RatingView::new(visit.lang, format!("/cong-dan/ho-so/{}/danh-gia", d.id), &kept.rating),
            section: kept.section,
            errors,
            reason: kept.reason,
        };
    Ok(visit.page(status, render(&page)?))
}

/// `GET /cong-dan/ho-so/{id}`.
pub async fn detail(
    visit: Visit,
    state: web::Data<UiState>,
    id: web::Path<String>,
) -> Result<HttpResponse, actix_web::Error> {
    let citizen = visit.require_citizen()?;
    detail_page(&visit, &state, &citizen, &id, Errors::default(), Kept::default(), StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "citizen/submitted.html")]
struct SubmittedPage {
    shell: Shell,
    id: String,
    code: String,
    procedure: String,
    agency: String,
    status: &'static str,
}

/// `GET /cong-dan/ho-so/{id}/da-nop`: the confirmation after an online submission.
pub async fn submitted(
    visit: Visit,
    state: web::Data<UiState>,
    id: web::Path<String>,
) -> Result<HttpResponse, actix_web::Error> {
    let citizen = visit.require_citizen()?;
    let services = state.services.clone();
    let id = id.into_inner();
    let detail = web::block(move || services.citizens().my_dossier(&citizen, &id))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    let d = detail.dossier;
    let page = SubmittedPage {
        shell: visit.shell(visit.lang.t("ui.citizen.submitted_title")),
        code: d.code.clone().unwrap_or_default(),
        procedure: d.procedure_name.clone(),
        agency: d.agency_name.clone(),
        status: visit.lang.t(&format!("status.{}", d.status.code())),
        id: d.id,
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

fn status_of(e: &ServiceError) -> StatusCode {
    StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

/// `POST /cong-dan/ho-so/{id}/bo-sung` (multipart): the papers the agency asked for are attached, then the
/// dossier is sent back, all at the version the page showed.
pub async fn supplement(
    visit: Visit,
    state: web::Data<UiState>,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    // Read whole and its CSRF token checked before anything is done.
    let form = visit.posted(&req, payload).await?;
    let citizen = visit.require_citizen()?;
    let id = id.into_inner();
    let Ok(mut version) = form.text("version").parse::<u64>() else {
        return Err(PageError::new(&visit, 400, "request.malformed", String::new()).into());
    };
    let kept = || Kept { section: "supplement", ..Kept::default() };
    for file in &form.files {
        let Some(component) = file.field.strip_prefix("file.") else { continue };
        let services = state.services.clone();
        let (who, dossier, name, bytes) = (citizen.clone(), id.clone(), file.name.clone(), file.bytes.clone());
        let component_id = component.to_string();
        let attached = web::block(move || {
            let caller = Caller::Citizen(who);
            let upload = services.papers().upload_bytes(&caller, &name, &bytes)?;
            let input = ComponentInput {
                id: component_id,
                upload: Some(upload.id),
                repository_item: None,
                keep: false,
                form: None,
                count: None,
            };
            services.papers().attach_paper(&caller, &dossier, version, input)
        })
        .await?;
        match attached {
            Ok(after) => version = after.version,
            Err(e) if e.http_status() < 500 => {
                let field = format!("components.{component}");
                let errors = renamed(Errors::of(visit.lang, &e), |_| field.clone());
                return detail_page(&visit, &state, &citizen, &id, errors, kept(), status_of(&e)).await;
            }
            Err(e) => return Err(PageError::service(&visit, &e).into()),
        }
    }
    let services = state.services.clone();
    let (who, dossier) = (citizen.clone(), id.clone());
    match web::block(move || services.citizens().resubmit_mine(&who, &dossier, version)).await? {
        Ok(_) => Ok(visit.see_other(&format!("/cong-dan/ho-so/{id}"))),
        Err(e) if e.http_status() < 500 => {
            let errors = Errors::of(visit.lang, &e);
            detail_page(&visit, &state, &citizen, &id, errors, kept(), status_of(&e)).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
}

/// `POST /cong-dan/ho-so/{id}/rut`: withdraws with a reason, at the version the page showed.
pub async fn withdraw(
    visit: Visit,
    state: web::Data<UiState>,
    id: web::Path<String>,
    form: web::Form<WithdrawForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let form = form.into_inner();
    visit.check_csrf(&form.csrf)?;
    let citizen = visit.require_citizen()?;
    let id = id.into_inner();
    let kept = Kept { section: "withdraw", reason: form.reason.clone(), ..Kept::default() };
    let Ok(version) = form.version.parse::<u64>() else {
        return Err(PageError::new(&visit, 400, "request.malformed", String::new()).into());
    };
    if form.reason.trim().is_empty() {
        let mut errors = Errors::default();
        errors.add("reason", visit.lang.t("field.required"));
        return detail_page(&visit, &state, &citizen, &id, errors, kept, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let services = state.services.clone();
    let (who, dossier, reason) = (citizen.clone(), id.clone(), form.reason.trim().to_string());
    match web::block(move || services.citizens().withdraw_mine(&who, &dossier, version, reason)).await? {
        Ok(_) => Ok(visit.see_other(&format!("/cong-dan/ho-so/{id}"))),
        Err(e) if e.http_status() < 500 => {
            let errors = Errors::of(visit.lang, &e);
            detail_page(&visit, &state, &citizen, &id, errors, kept, status_of(&e)).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}

/// `POST /cong-dan/ho-so/{id}/danh-gia`: rates the service once the result was returned; once only.
pub async fn rate(
    visit: Visit,
    state: web::Data<UiState>,
    id: web::Path<String>,
    form: web::Form<RatingForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let form = form.into_inner();
    visit.check_csrf(&form.csrf)?;
    let citizen = visit.require_citizen()?;
    let id = id.into_inner();
    let input = form.input();
    let kept = Kept { section: "rate", rating: form, ..Kept::default() };
    let services = state.services.clone();
    let (who, dossier) = (citizen.clone(), id.clone());
    match web::block(move || services.citizens().rate_mine(&who, &dossier, input)).await? {
        Ok(_) => Ok(visit.see_other(&format!("/cong-dan/ho-so/{id}"))),
        Err(e) if e.http_status() < 500 => {
            let errors = Errors::of(visit.lang, &e);
            detail_page(&visit, &state, &citizen, &id, errors, kept, status_of(&e)).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}

/// `GET /cong-dan/ho-so/{id}/ket-qua/{paper}`: a result paper, once issued.
pub async fn result(
    visit: Visit,
    state: web::Data<UiState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, actix_web::Error> {
    let citizen = visit.require_citizen()?;
    let (id, paper_id) = path.into_inner();
    let services = state.services.clone();
    type Found = Option<(Paper, Box<dyn std::io::Read + Send>)>;
    let found = web::block(move || -> Result<Found, ServiceError> {
        let issued = services.citizens().my_results(&citizen, &id)?;
        if !issued.iter().any(|p| p.id == paper_id) {
            return Ok(None);
        }
        services.papers().paper_content(&Caller::Citizen(citizen), &id, &paper_id).map(Some)
    })
    .await?
    .map_err(|e| PageError::service(&visit, &e))?;
    match found {
        Some((paper, reader)) => Ok(download(&paper.media_type, &paper.file_name, reader)),
        None => Err(PageError::not_found(&visit).into()),
    }
}
