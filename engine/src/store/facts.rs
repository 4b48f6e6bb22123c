//! Each dossier's facts for the Decision 766 indicators (table `dossier_facts`, see `domain::facts`): written in
//! the transaction of every change, and counted per agency and period by index.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::dossiers::{STATE, StoredState};
use super::schema::dossiers;
use super::{DbConnection, StoreResult, daily_counts, from_db, to_db};
use crate::domain::calendar::Timeliness;
use crate::domain::facts::DossierFacts;

diesel::table! {
    dossier_facts (dossier_id) {
        dossier_id -> Text,
        agency_id -> Text,
        procedure_code -> Text,
        channel -> Integer,
        handler_id -> Nullable<Text>,
        received_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        timeliness -> Nullable<Integer>,
        fully_online_eligible -> Bool,
        result_is_paper -> Bool,
        electronic_result -> Bool,
        fee_due -> Bool,
        paid_online -> Bool,
        digitised -> Bool,
        reuse_eligible -> Bool,
        reused -> Bool,
        population_data -> Bool,
        sync_late -> Bool,
        withdrawn_at -> Nullable<Timestamp>,
        refused -> Nullable<Bool>,
        rated_low -> Bool,
    }
}

diesel::joinable!(dossier_facts -> dossiers (dossier_id));
diesel::allow_tables_to_appear_in_same_query!(dossier_facts, dossiers);

// `sync_late` and `rated_low` are not facts of the state: they are left out, so that an insert takes the default
// and a rewrite keeps what the dispatcher (or the ratings' trigger, migration 17) set. Absent values are bound as NULL, never DEFAULT, so that the insert's text never varies and PostgreSQL keeps it
// prepared.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = dossier_facts, treat_none_as_null = true, treat_none_as_default_value = false)]
struct Row<'a> {
    dossier_id: &'a str,
    agency_id: &'a str,
    procedure_code: &'a str,
    channel: i32,
    handler_id: Option<&'a str>,
    received_at: Option<NaiveDateTime>,
    finished_at: Option<NaiveDateTime>,
    due_at: Option<NaiveDateTime>,
    timeliness: Option<i32>,
    fully_online_eligible: bool,
    result_is_paper: bool,
    electronic_result: bool,
    fee_due: bool,
    paid_online: bool,
    digitised: bool,
    reuse_eligible: bool,
    reused: bool,
    population_data: bool,
    withdrawn_at: Option<NaiveDateTime>,
    refused: Option<bool>,
}

/// The stored code of a timeliness: 0 early, 1 on time, 2 late.
pub fn timeliness_code(t: Timeliness) -> i32 {
    match t {
        Timeliness::Early => 0,
        Timeliness::OnTime => 1,
        Timeliness::Late => 2,
    }
}

