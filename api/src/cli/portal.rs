//! `motcua portal reconcile` and `motcua portal import-procedures`: the national portal (MOTCUA_PORTAL_URL,
//! MOTCUA_PORTAL_TOKEN) compared with what we hold.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use motcua_engine::service::{Config, Services, SystemClock};

use super::failure;

#[derive(Subcommand)]
pub enum PortalCommand {
    /// Compare every coded dossier's status and dates with the portal's view; re-send what differs.
    Reconcile {
        /// Only report; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Fetch the national procedure catalogue and report, per procedure, what differs from procedures/.
    /// Nothing is written: workflows are ours to change, by hand, in review.
    ImportProcedures,
}

pub fn run(command: PortalCommand) -> ExitCode {
    let services = match motcua_engine::wiring::start(Config::from_env(), Arc::new(SystemClock)) {
        Ok(s) => s,
        Err(e) => return failure(format!("cannot start: {e}")),
    };
    match command {
        PortalCommand::Reconcile { dry_run } => reconcile(&services, dry_run),
        PortalCommand::ImportProcedures => import_procedures(&services),
    }
}

fn reconcile(services: &Services, dry_run: bool) -> ExitCode {
    let report = match services.portal().reconcile_portal(dry_run) {
        Ok(r) => r,
        Err(e) => return failure(e),
    };
    let mut failed = 0;
    for d in &report.differences {
        let theirs = d.theirs.as_ref().map_or("unknown to the portal".to_string(), |(s, due)| {
            format!("status {s}, due {}", due.as_deref().unwrap_or("-"))
        });
        let outcome = match &d.resent {
            None => "not sent (dry run)".to_string(),
            Some(Ok(())) => "re-sent".to_string(),
            Some(Err(e)) => {
                failed += 1;
                format!("re-send failed: {e}")
            }
        };
        println!(
            "{}: ours status {}, due {}; portal {theirs}; {outcome}",
            d.code,
            d.ours.0,
            d.ours.1.as_deref().unwrap_or("-")
        );
    }
    println!(
        "{} dossier(s) checked, {} differ(s), {failed} re-send(s) failed",
        report.checked,
        report.differences.len()
    );
    if failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn import_procedures(services: &Services) -> ExitCode {
    let (national, report) = match services.portal().compare_national_catalogue() {
        Ok(c) => c,
        Err(e) => return failure(e),
    };
    for procedure in &report {
        println!("{} {}", procedure.code, procedure.name);
        for difference in &procedure.differences {
            println!("  - {difference}");
        }
    }
    println!(
        "{} national procedure(s), {} with differences; nothing was written",
        national,
        report.iter().filter(|p| !p.differences.is_empty()).count()
    );
    ExitCode::SUCCESS
}
