//! `motcua bench lifecycle`: drives dossiers through the whole default flow over HTTP (a scan uploaded, then
//! receive, assign, appraise, approve, sign, seal, return) with concurrent clients and reports throughput and
//! latency per action. A dossier that fails is counted with its reason and the run goes on. On PostgreSQL it
//! also runs `pgbench` (TPC-B-like, same clients, same duration) against the same server in the same run, and
//! prints the ratio, because absolute figures on shared machines mean little.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use motcua_api::flow::{self, Member};
use motcua_engine::service::Config;
use serde_json::Value;

#[derive(Args, Clone)]
pub struct LifecycleArgs {
    /// Dossiers to drive through the flow.
    #[arg(long, default_value_t = 400)]
    dossiers: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Database for an in-process server (default: a fresh SQLite file). Must be empty or hold only a demo.
    #[arg(long)]
    database_url: Option<String>,
    /// Target a running server instead (it must hold the demo data; with `serve --demo` its simulated population
    /// register knows the applicant).
    #[arg(long)]
    url: Option<String>,
    /// pgbench binary for the PostgreSQL baseline (default: $MOTCUA_PGBENCH, then PATH).
    #[arg(long)]
    pgbench: Option<String>,
    /// Call the engine's use cases from threads of this process, without HTTP: what the engine itself costs.
    #[arg(long, conflicts_with = "url")]
    in_process: bool,
}

pub(super) const FLOW: [&str; 8] = ["upload", "receive", "assign", "appraise", "approve", "sign", "seal", "return"];

pub fn run(args: LifecycleArgs) -> ExitCode {
    super::block_on(async { lifecycle(args).await.map(|()| ExitCode::SUCCESS) })
}

struct Target {
    base: String,
    database_url: Option<String>,
    _server: Option<super::InProcess>,
}

async fn start_target(args: &LifecycleArgs) -> Result<Target, String> {
    if let Some(url) = &args.url {
        return Ok(Target {
            base: url.trim_end_matches('/').to_string(),
            database_url: args.database_url.clone(),
            _server: None,
        });
    }
    let database_url = args.database_url.clone().unwrap_or_else(scratch_sqlite);
    let config = Config {
        database_url: database_url.clone(),
        pool_size: (args.clients as u32 + 4).max(8),
        ..Config::from_env()
    };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let server = super::InProcess::start(config, workers).await?;
    Ok(Target { base: server.base.clone(), database_url: Some(database_url), _server: Some(server) })
}

/// Why a request of the flow failed, without the dossier's id, so that failures of one kind count together.
fn reason(action: &str, status: reqwest::StatusCode, body: &Value) -> String {
    match body["code"].as_str() {
        Some(code) => format!("{action}: {} {code}", status.as_u16()),
        None => format!("{action}: {}", status.as_u16()),
    }
}

pub(super) struct Client {
    pub(super) http: reqwest::Client,
    pub(super) base: String,
    pub(super) team: BTreeMap<&'static str, Member>,
}

/// What became of one dossier: the latency of each action that succeeded, and why it stopped early, if it did.
pub(super) struct Run {
    pub(super) timings: Vec<(&'static str, Duration)>,
    pub(super) failed: Option<String>,
}

impl Client {
    async fn call(
        &self,
        action: &str,
        path: &str,
        role: &str,
        body: &Value,
        version: Option<u64>,
    ) -> Result<Value, String> {
        let mut request = self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.team[role].token).json(body);
        if let Some(v) = version {
            request = request.header("If-Match", v.to_string());
        }
        let response = request.send().await.map_err(|e| format!("{action}: no answer ({e})"))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() { Ok(body) } else { Err(reason(action, status, &body)) }
    }

    /// One dossier through the flow, as far as it goes.
    async fn one_dossier(&self, n: usize) -> Run {
        let mut run = Run { timings: Vec::with_capacity(FLOW.len()), failed: None };
        if let Err(e) = self.drive(n, &mut run.timings).await {
            run.failed = Some(e);
        }
        run
    }

