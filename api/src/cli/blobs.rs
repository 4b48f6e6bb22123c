//! `motcua blobs verify` and `motcua blobs gc`: the blob store the server uses (`MOTCUA_BLOBS`, by default the
//! filesystem under `MOTCUA_DATA_DIR/blobs`), checked against what the database refers to.

use std::process::ExitCode;
use std::sync::Arc;

use chrono::TimeDelta;
use clap::Subcommand;
use motcua_engine::documents::blobs::verify_all;
use motcua_engine::service::{Config, Services, SystemClock};

use super::failure;

#[derive(Subcommand)]
pub enum BlobsCommand {
    /// Rehash every blob; report corrupt ones and blobs the database refers to that are missing (exit 1 if any).
    Verify,
    /// Delete unattached uploads and blobs nothing refers to, older than the grace period.
    Gc {
        #[arg(long, default_value_t = 24)]
        grace_hours: i64,
    },
}

pub fn run(command: BlobsCommand) -> ExitCode {
    let services = match motcua_engine::wiring::start(Config::from_env(), Arc::new(SystemClock)) {
        Ok(s) => s,
        Err(e) => return failure(format!("cannot start: {e}")),
    };
    match command {
        BlobsCommand::Verify => verify(&services),
        BlobsCommand::Gc { grace_hours } => {
            match services.papers().collect_garbage(TimeDelta::hours(grace_hours.max(0))) {
                Ok(collected) => {
                    println!(
                        "{} upload(s) forgotten, {} blob(s) deleted, {} staging file(s) removed",
                        collected.uploads,
                        collected.blobs.len(),
                        collected.staging_files
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => failure(e),
            }
        }
    }
}

fn verify(services: &Services) -> ExitCode {
    // Every upload counts as referenced here: verification deletes nothing.
    let referenced = match services.repository().referenced_blobs(chrono::DateTime::UNIX_EPOCH) {
        Ok(r) => r,
        Err(e) => return failure(e),
    };
    let report = match verify_all(services.blobs.as_ref(), &referenced) {
        Ok(report) => report,
        Err(e) => return failure(e),
    };
    for sha256 in &report.corrupt {
        println!("CORRUPT {sha256}");
    }
    for sha256 in &report.missing {
        println!("MISSING {sha256}");
    }
    for (sha256, reason) in &report.unreadable {
        println!("UNREADABLE {sha256}: {reason}");
    }
    println!(
        "{} blob(s) checked in {}: {} corrupt, {} missing, {} unreadable",
        report.checked,
        services.blobs.describe(),
        report.corrupt.len(),
        report.missing.len(),
        report.unreadable.len()
    );
    if report.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
