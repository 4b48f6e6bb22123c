//! The dossier page: facts, papers, forms, the control slip, history and notes, and a form for exactly the
//! actions the user may take at this step; the one handler that performs them; form and paper downloads.

use std::collections::BTreeMap;
use std::io::Read;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDateTime, TimeDelta};
use motcua_engine::domain::calendar::Timeliness;
use motcua_engine::domain::dossier::{Dossier, IdentityOutcome, Proposal, Rejection, SupplementItem};
use motcua_engine::domain::identity::Caller;
use motcua_engine::domain::procedure::{Procedure, ReturnMethod, form_entries};
use motcua_engine::service::bundles::MemberView;
use motcua_engine::service::dossiers::History;
use motcua_engine::service::forms::FormKind;
use motcua_engine::service::readings::PaperText;
use motcua_engine::service::requests::{ActionRequest, ComponentInput};
use motcua_engine::service::{ServiceError, Services, StaffIdentity};
use motcua_engine::store::papers::Paper;
use motcua_engine::store::readings::Check;
use serde::Deserialize;

use super::work::{Notice, notice};
use super::{TimeLeft, local_time, status_name, step_name, time_left};
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::pages::Shell;
use crate::posted::Posted;
use crate::session::{Visit, local_path};
use crate::shell::render;

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

pub struct PaperLink {
    pub href: String,
    pub title: String,
    pub file_name: String,
    pub kind: &'static str,
    pub added: String,
    /// What text recognition read on it: the text, and why the scan is poor (if it is).
    pub text: Option<String>,
    pub problems: Vec<String>,
}

/// A disagreement between a paper and what was stated, as the page lists it.
pub struct CheckLine {
    pub id: String,
    pub field: &'static str,
    pub stated: String,
    pub found: String,
    pub against: &'static str,
    /// `None`: waiting for the clerk.
    pub decision: Option<String>,
}

pub struct SlipLine {
    pub step: &'static str,
    pub handed_over_by: String,
    pub started: String,
    pub due: String,
    pub done: String,
    pub done_by: String,
    pub on_time: &'static str,
}

pub struct HistoryLine {
    pub at: String,
    pub what: &'static str,
    pub actor: String,
    pub note: Option<String>,
}

/// One action the user may take, with what its form needs.
pub struct ActionForm {
    pub name: &'static str,
    pub label: &'static str,
    /// A file input: the form is sent as multipart.
    pub files: bool,
    pub danger: bool,
}

#[derive(Template)]
#[template(path = "staff/dossier.html")]
struct DossierPage {
    shell: Shell,
    id: String,
    version: u64,
    facts: Vec<Fact>,
    left: TimeLeft,
    identity: Option<(String, &'static str)>,
    /// The filled-in e-form: (label, value).
    eform: Vec<(String, String)>,
    papers: Vec<PaperLink>,
    checks: Vec<CheckLine>,
    /// Some findings wait for the clerk's decision.
    checks_waiting: bool,
    /// More than one finding waits: each gets its own decision too.
    checks_apart: bool,
    forms: Vec<(&'static str, &'static str)>,
    slip: Vec<SlipLine>,
    history: Vec<HistoryLine>,
    actions: Vec<ActionForm>,
    components: Vec<(String, String)>,
    assignees: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    methods: Vec<(&'static str, &'static str)>,
    fee: u64,
    payment: u64,
    notice: Option<&'static str>,
    errors: Errors,
    /// The action whose form was refused, and what was typed into it.
    failed: Option<String>,
    input: BTreeMap<String, Vec<String>>,
}

impl DossierPage {
    /// What was typed into `field` of the refused form of `action` (empty for every other form).
    fn kept(&self, action: &str, field: &str) -> &str {
        if self.failed.as_deref() != Some(action) {
            return "";
        }
        self.input.get(field).and_then(|v| v.first()).map_or("", String::as_str)
    }

    fn kept_reason(&self, action: &str, component: &str) -> &str {
        self.kept(action, &format!("reason.{component}"))
    }

    fn kept_has(&self, action: &str, field: &str, value: &str) -> bool {
        self.failed.as_deref() == Some(action) && self.input.get(field).is_some_and(|v| v.iter().any(|x| x == value))
    }

