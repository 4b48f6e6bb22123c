//! Working-time calendar (DESIGN.md §7): when the legal clock runs.
//!
//! The clock runs only inside the sessions of working days. Every instant is a UTC `DateTime`; the calendar's
//! timezone only decides which local day and session an instant falls in.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

/// A working-time calendar, validated: sessions sorted and disjoint, at least one working weekday.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    timezone: Tz,
    working_weekdays: [bool; 7],
    sessions: Vec<Session>,
    holidays: BTreeSet<NaiveDate>,
    working_weekends: BTreeSet<NaiveDate>,
}

/// One working session of a day, `[start, end)` in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// Early, on time or late, per rule 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("calendar is not valid TOML: {0}")]
    Syntax(String),
    #[error("unknown timezone `{0}`")]
    UnknownTimezone(String),
    #[error("unknown weekday `{0}` (use mon, tue, wed, thu, fri, sat, sun)")]
    UnknownWeekday(String),
    #[error("no working weekday is listed")]
    NoWorkingDays,
    #[error("`{0}` is not a time of day HH:MM")]
    BadTime(String),
    #[error("no session is listed")]
    NoSessions,
    #[error("session {0}-{1} ends before it starts")]
    EmptySession(String, String),
    #[error("sessions {0}-{1} and {2}-{3} overlap")]
    OverlappingSessions(String, String, String, String),
    #[error("{0} is listed both as a holiday and as a working weekend day")]
    HolidayAndWorkingDay(NaiveDate),
    #[error("{0} is not a working day: a holiday there changes nothing")]
    NotAWorkingDay(NaiveDate),
    #[error("{0} is a working day already")]
    AlreadyWorking(NaiveDate),
    #[error("{0} is not listed")]
    NotListed(NaiveDate),
}

/// One day's change of a calendar, what an administrator does when the government moves days off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayChange {
    /// A working day becomes a day off.
    AddHoliday(NaiveDate),
    RemoveHoliday(NaiveDate),
    /// A weekend day becomes a make-up working day.
    AddWorkingWeekend(NaiveDate),
    RemoveWorkingWeekend(NaiveDate),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    timezone: String,
    working_days: Vec<String>,
    sessions: Vec<[String; 2]>,
    #[serde(default)]
    holidays: Vec<NaiveDate>,
    #[serde(default)]
    working_weekends: Vec<NaiveDate>,
}

const WEEKDAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn parse_time_of_day(text: &str) -> Option<NaiveTime> {
    // Exactly HH:MM; chrono alone would also accept "7:5".
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    NaiveTime::parse_from_str(text, "%H:%M").ok()
}

impl Calendar {
    /// Parses and validates a calendar file in the format of DESIGN.md §7.
    pub fn from_toml(text: &str) -> Result<Calendar, CalendarError> {
        let file: CalendarFile = toml::from_str(text).map_err(|e| CalendarError::Syntax(e.message().to_string()))?;
        let timezone: Tz = file.timezone.parse().map_err(|_| CalendarError::UnknownTimezone(file.timezone.clone()))?;
        let mut working_weekdays = [false; 7];
        for name in &file.working_days {
            let index = WEEKDAY_NAMES
                .iter()
                .position(|known| known == &name.to_lowercase())
                .ok_or_else(|| CalendarError::UnknownWeekday(name.clone()))?;
            working_weekdays[index] = true;
        }
        let mut sessions = Vec::with_capacity(file.sessions.len());
        for [start, end] in &file.sessions {
            let parse = |t: &String| parse_time_of_day(t).ok_or_else(|| CalendarError::BadTime(t.clone()));
            sessions.push(Session { start: parse(start)?, end: parse(end)? });
        }
        let holidays: BTreeSet<NaiveDate> = file.holidays.into_iter().collect();
        let working_weekends: BTreeSet<NaiveDate> = file.working_weekends.into_iter().collect();
        Calendar::new(timezone, working_weekdays, sessions, holidays, working_weekends)
    }

    pub fn new(
        timezone: Tz,
        working_weekdays: [bool; 7],
        mut sessions: Vec<Session>,
        holidays: BTreeSet<NaiveDate>,
        working_weekends: BTreeSet<NaiveDate>,
    ) -> Result<Calendar, CalendarError> {
        if !working_weekdays.iter().any(|&w| w) {
            return Err(CalendarError::NoWorkingDays);
        }
        if sessions.is_empty() {
            return Err(CalendarError::NoSessions);
        }
        let hm = |t: NaiveTime| t.format("%H:%M").to_string();
        for s in &sessions {
            if s.end <= s.start {
                return Err(CalendarError::EmptySession(hm(s.start), hm(s.end)));
            }
        }
        sessions.sort_by_key(|s| s.start);
        for pair in sessions.windows(2) {
            if pair[1].start < pair[0].end {
                let (a, b) = (pair[0], pair[1]);
                return Err(CalendarError::OverlappingSessions(hm(a.start), hm(a.end), hm(b.start), hm(b.end)));
            }
        }
        if let Some(day) = holidays.intersection(&working_weekends).next() {
            return Err(CalendarError::HolidayAndWorkingDay(*day));
        }
        Ok(Calendar { timezone, working_weekdays, sessions, holidays, working_weekends })
    }

