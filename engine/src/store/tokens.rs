//! Refresh tokens: stored hashed, used once, rotated within a family; reuse of a used token revokes the
//! whole family (it means the token was stolen).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::refresh_tokens;
use super::{DbConnection, StoreResult, from_db, to_db};

pub struct RefreshTokenRow {
    pub staff_id: String,
    pub family: String,
    pub expires_at: DateTime<Utc>,
    /// When it was exchanged for its successor; `None`: not yet.
    pub used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

pub fn insert(
    conn: &mut DbConnection,
    token_hash: &str,
    staff_id: &str,
    family: &str,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::staff_id.eq(staff_id),
            refresh_tokens::family.eq(family),
            refresh_tokens::expires_at.eq(to_db(expires_at)),
            refresh_tokens::revoked.eq(false),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, token_hash: &str) -> StoreResult<Option<RefreshTokenRow>> {
    let row: Option<(String, String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>, bool)> =
        refresh_tokens::table
            .find(token_hash)
            .select((
                refresh_tokens::staff_id,
                refresh_tokens::family,
                refresh_tokens::expires_at,
                refresh_tokens::used_at,
                refresh_tokens::revoked,
            ))
            .first(conn)
            .optional()?;
    Ok(row.map(|(staff_id, family, expires, used, revoked)| RefreshTokenRow {
        staff_id,
        family,
        expires_at: from_db(expires),
        used_at: used.map(from_db),
        revoked,
    }))
}

/// Marks a token used; false if it was already used (a concurrent or replayed refresh).
pub fn mark_used(conn: &mut DbConnection, token_hash: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let updated = diesel::update(
        refresh_tokens::table.filter(refresh_tokens::token_hash.eq(token_hash).and(refresh_tokens::used_at.is_null())),
    )
    .set(refresh_tokens::used_at.eq(Some(to_db(now))))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn revoke_family(conn: &mut DbConnection, family: &str) -> StoreResult<()> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family.eq(family)))
        .set(refresh_tokens::revoked.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Revokes every refresh token of an account (a new password: every session ends).
pub fn revoke_all_of(conn: &mut DbConnection, staff_id: &str) -> StoreResult<()> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::staff_id.eq(staff_id)))
        .set(refresh_tokens::revoked.eq(true))
        .execute(conn)?;
    Ok(())
}