impl<'a> Row<'a> {
    fn of(f: &'a DossierFacts) -> Row<'a> {
        Row {
            dossier_id: &f.dossier_id,
            agency_id: &f.agency,
            procedure_code: &f.procedure_code,
            channel: i32::from(f.channel.code()),
            handler_id: f.handler.as_deref(),
            received_at: f.received_at.map(to_db),
            finished_at: f.finished_at.map(to_db),
            due_at: f.due_at.map(to_db),
            timeliness: f.timeliness.map(timeliness_code),
            fully_online_eligible: f.fully_online_eligible,
            result_is_paper: f.result_is_paper,
            electronic_result: f.electronic_result,
            fee_due: f.fee_due,
            paid_online: f.paid_online,
            digitised: f.digitised,
            reuse_eligible: f.reuse_eligible,
            reused: f.reused,
            population_data: f.population_data,
            withdrawn_at: f.withdrawn_at.map(to_db),
            refused: Some(f.refused),
        }
    }
}

/// Writes the facts of a dossier new to the store.
pub fn insert(conn: &mut DbConnection, facts: &DossierFacts) -> StoreResult<()> {
    diesel::insert_into(dossier_facts::table).values(Row::of(facts)).execute(conn)?;
    Ok(())
}

/// Writes the facts of dossiers new to the store at once (a bulk load), 400 rows a statement: well inside each
/// backend's limit of bound values.
pub fn insert_all(conn: &mut DbConnection, all: &[DossierFacts]) -> StoreResult<()> {
    for chunk in all.chunks(400) {
        let rows: Vec<Row<'_>> = chunk.iter().map(Row::of).collect();
        // The multi-backend connection has no batch insert: each backend does its own.
        match conn {
            DbConnection::Pg(c) => diesel::insert_into(dossier_facts::table).values(&rows).execute(c)?,
            DbConnection::Sqlite(c) => diesel::insert_into(dossier_facts::table).values(&rows).execute(c)?,
        };
    }
    Ok(())
}

/// Writes a dossier's facts, replacing what was there.
pub fn upsert(conn: &mut DbConnection, facts: &DossierFacts) -> StoreResult<()> {
    let row = Row::of(facts);
    // The multi-backend connection has no upsert of its own: each backend does it.
    match conn {
        DbConnection::Pg(c) => diesel::insert_into(dossier_facts::table)
            .values(&row)
            .on_conflict(dossier_facts::dossier_id)
            .do_update()
            .set(&row)
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(dossier_facts::table)
            .values(&row)
            .on_conflict(dossier_facts::dossier_id)
            .do_update()
            .set(&row)
            .execute(c)?,
    };
    Ok(())
}

/// Records that a message to the national portal about the dossier was delivered late or given up.
pub fn mark_sync_late(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<()> {
    diesel::update(dossier_facts::table.find(dossier_id)).set(dossier_facts::sync_late.eq(true)).execute(conn)?;
    Ok(())
}

/// Whether the dossier's stored facts say it was paid online.
pub fn paid_online(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<bool> {
    Ok(dossier_facts::table
        .find(dossier_id)
        .select(dossier_facts::paid_online)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

/// Up to `limit` dossiers after `after` (by id) that have no facts yet, with their states: stored before the
/// facts existed (or by a bulk load), for the service to fill in.
pub fn missing(conn: &mut DbConnection, after: &str, limit: i64) -> StoreResult<Vec<(String, StoredState)>> {
    Ok(dossiers::table
        .left_join(dossier_facts::table)
        .filter(dossier_facts::dossier_id.is_null())
        .filter(dossiers::id.gt(after))
        .order(dossiers::id)
        .limit(limit)
        .select((dossiers::id, STATE))
        .load(conn)?)
}

/// Up to `limit` dossiers after `after` (by id) whose facts were written before the facts knew a refusal
/// (migration 15), with their states: for the service to derive again. Their own partial index, empty once done.
pub fn underived(conn: &mut DbConnection, after: &str, limit: i64) -> StoreResult<Vec<(String, StoredState)>> {
    Ok(dossier_facts::table
        .inner_join(dossiers::table)
        .filter(dossier_facts::refused.is_null())
        .filter(dossier_facts::dossier_id.gt(after))
        .order(dossier_facts::dossier_id)
        .limit(limit)
        .select((dossiers::id, STATE))
        .load(conn)?)
}

/// A dossier synced late: marked so (a message delivered late or given up), or with a message of the bound topic
/// (the portal's status messages, named by the caller) still waiting since before the bound instant. The waiting
/// messages are few: read once from the outbox's partial index of undelivered messages and hashed, not probed per
/// dossier. Binds: the topic, then the instant.
const SYNC_LATE: [&str; 3] = [
    "(dossier_facts.sync_late OR dossier_facts.dossier_id IN (SELECT o.dossier_id FROM outbox o WHERE \
     o.delivered_at IS NULL AND NOT o.dead AND o.topic = ",
    " AND o.created_at < ",
    "))",
];

/// The counts of a period the dossier indicators are scored from (`service::scorecard` says which is which).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodCounts {
    /// Received in the period; of those, online.
    pub received: u64,
    pub received_online: u64,
    /// Of those, of procedures offered fully online; and of those, received online with, where the result is a
    /// paper, an electronic result issued.
    pub fully_online_eligible: u64,
    pub fully_online: u64,
    /// Of those received, with a fee asked for; and of those, paid online.
    pub fee_due: u64,
    pub paid_online: u64,
    /// Of those received, of procedures with a replaceable paper; and of those, with a paper replaced.
    pub reuse_eligible: u64,
    pub reused_of_eligible: u64,
    /// Of those received, with a paper replaced by a repository's or an earlier result's.
    pub reused: u64,
    /// Of those received, checked against the population database and found.
    pub population_data: u64,
    /// Of those received, with a portal message delivered late or given up, or still waiting past the time
    /// allowed at the evaluation instant.
    pub sync_late: u64,
    /// Finished in the period; of those early or on time; with a paper result; with it issued electronically;
    /// digitised.
    pub finished: u64,
    pub finished_in_time: u64,
    /// Of those finished in the period, early (before the due day).
    pub finished_early: u64,
    pub finished_paper_result: u64,
    pub finished_electronic_result: u64,
    pub finished_digitised: u64,
    /// Finished in the period early or on time, yet rated "not satisfied" by the applicant.
    pub finished_in_time_not_satisfied: u64,
    /// Of those finished in the period, refused (stopped with reasons) rather than granted.
    pub finished_refused: u64,
    /// Received (before or in the period) and withdrawn by the applicant in the period.
    pub withdrawn: u64,
    /// Ratings given in the period (of the dossiers counted), the sum of their scores, and how many were "not
    /// satisfied". Counted by [`count_by`] only, not by the months of a trend.
    pub rated: u64,
    pub rating_sum: u64,
    pub rated_low: u64,
    /// Received and not finished at the period's evaluation instant; of those not yet due.
    pub open: u64,
    pub open_not_due: u64,
}

/// What a period's counts are broken down by: each is one column of the facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Agency,
    Procedure,
    /// The specialist the dossier is (or was last) assigned to; empty for those never assigned.
    Officer,
    /// 1 counter, 2 online, 3 post.
    Channel,
}

impl Dimension {
    /// The grouping expression, text on both backends.
    fn key(self) -> &'static str {
        match self {
            Dimension::Agency => "dossier_facts.agency_id",
            Dimension::Procedure => "dossier_facts.procedure_code",
            Dimension::Officer => "COALESCE(dossier_facts.handler_id, '')",
            Dimension::Channel => "CAST(dossier_facts.channel AS TEXT)",
        }
    }

    /// The column of the daily counts (`daily_counts`) this groups by, where they have one.
    fn daily_column(self) -> Option<&'static str> {
        match self {
            Dimension::Agency => Some("agency_id"),
            Dimension::Procedure => Some("procedure_code"),
            Dimension::Officer | Dimension::Channel => None,
        }
    }
}

impl std::ops::AddAssign<&PeriodCounts> for PeriodCounts {
    fn add_assign(&mut self, o: &PeriodCounts) {
        self.received += o.received;
        self.received_online += o.received_online;
        self.fully_online_eligible += o.fully_online_eligible;
        self.fully_online += o.fully_online;
        self.fee_due += o.fee_due;
        self.paid_online += o.paid_online;
        self.reuse_eligible += o.reuse_eligible;
        self.reused_of_eligible += o.reused_of_eligible;
        self.reused += o.reused;
        self.population_data += o.population_data;
        self.sync_late += o.sync_late;
        self.finished += o.finished;
        self.finished_in_time += o.finished_in_time;
        self.finished_early += o.finished_early;
        self.finished_paper_result += o.finished_paper_result;
        self.finished_electronic_result += o.finished_electronic_result;
        self.finished_digitised += o.finished_digitised;
        self.finished_in_time_not_satisfied += o.finished_in_time_not_satisfied;
        self.finished_refused += o.finished_refused;
        self.withdrawn += o.withdrawn;
        self.rated += o.rated;
        self.rating_sum += o.rating_sum;
        self.rated_low += o.rated_low;
        self.open += o.open;
        self.open_not_due += o.open_not_due;
    }
}

/// Counts over the facts of `agencies` (every agency when `None`): receptions and completions in `[from, to)`,
/// and what was open at `at` (the period's end, or now for a period still running). The sum of
/// [`count_by`] agency, ratings left out.
pub fn count(
    conn: &mut DbConnection,
    agencies: Option<&[String]>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: DateTime<Utc>,
    sync_topic: &str,
) -> StoreResult<PeriodCounts> {
    // The statements of `count_by` agency, without its ratings: no indicator reads them.
    let overdue_since = at - crate::domain::scorecard::sync_within();
    let keys = Keys::of(Dimension::Agency);
    let mut total = PeriodCounts::default();
    for counts in grouped(conn, keys, agencies, from, to, Some(at), sync_topic, overdue_since)?.values() {
        total += counts;
    }
    Ok(total)
}

/// [`count`] for each value of `by` that has any, in the order of the values. Four grouped statements, each
/// reading one index range: the reception instants, the completion instants, the open backlog, and the
/// completions since `at`.
pub fn count_by(
    conn: &mut DbConnection,
    by: Dimension,
    agencies: Option<&[String]>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: DateTime<Utc>,
    sync_topic: &str,
) -> StoreResult<Vec<(String, PeriodCounts)>> {
    let overdue_since = at - crate::domain::scorecard::sync_within();
    let keys = Keys::of(by);
    let mut counted = grouped(conn, keys, agencies, from, to, Some(at), sync_topic, overdue_since)?;
    for (key, rated, sum, low) in ratings_by(conn, by, agencies, from, to)? {
        let c = counted.entry(key).or_default();
        (c.rated, c.rating_sum, c.rated_low) = (rated, sum, low);
    }
    Ok(counted.into_iter().collect())
}

/// What was open at `at` for each value of `by` that had any: how many, and of those not yet due. The open
/// statements of [`count_by`] alone (its period empty).
pub fn open_by(
    conn: &mut DbConnection,
    by: Dimension,
    agencies: Option<&[String]>,
    at: DateTime<Utc>,
) -> StoreResult<Vec<(String, u64, u64)>> {
    let counted = grouped(conn, Keys::of(by), agencies, at, at, Some(at), "", at)?;
    Ok(counted.into_iter().filter(|(_, c)| c.open > 0).map(|(key, c)| (key, c.open, c.open_not_due)).collect())
}

/// The ratings given in `[from, to)` to dossiers of `agencies`, grouped by `by`: how many, the sum of their
/// scores, how many "not satisfied" (`domain::scorecard::not_satisfied`). By the ratings' (agency, instant)
/// index; a rating carries its agency and procedure, so only the officer and the channel join the facts.
fn ratings_by(
    conn: &mut DbConnection,
    by: Dimension,
    agencies: Option<&[String]>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<(String, u64, u64, u64)>> {
    use super::ratings::ratings;
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Text};
    let (from, to) = (to_db(from), to_db(to));
    let low = format!(
        "COALESCE(SUM(CASE WHEN ratings.score <= {} OR ratings.reception_satisfied = FALSE \
         OR ratings.result_satisfied = FALSE OR ratings.officer_satisfied = FALSE THEN 1 ELSE 0 END), 0)",
        crate::domain::scorecard::NOT_SATISFIED_AT_MOST
    );
    let key = match by {
        Dimension::Agency => "ratings.agency_id",
        Dimension::Procedure => "ratings.procedure_code",
        Dimension::Officer | Dimension::Channel => by.key(),
    };
    let select = || {
        (
            sql::<Text>(key),
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("COALESCE(SUM(ratings.score), 0)"),
            sql::<BigInt>(&low),
        )
    };
    let in_period = ratings::rated_at.ge(from).and(ratings::rated_at.lt(to));
    let scope = agencies.map(<[String]>::to_vec);
    macro_rules! grouped {
        ($query:expr, $c:expr) => {
            match &scope {
                Some(list) => $query
                    .filter(ratings::agency_id.eq_any(list.clone()))
                    .filter(in_period)
                    .group_by(sql::<Text>(key))
                    .select(select())
                    .load::<(String, i64, i64, i64)>($c)?,
                None => $query.filter(in_period).group_by(sql::<Text>(key)).select(select()).load($c)?,
            }
        };
    }
    macro_rules! on {
        ($c:expr) => {{
            if matches!(by, Dimension::Agency | Dimension::Procedure) {
                grouped!(ratings::table, $c)
            } else {
                let joined = ratings::table
                    .inner_join(dossier_facts::table.on(dossier_facts::dossier_id.eq(ratings::dossier_id)));
                grouped!(joined, $c)
            }
        }};
    }
    let rows = match conn {
        DbConnection::Pg(c) => on!(c),
        DbConnection::Sqlite(c) => on!(c),
    };
    let u = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(rows.into_iter().map(|(k, n, sum, low)| (k, u(n), u(sum), u(low))).collect())
}

/// The grouping expressions of receptions, of completions and of withdrawals (what is open is grouped as
/// receptions); and, where the daily counts can be grouped the same way, theirs.
#[derive(Clone, Copy)]
struct Keys<'a> {
    received: &'a str,
    finished: &'a str,
    withdrawn: &'a str,
    daily: Option<Daily<'a>>,
}

