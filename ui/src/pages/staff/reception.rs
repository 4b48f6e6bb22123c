//! The reception desk: pick the procedure (and the agency, for a clerk of several), the applicant (looked up in
//! the population database to prefill), the components received with a scan each, counter or post; receive →
//! the dossier page, which offers the receipt to print.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use motcua_engine::domain::codes::Sex;
use motcua_engine::domain::dossier::{Channel, IdKind, IdentityOutcome, PaperForm, Status};
use motcua_engine::domain::policy::{Access, Target, staff_may};
use motcua_engine::domain::procedure::{Copies, Procedure};
use motcua_engine::service::dossiers::Received;
use motcua_engine::service::population::LookupRequest;
use motcua_engine::service::reception::{DeskRefusal, DeskScan};
use motcua_engine::service::requests::{ApplicantInput, MAX_COPIES, NewDossier};
use motcua_engine::service::{ServiceError, StaffIdentity};
use serde::Deserialize;

use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::pages::Shell;
use crate::pages::members::{self, MemberChoice};
use crate::pages::staff::desk_papers::{self, HeldPaper};
use crate::posted::Posted;
use crate::session::Visit;
use crate::shell::render;

pub struct Component {
    pub id: String,
    pub name: String,
    pub required: bool,
    pub in_person: bool,
    pub ticked: bool,
    /// How it is handed in (`original`, `copy`, `certified_copy`, `electronic`) and how many, as chosen or as
    /// the procedure asks for it.
    pub form: String,
    pub count: String,
}

impl Component {
    fn has_form(&self, value: &str) -> bool {
        self.form == value
    }
}

/// The forms a paper can be handed in, in the order the desk offers them.
const PAPER_FORMS: [(&str, &str); 4] = [
    ("original", "ui.staff.paper_form.original"),
    ("copy", "ui.staff.paper_form.copy"),
    ("certified_copy", "ui.staff.paper_form.certified_copy"),
    ("electronic", "ui.staff.paper_form.electronic"),
];

/// What the procedure asks a component to be handed in as.
fn asked_form(copies: Option<Copies>) -> &'static str {
    match copies {
        Some(Copies::CertifiedCopy) => "certified_copy",
        Some(Copies::CopyWithOriginal) => "copy",
        Some(Copies::Electronic) => "electronic",
        Some(Copies::Original) | None => "original",
    }
}

/// The form and count posted for a component, or the error of each that cannot be read.
fn handed_in(f: &Posted, id: &str, errors: &mut Errors, lang: crate::i18n::UiLang) -> (Option<PaperForm>, Option<u32>) {
    let form = match f.text(&format!("form.{id}")) {
        "" => None,
        "original" => Some(PaperForm::Original),
        "copy" => Some(PaperForm::Copy),
        "certified_copy" => Some(PaperForm::CertifiedCopy),
        "electronic" => Some(PaperForm::Electronic),
        _ => {
            errors.add(&format!("form.{id}"), lang.t("field.invalid_choice"));
            None
        }
    };
    let count = match f.text(&format!("count.{id}")).trim() {
        "" => None,
        text => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_COPIES).contains(&n) => Some(n),
            _ => {
                errors.add(&format!("count.{id}"), lang.t("field.out_of_range"));
                None
            }
        },
    };
    (form, count)
}

#[derive(Template)]
#[template(path = "staff/reception.html")]
struct Reception {
    shell: Shell,
    procedures: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    procedure: String,
    components: Vec<Component>,
    /// For a bundle: its procedures to choose.
    members: Vec<MemberChoice>,
    input: BTreeMap<String, String>,
    errors: Errors,
    /// What the population database answered to a lookup, and its colour class.
    lookup: Option<(String, &'static str)>,
    desk: Desk,
}

/// The held scans, what they say and how they agree with what was typed.
#[derive(Default)]
struct Desk {
    held: BTreeMap<String, HeldPaper>,
    /// Beside an applicant field: (text, class), "ok" filled from a paper, "warn" disagreeing with it.
    notes: BTreeMap<String, (String, &'static str)>,
    /// Some scans are still being read.
    still_reading: bool,
}

impl Reception {
    fn v(&self, name: &str) -> &str {
        self.input.get(name).map_or("", String::as_str)
    }

    fn file_error(&self, component: &str) -> Option<&str> {
        self.errors.get(&format!("file.{component}"))
    }

