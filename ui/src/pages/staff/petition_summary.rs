//! The leader's month of petitions (`/can-bo/phan-anh/tong-hop?thang=2026-12`): per agency in charge and per
//! officer named, for the agencies the leader or division head works in and every agency under them.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::service::petition_summary::SummaryRow;
use motcua_engine::service::stats::Period;
use serde::Deserialize;

use super::local_time;
use crate::UiState;
use crate::error::PageError;
use crate::form::{Errors, input_id};
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

/// How many months back the month list goes (this one included): three years of history.
const MONTHS_OFFERED: u32 = 36;

#[derive(Debug, Deserialize)]
pub struct SummaryQuery {
    #[serde(default)]
    thang: String,
}

#[derive(Template)]
#[template(path = "staff/petition_summary.html")]
struct SummaryPage {
    shell: Shell,
    /// The months to choose from, newest first: value (`2026-12`), label (`12/2026`), whether shown.
    months: Vec<(String, String, bool)>,
    evaluated_at: String,
    /// Each table: its heading, its heading's id, what it says when empty, its rows.
    tables: Vec<(&'static str, &'static str, &'static str, Vec<SummaryRow>)>,
    errors: Errors,
}

impl SummaryPage {
    fn id(&self, field: &str) -> String {
        input_id(field)
    }
}

/// `GET /can-bo/phan-anh/tong-hop`: the month asked (this month by default); a month that is none is refused
/// beside its field, the current month shown.
pub async fn summary(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let lang = visit.lang;
    let today = state.services.calendar.local_date(state.services.now());
    let asked = query.thang.trim();
    let mut errors = Errors::default();
    let month = match asked {
        "" => Period::month_of(today).from,
        text => Period::parse_month(text).unwrap_or_else(|| {
            errors.add("thang", lang.t("field.invalid_date"));
            Period::month_of(today).from
        }),
    };
    let services = state.services.clone();
    let summary = web::block(move || services.petitions().summary(&staff, month))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SummaryPage {
        shell: visit.shell(lang.t("ui.petition.summary_title")),
        months: (0..MONTHS_OFFERED)
            .filter_map(|back| Period::month_of(today).from.checked_sub_months(chrono::Months::new(back)))
            .map(|m| (m.format("%Y-%m").to_string(), m.format("%m/%Y").to_string(), m == month))
            .collect(),
        evaluated_at: local_time(&state.services.calendar, summary.evaluated_at),
        tables: vec![
            (lang.t("ui.petition.by_agency"), "by-agency", lang.t("ui.petition.summary_none"), summary.by_agency),
            (
                lang.t("ui.petition.by_officer"),
                "by-officer",
                lang.t("ui.petition.summary_no_officer"),
                summary.by_officer,
            ),
        ],
        errors,
    };
    Ok(visit.page(status, render(&page)?))
}
