//! The working-time calendar's versions (migration 22): the newest is in use; none is ever changed.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{calendars, dossiers};
use super::{DbConnection, StoreResult, to_db};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = calendars)]
pub struct Version {
    pub version: i32,
    pub body: String,
    #[serde(serialize_with = "super::serialize_utc")]
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub note: String,
}

pub fn latest(conn: &mut DbConnection) -> StoreResult<Option<Version>> {
    Ok(calendars::table.order(calendars::version.desc()).select(Version::as_select()).first(conn).optional()?)
}

/// The newest version made by `who`.
pub fn latest_by(conn: &mut DbConnection, who: &str) -> StoreResult<Option<Version>> {
    Ok(calendars::table
        .filter(calendars::created_by.eq(who))
        .order(calendars::version.desc())
        .select(Version::as_select())
        .first(conn)
        .optional()?)
}

/// The newest version number, or 0 before the first.
pub fn latest_number(conn: &mut DbConnection) -> StoreResult<i32> {
    Ok(calendars::table.select(diesel::dsl::max(calendars::version)).first::<Option<i32>>(conn)?.unwrap_or(0))
}

/// Every version, newest first (a handful a year).
pub fn all(conn: &mut DbConnection) -> StoreResult<Vec<Version>> {
    Ok(calendars::table.order(calendars::version.desc()).select(Version::as_select()).load(conn)?)
}

/// Adds the version after `latest`; fails (unique violation) when another process added it first.
pub fn add(
    conn: &mut DbConnection,
    version: i32,
    body: &str,
    at: DateTime<Utc>,
    by: &str,
    note: &str,
) -> StoreResult<Version> {
    let row = Version {
        version,
        body: body.to_string(),
        created_at: to_db(at),
        created_by: by.to_string(),
        note: note.to_string(),
    };
    diesel::insert_into(calendars::table).values(&row).execute(conn)?;
    Ok(row)
}

/// Records the calendar version a dossier's deadline was computed with.
pub fn mark_dossier(conn: &mut DbConnection, dossier_id: &str, version: i32) -> StoreResult<()> {
    diesel::update(dossiers::table.find(dossier_id)).set(dossiers::calendar_version.eq(version)).execute(conn)?;
    Ok(())
}

/// The calendar version of a dossier's deadline (`None`: computed before calendars were versioned).
pub fn of_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Option<i32>> {
    Ok(dossiers::table
        .find(dossier_id)
        .select(dossiers::calendar_version)
        .first::<Option<i32>>(conn)
        .optional()?
        .flatten())
}
