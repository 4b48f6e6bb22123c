//! `motcua repository backfill`: pushes the results of dossiers returned before the repository existed.

use std::process::ExitCode;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::Subcommand;
use motcua_engine::service::{Config, SystemClock};

use super::{failure, usage_error};

#[derive(Subcommand)]
pub enum RepositoryCommand {
    /// Put the results of returned dossiers into their owners' repositories (idempotent).
    Backfill {
        /// Only dossiers returned on or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: Option<String>,
        /// Only the dossier with this code.
        #[arg(long)]
        dossier: Option<String>,
    },
}

pub fn run(command: RepositoryCommand) -> ExitCode {
    let RepositoryCommand::Backfill { since, dossier } = command;
    let since = match since.as_deref().map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d")) {
        None => None,
        Some(Ok(date)) => Some(date),
        Some(Err(_)) => return usage_error("--since is a date YYYY-MM-DD"),
    };
    let services = match motcua_engine::wiring::start(Config::from_env(), Arc::new(SystemClock)) {
        Ok(s) => s,
        Err(e) => return failure(format!("cannot start: {e}")),
    };
    match services.repository().backfill_repository(since, dossier.as_deref()) {
        Ok((dossiers, items)) => {
            println!("{dossiers} returned dossier(s) looked at, {items} item(s) added to repositories");
            ExitCode::SUCCESS
        }
        Err(e) => failure(e),
    }
}
