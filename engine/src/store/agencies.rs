//! Agencies: the two-level government tree with electronic ids.

use std::collections::HashMap;
use std::sync::RwLock;

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

/// The agencies read so far, by id, so that the papers, notices and portal messages of every change do not ask
/// the database for the same few rows again. An agency is only ever inserted, never changed (there is no rename
/// or move: a reorganised commune is a new agency), so a cached row is never stale; a miss asks the database.
/// A change of agencies must end this cache.
#[derive(Default)]
pub struct Directory(RwLock<HashMap<String, Agency>>);

impl Directory {
    pub fn get(&self, conn: &mut DbConnection, id: &str) -> StoreResult<Option<Agency>> {
        if let Some(agency) = self.0.read().expect("agency directory lock").get(id) {
            return Ok(Some(agency.clone()));
        }
        let found = get(conn, id)?;
        if let Some(agency) = &found {
            self.0.write().expect("agency directory lock").insert(agency.id.clone(), agency.clone());
        }
        Ok(found)
    }

    /// The agencies of the given ids (unknown ids are left out).
    pub fn by_ids(&self, conn: &mut DbConnection, ids: &[&str]) -> StoreResult<Vec<Agency>> {
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let known = self.0.read().expect("agency directory lock");
            for id in ids {
                match known.get(*id) {
                    Some(agency) => found.push(agency.clone()),
                    None => missing.push(*id),
                }
            }
        }
        if !missing.is_empty() {
            let read = by_ids(conn, &missing)?;
            let mut known = self.0.write().expect("agency directory lock");
            for agency in read {
                known.insert(agency.id.clone(), agency.clone());
                found.push(agency);
            }
        }
        Ok(found)
    }
}
