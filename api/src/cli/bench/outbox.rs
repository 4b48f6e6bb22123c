//! `motcua bench outbox`: whether `motcua worker` processes scale out. Dossiers are driven through the whole
//! flow with no worker running, which fills the outbox (portal statuses, repository pushes, mail, SMS) and the
//! job queue (forms to render). The filled database is copied once per run, and the copy drained by 1 worker,
//! then by 2 (separate `motcua worker` processes), against fresh simulators that answer each request after a
//! set latency, as the national portal does from across the country. Throughput is read from the rows (first
//! to last delivery), so a worker's start-up does not count. Each run must leave nothing dead and the portal
//! must have applied every status message exactly once and in order (it refuses an older sequence).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use clap::Args;
use motcua_api::flow;
use motcua_api::sim::demo::DemoWorld;
use motcua_engine::service::Config;
use motcua_engine::store::{self, Db, jobs, outbox};
use serde_json::{Value, json};

use super::lifecycle::Client;

/// The job kind the flow queues (forms rendered after receipt and return).
const RENDER: &str = "render_form";
/// Clients filling the outbox.
const FILL_CLIENTS: usize = 8;

#[derive(Args, Clone)]
pub struct OutboxArgs {
    /// Dossiers driven through the whole flow to fill the outbox and the job queue.
    #[arg(long, default_value_t = 200)]
    dossiers: usize,
    /// How long the simulated portal, payment platform, population database and SMS gateway take to answer.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// Workers of the second run (the first has one).
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// A PostgreSQL database URL on the server to use (scratch databases are made beside it); default: SQLite
    /// files in a scratch folder.
    #[arg(long)]
    database_url: Option<String>,
    /// The `motcua` binary run as `worker` (default: this one).
    #[arg(long)]
    binary: Option<PathBuf>,
    /// How long one run may take to drain.
    #[arg(long, default_value_t = 600)]
    timeout_secs: u64,
}

pub fn run(args: OutboxArgs) -> ExitCode {
    super::block_on(async { bench(args).await.map(|()| ExitCode::SUCCESS) })
}

/// What one run drained, and how fast.
struct Drained {
    workers: usize,
    messages: i64,
    messages_span: Duration,
    jobs: i64,
    jobs_span: Duration,
    /// First to last unit of work of either kind.
    all_span: Duration,
    problems: Vec<String>,
}

impl Drained {
    fn rate(count: i64, span: Duration) -> f64 {
        count as f64 / span.as_secs_f64().max(0.001)
    }
    fn messages_rate(&self) -> f64 {
        Self::rate(self.messages, self.messages_span)
    }
    fn jobs_rate(&self) -> f64 {
        Self::rate(self.jobs, self.jobs_span)
    }
    fn all_rate(&self) -> f64 {
        Self::rate(self.messages + self.jobs, self.all_span)
    }
}

async fn bench(args: OutboxArgs) -> Result<(), String> {
    let scratch = std::env::temp_dir().join(format!("motcua-bench-outbox-{}", std::process::id()));
    let data_dir = scratch.join("data");
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let binary = match &args.binary {
        Some(b) => b.clone(),
        None => std::env::current_exe().map_err(|e| e.to_string())?,
    };
    let filled = match &args.database_url {
        Some(url) if url.starts_with("postgres") => {
            let (url, name) = (url.clone(), format!("motcua_outbox_{}", std::process::id()));
            blocking(move || store::create_database(&url, &name)).await?
        }
        Some(other) => return Err(format!("--database-url must be a PostgreSQL URL, not {other}")),
        None => format!("sqlite://{}", scratch.join("filled.db").display()),
    };
    let started = Instant::now();
    let filled_with = fill(&filled, &data_dir, args.dossiers).await?;
    println!(
        "bench outbox: {} dossiers through the flow ({:.1} s) left {} on {}; outside systems answer after {} ms",
        args.dossiers,
        started.elapsed().as_secs_f64(),
        filled_with,
        if filled.starts_with("postgres") { "PostgreSQL" } else { "SQLite" },
        args.latency_ms
    );
    let mut runs = Vec::new();
    for workers in [1, args.workers.max(1)] {
        let copy = {
            let (url, name) = (filled.clone(), format!("motcua_outbox_{}_{workers}w", std::process::id()));
            blocking(move || store::copy_database(&url, &name)).await?
        };
        let drained = drain(&copy, &data_dir, &binary, workers, &args).await;
        blocking(move || store::drop_database(&copy)).await?;
        runs.push(drained?);
    }
    let url = filled.clone();
    blocking(move || store::drop_database(&url)).await?;
    println!("{:<8} {:>9} {:>10} {:>7} {:>8} {:>9}  checks", "workers", "messages", "msg/s", "jobs", "jobs/s", "all/s");
    for run in &runs {
        println!(
            "{:<8} {:>9} {:>10.1} {:>7} {:>8.1} {:>9.1}  {}",
            run.workers,
            run.messages,
            run.messages_rate(),
            run.jobs,
            run.jobs_rate(),
            run.all_rate(),
            if run.problems.is_empty() {
                "every message delivered once, in order".to_string()
            } else {
                run.problems.join("; ")
            }
        );
    }
    let (one, many) = (&runs[0], &runs[runs.len() - 1]);
    println!(
        "ratio {} workers / 1: messages {:.2}, jobs {:.2}, all {:.2}",
        many.workers,
        many.messages_rate() / one.messages_rate(),
        many.jobs_rate() / one.jobs_rate().max(f64::MIN_POSITIVE),
        many.all_rate() / one.all_rate()
    );
    let _ = std::fs::remove_dir_all(&scratch);
    let problems: Vec<&String> = runs.iter().flat_map(|r| &r.problems).collect();
    if problems.is_empty() { Ok(()) } else { Err(format!("{} problem(s) in the runs", problems.len())) }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, store::StoreError> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f).await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())
}

