//! The control slip (phiếu kiểm soát quá trình giải quyết hồ sơ, form 05): every step with who handed the dossier
//! over, who did the step, when, the step's own due instant, and whether it was done early, on time or late.
//! Derived from the events alone; the portal's processing rows (`QuaTrinhXuLy`) are the same rows.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::event::{Change, Event};
use super::model::Status;
use crate::domain::actor::Actor;
use crate::domain::calendar::{Calendar, Timeliness};
use crate::domain::procedure::{Procedure, StepKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlipRow {
    pub step: String,
    pub kind: StepKind,
    /// Who handed the dossier over into this step.
    pub handed_over_by: Actor,
    pub started_at: DateTime<Utc>,
    /// The step's own legal end: its share of the dossier's time.
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    /// Who did the step (absent while it is open).
    pub done_by: Option<Actor>,
    /// What ended the step (`received`, `assigned`, `appraised`, `disagreed`, ...).
    pub outcome: Option<&'static str>,
    /// The public status right after the step ended: its outcome as the portal counts it.
    pub status_after: Option<Status>,
    /// Early, on time or late against the step's due (DESIGN.md §7 rule 7); `None` while open or without a due.
    pub timeliness: Option<Timeliness>,
}

pub fn control_slip(procedure: &Procedure, events: &[Event], calendar: &Calendar) -> Vec<SlipRow> {
    let mut rows: Vec<SlipRow> = Vec::new();
    let mut open: Option<SlipRow> = None;
    let mut status = Status::Submitted;
    let close = |row: &mut SlipRow, event: &Event, status: Status| {
        row.done_at = Some(event.at);
        row.done_by = Some(event.actor.clone());
        row.outcome = Some(event.change.name());
        row.status_after = Some(status);
        row.timeliness = row.due_at.map(|due| calendar.classify(event.at, due));
    };
    for event in events {
        if let Some(next) = event.status {
            status = next;
        }
        if let (Change::Received { step_due_at, .. }, Some(first)) = (&event.change, procedure.steps.first()) {
            let mut row = SlipRow {
                step: first.id.clone(),
                kind: first.kind,
                handed_over_by: event.actor.clone(),
                started_at: event.at,
                due_at: *step_due_at,
                done_at: None,
                done_by: None,
                outcome: None,
                status_after: None,
                timeliness: None,
            };
            close(&mut row, event, status);
            rows.push(row);
        }
        if let (Some(row), Some(due)) = (open.as_mut(), event.step_due_at) {
            row.due_at = Some(due);
        }
        let Some(step_move) = &event.step else {
            continue;
        };
        if let Some(mut row) = open.take() {
            close(&mut row, event, status);
            rows.push(row);
        }
        if let Some(to) = step_move.to.as_ref().and_then(|id| procedure.step(id)) {
            open = Some(SlipRow {
                step: to.id.clone(),
                kind: to.kind,
                handed_over_by: event.actor.clone(),
                started_at: event.at,
                due_at: step_move.due_at,
                done_at: None,
                done_by: None,
                outcome: None,
                status_after: None,
                timeliness: None,
            });
        }
    }
    rows.extend(open);
    rows
}