/// How the daily counts are grouped for a [`Keys`].
#[derive(Clone, Copy)]
enum Daily<'a> {
    /// By agency or procedure, a column of both tables.
    Column(Dimension),
    /// By the period a day falls in (an expression over `daily_counts.day`).
    Periods(&'a str),
}

impl Keys<'static> {
    /// One column's values for all three.
    fn of(by: Dimension) -> Keys<'static> {
        let daily = by.daily_column().map(|_| Daily::Column(by));
        Keys { received: by.key(), finished: by.key(), withdrawn: by.key(), daily }
    }
}

/// The statements of [`count_by`] and [`count_by_month`]: receptions in `[from, to)` grouped by their key,
/// completions by theirs and, with `open_at`, what was open then. A portal message still waiting counts as synced
/// late from `overdue_since` back. A period of whole local days grouped as the daily counts can be is summed from
/// them (a few rows a day), any other from the facts (a row a dossier).
#[allow(clippy::too_many_arguments)]
fn grouped(
    conn: &mut DbConnection,
    keys: Keys<'_>,
    agencies: Option<&[String]>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    open_at: Option<DateTime<Utc>>,
    sync_topic: &str,
    overdue_since: DateTime<Utc>,
) -> StoreResult<std::collections::BTreeMap<String, PeriodCounts>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let (from_instant, to_instant, overdue_instant) = (from, to, overdue_since);
    let (from, to, overdue_since) = (to_db(from), to_db(to), to_db(overdue_since));
    // Booleans are 0/1 integers on SQLite and booleans on PostgreSQL: both read them as conditions.
    let n = |condition: &str| sql::<BigInt>(&format!("COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"));
    let online = i32::from(crate::domain::dossier::Channel::Online.code());
    let fully_online =
        format!("fully_online_eligible AND channel = {online} AND (NOT result_is_paper OR electronic_result)");
    let late = timeliness_code(Timeliness::Late);
    let early = timeliness_code(Timeliness::Early);
    let not_satisfied_in_time = format!("timeliness <> {late} AND rated_low");
    let received_key = || sql::<Text>(keys.received);
    let finished_key = || sql::<Text>(keys.finished);
    let withdrawn_key = || sql::<Text>(keys.withdrawn);
    let daily = keys.daily.zip(daily_counts::whole_days(from_instant, to_instant));
    let from_facts = daily.is_none();
    // The same statements on each backend's own connection (the query types differ by backend).
    macro_rules! on {
        ($c:expr, $db:ty) => {{
            // A grouped statement cannot be boxed: the agencies' condition is (a column that is never null
            // for every agency).
            type Condition = Box<dyn BoxableExpression<dossier_facts::table, $db, SqlType = diesel::sql_types::Bool>>;
            let scope = || -> Condition {
                match agencies {
                    Some(list) => Box::new(dossier_facts::agency_id.eq_any(list.to_vec())),
                    None => Box::new(dossier_facts::agency_id.is_not_null()),
                }
            };
            let scoped = || dossier_facts::table.filter(scope());
            let mut received: Vec<ReceivedRow> = Vec::new();
            let mut finished: Vec<FinishedRow> = Vec::new();
            let mut withdrawn: Vec<(String, i64)> = Vec::new();
            if from_facts {
                received = scoped()
                    .filter(dossier_facts::received_at.ge(from).and(dossier_facts::received_at.lt(to)))
                    .group_by(received_key())
                    .select((
                        received_key(),
                        sql::<BigInt>("COUNT(*)"),
                        n(&format!("channel = {online}")),
                        n("fully_online_eligible"),
                        n(&fully_online),
                        n("fee_due"),
                        n("fee_due AND paid_online"),
                        n("reuse_eligible"),
                        n("reuse_eligible AND reused"),
                        n("reused"),
                        n("population_data"),
                        sql::<BigInt>("COALESCE(SUM(CASE WHEN ")
                            .sql(SYNC_LATE[0])
                            .bind::<Text, _>(sync_topic)
                            .sql(SYNC_LATE[1])
                            .bind::<Timestamp, _>(overdue_since)
                            .sql(SYNC_LATE[2])
                            .sql(" THEN 1 ELSE 0 END), 0)"),
                    ))
                    .load($c)?;
                finished = scoped()
                    .filter(dossier_facts::finished_at.ge(from).and(dossier_facts::finished_at.lt(to)))
                    .group_by(finished_key())
                    .select((
                        finished_key(),
                        sql::<BigInt>("COUNT(*)"),
                        n(&format!("timeliness <> {late}")),
                        n(&format!("timeliness = {early}")),
                        n("result_is_paper"),
                        n("result_is_paper AND electronic_result"),
                        n("digitised"),
                        n(&not_satisfied_in_time),
                        // NULL (not derived yet) is not a refusal.
                        n("refused = TRUE"),
                    ))
                    .load($c)?;
                // Withdrawn in the period, after reception (before it, a dossier was never in the work).
                withdrawn = scoped()
                    .filter(dossier_facts::withdrawn_at.ge(from).and(dossier_facts::withdrawn_at.lt(to)))
                    .filter(dossier_facts::received_at.is_not_null())
                    .group_by(withdrawn_key())
                    .select((withdrawn_key(), sql::<BigInt>("COUNT(*)")))
                    .load($c)?;
            }
            // Open at `at`: neither finished nor withdrawn yet (the open backlog, its own partial index), or
            // finished or withdrawn after `at` (the completion index from `at` on, the few withdrawals). Never a
            // range over the whole history.
            let mut open: Vec<(String, i64, i64)> = Vec::new();
            if let Some(at) = open_at.map(to_db) {
                let not_due = || {
                    sql::<BigInt>("COALESCE(SUM(CASE WHEN due_at IS NULL OR due_at >= ")
                        .bind::<Timestamp, _>(at)
                        .sql(" THEN 1 ELSE 0 END), 0)")
                };
                open.extend(
                    scoped()
                        .filter(dossier_facts::finished_at.is_null())
                        .filter(dossier_facts::withdrawn_at.is_null())
                        .filter(dossier_facts::received_at.lt(at))
                        .group_by(received_key())
                        .select((received_key(), sql::<BigInt>("COUNT(*)"), not_due()))
                        .load::<(String, i64, i64)>($c)?,
                );
                open.extend(
                    scoped()
                        .filter(dossier_facts::finished_at.ge(at))
                        .filter(dossier_facts::received_at.lt(at))
                        .group_by(received_key())
                        .select((received_key(), sql::<BigInt>("COUNT(*)"), not_due()))
                        .load::<(String, i64, i64)>($c)?,
                );
                open.extend(
                    scoped()
                        .filter(dossier_facts::withdrawn_at.ge(at))
                        .filter(dossier_facts::received_at.lt(at))
                        .group_by(received_key())
                        .select((received_key(), sql::<BigInt>("COUNT(*)"), not_due()))
                        .load::<(String, i64, i64)>($c)?,
                );
            }
            (received, finished, withdrawn, open)
        }};
    }
    let (received, finished, withdrawn, open) = match conn {
        DbConnection::Pg(c) => on!(c, diesel::pg::Pg),
        DbConnection::Sqlite(c) => on!(c, diesel::sqlite::Sqlite),
    };
    let u = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut by_key = fold(received, finished, withdrawn);
    if let Some((grouping, (first_day, end_day))) = daily {
        let key = match grouping {
            Daily::Column(by) => by.daily_column().expect("a dimension the daily counts have"),
            Daily::Periods(expression) => expression,
        };
        by_key = daily_counts::sums(conn, key, agencies, first_day, end_day)?;
        // The counts know a sync marked late; one still waiting past the time allowed is weighed here.
        if let Daily::Column(by) = grouping {
            for w in waiting(conn, agencies, from_instant, to_instant, sync_topic)? {
                if w.since < overdue_instant {
                    let key = if by == Dimension::Agency { w.agency_id } else { w.procedure_code };
                    by_key.entry(key).or_default().sync_late += 1;
                }
            }
        }
    }
    for (key, open, not_due) in open {
        let c = by_key.entry(key).or_default();
        c.open += u(open);
        c.open_not_due += u(not_due);
    }
    Ok(by_key)
}

