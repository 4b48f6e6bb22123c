//! The working-time calendar in use (`/quan-tri/lich?nam=`): working weekdays and hours, holidays and
//! make-up working days of a year, as the legal clock counts them.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use super::{Tab, admin, tabs};
use crate::UiState;
use crate::form::Errors;
use crate::i18n::UiLang;
use crate::pages::Shell;
use crate::session::Visit;
use crate::shell::render;

#[derive(Debug, Default, Deserialize)]
pub struct Query {
    #[serde(default)]
    nam: String,
}

pub struct Day {
    pub date: String,
    pub weekday: &'static str,
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
    admin(&visit)?;
    let lang = visit.lang;
    let this_year = state.services.calendar.local_date(state.services.now()).year();
    let asked = query.into_inner().nam;
    let mut errors = Errors::default();
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
    };
    let status = if page.status_ok { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(visit.page(status, render(&page)?))
}
