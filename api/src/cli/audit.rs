//! `motcua audit verify`: recomputes every dossier's hash chain and names the first broken event.

use std::process::ExitCode;

use motcua_engine::service::Config;
use motcua_engine::store::{Db, events};

use super::failure;

pub fn verify() -> ExitCode {
    let config = Config::from_env();
    let db = match Db::connect(&config.database_url, 1) {
        Ok(db) => db,
        Err(e) => return failure(e),
    };
    let report = match db.read(events::verify) {
        Ok(r) => r,
        Err(e) => return failure(e),
    };
    for broken in &report.broken {
        println!("BROKEN dossier {} at event {}: {}", broken.dossier_id, broken.seq, broken.reason);
    }
    println!("{} dossiers, {} events checked, {} broken chain(s)", report.dossiers, report.events, report.broken.len());
    if report.broken.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
