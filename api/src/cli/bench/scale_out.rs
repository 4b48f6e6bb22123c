//! `motcua bench scale-out`: the scale-out profile (`motcua_api::scale_out`) from the command line: PostgreSQL
//! primary and streaming replica, PgBouncer, HAProxy, two `serve` and two `worker` of this very binary, all on
//! loopback in a scratch folder; a `serve` killed in turn under load; prints what was checked, exits 1 on any
//! violation, listing each, and keeps the scratch folder (logs, configurations) for investigation.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use motcua_api::scale_out::{Settings, infra::Programs, run_scale_out};

#[derive(Args, Clone)]
pub struct ScaleOutArgs {
    /// How long the clients drive dossiers through the load balancer.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// How many times a `serve` is killed (the two in turn).
    #[arg(long, default_value_t = 4)]
    kills: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,
}

pub fn run(args: ScaleOutArgs) -> ExitCode {
    super::block_on(profile(args))
}

async fn profile(args: ScaleOutArgs) -> Result<ExitCode, String> {
    let binary = std::env::current_exe().map_err(|e| format!("this binary: {e}"))?;
    let programs = Programs::find()?;
    let scratch = super::scratch_folder("scale-out");
    println!(
        "bench scale-out: {} s of load, {} clients, {} kills of a serve; scratch {}",
        args.seconds,
        args.clients,
        args.kills,
        scratch.display()
    );
    let settings = Settings {
        binary,
        programs,
        scratch: scratch.clone(),
        load: Duration::from_secs(args.seconds.max(5)),
        clients: args.clients.max(1),
        kills: args.kills,
        drain_timeout: Duration::from_secs(180),
        env: Vec::new(),
    };
    let report = run_scale_out(settings).await?;
    Ok(super::conclude(&report, &scratch, "logs of every process, configurations, data"))
}
