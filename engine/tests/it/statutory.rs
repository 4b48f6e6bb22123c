//! The statutory end of a processing time, computed the long way round, day by day, as a person reading the law
//! would: the oracle the engine's deadlines are checked against. It reuses only the calendar's facts (which days
//! are working days, the sessions of a day), none of its clock arithmetic.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use motcua_engine::domain::calendar::Calendar;
use motcua_engine::domain::deadline::ProcessingTime;

pub struct Statute<'a> {
    cal: &'a Calendar,
    /// The sessions of a working day, local times.
    sessions: Vec<(NaiveTime, NaiveTime)>,
}

impl<'a> Statute<'a> {
    /// Reads the sessions off the first working day of 2026, minute by minute.
    pub fn new(cal: &'a Calendar) -> Statute<'a> {
        let mut day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        while !cal.is_working_day(day) {
            day = day + Days::new(1);
        }
        let mut sessions: Vec<(NaiveTime, NaiveTime)> = Vec::new();
        for minute in 0..24 * 60 {
            let t = cal.instant(day, NaiveTime::MIN) + TimeDelta::minutes(minute);
            if cal.running_between(t, t + TimeDelta::minutes(1)) == TimeDelta::minutes(1) {
                let (from, to) = (local(cal, t), local(cal, t + TimeDelta::minutes(1)));
                match sessions.last_mut() {
                    Some(last) if last.1 == from => last.1 = to,
                    _ => sessions.push((from, to)),
                }
            }
        }
        Statute { cal, sessions }
    }

    fn end_of(&self, date: NaiveDate) -> DateTime<Utc> {
        self.cal.instant(date, self.sessions.last().expect("a working day has sessions").1)
    }

    fn working_day_from(&self, mut date: NaiveDate) -> NaiveDate {
        while !self.cal.is_working_day(date) {
            date = date + Days::new(1);
        }
        date
    }

    /// The latest instant the law allows for something received at `received`.
    pub fn end(&self, received: DateTime<Utc>, time: ProcessingTime) -> DateTime<Utc> {
        let day = self.cal.local_date(received);
        match time {
            // Civil Code Art. 147: the day of the event is not counted, day 1 is the next day. Art. 148: the
            // limit ends at the end of day N, or of the next working day when day N is a day off.
            ProcessingTime::CalendarDays(n) => {
                let mut last = day;
                for _ in 0..n {
                    last = last + Days::new(1);
                }
                self.end_of(self.working_day_from(last))
            }
            ProcessingTime::WorkingDays(n) => self.walk(received, TimeDelta::hours(8) * n as i32),
            ProcessingTime::WorkingHours(h) => self.walk(received, TimeDelta::hours(h.into())),
            // Within the day when received in working time before the cutoff; otherwise within the next
            // working day.
            ProcessingTime::SameDay { cutoff } => {
                let in_working_time = self.cal.is_working_day(day) && received < self.end_of(day);
                let after_cutoff = cutoff.is_some_and(|c| local(self.cal, received) > c);
                if in_working_time && !after_cutoff {
                    self.end_of(day)
                } else {
                    self.end_of(self.working_day_from(day + Days::new(1)))
                }
            }
        }
    }

    /// Where `running` working time is used up from `start`, session after session.
    fn walk(&self, start: DateTime<Utc>, running: TimeDelta) -> DateTime<Utc> {
        let mut left = running;
        let mut day = self.cal.local_date(start);
        loop {
            if self.cal.is_working_day(day) {
                for &(from, to) in &self.sessions {
                    let (from, to) = (self.cal.instant(day, from).max(start), self.cal.instant(day, to));
                    if to <= from {
                        continue;
                    }
                    if to - from >= left {
                        return from + left;
                    }
                    left -= to - from;
                }
            }
            day = day + Days::new(1);
        }
    }
}

fn local(cal: &Calendar, t: DateTime<Utc>) -> NaiveTime {
    t.with_timezone(&cal.timezone()).time()
}

/// The statutory end with the shipped calendar's facts.
pub fn statutory_end(cal: &Calendar, received: DateTime<Utc>, time: ProcessingTime) -> DateTime<Utc> {
    Statute::new(cal).end(received, time)
}