    /// The error of a field of an action's form, if that form was the one refused.
    fn error(&self, action: &str, field: &str) -> Option<&str> {
        if self.failed.as_deref() != Some(action) {
            return None;
        }
        self.errors.get(field)
    }
}

/// Everything the page shows, loaded as the user may see it.
struct Loaded {
    dossier: Dossier,
    /// A bundle's members, where each stands.
    members: Vec<MemberView>,
    procedure: std::sync::Arc<Procedure>,
    history: History,
    papers: Vec<Paper>,
    readings: Vec<(String, PaperText)>,
    checks: Vec<Check>,
    /// The calendar version the deadline was computed with.
    deadline_calendar: Option<i32>,
    offered: Vec<&'static str>,
    assignees: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
}

fn load(services: &Services, staff: &StaffIdentity, id: &str) -> Result<Loaded, ServiceError> {
    let dossier = services.dossiers().dossier(staff, id)?;
    let procedure = services
        .catalogue
        .version(&dossier.procedure_code, dossier.procedure_version)
        .ok_or(ServiceError::NotFound("procedure.not_found"))?;
    let history = services.dossiers().history(staff, id)?;
    let papers = services.papers().of_dossier(&Caller::Staff(staff.clone()), id)?;
    let offered = services.work().offered_actions(staff, &dossier)?;
    let assignees = if offered.iter().any(|a| matches!(*a, "assign" | "reassign")) {
        services.work().assignees(staff, &dossier)?.into_iter().map(|s| (s.id, s.name)).collect()
    } else {
        Vec::new()
    };
    let agencies = if offered.contains(&"consult") {
        services.work().consultable_agencies(&dossier)?.into_iter().map(|a| (a.id, a.name)).collect()
    } else {
        Vec::new()
    };
    let members = services.dossiers().member_statuses(&dossier)?;
    // The dossier and its papers are read above, as the caller may see them.
    let readings = services.readings().of_papers(&papers)?;
    let checks = services.readings().checks_of(&dossier)?;
    let deadline_calendar = services.deadline_calendar(&dossier.id)?;
    Ok(Loaded {
        dossier,
        members,
        procedure,
        history,
        papers,
        readings,
        checks,
        deadline_calendar,
        offered,
        assignees,
        agencies,
    })
}

/// Birth date, sex and how to reach the applicant, as far as given.
fn applicant_details(lang: crate::i18n::UiLang, d: &Dossier) -> String {
    let a = &d.applicant;
    let mut parts = Vec::new();
    if let Some(born) = a.birth_date {
        parts.push(born.format("%d/%m/%Y").to_string());
    }
    if let Some(sex) = a.sex {
        parts.push(
            lang.t(if sex == motcua_engine::domain::codes::Sex::Male {
                "ui.staff.sex.male"
            } else {
                "ui.staff.sex.female"
            })
            .to_string(),
        );
    }
    parts.extend([&a.address, &a.phone, &a.email].into_iter().flatten().filter(|s| !s.is_empty()).cloned());
    parts.join(" · ")
}

fn identity_words(outcome: &IdentityOutcome) -> (&'static str, &'static str) {
    match outcome {
        IdentityOutcome::Match => ("population.match", "ok"),
        IdentityOutcome::Mismatch { .. } => ("population.mismatch", "late"),
        IdentityOutcome::NotFound => ("population.not_found", "late"),
        IdentityOutcome::Refused { .. } => ("population.refused", "late"),
        IdentityOutcome::NotVerified { .. } => ("population.not_verified", "near"),
    }
}

fn build(
    visit: &Visit,
    state: &UiState,
    loaded: Loaded,
    notice: Option<&'static str>,
    errors: Errors,
    failed: Option<String>,
    input: BTreeMap<String, Vec<String>>,
) -> DossierPage {
    let lang = visit.lang;
    let t = |key: &str| lang.t(key);
    let services = &state.services;
    let calendar = &services.calendar;
    let now = services.now();
    let Loaded {
        dossier: d,
        members,
        procedure,
        history,
        papers,
        readings,
        checks,
        deadline_calendar,
        offered,
        assignees,
        agencies,
    } = loaded;
    let p = procedure.as_ref();
    let when = |x: Option<chrono::DateTime<chrono::Utc>>| x.map(|x| local_time(calendar, x)).unwrap_or_default();
    let code = d.code.clone().unwrap_or_else(|| t("ui.staff.no_code").to_string());
    let mut facts = vec![
        Fact { label: t("ui.staff.col.code"), value: code.clone() },
        Fact { label: t("ui.staff.col.procedure"), value: format!("{} ({})", p.name, p.code) },
        Fact { label: t("ui.staff.summary"), value: d.summary.clone() },
        Fact {
            label: t("ui.staff.col.applicant"), value: format!("{} — {}", d.applicant.name, d.applicant.id_number)
        },
        Fact { label: t("ui.staff.applicant_details"), value: applicant_details(lang, &d) },
        Fact { label: t("ui.staff.channel"), value: t(&format!("ui.staff.channel.{}", d.channel.code())).to_string() },
        Fact { label: t("ui.status"), value: status_name(lang, d.status).to_string() },
    ];
    let step = step_name(lang, &d, Some(p));
    if !step.is_empty() {
        facts.push(Fact { label: t("ui.current_step"), value: step });
    }
    if let Some(a) = &d.assignee {
        facts.push(Fact { label: t("ui.staff.assignee"), value: a.name.clone() });
    }
    if d.received_at.is_some() {
        facts.push(Fact { label: t("ui.received_at"), value: when(d.received_at) });
    }
    if d.due_at.is_some() {
        let mut due = when(d.due_at);
        if let Some(version) = deadline_calendar {
            due = format!("{due} ({} {version})", t("ui.staff.calendar_version"));
        }
        facts.push(Fact { label: t("ui.due_at"), value: due });
    }
    if d.step_due_at.is_some() {
        facts.push(Fact { label: t("ui.staff.step_due"), value: when(d.step_due_at) });
    }
    match &d.proposal {
        Some(Proposal::Result { summary }) => facts.push(Fact {
            label: t("ui.staff.proposal"),
            value: format!("{}: {summary}", t("ui.staff.proposal.result")),
        }),
        Some(Proposal::Refusal { reasons }) => facts.push(Fact {
            label: t("ui.staff.proposal"),
            value: format!("{}: {}", t("ui.staff.proposal.refusal"), reasons.join("; ")),
        }),
        None => {}
    }
    if let Some(number) = &d.result_number {
        facts.push(Fact { label: t("ui.staff.result_number"), value: number.clone() });
    }
    if let Some(bundle) = &d.bundle {
        facts.push(Fact { label: t("ui.staff.in_bundle"), value: bundle.code.clone() });
    }
    for m in &members {
        let value = format!("{} — {} ({})", m.procedure_name, status_name(lang, m.status), m.code);
        facts.push(Fact { label: t("ui.staff.bundle_member"), value });
    }
    if let Some(s) = &d.supplement {
        let items: Vec<String> = s.items.iter().map(|i| i.reason.clone()).collect();
        facts.push(Fact { label: t("ui.staff.supplement_items"), value: items.join("; ") });
    }
    if let Some(pay) = &d.payment {
        let state = if pay.paid_at.is_some() { t("payment.paid") } else { t("payment.open") };
        facts.push(Fact { label: t("ui.staff.payment"), value: format!("{} đ — {state}", pay.amount_vnd) });
    }
    let identity = d.identity_check.as_ref().map(|c| {
        let (key, class) = identity_words(&c.outcome);
        let mut words = format!("{} ({})", t(key), local_time(calendar, c.checked_at));
        if let IdentityOutcome::Mismatch { fields } = &c.outcome {
            let names: Vec<&str> = fields
                .iter()
                .map(|f| match f.as_str() {
                    "name" => t("ui.staff.field.name"),
                    "birth_date" => t("ui.staff.field.birth_date"),
                    "sex" => t("ui.staff.field.sex"),
                    other => other,
                })
                .collect();
            words = format!("{words}: {}", names.join(", "));
        }
        (words, class)
    });
    let id = d.id.clone();
    let paper_links = papers
        .iter()
        .map(|paper| {
            let read = readings.iter().find(|(p, _)| *p == paper.id).map(|(_, r)| r);
            PaperLink {
                href: format!("/can-bo/ho-so/{}/giay-to/{}", id, paper.id),
                title: paper.title.clone(),
                file_name: paper.file_name.clone(),
                kind: match paper.kind.as_str() {
                    "result" => t("ui.staff.paper.result"),
                    "form" => t("ui.staff.paper.form"),
                    _ => t("ui.staff.paper.component"),
                },
                added: local_time(calendar, paper.added_at.and_utc()),
                text: read.map(|r| r.text.clone()),
                problems: read.map_or_else(Vec::new, |r| {
                    r.problems.iter().map(|p| super::desk_papers::problem_text(lang, p)).collect()
                }),
            }
        })
        .collect();
    let check_lines: Vec<CheckLine> = checks
        .into_iter()
        .map(|c| CheckLine {
            id: c.id,
            field: t(match c.field.as_str() {
                "name" => "ui.staff.field.name",
                "id_number" => "ui.staff.field.id_number",
                "birth_date" => "ui.staff.field.birth_date",
                "sex" => "ui.staff.field.sex",
                _ => "ui.staff.field.address",
            }),
            stated: c.stated,
            found: c.found,
            against: t(match c.against.as_str() {
                "typed" => "ui.reading.against.typed",
                "e_form" => "ui.reading.against.e_form",
                _ => "ui.reading.against.declared",
            }),
            decision: c.decision.map(|d| {
                let word = t(if d == "corrected" { "ui.reading.decided.corrected" } else { "ui.reading.decided.kept" });
                format!("{word} ({})", c.decided_at.map(|at| local_time(calendar, at.and_utc())).unwrap_or_default())
            }),
        })
        .collect();
    let waiting = check_lines.iter().filter(|c| c.decision.is_none()).count();
    let checks_waiting = waiting > 0;
    let mut forms: Vec<(&'static str, &'static str)> = FormKind::ALL
        .into_iter()
        .filter(|kind| {
            *kind == FormKind::ControlSlip
                || history.events.iter().any(|e| FormKind::of_change(&e.event.change) == Some(*kind))
        })
        .map(|kind| (kind.code(), t(&format!("ui.staff.form.{}", kind.code()))))
        .collect();
    forms.dedup();
    let slip = history
        .control_slip
        .iter()
        .map(|row| SlipLine {
            step: t(&format!("step.{}", row.kind)),
            handed_over_by: row.handed_over_by.name().to_string(),
            started: local_time(calendar, row.started_at),
            due: when(row.due_at),
            done: when(row.done_at),
            done_by: row.done_by.as_ref().map(|a| a.name().to_string()).unwrap_or_default(),
            on_time: match row.timeliness {
                Some(Timeliness::Early) => t("ui.staff.early"),
                Some(Timeliness::OnTime) => t("ui.staff.on_time"),
                Some(Timeliness::Late) => t("ui.staff.late"),
                None => "",
            },
        })
        .collect();
    let history_lines = history
        .events
        .iter()
        .rev()
        .map(|e| HistoryLine {
            at: local_time(calendar, e.at),
            what: t(&format!("ui.staff.event.{}", e.kind)),
            actor: e.actor.clone(),
            note: e.note.clone(),
        })
        .collect();
    let actions = offered
        .iter()
        .map(|name| ActionForm {
            name,
            label: t(&format!("ui.staff.action.{name}")),
            files: matches!(*name, "attach_paper" | "attach_result"),
            danger: matches!(*name, "refuse_reception" | "stop" | "withdraw" | "disagree"),
        })
        .collect();
    let fee = p.fees.iter().map(|f| f.amount_on(calendar.local_date(now))).sum();
    DossierPage {
        shell: visit.shell(format!("{} {}", t("ui.staff.dossier_title"), code)),
        id: d.id.clone(),
        version: d.version,
        left: time_left(lang, calendar, now, &d),
        eform: form_entries(p, &d.form_data),
        facts,
        identity,
        papers: paper_links,
        checks: check_lines,
        checks_waiting,
        checks_apart: waiting > 1,
        forms,
        slip,
        history: history_lines,
        actions,
        components: p.components.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
        assignees,
        agencies,
        methods: p.return_methods.iter().map(|m| (m.as_str(), t(&format!("ui.return.{}", m.as_str())))).collect(),
        fee,
        payment: d.payment.as_ref().map_or(0, |p| p.amount_vnd),
        notice,
        errors,
        failed,
        input,
    }
}

/// `GET /can-bo/ho-so/{id}`.
pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    id: web::Path<String>,
    query: web::Query<Notice>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let services = state.services.clone();
    let id = id.into_inner();
    let loaded = web::block(move || load(&services, &staff, &id)).await?.map_err(|e| PageError::service(&visit, &e))?;
    let page = build(&visit, &state, loaded, notice(&visit, &query.tb), Errors::default(), None, BTreeMap::new());
    Ok(visit.page(StatusCode::OK, render(&page)?))
}