    /// The calendar with one day changed; refused when the change would change nothing.
    pub fn changed(&self, change: DayChange) -> Result<Calendar, CalendarError> {
        let mut next = self.clone();
        match change {
            DayChange::AddHoliday(day) if !self.is_working_day(day) => return Err(CalendarError::NotAWorkingDay(day)),
            DayChange::AddHoliday(day) => {
                // A make-up day cancelled is a day off again: take it off the make-up list rather than both.
                if !next.working_weekends.remove(&day) {
                    next.holidays.insert(day);
                }
            }
            DayChange::AddWorkingWeekend(day) if self.is_working_day(day) => {
                return Err(CalendarError::AlreadyWorking(day));
            }
            DayChange::AddWorkingWeekend(day) => {
                if !next.holidays.remove(&day) {
                    next.working_weekends.insert(day);
                }
            }
            DayChange::RemoveHoliday(day) if !next.holidays.remove(&day) => return Err(CalendarError::NotListed(day)),
            DayChange::RemoveWorkingWeekend(day) if !next.working_weekends.remove(&day) => {
                return Err(CalendarError::NotListed(day));
            }
            DayChange::RemoveHoliday(_) | DayChange::RemoveWorkingWeekend(_) => {}
        }
        Ok(next)
    }

    /// The calendar written in its file's form (what `from_toml` reads back to an equal calendar).
    pub fn to_toml(&self) -> String {
        let days = |set: &BTreeSet<NaiveDate>| set.iter().map(|d| format!("\"{d}\"")).collect::<Vec<_>>().join(", ");
        let weekdays: Vec<String> = WEEKDAY_NAMES
            .iter()
            .zip(self.working_weekdays)
            .filter(|(_, works)| *works)
            .map(|(name, _)| format!("\"{name}\""))
            .collect();
        let sessions: Vec<String> = self
            .sessions
            .iter()
            .map(|s| format!("[\"{}\", \"{}\"]", s.start.format("%H:%M"), s.end.format("%H:%M")))
            .collect();
        format!(
            "timezone = \"{}\"\nworking_days = [{}]\nsessions = [{}]\nholidays = [{}]\nworking_weekends = [{}]\n",
            self.timezone.name(),
            weekdays.join(", "),
            sessions.join(", "),
            days(&self.holidays),
            days(&self.working_weekends)
        )
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// The running time of one working day: the sum of its sessions.
    pub fn day_length(&self) -> TimeDelta {
        self.sessions.iter().map(|s| s.end - s.start).sum()
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.holidays.contains(&date) {
            return false;
        }
        if self.working_weekends.contains(&date) {
            return true;
        }
        self.working_weekdays[date.weekday().num_days_from_monday() as usize]
    }

    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.timezone).date_naive()
    }

    /// The instant of a local date and time in this calendar's timezone (the earlier one if ambiguous).
    pub fn instant(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = date.and_time(time);
        match self.timezone.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            // A gap (DST jump forward): the wall-clock time does not exist; take the same UTC offset as the
            // day's start, which moves it forward across the gap.
            chrono::LocalResult::None => {
                let offset = self.timezone.offset_from_utc_date(&date);
                (local - chrono::offset::Offset::fix(&offset)).and_utc()
            }
        }
    }

    /// Formats an instant in RFC 3339 with the calendar's UTC offset.
    pub fn rfc3339(&self, instant: DateTime<Utc>) -> String {
        instant.with_timezone(&self.timezone).to_rfc3339()
    }

    /// Running intervals from `from` onwards, in order: the session `from` is in (clipped to start at `from`),
    /// then every later session of every working day.
    pub fn running_intervals(&self, from: DateTime<Utc>) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let first_day = self.local_date(from);
        (0u32..)
            .map_while(move |offset| first_day.checked_add_days(chrono::Days::new(offset.into())))
            .filter(move |day| self.is_working_day(*day))
            .flat_map(move |day| {
                self.sessions.iter().map(move |s| (self.instant(day, s.start), self.instant(day, s.end)))
            })
            .filter(move |(_, end)| *end > from)
            .map(move |(start, end)| (start.max(from), end))
    }

    /// Where the clock starts for an event at `instant` (rule 2): the instant itself inside a session,
    /// otherwise the next session start.
    pub fn clock_start(&self, instant: DateTime<Utc>) -> DateTime<Utc> {
        self.running_intervals(instant).next().map(|(start, _)| start).expect("calendars have working days")
    }

    /// The instant at which `running` time of clock has elapsed from `start` (rules 1-3). Reached exactly at a
    /// session end, the answer is that session end.
    pub fn add(&self, start: DateTime<Utc>, running: TimeDelta) -> DateTime<Utc> {
        let mut remaining = running.max(TimeDelta::zero());
        for (from, to) in self.running_intervals(start) {
            let length = to - from;
            if remaining <= length {
                return from + remaining;
            }
            remaining -= length;
        }
        unreachable!("running_intervals is infinite")
    }

    /// Running clock time between two instants (zero if `to` is not after `from`).
    pub fn running_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        let mut total = TimeDelta::zero();
        if to <= from {
            return total;
        }
        for (start, end) in self.running_intervals(from) {
            if start >= to {
                break;
            }
            total += end.min(to) - start;
        }
        total
    }

    /// End of the last session of a (working) day.
    pub fn end_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        let last = self.sessions.last().expect("validated: sessions exist");
        self.instant(date, last.end)
    }

    pub fn next_working_day_after(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        loop {
            day = day.succ_opt().expect("dates stay within chrono's range");
            if self.is_working_day(day) {
                return day;
            }
        }
    }

    /// Rule 7: early, on time or late, comparing local dates first.
    pub fn classify(&self, completed_at: DateTime<Utc>, due_at: DateTime<Utc>) -> Timeliness {
        if self.local_date(completed_at) < self.local_date(due_at) {
            Timeliness::Early
        } else if completed_at <= due_at {
            Timeliness::OnTime
        } else {
            Timeliness::Late
        }
    }

    /// Running time left until `due_at` (zero once it has passed).
    pub fn remaining(&self, now: DateTime<Utc>, due_at: DateTime<Utc>) -> TimeDelta {
        self.running_between(now, due_at)
    }

    /// Rule 8: less than one working day of running clock left, and not yet overdue.
    pub fn is_nearly_due(&self, now: DateTime<Utc>, due_at: DateTime<Utc>) -> bool {
        now <= due_at && self.remaining(now, due_at) < self.day_length()
    }
}

