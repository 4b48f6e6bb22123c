//! Agencies: the two-level government tree with electronic ids.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::agencies;
use super::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = agencies)]
pub struct Agency {
    pub id: String,
    pub parent_id: Option<String>,
    pub level: String,
    pub kind: String,
    pub name: String,
    /// The area served: the province code, then the commune's after a dot ("31", "31.01").
    pub area: Option<String>,
}

/// Whether `text` names an area: a two-digit province code, optionally a dot and a commune's digits.
pub fn is_area(text: &str) -> bool {
    let (province, commune) = text.split_once('.').map_or((text, None), |(p, c)| (p, Some(c)));
    let digits =
        |t: &str, n: std::ops::RangeInclusive<usize>| n.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    digits(province, 2..=2) && commune.is_none_or(|c| digits(c, 1..=5))
}

/// The agency of `kind` that serves `area`: the one of that very area, else one serving the whole province.
pub fn serving(conn: &mut DbConnection, kind: &str, area: &str) -> StoreResult<Option<Agency>> {
    let province = area.split('.').next().unwrap_or(area);
    let mut candidates: Vec<Agency> = agencies::table
        .filter(agencies::kind.eq(kind))
        .filter(agencies::area.eq(area).or(agencies::area.eq(province)))
        .order(agencies::id)
        .select(Agency::as_select())
        .load(conn)?;
    candidates.sort_by_key(|a| a.area.as_deref() != Some(area));
    Ok(candidates.into_iter().next())
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
