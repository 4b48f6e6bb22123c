//! Daily counts of the Decision 766 figures (table `daily_counts`, migration 17): per agency, local day and
//! procedure, kept by the store's triggers on `dossier_facts` in the transaction of every change. A period of
//! whole local days is summed from a few rows a day instead of from every dossier in it; [`drift`] checks them
//! against a count over the facts.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Timelike, Utc};
use diesel::prelude::*;

use super::facts::{FinishedRow, PeriodCounts, ProcedureCounts, ReceivedRow, fold};
use super::{DbConnection, StoreResult};

diesel::table! {
    daily_counts (agency_id, day, procedure_code) {
        agency_id -> Text,
        day -> Date,
        procedure_code -> Text,
        received -> BigInt,
        received_online -> BigInt,
        fully_online_eligible -> BigInt,
        fully_online -> BigInt,
        fee_due -> BigInt,
        paid_online -> BigInt,
        reuse_eligible -> BigInt,
        reused_of_eligible -> BigInt,
        reused -> BigInt,
        population_data -> BigInt,
        sync_late -> BigInt,
        finished -> BigInt,
        finished_in_time -> BigInt,
        finished_early -> BigInt,
        finished_paper_result -> BigInt,
        finished_electronic_result -> BigInt,
        finished_digitised -> BigInt,
        finished_in_time_not_satisfied -> BigInt,
        finished_refused -> BigInt,
        withdrawn -> BigInt,
    }
}

/// The offset of the local day the triggers count in: Vietnam's, UTC+7 all year (no daylight saving).
const DAY_OFFSET: TimeDelta = TimeDelta::hours(7);

/// The local day an instant falls in, as the counts have it.
pub fn day_of(t: DateTime<Utc>) -> NaiveDate {
    (t + DAY_OFFSET).date_naive()
}

/// The local days `[from, to)` of a period whose both ends are local midnights, as a calendar in Vietnam's
/// timezone gives them; `None` for any other period, which is counted over the facts instead.
pub fn whole_days(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<(NaiveDate, NaiveDate)> {
    let midnight = |t: DateTime<Utc>| {
        let local = t + DAY_OFFSET;
        local.num_seconds_from_midnight() == 0 && local.nanosecond() == 0
    };
    (midnight(from) && midnight(to) && from <= to).then(|| (day_of(from), day_of(to)))
}

/// A date as a statement's text spells it (both backends compare it with a `DATE` column, SQLite as text). Only
/// dates this system computes are spelled so, never input.
pub(super) fn spelled(d: NaiveDate) -> String {
    format!("'{}'", d.format("%Y-%m-%d"))
}

/// The counts of the days `[from, to)` of `agencies` (every agency when `None`), grouped by `key`: an expression
/// over `daily_counts` giving text (a column, or the period a day falls in). Only what the counts hold is set:
/// receptions, completions, withdrawals, and the portal sync marked late. Two grouped statements (diesel's rows
/// take 16 columns): what counts on the day received, and what on the day finished or withdrawn.
pub(super) fn sums(
    conn: &mut DbConnection,
    key: &str,
    agencies: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<BTreeMap<String, PeriodCounts>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Text};
    // SUM of a BIGINT is a NUMERIC on PostgreSQL.
    let sum = |counter: &str| sql::<BigInt>(&format!("CAST(COALESCE(SUM({counter}), 0) AS BIGINT)"));
    let k = || sql::<Text>(key);
    let in_days = daily_counts::day.ge(from).and(daily_counts::day.lt(to));
    macro_rules! on {
        ($c:expr, $db:ty) => {{
            // A grouped statement cannot be boxed: the agencies' condition is (a column that is never null for
            // every agency).
            type Condition = Box<dyn BoxableExpression<daily_counts::table, $db, SqlType = diesel::sql_types::Bool>>;
            let scope = || -> Condition {
                match agencies {
                    Some(list) => Box::new(daily_counts::agency_id.eq_any(list.to_vec())),
                    None => Box::new(daily_counts::agency_id.is_not_null()),
                }
            };
            let scoped = || daily_counts::table.filter(in_days).filter(scope());
            let received: Vec<ReceivedRow> = scoped()
                .group_by(k())
                .select((
                    k(),
                    sum("received"),
                    sum("received_online"),
                    sum("fully_online_eligible"),
                    sum("fully_online"),
                    sum("fee_due"),
                    sum("paid_online"),
                    sum("reuse_eligible"),
                    sum("reused_of_eligible"),
                    sum("reused"),
                    sum("population_data"),
                    sum("sync_late"),
                ))
                .load($c)?;
            let finished: Vec<(String, i64, i64, i64, i64, i64, i64, i64, i64, i64)> = scoped()
                .group_by(k())
                .select((
                    k(),
                    sum("finished"),
                    sum("finished_in_time"),
                    sum("finished_early"),
                    sum("finished_paper_result"),
                    sum("finished_electronic_result"),
                    sum("finished_digitised"),
                    sum("finished_in_time_not_satisfied"),
                    sum("finished_refused"),
                    sum("withdrawn"),
                ))
                .load($c)?;
            (received, finished)
        }};
    }
    let (received, finished) = match conn {
        DbConnection::Pg(c) => on!(c, diesel::pg::Pg),
        DbConnection::Sqlite(c) => on!(c, diesel::sqlite::Sqlite),
    };
    // Withdrawals ride with the completions here (one statement): split them off for the shared fold.
    let (finished, withdrawn): (Vec<FinishedRow>, Vec<(String, i64)>) = finished
        .into_iter()
        .map(|(k, a, b, c, d, e, f, g, h, w)| ((k.clone(), a, b, c, d, e, f, g, h), (k, w)))
        .unzip();
    let mut by_key = fold(received, finished, withdrawn);
    // A key whose rows all sum to nothing (a dossier moved away from it) is no key at all.
    by_key.retain(|_, c| *c != PeriodCounts::default());
    Ok(by_key)
}

