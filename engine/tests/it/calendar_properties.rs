//! Properties of the legal clock over the shipped calendar (2025-2027 holidays), DESIGN.md §7.

use chrono::{DateTime, Duration, NaiveDate, TimeDelta, Utc};
use motcua_engine::domain::calendar::Calendar;
use motcua_engine::domain::deadline::{ClockChange, LegalClock, ProcessingTime, due_instant};
use proptest::prelude::*;

use super::statutory::statutory_end;

fn calendar() -> Calendar {
    Calendar::from_toml(include_str!("../../../fixtures/calendar.toml")).expect("the shipped calendar is valid")
}

/// Instants from 2025-01-01 to about 2027-10, minute resolution.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..(1000 * 24 * 60)).prop_map(|minutes| {
        DateTime::parse_from_rfc3339("2025-01-01T00:00:00+07:00").unwrap().with_timezone(&Utc)
            + Duration::minutes(minutes)
    })
}

fn inside_a_session(cal: &Calendar, t: DateTime<Utc>) -> bool {
    // `t` is in (start, end] of a session of a working day: the clock ran up to it.
    let date = cal.local_date(t);
    cal.is_working_day(date) && cal.running_between(t - TimeDelta::minutes(1), t) == TimeDelta::minutes(1)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn due_is_monotone_in_working_days(received in instant(), a in 0u32..40, b in 0u32..40) {
        let cal = calendar();
        let (lo, hi) = (a.min(b), a.max(b));
        let due = |n| due_instant(&cal, received, ProcessingTime::from_working_days(n, None));
        prop_assert!(due(lo) <= due(hi));
    }

    #[test]
    fn due_is_always_inside_a_session(received in instant(), days in 1u32..30, hours in 1u32..100) {
        let cal = calendar();
        prop_assert!(inside_a_session(&cal, due_instant(&cal, received, ProcessingTime::WorkingDays(days))));
        prop_assert!(inside_a_session(&cal, due_instant(&cal, received, ProcessingTime::WorkingHours(hours))));
        let same_day = due_instant(&cal, received, ProcessingTime::SameDay { cutoff: None });
        prop_assert!(inside_a_session(&cal, same_day));
    }

    #[test]
    fn pausing_never_shortens(received in instant(), days in 1u32..20, pause_after in 0i64..(20 * 24 * 60), pause_for in 0i64..(10 * 24 * 60)) {
        let cal = calendar();
        let mut clock = LegalClock::default();
        let budget = cal.day_length() * days as i32;
        clock.apply(ClockChange::Start { budget_secs: budget.num_seconds(), calendar_days: None }, received);
        let unpaused = clock.due(&cal).unwrap();
        let pause_at = received + Duration::minutes(pause_after);
        clock.apply(ClockChange::Pause, pause_at);
        clock.apply(ClockChange::Resume, pause_at + Duration::minutes(pause_for));
        prop_assert!(clock.due(&cal).unwrap() >= unpaused);
        prop_assert_eq!(clock.due(&cal).unwrap() == unpaused, pause_at >= unpaused || cal.running_between(pause_at, pause_at + Duration::minutes(pause_for)).is_zero());
    }

    #[test]
    fn adding_a_holiday_never_makes_due_earlier(received in instant(), days in 0u32..30, extra in 0u64..900) {
        let cal = calendar();
        let holiday = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(extra);
        let text = include_str!("../../../fixtures/calendar.toml");
        let mut with_holiday = text.replacen("holidays = [", &format!("holidays = [\"{holiday}\", "), 1);
        if text.contains(&format!("\"{holiday}\"")) {
            with_holiday = text.to_string();
        }
        let Ok(cal2) = Calendar::from_toml(&with_holiday) else {
            // The day is a make-up working day: listing it as a holiday too is refused, which is right.
            return Ok(());
        };
        let time = ProcessingTime::from_working_days(days, None);
        prop_assert!(due_instant(&cal2, received, time) >= due_instant(&cal, received, time));
    }

    #[test]
    fn calendar_days_never_end_after_the_statutory_end(received in instant(), days in 1u32..60) {
        let cal = calendar();
        let time = ProcessingTime::CalendarDays(days);
        prop_assert!(due_instant(&cal, received, time) <= statutory_end(&cal, received, time));
        prop_assert!(inside_a_session(&cal, due_instant(&cal, received, time)));
    }

    #[test]
    fn calendar_days_are_monotone(received in instant(), a in 1u32..60, b in 1u32..60) {
        let cal = calendar();
        let (lo, hi) = (a.min(b), a.max(b));
        let due = |n| due_instant(&cal, received, ProcessingTime::CalendarDays(n));
        prop_assert!(due(lo) <= due(hi));
    }

    #[test]
    fn a_calendar_day_pause_never_shortens(received in instant(), days in 1u32..30, pause_after in 0i64..(20 * 24 * 60), pause_for in 0i64..(10 * 24 * 60)) {
        let cal = calendar();
        let mut clock = LegalClock::default();
        clock.apply(ClockChange::Start { budget_secs: 0, calendar_days: Some(days) }, received);
        let unpaused = clock.due(&cal).unwrap();
        prop_assert_eq!(unpaused, due_instant(&cal, received, ProcessingTime::CalendarDays(days)));
        let pause_at = received + Duration::minutes(pause_after);
        let resume_at = pause_at + Duration::minutes(pause_for);
        clock.apply(ClockChange::Pause, pause_at);
        clock.apply(ClockChange::Resume, resume_at);
        let paused_days = (cal.local_date(resume_at) - cal.local_date(pause_at)).num_days();
        let moved = statutory_end(&cal, received - Duration::zero(), ProcessingTime::CalendarDays(days + paused_days as u32));
        prop_assert!(clock.due(&cal).unwrap() >= unpaused);
        prop_assert_eq!(clock.due(&cal).unwrap(), moved, "moved by the {} whole days paused", paused_days);
        // Every step due lies inside the window.
        for share in [0.05, 0.3, 0.77, 1.0] {
            let step = clock.step_due(&cal, share).unwrap();
            prop_assert!(step >= received && step <= clock.due(&cal).unwrap());
        }
    }

    #[test]
    fn running_time_is_additive(a in instant(), gap1 in 0i64..(5 * 24 * 60), gap2 in 0i64..(5 * 24 * 60)) {
        let cal = calendar();
        let b = a + Duration::minutes(gap1);
        let c = b + Duration::minutes(gap2);
        prop_assert_eq!(cal.running_between(a, c), cal.running_between(a, b) + cal.running_between(b, c));
    }

    #[test]
    fn add_then_measure_gives_back_the_running_time(start in instant(), minutes in 1i64..(30 * 8 * 60)) {
        let cal = calendar();
        let start = cal.clock_start(start);
        let end = cal.add(start, TimeDelta::minutes(minutes));
        prop_assert_eq!(cal.running_between(start, end), TimeDelta::minutes(minutes));
    }
}

