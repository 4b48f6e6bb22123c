//! The Decision 766 scorecard for leaders (`/can-bo/diem-766`): the score of an agency (with every agency under
//! it) for a month, quarter or year, by group and by indicator, the trend over twelve months as a chart drawn
//! on the server, and the dossiers behind each lost point (`/can-bo/diem-766/mat-diem`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use motcua_engine::adapters::sheets::{self, SheetFormat};
use motcua_engine::domain::scorecard::{Figure, Group, Ratio};
use motcua_engine::service::ServiceError;
use motcua_engine::service::downloads as tables;
use motcua_engine::service::scorecard::{AgencyScorecard, Breakdown, By, ScoreQuery};
use motcua_engine::service::stats::Period;
use motcua_engine::store::facts::Lost;
use serde::Deserialize;

use super::chart::{self, Chart, Item};
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::i18n::UiLang;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;
use motcua_engine::messages::Lang;

#[derive(Debug, Default, Deserialize)]
pub struct Query {
    /// The period: `2026-11`, `2026-Q3` or `2026`; this month when empty.
    #[serde(default)]
    ky: String,
    #[serde(default, rename = "co-quan")]
    co_quan: String,
    /// What the figures in detail are broken down by; by agency when left out.
    #[serde(default)]
    theo: Option<By>,
}

/// Points in hundredths, written the reader's way: `53,23` or `53.23`.
fn points(lang: UiLang, hundredths: u32) -> String {
    let separator = if lang.lang == Lang::Vi { ',' } else { '.' };
    format!("{}{separator}{:02}", hundredths / 100, hundredths % 100)
}

fn ratio(lang: UiLang, r: Ratio) -> String {
    let share = motcua_engine::service::stats::Share { part: r.numerator, whole: r.denominator };
    format!("{}/{} ({})", r.numerator, r.denominator, super::percent(lang, share))
}

fn group_key(group: Group) -> &'static str {
    match group {
        Group::Transparency => "ui.admin.group_transparency",
        Group::Progress => "ui.admin.group_progress",
        Group::OnlineServices => "ui.admin.group_online_services",
        Group::OnlinePayment => "ui.admin.group_online_payment",
        Group::Digitisation => "ui.admin.group_digitisation",
        Group::Satisfaction => "ui.admin.group_satisfaction",
    }
}

fn lost_key(set: Lost) -> &'static str {
    match set {
        Lost::FinishedLate => "ui.admin.lost_finished_late",
        Lost::OpenOverdue => "ui.admin.lost_open_overdue",
        Lost::NotFullyOnline => "ui.admin.lost_not_fully_online",
        Lost::PaidAtCounter => "ui.admin.lost_paid_at_counter",
        Lost::PaperResultOnly => "ui.admin.lost_paper_result_only",
        Lost::NotDigitised => "ui.admin.lost_not_digitised",
        Lost::NotReused => "ui.admin.lost_not_reused",
        Lost::NoPopulationData => "ui.admin.lost_no_population_data",
        Lost::NotSatisfied => "ui.admin.lost_not_satisfied",
        Lost::NotSyncedOnTime => "ui.admin.lost_not_synced_on_time",
    }
}

pub struct GroupLine {
    pub name: String,
    pub points: String,
    pub max: String,
}

pub struct LostLink {
    pub label: String,
    pub count: u64,
    pub href: String,
}

pub struct IndicatorLine {
    pub code: &'static str,
    pub name: String,
    pub group: String,
    pub figure: String,
    /// None when not entered.
    pub points: Option<String>,
    pub max: String,
    pub lost: Vec<LostLink>,
}

pub struct Choice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/scorecard.html")]
struct ScorecardPage {
    shell: Shell,
    period_text: String,
    agencies: Vec<Choice>,
    errors: Errors,
    /// What was scored, once scored.
    scored: Option<Scored>,
}