/// A refusal of the domain, shown next to the field it is about when there is one.
fn errors_of(visit: &Visit, e: &ServiceError) -> Errors {
    let lang = visit.lang;
    let field = match e {
        ServiceError::Rejected(r) => match r {
            Rejection::Empty(what) => Some(match *what {
                "reasons" => "reasons",
                "items" | "items.reason" => "items",
                "assignee.id" => "assignee",
                "paper_id" => "file",
                other => other,
            }),
            Rejection::ZeroAmount | Rejection::AmountMismatch { .. } => Some("amount_vnd"),
            Rejection::ExtensionNotLater => Some("new_due"),
            Rejection::ReturnMethodNotOffered => Some("method"),
            Rejection::WrongConsultedAgency { .. } => Some("agency"),
            _ => None,
        },
        _ => None,
    };
    if let Some(field) = field {
        let mut errors = Errors::default();
        errors.add(field, lang.t(e.code()));
        return errors;
    }
    let from_service = Errors::of(lang, e);
    if e.field_errors().is_empty() {
        return from_service;
    }
    let mut errors = Errors::default();
    for (name, message) in from_service.fields() {
        let mapped = if name == "upload" || name.starts_with("paper") { "file" } else { name };
        errors.add(mapped, message);
    }
    errors
}

/// What the user asked for, as the service takes it; or the fields they must correct.
fn request_of(state: &UiState, action: &str, f: &Posted, lang: crate::i18n::UiLang) -> Result<ActionRequest, Errors> {
    let mut errors = Errors::default();
    let required = lang.t("field.required");
    let amount = |errors: &mut Errors| match f.text("amount_vnd").replace(['.', ',', ' '], "").parse::<u64>() {
        Ok(n) => n,
        Err(_) => {
            errors.add("amount_vnd", required);
            0
        }
    };
    let request = match action {
        "receive" => ActionRequest::Receive,
        "refuse_reception" => ActionRequest::RefuseReception { reasons: f.lines("reasons") },
        "request_supplement" => {
            let mut items: Vec<SupplementItem> = f
                .all("items")
                .iter()
                .map(|c| SupplementItem {
                    component: Some(c.clone()),
                    reason: f.text(&format!("reason.{c}")).to_string(),
                })
                .collect();
            items.extend(f.lines("other").into_iter().map(|reason| SupplementItem { component: None, reason }));
            ActionRequest::RequestSupplement { items }
        }
        "resubmit" => ActionRequest::Resubmit,
        "assign" => ActionRequest::Assign { assignee: f.text("assignee").to_string() },
        "reassign" => ActionRequest::Reassign { assignee: f.text("assignee").to_string() },
        "appraise" => {
            let proposal = match f.text("proposal") {
                "refusal" => Proposal::Refusal { reasons: f.lines("reasons") },
                "result" => Proposal::Result { summary: f.text("summary").to_string() },
                _ => {
                    errors.add("proposal", required);
                    Proposal::Result { summary: String::new() }
                }
            };
            ActionRequest::Appraise { proposal }
        }
        "approve" => ActionRequest::Approve,
        "disagree" => ActionRequest::Disagree { reason: f.text("reason").to_string() },
        "sign" => ActionRequest::Sign,
        "seal" => ActionRequest::Seal { number: f.text("number").to_string() },
        "stop" => ActionRequest::Stop { reasons: f.lines("reasons") },
        "consult" => {
            ActionRequest::Consult { agency: f.text("agency").to_string(), question: f.text("question").to_string() }
        }
        "answer" => {
            ActionRequest::Answer { answer: f.text("answer").to_string(), favourable: f.text("favourable") != "no" }
        }
        "request_payment" => ActionRequest::RequestPayment {
            amount_vnd: amount(&mut errors),
            charge: None,
            reason: Some(f.text("reason").to_string()).filter(|r| !r.is_empty()),
        },
        "record_payment" => {
            ActionRequest::RecordPayment { amount_vnd: amount(&mut errors), reference: f.text("reference").to_string() }
        }
        "extend" => {
            let calendar = &state.services.calendar;
            // Typed "dd/mm/yyyy hh:mm" (what the field shows whatever the browser's language), or as a browser's
            // date-time picker sends it.
            let typed = f.text("new_due").trim();
            let new_due = NaiveDateTime::parse_from_str(typed, "%d/%m/%Y %H:%M")
                .or_else(|_| NaiveDateTime::parse_from_str(typed, "%Y-%m-%dT%H:%M"))
                .map(|local| calendar.instant(local.date(), local.time()));
            match new_due {
                Ok(new_due) => ActionRequest::Extend { new_due, reason: f.text("reason").to_string() },
                Err(_) => {
                    errors.add("new_due", required);
                    ActionRequest::Extend { new_due: state.services.now() - TimeDelta::days(1), reason: String::new() }
                }
            }
        }
        "withdraw" => ActionRequest::Withdraw { reason: f.text("reason").to_string() },
        "return" => match f.text("method").parse::<ReturnMethod>() {
            Ok(method) => ActionRequest::Return { method },
            Err(_) => {
                errors.add("method", required);
                ActionRequest::Return { method: ReturnMethod::Counter }
            }
        },
        _ => {
            errors.general.push(lang.t("request.invalid").to_string());
            ActionRequest::Approve
        }
    };
    if errors.is_empty() { Ok(request) } else { Err(errors) }
}