#[cfg(test)]
pub(crate) mod tests {

    #[test]
    fn a_day_changed_reads_back_from_its_file_and_a_change_that_changes_nothing_is_refused() {
        let shipped = Calendar::from_toml(include_str!("../../../fixtures/calendar.toml")).unwrap();
        assert_eq!(Calendar::from_toml(&shipped.to_toml()).unwrap(), shipped, "the file form reads back equal");
        let tuesday = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        let saturday = NaiveDate::from_ymd_opt(2026, 12, 19).unwrap();
        let off = shipped.changed(DayChange::AddHoliday(tuesday)).unwrap();
        assert!(!off.is_working_day(tuesday) && shipped.is_working_day(tuesday));
        assert_eq!(Calendar::from_toml(&off.to_toml()).unwrap(), off);
        assert_eq!(off.changed(DayChange::AddHoliday(tuesday)), Err(CalendarError::NotAWorkingDay(tuesday)));
        assert_eq!(off.changed(DayChange::RemoveHoliday(tuesday)).unwrap(), shipped);
        let make_up = shipped.changed(DayChange::AddWorkingWeekend(saturday)).unwrap();
        assert!(make_up.is_working_day(saturday));
        assert_eq!(make_up.changed(DayChange::AddHoliday(saturday)).unwrap(), shipped, "a make-up day cancelled");
        assert_eq!(shipped.changed(DayChange::RemoveWorkingWeekend(saturday)), Err(CalendarError::NotListed(saturday)));
        assert_eq!(shipped.changed(DayChange::AddWorkingWeekend(tuesday)), Err(CalendarError::AlreadyWorking(tuesday)));
    }

    use super::*;

