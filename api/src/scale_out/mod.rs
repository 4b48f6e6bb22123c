//! The scale-out profile (`motcua bench scale-out`, and its short version in the test suite): motcua as a
//! province runs it on several machines, here on loopback with the real engines. Two `motcua serve` behind
//! HAProxy, two `motcua worker`, PgBouncer in front of a PostgreSQL primary, and a streaming replica that the
//! reports read (`DATABASE_READ_URL`). Clients drive dossiers through the whole flow via the load balancer
//! while one `serve` after the other is killed (SIGKILL) and started again. Then the drill's checks
//! (`chaos::checks`) must hold, and more: no portal message sent twice, the replica caught up with the same
//! dossiers as the primary, and the leaders' dashboard read from the replica.

pub mod infra;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use motcua_engine::store::{self, Db, replication};

use crate::chaos::processes::{Process, Role};
use crate::chaos::{Report, SERVE_KILLED, checks, client};
use crate::flow;
use crate::sim::demo::DemoWorld;
use infra::{Postgres, Programs};

/// The database's name on the primary, the replica and PgBouncer.
const DATABASE: &str = "motcua";
/// Connections of each process's pool: 2 serve and 2 workers stay far below PgBouncer's and PostgreSQL's caps.
const POOL_SIZE: &str = "8";

pub struct Settings {
    /// The `motcua` binary, run as `serve` and as `worker`.
    pub binary: PathBuf,
    pub programs: Programs,
    /// A folder of the run's own: configurations, data and every process's log (the databases beside it).
    pub scratch: PathBuf,
    /// How long the clients drive dossiers.
    pub load: Duration,
    pub clients: usize,
    /// Kills of a `serve` during the load, the two in turn.
    pub kills: usize,
    pub drain_timeout: Duration,
    /// More variables for `serve` and `worker` (e.g. `MOTCUA_PROCEDURES`).
    pub env: Vec<(String, String)>,
}

/// The databases and proxies of a run, stopped when dropped (last made, first stopped).
struct Engines {
    balancer: infra::Daemon,
    bouncer: infra::Daemon,
    replica: Postgres,
    primary: Postgres,
}

/// The databases' folder: beside the scratch folder rather than in it, since the database user must reach it
/// and a scratch folder may be private (the tests' is). Removed after a run that passed.
fn database_folder(scratch: &std::path::Path) -> PathBuf {
    let name = scratch.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "motcua".into());
    std::env::temp_dir().join(format!("{name}-pg"))
}

fn start_engines(settings: &Settings, serve_ports: &[u16]) -> Result<Engines, String> {
    let folder = database_folder(&settings.scratch);
    let primary = Postgres::primary(&settings.programs, &folder)?;
    store::create_database(&primary.url("postgres"), DATABASE).map_err(|e| format!("database: {e}"))?;
    let replica = Postgres::replica_of(&primary, &settings.programs, &folder)?;
    let bouncer = infra::pgbouncer(&settings.programs, &primary, DATABASE, &folder)?;
    let balancer = infra::haproxy(&settings.programs, serve_ports, &settings.scratch)?;
    Ok(Engines { balancer, bouncer, replica, primary })
}

