//! What a PostgreSQL streaming replica has replayed of its primary, for the scale-out profile
//! (`motcua bench scale-out`): where the primary's write-ahead log ends, how far behind a replica is, the
//! last statement of each session (reads of reports land on the replica), and the dossiers each holds.
//! SQLite has no replicas: these answer an error.

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::{DbConnection, StoreError, StoreResult};

#[derive(diesel::QueryableByName)]
struct Position {
    #[diesel(sql_type = Nullable<Text>)]
    lsn: Option<String>,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn pg(conn: &mut DbConnection) -> StoreResult<&mut diesel::PgConnection> {
    match conn {
        DbConnection::Pg(c) => Ok(c),
        DbConnection::Sqlite(_) => Err(StoreError::Setup("replication needs PostgreSQL".into())),
    }
}

/// The end of the primary's write-ahead log.
pub fn primary_position(conn: &mut DbConnection) -> StoreResult<String> {
    let row: Position = diesel::sql_query("SELECT pg_current_wal_lsn()::text AS lsn").get_result(pg(conn)?)?;
    row.lsn.ok_or_else(|| StoreError::Setup("the primary has no WAL position".into()))
}

/// How many bytes of the log up to `position` a replica has not replayed yet (0: caught up).
pub fn replay_lag(replica: &mut DbConnection, position: &str) -> StoreResult<i64> {
    let row: Count = diesel::sql_query(
        "SELECT COALESCE(GREATEST(pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()), 0), -1)::bigint AS n",
    )
    .bind::<Text, _>(position)
    .get_result(pg(replica)?)?;
    if row.n < 0 { Err(StoreError::Setup("this server is not a replica".into())) } else { Ok(row.n) }
}

#[derive(diesel::QueryableByName)]
struct Statement {
    #[diesel(sql_type = Text)]
    query: String,
}

/// The last statement of every other session on this database: which reads a server took.
pub fn last_statements(conn: &mut DbConnection) -> StoreResult<Vec<String>> {
    let rows: Vec<Statement> = diesel::sql_query(
        "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .load(pg(conn)?)?;
    Ok(rows.into_iter().map(|r| r.query).collect())
}

/// Dossiers this server holds.
pub fn dossiers(conn: &mut DbConnection) -> StoreResult<i64> {
    let row: Count = diesel::sql_query("SELECT count(*) AS n FROM dossiers").get_result(pg(conn)?)?;
    Ok(row.n)
}
