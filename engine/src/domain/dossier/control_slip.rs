//! The control slip (phiếu kiểm soát quá trình giải quyết hồ sơ, form 05): every hand-off with who, when, the
//! step's due instant, when it was done and whether on time. Derived from the events alone.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::event::{Change, Event};
use crate::domain::procedure::{Procedure, StepKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlipRow {
    pub step: String,
    pub kind: StepKind,
    /// Who handed the dossier over into this step.
    pub handed_over_by: String,
    pub started_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
    /// What ended the step (`assigned`, `appraised`, `disagreed`, ...).
    pub outcome: Option<&'static str>,
    /// `Some(true)` when done by its due instant, `Some(false)` when late, `None` while open or without a due.
    pub on_time: Option<bool>,
}

pub fn control_slip(procedure: &Procedure, events: &[Event]) -> Vec<SlipRow> {
    let mut rows: Vec<SlipRow> = Vec::new();
    let mut open: Option<SlipRow> = None;
    for event in events {
        if let Change::Received { .. } = event.change
            && let Some(first) = procedure.steps.first()
        {
            rows.push(SlipRow {
                step: first.id.clone(),
                kind: first.kind,
                handed_over_by: event.actor.name().to_string(),
                started_at: event.at,
                due_at: None,
                done_at: Some(event.at),
                done_by: Some(event.actor.name().to_string()),
                outcome: Some(event.change.name()),
                on_time: Some(true),
            });
        }
        if let (Some(row), Some(due)) = (open.as_mut(), event.step_due_at) {
            row.due_at = Some(due);
        }
        let Some(step_move) = &event.step else {
            continue;
        };
        if let Some(mut row) = open.take() {
            row.done_at = Some(event.at);
            row.done_by = Some(event.actor.name().to_string());
            row.outcome = Some(event.change.name());
            row.on_time = row.due_at.map(|due| event.at <= due);
            rows.push(row);
        }
        if let Some(to) = step_move.to.as_ref().and_then(|id| procedure.step(id)) {
            open = Some(SlipRow {
                step: to.id.clone(),
                kind: to.kind,
                handed_over_by: event.actor.name().to_string(),
                started_at: event.at,
                due_at: step_move.due_at,
                done_at: None,
                done_by: None,
                outcome: None,
                on_time: None,
            });
        }
    }
    rows.extend(open);
    rows
}
