//! Petitions (phản ánh, kiến nghị) for everyone: the published answers with their search
//! (`/phan-anh-kien-nghi`), the form to file one (`/phan-anh-kien-nghi/gui`, from the home page, a procedure or a
//! dossier), and following one by its code and the phone or e-mail given (`/phan-anh-kien-nghi/theo-doi`), where
//! the petitioner adds the information asked for and says whether the answer satisfied them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use motcua_engine::domain::petition::{PetitionStatus, Subject};
use motcua_engine::service::ServiceError;
use motcua_engine::service::petitions::{
    Contact, Filer, PetitionInput, PetitionResponse, PetitionTracking, PublishedPetition,
};
use serde::Deserialize;

use super::Shell;
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::i18n::UiLang;
use crate::session::{Visit, url_escape};
use crate::shell::render;
use motcua_engine::domain::identity::CitizenIdentity;

fn local(state: &UiState, t: DateTime<Utc>) -> String {
    super::staff::local_time(&state.services.calendar, t)
}

fn status_text(lang: UiLang, status: PetitionStatus) -> &'static str {
    lang.t(&format!("ui.petition.status.{}", status.as_str()))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    tiep: String,
}

pub struct Answered {
    pub code: String,
    pub title: String,
    pub content: String,
    pub answer: String,
    pub agency: String,
    pub published: String,
}

#[derive(Template)]
#[template(path = "petitions.html")]
struct ListPage {
    shell: Shell,
    q: String,
    items: Vec<Answered>,
    next: Option<String>,
}

/// `GET /phan-anh-kien-nghi`: the published answers, newest first, searchable.
pub async fn list(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let ListQuery { q, tiep } = query.into_inner();
    let services = state.services.clone();
    let (text, cursor) = (q.clone(), tiep.clone());
    let found = web::block(move || {
        let text = Some(text.as_str()).filter(|t| !t.trim().is_empty());
        let cursor = Some(cursor.as_str()).filter(|c| !c.is_empty());
        Ok::<_, ServiceError>((services.petitions().published(text, cursor, Some(20))?, services.agencies()?))
    })
    .await?;
    let (page, agencies) = match found {
        Ok(found) => found,
        Err(e) if e.http_status() == 422 => {
            return Err(PageError::new(&visit, 400, "request.malformed", e.detail()).into());
        }
        Err(e) => return Err(PageError::service(&visit, &e).into()),
    };
    let agency_name =
        |id: &str| agencies.iter().find(|a| a.id == id).map_or_else(|| id.to_string(), |a| a.name.clone());
    let items = page
        .items
        .iter()
        .map(|p: &PublishedPetition| Answered {
            code: p.code.clone(),
            title: p.title.clone(),
            content: p.content.clone(),
            answer: p.answer.clone(),
            agency: agency_name(&p.agency),
            published: local(&state, p.published_at),
        })
        .collect();
    let next = page.next_cursor.map(|c| format!("/phan-anh-kien-nghi?q={}&tiep={}", url_escape(&q), url_escape(&c)));
    let page = ListPage { shell: visit.shell(visit.lang.t("ui.petition.list_title")), q, items, next };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

/// What the filing form holds, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct FileForm {
    #[serde(default, rename = "co-quan")]
    agency: String,
    #[serde(default, rename = "noi-dung-ve")]
    subject: String,
    #[serde(default, rename = "tieu-de")]
    title: String,
    #[serde(default, rename = "noi-dung")]
    content: String,
    #[serde(default, rename = "ho-ten")]
    name: String,
    #[serde(default, rename = "dien-thoai")]
    phone: String,
    #[serde(default, rename = "thu-dien-tu")]
    email: String,
    #[serde(default, rename = "ho-so")]
    dossier: String,
    #[serde(default, rename = "thu-tuc")]
    procedure: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "petition_form.html")]
struct FormPage {
    shell: Shell,
    form: FileForm,
    agencies: Vec<Choice>,
    subjects: Vec<Choice>,
    signed_in: bool,
    errors: Errors,
}

impl FormPage {
    fn id(&self, field: &str) -> String {
        crate::form::input_id(field)
    }
}

