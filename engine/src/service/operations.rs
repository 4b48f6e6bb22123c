//! What the operators' probes read: readiness and the figures `/metrics` exposes.

use super::{Operations, ServiceResult};
use crate::store::outbox::{self, OutboxStats};
use crate::store::{dossiers, jobs};

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
    pub fn ready(&self) -> ServiceResult<bool> {
        Ok(self.db.migrations_applied()?)
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