/// Drives `dossiers` through the flow on an in-process server with no worker; answers what waits, in words.
async fn fill(database_url: &str, data_dir: &Path, dossiers: usize) -> Result<String, String> {
    let world = DemoWorld::start("http://127.0.0.1:8080").map_err(|e| format!("simulators: {e}"))?;
    let config = Config {
        database_url: database_url.to_string(),
        database_read_url: None,
        pool_size: (FILL_CLIENTS as u32 + 4).max(8),
        data_dir: data_dir.to_path_buf(),
        blob_url: None,
        outside: world.outside.clone(),
        ..Config::from_env()
    };
    let server = super::InProcess::start(config, 2).await?;
    let http = reqwest::Client::new();
    let team = flow::sign_in_team(&http, &server.base).await?;
    let client = Arc::new(Client { http, base: server.base.clone(), team });
    let runs = super::lifecycle::drive_all(client, dossiers, FILL_CLIENTS).await?;
    let failures: Vec<String> = runs.into_iter().filter_map(|run| run.failed).collect();
    if let Some(first) = failures.first() {
        return Err(format!("{} dossiers failed while filling the outbox, first: {first}", failures.len()));
    }
    server.stop().await;
    tokio::task::spawn_blocking(move || world.stop()).await.map_err(|e| e.to_string())?;
    let (topics, progress) = {
        let url = database_url.to_string();
        blocking(move || {
            Db::connect(&url, 1)?.read(|conn| Ok((outbox::stats_by_topic(conn)?, jobs::progress_of(conn, RENDER)?)))
        })
        .await?
    };
    let waiting: Vec<String> = topics.iter().map(|(topic, stats)| format!("{topic} {}", stats.pending)).collect();
    Ok(format!("messages waiting ({}) and {} forms to render", waiting.join(", "), progress.waiting))
}

