//! Each dossier's facts for the Decision 766 indicators (table `dossier_facts`, see `domain::facts`): written in
//! the transaction of every change, and counted per agency and period by index.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::dossiers::{STATE, StoredState};
use super::schema::dossiers;
use super::{DbConnection, StoreResult, to_db};
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
    }
}

diesel::joinable!(dossier_facts -> dossiers (dossier_id));
diesel::allow_tables_to_appear_in_same_query!(dossier_facts, dossiers);

// Absent values are bound as NULL, never DEFAULT, so that the insert's text never varies and PostgreSQL keeps it
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
        }
    }
}

/// Writes the facts of a dossier new to the store.
pub fn insert(conn: &mut DbConnection, facts: &DossierFacts) -> StoreResult<()> {
    diesel::insert_into(dossier_facts::table).values(Row::of(facts)).execute(conn)?;
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

/// The facts of one dossier as stored (tests and checks).
pub fn of_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Option<(Option<i32>, bool, bool)>> {
    Ok(dossier_facts::table
        .find(dossier_id)
        .select((dossier_facts::timeliness, dossier_facts::paid_online, dossier_facts::digitised))
        .first(conn)
        .optional()?)
}

/// The counts of a period the dossier indicators are scored from (`service::scorecard` says which is which).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodCounts {
    /// Received in the period.
    pub received: u64,
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
    /// Finished in the period; of those early or on time; with a paper result; with it issued electronically;
    /// digitised.
    pub finished: u64,
    pub finished_in_time: u64,
    pub finished_paper_result: u64,
    pub finished_electronic_result: u64,
    pub finished_digitised: u64,
    /// Received and not finished at the period's evaluation instant; of those not yet due.
    pub open: u64,
    pub open_not_due: u64,
}

/// Counts over the facts of `agencies` (every agency when `None`): receptions and completions in `[from, to)`,
/// and what was open at `at` (the period's end, or now for a period still running). Four aggregate statements,
/// each reading one index range: the reception instants, the completion instants, and (twice) the open
/// dossiers.
pub fn count(
    conn: &mut DbConnection,
    agencies: Option<&[String]>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: DateTime<Utc>,
) -> StoreResult<PeriodCounts> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    let (from, to, at) = (to_db(from), to_db(to), to_db(at));
    // Booleans are 0/1 integers on SQLite and booleans on PostgreSQL: both read them as conditions.
    let n = |condition: &str| sql::<BigInt>(&format!("COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"));
    let online = i32::from(crate::domain::dossier::Channel::Online.code());
    let fully_online =
        format!("fully_online_eligible AND channel = {online} AND (NOT result_is_paper OR electronic_result)");
    let late = timeliness_code(Timeliness::Late);
    // The same statements on each backend's own connection (the query types differ by backend).
    macro_rules! on {
        ($c:expr) => {{
            let scoped = || {
                let query = dossier_facts::table.into_boxed();
                match agencies {
                    Some(list) => query.filter(dossier_facts::agency_id.eq_any(list.to_vec())),
                    None => query,
                }
            };
            let received: (i64, i64, i64, i64, i64, i64, i64, i64, i64) = scoped()
                .filter(dossier_facts::received_at.ge(from).and(dossier_facts::received_at.lt(to)))
                .select((
                    sql::<BigInt>("COUNT(*)"),
                    n("fully_online_eligible"),
                    n(&fully_online),
                    n("fee_due"),
                    n("fee_due AND paid_online"),
                    n("reuse_eligible"),
                    n("reuse_eligible AND reused"),
                    n("reused"),
                    n("population_data"),
                ))
                .first($c)?;
            let finished: (i64, i64, i64, i64, i64) = scoped()
                .filter(dossier_facts::finished_at.ge(from).and(dossier_facts::finished_at.lt(to)))
                .select((
                    sql::<BigInt>("COUNT(*)"),
                    n(&format!("timeliness <> {late}")),
                    n("result_is_paper"),
                    n("result_is_paper AND electronic_result"),
                    n("digitised"),
                ))
                .first($c)?;
            let open = || {
                scoped()
                    .filter(dossier_facts::received_at.lt(at))
                    .filter(dossier_facts::finished_at.is_null().or(dossier_facts::finished_at.ge(at)))
            };
            let open_all: i64 = open().count().get_result($c)?;
            let not_due: i64 = open()
                .filter(dossier_facts::due_at.is_null().or(dossier_facts::due_at.ge(at)))
                .count()
                .get_result($c)?;
            (received, finished, (open_all, not_due))
        }};
    }
    let (received, finished, open) = match conn {
        DbConnection::Pg(c) => on!(c),
        DbConnection::Sqlite(c) => on!(c),
    };
    let u = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(PeriodCounts {
        received: u(received.0),
        fully_online_eligible: u(received.1),
        fully_online: u(received.2),
        fee_due: u(received.3),
        paid_online: u(received.4),
        reuse_eligible: u(received.5),
        reused_of_eligible: u(received.6),
        reused: u(received.7),
        population_data: u(received.8),
        finished: u(finished.0),
        finished_in_time: u(finished.1),
        finished_paper_result: u(finished.2),
        finished_electronic_result: u(finished.3),
        finished_digitised: u(finished.4),
        open: u(open.0),
        open_not_due: u(open.1),
    })
}
