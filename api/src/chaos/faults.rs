//! The faults of the drill and when they strike, at random moments of the load (from a seeded generator): kills
//! of `serve` and `worker`, each followed by a restart after a short pause; the portal down for a while, then
//! losing answers (handled, but the answer never arrives, so motcua sends again); the blob store read-only for
//! a while; the database locked for a while; on PostgreSQL, every session of the database cut, as a restart of
//! the server would.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use motcua_engine::store::{Db, StoreError, drills};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;
use tokio::time::Instant;

use super::processes::Process;

pub const SERVE_KILLED: &str = "serve killed (SIGKILL) and restarted";
pub const WORKER_KILLED: &str = "worker killed (SIGKILL) and restarted";
pub const PORTAL_DOWN: &str = "portal down";
pub const PORTAL_ANSWERS_LOST: &str = "portal answers lost";
pub const BLOBS_READ_ONLY: &str = "blob store read-only";
pub const DATABASE_LOCKED: &str = "database locked";
pub const SESSIONS_CUT: &str = "database sessions cut (as a restart)";

/// When each fault strikes, as offsets from the start of the load, and for how long.
#[derive(Debug, Clone)]
pub struct Plan {
    /// (when, pause before the restart)
    serve_kills: Vec<(Duration, Duration)>,
    worker_kills: Vec<(Duration, Duration)>,
    portal_down: (Duration, Duration),
    /// (when, how many answers)
    answers_lost: (Duration, u32),
    blobs_read_only: (Duration, Duration),
    database_locked: (Duration, Duration),
    sessions_cut: Option<Duration>,
}

/// Between `from` and `to` of the load (fractions of it).
fn moment(rng: &mut StdRng, load: Duration, from: f64, to: f64) -> Duration {
    load.mul_f64(rng.gen_range(from..to.max(from + f64::EPSILON)))
}

/// A fraction of the load, within bounds.
fn share(load: Duration, fraction: f64, min: Duration, max: Duration) -> Duration {
    load.mul_f64(fraction).clamp(min, max)
}

pub fn plan(rng: &mut StdRng, load: Duration, kills: usize, postgres: bool) -> Plan {
    let kill_times = |rng: &mut StdRng| {
        let mut times: Vec<(Duration, Duration)> = (0..kills)
            .map(|_| (moment(rng, load, 0.05, 0.85), Duration::from_millis(rng.gen_range(300..2000))))
            .collect();
        times.sort();
        times
    };
    let serve_kills = kill_times(rng);
    let worker_kills = kill_times(rng);
    let down = (moment(rng, load, 0.1, 0.35), share(load, 1.0 / 6.0, Duration::from_secs(2), Duration::from_secs(10)));
    // A new fault plan replaces the simulator's current one: answers are lost only once the portal is back.
    let back = (down.0 + down.1 + Duration::from_millis(500)).as_secs_f64() / load.as_secs_f64().max(1.0);
    let answers_lost = (moment(rng, load, back.max(0.5), 0.9), rng.gen_range(3..8));
    let blobs_read_only =
        (moment(rng, load, 0.2, 0.7), share(load, 1.0 / 8.0, Duration::from_secs(2), Duration::from_secs(8)));
    // Up to 12 s: longer than SQLite's busy timeout (10 s), so that some writes give up.
    let database_locked =
        (moment(rng, load, 0.2, 0.8), share(load, 1.0 / 5.0, Duration::from_secs(2), Duration::from_secs(12)));
    // Cutting every session would end the lock's own: one fault at a time on the database.
    let sessions_cut = postgres.then(|| match moment(rng, load, 0.2, 0.9) {
        at if at >= database_locked.0 && at <= database_locked.0 + database_locked.1 => {
            database_locked.0 + database_locked.1 + Duration::from_secs(1)
        }
        at => at,
    });
    Plan { serve_kills, worker_kills, portal_down: down, answers_lost, blobs_read_only, database_locked, sessions_cut }
}

/// Where the faults strike.
pub struct Targets {
    pub portal_url: String,
    pub blob_root: PathBuf,
    pub database_url: String,
    pub http: reqwest::Client,
}