struct Scored {
    title: String,
    period: String,
    total: String,
    max: String,
    weights: &'static str,
    trend: Chart,
    groups: Vec<GroupLine>,
    indicators: Vec<IndicatorLine>,
    downloads: Downloads,
    detail: Detail,
    /// An administrator: the page links the entry of the figures held outside.
    may_enter: bool,
}

/// The CSV and XLSX addresses of one table.
pub struct Downloads {
    pub csv: String,
    pub xlsx: String,
}

fn downloads(href: &str) -> Downloads {
    Downloads { csv: format!("{href}&dinh-dang=csv"), xlsx: format!("{href}&dinh-dang=xlsx") }
}

/// The figures in detail: one choice per dimension, the rows of the chosen one.
struct Detail {
    choices: Vec<DetailChoice>,
    rows: Vec<DetailRow>,
    /// Rows left out of the page (all are in the downloads).
    more: usize,
    downloads: Downloads,
    /// The list of "not satisfied" ratings.
    low: String,
}

pub struct DetailChoice {
    pub label: String,
    pub href: String,
    pub current: bool,
}

pub struct DetailRow {
    pub name: String,
    pub received: u64,
    pub finished: u64,
    pub open: u64,
    /// The rates shown, in the order of [`DETAIL_INDICATORS`].
    pub rates: Vec<String>,
    /// The average rating and how many, or empty without ratings.
    pub rating: String,
}

/// The indicators the page's detail shows (the downloads hold every dossier indicator).
const DETAIL_INDICATORS: [&str; 4] =
    ["DOSSIER_ON_TIME", "FULLY_ONLINE_DOSSIER", "SO_HOA_GIAY_TO_GIAI_QUYET", "DOSSIER_SYNC"];

/// Rows of the detail shown on the page.
const DETAIL_ROWS: usize = 100;

fn by_key(by: By) -> &'static str {
    match by {
        By::Agency => "ui.admin.breakdown_agency",
        By::Procedure => "ui.admin.breakdown_procedure",
        By::Field => "ui.admin.breakdown_field",
        By::Officer => "ui.admin.breakdown_officer",
        By::Channel => "ui.admin.breakdown_channel",
    }
}

fn detail(lang: UiLang, b: &Breakdown, period_text: &str, agency: Option<&str>) -> Detail {
    let t = |k: &str| lang.t(k).to_string();
    let page = |by: By| scorecard_href(&format!("/can-bo/diem-766?theo={}&", by.as_str()), period_text, agency);
    let choices = By::ALL
        .into_iter()
        .map(|by| DetailChoice {
            label: t(by_key(by)),
            href: format!("{}#detail-title", page(by)),
            current: by == b.by,
        })
        .collect();
    let rows = b
        .rows
        .iter()
        .take(DETAIL_ROWS)
        .map(|r| DetailRow {
            name: match (b.by, &r.name) {
                (By::Channel, _) => t(&format!("ui.staff.channel.{}", r.key)),
                (By::Officer, _) if r.key.is_empty() => t("ui.admin.breakdown_unassigned"),
                (_, Some(name)) => format!("{name} ({})", r.key),
                (_, None) => r.key.clone(),
            },
            received: r.received,
            finished: r.finished,
            open: r.open,
            rates: DETAIL_INDICATORS
                .iter()
                .map(|code| {
                    r.figures.iter().find(|f| f.indicator == *code).map_or_else(String::new, |f| {
                        let share = motcua_engine::service::stats::Share { part: f.numerator, whole: f.denominator };
                        super::percent(lang, share)
                    })
                })
                .collect(),
            rating: r.rating_average.map_or_else(String::new, |avg| {
                format!(
                    "{} ({}; {} {})",
                    points(lang, avg as u32),
                    r.rated,
                    r.rated_low,
                    t("ui.admin.rating_low_short")
                )
            }),
        })
        .collect();
    let download = scorecard_href(&format!("/can-bo/diem-766/tai-ve?theo={}&", b.by.as_str()), period_text, agency);
    let low = scorecard_href("/can-bo/diem-766/danh-gia-thap?", period_text, agency);
    Detail { choices, rows, more: b.rows.len().saturating_sub(DETAIL_ROWS), downloads: downloads(&download), low }
}