impl FollowPage {
    fn id(&self, field: &str) -> String {
        crate::form::input_id(field)
    }
}

const SUBJECTS: [Subject; 4] = [Subject::Procedure, Subject::Dossier, Subject::Conduct, Subject::Regulation];

async fn form_page(
    visit: &Visit,
    state: &UiState,
    form: FileForm,
    errors: Errors,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let services = state.services.clone();
    let agencies = web::block(move || services.agencies()).await?.map_err(|e| PageError::service(visit, &e))?;
    let agencies =
        agencies.into_iter().map(|a| Choice { selected: a.id == form.agency, value: a.id, label: a.name }).collect();
    let subjects = SUBJECTS
        .into_iter()
        .map(|s| Choice {
            value: s.as_str().to_string(),
            label: lang.t(&format!("ui.petition.subject.{}", s.as_str())).to_string(),
            selected: s.as_str() == form.subject,
        })
        .collect();
    let page = FormPage {
        shell: visit.shell(lang.t("ui.petition.file_title")),
        form,
        agencies,
        subjects,
        signed_in: visit.citizen().is_some(),
        errors,
    };
    Ok(visit.page(status, render(&page)?))
}

/// `GET /phan-anh-kien-nghi/gui[?ho-so=&thu-tuc=]`: the form, about a dossier or a procedure when coming from one.
pub async fn form(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<FileForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let mut form = query.into_inner();
    if form.subject.is_empty() {
        form.subject = if !form.dossier.is_empty() {
            "dossier"
        } else if !form.procedure.is_empty() {
            "procedure"
        } else {
            ""
        }
        .into();
    }
    form_page(&visit, &state, form, Errors::default(), StatusCode::OK).await
}

