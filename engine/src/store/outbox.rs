//! The outbox: every message to the outside is a row written in the transaction of the change that caused
//! it. Dispatchers claim deliverable rows (the oldest undelivered message of each dossier only, so order per
//! dossier holds), deliver at least once, and record success, a retry with backoff, or a dead message.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use serde::Serialize;

use super::schema::outbox;
use super::{DbConnection, StoreResult, to_db};

pub struct NewMessage<'a> {
    pub dossier_id: Option<&'a str>,
    pub topic: &'a str,
    /// Idempotency key the receiver deduplicates on; unique.
    pub key: String,
    pub payload: String,
}

#[derive(Debug, Clone, QueryableByName, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub dossier_id: Option<String>,
    #[diesel(sql_type = Text)]
    pub topic: String,
    #[diesel(sql_type = Text)]
    pub message_key: String,
    #[diesel(sql_type = Text)]
    pub payload: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Timestamp)]
    pub created_at: chrono::NaiveDateTime,
}

pub fn enqueue(conn: &mut DbConnection, message: NewMessage, now: DateTime<Utc>) -> StoreResult<()> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::dossier_id.eq(message.dossier_id),
            outbox::topic.eq(message.topic),
            outbox::message_key.eq(&message.key),
            outbox::payload.eq(&message.payload),
            outbox::created_at.eq(to_db(now)),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(to_db(now)),
            outbox::dead.eq(false),
        ))
        .execute(conn)?;
    Ok(())
}