/// The period asked for, or this month; an error for the form when unreadable.
fn period_of(text: &str, today: chrono::NaiveDate) -> Option<Period> {
    match text.trim() {
        "" => Some(Period::month_of(today)),
        text => Period::parse(text),
    }
}

/// The period asked for by a list or a download, or a 422 page saying it is none.
fn period_or_refuse(visit: &Visit, typed: &str, today: chrono::NaiveDate) -> Result<Period, PageError> {
    period_of(typed, today).ok_or_else(|| {
        PageError::new(visit, 422, "request.invalid", visit.lang.t("ui.admin.scorecard_bad_period").into())
    })
}

/// The period as typed, or this month's when nothing was.
fn period_text(typed: &str, today: chrono::NaiveDate) -> String {
    match typed.trim() {
        "" => today.format("%Y-%m").to_string(),
        typed => typed.to_string(),
    }
}

/// `path?ky=…` with the agency when there is one.
fn scorecard_href(path: &str, period_text: &str, agency: Option<&str>) -> String {
    let mut href = format!("{path}ky={}", urlencoding(period_text));
    if let Some(a) = agency {
        href.push_str(&format!("&co-quan={}", urlencoding(a)));
    }
    href
}

fn shown(period: Period) -> String {
    format!("{} – {}", period.from.format("%d/%m/%Y"), period.to.format("%d/%m/%Y"))
}

/// The address of a lost set's dossiers.
fn lost_href(set: Lost, period_text: &str, agency: Option<&str>) -> String {
    scorecard_href(&format!("/can-bo/diem-766/mat-diem?tap={}&", set.as_str()), period_text, agency)
}