/// What was injected, by kind, and what could not be (with why).
#[derive(Debug, Default)]
pub struct Injected {
    pub counts: BTreeMap<&'static str, usize>,
    pub notes: Vec<String>,
}

impl Injected {
    fn one(kind: &'static str, outcome: Result<(), String>) -> Injected {
        let mut injected = Injected::default();
        injected.add(kind, outcome);
        injected
    }

    fn add(&mut self, kind: &'static str, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => *self.counts.entry(kind).or_default() += 1,
            Err(why) => self.notes.push(format!("{kind}: {why}")),
        }
    }

    fn merge(&mut self, other: Injected) {
        for (kind, count) in other.counts {
            *self.counts.entry(kind).or_default() += count;
        }
        self.notes.extend(other.notes);
    }
}

/// Injects every fault of `plan`, each at its moment from now; returns once the last is over and both
/// processes run again.
pub async fn inject(plan: Plan, targets: Targets, serve: &mut Process, worker: &mut Process) -> Injected {
    let start = Instant::now();
    let (serve_kills, worker_kills, portal, blobs, locked, cut) = tokio::join!(
        kills(serve, SERVE_KILLED, &plan.serve_kills, start),
        kills(worker, WORKER_KILLED, &plan.worker_kills, start),
        portal_faults(&targets, plan.portal_down, plan.answers_lost, start),
        blobs_read_only(&targets.blob_root, plan.blobs_read_only, start),
        database_locked(&targets.database_url, plan.database_locked, start),
        sessions_cut(&targets.database_url, plan.sessions_cut, start),
    );
    let mut injected = Injected::default();
    for part in [serve_kills, worker_kills, portal, blobs, locked, cut] {
        injected.merge(part);
    }
    injected
}

async fn kills(process: &mut Process, kind: &'static str, at: &[(Duration, Duration)], start: Instant) -> Injected {
    let mut injected = Injected::default();
    for (when, pause) in at {
        tokio::time::sleep_until(start + *when).await;
        // As a supervisor would: a process that exited by itself (say, it could not start while the database was
        // locked) is started again, and the kill strikes that one.
        if let Some(why) = process.exited_on_its_own() {
            injected.notes.push(format!("{} had exited on its own ({why}); started again", process.name()));
            if let Err(e) = process.start(Duration::from_secs(60)).await {
                injected.notes.push(e);
            }
        }
        let outcome = if process.kill() { Ok(()) } else { Err(format!("{} was not running", process.name())) };
        tokio::time::sleep(*pause).await;
        // A restart that fails is a finding, not a reason to stop the drill: the next kill or the end starts it.
        let restarted = process.start(Duration::from_secs(60)).await;
        injected.add(kind, outcome.and(restarted));
    }
    injected
}

async fn set_portal_fault(targets: &Targets, plan: serde_json::Value) -> Result<(), String> {
    let answer = targets.http.post(format!("{}/_sim/faults", targets.portal_url)).json(&plan).send().await;
    match answer {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("the portal simulator answered {}", r.status())),
        Err(e) => Err(e.to_string()),
    }
}

async fn portal_faults(
    targets: &Targets,
    (down_at, down_for): (Duration, Duration),
    (lost_at, lost): (Duration, u32),
    start: Instant,
) -> Injected {
    tokio::time::sleep_until(start + down_at).await;
    let down = json!({"mode": "down", "seconds": down_for.as_secs().max(1)});
    let mut injected = Injected::one(PORTAL_DOWN, set_portal_fault(targets, down).await);
    tokio::time::sleep_until(start + lost_at).await;
    injected.add(PORTAL_ANSWERS_LOST, set_portal_fault(targets, json!({"mode": "answer_twice", "count": lost})).await);
    injected
}