pub async fn run_scale_out(settings: Settings) -> Result<Report, String> {
    let started = Instant::now();
    let mut report = Report::new("PostgreSQL via PgBouncer, a streaming replica, 2 serve behind HAProxy", 0);
    report.drill = "scale-out profile";
    let data_dir = settings.scratch.join("data");
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let serve_ports = [infra::free_port()?, infra::free_port()?];
    let engines = {
        let settings = Settings { env: settings.env.clone(), programs: settings.programs.clone(), ..settings };
        tokio::task::spawn_blocking(move || start_engines(&settings, &serve_ports).map(|e| (e, settings)))
            .await
            .map_err(|e| e.to_string())??
    };
    let (engines, settings) = engines;
    let base = format!("http://127.0.0.1:{}", engines.balancer.port);
    let mut world = DemoWorld::start(&base).map_err(|e| format!("simulators: {e}"))?;
    world.start_portal(&base, "portal-scale-out", "unused").map_err(|e| format!("portal simulator: {e}"))?;
    let portal_url = world.outside.portal.as_ref().map(|p| p.url.clone()).expect("the demo world has a portal");
    let primary_url = format!("postgres://postgres@127.0.0.1:{}/{DATABASE}", engines.bouncer.port);
    let replica_url = engines.replica.url(DATABASE);
    let mut env = world.outside.to_env();
    env.extend([
        ("DATABASE_URL".to_string(), primary_url.clone()),
        ("DATABASE_READ_URL".to_string(), replica_url.clone()),
        ("MOTCUA_POOL_SIZE".to_string(), POOL_SIZE.to_string()),
        ("MOTCUA_DATA_DIR".to_string(), data_dir.display().to_string()),
        ("MOTCUA_PUBLIC_URL".to_string(), base.clone()),
        ("MOTCUA_TRUST_FORWARDED".to_string(), "1".to_string()),
        ("MOTCUA_BLOBS".to_string(), String::new()),
        ("MOTCUA_PKI_DIR".to_string(), String::new()),
    ]);
    if std::env::var_os("RUST_LOG").is_none() {
        env.push(("RUST_LOG".to_string(), "warn".to_string()));
    }
    env.extend(settings.env.iter().cloned());
    let mut serves: Vec<Process> = serve_ports
        .iter()
        .enumerate()
        .map(|(n, port)| {
            let role = Role::Serve { base: format!("http://127.0.0.1:{port}"), address: format!("127.0.0.1:{port}") };
            Process::new(role, &settings.binary, &env, &settings.scratch).logging_to(&format!("serve-{}", n + 1))
        })
        .collect();
    let mut workers: Vec<Process> = (1..=2)
        .map(|n| {
            Process::new(Role::Worker, &settings.binary, &env, &settings.scratch).logging_to(&format!("worker-{n}"))
        })
        .collect();
    let outcome = async {
        // One at a time: the first start loads the demo and makes the signing keys both share.
        for serve in &mut serves {
            serve.start(Duration::from_secs(180)).await?;
        }
        for worker in &mut workers {
            worker.start(Duration::from_secs(30)).await?;
        }
        let http = client::http()?;
        let team = flow::sign_in_team(&http, &base).await?;
        let load_started = tokio::time::Instant::now();
        let load = client::drive(&http, &base, team.clone(), settings.clients, load_started + settings.load);
        let kills = kill_in_turn(&mut serves, settings.kills, settings.load, load_started);
        let (load, killed) = tokio::join!(load, kills);
        let killed = killed?;
        if killed > 0 {
            report.faults.insert(SERVE_KILLED, killed);
        }
        for process in serves.iter_mut().chain(workers.iter_mut()) {
            if let Some(why) = process.exited_on_its_own() {
                report.notes.push(format!("{} had exited on its own ({why}); started again", process.name()));
            }
            process.ensure_running(Duration::from_secs(60)).await?;
        }
        let context = checks::Context {
            http: http.clone(),
            base: base.clone(),
            team: team.clone(),
            portal_url: portal_url.clone(),
            binary: settings.binary.clone(),
            env: env.clone(),
        };
        report.violations.extend(checks::drain(&context, settings.drain_timeout).await.err());
        checks::verify(&context, &load, &mut report).await;
        report.record_load(load);
        report.notes.push(format!(
            "{:.0} acknowledged actions a second through the load balancer, kills included",
            report.acknowledged as f64 / settings.load.as_secs_f64()
        ));
        // Only `serve` was killed, and a worker marks a message delivered in the transaction after the portal
        // took it: nothing may have been sent twice.
        if report.duplicates > 0 {
            report.violations.push(format!("{} portal messages sent twice", report.duplicates));
        }
        let cookie = format!("{}={}", motcua_ui::ACCESS_COOKIE, team["admin"].token);
        let dashboard = http.get(format!("{base}/can-bo/thong-ke")).header("Cookie", cookie).send().await;
        match dashboard {
            Ok(answer) if answer.status().is_success() => {}
            Ok(answer) => report.violations.push(format!("the dashboard answered {}", answer.status())),
            Err(e) => report.violations.push(format!("the dashboard did not answer: {e}")),
        }
        let (primary, replica) = (engines.primary.url(DATABASE), replica_url.clone());
        let replicated =
            tokio::task::spawn_blocking(move || check_replica(&primary, &replica)).await.map_err(|e| e.to_string())?;
        match replicated {
            Ok(note) => report.notes.push(note),
            Err(violation) => report.violations.push(violation),
        }
        Ok::<(), String>(())
    }
    .await;
    for process in serves.iter_mut().chain(workers.iter_mut()) {
        process.stop();
    }
    let _ = tokio::task::spawn_blocking(move || {
        world.stop();
        drop(engines);
    })
    .await;
    outcome?;
    if report.passed() {
        let _ = std::fs::remove_dir_all(database_folder(&settings.scratch));
    } else {
        report.notes.push(format!("databases kept in {}", database_folder(&settings.scratch).display()));
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Kills the `serve` processes in turn at even moments of the load, each started again after a second.
async fn kill_in_turn(
    serves: &mut [Process],
    kills: usize,
    load: Duration,
    started: tokio::time::Instant,
) -> Result<usize, String> {
    let mut killed = 0;
    for n in 0..kills {
        tokio::time::sleep_until(started + load.mul_f64((n + 1) as f64 / (kills + 1) as f64)).await;
        let serve = &mut serves[n % serves.len()];
        if serve.kill() {
            killed += 1;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        serve.start(Duration::from_secs(60)).await?;
    }
    Ok(killed)
}

/// The replica caught up with the primary and holds the same dossiers, and the dashboard's read landed there.
fn check_replica(primary_url: &str, replica_url: &str) -> Result<String, String> {
    let primary = Db::connect(primary_url, 1).map_err(|e| format!("primary: {e}"))?;
    let replica = Db::connect(replica_url, 1).map_err(|e| format!("replica: {e}"))?;
    let position = primary.read(replication::primary_position).map_err(|e| e.to_string())?;
    let until = Instant::now() + Duration::from_secs(30);
    let lag = loop {
        let lag = replica.read(|conn| replication::replay_lag(conn, &position)).map_err(|e| e.to_string())?;
        if lag == 0 || Instant::now() >= until {
            break lag;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if lag > 0 {
        return Err(format!("the replica is still {lag} bytes behind the primary after 30 s"));
    }
    let on_primary = primary.read(replication::dossiers).map_err(|e| e.to_string())?;
    let on_replica = replica.read(replication::dossiers).map_err(|e| e.to_string())?;
    if on_primary != on_replica {
        return Err(format!("{on_primary} dossiers on the primary, {on_replica} on the replica"));
    }
    let statements = replica.read(replication::last_statements).map_err(|e| e.to_string())?;
    if !statements.iter().any(|s| s.contains("received_at")) {
        return Err("the dashboard's read did not reach the replica".to_string());
    }
    Ok(format!("replica caught up: {on_replica} dossiers as on the primary; the dashboard read them there"))
}
