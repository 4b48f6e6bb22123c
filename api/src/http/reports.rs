//! Reports: the Decision 766 scorecard of an agency and period, and the dossiers behind each lost point.

use actix_web::{HttpResponse, get, put, web};
use chrono::NaiveDate;
use motcua_engine::service::monthly::MonthlyReport;
use motcua_engine::service::publication::PublicStatistics;
use motcua_engine::service::scorecard::{
    AgencyScorecard, Breakdown, By, FigureInput, LostPage, LowRatingPage, MonthScore, ScoreQuery,
};
use motcua_engine::service::stats::Period;
use motcua_engine::service::{FieldError, downloads as tables};
use motcua_engine::store::entered::EnteredFigure;
use motcua_engine::store::facts::Lost;
use serde::Deserialize;

use super::auth::Staff;
use super::downloads::attachment;
use super::problem::Problem;
use super::{AppState, blocking};
use motcua_engine::adapters::sheets::{self, SheetFormat, stem};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ScorecardQuery {
    /// The agency, scored with every agency under it; left out: the caller's own (the whole system for an
    /// administrator).
    pub agency: Option<String>,
    /// A whole period as the portal scores them: `2026-11` (a month), `2026-Q3` (a quarter), `2026` (a year).
    /// Left out with `from` and `to`: this month.
    pub period: Option<String>,
    /// Instead of `period`: the first and last day (YYYY-MM-DD, both included).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Download the scorecard as a spreadsheet instead of JSON.
    pub format: Option<SheetFormat>,
}

impl ScorecardQuery {
    /// The file name's stem of a download of `what`.
    fn stem(&self, what: &str) -> String {
        let period = match (&self.period, self.from, self.to) {
            (Some(p), _, _) => p.clone(),
            (None, Some(from), Some(to)) => format!("{from}-{to}"),
            _ => String::new(),
        };
        stem(&[what, self.agency.as_deref().unwrap_or(""), &period])
    }

    fn into_query(self, today: NaiveDate) -> Result<ScoreQuery, Problem> {
        let invalid = |field: &str, code: &'static str, detail: &str| {
            let mut p = Problem::new(422, "request.invalid", detail.to_string());
            p.errors = vec![FieldError::new(field, code).with_detail(detail)];
            p
        };
        let period = match (self.period.as_deref().map(str::trim).filter(|p| !p.is_empty()), self.from, self.to) {
            (Some(text), None, None) => Period::parse(text).ok_or_else(|| {
                invalid(
                    "period",
                    "field.invalid_date",
                    &format!("`{text}` is not a month (2026-11), a quarter (2026-Q3) or a year (2026)"),
                )
            })?,
            (Some(_), _, _) => {
                return Err(invalid("period", "field.invalid_choice", "give a period or from and to, not both"));
            }
            (None, Some(from), Some(to)) if from <= to => Period { from, to },
            (None, Some(_), Some(_)) => {
                return Err(invalid("to", "field.out_of_range", "the last day comes before the first"));
            }
            (None, None, None) => Period::month_of(today),
            (None, _, _) => return Err(invalid("from", "field.required", "give both from and to")),
        };
        Ok(ScoreQuery { agency: self.agency.filter(|a| !a.is_empty()), period })
    }
}