async fn blobs_read_only(root: &Path, (at, lasting): (Duration, Duration), start: Instant) -> Injected {
    tokio::time::sleep_until(start + at).await;
    let root = root.to_path_buf();
    let outcome = tokio::task::spawn_blocking(move || {
        let read_only = ReadOnly::make(&root)?;
        std::thread::sleep(lasting);
        drop(read_only);
        Ok(())
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    Injected::one(BLOBS_READ_ONLY, outcome)
}

async fn database_locked(url: &str, (at, lasting): (Duration, Duration), start: Instant) -> Injected {
    tokio::time::sleep_until(start + at).await;
    let url = url.to_string();
    let outcome = tokio::task::spawn_blocking(move || {
        let db = Db::connect(&url, 1).map_err(|e| e.to_string())?;
        db.write(|conn| {
            drills::lock_writes(conn)?;
            std::thread::sleep(lasting);
            Ok::<_, StoreError>(())
        })
        .map_err(|e| e.to_string())
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    Injected::one(DATABASE_LOCKED, outcome)
}

async fn sessions_cut(url: &str, at: Option<Duration>, start: Instant) -> Injected {
    let Some(at) = at else {
        return Injected::default();
    };
    tokio::time::sleep_until(start + at).await;
    let url = url.to_string();
    let outcome = tokio::task::spawn_blocking(move || {
        let db = Db::connect(&url, 1).map_err(|e| e.to_string())?;
        // `serve` and `worker` may both be down at that moment (killed, not yet started again): the cut waits
        // for their sessions, as a restart would strike whatever runs.
        let until = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            match db.read(drills::end_other_sessions) {
                Ok(0) if std::time::Instant::now() < until => std::thread::sleep(Duration::from_millis(200)),
                Ok(0) => return Err("no session to cut".to_string()),
                Ok(_) => return Ok(()),
                Err(e) => return Err(e.to_string()),
            }
        }
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    Injected::one(SESSIONS_CUT, outcome)
}

/// Every folder of a filesystem blob store made read-only until dropped: nothing new can be staged or stored,
/// what is stored stays readable. Permissions do not bind root, so as root the folders are also made immutable
/// (`chattr +i`); where neither holds, the fault is not injected.
struct ReadOnly {
    /// Each folder with the mode it had.
    folders: Vec<(PathBuf, u32)>,
    immutable: bool,
}

impl ReadOnly {
    fn make(root: &Path) -> Result<ReadOnly, String> {
        use std::os::unix::fs::PermissionsExt;
        let mut folders = Vec::new();
        collect_folders(root, &mut folders).map_err(|e| format!("{}: {e}", root.display()))?;
        let mut read_only = ReadOnly { folders: Vec::new(), immutable: false };
        for folder in folders {
            let mode = std::fs::metadata(&folder).map_err(|e| e.to_string())?.permissions().mode();
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(mode & !0o222))
                .map_err(|e| format!("{}: {e}", folder.display()))?;
            read_only.folders.push((folder, mode));
        }
        if writable(root) {
            read_only.immutable = true;
            chattr("+i", &read_only.folders)?;
        }
        if writable(root) {
            return Err("the blob store stays writable (neither permissions nor chattr +i hold here)".into());
        }
        Ok(read_only)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.immutable {
            let _ = chattr("-i", &self.folders);
        }
        for (folder, mode) in &self.folders {
            let _ = std::fs::set_permissions(folder, std::fs::Permissions::from_mode(*mode));
        }
    }
}

fn collect_folders(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    out.push(dir.to_path_buf());
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            collect_folders(&entry.path(), out)?;
        }
    }
    Ok(())
}

/// Whether a file can be made in the store's staging folder (or its root).
fn writable(root: &Path) -> bool {
    let probe = root.join("tmp").join(format!(".chaos-probe-{}", std::process::id()));
    let made = std::fs::write(&probe, b"probe").is_ok();
    let _ = std::fs::remove_file(&probe);
    made
}

fn chattr(flag: &str, folders: &[(PathBuf, u32)]) -> Result<(), String> {
    for chunk in folders.chunks(500) {
        let status = std::process::Command::new("chattr")
            .arg(flag)
            .args(chunk.iter().map(|(folder, _)| folder))
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("chattr: {e}"))?;
        if !status.success() {
            return Err(format!("chattr {flag} failed ({status})"));
        }
    }
    Ok(())
}
