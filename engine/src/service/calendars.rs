//! The working-time calendar in use, versioned in the store. An administrator changes a day (the government
//! moves a day off); each change is a new version, audited, and every process takes it up within
//! [`REFRESH_EVERY`]. Deadlines already computed stay as they were computed (each dossier records the version
//! its deadline was last computed with); the clock's later computations use the version in use then.

use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};

use super::{Administration, FieldError, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::calendar::{Calendar, CalendarError, DayChange};
use crate::store::calendars::{self, Version};
use crate::store::{Db, audit};

/// Who made the versions taken in from the calendar file (or the one built in) at a start.
const FROM_START: &str = "system:start";

/// The years whose days an administrator may change.
pub const FIRST_YEAR: i32 = 1970;
pub const LAST_YEAR: i32 = 2200;

/// How often a process looks for a newer version made by another.
pub const REFRESH_EVERY: Duration = Duration::from_secs(30);

/// The calendar in use and its version. Reads are a lock and a copied reference: each version is kept for the
/// life of the process (a few a year), so a `&Calendar` handed out stays valid whatever changes after.
pub struct CurrentCalendar {
    current: RwLock<(&'static Calendar, i32)>,
    checked: Mutex<Instant>,
}

impl std::ops::Deref for CurrentCalendar {
    type Target = Calendar;

    fn deref(&self) -> &Calendar {
        self.current.read().expect("calendar lock").0
    }
}

impl std::fmt::Debug for CurrentCalendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CurrentCalendar(version {})", self.version())
    }
}

impl CurrentCalendar {
    fn new(calendar: Calendar, version: i32) -> CurrentCalendar {
        CurrentCalendar {
            current: RwLock::new((Box::leak(Box::new(calendar)), version)),
            checked: Mutex::new(Instant::now()),
        }
    }

    /// The version in use.
    pub fn version(&self) -> i32 {
        self.current.read().expect("calendar lock").1
    }

    fn set(&self, calendar: Calendar, version: i32) {
        let mut current = self.current.write().expect("calendar lock");
        if version > current.1 {
            *current = (Box::leak(Box::new(calendar)), version);
        }
    }
}

/// The calendar to use at start: the newest stored version; before the first, `text` (the configured file, or
/// the calendar built in) as version 1. A `text` that differs from the last one taken in (a new release's
/// holidays, an edited file) becomes the next version, unless an administrator changed the calendar since:
/// then her version stays, with a warning in the log.
pub(super) fn adopt(
    db: &Db,
    text: &str,
    from_file: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<CurrentCalendar, String> {
    loop {
        let latest = db.read(calendars::latest).map_err(|e| e.to_string())?;
        let from_start = db.read(|conn| calendars::latest_by(conn, FROM_START)).map_err(|e| e.to_string())?;
        let file_changed = from_start.as_ref().is_none_or(|v| v.body != text);
        let (body, version) = match latest {
            Some(v) if !file_changed => (v.body, v.version),
            // The file (or the calendar built in) changed, but an administrator changed the calendar since its
            // last version: her changes stand, and she is told to bring in what the file adds.
            Some(v) if v.created_by != FROM_START => {
                tracing::warn!(
                    version = v.version,
                    "the calendar file differs from the one last taken in, but an administrator has changed the \
                     calendar since: version {} stays in use; add the file's new days at /quan-tri/lich",
                    v.version
                );
                (v.body, v.version)
            }
            latest => {
                let next = latest.as_ref().map_or(1, |v| v.version + 1);
                let note = match (next, from_file) {
                    (1, _) => "initial calendar",
                    (_, true) => "calendar file of the configuration (MOTCUA_CALENDAR)",
                    (_, false) => "calendar built into this release",
                };
                let added = db.write(|conn| calendars::add(conn, next, text, now, FROM_START, note));
                match added {
                    Ok(v) => (v.body, v.version),
                    // Another process starting at the same moment added it: read again.
                    Err(e) if e.is_unique_violation() => continue,
                    Err(e) => return Err(e.to_string()),
                }
            }
        };
        let calendar = Calendar::from_toml(&body).map_err(|e| format!("calendar version {version}: {e}"))?;
        return Ok(CurrentCalendar::new(calendar, version));
    }
}

/// The message code of a change refused by the calendar's rules.
fn refusal(e: &CalendarError) -> &'static str {
    match e {
        CalendarError::NotAWorkingDay(_) => "calendar.not_a_working_day",
        CalendarError::AlreadyWorking(_) => "calendar.already_working",
        CalendarError::NotListed(_) => "calendar.not_listed",
        _ => "calendar.invalid",
    }
}

