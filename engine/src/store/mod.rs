//! Persistence (DESIGN.md §8): one connection type over PostgreSQL and SQLite, a pool, embedded migrations,
//! and the repositories of each table. Rows are converted to and from domain types here and nowhere else.

pub mod agencies;
pub mod audit;
pub mod backup;
pub mod calendars;
pub mod daily_counts;
mod dossier_row_update;
pub mod dossiers;
pub mod drills;
pub mod entered;
pub mod events;
pub mod facts;
pub mod idempotency;
pub mod identity;
pub mod jobs;
pub mod outbox;
pub mod packing;
pub mod papers;
pub mod payments;
pub mod petitions;
pub mod plans;
pub mod portal_intake;
pub mod procedures;
pub mod ratings;
pub mod readings;
pub mod replication;
pub mod repository;
pub mod schema;
pub mod sequences;
pub mod sign_in;
pub mod sizes;
pub mod staff;
pub mod staff_admin;
pub mod statistics;
pub mod tokens;
pub mod uploads;

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// The default database: SQLite under ./data (WAL mode).
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/motcua.db";

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

pub type DbPool = Pool<Manager>;
pub type PooledDb = PooledConnection<Manager>;

thread_local! {
    /// Set when a statement on this thread failed because its connection was lost (the server restarted, the
    /// session was ended); read when the connection goes back to the pool, which then drops it.
    static CONNECTION_LOST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// diesel's connection manager, with one change: r2d2 would send `SELECT 1` before lending each connection (a
/// round trip for every one of the twenty loans of a dossier's flow, a fifth of its statements); instead, a
/// connection on which a statement failed for a lost connection is dropped when it is given back, and the
/// next loan opens a new one. After a restart of the database, each idle connection fails one request (503,
/// sent again by the client) rather than none.
pub struct Manager(ConnectionManager<DbConnection>);

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.0.connect()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        self.0.is_valid(conn)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        CONNECTION_LOST.with(|lost| lost.replace(false)) || self.0.has_broken(conn)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Query(diesel::result::Error),
    /// The database refused a text it cannot hold (PostgreSQL takes no NUL character): bad input, not a fault.
    #[error("the text cannot be stored: {0}")]
    Unstorable(String),
    #[error("database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// The database is busy (SQLite's write lock held past the busy timeout, a lock timeout) or restarting:
    /// nothing was written, and the same request can be sent again later.
    #[error("database busy: {0}")]
    Busy(String),
    #[error("database setup: {0}")]
    Setup(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What the databases say when they are busy, rather than when a statement is wrong.
const BUSY: [&str; 4] =
    ["database is locked", "database table is locked", "lock timeout", "the database system is starting up"];

/// What PostgreSQL says when the session's connection is gone.
const LOST: [&str; 4] = [
    "terminating connection",
    "the database system is shutting down",
    "server closed the connection unexpectedly",
    "no connection to the server",
];

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> StoreError {
        if let diesel::result::Error::DatabaseError(kind, info) = &e {
            let message = info.message();
            if message.contains("invalid byte sequence") {
                return StoreError::Unstorable(message.to_string());
            }
            let lost = matches!(
                kind,
                diesel::result::DatabaseErrorKind::ClosedConnection
                    | diesel::result::DatabaseErrorKind::UnableToSendCommand
            ) || LOST.iter().any(|gone| message.contains(gone));
            if lost {
                CONNECTION_LOST.with(|flag| flag.set(true));
            }
            if lost || BUSY.iter().any(|busy| message.contains(busy)) {
                return StoreError::Busy(message.to_string());
            }
        }
        StoreError::Query(e)
    }
}

impl StoreError {
    /// A unique constraint refused the write: another request stored the same thing first.
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            StoreError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

/// The pool and which backend it talks to. Only the store opens connections; everyone else passes a
/// closure to `read` or `write`.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
    /// SQLite takes one writer at a time. Writers of this process queue here rather than in SQLite's busy
    /// handler, which sleeps in steps of up to 100 ms and leaves the database idle while they sleep (p99 of an
    /// action at 16 clients: 185 ms). Other processes (a `worker`) still meet the busy timeout.
    sqlite_writer: std::sync::Arc<std::sync::Mutex<()>>,
    agencies: std::sync::Arc<agencies::Directory>,
}

/// SQLite connections: WAL, foreign keys, and waiting instead of failing when another writer holds the lock.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            c.batch_execute(
                // The timeout first: switching to WAL needs a moment of exclusive access when connections open together.
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

impl Backend {
    /// Which backend a `DATABASE_URL`-style URL names: `postgres://…` or `sqlite://path`.
    pub fn of_url(url: &str) -> StoreResult<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(StoreError::Setup(format!("unsupported database URL `{url}` (postgres://… or sqlite://…)")))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// The file of a `sqlite://path` URL, as written.
fn sqlite_file(url: &str) -> &str {
    url.trim_start_matches("sqlite://").trim_start_matches("sqlite:")
}

/// Turns `sqlite://./data/x.db` into the path SQLite opens, creating its folder.
fn sqlite_path(url: &str) -> StoreResult<String> {
    let path = sqlite_file(url);
    if path != ":memory:"
        && let Some(parent) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty())
    {
        // The database holds every citizen's data: only the service account reads it.
        crate::files::create_private_dir_all(parent)
            .map_err(|e| StoreError::Setup(format!("cannot create {}: {e}", parent.display())))?;
    }
    Ok(path.to_string())
}

impl Db {
    /// Connects to `DATABASE_URL`-style URLs: `postgres://…` or `sqlite://path`.
    pub fn connect(url: &str, max_size: u32) -> StoreResult<Db> {
        let backend = Backend::of_url(url)?;
        let target = match backend {
            Backend::Postgres => url.to_string(),
            Backend::Sqlite => sqlite_path(url)?,
        };
        let manager = Manager(ConnectionManager::<DbConnection>::new(target.clone()));
        let builder =
            Pool::builder().max_size(max_size).connection_timeout(Duration::from_secs(30)).test_on_check_out(false);
        let pool = match backend {
            Backend::Sqlite => builder.connection_customizer(Box::new(SqlitePragmas)).build(manager),
            Backend::Postgres => builder.build(manager),
        }
        .map_err(|e| StoreError::Setup(e.to_string()))?;
        if backend == Backend::Sqlite && target != ":memory:" {
            // Made by the first connection above; its journal files take its mode.
            crate::files::make_private(std::path::Path::new(&target))
                .map_err(|e| StoreError::Setup(format!("cannot restrict {target}: {e}")))?;
        }
        Ok(Db { pool, backend, sqlite_writer: Default::default(), agencies: Default::default() })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The agencies of this database, read once each.
    pub fn agencies(&self) -> &agencies::Directory {
        &self.agencies
    }

    /// A connection of the pool, outside the `read`/`write` discipline: for the tools that check or tamper
    /// with the database itself (the audit chain check, tests).
    pub fn conn(&self) -> StoreResult<PooledDb> {
        Ok(self.pool.get()?)
    }

    /// Applies pending migrations, one process at a time; returns how many ran.
    pub fn migrate(&self) -> StoreResult<usize> {
        let mut conn = self.conn()?;
        let ran = match &mut *conn {
            DbConnection::Pg(c) => {
                // Processes starting together (a rolling upgrade, several serve and worker) take turns: the
                // first applies what is pending, the others then find nothing to do. The lock is the
                // session's, released below whatever happened.
                diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).execute(c)?;
                let ran = c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len());
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).execute(c)?;
                ran
            }
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        };
        let ran = ran.map_err(|e| StoreError::Setup(format!("migrations: {e}")))?;
        drop(conn);
        self.fold_search_texts()?;
        Ok(ran)
    }

    /// The part of migration 11 SQL cannot do: folding the search text of dossiers stored before it (Rust's
    /// Unicode tables, the same on both databases). Nothing to do, and one index probe, once done.
    fn fold_search_texts(&self) -> StoreResult<()> {
        while self.write(|conn| dossiers::fold_unfolded(conn, 500))? > 0 {}
        Ok(())
    }

    /// True when every embedded migration has been applied (readiness).
    pub fn migrations_applied(&self) -> StoreResult<bool> {
        let mut conn = self.conn()?;
        let pending = match &mut *conn {
            DbConnection::Pg(c) => c.has_pending_migration(PG_MIGRATIONS),
            DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        };
        pending.map(|p| !p).map_err(|e| StoreError::Setup(format!("migrations: {e}")))
    }

    /// Runs `f` in one write transaction: `BEGIN IMMEDIATE` on SQLite (the write lock is taken up front, so
    /// two writers never deadlock upgrading a read lock), an ordinary transaction on PostgreSQL where rows
    /// are locked with `FOR UPDATE` as they are read.
    pub fn write<T, E>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let _turn = match self.backend {
            // A writer that panicked left nothing half-done (its transaction rolled back): the turn is still good.
            Backend::Sqlite => Some(self.sqlite_writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())),
            Backend::Postgres => None,
        };
        let mut pooled = self.conn()?;
        write_tx(&mut pooled, f)
    }

    /// Runs `f` on a connection, outside any explicit transaction (reads).
    pub fn read<T, E>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut pooled = self.conn()?;
        f(&mut pooled)
    }
}

