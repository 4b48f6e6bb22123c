//! The deadline sweep (rule 8): raises nearly-due and overdue once each while the legal clock runs.

use chrono::{DateTime, Utc};

use super::event::{Change, Event};
use super::model::Dossier;
use crate::domain::actor::Actor;
use crate::domain::calendar::Calendar;

pub fn sweep(dossier: &Dossier, now: DateTime<Utc>, calendar: &Calendar) -> Vec<Event> {
    let Some(due) = dossier.due_at.filter(|_| dossier.clock.is_running()) else {
        return Vec::new();
    };
    let sweeper = || Actor::System { name: "deadline sweeper".into() };
    if now > due {
        if dossier.overdue_raised {
            return Vec::new();
        }
        return vec![Event::new(now, sweeper(), Change::Overdue)];
    }
    if !dossier.nearly_due_raised && calendar.is_nearly_due(now, due) {
        return vec![Event::new(now, sweeper(), Change::NearlyDue)];
    }
    Vec::new()
}
