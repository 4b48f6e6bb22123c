//! Dossiers the national portal routed to us, by their id on the portal (makes routing idempotent).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::portal_intake;
use super::{DbConnection, StoreResult, to_db};

#[derive(Debug, Clone, Queryable)]
pub struct Intake {
    pub portal_id: String,
    pub dossier_id: String,
    pub request_hash: String,
    pub received_at: chrono::NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, portal_id: &str) -> StoreResult<Option<Intake>> {
    Ok(portal_intake::table.find(portal_id).first(conn).optional()?)
}

pub fn insert(
    conn: &mut DbConnection,
    portal_id: &str,
    dossier_id: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(portal_intake::table)
        .values((
            portal_intake::portal_id.eq(portal_id),
            portal_intake::dossier_id.eq(dossier_id),
            portal_intake::request_hash.eq(request_hash),
            portal_intake::received_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}