fn write_tx<T, E>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    let db_error = |e: diesel::result::Error| E::from(StoreError::from(e));
    if let DbConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE").map_err(db_error)?;
        let outcome = f(conn);
        let DbConnection::Sqlite(c) = conn else { unreachable!() };
        return match outcome {
            Ok(value) => {
                AnsiTransactionManager::commit_transaction(c).map_err(db_error)?;
                Ok(value)
            }
            Err(e) => {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                Err(e)
            }
        };
    }
    /// The caller's error or the database's, so diesel's transaction can carry either.
    enum Failed<E> {
        Caller(E),
        Database(diesel::result::Error),
    }
    impl<E> From<diesel::result::Error> for Failed<E> {
        fn from(e: diesel::result::Error) -> Self {
            Failed::Database(e)
        }
    }
    conn.transaction(|c| f(c).map_err(Failed::Caller)).map_err(|failed| match failed {
        Failed::Caller(e) => e,
        Failed::Database(e) => db_error(e),
    })
}

/// Creates an empty database on the PostgreSQL server of `admin_url` (for scratch databases of tests and
/// benchmarks); answers the new database's URL. `name` is an identifier of letters, digits and `_`.
pub fn create_database(admin_url: &str, name: &str) -> StoreResult<String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Setup(format!("`{name}` is not a plain database name")));
    }
    let (base, _) = admin_url.rsplit_once('/').ok_or_else(|| StoreError::Setup("URL without a database".into()))?;
    let db = Db::connect(admin_url, 1)?;
    let mut conn = db.conn()?;
    diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut *conn)?;
    Ok(format!("{base}/{name}"))
}

