//! Online submission as a guided form (`/thu-tuc/{code}/nop`): the receiving agency, the applicant's
//! declaration prefilled from the verified identity, contact details, how to receive the result, and a paper
//! per component (uploaded, or picked from the citizen's repository); then a summary to check, then the
//! submission itself and its confirmation.
//!
//! Every step posts the whole form (multipart). Files are stored the moment they arrive, once: their upload ids
//! travel on in hidden fields, through a refused step and through the summary. The submission goes through
//! `submit_mine`, the same use case as `POST /api/v1/me/dossiers`, with an idempotency key made at the summary,
//! so a double click submits once.

use std::hash::{Hash, Hasher};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use motcua_engine::domain::codes::{PersonalId, Sex};
use motcua_engine::domain::dossier::IdKind;
use motcua_engine::domain::identity::{Caller, CitizenIdentity};
use motcua_engine::domain::procedure::{FieldKind, Online, Prefill, Procedure, check_form_data, replaced_by_form};
use motcua_engine::service::ServiceError;
use motcua_engine::service::citizens::SubmittedMine;
use motcua_engine::service::dossiers::IdempotencyKey;
use motcua_engine::service::requests::{
    ApplicantInput, ComponentInput, OnlineSubmission, check_applicant, check_component_inputs,
};

use super::renamed;
use crate::UiState;
use crate::error::PageError;
use crate::form::{Errors, input_id};
use crate::pages::Shell;
use crate::pages::members::{self, MemberChoice};
use crate::posted::Posted;
use crate::session::Visit;
use crate::shell::render;

/// What the citizen filled in so far (the applicant's name and id come from the verified identity, not the form).
#[derive(Debug, Clone, Default)]
struct Draft {
    agency: String,
    birth_date: String,
    sex: String,
    address: String,
    phone: String,
    email: String,
    summary: String,
    return_method: String,
    /// The e-form's values by field name.
    eform: std::collections::BTreeMap<String, String>,
    papers: Vec<Paper>,
    /// For a bundle: the procedures chosen.
    members: Vec<String>,
}

/// One component's paper: a file uploaded (kept by its upload id), or a repository item, or nothing yet.
#[derive(Debug, Clone, Default)]
struct Paper {
    component: String,
    upload: String,
    upload_name: String,
    /// `upload`, `repo:<item id>`, or empty.
    source: String,
    /// Keep the uploaded paper in the citizen's repository once the dossier is returned.
    keep: bool,
}

impl Paper {
    fn repository_item(&self) -> Option<&str> {
        self.source.strip_prefix("repo:")
    }

    /// What the submission names: the repository item when picked, else the upload when there is one.
    fn input(&self) -> Option<ComponentInput> {
        let (upload, repository_item) = match self.repository_item() {
            Some(item) => (None, Some(item.to_string())),
            None if !self.upload.is_empty() => (Some(self.upload.clone()), None),
            None => return None,
        };
        let keep = self.keep && upload.is_some();
        Some(ComponentInput { id: self.component.clone(), upload, repository_item, keep, form: None, count: None })
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One field of the procedure's e-form, as the form shows it (its input is named `form_data.<name>`, the
/// service's name for it, so the service's errors land next to it).
pub struct EFormField {
    pub field: String,
    pub label: String,
    /// `text`, `date`, `number`, `long_text` or `choice`.
    pub kind: &'static str,
    pub required: bool,
    pub value: String,
    pub choices: Vec<Choice>,
    pub hint: Option<String>,
}

fn eform_fields(procedure: &Procedure, draft: &Draft) -> Vec<EFormField> {
    procedure
        .form_fields
        .iter()
        .map(|f| {
            let value = draft.eform.get(&f.name).cloned().unwrap_or_default();
            EFormField {
                field: format!("form_data.{}", f.name),
                label: f.label.clone(),
                kind: match f.kind {
                    FieldKind::Text => "text",
                    FieldKind::LongText => "long_text",
                    FieldKind::Date => "date",
                    FieldKind::Number => "number",
                    FieldKind::Choice => "choice",
                },
                required: f.required,
                choices: f
                    .choices
                    .iter()
                    .map(|c| Choice { value: c.clone(), label: c.clone(), selected: *c == value })
                    .collect(),
                value,
                hint: f.hint.clone(),
            }
        })
        .collect()
}

pub struct ComponentView {
    pub id: String,
    pub name: String,
    pub need: &'static str,
    pub note: Option<String>,
    /// The field its errors are filed under (`components.<id>`).
    pub field: String,
    pub upload: String,
    pub upload_name: String,
    pub upload_selected: bool,
    pub keep: bool,
    pub offers: Vec<Choice>,
    /// For the summary: what was chosen, in words.
    pub chosen: String,
}

#[derive(Template)]
#[template(path = "citizen/submit_form.html")]
struct FormPage {
    shell: Shell,
    code: String,
    name: String,
    id_number: String,
    draft: Draft,
    agencies: Vec<Choice>,
    sexes: Vec<Choice>,
    return_methods: Vec<Choice>,
    eform: Vec<EFormField>,
    components: Vec<ComponentView>,
    members: Vec<MemberChoice>,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "citizen/submit_review.html")]
struct ReviewPage {
    shell: Shell,
    code: String,
    name: String,
    id_number: String,
    draft: Draft,
    agency_name: String,
    birth_date: String,
    sex_name: String,
    return_name: String,
    eform: Vec<EFormField>,
    components: Vec<ComponentView>,
    members: Vec<MemberChoice>,
    key: String,
}

impl FormPage {
    fn id(&self, field: &str) -> String {
        input_id(field)
    }
}

impl ReviewPage {
    fn or_dash<'a>(&self, text: &'a str) -> &'a str {
        if text.is_empty() { "—" } else { text }
    }
}

