//! Agencies: the two-level government tree with electronic ids.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::agencies;
use super::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = agencies)]
pub struct Agency {
    pub id: String,
    pub parent_id: Option<String>,
    pub level: String,
    pub kind: String,
    pub name: String,
}

/// Inserts the agency unless one with its id exists; true when inserted.
pub fn insert_if_absent(conn: &mut DbConnection, agency: &Agency) -> StoreResult<bool> {
    if get(conn, &agency.id)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(agencies::table).values(agency).execute(conn)?;
    Ok(true)
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Agency>> {
    Ok(agencies::table.find(id).select(Agency::as_select()).first(conn).optional()?)
}

pub fn all(conn: &mut DbConnection) -> StoreResult<Vec<Agency>> {
    Ok(agencies::table.order(agencies::id).select(Agency::as_select()).load(conn)?)
}

/// The agencies of the given ids (unknown ids are left out).
pub fn by_ids(conn: &mut DbConnection, ids: &[&str]) -> StoreResult<Vec<Agency>> {
    Ok(agencies::table.filter(agencies::id.eq_any(ids)).select(Agency::as_select()).load(conn)?)
}