/// A grouped row of receptions: the key, then the counts of [`PeriodCounts`] from `received` to `sync_late`.
pub(super) type ReceivedRow = (String, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
/// A grouped row of completions: the key, then the counts from `finished` to `finished_refused`.
pub(super) type FinishedRow = (String, i64, i64, i64, i64, i64, i64, i64, i64);

/// The counts by key of grouped receptions, completions and withdrawals (read from the facts or the daily counts).
pub(super) fn fold(
    received: Vec<ReceivedRow>,
    finished: Vec<FinishedRow>,
    withdrawn: Vec<(String, i64)>,
) -> std::collections::BTreeMap<String, PeriodCounts> {
    let u = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut by_key: std::collections::BTreeMap<String, PeriodCounts> = Default::default();
    for r in received {
        let c = by_key.entry(r.0).or_default();
        c.received = u(r.1);
        c.received_online = u(r.2);
        c.fully_online_eligible = u(r.3);
        c.fully_online = u(r.4);
        c.fee_due = u(r.5);
        c.paid_online = u(r.6);
        c.reuse_eligible = u(r.7);
        c.reused_of_eligible = u(r.8);
        c.reused = u(r.9);
        c.population_data = u(r.10);
        c.sync_late = u(r.11);
    }
    for r in finished {
        let c = by_key.entry(r.0).or_default();
        c.finished = u(r.1);
        c.finished_in_time = u(r.2);
        c.finished_early = u(r.3);
        c.finished_paper_result = u(r.4);
        c.finished_electronic_result = u(r.5);
        c.finished_digitised = u(r.6);
        c.finished_in_time_not_satisfied = u(r.7);
        c.finished_refused = u(r.8);
    }
    for (key, n) in withdrawn {
        by_key.entry(key).or_default().withdrawn = u(n);
    }
    by_key
}

/// An instant as the stores spell it in a statement's text (diesel's own format on SQLite, where instants are
/// text compared as text). Only instants this system computes are spelled so, never input.
fn spelled(t: DateTime<Utc>) -> String {
    format!("'{}'", to_db(t).format("%F %T%.f"))
}

/// `CASE` giving, as text, how many of `bounds` (in order) are at or before `column`'s value: the index of the
/// period it falls in; `null` for no value.
fn bucket(column: &str, bounds: &[DateTime<Utc>], null: usize) -> String {
    bucket_spelled(column, bounds.iter().map(|b| spelled(*b)), null)
}

/// [`bucket`] with the bounds spelled already.
fn bucket_spelled(column: &str, bounds: impl Iterator<Item = String>, null: usize) -> String {
    let mut case = format!("CASE WHEN {column} IS NULL THEN '{null}'");
    let mut n = 0;
    for (i, b) in bounds.enumerate() {
        case.push_str(&format!(" WHEN {column} < {b} THEN '{i}'"));
        n = i + 1;
    }
    case.push_str(&format!(" ELSE '{n}' END"));
    case
}

/// [`count`] for each of consecutive periods at once (the months of a trend): `bounds` are their `n + 1` limits,
/// `open_at` the `n` instants each is evaluated at (its end, or now while it runs; never decreasing). Receptions
/// and completions are grouped by period over the whole range; what was open at each instant comes from one pass
/// over the backlog and one over the completions since the first instant, grouped by the periods of their
/// reception, completion and due instants.
pub fn count_by_month(
    conn: &mut DbConnection,
    agencies: Option<&[String]>,
    bounds: &[DateTime<Utc>],
    open_at: &[DateTime<Utc>],
    sync_topic: &str,
) -> StoreResult<Vec<PeriodCounts>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Text};
    let periods = open_at.len();
    let (Some(&from), Some(&to), Some(&first), Some(&last)) =
        (bounds.first(), bounds.last(), open_at.first(), open_at.last())
    else {
        return Ok(Vec::new());
    };
    debug_assert_eq!(bounds.len(), periods + 1);
    let inner = &bounds[1..periods];
    // Periods of whole local days (months are) are summed from the daily counts.
    let whole = bounds.windows(2).all(|w| daily_counts::whole_days(w[0], w[1]).is_some());
    let days = bucket_spelled("day", inner.iter().map(|b| daily_counts::spelled(daily_counts::day_of(*b))), periods);
    let keys = Keys {
        received: &bucket("received_at", inner, periods),
        finished: &bucket("finished_at", inner, periods),
        withdrawn: &bucket("withdrawn_at", inner, periods),
        daily: whole.then_some(Daily::Periods(&days)),
    };
    // Waiting messages are weighed per period below: none counts here.
    let never = DateTime::<Utc>::UNIX_EPOCH;
    let mut counted = grouped(conn, keys, agencies, from, to, None, sync_topic, never)?;
    let mut months: Vec<PeriodCounts> =
        (0..periods).map(|i| counted.remove(&i.to_string()).unwrap_or_default()).collect();

    // Open at each instant: received before it, neither finished nor withdrawn by it; not due by it. Periods here
    // are those of the evaluation instants (`periods + 1`: none yet, or after the last). No dossier is both
    // finished and withdrawn.
    let triple = |closed: &str| {
        format!(
            "{} || ',' || {} || ',' || {}",
            bucket("received_at", open_at, periods + 1),
            bucket(closed, open_at, periods + 1),
            bucket("due_at", open_at, periods + 1)
        )
    };
    // The backlog and the completions read only the columns of their indexes (`dossier_facts_open`,
    // `dossier_facts_finished`), so each answers alone: the backlog has closed at no instant.
    let backlog = triple("CAST(NULL AS TIMESTAMP)");
    let (any_close, finished) = (triple("COALESCE(finished_at, withdrawn_at)"), triple("finished_at"));
    let (first, last) = (to_db(first), to_db(last));
    macro_rules! on {
        ($c:expr, $db:ty) => {{
            type Condition = Box<dyn BoxableExpression<dossier_facts::table, $db, SqlType = diesel::sql_types::Bool>>;
            let scope = || -> Condition {
                match agencies {
                    Some(list) => Box::new(dossier_facts::agency_id.eq_any(list.to_vec())),
                    None => Box::new(dossier_facts::agency_id.is_not_null()),
                }
            };
            let mut rows: Vec<(String, i64)> = dossier_facts::table
                .filter(scope())
                .filter(dossier_facts::finished_at.is_null())
                .filter(dossier_facts::withdrawn_at.is_null())
                .filter(dossier_facts::received_at.lt(last))
                .group_by(sql::<Text>(&backlog))
                .select((sql::<Text>(&backlog), sql::<BigInt>("COUNT(*)")))
                .load($c)?;
            rows.extend(
                dossier_facts::table
                    .filter(scope())
                    .filter(dossier_facts::finished_at.ge(first))
                    .filter(dossier_facts::received_at.lt(last))
                    .group_by(sql::<Text>(&finished))
                    .select((sql::<Text>(&finished), sql::<BigInt>("COUNT(*)")))
                    .load::<(String, i64)>($c)?,
            );
            rows.extend(
                dossier_facts::table
                    .filter(scope())
                    .filter(dossier_facts::withdrawn_at.ge(first))
                    .filter(dossier_facts::received_at.lt(last))
                    .group_by(sql::<Text>(&any_close))
                    .select((sql::<Text>(&any_close), sql::<BigInt>("COUNT(*)")))
                    .load::<(String, i64)>($c)?,
            );
            rows
        }};
    }
    let rows = match conn {
        DbConnection::Pg(c) => on!(c, diesel::pg::Pg),
        DbConnection::Sqlite(c) => on!(c, diesel::sqlite::Sqlite),
    };
    for (key, n) in rows {
        let b: Vec<usize> = key.split(',').filter_map(|p| p.parse().ok()).collect();
        let [received, finished, due] = b[..] else { continue };
        let n = u64::try_from(n).unwrap_or(0);
        // Open at instant m: received before it (its period is m or earlier), finished or withdrawn at or after
        // it.
        for (m, month) in months.iter_mut().enumerate() {
            if received <= m && finished > m {
                month.open += n;
                month.open_not_due += if due > m { n } else { 0 };
            }
        }
    }

    // Synced late by a message still waiting: per period, from that period's instant.
    for w in waiting(conn, agencies, from, to, sync_topic)? {
        let m = bounds[1..].iter().take_while(|b| **b <= w.received_at).count().min(periods - 1);
        if w.since < open_at[m] - crate::domain::scorecard::sync_within() {
            months[m].sync_late += 1;
        }
    }
    Ok(months)
}

