//! The job queue. Jobs are rows; workers claim them (`FOR UPDATE SKIP LOCKED` on PostgreSQL) so none runs
//! twice. The deadline sweep (each minute) and garbage collection (each hour) are jobs with one row per period, so
//! one worker does each.

use chrono::{DurationRound, TimeDelta};

use crate::service::forms::{RENDER_FORM, RenderForm};
use crate::service::{ServiceError, ServiceResult, Services};
use crate::store::jobs;

pub const SWEEP: &str = "sweep_deadlines";
pub const COLLECT_GARBAGE: &str = "collect_garbage";
/// How long an unattached upload (and a blob nothing refers to) is kept.
pub const GRACE: TimeDelta = TimeDelta::hours(24);
const LEASE: TimeDelta = TimeDelta::minutes(5);

/// Makes sure the next sweep is scheduled (idempotent across workers: one row per minute).
pub fn schedule_sweep(services: &Services) -> ServiceResult<()> {
    let next = services.now().duration_trunc(TimeDelta::minutes(1)).expect("minutes truncate") + TimeDelta::minutes(1);
    let key = format!("{SWEEP}:{}", next.format("%Y%m%d%H%M"));
    let hour = services.now().duration_trunc(TimeDelta::hours(1)).expect("hours truncate") + TimeDelta::hours(1);
    let gc_key = format!("{COLLECT_GARBAGE}:{}", hour.format("%Y%m%d%H"));
    services.db.write(|conn| {
        jobs::enqueue(conn, SWEEP, Some(&key), "{}", next)?;
        jobs::enqueue(conn, COLLECT_GARBAGE, Some(&gc_key), "{}", hour).map_err(ServiceError::from)
    })?;
    Ok(())
}

/// Claims and runs due jobs; returns how many ran.
pub fn run_due_jobs(services: &Services, worker: &str, limit: i64) -> ServiceResult<usize> {
    schedule_sweep(services)?;
    let now = services.now();
    let claimed = services.db.write(|conn| jobs::claim(conn, worker, now, LEASE, limit).map_err(ServiceError::from))?;
    for job in &claimed {
        let outcome = run(services, &job.kind, &job.payload);
        if let Err(e) = &outcome {
            tracing::warn!(kind = %job.kind, error = %e, "job failed; retried in a minute");
        }
        let now = services.now();
        services.db.write(|conn| -> ServiceResult<()> {
            match &outcome {
                Ok(()) => jobs::complete(conn, job.id, now)?,
                Err(e) => jobs::fail(conn, job.id, &e.to_string(), now + TimeDelta::minutes(1))?,
            }
            Ok(())
        })?;
    }
    Ok(claimed.len())
}

fn run(services: &Services, kind: &str, payload: &str) -> ServiceResult<()> {
    match kind {
        RENDER_FORM => {
            let job: RenderForm = serde_json::from_str(payload)
                .map_err(|e| ServiceError::Conflict("job.bad_payload", format!("{kind}: {e}")))?;
            services.ensure_form(&job.dossier_id, job.form, job.seq).map(drop)
        }
        SWEEP => {
            let raised = super::sweeper::sweep(services, 500)?;
            if raised > 0 {
                tracing::info!(raised, "deadline alerts raised");
            }
            Ok(())
        }
        COLLECT_GARBAGE => {
            let collected = services.collect_garbage(GRACE)?;
            tracing::info!(
                uploads = collected.uploads,
                blobs = collected.blobs.len(),
                staging = collected.staging_files,
                "garbage collected"
            );
            Ok(())
        }
        other => Err(ServiceError::Conflict("job.unknown_kind", other.to_string())),
    }
}