fn urlencoding(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn scored(
    lang: UiLang,
    card: &AgencyScorecard,
    period_text: &str,
    trend: Chart,
    breakdown: &Breakdown,
    may_enter: bool,
) -> Scored {
    let t = |k: &str| lang.t(k).to_string();
    let agency = card.agency.as_ref().map(|a| a.id.as_str());
    let indicators = card
        .scorecard
        .indicators
        .iter()
        .map(|i| IndicatorLine {
            code: i.code,
            name: t(&format!("ui.admin.indicator_{}", i.code.to_ascii_lowercase())),
            group: t(group_key(i.group)),
            figure: match i.figure {
                Figure::Rate(r) => ratio(lang, r),
                Figure::Payment { paid_online, procedures_paid_online, procedures_used } => format!(
                    "A {} · B {} · C {}",
                    ratio(lang, paid_online),
                    ratio(lang, procedures_paid_online),
                    ratio(lang, procedures_used)
                ),
                Figure::NotEntered => t("ui.admin.scorecard_not_entered"),
            },
            points: i.points.map(|p| points(lang, p)),
            max: points(lang, i.max),
            lost: card
                .lost
                .iter()
                .filter(|l| l.indicator == i.code)
                .map(|l| LostLink {
                    label: t(lost_key(l.set)),
                    count: l.dossiers,
                    href: lost_href(l.set, period_text, agency),
                })
                .collect(),
        })
        .collect();
    Scored {
        title: card.agency.as_ref().map_or_else(|| t("ui.admin.scorecard_whole"), |a| a.name.clone()),
        period: shown(Period { from: card.from, to: card.to }),
        total: points(lang, card.scorecard.points),
        max: points(lang, card.scorecard.max),
        weights: card.scorecard.weights_version,
        trend,
        downloads: downloads(&scorecard_href("/can-bo/diem-766/tai-ve?", period_text, agency)),
        detail: detail(lang, breakdown, period_text, agency),
        may_enter,
        groups: card
            .scorecard
            .groups
            .iter()
            .map(|g| GroupLine {
                name: t(group_key(g.group)),
                points: points(lang, g.points),
                max: points(lang, g.max),
            })
            .collect(),
        indicators,
    }
}

/// The total of each of the twelve months up to the one `period` ends in, oldest first.
fn trend(
    lang: UiLang,
    state: &UiState,
    staff: &motcua_engine::service::StaffIdentity,
    agency: Option<&str>,
    period: Period,
) -> Result<Chart, ServiceError> {
    let months = state.services.reports().trend(staff, agency.map(str::to_string), period.to, 12)?;
    let items = months
        .iter()
        .map(|m| Item {
            label: m.month.format("%m/%Y").to_string(),
            magnitude: u64::from(m.points),
            value: points(lang, m.points),
            fill: chart::BLUE,
        })
        .collect();
    let t = |k: &str| lang.t(k).to_string();
    // Out of 100 points, in hundredths.
    Ok(Chart::bars("chart-trend", t("ui.admin.scorecard_trend"), t("ui.admin.scorecard_trend_note"), items, 10_000))
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let lang = visit.lang;
    let may_enter = motcua_engine::domain::policy::staff_may(
        &staff,
        motcua_engine::domain::policy::Access::Administer,
        motcua_engine::domain::policy::Target::Anywhere,
    );
    let Query { ky, co_quan, theo } = query.into_inner();
    let today = state.services.calendar.local_date(state.services.now());
    let agency = Some(co_quan.trim().to_string()).filter(|a| !a.is_empty());
    let by = theo.unwrap_or(By::Agency);
    let mut errors = Errors::default();
    let period = period_of(&ky, today);
    if period.is_none() {
        errors.add("ky", lang.t("ui.admin.scorecard_bad_period"));
    }
    let period_text = period_text(&ky, today);
    let (services, asked) = (state.clone(), agency.clone());
    let answer = web::block(move || {
        let choices = services.services.reports().scorecard_agencies(&staff)?;
        let Some(period) = period else { return Ok((choices, None)) };
        let query = ScoreQuery { agency: asked.clone(), period };
        let card = services.services.reports().scorecard(&staff, &query)?;
        let breakdown = services.services.reports().breakdown(&staff, &query, by)?;
        let trend = trend(lang, &services, &staff, asked.as_deref(), period)?;
        Ok::<_, ServiceError>((choices, Some((card, trend, breakdown))))
    })
    .await?;
    let (choices, card) = answer.map_err(|e| PageError::service(&visit, &e))?;
    let agencies = choices
        .into_iter()
        .map(|a| Choice { selected: Some(&a.id) == agency.as_ref(), id: a.id, name: a.name })
        .collect();
    let status = if card.is_some() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ScorecardPage {
        shell: visit.shell(lang.t("ui.admin.scorecard_title")),
        scored: card.map(|(card, trend, breakdown)| scored(lang, &card, &period_text, trend, &breakdown, may_enter)),
        period_text,
        agencies,
        errors,
    };
    Ok(visit.page(status, render(&page)?))
}

#[derive(Debug, Deserialize)]
pub struct LostQuery {
    #[serde(default)]
    ky: String,
    #[serde(default, rename = "co-quan")]
    co_quan: String,
    tap: Lost,
    #[serde(default)]
    sau: String,
}

pub struct LostRow {
    pub href: String,
    pub code: String,
    pub procedure: String,
    pub channel: String,
    pub received: String,
    pub finished: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "admin/scorecard_lost.html")]
struct LostPageView {
    shell: Shell,
    back: String,
    period: String,
    rows: Vec<LostRow>,
    next: Option<String>,
    downloads: Downloads,
}