/// A dossier received in a period, not marked synced late, with a portal message still waiting.
struct Waiting {
    agency_id: String,
    procedure_code: String,
    received_at: DateTime<Utc>,
    /// Its oldest message waiting was queued then.
    since: DateTime<Utc>,
}

/// The dossiers of `agencies` (every agency when `None`) received in `[from, to)`, not marked synced late, with a
/// portal message of `topic` still waiting (few: the outbox's partial index of undelivered messages, then the
/// facts by key).
fn waiting(
    conn: &mut DbConnection,
    agencies: Option<&[String]>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    topic: &str,
) -> StoreResult<Vec<Waiting>> {
    let oldest = waiting_per_dossier(conn, topic)?;
    let ids: Vec<&str> = oldest.keys().map(String::as_str).collect();
    let (from, to) = (to_db(from), to_db(to));
    let mut all = Vec::new();
    for chunk in ids.chunks(500) {
        macro_rules! found {
            ($c:expr) => {{
                let mut query = dossier_facts::table
                    .filter(dossier_facts::dossier_id.eq_any(chunk))
                    .filter(dossier_facts::received_at.ge(from).and(dossier_facts::received_at.lt(to)))
                    .filter(dossier_facts::sync_late.eq(false))
                    .select((
                        dossier_facts::dossier_id,
                        dossier_facts::agency_id,
                        dossier_facts::procedure_code,
                        dossier_facts::received_at,
                    ))
                    .into_boxed();
                if let Some(list) = agencies {
                    query = query.filter(dossier_facts::agency_id.eq_any(list.to_vec()));
                }
                query.load::<(String, String, String, Option<NaiveDateTime>)>($c)?
            }};
        }
        let found = match conn {
            DbConnection::Pg(c) => found!(c),
            DbConnection::Sqlite(c) => found!(c),
        };
        for (id, agency_id, procedure_code, received) in found {
            if let (Some(received_at), Some(since)) = (received.map(from_db), oldest.get(&id)) {
                all.push(Waiting { agency_id, procedure_code, received_at, since: *since });
            }
        }
    }
    Ok(all)
}

