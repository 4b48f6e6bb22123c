//! The job queue. Jobs are rows; workers claim them (`FOR UPDATE SKIP LOCKED` on PostgreSQL) so none runs
//! twice. The deadline sweep is a job that schedules its successor, so one worker sweeps each minute.

use chrono::{DurationRound, TimeDelta};

use crate::service::{ServiceError, ServiceResult, Services};
use crate::store::jobs;

pub const SWEEP: &str = "sweep_deadlines";
const LEASE: TimeDelta = TimeDelta::minutes(5);

/// Makes sure the next sweep is scheduled (idempotent across workers: one row per minute).
pub fn schedule_sweep(services: &Services) -> ServiceResult<()> {
    let next = services.now().duration_trunc(TimeDelta::minutes(1)).expect("minutes truncate") + TimeDelta::minutes(1);
    let key = format!("{SWEEP}:{}", next.format("%Y%m%d%H%M"));
    services.db.write(|conn| jobs::enqueue(conn, SWEEP, Some(&key), "{}", next).map_err(ServiceError::from))?;
    Ok(())
}

/// Claims and runs due jobs; returns how many ran.
pub fn run_due_jobs(services: &Services, worker: &str, limit: i64) -> ServiceResult<usize> {
    schedule_sweep(services)?;
    let now = services.now();
    let claimed = services.db.write(|conn| jobs::claim(conn, worker, now, LEASE, limit).map_err(ServiceError::from))?;
    for job in &claimed {
        let outcome = run(services, &job.kind, &job.payload);
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

fn run(services: &Services, kind: &str, _payload: &str) -> ServiceResult<()> {
    match kind {
        SWEEP => {
            let raised = super::sweeper::sweep(services, 500)?;
            if raised > 0 {
                tracing::info!(raised, "deadline alerts raised");
            }
            Ok(())
        }
        other => Err(ServiceError::Conflict("job.unknown_kind", other.to_string())),
    }
}