/// Drains the database at `url` with `workers` worker processes against fresh, distant simulators.
async fn drain(
    url: &str,
    data_dir: &Path,
    binary: &Path,
    workers: usize,
    args: &OutboxArgs,
) -> Result<Drained, String> {
    let mut world = DemoWorld::start("http://127.0.0.1:8080").map_err(|e| format!("simulators: {e}"))?;
    world.start_portal("http://127.0.0.1:8080", "portal", "unused").map_err(|e| format!("portal simulator: {e}"))?;
    let outside = world.outside.clone();
    let http = reqwest::Client::new();
    let distant = json!({"mode": "distant", "ms": args.latency_ms});
    let portal_url = outside.portal.as_ref().map(|p| p.url.clone()).ok_or("the demo world has no portal")?;
    let mut simulators = vec![portal_url.clone()];
    simulators.extend(outside.population.as_ref().map(|e| e.url.clone()));
    simulators.extend(outside.sms.as_ref().map(|e| e.url.clone()));
    simulators.extend(outside.payment.as_ref().map(|p| p.endpoint.url.clone()));
    for simulator in &simulators {
        let answer = http.post(format!("{simulator}/_sim/faults")).json(&distant).send().await;
        if !answer.as_ref().is_ok_and(|r| r.status().is_success()) {
            return Err(format!("{simulator} did not take the latency: {answer:?}"));
        }
    }
    let mut env = outside.to_env();
    env.extend([
        ("DATABASE_URL".to_string(), url.to_string()),
        ("MOTCUA_DATA_DIR".to_string(), data_dir.display().to_string()),
        ("MOTCUA_BLOBS".to_string(), String::new()),
        ("MOTCUA_PKI_DIR".to_string(), String::new()),
        ("RUST_LOG".to_string(), std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into())),
    ]);
    let db = {
        let url = url.to_string();
        blocking(move || Db::connect(&url, 1)).await?
    };
    let db = Arc::new(db);
    let mut children = Workers::start(binary, &env, workers, data_dir)?;
    let until = Instant::now() + Duration::from_secs(args.timeout_secs);
    let outcome = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let db = db.clone();
        let (stats, progress) = tokio::task::spawn_blocking(move || {
            db.read(|conn| Ok::<_, store::StoreError>((outbox::stats(conn)?, jobs::progress_of(conn, RENDER)?)))
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        if stats.pending == 0 && progress.waiting == 0 {
            break Ok(stats.dead);
        }
        if let Some(why) = children.exited() {
            break Err(format!("a worker exited: {why}"));
        }
        if Instant::now() >= until {
            break Err(format!(
                "not drained within {} s: {} messages and {} jobs wait",
                args.timeout_secs, stats.pending, progress.waiting
            ));
        }
    };
    children.stop();
    let dead = outcome?;
    let (span, progress) = {
        let db = db.clone();
        tokio::task::spawn_blocking(move || {
            db.read(|conn| Ok::<_, store::StoreError>((outbox::delivery_span(conn)?, jobs::progress_of(conn, RENDER)?)))
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?
    };
    let mut problems = Vec::new();
    if dead > 0 {
        problems.push(format!("{dead} messages dead"));
    }
    problems.extend(portal_problems(&http, &portal_url, db).await);
    tokio::task::spawn_blocking(move || world.stop()).await.map_err(|e| e.to_string())?;
    let between = |first: Option<NaiveDateTime>, last: Option<NaiveDateTime>| match (first, last) {
        (Some(f), Some(l)) => (l - f).to_std().unwrap_or_default(),
        _ => Duration::ZERO,
    };
    let first = [span.first, progress.first].into_iter().flatten().min();
    let last = [span.last, progress.last].into_iter().flatten().max();
    Ok(Drained {
        workers,
        messages: span.delivered,
        messages_span: between(span.first, span.last),
        jobs: progress.done,
        jobs_span: between(progress.first, progress.last),
        all_span: between(first, last),
        problems,
    })
}

/// What the portal simulator saw wrong: refusals (an older sequence than one applied, a malformed message),
/// a message applied twice, or fewer status messages applied than the outbox delivered.
async fn portal_problems(http: &reqwest::Client, portal_url: &str, db: Arc<Db>) -> Vec<String> {
    let state: Value = match http.get(format!("{portal_url}/_sim/state")).send().await {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(e) => return vec![format!("portal simulator unreadable: {e}")],
    };
    let mut problems = Vec::new();
    let refusals = state["refusals"].as_array().map_or(0, Vec::len);
    if refusals > 0 {
        problems.push(format!("the portal refused {refusals} messages, first: {}", state["refusals"][0]));
    }
    if state["duplicates"].as_u64().unwrap_or_default() > 0 {
        problems.push(format!("the portal got {} messages twice", state["duplicates"]));
    }
    let applied: usize = state["dossiers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| d["applied_keys"].as_array().map_or(0, Vec::len))
        .sum();
    let sent =
        tokio::task::spawn_blocking(move || db.read(|conn| outbox::stats_by_topic(conn).map(BTreeMap::from_iter)))
            .await;
    match sent {
        Ok(Ok(topics)) => {
            let delivered = topics.get("portal.status_sync").map_or(0, |s: &outbox::OutboxStats| s.delivered);
            if delivered as usize != applied {
                problems.push(format!("{delivered} status messages delivered, {applied} applied by the portal"));
            }
        }
        Ok(Err(e)) => problems.push(e.to_string()),
        Err(e) => problems.push(e.to_string()),
    }
    problems
}

/// The worker processes of one run, each logging to its own file.
struct Workers(Vec<(Child, PathBuf)>);

impl Workers {
    fn start(binary: &Path, env: &[(String, String)], count: usize, dir: &Path) -> Result<Workers, String> {
        let mut children = Workers(Vec::new());
        for n in 0..count {
            let log_path = dir.join(format!("worker-{count}-{n}.log"));
            let log = std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
            let errors = log.try_clone().map_err(|e| e.to_string())?;
            let child = Command::new(binary)
                .arg("worker")
                .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(errors)
                .spawn()
                .map_err(|e| format!("{} worker: {e}", binary.display()))?;
            children.0.push((child, log_path));
        }
        Ok(children)
    }

    /// Why a worker is no longer running, if one is not: its status and the last line of its log.
    fn exited(&mut self) -> Option<String> {
        self.0.iter_mut().find_map(|(child, log)| {
            let status = child.try_wait().ok()??;
            let text = std::fs::read_to_string(log).unwrap_or_default();
            Some(format!("{status}: {}", text.lines().last().unwrap_or_default()))
        })
    }

    fn stop(&mut self) {
        for (child, _) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.stop();
    }
}