/// The oldest portal message of `topic` still waiting for each dossier that has one (few: the outbox's partial
/// index of undelivered messages).
fn waiting_per_dossier(
    conn: &mut DbConnection,
    topic: &str,
) -> StoreResult<std::collections::BTreeMap<String, DateTime<Utc>>> {
    use super::schema::outbox;
    let rows: Vec<(Option<String>, NaiveDateTime)> = match conn {
        DbConnection::Pg(c) => outbox::table
            .filter(outbox::delivered_at.is_null().and(outbox::dead.eq(false)).and(outbox::topic.eq(topic)))
            .select((outbox::dossier_id, outbox::created_at))
            .load(c)?,
        DbConnection::Sqlite(c) => outbox::table
            .filter(outbox::delivered_at.is_null().and(outbox::dead.eq(false)).and(outbox::topic.eq(topic)))
            .select((outbox::dossier_id, outbox::created_at))
            .load(c)?,
    };
    let mut oldest = std::collections::BTreeMap::new();
    for (id, at) in rows {
        let (Some(id), at) = (id, from_db(at)) else { continue };
        oldest.entry(id).and_modify(|t: &mut DateTime<Utc>| *t = (*t).min(at)).or_insert(at);
    }
    Ok(oldest)
}

/// What one procedure's dossiers received in a period hold for the indicators counted per procedure (online
/// payment's B and C, procedures connected to population data).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcedureCounts {
    pub procedure_code: String,
    pub received: u64,
    pub fee_due: u64,
    pub paid_online: u64,
    pub population_data: u64,
}

