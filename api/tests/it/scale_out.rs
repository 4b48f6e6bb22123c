//! Scaling out, in short versions of `motcua bench scale-out` and `motcua bench outbox`:
//! - the scale-out profile on the real engines (PostgreSQL primary and streaming replica, PgBouncer, HAProxy,
//!   two `serve` and two `worker`), a `serve` killed twice under load: every check of the drill holds, nothing
//!   was sent to the portal twice, the replica holds what the primary holds and the dashboard read it there;
//! - two `worker` processes draining one outbox and job queue, on both databases: every message delivered once
//!   and in order (the benchmark exits 1 otherwise). Their speed is the benchmark's to report, not a test's.

use std::process::Command;
use std::time::Duration;

use motcua_api::chaos::SERVE_KILLED;
use motcua_api::scale_out::{Settings, infra::Programs, run_scale_out};

use crate::support::{Backend, postgres_available, repo_path};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_serve_killed_behind_the_load_balancer_loses_nothing_and_reports_read_the_replica() {
    if !postgres_available() {
        return;
    }
    let _turn = crate::chaos::ONE_AT_A_TIME.lock().await;
    let programs = Programs::find().expect("scripts/test-all installs postgresql, pgbouncer and haproxy");
    let scratch = std::env::temp_dir().join("motcua-tests").join(format!("scale-out-{}", std::process::id()));
    let settings = Settings {
        binary: env!("CARGO_BIN_EXE_motcua").into(),
        programs,
        scratch: scratch.clone(),
        load: Duration::from_secs(20),
        clients: 6,
        kills: 2,
        drain_timeout: Duration::from_secs(90),
        env: vec![("MOTCUA_PROCEDURES".into(), repo_path("procedures").display().to_string())],
    };
    let report = run_scale_out(settings)
        .await
        .unwrap_or_else(|e| panic!("the profile could not run: {e} ({})", scratch.display()));
    println!("{report}");
    assert!(report.passed(), "{report}\nlogs and data: {}", scratch.display());
    assert_eq!(report.faults.get(SERVE_KILLED), Some(&2), "{report}");
    assert_eq!(report.duplicates, 0, "{report}");
    assert!(report.acknowledged >= 50 && report.dossiers >= 5, "too little load to prove anything\n{report}");
    assert!(report.notes.iter().any(|n| n.starts_with("replica caught up")), "{report}");
    let _ = std::fs::remove_dir_all(&scratch);
}

async fn two_workers_deliver_every_message_once_in_order(backend: Backend) {
    let _turn = crate::chaos::ONE_AT_A_TIME.lock().await;
    let mut command = Command::new(env!("CARGO_BIN_EXE_motcua"));
    command.args(["bench", "outbox", "--dossiers", "12", "--latency-ms", "5", "--timeout-secs", "120"]);
    if backend == Backend::Postgres {
        let url = std::env::var("MOTCUA_TEST_PG_URL").expect("checked by the macro");
        command.args(["--database-url", &url]);
    }
    let out = tokio::task::spawn_blocking(move || {
        command.env("MOTCUA_PROCEDURES", repo_path("procedures")).output().expect("motcua runs")
    })
    .await
    .expect("the benchmark's thread");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let runs: Vec<&str> = stdout.lines().filter(|l| l.starts_with("1 ") || l.starts_with("2 ")).collect();
    assert_eq!(runs.len(), 2, "{stdout}");
    for run in runs {
        assert!(run.ends_with("every message delivered once, in order"), "{stdout}");
        let messages: u64 = run.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or_default();
        assert!(messages >= 12 * 4, "each dossier sends its statuses to the portal\n{stdout}");
    }
}
on_both_backends!(two_workers_deliver_every_message_once_in_order);