    async fn drive(&self, n: usize, timings: &mut Vec<(&'static str, Duration)>) -> Result<(), String> {
        let started = Instant::now();
        let response = self
            .http
            .post(format!("{}/api/v1/uploads?name=don-de-nghi.pdf", self.base))
            .bearer_auth(&self.team["clerk"].token)
            .body(flow::SCAN)
            .send()
            .await
            .map_err(|e| format!("upload: no answer ({e})"))?;
        let status = response.status();
        let upload: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(reason("upload", status, &upload));
        }
        timings.push(("upload", started.elapsed()));
        let body = flow::reception(upload["id"].as_str().unwrap_or_default());
        let started = Instant::now();
        let mut dossier = self.call("receive", "/api/v1/dossiers", "clerk", &body, None).await?;
        timings.push(("receive", started.elapsed()));
        let path = format!("/api/v1/dossiers/{}/actions", dossier["id"].as_str().unwrap_or_default());
        for step in flow::steps(&self.team["specialist"].staff_id, &format!("{n}/HKD")) {
            let version = dossier["version"].as_u64();
            let started = Instant::now();
            dossier = self.call(step.action, &path, step.role, &step.body, version).await?;
            timings.push((FLOW.iter().find(|f| **f == step.action).copied().unwrap_or("?"), started.elapsed()));
        }
        Ok(())
    }
}

/// Drives dossiers `0..total` through the flow, `clients` at a time; answers what became of each.
pub(super) async fn drive_all(client: Arc<Client>, total: usize, clients: usize) -> Result<Vec<Run>, String> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..clients.max(1))
        .map(|_| {
            let (client, next) = (client.clone(), next.clone());
            tokio::spawn(async move {
                let mut runs = Vec::new();
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= total {
                        return runs;
                    }
                    runs.push(client.one_dossier(n).await);
                }
            })
        })
        .collect();
    let mut runs = Vec::with_capacity(total);
    for task in tasks {
        runs.extend(task.await.map_err(|e| e.to_string())?);
    }
    Ok(runs)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn lifecycle(args: LifecycleArgs) -> Result<(), String> {
    if args.in_process {
        let database_url = args.database_url.clone().unwrap_or_else(scratch_sqlite);
        let (clients, dossiers) = (args.clients, args.dossiers);
        let url = database_url.clone();
        let measured = tokio::task::spawn_blocking(move || super::in_process::run(&url, dossiers, clients))
            .await
            .map_err(|e| e.to_string())??;
        return conclude(&args, &database_url, measured).await;
    }
    let target = start_target(&args).await?;
    let http =
        reqwest::Client::builder().pool_max_idle_per_host(args.clients * 2).build().map_err(|e| e.to_string())?;
    let team = flow::sign_in_team(&http, &target.base).await?;
    let client = Arc::new(Client { http, base: target.base.clone(), team });
    println!(
        "bench lifecycle: {} dossiers x {} requests, {} clients, target {} ({})",
        args.dossiers,
        FLOW.len(),
        args.clients,
        target.base,
        target.database_url.as_deref().map_or("remote", database_kind)
    );
    let cpu_before = super::timing::CpuTicks::now();
    let started = Instant::now();
    let runs = drive_all(client, args.dossiers, args.clients).await?;
    let measured = Measured { runs, elapsed: started.elapsed(), cpu_before, cpu_after: super::timing::CpuTicks::now() };
    match target.database_url.as_deref() {
        Some(url) => conclude(&args, url, measured).await,
        None => conclude(&args, "", measured).await,
    }
}

fn database_kind(url: &str) -> &'static str {
    if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" }
}

/// A fresh SQLite file under the temporary folder, named after this process.
pub(super) fn scratch_sqlite() -> String {
    let dir = std::env::temp_dir().join(format!("motcua-bench-{}", std::process::id()));
    format!("sqlite://{}/motcua.db", dir.display())
}

/// What a run of the flow gave: each dossier's run, the time it took and the CPU around it.
pub(super) struct Measured {
    pub(super) runs: Vec<Run>,
    pub(super) elapsed: Duration,
    pub(super) cpu_before: super::timing::CpuTicks,
    pub(super) cpu_after: super::timing::CpuTicks,
}