/// Performs one action for the user; a refusal comes back as the errors to show.
fn perform(
    services: &Services,
    staff: &StaffIdentity,
    (id, version): (&str, u64),
    action: &str,
    request: Option<ActionRequest>,
    f: &Posted,
    lang: crate::i18n::UiLang,
) -> Result<Result<(), ServiceError>, Errors> {
    let caller = Caller::Staff(staff.clone());
    let note = Some(f.text("note").to_string()).filter(|n| !n.is_empty());
    let upload = |errors_field: &str| -> Result<Result<String, ServiceError>, Errors> {
        let Some(file) = f.file("file") else {
            let mut errors = Errors::default();
            errors.add(errors_field, lang.t("field.paper_required"));
            return Err(errors);
        };
        Ok(services.papers().upload_bytes(&caller, &file.name, &file.bytes).map(|u| u.id))
    };
    Ok(match action {
        "check_identity" => services.reception().check_identity(staff, id).map(|_| ()),
        "decide_checks" => {
            let check = Some(f.text("check")).filter(|c| !c.is_empty());
            services.readings().decide(staff, id, check, f.text("decision")).map(|_| ())
        }
        "attach_paper" => match upload("file")? {
            Ok(upload) => {
                let input = ComponentInput {
                    id: f.text("component").to_string(),
                    upload: Some(upload),
                    repository_item: None,
                    keep: f.text("keep") == "1",
                    form: None,
                    count: None,
                };
                services.papers().attach_paper(&caller, id, version, input).map(|_| ())
            }
            Err(e) => Err(e),
        },
        "attach_result" => match upload("file")? {
            Ok(upload) => {
                let request =
                    motcua_engine::service::papers::ResultRequest { upload, title: f.text("title").to_string() };
                services.papers().attach_result(&caller, id, version, request).map(|_| ())
            }
            Err(e) => Err(e),
        },
        _ => services.dossiers().act(staff, id, version, request.expect("built above"), note).map(|_| ()),
    })
}