impl Services {
    /// Takes up a newer version another process made, at most every [`REFRESH_EVERY`] (or now, `force`).
    pub fn refresh_calendar(&self, force: bool) -> ServiceResult<()> {
        {
            let mut checked = self.calendar.checked.lock().expect("calendar lock");
            if !force && checked.elapsed() < REFRESH_EVERY {
                return Ok(());
            }
            *checked = Instant::now();
        }
        let newest = self.db.read(|conn| calendars::latest_number(conn).map_err(ServiceError::from))?;
        if newest > self.calendar.version() {
            let version = self
                .db
                .read(|conn| calendars::latest(conn).map_err(ServiceError::from))?
                .ok_or(ServiceError::Internal("a calendar version vanished".into()))?;
            let calendar = Calendar::from_toml(&version.body).map_err(|e| ServiceError::Internal(e.to_string()))?;
            tracing::info!(version = version.version, "working-time calendar changed");
            self.calendar.set(calendar, version.version);
        }
        Ok(())
    }
}

impl Services {
    /// The calendar version a dossier's deadline was computed with (`None`: before calendars were versioned).
    /// The caller has checked the dossier is theirs to see.
    pub fn deadline_calendar(&self, dossier_id: &str) -> ServiceResult<Option<i32>> {
        self.db.read(|conn| calendars::of_dossier(conn, dossier_id).map_err(ServiceError::from))
    }
}

impl Administration<'_> {
    /// Every version of the calendar, newest first.
    pub fn calendar_versions(&self, caller: &StaffIdentity) -> ServiceResult<Vec<Version>> {
        self.admin_only(caller, "calendar versions")?;
        self.db.read(|conn| calendars::all(conn).map_err(ServiceError::from))
    }

    /// Changes one day of the calendar: a new version, in use at once here and within [`REFRESH_EVERY`] in the
    /// other processes; audited. `note` says why (the government's decision, say).
    pub fn change_calendar_day(&self, caller: &StaffIdentity, change: DayChange, note: &str) -> ServiceResult<Version> {
        self.admin_only(caller, "calendar change")?;
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 500 {
            let code = if note.is_empty() { "field.required" } else { "field.too_long" };
            return Err(ServiceError::Invalid(vec![FieldError::new("note", code)]));
        }
        let (day, what) = match change {
            DayChange::AddHoliday(d) => (d, "add_holiday"),
            DayChange::RemoveHoliday(d) => (d, "remove_holiday"),
            DayChange::AddWorkingWeekend(d) => (d, "add_working_weekend"),
            DayChange::RemoveWorkingWeekend(d) => (d, "remove_working_weekend"),
        };
        // The years the calendar page shows; a day off in 9999 is a typing slip, not a decision.
        if !(FIRST_YEAR..=LAST_YEAR).contains(&day.year()) {
            return Err(ServiceError::Invalid(vec![FieldError::new("date", "field.out_of_range")]));
        }
        self.refresh_calendar(true)?;
        let changed = self
            .calendar
            .changed(change)
            .map_err(|e| ServiceError::Invalid(vec![FieldError::new("date", refusal(&e))]))?;
        let body = changed.to_toml();
        let now = self.now();
        let by = format!("staff:{}", caller.id);
        let version = self.db.write(|conn| {
            let next = calendars::latest_number(conn)? + 1;
            if next != self.calendar.version() + 1 {
                // Changed elsewhere since it was read: the administrator looks again.
                return Err(ServiceError::Conflict("calendar.changed_meanwhile", next.to_string()));
            }
            let version = calendars::add(conn, next, &body, now, &by, note)?;
            audit::record(conn, now, &by, &format!("calendar_{what}"), &day_text(day), &format!("version {next}"))?;
            Ok(version)
        })?;
        self.calendar.set(changed, version.version);
        Ok(version)
    }
}

fn day_text(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}
