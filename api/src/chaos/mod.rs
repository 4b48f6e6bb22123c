//! The fault drill (`motcua bench chaos`, and its short version in the test suite). A real `motcua serve --demo`
//! and `motcua worker` run as separate processes on SQLite or PostgreSQL, with the demo's outside systems
//! simulated in this process (so the portal keeps what it received across the kills). Clients drive dossiers
//! through the default flow over HTTP and record every action the server acknowledged, while both processes
//! are killed with SIGKILL and restarted, the portal goes down and loses answers, the blob store turns
//! read-only, and the database is locked (and, on PostgreSQL, has every session cut as a restart would).
//! Then, with the outbox drained, everything must be whole: each acknowledged action in its dossier's
//! history, in order; dossier codes and register entries without gaps; the hash chains and blobs intact;
//! every outbox message delivered, and applied by the portal exactly once and in order.

pub(crate) mod checks;
pub(crate) mod client;
mod faults;
pub(crate) mod processes;
mod report;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;

pub use faults::{
    BLOBS_READ_ONLY, DATABASE_LOCKED, PORTAL_ANSWERS_LOST, PORTAL_DOWN, SERVE_KILLED, SESSIONS_CUT, WORKER_KILLED,
};
pub use report::Report;

use crate::flow;
use crate::sim::demo::DemoWorld;
use processes::{Process, Role};

/// How long a worker holds claimed outbox messages here: a worker killed while delivering leaves its claim
/// behind, and the drill should not wait the production minute for it.
const OUTBOX_LEASE_SECS: u64 = 5;

/// What to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The `motcua` binary, run as `serve` and as `worker`.
    pub binary: PathBuf,
    /// An empty database (SQLite or PostgreSQL).
    pub database_url: String,
    /// A folder of the run's own: data (blobs, keys) and the processes' logs.
    pub scratch: PathBuf,
    /// How long the clients drive dossiers while faults are injected.
    pub load: Duration,
    /// How many times each of `serve` and `worker` is killed.
    pub kills: usize,
    pub clients: usize,
    /// How long the outbox may take to drain once the faults are over.
    pub drain_timeout: Duration,
    /// Seed of the fault schedule (printed, so that a run can be repeated).
    pub seed: u64,
    /// More variables for both processes (e.g. `MOTCUA_PROCEDURES`).
    pub env: Vec<(String, String)>,
}

/// Runs the drill; an error is a run that could not be set up or carried out, a violation is in the report.
pub async fn run_chaos(settings: Settings) -> Result<Report, String> {
    let started = Instant::now();
    let postgres = settings.database_url.starts_with("postgres");
    let mut report = Report::new(if postgres { "PostgreSQL" } else { "SQLite" }, settings.seed);
    let data_dir = settings.scratch.join("data");
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let base = format!("http://127.0.0.1:{}", free_port()?);
    let mut world = DemoWorld::start(&base).map_err(|e| format!("simulators: {e}"))?;
    // The portal would route dossiers submitted there to motcua; the drill submits none.
    world.start_portal(&base, "portal-chaos", "unused").map_err(|e| format!("portal simulator: {e}"))?;
    let portal_url = world.outside.portal.as_ref().map(|p| p.url.clone()).expect("the demo world has a portal");

    let mut env = world.outside.to_env();
    env.extend([
        ("DATABASE_URL".to_string(), settings.database_url.clone()),
        ("MOTCUA_DATA_DIR".to_string(), data_dir.display().to_string()),
        ("MOTCUA_PUBLIC_URL".to_string(), base.clone()),
        ("MOTCUA_OUTBOX_LEASE_SECS".to_string(), OUTBOX_LEASE_SECS.to_string()),
        // The drill's own blob store and demo keys under its data folder, whatever this environment names (an
        // empty setting counts as none).
        ("MOTCUA_BLOBS".to_string(), String::new()),
        ("MOTCUA_PKI_DIR".to_string(), String::new()),
    ]);
    if std::env::var_os("RUST_LOG").is_none() {
        env.push(("RUST_LOG".to_string(), "warn".to_string()));
    }
    env.extend(settings.env.iter().cloned());
    let address = base.trim_start_matches("http://").to_string();
    let mut serve =
        Process::new(Role::Serve { base: base.clone(), address }, &settings.binary, &env, &settings.scratch);
    let mut worker = Process::new(Role::Worker, &settings.binary, &env, &settings.scratch);
    let outcome = async {
        // The first start loads the demo and makes its signing keys.
        serve.start(Duration::from_secs(180)).await?;
        worker.start(Duration::from_secs(30)).await?;
        let http = client::http()?;
        let team = flow::sign_in_team(&http, &base).await?;

        let mut rng = StdRng::seed_from_u64(settings.seed);
        let plan = faults::plan(&mut rng, settings.load, settings.kills, postgres);
        let targets = faults::Targets {
            portal_url: portal_url.clone(),
            blob_root: data_dir.join("blobs"),
            database_url: settings.database_url.clone(),
            http: http.clone(),
        };
        let deadline = tokio::time::Instant::now() + settings.load;
        let load = client::drive(&http, &base, team.clone(), settings.clients, deadline);
        let injected = faults::inject(plan, targets, &mut serve, &mut worker);
        let (load, injected) = tokio::join!(load, injected);
        report.record_faults(injected);

        // Everything back up: the faults with a duration are over, a process that died of them is started again.
        for process in [&mut serve, &mut worker] {
            if let Some(why) = process.exited_on_its_own() {
                report.notes.push(format!("{} had exited on its own ({why}); started again", process.name()));
            }
            process.ensure_running(Duration::from_secs(60)).await?;
        }
        let context = checks::Context {
            http,
            base: base.clone(),
            team,
            portal_url: portal_url.clone(),
            binary: settings.binary.clone(),
            env: env.clone(),
        };
        let drained = checks::drain(&context, settings.drain_timeout).await;
        report.violations.extend(drained.err());
        checks::verify(&context, &load, &mut report).await;
        report.record_load(load);
        Ok::<(), String>(())
    }
    .await;
    serve.stop();
    worker.stop();
    let _ = tokio::task::spawn_blocking(move || world.stop()).await;
    outcome?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// A loopback port nobody listens on now, for `serve` (or another engine of a drill) to bind at every start.
pub(crate) fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// The `code` of a problem answer, or the HTTP status alone.
fn problem_code(status: u16, body: &Value) -> String {
    match body["code"].as_str() {
        Some(code) => format!("{status} {code}"),
        None => status.to_string(),
    }
}
