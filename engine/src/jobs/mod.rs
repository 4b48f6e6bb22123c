//! Background work (DESIGN.md §8): the outbox dispatcher, the deadline sweeper, and the job queue that
//! schedules them. `motcua worker` runs this loop; on SQLite the server runs it in-process.

pub mod dispatcher;
pub mod queue;
pub mod sweeper;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use dispatcher::Router;

use crate::service::Services;

/// Runs until `stop` is set: claims due jobs, dispatches the outbox, and sleeps briefly when idle.
pub fn run_worker(services: Arc<Services>, router: Router, worker_id: String, stop: Arc<AtomicBool>) {
    tracing::info!(worker = %worker_id, "worker started");
    while !stop.load(Ordering::Relaxed) {
        let mut busy = false;
        // A calendar changed through another process: taken up within `REFRESH_EVERY`.
        if let Err(e) = services.refresh_calendar(false) {
            tracing::error!(error = %e, "calendar refresh");
        }
        match queue::run_due_jobs(&services, &worker_id, 10) {
            Ok(n) => busy |= n > 0,
            Err(e) => tracing::error!(error = %e, "job queue"),
        }
        match dispatcher::dispatch(&services, &router, 50) {
            Ok(report) => busy |= report.claimed > 0,
            Err(e) => tracing::error!(error = %e, "outbox dispatcher"),
        }
        if !busy {
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    tracing::info!(worker = %worker_id, "worker stopped");
}