pub async fn lost(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<LostQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let lang = visit.lang;
    let LostQuery { ky, co_quan, tap, sau } = query.into_inner();
    let today = state.services.calendar.local_date(state.services.now());
    let period = period_or_refuse(&visit, &ky, today)?;
    let agency = Some(co_quan.trim().to_string()).filter(|a| !a.is_empty());
    let services = state.services.clone();
    let query = ScoreQuery { agency: agency.clone(), period };
    let after = Some(sau.clone()).filter(|s| !s.is_empty());
    let page = web::block(move || services.reports().lost_points(&staff, &query, tap, after.as_deref(), Some(50)))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    let calendar = &state.services.calendar;
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.with_timezone(&calendar.timezone()).format("%d/%m/%Y %H:%M").to_string()).unwrap_or_default()
    };
    let channel = |c: i32| {
        lang.t(match c {
            2 => "ui.staff.channel.2",
            3 => "ui.staff.channel.3",
            _ => "ui.staff.channel.1",
        })
        .to_string()
    };
    let rows = page
        .items
        .iter()
        .map(|d| LostRow {
            href: format!("/can-bo/ho-so/{}", d.dossier_id),
            code: d.code.clone().unwrap_or_else(|| d.dossier_id.clone()),
            procedure: state
                .services
                .catalogue
                .current(&d.procedure_code)
                .map_or_else(|| d.procedure_code.clone(), |p| format!("{} – {}", p.code, p.name)),
            channel: channel(d.channel),
            received: when(d.received_at),
            finished: when(d.finished_at),
            due: when(d.due_at),
        })
        .collect();
    let period_text = period_text(&ky, today);
    let back = scorecard_href("/can-bo/diem-766?", &period_text, agency.as_deref());
    let next = page.next_cursor.map(|c| format!("{}&sau={}", lost_href(tap, &period_text, agency.as_deref()), c));
    let download =
        scorecard_href(&format!("/can-bo/diem-766/tai-ve?tap={}&", tap.as_str()), &period_text, agency.as_deref());
    let view = LostPageView {
        shell: visit.shell(format!("{}: {}", lang.t("ui.admin.lost_title"), lang.t(lost_key(tap)))),
        back,
        period: shown(period),
        rows,
        next,
        downloads: downloads(&download),
    };
    Ok(visit.page(StatusCode::OK, render(&view)?))
}

pub struct LowLine {
    pub href: String,
    pub code: String,
    pub officer: String,
    pub score: i32,
    pub comment: String,
    pub rated: String,
}