/// Table cases over the real 2025-2026 calendar: Tết and the swapped days as announced.
#[test]
fn shipped_calendar_table() {
    let cal = calendar();
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let cases = [
        // Tết 2025: Jan 27-31 off; received Friday 24 Jan, 1 working day: Monday 3 Feb.
        ("2025-01-24T07:30:00+07:00", ProcessingTime::WorkingDays(2), "2025-02-03T17:00:00+07:00"),
        // 30/4-1/5 2025 with Friday 2 May swapped to Saturday 26 April (a working day).
        ("2025-04-25T07:30:00+07:00", ProcessingTime::WorkingDays(2), "2025-04-26T17:00:00+07:00"),
        ("2025-04-29T07:30:00+07:00", ProcessingTime::WorkingDays(2), "2025-05-05T17:00:00+07:00"),
        // Tết 2026: Feb 16-20 off.
        ("2026-02-13T13:00:00+07:00", ProcessingTime::WorkingDays(1), "2026-02-23T11:30:00+07:00"),
        // Same day after the cutoff on the eve of National Day 2026 (Aug 31 - Sep 2 off): Thursday 3 Sep.
        (
            "2026-08-28T16:00:00+07:00",
            ProcessingTime::SameDay { cutoff: chrono::NaiveTime::from_hms_opt(15, 0, 0) },
            "2026-09-03T17:00:00+07:00",
        ),
    ];
    for (received, time, expected) in cases {
        assert_eq!(due_instant(&cal, at(received), time), at(expected), "received {received} with {time:?}");
    }
}