/// Copies the database of `url` to a new one named `name` beside it, so that a benchmark runs each variant on
/// the same data: on PostgreSQL `CREATE DATABASE … TEMPLATE` (which needs every other session of the source
/// ended first), on SQLite `VACUUM INTO` a file `name.db` in the same folder. Answers the copy's URL.
pub fn copy_database(url: &str, name: &str) -> StoreResult<String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Setup(format!("`{name}` is not a plain database name")));
    }
    match Backend::of_url(url)? {
        Backend::Postgres => {
            let (base, source) =
                url.rsplit_once('/').ok_or_else(|| StoreError::Setup("URL without a database".into()))?;
            let source = plain_database_name(source)?;
            let admin = Db::connect(&format!("{base}/postgres"), 1)?;
            let mut conn = admin.conn()?;
            end_sessions_of(&mut conn, source)?;
            diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {source}")).execute(&mut *conn)?;
            Ok(format!("{base}/{name}"))
        }
        Backend::Sqlite => {
            let source = std::path::Path::new(sqlite_file(url));
            let target = source.with_file_name(format!("{name}.db"));
            let db = Db::connect(url, 1)?;
            let mut conn = db.conn()?;
            diesel::sql_query("VACUUM INTO $1")
                .bind::<diesel::sql_types::Text, _>(target.display().to_string())
                .execute(&mut *conn)?;
            Ok(format!("sqlite://{}", target.display()))
        }
    }
}

/// Drops a scratch database made by [`create_database`] or [`copy_database`] (PostgreSQL; a SQLite file is
/// removed with its folder by whoever made it).
pub fn drop_database(url: &str) -> StoreResult<()> {
    if Backend::of_url(url)? == Backend::Sqlite {
        return Ok(());
    }
    let (base, name) = url.rsplit_once('/').ok_or_else(|| StoreError::Setup("URL without a database".into()))?;
    let name = plain_database_name(name)?;
    let admin = Db::connect(&format!("{base}/postgres"), 1)?;
    let mut conn = admin.conn()?;
    end_sessions_of(&mut conn, name)?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}")).execute(&mut *conn)?;
    Ok(())
}

/// The database name of a URL's last segment (its query string cut), if it is a plain identifier.
fn plain_database_name(segment: &str) -> StoreResult<&str> {
    let name = segment.split('?').next().unwrap_or_default();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Setup(format!("`{name}` is not a plain database name")));
    }
    Ok(name)
}

/// Ends every other session on database `name`, which copying or dropping it needs.
fn end_sessions_of(conn: &mut DbConnection, name: &str) -> StoreResult<()> {
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind::<diesel::sql_types::Text, _>(name)
    .execute(conn)?;
    Ok(())
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Pg(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// ` FOR UPDATE` on PostgreSQL; nothing on SQLite where the transaction already holds the write lock.
    pub fn for_update(&self) -> &'static str {
        match self {
            DbConnection::Pg(_) => " FOR UPDATE",
            DbConnection::Sqlite(_) => "",
        }
    }
}

/// Instants are stored as UTC `timestamp` values.
/// `text` for a LIKE pattern with `\\` as its escape: `%`, `_` and `\\` match themselves.
pub(crate) fn like_literal(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The PostgreSQL advisory lock taken while migrating (any number no other lock of the database uses).
const MIGRATION_LOCK: i64 = 0x6d6f_7463_7561;

pub fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

pub fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Serializes a stored UTC timestamp as RFC 3339 with `Z`, like every other instant of the API.
pub fn serialize_utc<S: serde::Serializer>(t: &NaiveDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&t.and_utc(), serializer)
}

pub fn serialize_utc_opt<S: serde::Serializer>(t: &Option<NaiveDateTime>, serializer: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&t.map(|t| t.and_utc()), serializer)
}