/// Claims up to `limit` due messages of `topics` for `lease`, skipping rows other dispatchers hold (PostgreSQL)
/// and any message with an older undelivered one of the same dossier and topic.
pub fn claim(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    lease: TimeDelta,
    limit: i64,
    topics: &[String],
) -> StoreResult<Vec<Message>> {
    let skip_locked = match conn {
        DbConnection::Pg(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    // Topics are our own constants, never user input; quoting keeps the statement well-formed regardless.
    let topics = topics.iter().map(|t| format!("'{}'", t.replace('\'', "''"))).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN ( \
           SELECT o.id FROM outbox o \
           WHERE o.delivered_at IS NULL AND NOT o.dead AND o.next_attempt_at <= $2 AND o.topic IN ({topics}) \
             AND (o.locked_until IS NULL OR o.locked_until < $2) \
             AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.dossier_id = o.dossier_id AND e.topic = o.topic \
                             AND e.id < o.id AND e.delivered_at IS NULL) \
           ORDER BY o.id LIMIT $3{skip_locked}) \
         RETURNING id, dossier_id, topic, message_key, payload, attempts, created_at"
    );
    let mut claimed: Vec<Message> = diesel::sql_query(sql)
        .bind::<Timestamp, _>(to_db(now + lease))
        .bind::<Timestamp, _>(to_db(now))
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

pub fn mark_delivered(conn: &mut DbConnection, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
    diesel::update(outbox::table.find(id))
        .set((outbox::delivered_at.eq(Some(to_db(now))), outbox::locked_until.eq(None::<chrono::NaiveDateTime>)))
        .execute(conn)?;
    Ok(())
}

/// Whether a message of `topic` about the dossier was delivered more than `within` after it was written, or
/// given up.
pub fn delivered_late(conn: &mut DbConnection, dossier_id: &str, topic: &str, within: TimeDelta) -> StoreResult<bool> {
    let rows: Vec<(chrono::NaiveDateTime, Option<chrono::NaiveDateTime>, bool)> = outbox::table
        .filter(outbox::dossier_id.eq(dossier_id).and(outbox::topic.eq(topic)))
        .select((outbox::created_at, outbox::delivered_at, outbox::dead))
        .load(conn)?;
    Ok(rows.iter().any(|(created, delivered, dead)| *dead || delivered.is_some_and(|d| d - *created > within)))
}

/// Records a failed attempt: retried after an exponential backoff, or parked dead after `max_attempts` (or at
/// once when the receiver refused the message for good).
pub fn mark_failed(
    conn: &mut DbConnection,
    message: &Message,
    error: &str,
    now: DateTime<Utc>,
    max_attempts: i32,
    give_up: bool,
) -> StoreResult<bool> {
    let dead = give_up || message.attempts >= max_attempts;
    let backoff = TimeDelta::seconds(2i64.saturating_pow(message.attempts.clamp(0, 12) as u32).min(3600));
    diesel::update(outbox::table.find(message.id))
        .set((
            outbox::dead.eq(dead),
            outbox::last_error.eq(Some(error)),
            outbox::next_attempt_at.eq(to_db(now + backoff)),
            outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(dead)
}

/// Puts a dead message back in line (re-drive).
pub fn redrive(conn: &mut DbConnection, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
    let updated = diesel::update(outbox::table.filter(outbox::id.eq(id).and(outbox::dead.eq(true))))
        .set((outbox::dead.eq(false), outbox::attempts.eq(0), outbox::next_attempt_at.eq(to_db(now))))
        .execute(conn)?;
    Ok(updated == 1)
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxStats {
    pub pending: i64,
    pub delivered: i64,
    pub dead: i64,
}

pub fn stats(conn: &mut DbConnection) -> StoreResult<OutboxStats> {
    let delivered = outbox::table.filter(outbox::delivered_at.is_not_null()).count().get_result(conn)?;
    let dead = outbox::table.filter(outbox::dead.eq(true)).count().get_result(conn)?;
    let pending =
        outbox::table.filter(outbox::delivered_at.is_null().and(outbox::dead.eq(false))).count().get_result(conn)?;
    Ok(OutboxStats { pending, delivered, dead })
}

#[derive(Debug, Clone, Serialize, Queryable)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxRow {
    pub id: i64,
    pub dossier_id: Option<String>,
    pub topic: String,
    pub message_key: String,
    pub attempts: i32,
    pub dead: bool,
    #[serde(serialize_with = "super::serialize_utc_opt")]
    pub delivered_at: Option<chrono::NaiveDateTime>,
    pub last_error: Option<String>,
}

/// Which messages an operator looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OutboxState))]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Delivered,
    Dead,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<State>,
    pub topic: Option<String>,
    pub dossier_id: Option<String>,
    /// Newest first: only messages with an id below this one (the cursor).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// One message with its payload and schedule, for the operators' outbox view.
#[derive(Debug, Clone, Serialize, Queryable)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxEntry {
    pub id: i64,
    pub dossier_id: Option<String>,
    pub topic: String,
    pub message_key: String,
    pub payload: String,
    #[serde(serialize_with = "super::serialize_utc")]
    pub created_at: chrono::NaiveDateTime,
    pub attempts: i32,
    #[serde(serialize_with = "super::serialize_utc")]
    pub next_attempt_at: chrono::NaiveDateTime,
    #[serde(serialize_with = "super::serialize_utc_opt")]
    pub delivered_at: Option<chrono::NaiveDateTime>,
    pub dead: bool,
    pub last_error: Option<String>,
}

/// Messages matching `filter`, newest first.
pub fn list(conn: &mut DbConnection, filter: &Filter) -> StoreResult<Vec<OutboxEntry>> {
    let mut query = outbox::table.into_boxed();
    query = match filter.state {
        Some(State::Pending) => query.filter(outbox::delivered_at.is_null().and(outbox::dead.eq(false))),
        Some(State::Delivered) => query.filter(outbox::delivered_at.is_not_null()),
        Some(State::Dead) => query.filter(outbox::dead.eq(true)),
        None => query,
    };
    if let Some(topic) = &filter.topic {
        query = query.filter(outbox::topic.eq(topic));
    }
    if let Some(dossier) = &filter.dossier_id {
        query = query.filter(outbox::dossier_id.eq(dossier));
    }
    if let Some(before) = filter.before_id {
        query = query.filter(outbox::id.lt(before));
    }
    Ok(query
        .order(outbox::id.desc())
        .limit(filter.limit)
        .select((
            outbox::id,
            outbox::dossier_id,
            outbox::topic,
            outbox::message_key,
            outbox::payload,
            outbox::created_at,
            outbox::attempts,
            outbox::next_attempt_at,
            outbox::delivered_at,
            outbox::dead,
            outbox::last_error,
        ))
        .load(conn)?)
}

/// Counts by topic.
pub fn stats_by_topic(conn: &mut DbConnection) -> StoreResult<Vec<(String, OutboxStats)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        topic: String,
        #[diesel(sql_type = BigInt)]
        pending: i64,
        #[diesel(sql_type = BigInt)]
        delivered: i64,
        #[diesel(sql_type = BigInt)]
        dead: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT topic, \
           CAST(SUM(CASE WHEN delivered_at IS NULL AND NOT dead THEN 1 ELSE 0 END) AS BIGINT) AS pending, \
           CAST(SUM(CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS delivered, \
           CAST(SUM(CASE WHEN delivered_at IS NULL AND dead THEN 1 ELSE 0 END) AS BIGINT) AS dead \
         FROM outbox GROUP BY topic ORDER BY topic",
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.topic, OutboxStats { pending: r.pending, delivered: r.delivered, dead: r.dead }))
        .collect())
}

/// Messages of one dossier, oldest first.
pub fn for_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<OutboxRow>> {
    Ok(outbox::table
        .filter(outbox::dossier_id.eq(dossier_id))
        .order(outbox::id)
        .select((
            outbox::id,
            outbox::dossier_id,
            outbox::topic,
            outbox::message_key,
            outbox::attempts,
            outbox::dead,
            outbox::delivered_at,
            outbox::last_error,
        ))
        .load(conn)?)
}

/// How many messages were delivered, and when the first and the last of them were: the outbox benchmark's
/// throughput, read from the rows rather than timed from outside (worker start-up is not delivery).
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct DeliverySpan {
    #[diesel(sql_type = BigInt)]
    pub delivered: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub first: Option<chrono::NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub last: Option<chrono::NaiveDateTime>,
}

pub fn delivery_span(conn: &mut DbConnection) -> StoreResult<DeliverySpan> {
    Ok(diesel::sql_query(
        "SELECT count(delivered_at) AS delivered, min(delivered_at) AS first, max(delivered_at) AS last FROM outbox",
    )
    .get_result(conn)?)
}
