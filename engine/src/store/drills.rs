//! Database faults on purpose, for fault drills (`motcua bench chaos`): a transaction that holds the write lock
//! for a while, and every session ended at once, which is what a restart of the database server looks like to
//! the processes using it.

use diesel::RunQueryDsl;
use diesel::sql_types::BigInt;

use super::{DbConnection, StoreResult};

/// Takes, in the current write transaction, the lock every change needs, until the transaction ends. SQLite:
/// nothing more to do, `Db::write` began with `BEGIN IMMEDIATE`, the database's only write lock. PostgreSQL:
/// the tables every change of a dossier writes, in a mode that still lets reads through.
pub fn lock_writes(conn: &mut DbConnection) -> StoreResult<()> {
    if let DbConnection::Pg(c) = conn {
        diesel::sql_query("LOCK TABLE dossiers, events, outbox IN EXCLUSIVE MODE").execute(c)?;
    }
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Ended {
    #[diesel(sql_type = BigInt)]
    ended: i64,
}

/// Ends every other session on this database (PostgreSQL), as a restart of the server would, and answers how
/// many there were. SQLite has no server and no sessions: 0.
pub fn end_other_sessions(conn: &mut DbConnection) -> StoreResult<usize> {
    let DbConnection::Pg(c) = conn else {
        return Ok(0);
    };
    let row: Ended = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS ended FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .get_result(c)?;
    Ok(row.ended as usize)
}
