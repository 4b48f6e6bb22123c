//! Legal deadlines (DESIGN.md §7 rules 1-6 and 9): the due instant of a processing time, and the legal clock of
//! a dossier that pauses, restarts and is extended.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;

/// The legal processing time of a procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProcessingTime {
    /// N working days of running clock (N > 0).
    WorkingDays(u32),
    /// H hours of running clock.
    WorkingHours(u32),
    /// Returned the same working day; received after the cutoff, the next working day (rule 4).
    SameDay { cutoff: Option<NaiveTime> },
    /// N days as the law counts them (rule 9, Civil Code Art. 147-148), N > 0.
    CalendarDays(u32),
}

impl ProcessingTime {
    /// `working_days = 0` is the same-day form.
    pub fn from_working_days(days: u32, same_day_cutoff: Option<NaiveTime>) -> ProcessingTime {
        if days == 0 { ProcessingTime::SameDay { cutoff: same_day_cutoff } } else { ProcessingTime::WorkingDays(days) }
    }
}

/// The due instant of something received at `received_at` (rules 1-4).
pub fn due_instant(calendar: &Calendar, received_at: DateTime<Utc>, time: ProcessingTime) -> DateTime<Utc> {
    match time {
        ProcessingTime::WorkingDays(days) => calendar.add(received_at, calendar.day_length() * days as i32),
        ProcessingTime::WorkingHours(hours) => calendar.add(received_at, TimeDelta::hours(hours.into())),
        ProcessingTime::CalendarDays(days) => {
            calendar_days_end(calendar, calendar.local_date(received_at), days.into())
        }
        ProcessingTime::SameDay { cutoff } => {
            let start = calendar.clock_start(received_at);
            let start_day = calendar.local_date(start);
            let received_local = received_at.with_timezone(&calendar.timezone());
            let after_cutoff = cutoff.is_some_and(|c| received_local.time() > c);
            if start_day == received_local.date_naive() && after_cutoff {
                calendar.end_of_day(calendar.next_working_day_after(start_day))
            } else {
                // Received before the cutoff, or outside working time (then the clock starts on a later
                // day, which counts as the reception day).
                calendar.end_of_day(start_day)
            }
        }
    }
}

/// The longest processing time the engine computes, in days (working or calendar): a century, far beyond any
/// law's.
pub const MAX_PROCESSING_DAYS: u32 = 36_500;

/// Like [`due_instant`], for instants and limits given by a person or another system: `None` instead of a
/// panic or a walk of millennia when the reception is outside the years 1-9999 (what RFC 3339 writes) or the
/// limit is beyond [`MAX_PROCESSING_DAYS`].
pub fn checked_due_instant(
    calendar: &Calendar,
    received_at: DateTime<Utc>,
    time: ProcessingTime,
) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let local_year = calendar.local_date(received_at).year();
    let days = match time {
        ProcessingTime::WorkingDays(n) | ProcessingTime::CalendarDays(n) => n,
        ProcessingTime::WorkingHours(h) => h / 8,
        ProcessingTime::SameDay { .. } => 0,
    };
    ((1..=9999).contains(&local_year) && days <= MAX_PROCESSING_DAYS).then(|| due_instant(calendar, received_at, time))
}

/// The end of a limit of `days` days counted from `from_day` (rule 9, Civil Code Art. 147-148): counting starts
/// the day after; the limit ends at the end of the last session of the last day, or of the next working day when
/// the last day is not one.
pub fn calendar_days_end(calendar: &Calendar, from_day: NaiveDate, days: i64) -> DateTime<Utc> {
    let last = u64::try_from(days).ok().and_then(|d| from_day.checked_add_days(Days::new(d))).unwrap_or(from_day);
    let day = if calendar.is_working_day(last) { last } else { calendar.next_working_day_after(last) };
    calendar.end_of_day(day)
}

/// A dossier's legal clock: a running-time budget and the intervals in which it ran.
///
/// Pauses (supplement, payment) close the open interval; resuming opens a new one; a restart forgets the
/// intervals. The due instant is where the running time across intervals reaches the budget; for a limit in
/// calendar days it is the Civil Code's end of the window instead, moved by the whole days paused, and the
/// budget is the working time inside that window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalClock {
    /// Running-time budget in seconds (for a calendar-day limit: as of the start, for information).
    pub budget_secs: i64,
    pub intervals: Vec<ClockInterval>,
    /// A limit the law states in days (rule 9): the window is counted in days from the first interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockInterval {
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
}