fn procedure_for(visit: &Visit, state: &UiState, code: &str) -> Result<std::sync::Arc<Procedure>, PageError> {
    let procedure = state
        .services
        .catalogue
        .current(code)
        .ok_or_else(|| PageError::new(visit, 404, "ui.procedure_not_found", String::new()))?;
    if procedure.online == Online::None {
        return Err(PageError::new(visit, 409, "dossier.not_online", String::new()));
    }
    Ok(procedure)
}

/// The components a citizen hands in online (those only shown at the counter are not).
fn online_components(procedure: &Procedure) -> impl Iterator<Item = &motcua_engine::domain::procedure::Component> {
    procedure.components.iter().filter(|c| !c.in_person_only)
}

/// The first draft: sex from the personal id (its 4th digit), the one agency when there is one.
fn first_draft(procedure: &Procedure, citizen: &CitizenIdentity, agencies: &[(String, String)]) -> Draft {
    let sex = match PersonalId::parse(&citizen.id_number).map(|p| p.sex) {
        Ok(Sex::Male) => "male",
        Ok(Sex::Female) => "female",
        Err(_) => "",
    };
    Draft {
        agency: if agencies.len() == 1 { agencies[0].0.clone() } else { String::new() },
        sex: sex.into(),
        return_method: procedure.return_methods.first().map(|m| m.as_str().to_string()).unwrap_or_default(),
        // What the verified identity already says; the rest is typed.
        eform: procedure
            .form_fields
            .iter()
            .filter_map(|f| match f.prefill? {
                Prefill::Name => Some((f.name.clone(), citizen.name.clone())),
                Prefill::IdNumber => Some((f.name.clone(), citizen.id_number.clone())),
                _ => None,
            })
            .collect(),
        papers: online_components(procedure).map(|c| Paper { component: c.id.clone(), ..Paper::default() }).collect(),
        // Every procedure of a bundle until she leaves some out.
        members: procedure.members.iter().map(|m| m.procedure.clone()).collect(),
        ..Draft::default()
    }
}

/// The draft as the form sent it (files not yet stored).
fn read_draft(procedure: &Procedure, form: &Posted) -> Draft {
    let text = |name: &str| form.text(name).trim().to_string();
    Draft {
        agency: text("agency"),
        birth_date: text("applicant.birth_date"),
        sex: text("applicant.sex"),
        address: text("applicant.address"),
        phone: text("applicant.phone"),
        email: text("applicant.email"),
        summary: text("summary"),
        return_method: text("form.return_method"),
        eform: procedure
            .form_fields
            .iter()
            .map(|f| (f.name.clone(), text(&format!("form_data.{}", f.name))))
            .filter(|(_, v)| !v.is_empty())
            .collect(),
        papers: online_components(procedure)
            .map(|c| Paper {
                component: c.id.clone(),
                upload: text(&format!("upload.{}", c.id)),
                upload_name: text(&format!("upload_name.{}", c.id)),
                source: text(&format!("source.{}", c.id)),
                keep: !form.text(&format!("keep.{}", c.id)).is_empty(),
            })
            .collect(),
        members: members::chosen(procedure, form.all("member")),
    }
}

