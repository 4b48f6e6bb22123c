//! What the leaders' dashboard counts: dossiers received in a period, read from the row columns the queues
//! already index (agency, reception instant), with their folded state.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::dossiers;
use super::{DbConnection, StoreResult, to_db};
use crate::domain::dossier::Dossier;

/// Dossiers received in `[from, to)` by one of `agencies` (every agency when `None`), by agency then
/// reception. Plain comparisons on indexed columns: the same SQL on SQLite and PostgreSQL.
pub fn received_between(
    conn: &mut DbConnection,
    agencies: Option<&[String]>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<Dossier>> {
    let mut query = dossiers::table
        .filter(dossiers::received_at.ge(to_db(from)).and(dossiers::received_at.lt(to_db(to))))
        .into_boxed();
    if let Some(agencies) = agencies {
        query = query.filter(dossiers::agency_id.eq_any(agencies.to_vec()));
    }
    let states: Vec<super::dossiers::StoredState> = query
        .order((dossiers::agency_id, dossiers::received_at, dossiers::id))
        .select(super::dossiers::STATE)
        .load(conn)?;
    states.iter().map(super::dossiers::decode).collect()
}
