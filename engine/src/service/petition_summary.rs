//! The leader's view of petitions (issue 17): for a month, the petitions of the caller's agencies and of every
//! agency under them, counted per agency in charge and per officer named, with the two Decision 766 petition
//! indicators' parts, so a leader sees where petitions go late or leave citizens unsatisfied.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

use super::scorecard::under;
use super::{Petitions, ServiceError, ServiceResult, StaffIdentity};
use crate::domain::procedure::Role;
use crate::store::petitions::{self, PetitionCounts, PetitionKey};
use crate::store::{agencies, staff};

/// One agency's or officer's petitions in the month.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryRow {
    /// The agency's id, or the officer's staff id.
    pub id: String,
    pub name: String,
    /// Filed in the month; of those handled on time, and not handled yet but within their time.
    pub received: u64,
    pub received_handled_in_time: u64,
    pub received_open_in_time: u64,
    /// Handled in the month; of those late, answered "not satisfied" or complained about again.
    pub handled: u64,
    pub handled_lost: u64,
}

/// The month's petitions per agency and per officer named.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionSummary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The instant the month is counted at: its end, or now while it runs.
    pub evaluated_at: DateTime<Utc>,
    pub by_agency: Vec<SummaryRow>,
    pub by_officer: Vec<SummaryRow>,
}

fn row(id: String, name: String, c: PetitionCounts) -> SummaryRow {
    SummaryRow {
        id,
        name,
        received: c.received,
        received_handled_in_time: c.received_handled_in_time,
        received_open_in_time: c.received_open_in_time,
        handled: c.handled,
        handled_lost: c.handled_lost,
    }
}

impl Petitions<'_> {
    /// The petitions of the month starting `month` for the agencies where `caller` leads or heads a division,
    /// and every agency under them.
    pub fn summary(&self, caller: &StaffIdentity, month: NaiveDate) -> ServiceResult<PetitionSummary> {
        let roots: Vec<&str> = caller
            .roles
            .iter()
            .filter(|(_, role)| matches!(role, Role::AgencyLeader | Role::DivisionHead))
            .map(|(agency, _)| agency.as_str())
            .collect();
        if roots.is_empty() {
            return Err(ServiceError::Forbidden("petition.forbidden_role"));
        }
        let period = super::stats::Period::month_of(month);
        let from = self.calendar.instant(period.from, NaiveTime::MIN);
        let to = self.calendar.instant(period.to.succ_opt().unwrap_or(period.to), NaiveTime::MIN);
        let at = to.min(self.now());
        self.db.read(|conn| {
            let all = agencies::all(conn)?;
            let mut scope: Vec<String> = roots.iter().flat_map(|root| under(&all, root)).collect();
            scope.sort();
            scope.dedup();
            let name_of = |id: &str| all.iter().find(|a| a.id == id).map_or_else(|| id.to_string(), |a| a.name.clone());
            let by_agency = petitions::count_by(conn, PetitionKey::Agency, &scope, from, to, at)?
                .into_iter()
                .map(|(id, c)| row(id.clone(), name_of(&id), c))
                .collect();
            let officers = petitions::count_by(conn, PetitionKey::Officer, &scope, from, to, at)?;
            let ids: Vec<&str> = officers.iter().map(|(id, _)| id.as_str()).collect();
            let names: std::collections::BTreeMap<String, String> = staff::names(conn, &ids)?.into_iter().collect();
            let by_officer = officers
                .into_iter()
                .map(|(id, c)| {
                    let name = names.get(&id).cloned().unwrap_or_else(|| id.clone());
                    row(id, name, c)
                })
                .collect();
            Ok(PetitionSummary { from: period.from, to: period.to, evaluated_at: at, by_agency, by_officer })
        })
    }
}