/// The agencies that receive this procedure: (id, name).
async fn agencies_for(state: &UiState, procedure: &Procedure) -> Result<Vec<(String, String)>, ServiceError> {
    let services = state.services.clone();
    let all = web::block(move || services.agencies()).await.map_err(|e| ServiceError::Internal(e.to_string()))??;
    Ok(all.into_iter().filter(|a| a.kind == procedure.agency_kind).map(|a| (a.id, a.name)).collect())
}

/// The components with what the draft holds for each and the repository items the citizen may reuse.
async fn component_views(
    visit: &Visit,
    state: &UiState,
    procedure: &Procedure,
    citizen: &CitizenIdentity,
    draft: &Draft,
) -> Result<Vec<ComponentView>, actix_web::Error> {
    let lang = visit.lang;
    let mut views = Vec::new();
    for component in online_components(procedure) {
        let paper = draft.papers.iter().find(|p| p.component == component.id).cloned().unwrap_or_default();
        let offers = if component.reusable.is_empty() {
            Vec::new()
        } else {
            let services = state.services.clone();
            let (who, code, id) = (citizen.clone(), procedure.code.clone(), component.id.clone());
            let owner = who.id_number.clone();
            web::block(move || services.repository().reuse_offers(&Caller::Citizen(who), &owner, &code, &id))
                .await?
                .map_err(|e| PageError::service(visit, &e))?
        };
        let offers: Vec<Choice> = offers
            .into_iter()
            .map(|offer| {
                let value = format!("repo:{}", offer.item.id);
                let mut label = offer.item.title.clone();
                if let Some(issuer) = &offer.item.issuer {
                    label.push_str(&format!(" — {issuer}"));
                }
                if let Some(date) = offer.item.issue_date {
                    label.push_str(&format!(", {}", date.format("%d/%m/%Y")));
                }
                let validity = if offer.validity.valid { "repository.valid" } else { "ui.citizen.not_verified" };
                label.push_str(&format!(" ({})", lang.t(validity)));
                Choice { selected: paper.source == value, value, label }
            })
            .collect();
        let chosen = match (paper.repository_item(), paper.upload.is_empty()) {
            (Some(item), _) => {
                let label = offers.iter().find(|o| o.value == paper.source).map(|o| o.label.clone());
                format!("{}: {}", lang.t("ui.citizen.from_repository"), label.unwrap_or_else(|| item.to_string()))
            }
            (None, false) if paper.keep => format!(
                "{}: {} ({})",
                lang.t("ui.citizen.uploaded"),
                paper.upload_name,
                lang.t("ui.citizen.keep_short")
            ),
            (None, false) => format!("{}: {}", lang.t("ui.citizen.uploaded"), paper.upload_name),
            (None, true) => lang.t("ui.citizen.not_provided").to_string(),
        };
        views.push(ComponentView {
            id: component.id.clone(),
            name: component.name.clone(),
            need: lang.t(if component.required { "ui.required" } else { "ui.optional" }),
            note: component.note.clone(),
            field: format!("components.{}", component.id),
            upload_selected: paper.repository_item().is_none(),
            keep: paper.keep,
            upload: paper.upload,
            upload_name: paper.upload_name,
            offers,
            chosen,
        });
    }
    Ok(views)
}

/// Renders the form with the draft and its errors.
async fn form_page(
    visit: &Visit,
    state: &UiState,
    procedure: &Procedure,
    citizen: &CitizenIdentity,
    draft: Draft,
    errors: Errors,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let agencies = agencies_for(state, procedure).await.map_err(|e| PageError::service(visit, &e))?;
    let components = component_views(visit, state, procedure, citizen, &draft).await?;
    let page = FormPage {
        shell: visit.shell(format!("{}: {}", lang.t("ui.citizen.submit_title"), procedure.name)),
        code: procedure.code.clone(),
        name: citizen.name.clone(),
        id_number: citizen.id_number.clone(),
        agencies: agencies
            .into_iter()
            .map(|(id, name)| Choice { selected: id == draft.agency, value: id, label: name })
            .collect(),
        sexes: ["male", "female"]
            .iter()
            .map(|s| Choice {
                value: s.to_string(),
                label: lang.t(&format!("ui.citizen.sex.{s}")).to_string(),
                selected: draft.sex == *s,
            })
            .collect(),
        return_methods: procedure
            .return_methods
            .iter()
            .map(|m| Choice {
                value: m.as_str().to_string(),
                label: lang.t(&format!("ui.return.{}", m.as_str())).to_string(),
                selected: draft.return_method == m.as_str(),
            })
            .collect(),
        eform: eform_fields(procedure, &draft),
        components,
        members: members::choices(&state.services.catalogue, &state.services.registry, procedure, &draft.members),
        draft,
        errors,
    };
    Ok(visit.page(status, render(&page)?))
}

