//! How much room the database takes, per table (indexes and TOAST included): what `motcua bench seed` reports
//! per dossier.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{DbConnection, StoreResult};

#[derive(QueryableByName)]
struct TableSize {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    bytes: i64,
}

/// (table, bytes) of every table of the schema, largest first. On SQLite, from the `dbstat` table when the
/// library has it, else the whole file as one line.
pub fn tables(conn: &mut DbConnection) -> StoreResult<Vec<(String, i64)>> {
    let rows: Vec<TableSize> = match conn {
        DbConnection::Pg(_) => diesel::sql_query(
            "SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY bytes DESC",
        )
        .load(conn)?,
        DbConnection::Sqlite(_) => {
            let by_table: Result<Vec<TableSize>, _> = diesel::sql_query(
                "SELECT coalesce(m.tbl_name, s.name) AS name, sum(s.pgsize) AS bytes FROM dbstat s \
                 LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1 ORDER BY bytes DESC",
            )
            .load(conn);
            match by_table {
                Ok(rows) => rows,
                Err(_) => diesel::sql_query(
                    "SELECT 'database file' AS name, page_count * page_size AS bytes \
                     FROM pragma_page_count(), pragma_page_size()",
                )
                .load(conn)?,
            }
        }
    };
    Ok(rows.into_iter().map(|r| (r.name, r.bytes)).collect())
}

/// What autovacuum does to a database after a while, done now after a bulk load: fresh planner statistics, and
/// on PostgreSQL the GIN indexes' pending entries merged (searches read those one by one until then).
pub fn settle(db: &super::Db) -> StoreResult<()> {
    use diesel::connection::SimpleConnection;
    let mut conn = db.conn()?;
    // VACUUM cannot run inside a transaction: this connection is outside `read`/`write`.
    conn.batch_execute(match db.backend() {
        super::Backend::Postgres => "VACUUM ANALYZE",
        super::Backend::Sqlite => "ANALYZE",
    })?;
    Ok(())
}
