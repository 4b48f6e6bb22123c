//! `motcua backup --to DIR` and `motcua restore --from DIR [--force]`: the configured database, blob store,
//! signing keys and settings, together (engine::service::backup). PostgreSQL is dumped and restored with its own
//! client programs: `MOTCUA_PG_DUMP` / `MOTCUA_PG_RESTORE`, or `pg_dump` / `pg_restore` on the PATH.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use motcua_engine::service::Config;
use motcua_engine::service::backup::{self, BackupError, BackupRequest, RestoreRequest, SETTINGS};
use motcua_engine::store::backup::PgTools;

use super::{failure, usage_error};

#[derive(Args)]
pub struct BackupArgs {
    /// A new (or empty) folder to write the backup into.
    #[arg(long)]
    to: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A folder written by `motcua backup`.
    #[arg(long)]
    from: PathBuf,
    /// Replace a database that already holds dossiers, and signing keys that differ.
    #[arg(long)]
    force: bool,
}

/// Secrets the process may hold outside the configuration: named in the backup's settings when set.
const OTHER_SECRETS: [&str; 4] =
    ["MOTCUA_JWT_SECRET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn tools() -> PgTools {
    let defaults = PgTools::default();
    PgTools {
        pg_dump: var("MOTCUA_PG_DUMP").map_or(defaults.pg_dump, PathBuf::from),
        pg_restore: var("MOTCUA_PG_RESTORE").map_or(defaults.pg_restore, PathBuf::from),
    }
}

/// A refusal (nothing written) is bad input: exit 2; anything else exit 1. One line either way.
fn report(e: BackupError) -> ExitCode {
    let one_line = |m: String| m.split_whitespace().collect::<Vec<_>>().join(" ");
    match e {
        BackupError::Refused(message) => usage_error(one_line(message)),
        e => failure(one_line(e.to_string())),
    }
}

pub fn backup(args: BackupArgs) -> ExitCode {
    let config = Config::from_env();
    let other_secrets: Vec<String> =
        OTHER_SECRETS.iter().filter(|name| var(name).is_some()).map(|name| name.to_string()).collect();
    let tools = tools();
    let request = BackupRequest { to: &args.to, tools: &tools, other_secrets: &other_secrets, now: chrono::Utc::now() };
    let summary = match backup::backup(&config, &request) {
        Ok(summary) => summary,
        Err(e) => return report(e),
    };
    let manifest = &summary.manifest;
    let database = &manifest.database;
    println!(
        "database: {} snapshot at schema {}, {} dossier(s), {} event(s)",
        database.kind, database.schema_version, database.dossiers, database.events
    );
    let blobs = &manifest.blobs;
    let how = if blobs.copied { "copied from" } else { "referenced, kept by" };
    println!("blobs: {} {how} {}", blobs.count, blobs.store);
    match &manifest.keys {
        Some(keys) => println!("keys: {} file(s) from {}", keys.files, keys.from),
        None => println!("keys: none (MOTCUA_PKI_DIR is not set)"),
    }
    println!("backup written to {} (manifest sha256 {})", args.to.display(), summary.manifest_sha256);
    ExitCode::SUCCESS
}

pub fn restore(args: RestoreArgs) -> ExitCode {
    let config = Config::from_env();
    let tools = tools();
    let request = RestoreRequest { from: &args.from, tools: &tools, force: args.force };
    let summary = match backup::restore(&config, &request) {
        Ok(summary) => summary,
        Err(e) => return report(e),
    };
    let manifest = &summary.manifest;
    println!(
        "backup of {} by motcua {}: {} file(s) checked",
        manifest.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        manifest.motcua_version,
        manifest.files.len()
    );
    let blobs = &manifest.blobs;
    let how = if blobs.copied { "restored into" } else { "found in" };
    println!("blobs: {} {how} {}", blobs.count, summary.blob_store);
    if let (Some(keys), Some(dir)) = (&manifest.keys, &summary.keys_into) {
        println!("keys: {} file(s) into {}", keys.files, dir.display());
    }
    println!(
        "database: {} restored at schema {}, {} dossier(s)",
        manifest.database.kind, manifest.database.schema_version, manifest.database.dossiers
    );
    println!(
        "settings: {} lists the configuration it was taken with; secrets are named there, not kept",
        args.from.join(SETTINGS).display()
    );
    ExitCode::SUCCESS
}