#[derive(Template)]
#[template(path = "admin/scorecard_ratings.html")]
struct LowRatingsView {
    shell: Shell,
    back: String,
    period: String,
    rows: Vec<LowLine>,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LowQuery {
    #[serde(default)]
    ky: String,
    #[serde(default, rename = "co-quan")]
    co_quan: String,
    #[serde(default)]
    sau: String,
}

/// `/can-bo/diem-766/danh-gia-thap`: the "not satisfied" ratings of the period, with the applicants' comments.
pub async fn low_ratings(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<LowQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let lang = visit.lang;
    let LowQuery { ky, co_quan, sau } = query.into_inner();
    let today = state.services.calendar.local_date(state.services.now());
    let period = period_or_refuse(&visit, &ky, today)?;
    let agency = Some(co_quan.trim().to_string()).filter(|a| !a.is_empty());
    let services = state.services.clone();
    let query = ScoreQuery { agency: agency.clone(), period };
    let after = Some(sau).filter(|s| !s.is_empty());
    let page = web::block(move || services.reports().low_ratings(&staff, &query, after.as_deref(), Some(50)))
        .await?
        .map_err(|e| PageError::service(&visit, &e))?;
    let zone = state.services.calendar.timezone();
    let rows = page
        .items
        .iter()
        .map(|r| LowLine {
            href: format!("/can-bo/ho-so/{}", r.dossier_id),
            code: r.code.clone().unwrap_or_else(|| r.dossier_id.clone()),
            officer: r.handler_name.clone().or_else(|| r.handler_id.clone()).unwrap_or_default(),
            score: r.score,
            comment: r.comment.clone().unwrap_or_default(),
            rated: chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(r.rated_at, chrono::Utc)
                .with_timezone(&zone)
                .format("%d/%m/%Y %H:%M")
                .to_string(),
        })
        .collect();
    let period_text = period_text(&ky, today);
    let here = scorecard_href("/can-bo/diem-766/danh-gia-thap?", &period_text, agency.as_deref());
    let view = LowRatingsView {
        shell: visit.shell(lang.t("ui.admin.rating_low_title")),
        back: scorecard_href("/can-bo/diem-766?", &period_text, agency.as_deref()),
        period: shown(period),
        rows,
        next: page.next_cursor.map(|c| format!("{here}&sau={c}")),
    };
    Ok(visit.page(StatusCode::OK, render(&view)?))
}

#[derive(Debug, Deserialize)]
pub struct DownloadQuery {
    #[serde(default)]
    ky: String,
    #[serde(default, rename = "co-quan")]
    co_quan: String,
    /// A breakdown by this; else a lost set (`tap`); else the scorecard.
    theo: Option<By>,
    tap: Option<Lost>,
    #[serde(rename = "dinh-dang")]
    dinh_dang: SheetFormat,
}

/// `/can-bo/diem-766/tai-ve`: the scorecard, a breakdown or every dossier of a lost set as CSV or XLSX, the same
/// tables the API downloads.
pub async fn download(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = visit.require_staff()?;
    let DownloadQuery { ky, co_quan, theo, tap, dinh_dang: format } = query.into_inner();
    let today = state.services.calendar.local_date(state.services.now());
    let period = period_or_refuse(&visit, &ky, today)?;
    let agency = Some(co_quan.trim().to_string()).filter(|a| !a.is_empty());
    let query = ScoreQuery { agency: agency.clone(), period };
    let period_text = period_text(&ky, today);
    let services = state.services.clone();
    let stem = |what: &str| sheets::stem(&[what, agency.as_deref().unwrap_or(""), &period_text]);
    match (theo, tap) {
        (Some(by), _) => {
            let name = stem(&format!("diem-766-theo-{}", by.as_str()));
            let b = web::block(move || services.reports().breakdown(&staff, &query, by))
                .await?
                .map_err(|e| PageError::service(&visit, &e))?;
            Ok(crate::downloads::attachment(sheets::stream_table(format, &name, tables::breakdown(&b))))
        }
        (None, Some(set)) => {
            let name = stem(&format!("mat-diem-{}", set.as_str()));
            // The rights are checked before the download starts; then agency by agency.
            let walk = {
                let (services, staff, query) = (services.clone(), staff.clone(), query.clone());
                web::block(move || services.reports().lost_walk(&staff, &query, set))
                    .await?
                    .map_err(|e| PageError::service(&visit, &e))?
            };
            Ok(crate::downloads::attachment(sheets::stream(format, &name, tables::lost_headers(), move |emit| {
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
        (None, None) => {
            let name = stem("diem-766");
            let card = web::block(move || services.reports().scorecard(&staff, &query))
                .await?
                .map_err(|e| PageError::service(&visit, &e))?;
            Ok(crate::downloads::attachment(sheets::stream_table(format, &name, tables::scorecard(&card))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_read_the_local_way_and_sets_keep_their_api_names() {
        let vi = UiLang { lang: Lang::Vi, chosen: false };
        let en = UiLang { lang: Lang::En, chosen: false };
        assert_eq!(points(vi, 5323), "53,23");
        assert_eq!(points(en, 600), "6.00");
        assert_eq!(points(en, 5), "0.05");
        assert_eq!(Lost::NotSyncedOnTime.as_str(), "not_synced_on_time");
        assert_eq!(lost_href(Lost::FinishedLate, "2026-Q3", Some("000.31.01.H26")).matches('&').count(), 2);
    }
}