/// Per procedure, over the dossiers of `agencies` (every agency when `None`) received in `[from, to)`: one
/// grouped statement over the reception index range.
pub fn by_procedure(
    conn: &mut DbConnection,
    agencies: Option<&[String]>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<ProcedureCounts>> {
    let rows = procedures_grouped(conn, &[from, to], agencies)?;
    Ok(rows.into_iter().map(|(_, counts)| counts).collect())
}

/// [`by_procedure`] for each of consecutive periods (`bounds`: their `n + 1` limits) in one grouped pass.
pub fn by_procedure_by_month(
    conn: &mut DbConnection,
    agencies: Option<&[String]>,
    bounds: &[DateTime<Utc>],
) -> StoreResult<Vec<Vec<ProcedureCounts>>> {
    let Some(periods) = bounds.len().checked_sub(1) else { return Ok(Vec::new()) };
    let mut months = vec![Vec::new(); periods];
    for (key, counts) in procedures_grouped(conn, bounds, agencies)? {
        if let Some(month) = key.parse::<usize>().ok().and_then(|m| months.get_mut(m)) {
            month.push(counts);
        }
    }
    Ok(months)
}

/// The statement of [`by_procedure`] for the consecutive periods of `bounds` (at least two), grouped by the
/// period (its index, as text) and procedure: over the daily counts for periods of whole local days, over the
/// facts' reception index range otherwise.
fn procedures_grouped(
    conn: &mut DbConnection,
    bounds: &[DateTime<Utc>],
    agencies: Option<&[String]>,
) -> StoreResult<Vec<(String, ProcedureCounts)>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Text};
    let (Some(&from), Some(&to)) = (bounds.first(), bounds.last()) else { return Ok(Vec::new()) };
    let periods = bounds.len() - 1;
    let inner = &bounds[1..periods];
    if bounds.windows(2).all(|w| daily_counts::whole_days(w[0], w[1]).is_some()) {
        let days = inner.iter().map(|b| daily_counts::spelled(daily_counts::day_of(*b)));
        let period = (periods > 1).then(|| bucket_spelled("day", days, periods));
        return daily_counts::by_procedure(
            conn,
            period.as_deref(),
            agencies,
            daily_counts::day_of(from),
            daily_counts::day_of(to),
        );
    }
    let period = (periods > 1).then(|| bucket("received_at", inner, periods));
    let (from, to) = (to_db(from), to_db(to));
    let n = |condition: &str| sql::<BigInt>(&format!("COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"));
    // PostgreSQL refuses a constant in GROUP BY: without periods, the period selected is a constant, not grouped.
    let keys = match &period {
        Some(period) => format!("{period}, dossier_facts.procedure_code"),
        None => "dossier_facts.procedure_code".to_string(),
    };
    let period = period.as_deref().unwrap_or("'0'");
    macro_rules! on {
        ($c:expr, $db:ty) => {{
            type Condition = Box<dyn BoxableExpression<dossier_facts::table, $db, SqlType = diesel::sql_types::Bool>>;
            let scope: Condition = match agencies {
                Some(list) => Box::new(dossier_facts::agency_id.eq_any(list.to_vec())),
                None => Box::new(dossier_facts::agency_id.is_not_null()),
            };
            dossier_facts::table
                .filter(scope)
                .filter(dossier_facts::received_at.ge(from).and(dossier_facts::received_at.lt(to)))
                .group_by(sql::<Text>(&keys))
                .select((
                    sql::<Text>(period),
                    sql::<Text>("dossier_facts.procedure_code"),
                    sql::<BigInt>("COUNT(*)"),
                    n("fee_due"),
                    n("fee_due AND paid_online"),
                    n("population_data"),
                ))
                .order(sql::<Text>(&keys))
                .load::<(String, String, i64, i64, i64, i64)>($c)?
        }};
    }
    let rows = match conn {
        DbConnection::Pg(c) => on!(c, diesel::pg::Pg),
        DbConnection::Sqlite(c) => on!(c, diesel::sqlite::Sqlite),
    };
    let u = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(rows
        .into_iter()
        .map(|(period, procedure_code, received, fee_due, paid_online, population_data)| {
            let counts = ProcedureCounts {
                procedure_code,
                received: u(received),
                fee_due: u(fee_due),
                paid_online: u(paid_online),
                population_data: u(population_data),
            };
            (period, counts)
        })
        .collect())
}

/// The dossiers that cost an indicator points, each set one condition over one index range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Lost {
    /// Finished in the period, late (or after more than one supplement request).
    FinishedLate,
    /// Received and not finished at the evaluation instant, past its legal due instant.
    OpenOverdue,
    /// Received in the period for a procedure offered fully online, but not online or without an electronic
    /// result where the result is a paper.
    NotFullyOnline,
    /// Received in the period with a fee, not paid online.
    PaidAtCounter,
    /// Finished in the period, of a procedure whose result is a paper, without an electronic result.
    PaperResultOnly,
    /// Finished in the period with a paper not digitised.
    NotDigitised,
    /// Received in the period for a procedure with a replaceable paper, none replaced.
    NotReused,
    /// Received in the period without the applicant found in the population database.
    NoPopulationData,
    /// Finished in the period early or on time, rated "not satisfied" by the applicant.
    NotSatisfied,
    /// Received in the period, a message to the national portal about it delivered late, given up or waiting.
    NotSyncedOnTime,
}

impl Lost {
    pub const ALL: [Lost; 10] = [
        Lost::FinishedLate,
        Lost::OpenOverdue,
        Lost::NotFullyOnline,
        Lost::PaidAtCounter,
        Lost::PaperResultOnly,
        Lost::NotDigitised,
        Lost::NotReused,
        Lost::NoPopulationData,
        Lost::NotSatisfied,
        Lost::NotSyncedOnTime,
    ];

    /// Its name in the API and in addresses (the serde spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            Lost::FinishedLate => "finished_late",
            Lost::OpenOverdue => "open_overdue",
            Lost::NotFullyOnline => "not_fully_online",
            Lost::PaidAtCounter => "paid_at_counter",
            Lost::PaperResultOnly => "paper_result_only",
            Lost::NotDigitised => "not_digitised",
            Lost::NotReused => "not_reused",
            Lost::NoPopulationData => "no_population_data",
            Lost::NotSatisfied => "not_satisfied",
            Lost::NotSyncedOnTime => "not_synced_on_time",
        }
    }

    /// The instant a set is ordered by (and paged on): reception, or completion.
    pub fn by_completion(self) -> bool {
        matches!(self, Lost::FinishedLate | Lost::PaperResultOnly | Lost::NotDigitised | Lost::NotSatisfied)
    }
}

