//! The database's part of a backup: a consistent snapshot taken while the service writes, and its restoration.
//!
//! SQLite: `VACUUM INTO` writes a copy of the database as one read transaction sees it (in WAL mode writers go
//! on meanwhile). PostgreSQL: `pg_dump --format=custom` on a snapshot exported by a transaction of ours, so that
//! what the caller reads from the snapshot (the blobs it refers to, counts) is exactly what the dump holds; and
//! `pg_restore` into the target database in one transaction.

use std::path::{Path, PathBuf};
use std::process::Command;

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::{Backend, DbConnection, PG_MIGRATIONS, SQLITE_MIGRATIONS, StoreError, StoreResult, dossiers, sqlite_file};
use crate::files;

/// Where the PostgreSQL client programs are (`pg_dump`, `pg_restore`: a name looked up on `PATH`, or a path).
#[derive(Debug, Clone)]
pub struct PgTools {
    pub pg_dump: PathBuf,
    pub pg_restore: PathBuf,
}

impl Default for PgTools {
    fn default() -> Self {
        PgTools { pg_dump: "pg_dump".into(), pg_restore: "pg_restore".into() }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Nullable<Text>)]
    version: Option<String>,
}

#[derive(QueryableByName)]
struct SnapshotId {
    #[diesel(sql_type = Text)]
    id: String,
}

fn setup(message: impl std::fmt::Display) -> StoreError {
    StoreError::Setup(message.to_string())
}

/// The SQLite file of a URL; an in-memory database has none.
fn sqlite_target(url: &str) -> StoreResult<PathBuf> {
    match sqlite_file(url) {
        "" | ":memory:" => Err(setup(format!("`{url}` is not a database file"))),
        path => Ok(PathBuf::from(path)),
    }
}

fn utf8(path: &Path) -> StoreResult<&str> {
    path.to_str().ok_or_else(|| setup(format!("{}: the path is not UTF-8", path.display())))
}

fn open_sqlite(path: &Path) -> StoreResult<SqliteConnection> {
    let mut conn = SqliteConnection::establish(utf8(path)?).map_err(|e| setup(format!("{}: {e}", path.display())))?;
    // Another process (the service) may hold the write lock for a moment.
    conn.batch_execute("PRAGMA busy_timeout = 10000")?;
    Ok(conn)
}

fn open_pg(url: &str) -> StoreResult<PgConnection> {
    PgConnection::establish(url).map_err(|e| setup(format!("database connection: {e}")))
}

/// Writes a snapshot of the database at `url` into the new file `into`, then runs `inspect` on that very
/// snapshot (a connection to the copy for SQLite, the exporting transaction for PostgreSQL).
pub fn snapshot<T>(
    url: &str,
    into: &Path,
    tools: &PgTools,
    inspect: impl FnOnce(&mut DbConnection) -> StoreResult<T>,
) -> StoreResult<T> {
    match Backend::of_url(url)? {
        Backend::Sqlite => {
            let live = sqlite_target(url)?;
            if !live.is_file() {
                return Err(setup(format!("no database at {}", live.display())));
            }
            let mut source = open_sqlite(&live)?;
            diesel::sql_query("VACUUM INTO ?").bind::<Text, _>(utf8(into)?).execute(&mut source)?;
            drop(source);
            files::make_private(into).map_err(|e| setup(format!("{}: {e}", into.display())))?;
            let mut copy = open_sqlite(into)?;
            // One self-contained file: no write-ahead log beside it once the connection closes.
            copy.batch_execute("PRAGMA journal_mode = DELETE")?;
            inspect(&mut DbConnection::Sqlite(copy))
        }
        Backend::Postgres => {
            let mut pg = open_pg(url)?;
            // The transaction must stay open until pg_dump has imported its snapshot; it ends when `pg` is
            // dropped (read only: there is nothing to commit).
            pg.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
            let snapshot: SnapshotId = diesel::sql_query("SELECT pg_export_snapshot() AS id").get_result(&mut pg)?;
            let (dbname, password) = crate::text::split_password(url);
            let mut dump = Command::new(&tools.pg_dump);
            dump.arg("--format=custom")
                .arg("--no-password")
                .arg(format!("--snapshot={}", snapshot.id))
                .arg("--file")
                .arg(into)
                .arg(format!("--dbname={dbname}"));
            if let Some(password) = password {
                dump.env("PGPASSWORD", password);
            }
            run(&mut dump, &tools.pg_dump, "MOTCUA_PG_DUMP")?;
            files::make_private(into).map_err(|e| setup(format!("{}: {e}", into.display())))?;
            inspect(&mut DbConnection::Pg(pg))
        }
    }
}

