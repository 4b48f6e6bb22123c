//! Statistics as the law asks a one-stop shop to publish them (issue 16): for an agency and every agency under
//! it, one month's dossiers received (and of those online), finished early, on time and late, and still in
//! progress at the month's end. No person appears: counts only, for anyone, read from the reports' database.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

use super::stats::Period;
use super::{Reports, ServiceError, ServiceResult};
use crate::ports::topics;
use crate::store::agencies::{self, Agency};
use crate::store::facts::{self, Dimension, PeriodCounts};

/// One month's published figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicStatistics {
    /// The agency asked for; none for every agency.
    pub agency: Option<Agency>,
    /// The month's first and last day.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// In progress is counted at this instant: the month's end, or now while it runs.
    pub evaluated_at: DateTime<Utc>,
    /// Each agency counted, in id order, with or without dossiers.
    pub rows: Vec<PublicRow>,
    pub total: PublicRow,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicRow {
    /// Empty for the total.
    pub agency_id: String,
    pub agency_name: String,
    pub received: u64,
    pub received_online: u64,
    pub finished_early: u64,
    pub finished_on_time: u64,
    pub finished_late: u64,
    pub in_progress: u64,
}

impl PublicRow {
    fn of(agency_id: String, agency_name: String, c: &PeriodCounts) -> PublicRow {
        PublicRow {
            agency_id,
            agency_name,
            received: c.received,
            received_online: c.received_online,
            finished_early: c.finished_early,
            finished_on_time: c.finished_in_time.saturating_sub(c.finished_early),
            finished_late: c.finished.saturating_sub(c.finished_in_time),
            in_progress: c.open,
        }
    }
}

/// See [`Reports::month_scope`].
pub(super) struct MonthScope {
    pub all: Vec<Agency>,
    pub agency: Option<Agency>,
    pub ids: Vec<String>,
    pub period: Period,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// What is open is counted at the month's end, or now while it runs.
    pub at: DateTime<Utc>,
}

impl Reports<'_> {
    /// Every agency, in id order: the public page's choices.
    pub fn public_agencies(&self) -> ServiceResult<Vec<Agency>> {
        let mut all = self.reports_db().read(|conn| agencies::all(conn).map_err(ServiceError::from))?;
        all.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(all)
    }

    /// What a published report of `agency` (with every agency under it; every agency when none) for `month`
    /// covers: every agency (for names), the agencies counted in id order, and the month's instants.
    pub(super) fn month_scope(&self, agency: Option<&str>, month: NaiveDate) -> ServiceResult<MonthScope> {
        let period = Period::month_of(month);
        let all = self.reports_db().read(|conn| agencies::all(conn).map_err(ServiceError::from))?;
        let agency = match agency {
            Some(id) => {
                Some(all.iter().find(|a| a.id == id).cloned().ok_or(ServiceError::NotFound("agency.not_found"))?)
            }
            None => None,
        };
        let mut ids = match &agency {
            Some(a) => super::scorecard::under(&all, &a.id),
            None => all.iter().map(|a| a.id.clone()).collect(),
        };
        ids.sort();
        let from = self.calendar.instant(period.from, NaiveTime::MIN);
        let to = self.calendar.instant(period.to.succ_opt().unwrap_or(period.to), NaiveTime::MIN);
        Ok(MonthScope { all, agency, ids, period, from, to, at: to.min(self.now()) })
    }

    /// The published figures of `agency` (with every agency under it; every agency when none) for `month`.
    pub fn public_statistics(&self, agency: Option<&str>, month: NaiveDate) -> ServiceResult<PublicStatistics> {
        let MonthScope { all, agency, ids, period, from, to, at } = self.month_scope(agency, month)?;
        let counted = self.reports_db().read(|conn| {
            facts::count_by(conn, Dimension::Agency, Some(&ids), from, to, at, topics::PORTAL_STATUS)
                .map_err(ServiceError::from)
        })?;
        let counted: std::collections::BTreeMap<String, PeriodCounts> = counted.into_iter().collect();
        let mut total = PeriodCounts::default();
        let rows = ids
            .iter()
            .map(|id| {
                let c = counted.get(id).cloned().unwrap_or_default();
                total += &c;
                let name = all.iter().find(|a| &a.id == id).map(|a| a.name.clone()).unwrap_or_default();
                PublicRow::of(id.clone(), name, &c)
            })
            .collect();
        Ok(PublicStatistics {
            agency,
            from: period.from,
            to: period.to,
            evaluated_at: at,
            rows,
            total: PublicRow::of(String::new(), String::new(), &total),
        })
    }
}
