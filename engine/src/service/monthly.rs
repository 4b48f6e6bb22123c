//! The one-stop shop's monthly report (issue 16): for an agency with every agency under it (or every agency), one
//! month's dossiers per field of procedures: to handle (carried over from before the month, received in it online
//! or in person), handled (early, on time, late; refused among them), withdrawn, and still in progress at the
//! month's end (within or past their due dates). Counts only, from the facts, for anyone: like the published
//! statistics, it names no person.
//!
//! It balances: what was to handle is what was handled, withdrawn or still in progress.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{Reports, ServiceError, ServiceResult};
use crate::adapters::forms::{self, MonthlyReportData, MonthlyReportLine};
use crate::ports::topics;
use crate::store::agencies::{self, Agency};
use crate::store::facts::{self, Dimension, PeriodCounts};

/// One month's report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyReport {
    /// The agency asked for; none for every agency.
    pub agency: Option<Agency>,
    /// The month's first and last day.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// What is in progress is counted at this instant: the month's end, or now while it runs.
    pub evaluated_at: DateTime<Utc>,
    /// One row per field with any dossier to handle, in the order of the fields' codes.
    pub rows: Vec<MonthlyRow>,
    pub total: MonthlyRow,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyRow {
    /// The field's code (empty for the total, and for procedures the catalogue no longer holds).
    pub field_code: String,
    pub field: String,
    /// Carried over plus received: to handle in the month.
    pub to_handle: u64,
    /// Received before the month and in progress at its start.
    pub carried_over: u64,
    /// Received in the month online, and at the counter or by post.
    pub received_online: u64,
    pub received_in_person: u64,
    /// Handled in the month (a result or a reasoned refusal), early, on time or late.
    pub handled: u64,
    pub handled_early: u64,
    pub handled_on_time: u64,
    pub handled_late: u64,
    /// Of those handled, refused.
    pub refused: u64,
    /// Withdrawn by the applicant in the month.
    pub withdrawn: u64,
    /// In progress at the evaluation instant; of those within their due dates, and past them.
    pub in_progress: u64,
    pub in_progress_within: u64,
    pub in_progress_overdue: u64,
}

impl MonthlyRow {
    fn of(field_code: String, field: String, c: &PeriodCounts, carried_over: u64) -> MonthlyRow {
        MonthlyRow {
            field_code,
            field,
            to_handle: carried_over + c.received,
            carried_over,
            received_online: c.received_online,
            received_in_person: c.received.saturating_sub(c.received_online),
            handled: c.finished,
            handled_early: c.finished_early,
            handled_on_time: c.finished_in_time.saturating_sub(c.finished_early),
            handled_late: c.finished.saturating_sub(c.finished_in_time),
            refused: c.finished_refused,
            withdrawn: c.withdrawn,
            in_progress: c.open,
            in_progress_within: c.open_not_due,
            in_progress_overdue: c.open.saturating_sub(c.open_not_due),
        }
    }

    /// The figures in the order of the printed columns.
    pub fn figures(&self) -> [u64; 13] {
        [
            self.to_handle,
            self.carried_over,
            self.received_online,
            self.received_in_person,
            self.handled,
            self.handled_early,
            self.handled_on_time,
            self.handled_late,
            self.refused,
            self.withdrawn,
            self.in_progress,
            self.in_progress_within,
            self.in_progress_overdue,
        ]
    }
}

impl Reports<'_> {
    /// The monthly report of `agency` (with every agency under it; every agency when none) for `month`.
    pub fn monthly_report(&self, agency: Option<&str>, month: NaiveDate) -> ServiceResult<MonthlyReport> {
        let scope = self.month_scope(agency, month)?;
        let (ids, from, to, at) = (&scope.ids, scope.from, scope.to, scope.at);
        let (counted, carried) = self.reports_db().read(|conn| {
            let by = Dimension::Procedure;
            let counted = facts::count_by(conn, by, Some(ids), from, to, at, topics::PORTAL_STATUS)?;
            let carried = facts::open_by(conn, by, Some(ids), from)?;
            Ok::<_, ServiceError>((counted, carried))
        })?;
        // Per field: the procedures' counts summed under the field the catalogue files each in.
        let mut fields: std::collections::BTreeMap<String, (String, PeriodCounts, u64)> = Default::default();
        let field_of = |code: &str| {
            self.catalogue.current(code).map_or_else(Default::default, |p| (p.field_code.clone(), p.field.clone()))
        };
        for (code, counts) in &counted {
            let (key, name) = field_of(code);
            let entry = fields.entry(key).or_default();
            entry.0 = name;
            entry.1 += counts;
        }
        for (code, open, _) in &carried {
            let (key, name) = field_of(code);
            let entry = fields.entry(key).or_default();
            entry.0 = name;
            entry.2 += open;
        }
        let mut total = (PeriodCounts::default(), 0);
        let rows = fields
            .into_iter()
            .map(|(code, (name, counts, carried))| {
                total.0 += &counts;
                total.1 += carried;
                MonthlyRow::of(code, name, &counts, carried)
            })
            .filter(|row| row.figures().iter().any(|n| *n > 0))
            .collect();
        Ok(MonthlyReport {
            agency: scope.agency,
            from: scope.period.from,
            to: scope.period.to,
            evaluated_at: at,
            rows,
            total: MonthlyRow::of(String::new(), String::new(), &total.0, total.1),
        })
    }

    /// The report as the PDF the one-stop shop files: A4 landscape, headed by the agency (the system's root
    /// agency for every agency).
    pub fn monthly_report_pdf(&self, report: &MonthlyReport) -> ServiceResult<Vec<u8>> {
        let root = match &report.agency {
            Some(a) => a.id.clone(),
            None => {
                let all = self.reports_db().read(|conn| agencies::all(conn).map_err(ServiceError::from))?;
                let mut roots = all.into_iter().filter(|a| a.parent_id.is_none());
                roots.next().map(|a| a.id).ok_or(ServiceError::NotFound("agency.not_found"))?
            }
        };
        let header = self.reports_db().read(|conn| self.paper_header(conn, &root, self.now()))?;
        let line = |name: String, row: &MonthlyRow| MonthlyReportLine { name, figures: row.figures() };
        let data = MonthlyReportData {
            header,
            whole_system: report.agency.is_none(),
            from: report.from,
            to: report.to,
            evaluated_at: report.evaluated_at,
            lines: report.rows.iter().map(|r| line(r.field.clone(), r)).collect(),
            total: report.total.figures(),
        };
        forms::render_monthly_report(&data).map_err(|e| ServiceError::Internal(format!("monthly report: {e}")))
    }
}
