//! `motcua deadline`: the due instant of DESIGN.md §7, computed by the engine's own code.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Args;
use motcua_engine::domain::calendar::{Calendar, parse_time_of_day};
use motcua_engine::domain::deadline::{ProcessingTime, checked_due_instant};

use super::usage_error;

/// The calendar shipped in `fixtures/`, used when `--calendar` is not given.
pub use motcua_engine::service::DEFAULT_CALENDAR;

#[derive(Args)]
#[command(group = clap::ArgGroup::new("time").required(true).args(["working_days", "working_hours", "calendar_days"]))]
pub struct DeadlineArgs {
    /// Reception instant, RFC 3339 (e.g. 2026-11-23T09:30:00+07:00).
    #[arg(long)]
    received: String,
    /// Processing time in working days (0 = same day).
    #[arg(long, allow_hyphen_values = true)]
    working_days: Option<i64>,
    /// For working days = 0: received after this time (HH:MM), due at the end of the next working day.
    #[arg(long, requires = "working_days")]
    same_day_cutoff: Option<String>,
    /// Processing time in working hours.
    #[arg(long, allow_hyphen_values = true)]
    working_hours: Option<i64>,
    /// Processing time in days as the law counts them (Civil Code Art. 147-148): from the day after reception to
    /// the end of day N, or of the next working day when day N is not one.
    #[arg(long, allow_hyphen_values = true)]
    calendar_days: Option<i64>,
    /// Calendar file (default: the built-in Vietnamese civil-service calendar).
    #[arg(long)]
    calendar: Option<PathBuf>,
}

pub fn run(args: DeadlineArgs) -> ExitCode {
    let received = match DateTime::parse_from_rfc3339(&args.received) {
        Ok(t) => t.with_timezone(&Utc),
        Err(e) => {
            return usage_error(format!("--received `{}` is not an RFC 3339 instant: {e}", args.received));
        }
    };
    let calendar_text = match &args.calendar {
        None => DEFAULT_CALENDAR.to_string(),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => return usage_error(format!("cannot read calendar {}: {e}", path.display())),
        },
    };
    let calendar = match Calendar::from_toml(&calendar_text) {
        Ok(c) => c,
        Err(e) => return usage_error(format!("calendar: {e}")),
    };
    let cutoff = match args.same_day_cutoff.as_deref().map(|t| (t, parse_time_of_day(t))) {
        None => None,
        Some((_, Some(t))) => Some(t),
        Some((text, None)) => {
            return usage_error(format!("--same-day-cutoff `{text}` is not a time HH:MM"));
        }
    };
    if cutoff.is_some() && args.working_days.is_none() {
        return usage_error("--same-day-cutoff applies only to --working-days 0");
    }
    let time = match (args.working_days, args.working_hours, args.calendar_days) {
        (Some(n), _, _) if n < 0 => {
            return usage_error(format!("--working-days must not be negative (got {n})"));
        }
        (Some(n), _, _) if n > 10_000 => return usage_error("--working-days is too large"),
        (Some(0), _, _) => ProcessingTime::SameDay { cutoff },
        (Some(_), _, _) if cutoff.is_some() => {
            return usage_error("--same-day-cutoff applies only to --working-days 0");
        }
        (Some(n), _, _) => ProcessingTime::WorkingDays(n as u32),
        (None, Some(h), _) if h <= 0 => {
            return usage_error(format!("--working-hours must be more than 0 (got {h})"));
        }
        (None, Some(h), _) if h > 80_000 => return usage_error("--working-hours is too large"),
        (None, Some(h), _) => ProcessingTime::WorkingHours(h as u32),
        (None, None, Some(n)) if n <= 0 => {
            return usage_error(format!("--calendar-days must be more than 0 (got {n})"));
        }
        (None, None, Some(n)) if n > 36_500 => return usage_error("--calendar-days is too large"),
        (None, None, Some(n)) => ProcessingTime::CalendarDays(n as u32),
        (None, None, None) => return usage_error("give --working-days, --working-hours or --calendar-days"),
    };
    match checked_due_instant(&calendar, received, time) {
        Some(due) => println!("{}", calendar.rfc3339(due)),
        None => return usage_error("--received must be within the years 1-9999 and the time limit at most a century"),
    }
    ExitCode::SUCCESS
}
