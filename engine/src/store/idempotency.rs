//! Stored answers to writes sent with an `Idempotency-Key`, so a retried request gets the first answer.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::{DbConnection, StoreResult, to_db};

pub struct StoredAnswer {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

pub fn find(conn: &mut DbConnection, staff_id: &str, key: &str) -> StoreResult<Option<StoredAnswer>> {
    let row: Option<(String, i32, String)> = idempotency_keys::table
        .find((staff_id, key))
        .select((idempotency_keys::request_hash, idempotency_keys::status, idempotency_keys::body))
        .first(conn)
        .optional()?;
    Ok(row.map(|(request_hash, status, body)| StoredAnswer { request_hash, status: status as u16, body }))
}

pub fn insert(
    conn: &mut DbConnection,
    staff_id: &str,
    key: &str,
    answer: &StoredAnswer,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::staff_id.eq(staff_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(&answer.request_hash),
            idempotency_keys::status.eq(i32::from(answer.status)),
            idempotency_keys::body.eq(&answer.body),
            idempotency_keys::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}
