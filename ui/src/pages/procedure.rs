//! One procedure as the public sees it: papers to submit, fees today, processing time, online or not, how the
//! result is returned, and the legal basis.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::domain::deadline::ProcessingTime;
use motcua_engine::domain::procedure::Online;

use super::Shell;
use crate::UiState;
use crate::error::PageError;
use crate::session::Visit;
use crate::shell::render;
use motcua_engine::text::dong_short;

pub struct ComponentRow {
    pub name: String,
    pub need: &'static str,
    pub note: Option<String>,
}

pub struct FeeRow {
    pub name: String,
    /// "100.000 đ", or the word for free.
    pub amount: String,
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    shell: Shell,
    code: String,
    field: String,
    description: Option<String>,
    processing_time: String,
    online: &'static str,
    /// The citizen may submit it online (fully or partly).
    submits_online: bool,
    components: Vec<ComponentRow>,
    fees: Vec<FeeRow>,
    results: Vec<String>,
    return_methods: Vec<&'static str>,
    legal_basis: Vec<String>,
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    code: web::Path<String>,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let Some(procedure) = state.services.catalogue.current(&code) else {
        return Err(PageError::new(&visit, 404, "ui.procedure_not_found", String::new()).into());
    };
    let today = state.services.calendar.local_date(state.services.now());
    let processing_time = match procedure.processing_time {
        ProcessingTime::SameDay { .. } => lang.t("ui.same_day").to_string(),
        ProcessingTime::WorkingDays(days) => format!("{days} {}", lang.t("ui.working_days")),
        ProcessingTime::WorkingHours(hours) => format!("{hours} {}", lang.t("ui.working_hours")),
        ProcessingTime::CalendarDays(days) => format!("{days} {}", lang.t("ui.calendar_days")),
    };
    let components = procedure
        .components
        .iter()
        .map(|c| ComponentRow {
            name: c.name.clone(),
            need: lang.t(match (c.in_person_only, c.required) {
                (true, _) => "ui.in_person",
                (false, true) => "ui.required",
                (false, false) => "ui.optional",
            }),
            note: c.note.clone(),
        })
        .collect();
    let fees = procedure
        .fees
        .iter()
        .map(|f| {
            let amount = f.amount_on(today);
            FeeRow {
                name: f.name.clone(),
                amount: match f.schedule_vi() {
                    _ if amount == 0 => lang.t("ui.free").to_string(),
                    Some(schedule) => schedule,
                    None => dong_short(amount),
                },
                note: f.note.clone(),
            }
        })
        .collect();
    let page = ProcedurePage {
        shell: visit.shell(procedure.name.clone()),
        code: procedure.code.clone(),
        field: procedure.field.clone(),
        description: procedure.description.clone(),
        processing_time,
        online: lang.t(&format!("ui.online.{}", procedure.online.as_str())),
        submits_online: procedure.online != Online::None,
        components,
        fees,
        results: procedure.results.iter().map(|r| r.name.clone()).collect(),
        return_methods: procedure.return_methods.iter().map(|m| lang.t(&format!("ui.return.{}", m.as_str()))).collect(),
        legal_basis: procedure.legal_basis.clone(),
    };
    Ok(visit.page(StatusCode::OK, render(&page)?))
}