/// A change to the legal clock, carried by events so that `apply` stays calendar-free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum ClockChange {
    Start {
        budget_secs: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar_days: Option<u32>,
    },
    Pause,
    Resume,
    Restart,
    SetBudget {
        budget_secs: i64,
    },
}

impl LegalClock {
    /// The running time the clock allows: the budget, or for a calendar-day limit the working time inside its
    /// window (as far as it is known: while paused, up to the pause).
    pub fn budget(&self, calendar: &Calendar) -> TimeDelta {
        match self.window_end(calendar) {
            Some(end) => {
                self.intervals.iter().map(|i| calendar.running_between(i.from, i.to.unwrap_or(end).min(end))).sum()
            }
            None => TimeDelta::seconds(self.budget_secs),
        }
    }

    /// The end of a calendar-day window (rule 9) while the clock runs: `None` for a working-time budget, or
    /// while paused (the end moves by the days the pause will last).
    fn window_end(&self, calendar: &Calendar) -> Option<DateTime<Utc>> {
        let days = self.calendar_days?;
        let first = self.intervals.first()?;
        if !self.is_running() {
            return None;
        }
        // Whole calendar days paused: from the day a pause began to the day it ended.
        let paused: i64 = self
            .intervals
            .windows(2)
            .map(|pair| {
                let paused_on = calendar.local_date(pair[0].to.unwrap_or(pair[0].from));
                (calendar.local_date(pair[1].from) - paused_on).num_days().max(0)
            })
            .sum();
        Some(calendar_days_end(calendar, calendar.local_date(first.from), i64::from(days) + paused))
    }

    pub fn is_running(&self) -> bool {
        self.intervals.last().is_some_and(|i| i.to.is_none())
    }

    pub fn apply(&mut self, change: ClockChange, at: DateTime<Utc>) {
        match change {
            ClockChange::Start { budget_secs, calendar_days } => {
                self.budget_secs = budget_secs;
                self.calendar_days = calendar_days;
                self.intervals = vec![ClockInterval { from: at, to: None }];
            }
            ClockChange::Pause => {
                if let Some(open) = self.intervals.last_mut().filter(|i| i.to.is_none()) {
                    open.to = Some(at);
                }
            }
            ClockChange::Resume => {
                if !self.is_running() {
                    self.intervals.push(ClockInterval { from: at, to: None });
                }
            }
            ClockChange::Restart => self.intervals = vec![ClockInterval { from: at, to: None }],
            // An extension fixes the end the leader chose: from then on the clock is a working-time budget.
            ClockChange::SetBudget { budget_secs } => {
                self.budget_secs = budget_secs;
                self.calendar_days = None;
            }
        }
    }

    /// Running time consumed by `now`.
    pub fn consumed(&self, calendar: &Calendar, now: DateTime<Utc>) -> TimeDelta {
        self.intervals.iter().map(|i| calendar.running_between(i.from, i.to.unwrap_or(now).min(now))).sum()
    }

    /// The instant at which `running` time of this clock has elapsed, assuming an open interval keeps running.
    /// `None` while paused and not yet reached.
    pub fn instant_at(&self, calendar: &Calendar, running: TimeDelta) -> Option<DateTime<Utc>> {
        let mut left = running;
        for interval in &self.intervals {
            match interval.to {
                Some(to) => {
                    let length = calendar.running_between(interval.from, to);
                    if left <= length {
                        return Some(calendar.add(interval.from, left));
                    }
                    left -= length;
                }
                None => return Some(calendar.add(interval.from, left)),
            }
        }
        None
    }

    /// The legal due instant: where the whole budget is used (the window's end for a calendar-day limit).
    pub fn due(&self, calendar: &Calendar) -> Option<DateTime<Utc>> {
        match (self.calendar_days, self.window_end(calendar)) {
            (Some(_), end) => end,
            (None, _) => self.instant_at(calendar, self.budget(calendar)),
        }
    }

    /// The due instant of a step whose cumulative share of the budget is `cumulative_share` (0..=1).
    pub fn step_due(&self, calendar: &Calendar, cumulative_share: f64) -> Option<DateTime<Utc>> {
        if cumulative_share >= 1.0 {
            return self.due(calendar);
        }
        if self.calendar_days.is_some() && !self.is_running() {
            return None;
        }
        let budget = self.budget(calendar).num_seconds();
        self.instant_at(calendar, TimeDelta::seconds((budget as f64 * cumulative_share).round() as i64))
    }