/// Puts the snapshot `file` in place of the database at `url`: the SQLite file is replaced (a new file renamed
/// over it, its stale write-ahead log removed first); PostgreSQL's objects are dropped if present and restored
/// in one transaction, owned by the URL's user.
pub fn restore(url: &str, file: &Path, tools: &PgTools) -> StoreResult<()> {
    match Backend::of_url(url)? {
        Backend::Sqlite => {
            let target = sqlite_target(url)?;
            let io = |e: std::io::Error| setup(format!("{}: {e}", target.display()));
            let dir = match target.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(dir) => dir.to_path_buf(),
                None => PathBuf::from("."),
            };
            files::create_private_dir_all(&dir).map_err(io)?;
            let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("motcua.db");
            let staged = dir.join(format!(".{name}.restoring-{}", uuid::Uuid::new_v4().simple()));
            let copied = std::fs::File::open(file).and_then(|from| files::copy_private(from, &staged));
            if let Err(e) = copied {
                let _ = std::fs::remove_file(&staged);
                return Err(io(e));
            }
            // A log left by the replaced database would be replayed onto the restored one.
            for suffix in ["-wal", "-shm", "-journal"] {
                let mut side = target.clone().into_os_string();
                side.push(suffix);
                match std::fs::remove_file(&side) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io(e)),
                }
            }
            std::fs::rename(&staged, &target).map_err(io)?;
            files::sync_dir(&dir).map_err(io)
        }
        Backend::Postgres => {
            let (dbname, password) = crate::text::split_password(url);
            let mut load = Command::new(&tools.pg_restore);
            load.arg(format!("--dbname={dbname}"))
                .args(["--no-password", "--no-owner", "--no-acl", "--clean", "--if-exists"])
                .args(["--single-transaction", "--exit-on-error"])
                .arg(file);
            if let Some(password) = password {
                load.env("PGPASSWORD", password);
            }
            run(&mut load, &tools.pg_restore, "MOTCUA_PG_RESTORE")
        }
    }
}

/// Runs a client program; its complaint, on one line, if it fails.
fn run(command: &mut Command, program: &Path, variable: &str) -> StoreResult<()> {
    let name = program.display();
    let out = command
        .output()
        .map_err(|e| setup(format!("cannot run `{name}` ({e}); install the PostgreSQL client or set {variable}")))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let said: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).take(3).collect();
    Err(setup(format!("`{name}` failed ({}): {}", out.status, said.join("; "))))
}

/// How many dossiers the database at `url` holds: 0 when it has no schema yet, or (SQLite) no file, which is
/// not created by asking.
pub fn dossiers_present(url: &str) -> StoreResult<i64> {
    match Backend::of_url(url)? {
        Backend::Sqlite => {
            let path = sqlite_target(url)?;
            if !path.exists() {
                return Ok(0);
            }
            let mut conn = open_sqlite(&path)?;
            let tables: Count =
                diesel::sql_query("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'dossiers'")
                    .get_result(&mut conn)?;
            if tables.n == 0 {
                return Ok(0);
            }
            dossiers::count(&mut DbConnection::Sqlite(conn))
        }
        Backend::Postgres => {
            let mut conn = open_pg(url)?;
            let tables: Count = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM pg_catalog.pg_tables \
                 WHERE schemaname = current_schema() AND tablename = 'dossiers'",
            )
            .get_result(&mut conn)?;
            if tables.n == 0 {
                return Ok(0);
            }
            dossiers::count(&mut DbConnection::Pg(conn))
        }
    }
}

/// The last migration applied to the database (`20261206000008`).
pub fn schema_version(conn: &mut DbConnection) -> StoreResult<String> {
    let row: Version =
        diesel::sql_query("SELECT MAX(version) AS version FROM __diesel_schema_migrations").get_result(conn)?;
    row.version.ok_or_else(|| StoreError::Corrupt("no migration is recorded".into()))
}

/// The last migration this program knows for `backend`: a database past it was made by a newer version.
pub fn latest_schema_version(backend: Backend) -> StoreResult<String> {
    let versions: Vec<String> = match backend {
        Backend::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&PG_MIGRATIONS)
            .map_err(|e| setup(format!("migrations: {e}")))?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
        Backend::Sqlite => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .map_err(|e| setup(format!("migrations: {e}")))?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    };
    versions.into_iter().max().ok_or_else(|| setup("no migrations are embedded"))
}
