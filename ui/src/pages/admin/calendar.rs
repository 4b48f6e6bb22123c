//! The working-time calendar in use (`/quan-tri/lich?nam=`): working weekdays and hours, holidays and
//! make-up working days of a year, as the legal clock counts them; a day off or a make-up working day added or
//! taken back (`POST /quan-tri/lich`, each a new version of the calendar), and the versions made so far.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use super::{Tab, admin, tabs};
use crate::UiState;
use crate::error::PageError;
use crate::form::Errors;
use crate::i18n::UiLang;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;
use motcua_engine::domain::calendar::DayChange;
use motcua_engine::service::ServiceError;

#[derive(Debug, Default, Deserialize)]
pub struct Query {
    #[serde(default)]
    nam: String,
    /// The version just made (after a change).
    #[serde(default)]
    phien_ban: String,
}

pub struct Day {
    pub date: String,
    pub weekday: &'static str,
}

/// A version of the calendar as the page lists it.
pub struct VersionLine {
    pub version: i32,
    pub at: String,
    pub by: String,
    pub note: String,
    pub in_use: bool,
}

/// The change form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    /// add_holiday | remove_holiday | add_working_weekend | remove_working_weekend
    #[serde(default)]
    change: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct Page {
    shell: Shell,
    tabs: Vec<Tab>,
    year_text: String,
    errors: Errors,
    prefix: &'static str,
    year: i32,
    timezone: String,
    weekdays: String,
    sessions: String,
    day_hours: String,
    working_days: u32,
    holidays: Vec<Day>,
    working_weekends: Vec<Day>,
    status_ok: bool,
    versions: Vec<VersionLine>,
    /// What was typed in the change form (kept when it is refused).
    typed_date: String,
    typed_note: String,
    changed_to: Option<i32>,
}

fn weekday(lang: UiLang, day: Weekday) -> &'static str {
    let key = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.num_days_from_monday() as usize];
    lang.t(&format!("ui.admin.weekday.{key}"))
}

fn day(lang: UiLang, date: NaiveDate) -> Day {
    Day { date: date.format("%d/%m/%Y").to_string(), weekday: weekday(lang, date.weekday()) }
}

pub async fn page(
    visit: Visit,
    state: web::Data<UiState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, actix_web::Error> {
    let q = query.into_inner();
    let changed_to = q.phien_ban.parse().ok();
    render_page(&visit, &state, q.nam, Errors::default(), ChangeForm::default(), changed_to).await
}

/// `POST /quan-tri/lich`: one day changed, a new version; the page of that day's year again.
pub async fn change(
    visit: Visit,
    state: web::Data<UiState>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, actix_web::Error> {
    visit.check_csrf(&form.csrf)?;
    let staff = admin(&visit)?;
    let form = form.into_inner();
    let lang = visit.lang;
    let mut errors = Errors::default();
    let date = crate::form::parse_day(&form.date);
    if date.is_none() {
        errors.add("date", lang.t(if form.date.trim().is_empty() { "field.required" } else { "field.invalid_date" }));
    }
    let change = date.and_then(|d| match form.change.as_str() {
        "add_holiday" => Some(DayChange::AddHoliday(d)),
        "remove_holiday" => Some(DayChange::RemoveHoliday(d)),
        "add_working_weekend" => Some(DayChange::AddWorkingWeekend(d)),
        "remove_working_weekend" => Some(DayChange::RemoveWorkingWeekend(d)),
        _ => None,
    });
    if date.is_some() && change.is_none() {
        errors.add("change", lang.t("field.invalid_choice"));
    }
    if let (Some(change), true) = (change, errors.is_empty()) {
        let (services, note) = (state.services.clone(), form.note.clone());
        match web::block(move || services.administration().change_calendar_day(&staff, change, &note)).await? {
            Ok(version) => {
                let year = date.map(|d| d.year()).unwrap_or_default();
                return Ok(visit.see_other(&format!("/quan-tri/lich?nam={year}&phien_ban={}", version.version)));
            }
            Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(..))) => errors = Errors::of(lang, &e),
            Err(e) => return Err(PageError::service(&visit, &e).into()),
        }
    }
    let year = date.map(|d| d.year().to_string()).unwrap_or_default();
    render_page(&visit, &state, year, errors, form, None).await
}

async fn render_page(
    visit: &Visit,
    state: &web::Data<UiState>,
    asked: String,
    mut errors: Errors,
    typed: ChangeForm,
    changed_to: Option<i32>,
) -> Result<HttpResponse, actix_web::Error> {
    let staff = admin(visit)?;
    let lang = visit.lang;
    let this_year = state.services.calendar.local_date(state.services.now()).year();
    let year = match asked.trim() {
        "" => this_year,
        text => match text.parse::<i32>() {
            Ok(y) if (1970..=2200).contains(&y) => y,
            _ => {
                errors.add("nam", lang.t("ui.admin.bad_year"));
                this_year
            }
        },
    };
    let services = state.services.clone();
    let versions = web::block(move || {
        services.refresh_calendar(true)?;
        services.administration().calendar_versions(&staff)
    })
    .await?
    .map_err(|e| PageError::service(visit, &e))?;
    let in_use = state.services.calendar.version();
    let shown = state.services.administration().calendar_year(year);
    let hm = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
    let minutes = shown.day_length.num_minutes();
    let page = Page {
        shell: visit.shell(lang.t("ui.admin.calendar")),
        tabs: tabs(lang, "/quan-tri/lich"),
        year_text: if asked.trim().is_empty() { year.to_string() } else { asked },
        prefix: "",
        year,
        timezone: shown.timezone.clone(),
        weekdays: shown.working_weekdays.iter().map(|d| weekday(lang, *d)).collect::<Vec<_>>().join(", "),
        sessions: shown.sessions.iter().map(|(a, b)| format!("{}–{}", hm(*a), hm(*b))).collect::<Vec<_>>().join(", "),
        day_hours: lang
            .t("ui.admin.hours_minutes")
            .replace("{h}", &(minutes / 60).to_string())
            .replace("{m}", &format!("{:02}", minutes % 60)),
        working_days: shown.working_days,
        holidays: shown.holidays.iter().map(|d| day(lang, *d)).collect(),
        working_weekends: shown.working_weekends.iter().map(|d| day(lang, *d)).collect(),
        status_ok: errors.is_empty(),
        errors,
        versions: versions
            .into_iter()
            .map(|v| VersionLine {
                version: v.version,
                at: crate::pages::staff::local_time(&state.services.calendar, v.created_at.and_utc()),
                by: v.created_by,
                note: v.note,
                in_use: v.version == in_use,
            })
            .collect(),
        typed_date: typed.date,
        typed_note: typed.note,
        changed_to,
    };
    let status = if page.status_ok { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(visit.page(status, render(&page)?))
}
