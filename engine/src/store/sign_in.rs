//! Failed sign-ins counted per key (an account and address, an address, an account name): what the throttle
//! reads before checking a password.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::sign_in_failures;
use super::{DbConnection, StoreResult, from_db, to_db};

/// Failures of a key and when the last one was.
pub fn failures(conn: &mut DbConnection, keys: &[String]) -> StoreResult<Vec<(String, i32, DateTime<Utc>)>> {
    let rows: Vec<(String, i32, chrono::NaiveDateTime)> = sign_in_failures::table
        .filter(sign_in_failures::key.eq_any(keys))
        .select((sign_in_failures::key, sign_in_failures::failures, sign_in_failures::last_failure_at))
        .load(conn)?;
    Ok(rows.into_iter().map(|(key, n, at)| (key, n, from_db(at))).collect())
}

/// One more failure for each key; a count older than `forget_before` starts again at one.
pub fn record_failure(
    conn: &mut DbConnection,
    keys: &[String],
    now: DateTime<Utc>,
    forget_before: DateTime<Utc>,
) -> StoreResult<()> {
    for key in keys {
        diesel::sql_query(
            "INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN sign_in_failures.last_failure_at < $3 THEN 1 \
             ELSE sign_in_failures.failures + 1 END, last_failure_at = $2",
        )
        .bind::<diesel::sql_types::Text, _>(key)
        .bind::<diesel::sql_types::Timestamp, _>(to_db(now))
        .bind::<diesel::sql_types::Timestamp, _>(to_db(forget_before))
        .execute(conn)?;
    }
    Ok(())
}

/// Forgets the failures of these keys (a successful sign-in, an administrator's reset).
pub fn clear(conn: &mut DbConnection, keys: &[String]) -> StoreResult<()> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::key.eq_any(keys))).execute(conn)?;
    Ok(())
}

/// Forgets every failure of an account name, from any address (an administrator's reset).
pub fn clear_account(conn: &mut DbConnection, account_key: &str) -> StoreResult<()> {
    let escaped: String =
        account_key.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    diesel::delete(sign_in_failures::table.filter(
        sign_in_failures::key.eq(account_key).or(sign_in_failures::key.like(format!("{escaped}|%")).escape('\\')),
    ))
    .execute(conn)?;
    Ok(())
}

/// Every account key (an account name's own, and the name's from each address) with a failure since `since`:
/// the administration's view of who waits, in one query (the table holds only the last hour or so).
pub fn recent_of_accounts(
    conn: &mut DbConnection,
    since: DateTime<Utc>,
) -> StoreResult<Vec<(String, i32, DateTime<Utc>)>> {
    let rows: Vec<(String, i32, chrono::NaiveDateTime)> = sign_in_failures::table
        .filter(sign_in_failures::key.like("account:%").and(sign_in_failures::last_failure_at.ge(to_db(since))))
        .select((sign_in_failures::key, sign_in_failures::failures, sign_in_failures::last_failure_at))
        .load(conn)?;
    Ok(rows.into_iter().map(|(key, n, at)| (key, n, from_db(at))).collect())
}

/// Forgets counts whose last failure is older than `cutoff` (they would start again at one anyway).
pub fn forget_before(conn: &mut DbConnection, cutoff: DateTime<Utc>) -> StoreResult<usize> {
    Ok(diesel::delete(sign_in_failures::table.filter(sign_in_failures::last_failure_at.lt(to_db(cutoff))))
        .execute(conn)?)
}
