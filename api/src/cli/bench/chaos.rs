//! `motcua bench chaos`: the fault drill (`motcua_api::chaos`) from the command line. It runs this very binary
//! as `serve` and `worker`, on SQLite in a scratch folder, or in a scratch database of the PostgreSQL server
//! given with `--database-url`; prints what was injected and checked; exits 1 on any violation, listing each.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use motcua_api::chaos::{Settings, run_chaos};

#[derive(Args, Clone)]
pub struct ChaosArgs {
    /// A PostgreSQL server to run on (a scratch database is created there). Default: SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// How long the clients drive dossiers while faults strike.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// How many times each of `serve` and `worker` is killed.
    #[arg(long, default_value_t = 5)]
    kills: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seed of the fault schedule, to repeat a run (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
}

pub fn run(args: ChaosArgs) -> ExitCode {
    super::block_on(drill(args))
}

async fn drill(args: ChaosArgs) -> Result<ExitCode, String> {
    let binary = std::env::current_exe().map_err(|e| format!("this binary: {e}"))?;
    let scratch = super::scratch_folder("chaos");
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
    let database_url = match &args.database_url {
        Some(url) if url.starts_with("postgres") => {
            let (url, name) = (url.clone(), format!("motcua_chaos_{stamp}_{}", std::process::id()));
            tokio::task::spawn_blocking(move || motcua_engine::store::create_database(&url, &name))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("scratch database: {e}"))?
        }
        Some(other) => return Err(format!("{other}: --database-url names a PostgreSQL server (default: SQLite)")),
        None => format!("sqlite://{}/motcua.db", scratch.display()),
    };
    let seed = args.seed.unwrap_or_else(|| chrono::Utc::now().timestamp_subsec_nanos() as u64);
    println!(
        "bench chaos: {} s of load, {} clients, {} kills each of serve and worker, seed {seed}; scratch {}",
        args.seconds,
        args.clients,
        args.kills,
        scratch.display()
    );
    let settings = Settings {
        binary,
        database_url,
        scratch: scratch.clone(),
        load: Duration::from_secs(args.seconds.max(5)),
        kills: args.kills,
        clients: args.clients.max(1),
        drain_timeout: Duration::from_secs(180),
        seed,
        env: Vec::new(),
    };
    let report = run_chaos(settings).await?;
    Ok(super::conclude(&report, &scratch, "serve.log, worker.log, data"))
}
