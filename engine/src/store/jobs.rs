//! The job queue: rows claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL so that any number of workers on
//! any number of hosts share the work and no job runs twice; SQLite claims inside its write transaction.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::schema::jobs;
use super::{DbConnection, StoreResult, to_db};

#[derive(Debug, Clone, QueryableByName)]
pub struct Job {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub payload: String,
}

/// Enqueues a job; with a `unique_key`, only once (a second enqueue with the same key is a no-op).
pub fn enqueue(
    conn: &mut DbConnection,
    kind: &str,
    unique_key: Option<&str>,
    payload: &str,
    run_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let inserted = diesel::sql_query(
        "INSERT INTO jobs (kind, unique_key, payload, run_at, attempts) VALUES ($1, $2, $3, $4, 0) \
         ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind::<Text, _>(kind)
    .bind::<diesel::sql_types::Nullable<Text>, _>(unique_key)
    .bind::<Text, _>(payload)
    .bind::<Timestamp, _>(to_db(run_at))
    .execute(conn)?;
    Ok(inserted == 1)
}

/// Claims up to `limit` due jobs for `lease` on behalf of `worker`.
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    now: DateTime<Utc>,
    lease: TimeDelta,
    limit: i64,
) -> StoreResult<Vec<Job>> {
    let skip_locked = match conn {
        DbConnection::Pg(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1 WHERE id IN ( \
           SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $3 \
             AND (locked_until IS NULL OR locked_until < $3) \
           ORDER BY run_at, id LIMIT $4{skip_locked}) \
         RETURNING id, kind, payload"
    );
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(worker)
        .bind::<Timestamp, _>(to_db(now + lease))
        .bind::<Timestamp, _>(to_db(now))
        .bind::<BigInt, _>(limit)
        .load(conn)?)
}

pub fn complete(conn: &mut DbConnection, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
    diesel::update(jobs::table.find(id))
        .set((jobs::done_at.eq(Some(to_db(now))), jobs::locked_until.eq(None::<chrono::NaiveDateTime>)))
        .execute(conn)?;
    Ok(())
}

pub fn fail(conn: &mut DbConnection, id: i64, error: &str, retry_at: DateTime<Utc>) -> StoreResult<()> {
    diesel::update(jobs::table.find(id))
        .set((
            jobs::last_error.eq(Some(error)),
            jobs::run_at.eq(to_db(retry_at)),
            jobs::locked_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn pending(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(jobs::table.filter(jobs::done_at.is_null()).count().get_result(conn)?)
}
