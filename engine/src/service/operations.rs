//! What the operators' probes read: readiness and the figures `/metrics` exposes.

use super::{Operations, ServiceResult};
use crate::store::outbox::{self, OutboxStats};
use crate::store::{dossiers, jobs};

/// Whether this process should be sent requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    MigrationsPending,
    /// The blob store's staging area cannot take a file (full, read-only).
    BlobsUnwritable(String),
}

/// The store's figures for the metrics exposition.
#[derive(Debug, Clone)]
pub struct StoreFigures {
    pub outbox: Vec<(String, OutboxStats)>,
    /// Dossiers per status code.
    pub by_status: Vec<(i32, i64)>,
    /// Background jobs waiting to run.
    pub jobs_pending: i64,
    /// Background jobs parked dead.
    pub jobs_dead: i64,
}

impl Operations<'_> {
    /// The database answers and every migration is applied.
    pub fn ready(&self) -> ServiceResult<Readiness> {
        if !self.db.migrations_applied()? {
            return Ok(Readiness::MigrationsPending);
        }
        // Uploads are staged before anything else: a staging area that cannot take a file means no paper can
        // be received, so the load balancer should send requests elsewhere.
        let probe = self.blobs.staging_dir().join(format!(".ready-{}", uuid::Uuid::now_v7()));
        match std::fs::write(&probe, b"ready").and_then(|()| std::fs::remove_file(&probe)) {
            Ok(()) => Ok(Readiness::Ready),
            Err(e) => Ok(Readiness::BlobsUnwritable(e.to_string())),
        }
    }

    pub fn store_figures(&self) -> ServiceResult<StoreFigures> {
        self.db.read(|conn| -> ServiceResult<StoreFigures> {
            let (jobs_pending, jobs_dead) = jobs::waiting_and_dead(conn)?;
            Ok(StoreFigures {
                outbox: outbox::stats_by_topic(conn)?,
                by_status: dossiers::count_by_status(conn)?,
                jobs_pending,
                jobs_dead,
            })
        })
    }
}