/// `GET /thu-tuc/{code}/nop`.
pub async fn form(
    visit: Visit,
    state: web::Data<UiState>,
    code: web::Path<String>,
) -> Result<HttpResponse, actix_web::Error> {
    let citizen = visit.require_citizen()?;
    let procedure = procedure_for(&visit, &state, &code)?;
    let agencies = agencies_for(&state, &procedure).await.map_err(|e| PageError::service(&visit, &e))?;
    let draft = first_draft(&procedure, &citizen, &agencies);
    form_page(&visit, &state, &procedure, &citizen, draft, Errors::default(), StatusCode::OK).await
}

/// The submission the draft makes, and the errors the page can tell before sending it.
fn submission(
    visit: &Visit,
    procedure: &Procedure,
    citizen: &CitizenIdentity,
    draft: &Draft,
) -> (OnlineSubmission, Errors) {
    let lang = visit.lang;
    let mut page_errors: Vec<(String, &'static str)> = Vec::new();
    let birth_date = if draft.birth_date.is_empty() {
        None
    } else {
        let parsed = crate::form::parse_day(&draft.birth_date);
        if parsed.is_none() {
            page_errors.push(("applicant.birth_date".into(), "ui.citizen.invalid_date"));
        }
        parsed
    };
    let sex = match draft.sex.as_str() {
        "male" => Some(Sex::Male),
        "female" => Some(Sex::Female),
        _ => None,
    };
    let optional = |text: &str| (!text.is_empty()).then(|| text.to_string());
    let input = OnlineSubmission {
        procedure_code: procedure.code.clone(),
        agency: draft.agency.clone(),
        applicant: ApplicantInput {
            name: citizen.name.clone(),
            id_kind: if citizen.id_number.len() == 12 { IdKind::PersonalId } else { IdKind::TaxCode },
            id_number: citizen.id_number.clone(),
            birth_date,
            sex,
            address: optional(&draft.address),
            phone: optional(&draft.phone),
            email: optional(&draft.email),
        },
        summary: optional(&draft.summary),
        components: draft.papers.iter().filter_map(Paper::input).collect(),
        form_data: draft
            .eform
            .iter()
            .map(|(name, value)| {
                // Dates are typed dd/mm/yyyy; the dossier keeps them as ISO dates (what the e-form's rules check).
                let is_date = procedure.form_fields.iter().any(|f| f.name == *name && f.kind == FieldKind::Date);
                match crate::form::parse_day(value).filter(|_| is_date) {
                    Some(day) => (name.clone(), day.to_string()),
                    None => (name.clone(), value.clone()),
                }
            })
            .chain(optional(&draft.return_method).map(|m| ("return_method".to_string(), m)))
            .collect(),
        members: draft.members.clone(),
    };
    if draft.agency.is_empty() {
        page_errors.push(("agency".into(), "field.required"));
    }
    if !procedure.return_methods.iter().any(|m| m.as_str() == draft.return_method) {
        page_errors.push(("form.return_method".into(), "field.required"));
    }
    for (name, code) in check_form_data(procedure, &input.form_data) {
        page_errors.push((format!("form_data.{name}"), code));
    }
    // Papers the agency cannot receive the dossier without: said now rather than at the counter. The filled-in
    // e-form stands for the declaration it replaces.
    let by_form = replaced_by_form(procedure, &input.form_data);
    for component in online_components(procedure) {
        let given = draft.papers.iter().any(|p| p.component == component.id && p.input().is_some());
        if component.required && !given && by_form != Some(component.id.as_str()) {
            page_errors.push((format!("components.{}", component.id), "ui.citizen.paper_missing"));
        }
    }
    let mut field_errors = Vec::new();
    check_applicant(&input.applicant, "applicant", &mut field_errors);
    check_component_inputs(&input.components, procedure, &mut field_errors);
    let mut errors = if field_errors.is_empty() {
        Errors::default()
    } else {
        by_component(Errors::of(lang, &ServiceError::Invalid(field_errors)), &input)
    };
    for (field, code) in page_errors {
        errors.add(&field, lang.t(code));
    }
    (input, errors)
}

/// The service names components by their place in the request: the page names them by id.
fn by_component(errors: Errors, input: &OnlineSubmission) -> Errors {
    renamed(errors, |field| {
        let Some(rest) = field.strip_prefix("components[") else { return field.to_string() };
        let index = rest.split(']').next().and_then(|i| i.parse::<usize>().ok());
        match index.and_then(|i| input.components.get(i)) {
            Some(component) => format!("components.{}", component.id),
            None => "components".to_string(),
        }
    })
}

/// The idempotency key's request hash: the submission as sent (stable within one server version).
fn request_hash(input: &OnlineSubmission) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    format!("{input:?}").hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// `POST /thu-tuc/{code}/nop`: `step=review` checks the draft and shows the summary (storing new files once),
/// `step=edit` goes back to the form, `step=submit` submits.
pub async fn post(
    visit: Visit,
    state: web::Data<UiState>,
    code: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    // Read whole and its CSRF token checked before anything is done.
    let form = visit.posted(&req, payload).await?;
    let citizen = visit.require_citizen()?;
    let procedure = procedure_for(&visit, &state, &code)?;
    let mut draft = read_draft(&procedure, &form);
    // New files are stored now, once; from here on only their upload ids travel.
    for paper in draft.papers.iter_mut() {
        if let Some(file) = form.file(&format!("file.{}", paper.component)) {
            let services = state.services.clone();
            let (who, name, bytes) = (Caller::Citizen(citizen.clone()), file.name.clone(), file.bytes.clone());
            match web::block(move || services.papers().upload_bytes(&who, &name, &bytes)).await? {
                Ok(upload) => {
                    paper.upload = upload.id;
                    paper.upload_name = upload.file_name;
                    paper.source = "upload".into();
                }
                Err(e) => {
                    let mut errors = Errors::default();
                    let message = Errors::of(visit.lang, &e).general.join(" ");
                    errors.add(&format!("components.{}", paper.component), &message);
                    return form_page(
                        &visit,
                        &state,
                        &procedure,
                        &citizen,
                        draft,
                        errors,
                        StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    )
                    .await;
                }
            }
        }
    }
    let step = form.text("step");
    if step == "edit" {
        return form_page(&visit, &state, &procedure, &citizen, draft, Errors::default(), StatusCode::OK).await;
    }
    let (input, errors) = submission(&visit, &procedure, &citizen, &draft);
    if !errors.is_empty() {
        return form_page(&visit, &state, &procedure, &citizen, draft, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if step != "submit" {
        return review_page(&visit, &state, &procedure, &citizen, draft).await;
    }
    let key = form.text("key").to_string();
    let key = (!key.is_empty() && key.len() <= 200).then(|| IdempotencyKey { key, request_hash: request_hash(&input) });
    let services = state.services.clone();
    let who = citizen.clone();
    let shown = input.clone();
    match web::block(move || services.citizens().submit_mine(&who, input, key)).await? {
        Ok(SubmittedMine::Created(mine)) => Ok(visit.see_other(&format!("/cong-dan/ho-so/{}/da-nop", mine.id))),
        Ok(SubmittedMine::Replayed { body, .. }) => {
            // The same summary sent twice: the first submission's dossier.
            let id = body.split("\"id\":\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default();
            Ok(visit.see_other(&format!("/cong-dan/ho-so/{id}/da-nop")))
        }
        Err(e) if e.http_status() < 500 => {
            let errors = by_component(Errors::of(visit.lang, &e), &shown);
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            form_page(&visit, &state, &procedure, &citizen, draft, errors, status).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}

async fn review_page(
    visit: &Visit,
    state: &UiState,
    procedure: &Procedure,
    citizen: &CitizenIdentity,
    draft: Draft,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let agencies = agencies_for(state, procedure).await.map_err(|e| PageError::service(visit, &e))?;
    let components = component_views(visit, state, procedure, citizen, &draft).await?;
    let page = ReviewPage {
        shell: visit.shell(format!("{}: {}", lang.t("ui.citizen.review_title"), procedure.name)),
        code: procedure.code.clone(),
        name: citizen.name.clone(),
        id_number: citizen.id_number.clone(),
        agency_name: agencies.iter().find(|(id, _)| *id == draft.agency).map(|(_, n)| n.clone()).unwrap_or_default(),
        birth_date: crate::form::parse_day(&draft.birth_date).map(crate::form::show_day).unwrap_or_default(),
        sex_name: if draft.sex.is_empty() {
            String::new()
        } else {
            lang.t(&format!("ui.citizen.sex.{}", draft.sex)).to_string()
        },
        return_name: lang.t(&format!("ui.return.{}", draft.return_method)).to_string(),
        eform: eform_fields(procedure, &draft),
        components,
        members: members::choices(&state.services.catalogue, &state.services.registry, procedure, &draft.members)
            .into_iter()
            .filter(|m| m.chosen)
            .collect(),
        draft,
        key: motcua_engine::random::token(16),
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}
