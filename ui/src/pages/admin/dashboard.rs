//! The leaders' dashboard (`/can-bo/thong-ke`): per agency and period, the counts of the engine's
//! statistics service as charts (SVG in the page) and as the tables they are drawn from.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use motcua_engine::service::stats::{Figures, Period};
use serde::Deserialize;

use super::chart::{self, Chart, Item};
use super::percent;
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::i18n::UiLang;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

#[derive(Debug, Default, Deserialize)]
pub struct Query {
    #[serde(default)]
    tu: String,
    #[serde(default)]
    den: String,
    #[serde(default, rename = "co-quan")]
    co_quan: String,
}

/// One line of the table, in words.
pub struct Line {
    pub name: String,
    pub agency: String,
    pub received: u64,
    pub in_progress: u64,
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    pub online: String,
    pub fully_online: String,
    pub digitised: String,
    pub reused: String,
}

fn line(lang: UiLang, name: String, agency: String, f: &Figures) -> Line {
    Line {
        name,
        agency,
        received: f.received,
        in_progress: f.in_progress,
        early: f.early,
        on_time: f.on_time,
        late: f.late,
        online: format!("{} ({}/{})", percent(lang, f.online_share()), f.online, f.received),
        fully_online: format!(
            "{} ({}/{})",
            percent(lang, f.fully_online_share()),
            f.fully_online,
            f.fully_online_eligible
        ),
        digitised: format!("{} ({}/{})", percent(lang, f.digitisation()), f.digitised, f.components),
        reused: format!("{} ({}/{})", percent(lang, f.reuse()), f.reused, f.components),
    }
}

pub struct Choice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    shell: Shell,
    from: String,
    to: String,
    agencies: Vec<Choice>,
    errors: Errors,
    period: String,
    charts: Vec<Chart>,
    lines: Vec<Line>,
    total: Option<Line>,
}

fn date(text: &str) -> Option<NaiveDate> {
    crate::form::parse_day(text)
}

fn charts(lang: UiLang, total: &Figures) -> Vec<Chart> {
    let t = |k: &str| lang.t(k).to_string();
    let count = |key: &str, n: u64, fill| Item { label: t(key), magnitude: n, value: n.to_string(), fill };
    let outcomes = Chart::bars(
        "chart-outcomes",
        t("ui.admin.chart_outcomes"),
        t("ui.admin.chart_see_table"),
        vec![
            count("ui.admin.received", total.received, chart::BLUE),
            count("ui.admin.in_progress", total.in_progress, chart::GREY),
            count("ui.admin.early", total.early, chart::GREEN),
            count("ui.admin.on_time", total.on_time, chart::TEAL),
            count("ui.admin.late", total.late, chart::RED),
        ],
        0,
    );
    let share = |key: &str, s: motcua_engine::service::stats::Share, fill| Item {
        label: t(key),
        magnitude: s.per_thousand().unwrap_or(0),
        value: percent(lang, s),
        fill,
    };
    let shares = Chart::bars(
        "chart-shares",
        t("ui.admin.chart_shares"),
        t("ui.admin.chart_see_table"),
        vec![
            share("ui.admin.in_time_share", total.in_time_share(), chart::GREEN),
            share("ui.admin.online_share", total.online_share(), chart::BLUE),
            share("ui.admin.fully_online_share", total.fully_online_share(), chart::BLUE),
            share("ui.admin.digitised_share", total.digitisation(), chart::BROWN),
            share("ui.admin.reused_share", total.reuse(), chart::TEAL),
        ],
        1000,
    );
    vec![outcomes, shares]
}

/// At most `n` characters, with an ellipsis when cut.
fn short(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(n - 1).collect();
    cut.push('…');
    cut
}

/// Received dossiers per agency, when several agencies are shown.
fn per_agency(lang: UiLang, lines: &[motcua_engine::service::stats::AgencyFigures]) -> Option<Chart> {
    (lines.len() > 1).then(|| {
        let items = lines
            .iter()
            .map(|l| Item {
                // The table beside the chart has the whole name.
                label: short(&l.name, 40),
                magnitude: l.figures.received,
                value: l.figures.received.to_string(),
                fill: chart::BLUE,
            })
            .collect();
        let t = |k: &str| lang.t(k).to_string();
        Chart::bars("chart-agencies", t("ui.admin.chart_agencies"), t("ui.admin.chart_see_table"), items, 0)
    })
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let lang = visit.lang;
    let Query { tu, den, co_quan } = query.into_inner();
    let mut errors = Errors::default();
    let (from, to) = (date(&tu), date(&den));
    if !tu.trim().is_empty() && from.is_none() {
        errors.add("tu", lang.t("ui.admin.bad_date"));
    }
    if !den.trim().is_empty() && to.is_none() {
        errors.add("den", lang.t("ui.admin.bad_date"));
    }
    let today = state.services.calendar.local_date(state.services.now());
    let month = Period::month_of(today);
    let period = Period { from: from.unwrap_or(month.from), to: to.unwrap_or(month.to) };
    let agency = Some(co_quan.trim().to_string()).filter(|a| !a.is_empty());
    let services = state.services.clone();
    let asked = agency.clone();
    let answer = web::block(move || services.reports().dashboard(&staff, Some(period), asked.as_deref())).await?;
    let dashboard = match answer {
        Ok(d) if errors.is_empty() => Some(d),
        Ok(_) => None,
        Err(e @ motcua_engine::service::ServiceError::Invalid(_)) => {
            errors = Errors::of(lang, &e);
            None
        }
        Err(e) => return Err(PageError::service(&visit, &e).into()),
    };
    let shown = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    let mut page = Dashboard {
        shell: visit.shell(lang.t("ui.admin.dashboard_title")),
        from: if tu.is_empty() { crate::form::show_day(period.from) } else { tu },
        to: if den.is_empty() { crate::form::show_day(period.to) } else { den },
        agencies: Vec::new(),
        errors,
        period: format!("{} – {}", shown(period.from), shown(period.to)),
        charts: Vec::new(),
        lines: Vec::new(),
        total: None,
    };
    let status = match dashboard {
        Some(d) => {
            page.agencies = d
                .scope
                .iter()
                .map(|(id, name)| Choice { id: id.clone(), name: name.clone(), selected: Some(id) == agency.as_ref() })
                .collect();
            page.charts = charts(lang, &d.total);
            page.charts.extend(per_agency(lang, &d.lines));
            page.lines = d.lines.iter().map(|l| line(lang, l.name.clone(), l.agency.clone(), &l.figures)).collect();
            page.total = Some(line(lang, lang.t("ui.admin.total").to_string(), String::new(), &d.total));
            StatusCode::OK
        }
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok(visit.page(status, render(&page)?))
}
