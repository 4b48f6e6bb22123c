//! `motcua audit verify`: recomputes every dossier's and petition's hash chain and names the first broken event,
//! and checks the daily counts the scorecard sums against the facts they are kept from.
//! `motcua audit export`: the security audit log as JSON lines, for the province's log archive.

use std::process::ExitCode;

use motcua_engine::service::Config;
use motcua_engine::store::{Db, audit, daily_counts, events, petitions};

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
    let (petitions, petition_events, petitions_broken) = match db.read(petitions::verify) {
        Ok(r) => r,
        Err(e) => return failure(e),
    };
    let drift = match db.read(daily_counts::drift) {
        Ok(n) => n,
        Err(e) => return failure(e),
    };
    for broken in &report.broken {
        println!("BROKEN dossier {} at event {}: {}", broken.dossier_id, broken.seq, broken.reason);
    }
    for broken in &petitions_broken {
        println!("BROKEN petition {} at event {}: {}", broken.dossier_id, broken.seq, broken.reason);
    }
    println!(
        "{} dossiers, {} events, {petitions} petitions, {petition_events} petition events checked, {} broken chain(s)",
        report.dossiers,
        report.events,
        report.broken.len() + petitions_broken.len()
    );
    if drift > 0 {
        println!("DRIFT daily counts: {drift} (agency, day, procedure) row(s) differ from a count over the facts");
    }
    let sound = report.broken.is_empty() && petitions_broken.is_empty() && drift == 0;
    if sound { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Writes the audit log entries written in [since, until) as JSON lines to stdout, oldest first.
pub fn export(since: Option<chrono::NaiveDate>, until: Option<chrono::NaiveDate>) -> ExitCode {
    use std::io::Write;
    let config = Config::from_env();
    let db = match Db::connect(&config.database_url, 1) {
        Ok(db) => db,
        Err(e) => return failure(e),
    };
    let since = since.and_then(|d| d.and_hms_opt(0, 0, 0));
    let until = until.and_then(|d| d.and_hms_opt(0, 0, 0));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (mut after, mut written) = (0, 0u64);
    loop {
        let page = match db.read(|conn| audit::after(conn, after, 1000)) {
            Ok(page) => page,
            Err(e) => return failure(e),
        };
        let Some(last) = page.last() else { break };
        after = last.id;
        for entry in page.iter().filter(|e| since.is_none_or(|s| e.at >= s) && until.is_none_or(|u| e.at < u)) {
            let line = serde_json::to_string(entry).expect("entries serialize");
            if writeln!(out, "{line}").is_err() {
                return ExitCode::FAILURE;
            }
            written += 1;
        }
    }
    drop(out);
    eprintln!("{written} audit entries exported");
    ExitCode::SUCCESS
}