/// `POST /can-bo/ho-so/{id}/thao-tac`: one action with the version the user saw. Done: back (303) with a
/// notice. Refused: the page again with what was typed and the errors.
pub async fn act(
    visit: Visit,
    state: web::Data<UiState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    // Read whole and its CSRF token checked before anything is done.
    let form = visit.posted(&req, payload).await?;
    let staff = visit.require_staff()?;
    let id = id.into_inner();
    let action = form.text("action").to_string();
    let lang = visit.lang;
    let version: Option<u64> = form.text("version").parse().ok();
    let request = if matches!(action.as_str(), "check_identity" | "attach_paper" | "attach_result" | "decide_checks") {
        Ok(None)
    } else {
        request_of(&state, &action, &form, lang).map(Some)
    };
    let form = std::sync::Arc::new(form);
    let outcome: Result<Result<(), ServiceError>, Errors> = match (request, version) {
        (Err(errors), _) => Err(errors),
        (Ok(_), None) => {
            let mut errors = Errors::default();
            errors.general.push(lang.t("request.precondition_required").to_string());
            Err(errors)
        }
        (Ok(request), Some(version)) => {
            let (services, staff, id, action, form) =
                (state.services.clone(), staff.clone(), id.clone(), action.clone(), form.clone());
            web::block(move || perform(&services, &staff, (&id, version), &action, request, &form, lang)).await?
        }
    };
    let (status, errors) = match outcome {
        Ok(Ok(())) => {
            let back = local_path(form.text("back")).filter(|b| b.starts_with("/can-bo"));
            let to = match back {
                Some(back) => format!("{back}?tb={action}"),
                None => format!("/can-bo/ho-so/{id}?tb={action}"),
            };
            return Ok(visit.see_other(&to));
        }
        Ok(Err(e)) if e.http_status() >= 500 => return Err(PageError::service(&visit, &e).into()),
        Ok(Err(e)) => {
            (StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY), errors_of(&visit, &e))
        }
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    let services = state.services.clone();
    let who = staff.clone();
    let reload = id.clone();
    let loaded =
        web::block(move || load(&services, &who, &reload)).await?.map_err(|e| PageError::service(&visit, &e))?;
    let mut input = BTreeMap::new();
    for name in [
        "reasons",
        "reason",
        "summary",
        "proposal",
        "assignee",
        "number",
        "agency",
        "question",
        "answer",
        "favourable",
        "amount_vnd",
        "reference",
        "new_due",
        "method",
        "note",
        "other",
        "title",
        "component",
        "items",
    ] {
        let values = form.all(name);
        if !values.is_empty() {
            input.insert(name.to_string(), values.to_vec());
        }
    }
    if let Some(items) = input.get("items").cloned() {
        for c in items {
            let key = format!("reason.{c}");
            input.insert(key.clone(), form.all(&key).to_vec());
        }
    }
    let page = build(&visit, &state, loaded, None, errors, Some(action), input);
    Ok(visit.page(status, render(&page)?))
}

