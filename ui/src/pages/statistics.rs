//! `/thong-ke-cong-khai`: the statistics a one-stop shop publishes (issue 16), for anyone: one month's dossiers
//! per agency, received (online among them), handled early, on time and late, and in progress, with the
//! downloads; and `/thong-ke-cong-khai/bao-cao-thang`, the one-stop shop's monthly report by field as PDF, XLSX or
//! CSV. Counts only; no person appears.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use motcua_engine::adapters::sheets::{self, SheetFormat};
use motcua_engine::service::ServiceError;
use motcua_engine::service::downloads as tables;
use motcua_engine::service::publication::PublicRow;
use motcua_engine::service::stats::{Period, Share};
use serde::Deserialize;

use super::Shell;
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::session::Visit;
use crate::shell::render;

#[derive(Debug, Deserialize)]
pub struct Query {
    #[serde(default)]
    thang: String,
    #[serde(default, rename = "co-quan")]
    co_quan: String,
    #[serde(rename = "dinh-dang")]
    dinh_dang: Option<SheetFormat>,
}

pub struct Choice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

pub struct Line {
    pub name: String,
    pub row: PublicRow,
    pub online_share: String,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    shell: Shell,
    month_text: String,
    agencies: Vec<Choice>,
    errors: Errors,
    period: String,
    lines: Vec<Line>,
    total: Option<Line>,
    csv: String,
    xlsx: String,
    monthly: String,
}

/// The month typed (`2026-11`), or this one when nothing was; none when it is not a month.
fn month_of(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    match text.trim() {
        "" => Some(today),
        text => Period::parse_month(text),
    }
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = visit.lang;
    let Query { thang, co_quan, dinh_dang } = query.into_inner();
    let today = state.services.calendar.local_date(state.services.now());
    let agency = Some(co_quan.trim().to_string()).filter(|a| !a.is_empty());
    let month = month_of(&thang, today);
    let month_text = match thang.trim() {
        "" => today.format("%Y-%m").to_string(),
        typed => typed.to_string(),
    };
    let services = state.services.clone();
    let asked = agency.clone();
    let answer = web::block(move || {
        let all = services.reports().public_agencies()?;
        let Some(month) = month else { return Ok((all, None)) };
        let published = services.reports().public_statistics(asked.as_deref(), month)?;
        Ok::<_, ServiceError>((all, Some(published)))
    })
    .await?;
    let (all, published) = answer.map_err(|e| PageError::service(&visit, &e))?;
    if let (Some(format), Some(published)) = (dinh_dang, &published) {
        let name = sheets::stem(&["thong-ke", agency.as_deref().unwrap_or(""), &month_text]);
        let table = tables::public_statistics(published);
        return Ok(crate::downloads::attachment(sheets::stream_table(format, &name, table)));
    }
    let mut errors = Errors::default();
    if month.is_none() {
        errors.add("thang", lang.t("ui.public.stats_bad_month"));
    }
    let line = |name: String, row: &PublicRow| Line {
        name,
        online_share: super::admin::percent(lang, Share { part: row.received_online, whole: row.received }),
        row: row.clone(),
    };
    let lines = published.as_ref().map_or_else(Vec::new, |p| {
        p.rows.iter().map(|r| line(format!("{} ({})", r.agency_name, r.agency_id), r)).collect()
    });
    let total = published.as_ref().map(|p| line(lang.t("ui.public.stats_total").to_string(), &p.total));
    let period = published
        .as_ref()
        .map_or_else(String::new, |p| format!("{} – {}", p.from.format("%d/%m/%Y"), p.to.format("%d/%m/%Y")));
    let mut href = format!(
        "/thong-ke-cong-khai?thang={}",
        form_urlencoded::byte_serialize(month_text.as_bytes()).collect::<String>()
    );
    if let Some(a) = &agency {
        href.push_str(&format!("&co-quan={}", form_urlencoded::byte_serialize(a.as_bytes()).collect::<String>()));
    }
    let agencies =
        all.into_iter().map(|a| Choice { selected: Some(&a.id) == agency.as_ref(), id: a.id, name: a.name }).collect();
    let status = if month.is_some() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = StatisticsPage {
        shell: visit.shell(lang.t("ui.public.stats_title")),
        month_text,
        agencies,
        errors,
        period,
        lines,
        total,
        csv: format!("{href}&dinh-dang=csv"),
        xlsx: format!("{href}&dinh-dang=xlsx"),
        monthly: href.replacen("/thong-ke-cong-khai?", "/thong-ke-cong-khai/bao-cao-thang?", 1),
    };
    Ok(visit.page(status, render(&page)?))
}

/// What the monthly report is downloaded as.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Pdf,
    Xlsx,
    Csv,
}

#[derive(Debug, Deserialize)]
pub struct MonthlyQuery {
    #[serde(default)]
    thang: String,
    #[serde(default, rename = "co-quan")]
    co_quan: String,
    #[serde(rename = "dinh-dang")]
    dinh_dang: Option<ReportFormat>,
}

/// The one-stop shop's monthly report of an agency (every agency when none) as a download: PDF unless asked
/// otherwise.
pub async fn monthly(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<MonthlyQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let MonthlyQuery { thang, co_quan, dinh_dang } = query.into_inner();
    let today = state.services.calendar.local_date(state.services.now());
    let Some(month) = month_of(&thang, today) else {
        let detail = visit.lang.t("ui.public.stats_bad_month").to_string();
        return Err(PageError::new(&visit, 422, "request.invalid", detail).into());
    };
    let agency = Some(co_quan.trim().to_string()).filter(|a| !a.is_empty());
    let name = sheets::stem(&["bao-cao-thang", agency.as_deref().unwrap_or(""), &month.format("%Y-%m").to_string()]);
    let format = dinh_dang.unwrap_or(ReportFormat::Pdf);
    let services = state.services.clone();
    let answer = web::block(move || {
        let reports = services.reports();
        let report = reports.monthly_report(agency.as_deref(), month)?;
        let pdf = match format {
            ReportFormat::Pdf => Some(reports.monthly_report_pdf(&report)?),
            _ => None,
        };
        Ok::<_, ServiceError>((report, pdf))
    })
    .await?;
    let (report, pdf) = answer.map_err(|e| PageError::service(&visit, &e))?;
    let sheet =
        |format| crate::downloads::attachment(sheets::stream_table(format, &name, tables::monthly_report(&report)));
    Ok(match (format, pdf) {
        (ReportFormat::Xlsx, _) => sheet(SheetFormat::Xlsx),
        (ReportFormat::Csv, _) => sheet(SheetFormat::Csv),
        (ReportFormat::Pdf, pdf) => crate::downloads::pdf(&name, pdf.unwrap_or_default()),
    })
}