    /// The calendar of DESIGN.md §7 with a few 2027 holidays: used across the domain's tests.
    pub(crate) fn vn_calendar() -> Calendar {
        Calendar::from_toml(
            r#"
timezone = "Asia/Ho_Chi_Minh"
working_days = ["mon", "tue", "wed", "thu", "fri"]
sessions = [["07:30", "11:30"], ["13:00", "17:00"]]
holidays = ["2027-01-01", "2027-02-04", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10"]
working_weekends = ["2027-01-09"]
"#,
        )
        .unwrap()
    }

    pub(crate) fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn parses_and_measures_a_working_day() {
        let cal = vn_calendar();
        assert_eq!(cal.day_length(), TimeDelta::hours(8));
        assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
        assert!(cal.is_working_day(NaiveDate::from_ymd_opt(2027, 1, 9).unwrap()), "make-up Saturday");
        assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2027, 1, 10).unwrap()), "Sunday");
    }

    #[test]
    fn rejects_bad_calendars_with_a_reason() {
        let base = |days: &str, sessions: &str| {
            format!("timezone = \"Asia/Ho_Chi_Minh\"\nworking_days = {days}\nsessions = {sessions}\n")
        };
        let err = |text: String| Calendar::from_toml(&text).unwrap_err();
        assert_eq!(
            err(base(r#"["mon", "fryday"]"#, r#"[["07:30", "11:30"]]"#)),
            CalendarError::UnknownWeekday("fryday".into())
        );
        assert_eq!(
            err(base(r#"["mon"]"#, r#"[["07:30", "11:30"], ["11:00", "17:00"]]"#)),
            CalendarError::OverlappingSessions("07:30".into(), "11:30".into(), "11:00".into(), "17:00".into())
        );
        assert_eq!(
            err(base(r#"["mon"]"#, r#"[["13:00", "12:00"]]"#)).to_string(),
            "session 13:00-12:00 ends before it starts"
        );
        assert_eq!(err(base(r#"["mon"]"#, r#"[["7:30", "12:00"]]"#)), CalendarError::BadTime("7:30".into()));
        assert_eq!(err(base("[]", r#"[["07:30", "12:00"]]"#)), CalendarError::NoWorkingDays);
        assert!(matches!(err(base(r#"["mon"]"#, "[]")), CalendarError::NoSessions));
        assert!(matches!(
            err("timezone = \"Mars/Olympus\"\nworking_days = [\"mon\"]\nsessions = [[\"07:30\", \"11:30\"]]".into()),
            CalendarError::UnknownTimezone(_)
        ));
        assert!(matches!(err(base(r#"["mon"]"#, r#"[["07:30", "11:30"]]"#) + "lunch = 1\n"), CalendarError::Syntax(_)));
    }

    #[test]
    fn clock_starts_at_the_next_session_outside_sessions() {
        let cal = vn_calendar();
        // Lunch break: starts at 13:00 the same day.
        assert_eq!(cal.clock_start(at("2026-11-23T12:00:00+07:00")), at("2026-11-23T13:00:00+07:00"));
        // Friday evening: Monday 07:30.
        assert_eq!(cal.clock_start(at("2026-11-27T18:00:00+07:00")), at("2026-11-30T07:30:00+07:00"));
        // Inside a session: the instant itself.
        assert_eq!(cal.clock_start(at("2026-11-23T09:10:00+07:00")), at("2026-11-23T09:10:00+07:00"));
    }

    #[test]
    fn running_between_counts_only_sessions() {
        let cal = vn_calendar();
        let from = at("2026-11-27T16:00:00+07:00"); // Friday
        let to = at("2026-11-30T08:30:00+07:00"); // Monday
        assert_eq!(cal.running_between(from, to), TimeDelta::hours(2));
        assert_eq!(cal.running_between(to, from), TimeDelta::zero());
    }

    #[test]
    fn classification_compares_dates_then_instants() {
        let cal = vn_calendar();
        let due = at("2026-11-25T17:00:00+07:00");
        assert_eq!(cal.classify(at("2026-11-24T16:00:00+07:00"), due), Timeliness::Early);
        assert_eq!(cal.classify(at("2026-11-25T08:00:00+07:00"), due), Timeliness::OnTime);
        assert_eq!(cal.classify(at("2026-11-25T17:00:00+07:00"), due), Timeliness::OnTime);
        assert_eq!(cal.classify(at("2026-11-25T17:00:01+07:00"), due), Timeliness::Late);
        // Late on the due date itself when after the due instant.
        let due_morning = at("2026-11-25T10:00:00+07:00");
        assert_eq!(cal.classify(at("2026-11-25T10:30:00+07:00"), due_morning), Timeliness::Late);
    }

    #[test]
    fn nearly_due_is_less_than_one_working_day_left() {
        let cal = vn_calendar();
        let due = at("2026-11-25T17:00:00+07:00");
        assert!(!cal.is_nearly_due(at("2026-11-24T17:00:00+07:00"), due), "exactly one day left");
        assert!(cal.is_nearly_due(at("2026-11-25T07:31:00+07:00"), due));
        assert!(!cal.is_nearly_due(at("2026-11-25T17:01:00+07:00"), due), "overdue, not nearly due");
    }
}