/// [`facts::by_procedure`](super::facts::by_procedure) over the days `[from, to)`: per procedure and, when given,
/// per `period` (an expression over `day` giving text) first; without one, the period is `'0'`.
pub(super) fn by_procedure(
    conn: &mut DbConnection,
    period: Option<&str>,
    agencies: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<(String, ProcedureCounts)>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Text};
    let sum = |counter: &str| sql::<BigInt>(&format!("CAST(COALESCE(SUM({counter}), 0) AS BIGINT)"));
    // PostgreSQL refuses a constant in GROUP BY: without periods, the period selected is a constant, not grouped.
    let keys = match period {
        Some(period) => format!("{period}, procedure_code"),
        None => "procedure_code".to_string(),
    };
    let period = period.unwrap_or("'0'");
    let in_days = daily_counts::day.ge(from).and(daily_counts::day.lt(to));
    macro_rules! on {
        ($c:expr, $db:ty) => {{
            type Condition = Box<dyn BoxableExpression<daily_counts::table, $db, SqlType = diesel::sql_types::Bool>>;
            let scope: Condition = match agencies {
                Some(list) => Box::new(daily_counts::agency_id.eq_any(list.to_vec())),
                None => Box::new(daily_counts::agency_id.is_not_null()),
            };
            daily_counts::table
                .filter(in_days)
                .filter(scope)
                .group_by(sql::<Text>(&keys))
                .select((
                    sql::<Text>(period),
                    sql::<Text>("procedure_code"),
                    sum("received"),
                    sum("fee_due"),
                    sum("paid_online"),
                    sum("population_data"),
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
        // Receptions counted, then moved away: no reception of the procedure in the period.
        .filter(|r| r.2 != 0)
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

/// The counters, as the table names them.
const COUNTERS: [&str; 20] = [
    "received",
    "received_online",
    "fully_online_eligible",
    "fully_online",
    "fee_due",
    "paid_online",
    "reuse_eligible",
    "reused_of_eligible",
    "reused",
    "population_data",
    "sync_late",
    "finished",
    "finished_in_time",
    "finished_early",
    "finished_paper_result",
    "finished_electronic_result",
    "finished_digitised",
    "finished_in_time_not_satisfied",
    "finished_refused",
    "withdrawn",
];

/// The counts recomputed from the facts, one row per agency, day and procedure, the columns in the table's order;
/// `DAY(x)` stands for the backend's local day of the instant `x`. The same statement as migration 17's, which
/// filled the table from the facts stored before it.
const RECOUNT: &str = "SELECT agency_id, day, procedure_code, SUM(received), SUM(received_online), \
    SUM(fully_online_eligible), SUM(fully_online), SUM(fee_due), SUM(paid_online), SUM(reuse_eligible), \
    SUM(reused_of_eligible), SUM(reused), SUM(population_data), SUM(sync_late), SUM(finished), \
    SUM(finished_in_time), SUM(finished_early), SUM(finished_paper_result), SUM(finished_electronic_result), \
    SUM(finished_digitised), SUM(finished_in_time_not_satisfied), SUM(finished_refused), SUM(withdrawn) FROM (\
    SELECT agency_id, DAY(received_at) AS day, procedure_code, 1 AS received, \
        CASE WHEN channel = 2 THEN 1 ELSE 0 END AS received_online, \
        CASE WHEN fully_online_eligible THEN 1 ELSE 0 END AS fully_online_eligible, \
        CASE WHEN fully_online_eligible AND channel = 2 AND (NOT result_is_paper OR electronic_result) \
            THEN 1 ELSE 0 END AS fully_online, \
        CASE WHEN fee_due THEN 1 ELSE 0 END AS fee_due, \
        CASE WHEN fee_due AND paid_online THEN 1 ELSE 0 END AS paid_online, \
        CASE WHEN reuse_eligible THEN 1 ELSE 0 END AS reuse_eligible, \
        CASE WHEN reuse_eligible AND reused THEN 1 ELSE 0 END AS reused_of_eligible, \
        CASE WHEN reused THEN 1 ELSE 0 END AS reused, \
        CASE WHEN population_data THEN 1 ELSE 0 END AS population_data, \
        CASE WHEN sync_late THEN 1 ELSE 0 END AS sync_late, \
        0 AS finished, 0 AS finished_in_time, 0 AS finished_early, 0 AS finished_paper_result, \
        0 AS finished_electronic_result, 0 AS finished_digitised, 0 AS finished_in_time_not_satisfied, \
        0 AS finished_refused, 0 AS withdrawn \
    FROM dossier_facts WHERE received_at IS NOT NULL \
    UNION ALL \
    SELECT agency_id, DAY(finished_at), procedure_code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, \
        CASE WHEN timeliness <> 2 THEN 1 ELSE 0 END, \
        CASE WHEN timeliness = 0 THEN 1 ELSE 0 END, \
        CASE WHEN result_is_paper THEN 1 ELSE 0 END, \
        CASE WHEN result_is_paper AND electronic_result THEN 1 ELSE 0 END, \
        CASE WHEN digitised THEN 1 ELSE 0 END, \
        CASE WHEN timeliness <> 2 AND rated_low THEN 1 ELSE 0 END, \
        CASE WHEN refused = TRUE THEN 1 ELSE 0 END, \
        0 \
    FROM dossier_facts WHERE finished_at IS NOT NULL \
    UNION ALL \
    SELECT agency_id, DAY(withdrawn_at), procedure_code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 \
    FROM dossier_facts WHERE withdrawn_at IS NOT NULL AND received_at IS NOT NULL\
    ) c GROUP BY agency_id, day, procedure_code";

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// How many (agency, day, procedure) rows of the counts differ from a count over the facts, either way: zero
/// unless the counts have drifted from the facts. Reads every fact: for `motcua audit verify` and tests, not for
/// a request.
pub fn drift(conn: &mut DbConnection) -> StoreResult<u64> {
    let recount = |day: &str| {
        let mut sql = RECOUNT.to_string();
        for column in ["received_at", "finished_at", "withdrawn_at"] {
            sql = sql.replace(&format!("DAY({column})"), &day.replace("{}", column));
        }
        sql
    };
    // Rows summing to nothing (a dossier moved away) are no rows of the recount.
    let stored = format!(
        "SELECT * FROM daily_counts WHERE {}",
        COUNTERS.iter().map(|c| format!("{c} <> 0")).collect::<Vec<_>>().join(" OR ")
    );
    let differ = |recount: String| {
        format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT agency_id, day, procedure_code FROM ( \
             SELECT * FROM (SELECT * FROM ({stored}) a EXCEPT SELECT * FROM ({recount}) b) only_stored \
             UNION ALL \
             SELECT * FROM (SELECT * FROM ({recount}) c EXCEPT SELECT * FROM ({stored}) d) only_counted) e \
             GROUP BY agency_id, day, procedure_code) k"
        )
    };
    let count = match conn {
        DbConnection::Pg(c) => {
            diesel::sql_query(differ(recount("CAST({} + INTERVAL '7 hours' AS DATE)"))).get_result::<Count>(c)?
        }
        DbConnection::Sqlite(c) => diesel::sql_query(differ(recount("date({}, '+7 hours')"))).get_result::<Count>(c)?,
    };
    Ok(u64::try_from(count.n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_of_whole_local_days_are_summed_from_the_days() {
        // Midnight in Hà Nội is 17:00 UTC the day before.
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let days = whole_days(at("2026-10-31T17:00:00Z"), at("2026-11-30T17:00:00Z"));
        let day = |s: &str| NaiveDate::parse_from_str(s, "%F").unwrap();
        assert_eq!(days, Some((day("2026-11-01"), day("2026-12-01"))));
        assert_eq!(whole_days(at("2026-10-31T17:00:00Z"), at("2026-11-30T17:00:01Z")), None);
        assert_eq!(whole_days(at("2026-11-01T00:00:00Z"), at("2026-11-30T17:00:00Z")), None);
        assert_eq!(day_of(at("2026-11-30T16:59:59Z")), day("2026-11-30"));
        assert_eq!(day_of(at("2026-11-30T17:00:00Z")), day("2026-12-01"));
    }
}