#[derive(Debug, Deserialize)]
pub struct Download {
    id: String,
    form: String,
}

/// A paper sent as it is read from the store.
fn file_answer(paper: &Paper, reader: Box<dyn Read + Send>, inline: bool) -> HttpResponse {
    let disposition = if inline { "inline" } else { "attachment" };
    let name: String = paper
        .file_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    HttpResponse::Ok()
        .content_type(paper.media_type.clone())
        .insert_header((header::CONTENT_DISPOSITION, format!("{disposition}; filename=\"{name}\"")))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "no-store"))
        .streaming(crate::downloads::reader_body(reader))
}

/// `GET /can-bo/ho-so/{id}/bieu-mau/{form}`: form 01-05 of the dossier as a PDF to print.
pub async fn form_pdf(
    visit: Visit,
    state: web::Data<UiState>,
    path: web::Path<Download>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let Download { id, form } = path.into_inner();
    let services = state.services.clone();
    let (paper, reader) = web::block(move || services.papers().form(&Caller::Staff(staff), &id, &form))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    Ok(file_answer(&paper, reader, true))
}

#[derive(Debug, Deserialize)]
pub struct PaperPath {
    id: String,
    paper: String,
}

/// `GET /can-bo/ho-so/{id}/giay-to/{paper}`: a paper of the dossier.
pub async fn paper(
    visit: Visit,
    state: web::Data<UiState>,
    path: web::Path<PaperPath>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let PaperPath { id, paper } = path.into_inner();
    let services = state.services.clone();
    let (paper, reader) = web::block(move || services.papers().paper_content(&Caller::Staff(staff), &id, &paper))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    // Only the papers this system generated open in the browser; anything that came from outside (a scan, a
    // citizen's upload) is downloaded, so no viewer runs it inside the staff's session.
    let inline = paper.media_type == "application/pdf" && paper.source == "generated";
    Ok(file_answer(&paper, reader, inline))
}