/// `POST /phan-anh-kien-nghi/gui`: files it; the follow page shows the code, or the form its errors.
pub async fn submit(
    visit: Visit,
    state: web::Data<UiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let posted = visit.posted(&req, payload).await?;
    let form = FileForm {
        agency: posted.text("co-quan").into(),
        subject: posted.text("noi-dung-ve").into(),
        title: posted.text("tieu-de").into(),
        content: posted.text("noi-dung").into(),
        name: posted.text("ho-ten").into(),
        phone: posted.text("dien-thoai").into(),
        email: posted.text("thu-dien-tu").into(),
        dossier: posted.text("ho-so").into(),
        procedure: posted.text("thu-tuc").into(),
    };
    let lang = visit.lang;
    let Some(subject) = SUBJECTS.into_iter().find(|s| s.as_str() == form.subject) else {
        let mut errors = Errors::default();
        errors.add("subject", lang.t("field.invalid_choice"));
        return form_page(&visit, &state, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let some = |t: &str| Some(t.to_string()).filter(|t| !t.is_empty());
    let input = PetitionInput {
        agency: some(&form.agency),
        subject,
        title: form.title.clone(),
        content: form.content.clone(),
        name: some(&form.name),
        phone: some(&form.phone),
        email: some(&form.email),
        address: None,
        dossier_code: some(&form.dossier),
        procedure_code: some(&form.procedure),
        repeats: None,
    };
    let services = state.services.clone();
    let citizen = visit.citizen().cloned();
    let typed = typed_contact(&form);
    let filed = web::block(move || {
        let petitions = services.petitions();
        let petition = match &citizen {
            Some(c) => petitions.file(Filer::Citizen(c), input)?,
            None => petitions.file(Filer::Anonymous, input)?,
        };
        let by = match &citizen {
            Some(c) => Contact::Citizen(c),
            None => Contact::Typed(&typed),
        };
        petitions.track(&petition.filing.code, by)
    })
    .await?;
    match filed {
        Ok(tracking) => {
            let asked = Follow { code: tracking.code.clone(), contact: typed_contact(&form), ..Follow::default() };
            follow_page(&visit, &state, asked, Some(tracking), true, Errors::default(), StatusCode::CREATED).await
        }
        Err(e) if e.http_status() < 500 => {
            let errors = Errors::of(lang, &e);
            form_page(&visit, &state, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}

/// The phone number if given, else the e-mail address: how the petitioner follows the petition.
fn typed_contact(form: &FileForm) -> String {
    if form.phone.trim().is_empty() { form.email.trim().to_string() } else { form.phone.trim().to_string() }
}

#[derive(Debug, Default, Deserialize)]
pub struct Follow {
    #[serde(default)]
    ma: String,
    #[serde(default, rename = "lien-he")]
    contact: String,
    #[serde(skip)]
    code: String,
}

/// One line of what following shows.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "petition_follow.html")]
struct FollowPage {
    shell: Shell,
    code: String,
    contact: String,
    just_filed: bool,
    not_found: bool,
    title: String,
    facts: Vec<Fact>,
    question: Option<String>,
    answer: Option<String>,
    may_rate: bool,
    errors: Errors,
}

#[allow(clippy::too_many_arguments)]
async fn follow_page(
    visit: &Visit,
    state: &UiState,
    asked: Follow,
    tracking: Option<PetitionTracking>,
    just_filed: bool,
    errors: Errors,
    status: StatusCode,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let mut facts = Vec::new();
    let code = if asked.code.is_empty() { asked.ma.trim().to_string() } else { asked.code.clone() };
    let not_found = !code.is_empty() && tracking.is_none();
    if let Some(t) = &tracking {
        let mut add = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                facts.push(Fact { label: lang.t(key), value });
            }
        };
        add("ui.status", Some(status_text(lang, t.status).to_string()));
        add("ui.petition.filed_at", Some(local(state, t.filed_at)));
        if t.status == PetitionStatus::Filed {
            add("ui.petition.decision_due", Some(local(state, t.decision_due_at)));
        }
        add("ui.petition.answer_due", t.answer_due_at.filter(|_| !t.status.is_handled()).map(|d| local(state, d)));
        add("ui.petition.answered_at", t.answered_at.map(|d| local(state, d)));
        add("ui.petition.rejection_reason", t.rejection_reason.clone());
        add("ui.petition.published_at", t.published_at.map(|d| local(state, d)));
        add(
            "ui.petition.satisfaction",
            t.satisfied
                .map(|s| lang.t(if s { "ui.petition.satisfied" } else { "ui.petition.not_satisfied" }).to_string()),
        );
    }
    let page = FollowPage {
        shell: visit.shell(lang.t("ui.petition.follow_title")),
        code,
        contact: asked.contact.trim().to_string(),
        just_filed,
        not_found,
        title: tracking.as_ref().map(|t| t.title.clone()).unwrap_or_default(),
        question: tracking
            .as_ref()
            .filter(|t| t.status == PetitionStatus::InformationRequested)
            .and_then(|t| t.information_request.clone()),
        answer: tracking.as_ref().and_then(|t| t.answer.clone()),
        may_rate: tracking.as_ref().is_some_and(|t| t.may_rate),
        facts,
        errors,
    };
    let status = if not_found { StatusCode::NOT_FOUND } else { status };
    Ok(visit.page(status, render(&page)?))
}

/// Who follows: the phone or e-mail typed, or the signed-in petitioner when none was typed.
fn contact<'a>(citizen: &'a Option<CitizenIdentity>, typed: &'a str) -> Contact<'a> {
    match citizen {
        Some(c) if typed.trim().is_empty() => Contact::Citizen(c),
        _ => Contact::Typed(typed),
    }
}

/// `GET /phan-anh-kien-nghi/theo-doi?ma=&lien-he=`: where a petition stands, for whoever gave its contact.
pub async fn follow(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Follow>,
) -> Result<HttpResponse, actix_web::Error> {
    let asked = query.into_inner();
    let tracking = tracked(&visit, &state, &asked).await?;
    follow_page(&visit, &state, asked, tracking, false, Errors::default(), StatusCode::OK).await
}

/// `POST /phan-anh-kien-nghi/theo-doi`: the petitioner adds the information asked for, or rates the answer.
pub async fn respond(
    visit: Visit,
    state: web::Data<UiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let posted = visit.posted(&req, payload).await?;
    let asked = Follow { ma: posted.text("ma").into(), contact: posted.text("lien-he").into(), code: String::new() };
    let response = match posted.text("thao-tac") {
        "bo-sung" => PetitionResponse::ProvideInformation { reply: posted.text("tra-loi").into() },
        "danh-gia" => PetitionResponse::Rate {
            satisfied: posted.text("hai-long") == "co",
            comment: Some(posted.text("y-kien").to_string()).filter(|c| !c.is_empty()),
        },
        _ => return Err(PageError::new(&visit, 400, "request.malformed", "unknown action".into()).into()),
    };
    if posted.text("thao-tac") == "danh-gia" && !matches!(posted.text("hai-long"), "co" | "khong") {
        let mut errors = Errors::default();
        errors.add("satisfied", visit.lang.t("field.required"));
        return refollow(&visit, &state, asked, errors).await;
    }
    let services = state.services.clone();
    let (code, typed, citizen) = (asked.ma.clone(), asked.contact.clone(), visit.citizen().cloned());
    let outcome = web::block(move || {
        let contact = contact(&citizen, &typed);
        services.petitions().respond(&code, contact, response)
    })
    .await?;
    match outcome {
        Ok(tracking) => {
            follow_page(&visit, &state, asked, Some(tracking), false, Errors::default(), StatusCode::OK).await
        }
        Err(e) if e.http_status() < 500 && e.http_status() != 404 => {
            refollow(&visit, &state, asked, Errors::of(visit.lang, &e)).await
        }
        Err(e) => Err(PageError::service(&visit, &e).into()),
    }
}

/// The follow page again, with `errors` above its forms.
async fn refollow(
    visit: &Visit,
    state: &UiState,
    asked: Follow,
    errors: Errors,
) -> Result<HttpResponse, actix_web::Error> {
    let tracking = tracked(visit, state, &asked).await?;
    follow_page(visit, state, asked, tracking, false, errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The petition `asked` names, as its petitioner may see it; `None` when no code was given or nothing matches.
async fn tracked(visit: &Visit, state: &UiState, asked: &Follow) -> Result<Option<PetitionTracking>, actix_web::Error> {
    let code = asked.ma.trim().to_string();
    if code.is_empty() {
        return Ok(None);
    }
    let services = state.services.clone();
    let (typed, citizen) = (asked.contact.clone(), visit.citizen().cloned());
    match web::block(move || services.petitions().track(&code, contact(&citizen, &typed))).await? {
        Ok(t) => Ok(Some(t)),
        Err(ServiceError::NotFound(_)) => Ok(None),
        Err(e) => Err(PageError::service(visit, &e).into()),
    }
}

#[cfg(test)]
mod tests {
    use motcua_engine::domain::petition::{Classification, PetitionStatus};
    use motcua_engine::messages::find;

    /// Every key the petition pages name or build (statuses, subjects, classes, events) is catalogued.
    #[test]
    fn every_text_is_catalogued() {
        let sources = [
            include_str!("petitions.rs"),
            include_str!("staff/petitions.rs"),
            include_str!("../../templates/petitions.html"),
            include_str!("../../templates/petition_form.html"),
            include_str!("../../templates/petition_follow.html"),
            include_str!("../../templates/staff/petitions.html"),
            include_str!("../../templates/staff/petition.html"),
        ];
        let mut keys: Vec<String> = Vec::new();
        for source in sources {
            for (start, _) in source.match_indices("\"ui.").chain(source.match_indices("\"field.")) {
                let key: String = source[start + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))
                    .collect();
                if !key.ends_with('.') {
                    keys.push(key);
                }
            }
        }
        keys.extend(PetitionStatus::ALL.iter().map(|s| format!("ui.petition.status.{}", s.as_str())));
        keys.extend(super::SUBJECTS.iter().map(|s| format!("ui.petition.subject.{}", s.as_str())));
        keys.extend(
            [Classification::Regulation, Classification::Conduct]
                .map(|c| format!("ui.petition.classification.{}", c.as_str())),
        );
        let events = [
            "filed",
            "accepted",
            "rejected",
            "information_requested",
            "information_provided",
            "assigned",
            "answered",
            "published",
            "rated",
            "complained_again",
        ];
        keys.extend(events.iter().map(|e| format!("ui.petition.event.{e}")));
        let missing: Vec<&String> = keys.iter().filter(|k| find(k).is_none()).collect();
        assert!(missing.is_empty(), "{missing:?}");
    }
}
