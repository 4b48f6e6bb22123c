//! The job queue: rows claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL so that any number of workers on
//! any number of hosts share the work and no job runs twice; SQLite claims inside its write transaction.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use serde::{Deserialize, Serialize};

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
    /// Attempts so far, this one included.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
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

/// Claims up to `limit` due jobs of `kinds` for `lease` on behalf of `worker`. Kinds a worker does not know
/// (a newer version's) are left for a worker that does.
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    now: DateTime<Utc>,
    lease: TimeDelta,
    limit: i64,
    kinds: &[&str],
) -> StoreResult<Vec<Job>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    // Kind names are identifiers of the code (checked here), so they are written into the statement.
    assert!(kinds.iter().all(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    let kinds = kinds.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
    let skip_locked = match conn {
        DbConnection::Pg(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1 WHERE id IN ( \
           SELECT id FROM jobs WHERE done_at IS NULL AND NOT dead AND run_at <= $3 \
             AND (locked_until IS NULL OR locked_until < $3) AND kind IN ({kinds}) \
           ORDER BY run_at, id LIMIT $4{skip_locked}) \
         RETURNING id, kind, payload, attempts"
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

/// Records a failed attempt: the job runs again after a pause that doubles with each attempt (30 s, 1 min,
/// 2 min … at most an hour), or is parked dead once it has had `max_attempts` or when `give_up`. Answers
/// whether it is dead.
pub fn fail(
    conn: &mut DbConnection,
    job: &Job,
    error: &str,
    now: DateTime<Utc>,
    max_attempts: i32,
    give_up: bool,
) -> StoreResult<bool> {
    let dead = give_up || job.attempts >= max_attempts;
    let pause = TimeDelta::seconds((30i64 << job.attempts.clamp(1, 8).saturating_sub(1)).min(3600));
    diesel::update(jobs::table.find(job.id))
        .set((
            jobs::dead.eq(dead),
            jobs::last_error.eq(Some(error)),
            jobs::run_at.eq(to_db(now + pause)),
            jobs::locked_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(dead)
}

/// Puts a dead job back in line, with its attempts anew.
pub fn redrive(conn: &mut DbConnection, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
    let updated = diesel::update(jobs::table.filter(jobs::id.eq(id).and(jobs::dead.eq(true))))
        .set((jobs::dead.eq(false), jobs::attempts.eq(0), jobs::run_at.eq(to_db(now))))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Forgets jobs done before `cutoff` (the administration shows the recent ones; the work itself is recorded
/// where it matters: events, papers, alerts).
pub fn delete_done_before(conn: &mut DbConnection, cutoff: DateTime<Utc>) -> StoreResult<usize> {
    Ok(diesel::delete(jobs::table.filter(jobs::done_at.lt(to_db(cutoff)))).execute(conn)?)
}

/// Which jobs an operator looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = JobState))]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Done,
    Dead,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<State>,
    pub kind: Option<String>,
    /// Newest first: only jobs with an id below this one (the cursor).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// One job as the operators see it.
#[derive(Debug, Clone, Serialize, Queryable)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobEntry {
    pub id: i64,
    pub kind: String,
    pub unique_key: Option<String>,
    pub payload: String,
    #[serde(serialize_with = "super::serialize_utc")]
    pub run_at: chrono::NaiveDateTime,
    pub attempts: i32,
    #[serde(serialize_with = "super::serialize_utc_opt")]
    pub done_at: Option<chrono::NaiveDateTime>,
    pub dead: bool,
    pub last_error: Option<String>,
}

/// Jobs matching `filter`, newest first.
pub fn list(conn: &mut DbConnection, filter: &Filter) -> StoreResult<Vec<JobEntry>> {
    let mut query = jobs::table.into_boxed();
    query = match filter.state {
        Some(State::Pending) => query.filter(jobs::done_at.is_null().and(jobs::dead.eq(false))),
        Some(State::Done) => query.filter(jobs::done_at.is_not_null()),
        Some(State::Dead) => query.filter(jobs::dead.eq(true)),
        None => query,
    };
    if let Some(kind) = &filter.kind {
        query = query.filter(jobs::kind.eq(kind));
    }
    if let Some(before) = filter.before_id {
        query = query.filter(jobs::id.lt(before));
    }
    Ok(query
        .order(jobs::id.desc())
        .limit(filter.limit)
        .select((
            jobs::id,
            jobs::kind,
            jobs::unique_key,
            jobs::payload,
            jobs::run_at,
            jobs::attempts,
            jobs::done_at,
            jobs::dead,
            jobs::last_error,
        ))
        .load(conn)?)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobStats {
    pub pending: i64,
    pub done: i64,
    pub dead: i64,
}

/// Counts by kind (done jobs are kept a week, so the table stays small).
pub fn stats_by_kind(conn: &mut DbConnection) -> StoreResult<Vec<(String, JobStats)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = BigInt)]
        pending: i64,
        #[diesel(sql_type = BigInt)]
        done: i64,
        #[diesel(sql_type = BigInt)]
        dead: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT kind, \
           CAST(SUM(CASE WHEN done_at IS NULL AND NOT dead THEN 1 ELSE 0 END) AS BIGINT) AS pending, \
           CAST(SUM(CASE WHEN done_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS done, \
           CAST(SUM(CASE WHEN done_at IS NULL AND dead THEN 1 ELSE 0 END) AS BIGINT) AS dead \
         FROM jobs GROUP BY kind ORDER BY kind",
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.kind, JobStats { pending: r.pending, done: r.done, dead: r.dead })).collect())
}

/// Jobs waiting to run, and jobs parked dead (both read from partial indexes).
pub fn waiting_and_dead(conn: &mut DbConnection) -> StoreResult<(i64, i64)> {
    let waiting = jobs::table.filter(jobs::done_at.is_null().and(jobs::dead.eq(false))).count().get_result(conn)?;
    let dead = jobs::table.filter(jobs::dead.eq(true)).count().get_result(conn)?;
    Ok((waiting, dead))
}

/// Jobs of `kind`: how many are done and how many wait (dead ones neither), and when the first and the last
/// were done (the outbox benchmark's job throughput).
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct KindProgress {
    #[diesel(sql_type = BigInt)]
    pub done: i64,
    #[diesel(sql_type = BigInt)]
    pub waiting: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<Timestamp>)]
    pub first: Option<chrono::NaiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Timestamp>)]
    pub last: Option<chrono::NaiveDateTime>,
}

pub fn progress_of(conn: &mut DbConnection, kind: &str) -> StoreResult<KindProgress> {
    Ok(diesel::sql_query(
        "SELECT count(done_at) AS done, count(*) FILTER (WHERE done_at IS NULL AND NOT dead) AS waiting, \
           min(done_at) AS first, max(done_at) AS last FROM jobs WHERE kind = $1",
    )
    .bind::<Text, _>(kind)
    .get_result(conn)?)
}