/// The Decision 766 scorecard: every indicator with its figures, points and maximum, by group and in total,
/// and the sets of dossiers behind each lost point (leaders of the agency or above, administrators); with
/// `format`, one row per indicator as CSV or XLSX.
#[utoipa::path(tag = "reports", params(ScorecardQuery),
    responses((status = 200, content((AgencyScorecard = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[get("/reports/scorecard")]
pub async fn scorecard(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ScorecardQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let today = services.calendar.local_date(services.now());
    let query = query.into_inner();
    let (format, name) = (query.format, query.stem("diem-766"));
    let query = query.into_query(today)?;
    let card = blocking(move || services.reports().scorecard(&staff.0, &query)).await?;
    Ok(match format {
        Some(format) => attachment(sheets::stream_table(format, &name, tables::scorecard(&card))),
        None => HttpResponse::Ok().json(card),
    })
}

/// The first day of the month `text` names (`2026-11`), or `today` when none is named.
pub(super) fn month_or(text: Option<&str>, today: NaiveDate) -> Result<NaiveDate, Problem> {
    match text.map(str::trim).filter(|m| !m.is_empty()) {
        None => Ok(today),
        Some(text) => match Period::parse_month(text) {
            Some(first) => Ok(first),
            None => {
                let mut p = Problem::new(422, "request.invalid", format!("`{text}` is not a month (2026-11)"));
                p.errors = vec![FieldError::new("month", "field.invalid_date").with_detail("a month such as 2026-11")];
                Err(p)
            }
        },
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// The agency, with every agency under it; every agency when left out.
    pub agency: Option<String>,
    /// The month (`2026-11`); this month when left out.
    pub month: Option<String>,
    pub format: Option<SheetFormat>,
}

/// The statistics a one-stop shop publishes, for anyone and without signing in: per agency and in total, one
/// month's dossiers received (online among them), finished early, on time and late, and in progress; no person
/// appears. With `format`, as CSV or XLSX.
#[utoipa::path(tag = "reports", params(StatisticsQuery),
    responses((status = 200, content((PublicStatistics = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
#[get("/reports/statistics")]
pub async fn statistics(
    state: web::Data<AppState>,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let today = services.calendar.local_date(services.now());
    let StatisticsQuery { agency, month, format } = query.into_inner();
    let month = month_or(month.as_deref(), today)?;
    let agency = agency.filter(|a| !a.is_empty());
    let name = stem(&["thong-ke", agency.as_deref().unwrap_or(""), &month.format("%Y-%m").to_string()]);
    let published = blocking(move || services.reports().public_statistics(agency.as_deref(), month)).await?;
    Ok(match format {
        Some(format) => attachment(sheets::stream_table(format, &name, tables::public_statistics(&published))),
        None => HttpResponse::Ok().json(published),
    })
}

/// The one-stop shop's monthly report, for anyone and without signing in: per field of procedures and in total,
/// the dossiers to handle in a month (carried over, received online and in person), handled (early, on time,
/// late; refused among them), withdrawn, and in progress at its end. Counts only. With `format`, as CSV or XLSX;
/// the PDF is `/reports/monthly/pdf`.
#[utoipa::path(tag = "reports", params(StatisticsQuery),
    responses((status = 200, content((MonthlyReport = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
#[get("/reports/monthly")]
pub async fn monthly(state: web::Data<AppState>, query: web::Query<StatisticsQuery>) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let today = services.calendar.local_date(services.now());
    let StatisticsQuery { agency, month, format } = query.into_inner();
    let month = month_or(month.as_deref(), today)?;
    let agency = agency.filter(|a| !a.is_empty());
    let name = stem(&["bao-cao-thang", agency.as_deref().unwrap_or(""), &month.format("%Y-%m").to_string()]);
    let report = blocking(move || services.reports().monthly_report(agency.as_deref(), month)).await?;
    Ok(match format {
        Some(format) => attachment(sheets::stream_table(format, &name, tables::monthly_report(&report))),
        None => HttpResponse::Ok().json(report),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MonthlyPdfQuery {
    /// The agency, with every agency under it; every agency when left out.
    pub agency: Option<String>,
    /// The month (`2026-11`); this month when left out.
    pub month: Option<String>,
}

/// The monthly report as the PDF the one-stop shop files (A4 landscape, the agency's header, a row per field).
#[utoipa::path(tag = "reports", params(MonthlyPdfQuery),
    responses((status = 200, content((Vec<u8> = "application/pdf"))),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
#[get("/reports/monthly/pdf")]
pub async fn monthly_pdf(
    state: web::Data<AppState>,
    query: web::Query<MonthlyPdfQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let today = services.calendar.local_date(services.now());
    let MonthlyPdfQuery { agency, month } = query.into_inner();
    let month = month_or(month.as_deref(), today)?;
    let agency = agency.filter(|a| !a.is_empty());
    let name = stem(&["bao-cao-thang", agency.as_deref().unwrap_or(""), &month.format("%Y-%m").to_string()]);
    let pdf = blocking(move || {
        let reports = services.reports();
        reports.monthly_report_pdf(&reports.monthly_report(agency.as_deref(), month)?)
    })
    .await?;
    Ok(super::downloads::pdf(&name, pdf))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TrendQuery {
    pub agency: Option<String>,
    /// The last month (`2026-11`); this month when left out.
    pub month: Option<String>,
    /// How many months, 1 to 36; 12 when left out.
    pub months: Option<u32>,
}

/// The scorecard's total month by month up to `month`, oldest first: each equal to that month's scorecard.
#[utoipa::path(tag = "reports", params(TrendQuery),
    responses((status = 200, body = Vec<MonthScore>), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[get("/reports/scorecard/trend")]
pub async fn trend(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<TrendQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let today = services.calendar.local_date(services.now());
    let TrendQuery { agency, month, months } = query.into_inner();
    let last = month_or(month.as_deref(), today)?;
    let months = match months.unwrap_or(12) {
        n @ 1..=36 => n,
        _ => {
            let mut p = Problem::new(422, "request.invalid", "months runs from 1 to 36".to_string());
            p.errors = vec![FieldError::new("months", "field.out_of_range").with_detail("1 to 36")];
            return Err(p);
        }
    };
    let agency = agency.filter(|a| !a.is_empty());
    let scores = blocking(move || services.reports().trend(&staff.0, agency, last, months)).await?;
    Ok(HttpResponse::Ok().json(scores))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BreakdownQuery {
    pub agency: Option<String>,
    pub period: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// What the figures are broken down by.
    pub by: By,
    pub format: Option<SheetFormat>,
}

/// The scorecard's dossier figures for each agency, procedure, field, officer or channel: received, finished,
/// open, and each dossier indicator's ratio; with `format`, as CSV or XLSX.
#[utoipa::path(tag = "reports", params(BreakdownQuery),
    responses((status = 200, content((Breakdown = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[get("/reports/scorecard/breakdown")]
pub async fn breakdown(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<BreakdownQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let today = services.calendar.local_date(services.now());
    let BreakdownQuery { agency, period, from, to, by, format } = query.into_inner();
    let query = ScorecardQuery { agency, period, from, to, format };
    let name = query.stem(&format!("diem-766-theo-{}", by.as_str()));
    let query = query.into_query(today)?;
    let breakdown = blocking(move || services.reports().breakdown(&staff.0, &query, by)).await?;
    Ok(match format {
        Some(format) => attachment(sheets::stream_table(format, &name, tables::breakdown(&breakdown))),
        None => HttpResponse::Ok().json(breakdown),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LostQuery {
    pub agency: Option<String>,
    pub period: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Which dossiers: a `set` of the scorecard's `lost`.
    pub set: Lost,
    pub cursor: Option<String>,
    /// 1 to 200; 50 when left out.
    pub limit: Option<i64>,
    /// Download every dossier of the set as CSV or XLSX, streamed, instead of a page (agency by agency, each
    /// agency's in the set's order; `cursor` and `limit` are then not used).
    pub format: Option<SheetFormat>,
}

/// The dossiers of one lost set of the scorecard, oldest first, a page at a time; with `format`, all of them as
/// CSV or XLSX.
#[utoipa::path(tag = "reports", params(LostQuery),
    responses((status = 200, content((LostPage = "application/json"), (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[get("/reports/scorecard/lost")]
pub async fn lost(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<LostQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let today = services.calendar.local_date(services.now());
    let LostQuery { agency, period, from, to, set, cursor, limit, format } = query.into_inner();
    let query = ScorecardQuery { agency, period, from, to, format };
    let name = query.stem(&format!("mat-diem-{}", set.as_str()));
    let query = query.into_query(today)?;
    let Some(format) = format else {
        let page =
            blocking(move || services.reports().lost_points(&staff.0, &query, set, cursor.as_deref(), limit)).await?;
        return Ok(HttpResponse::Ok().json(page));
    };
    // The rights are checked before the download starts; then page after page, agency by agency.
    let walk = {
        let (services, staff, query) = (services.clone(), staff.0.clone(), query.clone());
        blocking(move || services.reports().lost_walk(&staff, &query, set)).await?
    };
    Ok(attachment(sheets::stream(format, &name, tables::lost_headers(), move |emit| {
        let zone = services.calendar.timezone();
        let mut walk = walk;
        while let Some(page) = services.reports().next_lost(&mut walk)? {
            for d in &page {
                emit(&tables::lost_row(d, &services.catalogue, zone))?;
            }
        }
        Ok(())
    })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LowRatingsQuery {
    pub agency: Option<String>,
    pub period: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub cursor: Option<String>,
    /// 1 to 200; 50 when left out.
    pub limit: Option<i64>,
}

/// The "not satisfied" ratings (2 or less of 5) given in the period to dossiers of the agency and those under it,
/// with the dossier, its officer and the applicant's comment, oldest first, a page at a time.
#[utoipa::path(tag = "reports", params(LowRatingsQuery),
    responses((status = 200, body = LowRatingPage), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[get("/reports/ratings/low")]
pub async fn low_ratings(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<LowRatingsQuery>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let today = services.calendar.local_date(services.now());
    let LowRatingsQuery { agency, period, from, to, cursor, limit } = query.into_inner();
    let query = ScorecardQuery { agency, period, from, to, format: None }.into_query(today)?;
    let page = blocking(move || services.reports().low_ratings(&staff.0, &query, cursor.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Enters (or corrects) the figure of an indicator held outside this system (the publication of procedures,
/// certified copies) for an agency and month; administrators only, audited. Scorecards then sum what was entered
/// for their agencies and months instead of showing the indicator as not entered.
#[utoipa::path(tag = "reports", request_body = FigureInput,
    responses((status = 200, body = EnteredFigure), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
#[put("/reports/scorecard/entered")]
pub async fn enter_figure(
    state: web::Data<AppState>,
    staff: Staff,
    body: super::json::Json<FigureInput>,
) -> Result<HttpResponse, Problem> {
    let services = state.services.clone();
    let input = body.into_inner();
    let figure = blocking(move || services.reports().enter_figure(&staff.0, &input)).await?;
    Ok(HttpResponse::Ok().json(figure))
}