/// One dossier of a [`Lost`] set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LostDossier {
    pub dossier_id: String,
    pub code: Option<String>,
    pub agency_id: String,
    pub procedure_code: String,
    /// 1 counter, 2 online, 3 post.
    pub channel: i32,
    pub handler_id: Option<String>,
    pub received_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
}

/// Up to `limit` dossiers of `set` for `agencies` (every agency when `None`) and the period `[from, to)`
/// evaluated at `at`, after `after` (the ordering instant and id of the last one seen), in the order of the
/// set's instant then id. The cursor's instant bounds the index range, so a later page seeks, not skips.
#[allow(clippy::too_many_arguments)]
pub fn lost(
    conn: &mut DbConnection,
    set: Lost,
    agencies: Option<&[String]>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: DateTime<Utc>,
    after: Option<(DateTime<Utc>, &str)>,
    limit: i64,
    sync_topic: &str,
) -> StoreResult<Vec<LostDossier>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text, Timestamp};
    let overdue_since = to_db(at - TimeDelta::seconds(crate::domain::scorecard::SYNC_WITHIN_SECS));
    let (from, to, at) = (to_db(from), to_db(to), to_db(at));
    let online = i32::from(crate::domain::dossier::Channel::Online.code());
    let late = timeliness_code(Timeliness::Late);
    // Qualified: the list joins the dossiers (for their codes), which have columns of the same names.
    let condition = match set {
        Lost::FinishedLate => format!("dossier_facts.timeliness = {late}"),
        Lost::OpenOverdue => "dossier_facts.due_at IS NOT NULL".to_string(),
        Lost::NotFullyOnline => format!(
            "dossier_facts.fully_online_eligible AND NOT (dossier_facts.channel = {online} AND \
             (NOT dossier_facts.result_is_paper OR dossier_facts.electronic_result))"
        ),
        Lost::PaidAtCounter => "dossier_facts.fee_due AND NOT dossier_facts.paid_online".to_string(),
        Lost::PaperResultOnly => "dossier_facts.result_is_paper AND NOT dossier_facts.electronic_result".to_string(),
        Lost::NotDigitised => "NOT dossier_facts.digitised".to_string(),
        Lost::NotReused => "dossier_facts.reuse_eligible AND NOT dossier_facts.reused".to_string(),
        Lost::NoPopulationData => "NOT dossier_facts.population_data".to_string(),
        Lost::NotSyncedOnTime => String::new(),
        Lost::NotSatisfied => format!("dossier_facts.timeliness <> {late} AND dossier_facts.rated_low"),
    };
    let after = after.map(|(t, id)| (to_db(t), id.to_string()));
    macro_rules! on {
        ($c:expr, $instant:expr) => {{
            let mut query = dossier_facts::table.inner_join(dossiers::table).into_boxed();
            if let Some(list) = agencies {
                query = query.filter(dossier_facts::agency_id.eq_any(list.to_vec()));
            }
            query = match set {
                Lost::OpenOverdue => query
                    .filter(dossier_facts::received_at.lt(at))
                    .filter(dossier_facts::finished_at.is_null().or(dossier_facts::finished_at.ge(at)))
                    .filter(dossier_facts::withdrawn_at.is_null().or(dossier_facts::withdrawn_at.ge(at)))
                    .filter(dossier_facts::due_at.lt(at)),
                _ => query.filter($instant.ge(from).and($instant.lt(to))),
            };
            if let Some((t, id)) = &after {
                query =
                    query.filter($instant.ge(*t)).filter($instant.gt(*t).or(dossier_facts::dossier_id.gt(id.clone())));
            }
            query = match set {
                Lost::NotSyncedOnTime => query.filter(
                    sql::<Bool>(SYNC_LATE[0])
                        .bind::<Text, _>(sync_topic)
                        .sql(SYNC_LATE[1])
                        .bind::<Timestamp, _>(overdue_since)
                        .sql(SYNC_LATE[2]),
                ),
                // Parenthesised: a literal is not, and the query's other conditions are joined by AND.
                _ => query.filter(sql::<Bool>(&format!("({condition})"))),
            };
            query
                .order(($instant, dossier_facts::dossier_id))
                .limit(limit)
                .select((
                    dossier_facts::dossier_id,
                    dossiers::code,
                    dossier_facts::agency_id,
                    dossier_facts::procedure_code,
                    dossier_facts::channel,
                    dossier_facts::handler_id,
                    dossier_facts::received_at,
                    dossier_facts::finished_at,
                    dossier_facts::due_at,
                ))
                .load::<LostRow>($c)?
        }};
    }
    let rows = match (conn, set.by_completion()) {
        (DbConnection::Pg(c), true) => on!(c, dossier_facts::finished_at),
        (DbConnection::Pg(c), false) => on!(c, dossier_facts::received_at),
        (DbConnection::Sqlite(c), true) => on!(c, dossier_facts::finished_at),
        (DbConnection::Sqlite(c), false) => on!(c, dossier_facts::received_at),
    };
    Ok(rows
        .into_iter()
        .map(|r| LostDossier {
            dossier_id: r.0,
            code: r.1,
            agency_id: r.2,
            procedure_code: r.3,
            channel: r.4,
            handler_id: r.5,
            received_at: r.6.map(from_db),
            finished_at: r.7.map(from_db),
            due_at: r.8.map(from_db),
        })
        .collect())
}

type LostRow = (
    String,
    Option<String>,
    String,
    String,
    i32,
    Option<String>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_lost_set_is_named_as_serde_names_it() {
        for set in Lost::ALL {
            assert_eq!(serde_json::to_value(set).unwrap(), set.as_str(), "{set:?}");
        }
    }

    #[test]
    fn the_ratings_trigger_follows_the_domain_threshold() {
        for backend in ["postgres", "sqlite"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(backend);
            let migration = std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .find(|e| e.file_name().to_string_lossy().ends_with("_rating_questions"))
                .unwrap();
            let up = std::fs::read_to_string(migration.path().join("up.sql")).unwrap();
            let threshold = format!("NEW.score <= {}", crate::domain::scorecard::NOT_SATISFIED_AT_MOST);
            assert_eq!(up.matches(&threshold).count(), if backend == "postgres" { 1 } else { 2 }, "{backend}");
            for answer in ["reception_satisfied", "result_satisfied", "officer_satisfied"] {
                assert!(up.contains(&format!("NEW.{answer} = FALSE")), "{backend}: {answer}");
            }
        }
    }
}