/// Prints the throughput, CPU and latencies of a run, then pgbench's baseline on PostgreSQL; fails when a
/// dossier did not finish the flow.
async fn conclude(args: &LifecycleArgs, database_url: &str, measured: Measured) -> Result<(), String> {
    let Measured { runs, elapsed, cpu_before, cpu_after } = measured;
    let mut by_action: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    let mut failures: BTreeMap<String, usize> = BTreeMap::new();
    for run in runs {
        for (action, took) in run.timings {
            by_action.entry(action).or_default().push(took);
        }
        if let Some(why) = run.failed {
            *failures.entry(why).or_default() += 1;
        }
    }
    let failed: usize = failures.values().sum();
    // Lifecycle actions only: the scan uploaded with each reception is reported on its own line.
    let uploads = by_action.get("upload").map_or(0, Vec::len);
    let actions: usize = by_action.values().map(Vec::len).sum::<usize>() - uploads;
    let actions_per_sec = actions as f64 / elapsed.as_secs_f64();
    println!(
        "elapsed {:.2} s: {:.1} dossiers/s, {:.1} actions/s (plus {uploads} uploads)",
        elapsed.as_secs_f64(),
        (args.dossiers - failed) as f64 / elapsed.as_secs_f64(),
        actions_per_sec
    );
    let (this_ms, postgres_ms) = cpu_before.per(cpu_after, args.dossiers);
    println!(
        "CPU per dossier: {this_ms:.1} ms in this process (server and clients), {postgres_ms:.1} ms in local postgres processes"
    );
    println!("{:<10} {:>8} {:>9} {:>9} {:>9}", "action", "count", "p50 ms", "p95 ms", "p99 ms");
    let mut all = Vec::new();
    for action in FLOW {
        let mut times = by_action.remove(action).unwrap_or_default();
        times.sort();
        println!(
            "{action:<10} {:>8} {:>9.2} {:>9.2} {:>9.2}",
            times.len(),
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 95.0)),
            ms(percentile(&times, 99.0))
        );
        all.extend(times);
    }
    all.sort();
    println!(
        "{:<10} {:>8} {:>9.2} {:>9.2} {:>9.2}",
        "all",
        all.len(),
        ms(percentile(&all, 50.0)),
        ms(percentile(&all, 95.0)),
        ms(percentile(&all, 99.0))
    );

    if database_url.starts_with("postgres") {
        let seconds = elapsed.as_secs().max(5);
        let tps = pgbench(database_url, args.clients, seconds, args.pgbench.clone()).await?;
        println!("pgbench (TPC-B-like, {} clients, {seconds} s, same server): {tps:.1} tps", args.clients);
        println!("ratio: motcua actions/s / pgbench tps = {:.2}", actions_per_sec / tps);
    }
    if failed > 0 {
        println!("{failed} of {} dossiers stopped early:", args.dossiers);
        for (why, count) in &failures {
            println!("  {count:>6}  {why}");
        }
        return Err(format!("{failed} of {} dossiers did not finish the flow", args.dossiers));
    }
    Ok(())
}

fn pgbench_binary(given: Option<String>) -> String {
    given.or_else(|| std::env::var("MOTCUA_PGBENCH").ok()).unwrap_or_else(|| {
        std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                versions.filter_map(|v| v.ok()).map(|v| v.path().join("bin/pgbench")).find(|p| p.exists())
            })
            .map_or_else(|| "pgbench".to_string(), |p| p.display().to_string())
    })
}

/// Initialises pgbench's tables in `url`, then runs its TPC-B-like script there; answers the run's output.
async fn run_pgbench(binary: &str, url: &str, clients: usize, seconds: u64) -> Result<std::process::Output, String> {
    let init = tokio::process::Command::new(binary)
        .args(["-i", "-q", "-s", "1", url])
        .output()
        .await
        .map_err(|e| format!("{binary}: {e}"))?;
    if !init.status.success() {
        return Err(format!("pgbench -i failed: {}", String::from_utf8_lossy(&init.stderr)));
    }
    tokio::process::Command::new(binary)
        .args(["-n", "-c", &clients.to_string(), "-j", "2", "-T", &seconds.to_string(), url])
        .output()
        .await
        .map_err(|e| format!("{binary}: {e}"))
}

/// Runs pgbench's built-in TPC-B-like script in a scratch database on the same server; answers its tps.
async fn pgbench(url: &str, clients: usize, seconds: u64, binary: Option<String>) -> Result<f64, String> {
    let binary = pgbench_binary(binary);
    let scratch = format!("motcua_pgbench_{}", std::process::id());
    let admin = url.to_string();
    let scratch_url = tokio::task::spawn_blocking(move || motcua_engine::store::create_database(&admin, &scratch))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let run = run_pgbench(&binary, &scratch_url, clients, seconds).await;
    let dropped = tokio::task::spawn_blocking({
        let url = scratch_url.clone();
        move || motcua_engine::store::drop_database(&url)
    })
    .await;
    if let Ok(Err(e)) = dropped {
        eprintln!("the pgbench database stays: {e}");
    }
    let run = run?;
    let out = String::from_utf8_lossy(&run.stdout);
    out.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no tps in pgbench output: {out}{}", String::from_utf8_lossy(&run.stderr)))
}