    /// The budget that makes the clock, running from now on, end at `new_due` (an extension, rule 6).
    pub fn budget_ending_at(&self, calendar: &Calendar, now: DateTime<Utc>, new_due: DateTime<Utc>) -> TimeDelta {
        self.consumed(calendar, now) + calendar.running_between(now, new_due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::tests::{at, vn_calendar};

    fn due(received: &str, time: ProcessingTime) -> DateTime<Utc> {
        due_instant(&vn_calendar(), at(received), time)
    }
    fn hm(t: &str) -> Option<NaiveTime> {
        Some(NaiveTime::parse_from_str(t, "%H:%M").unwrap())
    }

    /// Rule table: (received, processing time, due). Weekends, Tết 2027 (Feb 4-10, with Feb 6-7 a weekend),
    /// New Year 2027 and the make-up Saturday 2027-01-09.
    #[test]
    fn deadline_rule_table() {
        use ProcessingTime::*;
        let cases: &[(&str, ProcessingTime, &str)] = &[
            // Rule 1+3: three working days from a Monday morning session start.
            ("2026-11-23T07:30:00+07:00", WorkingDays(3), "2026-11-25T17:00:00+07:00"),
            // Mid-morning: the remainder carries over into the fourth day.
            ("2026-11-23T09:30:00+07:00", WorkingDays(3), "2026-11-26T09:30:00+07:00"),
            // Rule 2: received Saturday, clock starts Monday 07:30.
            ("2026-11-28T10:00:00+07:00", WorkingDays(1), "2026-11-30T17:00:00+07:00"),
            // Rule 2: received during lunch, starts at 13:00.
            ("2026-11-23T12:15:00+07:00", WorkingHours(4), "2026-11-23T17:00:00+07:00"),
            // Rule 3: reached exactly at the morning session end stays at 11:30.
            ("2026-11-23T07:30:00+07:00", WorkingHours(4), "2026-11-23T11:30:00+07:00"),
            // Reached in the afternoon after lunch is skipped.
            ("2026-11-23T10:30:00+07:00", WorkingHours(2), "2026-11-23T14:00:00+07:00"),
            // Friday afternoon over the weekend.
            ("2026-11-27T15:00:00+07:00", WorkingHours(4), "2026-11-30T09:30:00+07:00"),
            // Across New Year's Day 2027 (Fri) and into the make-up Saturday 2027-01-09.
            ("2026-12-31T13:00:00+07:00", WorkingDays(1), "2027-01-04T11:30:00+07:00"),
            ("2027-01-08T07:30:00+07:00", WorkingDays(2), "2027-01-09T17:00:00+07:00"),
            // Across Tết 2027: received Wed 3 Feb morning; Feb 4-10 are off, so day two and three are Feb 11 and 12.
            ("2027-02-03T07:30:00+07:00", WorkingDays(3), "2027-02-12T17:00:00+07:00"),
            // Rule 4: same day before the cutoff.
            ("2026-11-23T14:59:00+07:00", SameDay { cutoff: hm("15:00") }, "2026-11-23T17:00:00+07:00"),
            ("2026-11-23T15:00:00+07:00", SameDay { cutoff: hm("15:00") }, "2026-11-23T17:00:00+07:00"),
            // After the cutoff: end of the next working day (Friday -> Monday).
            ("2026-11-27T15:01:00+07:00", SameDay { cutoff: hm("15:00") }, "2026-11-30T17:00:00+07:00"),
            // After the cutoff on the day before Tết: next working day is after the holidays.
            ("2027-02-03T16:00:00+07:00", SameDay { cutoff: hm("15:00") }, "2027-02-11T17:00:00+07:00"),
            // Received on a Sunday: the clock starts Monday, due Monday evening.
            ("2026-11-29T20:00:00+07:00", SameDay { cutoff: hm("15:00") }, "2026-11-30T17:00:00+07:00"),
            // Received after the last session on a working day: next day counts as the reception day.
            ("2026-11-23T17:30:00+07:00", SameDay { cutoff: None }, "2026-11-24T17:00:00+07:00"),
        ];
        for (received, time, expected) in cases {
            assert_eq!(due(received, *time), at(expected), "received {received} with {time:?}");
        }
    }

    #[test]
    fn due_is_printed_with_the_calendar_offset() {
        let cal = vn_calendar();
        let d = due_instant(&cal, at("2026-11-23T00:30:00Z"), ProcessingTime::WorkingDays(1));
        assert_eq!(cal.rfc3339(d), "2026-11-23T17:00:00+07:00");
    }

    fn clock_started(received: &str, days: u32) -> (Calendar, LegalClock) {
        let cal = vn_calendar();
        let mut clock = LegalClock::default();
        let budget = cal.day_length() * days as i32;
        clock.apply(ClockChange::Start { budget_secs: budget.num_seconds(), calendar_days: None }, at(received));
        (cal, clock)
    }

    #[test]
    fn pause_shifts_due_by_the_paused_working_time() {
        let (cal, mut clock) = clock_started("2026-11-23T07:30:00+07:00", 3);
        assert_eq!(clock.due(&cal), Some(at("2026-11-25T17:00:00+07:00")));
        clock.apply(ClockChange::Pause, at("2026-11-23T11:30:00+07:00"));
        assert_eq!(clock.due(&cal), None, "paused with budget left: no due instant");
        clock.apply(ClockChange::Resume, at("2026-11-24T13:00:00+07:00"));
        // 4h used on Monday; 20h left from Tuesday 13:00: Tue 4h, Wed 8h, Thu 8h -> Thu 17:00.
        assert_eq!(clock.due(&cal), Some(at("2026-11-26T17:00:00+07:00")));
        assert_eq!(clock.consumed(&cal, at("2026-11-24T15:00:00+07:00")), TimeDelta::hours(6));
    }

    #[test]
    fn restart_gives_the_whole_time_again() {
        let (cal, mut clock) = clock_started("2026-11-23T07:30:00+07:00", 2);
        clock.apply(ClockChange::Pause, at("2026-11-24T07:30:00+07:00"));
        clock.apply(ClockChange::Restart, at("2026-11-30T07:30:00+07:00"));
        assert_eq!(clock.due(&cal), Some(at("2026-12-01T17:00:00+07:00")));
    }

    #[test]
    fn step_dues_follow_cumulative_shares() {
        let (cal, clock) = clock_started("2026-11-23T07:30:00+07:00", 10);
        assert_eq!(clock.step_due(&cal, 0.05), Some(at("2026-11-23T11:30:00+07:00")));
        assert_eq!(clock.step_due(&cal, 0.5), Some(at("2026-11-27T17:00:00+07:00")));
        assert_eq!(clock.step_due(&cal, 1.0), clock.due(&cal));
    }

    #[test]
    fn an_extension_sets_the_budget_to_end_at_the_new_due() {
        let (cal, mut clock) = clock_started("2026-11-23T07:30:00+07:00", 2);
        let now = at("2026-11-24T10:00:00+07:00");
        let new_due = at("2026-11-27T17:00:00+07:00");
        let budget = clock.budget_ending_at(&cal, now, new_due);
        clock.apply(ClockChange::SetBudget { budget_secs: budget.num_seconds() }, now);
        assert_eq!(clock.due(&cal), Some(new_due));
    }

    fn calendar_clock(received: &str, days: u32) -> (Calendar, LegalClock) {
        let cal = vn_calendar();
        let mut clock = LegalClock::default();
        clock.apply(ClockChange::Start { budget_secs: 0, calendar_days: Some(days) }, at(received));
        (cal, clock)
    }

    /// Rule 9 table: (received, days, due).
    #[test]
    fn calendar_day_rule_table() {
        let cases: &[(&str, u32, &str)] = &[
            // Criminal record certificate (10 days) received Friday 20/11/2026: day 10 is Monday 30/11.
            ("2026-11-20T09:00:00+07:00", 10, "2026-11-30T17:00:00+07:00"),
            // Received after the last session: the day of reception still is Friday.
            ("2026-11-20T18:30:00+07:00", 10, "2026-11-30T17:00:00+07:00"),
            // Day 10 a Saturday: the end of the next working day, Monday.
            ("2026-11-18T10:00:00+07:00", 10, "2026-11-30T17:00:00+07:00"),
            // Received on a Saturday: counting starts on Sunday.
            ("2026-11-28T10:00:00+07:00", 10, "2026-12-08T17:00:00+07:00"),
            // Day 10 inside Tết 2027 (4-10 February off): Thursday 11 February.
            ("2027-01-26T08:00:00+07:00", 10, "2027-02-11T17:00:00+07:00"),
            // Construction permit, 15 days, received Monday 23/11: day 15 is Tuesday 8/12.
            ("2026-11-23T07:30:00+07:00", 15, "2026-12-08T17:00:00+07:00"),
            // Received on New Year's Eve 2026 (Thursday): day 1 is the holiday, day 8 a working Friday.
            ("2026-12-31T16:00:00+07:00", 8, "2027-01-08T17:00:00+07:00"),
            // Day 9 the make-up Saturday 2027-01-09: a working day, the limit ends there.
            ("2026-12-31T16:00:00+07:00", 9, "2027-01-09T17:00:00+07:00"),
        ];
        for (received, days, expected) in cases {
            assert_eq!(
                due(received, ProcessingTime::CalendarDays(*days)),
                at(expected),
                "received {received}, {days} days"
            );
            let (cal, clock) = calendar_clock(received, *days);
            assert_eq!(clock.due(&cal), Some(at(expected)), "the clock agrees for {received}, {days} days");
        }
    }

    #[test]
    fn a_pause_moves_a_calendar_day_end_by_the_whole_days_paused() {
        let (cal, mut clock) = calendar_clock("2026-11-23T09:00:00+07:00", 10);
        assert_eq!(clock.due(&cal), Some(at("2026-12-03T17:00:00+07:00")));
        clock.apply(ClockChange::Pause, at("2026-11-24T10:00:00+07:00"));
        assert_eq!(clock.due(&cal), None, "paused: the end depends on when it resumes");
        clock.apply(ClockChange::Resume, at("2026-11-27T14:00:00+07:00"));
        // Paused from Tuesday to Friday: 3 days; Sunday 6/12 -> Monday 7/12.
        assert_eq!(clock.due(&cal), Some(at("2026-12-07T17:00:00+07:00")));
        // A pause within one day moves nothing.
        clock.apply(ClockChange::Pause, at("2026-11-30T08:00:00+07:00"));
        clock.apply(ClockChange::Resume, at("2026-11-30T16:00:00+07:00"));
        assert_eq!(clock.due(&cal), Some(at("2026-12-07T17:00:00+07:00")));
    }

    #[test]
    fn a_restart_counts_calendar_days_again_from_the_day_after_resubmission() {
        let (cal, mut clock) = calendar_clock("2026-11-23T09:00:00+07:00", 10);
        clock.apply(ClockChange::Pause, at("2026-11-24T10:00:00+07:00"));
        clock.apply(ClockChange::Restart, at("2026-11-30T10:00:00+07:00"));
        assert_eq!(clock.due(&cal), Some(at("2026-12-10T17:00:00+07:00")));
    }

    #[test]
    fn calendar_day_step_dues_share_the_working_time_of_the_window() {
        // Monday 23/11 07:30 + 10 days = Thursday 3/12 17:00: nine working days, 72 h of working time.
        let (cal, clock) = calendar_clock("2026-11-23T07:30:00+07:00", 10);
        assert_eq!(clock.budget(&cal), TimeDelta::hours(72));
        assert_eq!(clock.step_due(&cal, 0.5), Some(at("2026-11-27T11:30:00+07:00")));
        assert_eq!(clock.step_due(&cal, 1.0), clock.due(&cal));
    }

    #[test]
    fn an_extension_turns_a_calendar_day_limit_into_the_chosen_end() {
        let (cal, mut clock) = calendar_clock("2026-11-23T07:30:00+07:00", 10);
        let now = at("2026-12-01T10:00:00+07:00");
        let new_due = at("2026-12-09T11:00:00+07:00");
        let budget = clock.budget_ending_at(&cal, now, new_due);
        clock.apply(ClockChange::SetBudget { budget_secs: budget.num_seconds() }, now);
        assert_eq!(clock.due(&cal), Some(new_due));
        assert_eq!(clock.calendar_days, None);
    }

    #[test]
    fn old_clocks_without_calendar_days_still_read() {
        let clock: LegalClock = serde_json::from_str(r#"{"budget_secs":28800,"intervals":[]}"#).unwrap();
        assert_eq!(clock.calendar_days, None);
        let change: ClockChange = serde_json::from_str(r#"{"op":"start","budget_secs":28800}"#).unwrap();
        assert_eq!(change, ClockChange::Start { budget_secs: 28800, calendar_days: None });
        assert_eq!(serde_json::to_string(&change).unwrap(), r#"{"op":"start","budget_secs":28800}"#);
    }
}