    fn error_of(&self, what: &str, component: &str) -> Option<&str> {
        self.errors.get(&format!("{what}.{component}"))
    }

    fn note(&self, field: &str) -> Option<&(String, &'static str)> {
        self.desk.notes.get(field)
    }

    fn held(&self, component: &str) -> Option<&HeldPaper> {
        self.desk.held.get(component)
    }

    fn paper_forms(&self) -> &'static [(&'static str, &'static str)] {
        &PAPER_FORMS
    }

    fn id(&self, field: &str) -> String {
        crate::form::input_id(field)
    }
}

/// The agencies where the user receives, with their names.
fn desks(state: &UiState, staff: &StaffIdentity) -> Result<Vec<(String, String, String)>, ServiceError> {
    let all = state.services.agencies()?;
    let receives = |a: &str| staff_may(staff, Access::Receive, Target::Agency(a));
    Ok(all.into_iter().filter(|a| receives(&a.id)).map(|a| (a.id, a.name, a.kind)).collect())
}

fn procedures_for(state: &UiState, kinds: &[String]) -> Vec<std::sync::Arc<Procedure>> {
    let mut list: Vec<_> =
        state.services.catalogue.current_all().into_iter().filter(|p| kinds.contains(&p.agency_kind)).collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list
}

#[derive(Debug, Deserialize)]
pub struct Pick {
    #[serde(default)]
    thu_tuc: String,
}

#[allow(clippy::too_many_arguments)]
fn page(
    visit: &Visit,
    state: &UiState,
    desks: &[(String, String, String)],
    procedure: &str,
    input: BTreeMap<String, String>,
    ticked: &[String],
    members: Option<&[String]>,
    errors: Errors,
    lookup: Option<(String, &'static str)>,
    desk: Desk,
) -> Reception {
    let kinds: Vec<String> = desks.iter().map(|d| d.2.clone()).collect();
    let list = procedures_for(state, &kinds);
    let chosen = list.iter().find(|p| p.code == procedure).or(list.first()).cloned();
    let components = chosen
        .as_ref()
        .map(|p| {
            p.components
                .iter()
                .map(|c| Component {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    required: c.required,
                    in_person: c.in_person_only,
                    ticked: ticked.contains(&c.id),
                    form: input
                        .get(&format!("form.{}", c.id))
                        .filter(|f| !f.is_empty())
                        .cloned()
                        .unwrap_or_else(|| asked_form(c.copies).to_string()),
                    count: input
                        .get(&format!("count.{}", c.id))
                        .filter(|n| !n.is_empty())
                        .cloned()
                        .unwrap_or("1".into()),
                })
                .collect()
        })
        .unwrap_or_default();
    Reception {
        shell: visit.shell(visit.lang.t("ui.staff.reception_title")),
        procedures: list.iter().map(|p| (p.code.clone(), format!("{} ({})", p.name, p.code))).collect(),
        agencies: if desks.len() > 1 { desks.iter().map(|d| (d.0.clone(), d.1.clone())).collect() } else { Vec::new() },
        members: chosen.as_ref().map_or_else(Vec::new, |p| {
            // All of the bundle until the clerk leaves some out.
            let all: Vec<String> = p.members.iter().map(|m| m.procedure.clone()).collect();
            members::choices(&state.services.catalogue, &state.services.registry, p, members.unwrap_or(&all))
        }),
        procedure: chosen.map(|p| p.code.clone()).unwrap_or_default(),
        components,
        input,
        errors,
        lookup,
        desk,
    }
}

/// `GET /can-bo/tiep-nhan[?thu_tuc=CODE]`.
pub async fn form(
    visit: Visit,
    state: web::Data<UiState>,
    pick: web::Query<Pick>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let desks = desks(&state, &staff).map_err(|e| PageError::service(&visit, &e))?;
    if desks.is_empty() {
        return Err(PageError::new(&visit, 403, "dossier.forbidden_role", String::new()).into());
    }
    let mut input = BTreeMap::new();
    input.insert("channel".to_string(), "counter".to_string());
    input.insert("applicant.id_kind".to_string(), "personal_id".to_string());
    let page = page(&visit, &state, &desks, &pick.thu_tuc, input, &[], None, Errors::default(), None, Desk::default());
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

const TEXT_FIELDS: &[&str] = &[
    "procedure_code",
    "agency",
    "channel",
    "summary",
    "note",
    "applicant.name",
    "applicant.id_kind",
    "applicant.id_number",
    "applicant.birth_date",
    "applicant.sex",
    "applicant.address",
    "applicant.phone",
    "applicant.email",
];

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// The applicant as typed, with the fields that cannot be read.
fn applicant(f: &Posted, errors: &mut Errors, lang: crate::i18n::UiLang) -> ApplicantInput {
    let birth_date = match f.text("applicant.birth_date").trim() {
        "" => None,
        text => match crate::form::parse_day(text) {
            Some(date) => Some(date),
            None => {
                errors.add("applicant.birth_date", lang.t("ui.staff.bad_date"));
                None
            }
        },
    };
    let sex = match f.text("applicant.sex") {
        "male" => Some(Sex::Male),
        "female" => Some(Sex::Female),
        _ => None,
    };
    let id_kind = match f.text("applicant.id_kind") {
        "tax_code" => IdKind::TaxCode,
        "passport" => IdKind::Passport,
        _ => IdKind::PersonalId,
    };
    ApplicantInput {
        name: f.text("applicant.name").to_string(),
        id_kind,
        id_number: f.text("applicant.id_number").to_string(),
        birth_date,
        sex,
        address: optional(f.text("applicant.address")),
        phone: optional(f.text("applicant.phone")),
        email: optional(f.text("applicant.email")),
    }
}

/// `POST /can-bo/tiep-nhan`: `do=choose` shows the chosen procedure's components, `do=lookup` asks the
/// population database and prefills the applicant, `do=receive` receives the dossier.
pub async fn submit(
    visit: Visit,
    state: web::Data<UiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    // Read whole and its CSRF token checked before anything is done.
    let f = visit.posted(&req, payload).await?;
    let staff = visit.require_staff()?;
    let desks = desks(&state, &staff).map_err(|e| PageError::service(&visit, &e))?;
    if desks.is_empty() {
        return Err(PageError::new(&visit, 403, "dossier.forbidden_role", String::new()).into());
    }
    let lang = visit.lang;
    let mut input: BTreeMap<String, String> =
        TEXT_FIELDS.iter().map(|k| (k.to_string(), f.text(k).to_string())).collect();
    let ticked: Vec<String> = f.all("received").to_vec();
    let procedure = f.text("procedure_code").to_string();
    if let Some(p) = state.services.catalogue.current(&procedure) {
        for c in &p.components {
            for key in [format!("form.{}", c.id), format!("count.{}", c.id)] {
                let value = f.text(&key).to_string();
                input.insert(key, value);
            }
        }
    }
    let mut errors = Errors::default();
    let mut lookup = None;
    let mut status = StatusCode::OK;
    // Picked scans are held at once, whatever the button: a refused form keeps them, and they are read.
    let chosen = state.services.catalogue.current(&procedure);
    let held = desk_papers::hold(&state, &staff, &f, chosen.as_deref(), &mut errors, lang).await?;
    let reading = f.text("do") == "read";
    let scans = desk_papers::scans(&state, &staff, &held, reading).await?;
    let mut desk = Desk {
        notes: desk_papers::check(lang, &scans, &mut input, reading),
        still_reading: reading && scans.iter().any(|(_, s)| s.pending),
        held: desk_papers::shown(lang, &scans),
    };
    if !errors.is_empty() {
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    match f.text("do") {
        "lookup" => {
            let person = applicant(&f, &mut errors, lang);
            if person.birth_date.is_none() && !errors.has("applicant.birth_date") {
                errors.add("applicant.birth_date", lang.t("field.required"));
            }
            if person.sex.is_none() {
                errors.add("applicant.sex", lang.t("field.required"));
            }
            if errors.is_empty() {
                let request = LookupRequest {
                    id_number: person.id_number.clone(),
                    name: person.name.clone(),
                    birth_date: person.birth_date.expect("checked"),
                    sex: person.sex.expect("checked"),
                };
                let services = state.services.clone();
                let who = staff.clone();
                match web::block(move || services.reception().lookup_population(&who, request)).await? {
                    Ok(found) => {
                        let message = match lang.lang {
                            motcua_engine::messages::Lang::Vi => found.message_vi,
                            motcua_engine::messages::Lang::En => found.message_en,
                        };
                        let class = match found.outcome {
                            IdentityOutcome::Match => "ok",
                            IdentityOutcome::NotVerified { .. } => "near",
                            _ => "late",
                        };
                        let mut text = message.to_string();
                        if let IdentityOutcome::Mismatch { fields } = &found.outcome {
                            text = format!("{text} ({})", fields.join(", "));
                        }
                        lookup = Some((text, class));
                        if let Some(p) = found.prefill {
                            input.insert("applicant.name".into(), p.name);
                            input.insert("applicant.id_number".into(), p.id_number);
                            input.insert("applicant.birth_date".into(), crate::form::show_day(p.birth_date));
                            let sex = if p.sex == Sex::Male { "male" } else { "female" };
                            input.insert("applicant.sex".into(), sex.into());
                            if let Some(address) = p.address {
                                input.insert("applicant.address".into(), address);
                            }
                        }
                    }
                    Err(e) if e.http_status() >= 500 => return Err(PageError::service(&visit, &e).into()),
                    Err(e) => {
                        let from = Errors::of(lang, &e);
                        for (field, message) in from.fields() {
                            errors.add(&format!("applicant.{field}"), message);
                        }
                        errors.general.extend(from.general);
                        status = StatusCode::UNPROCESSABLE_ENTITY;
                    }
                }
            } else {
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
        }
        "receive" => {
            let person = applicant(&f, &mut errors, lang);
            let mut scans = Vec::new();
            if let Some(p) = &chosen {
                for c in &p.components {
                    let upload = held.get(&c.id);
                    let received = ticked.contains(&c.id) || upload.is_some();
                    let field = format!("file.{}", c.id);
                    match (received, upload) {
                        (_, Some(upload)) if !c.in_person_only => {
                            let (form, count) = handed_in(&f, &c.id, &mut errors, lang);
                            scans.push(DeskScan { component: c.id.clone(), upload: upload.clone(), form, count })
                        }
                        (true, None) if !c.in_person_only && !errors.has(&field) => {
                            errors.add(&field, lang.t("field.paper_required"))
                        }
                        _ => {}
                    }
                }
            }
            let channel = if f.text("channel") == "post" { Channel::Post } else { Channel::Counter };
            let chosen_members = chosen.as_ref().map(|p| members::chosen(p, f.all("member"))).unwrap_or_default();
            if errors.is_empty() {
                let agency = optional(f.text("agency"));
                let (services, who) = (state.services.clone(), staff.clone());
                let (summary, note) = (optional(f.text("summary")), optional(f.text("note")));
                let code = procedure.clone();
                let input = NewDossier {
                    procedure_code: code,
                    agency,
                    channel,
                    applicant: person,
                    summary,
                    components: Vec::new(),
                    form_data: Default::default(),
                    note,
                    members: chosen_members,
                };
                let outcome = web::block(move || services.reception().receive_at_desk(&who, input, scans)).await?;
                match outcome {
                    Ok(Received::Created(dossier)) => {
                        let tb = if dossier.status == Status::Submitted { "held" } else { "receive" };
                        return Ok(visit.see_other(&format!("/can-bo/ho-so/{}?tb={tb}", dossier.id)));
                    }
                    Ok(Received::Replayed { .. }) => {
                        return Err(PageError::new(&visit, 409, "request.idempotency_key_reused", String::new()).into());
                    }
                    Err(DeskRefusal { error: e, .. }) if e.http_status() >= 500 => {
                        return Err(PageError::service(&visit, &e).into());
                    }
                    Err(DeskRefusal { error: e, scanned: order }) => {
                        status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                        let from = Errors::of(lang, &e);
                        for (field, message) in from.fields() {
                            // components[i].upload → the file input of the i-th component sent.
                            let mapped = field
                                .strip_prefix("components[")
                                .and_then(|rest| rest.split(']').next())
                                .and_then(|i| i.parse::<usize>().ok())
                                .and_then(|i| order.get(i))
                                .map(|cid| format!("file.{cid}"))
                                .unwrap_or_else(|| field.to_string());
                            errors.add(&mapped, message);
                        }
                        errors.general.extend(from.general);
                    }
                }
            } else {
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
        }
        _ => {}
    }
    let members_chosen = match f.text("do") {
        "choose" => None,
        _ => Some(f.all("member")),
    };
    if !reading {
        // What was typed (or prefilled by the population database) against the papers, as it stands now.
        desk.notes = desk_papers::check(lang, &scans, &mut input, false);
    }
    let page = page(&visit, &state, &desks, &procedure, input, &ticked, members_chosen, errors, lookup, desk);
    Ok(visit.page(status, render(&page)?))
}
