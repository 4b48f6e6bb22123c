//! The fault drill's short version (`motcua bench chaos` is the long one), on both databases: the real binary
//! as `serve` and `worker`, each killed twice with SIGKILL under load and restarted, the portal down and losing
//! answers, the blob store read-only, the database locked (and on PostgreSQL its sessions cut); then every
//! acknowledged action must be in its history, codes gap-free, chains and blobs intact, and every outbox
//! message applied by the portal exactly once, in order. `MOTCUA_CHAOS_SEED` repeats a run's fault schedule.

use std::time::Duration;

use motcua_api::chaos::{self, Settings, run_chaos};

use crate::support::{Backend, fresh_database, repo_path};

/// One drill at a time (the scale-out profile included): each already loads the machine with several processes
/// and their clients.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn faults_leave_every_acknowledged_action_and_message_whole(backend: Backend) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let seed = std::env::var("MOTCUA_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| chrono::Utc::now().timestamp_subsec_nanos() as u64);
    let scratch = std::env::temp_dir()
        .join("motcua-tests")
        .join(format!("chaos-{backend:?}-{}-{seed}", std::process::id()).to_lowercase());
    let settings = Settings {
        binary: env!("CARGO_BIN_EXE_motcua").into(),
        database_url: fresh_database(backend),
        scratch: scratch.clone(),
        load: Duration::from_secs(20),
        kills: 2,
        clients: 4,
        drain_timeout: Duration::from_secs(60),
        seed,
        env: vec![("MOTCUA_PROCEDURES".into(), repo_path("procedures").display().to_string())],
    };
    let report =
        run_chaos(settings).await.unwrap_or_else(|e| panic!("the drill could not run: {e} ({})", scratch.display()));
    println!("{report}");
    assert!(report.passed(), "{report}\nlogs and data: {}", scratch.display());
    for (kind, injected) in [
        (chaos::SERVE_KILLED, 2),
        (chaos::WORKER_KILLED, 2),
        (chaos::PORTAL_DOWN, 1),
        (chaos::PORTAL_ANSWERS_LOST, 1),
        (chaos::DATABASE_LOCKED, 1),
    ] {
        assert_eq!(report.faults.get(kind), Some(&injected), "{kind}\n{report}");
    }
    if backend == Backend::Postgres {
        assert_eq!(report.faults.get(chaos::SESSIONS_CUT), Some(&1), "{report}");
    }
    assert!(report.acknowledged >= 50 && report.dossiers >= 5, "too little load to prove anything\n{report}");
    assert!(report.portal_messages >= report.dossiers, "{report}");
    let _ = std::fs::remove_dir_all(&scratch);
}
on_both_backends!(faults_leave_every_acknowledged_action_and_message_whole);
