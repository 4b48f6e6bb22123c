//! The job queue. Jobs are rows; workers claim them (`FOR UPDATE SKIP LOCKED` on PostgreSQL) so none runs
//! twice. The deadline sweep (each minute) and garbage collection (each hour) are jobs with one row per period,
//! so one worker does each. Every kind a worker runs is listed in [`kinds`]; a failed job is tried again with
//! growing pauses, then parked dead (`service::background`).

use chrono::{DurationRound, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::service::background::{JobKind, schedule};
use crate::service::declarations::RenderDeclaration;
use crate::service::forms::RenderForm;
use crate::service::readings::{CheckPapers, ReadPaper};
use crate::service::{ServiceError, ServiceResult, Services};
use crate::store::jobs::{self, Job};

/// How long an unattached upload (and a blob nothing refers to) is kept.
pub const GRACE: TimeDelta = TimeDelta::hours(24);
/// How long done jobs stay visible in the administration.
pub const KEEP_DONE: TimeDelta = TimeDelta::days(7);
const LEASE: TimeDelta = TimeDelta::minutes(5);

/// Raises the nearly-due and overdue alerts (rule 8): each minute.
#[derive(Debug, Serialize, Deserialize)]
pub struct SweepDeadlines {}

impl JobKind for SweepDeadlines {
    const NAME: &'static str = "sweep_deadlines";
    // The next minute's sweep does the same work: a sweep that keeps failing is dead soon, and seen.
    const MAX_ATTEMPTS: i32 = 3;

    fn run(self, services: &Services) -> ServiceResult<()> {
        let raised = super::sweeper::sweep(services, 500)?;
        if raised > 0 {
            tracing::info!(raised, "deadline alerts raised");
        }
        Ok(())
    }
}

/// Removes unattached uploads, orphaned blobs and staging files past their grace, and forgets old done jobs:
/// each hour.
#[derive(Debug, Serialize, Deserialize)]
pub struct CollectGarbage {}

impl JobKind for CollectGarbage {
    const NAME: &'static str = "collect_garbage";
    const MAX_ATTEMPTS: i32 = 3;

    fn run(self, services: &Services) -> ServiceResult<()> {
        let collected = services.papers().collect_garbage(GRACE)?;
        let done_jobs = services
            .db
            .write(|conn| jobs::delete_done_before(conn, services.now() - KEEP_DONE).map_err(ServiceError::from))?;
        let forgotten = services.db.write(|conn| {
            crate::store::sign_in::forget_before(conn, services.now() - crate::domain::throttle::FORGET_AFTER)
                .map_err(ServiceError::from)
        })?;
        tracing::info!(
            uploads = collected.uploads,
            blobs = collected.blobs.len(),
            staging = collected.staging_files,
            done_jobs,
            forgotten_sign_in_failures = forgotten,
            "garbage collected"
        );
        Ok(())
    }
}

/// How a worker runs one kind.
pub struct Kind {
    pub name: &'static str,
    pub max_attempts: i32,
    run: fn(&Services, &str) -> Result<(), Failed>,
}

/// Why a job did not run through.
enum Failed {
    /// The payload is not of the kind's type: no attempt can help.
    Unreadable(String),
    Error(ServiceError),
}

fn kind<K: JobKind>() -> Kind {
    fn run_as<K: JobKind>(services: &Services, payload: &str) -> Result<(), Failed> {
        let job: K = serde_json::from_str(payload).map_err(|e| Failed::Unreadable(e.to_string()))?;
        job.run(services).map_err(Failed::Error)
    }
    Kind { name: K::NAME, max_attempts: K::MAX_ATTEMPTS, run: run_as::<K> }
}

/// Every kind of job this version runs.
pub fn kinds() -> [Kind; 6] {
    [
        kind::<RenderForm>(),
        kind::<SweepDeadlines>(),
        kind::<CollectGarbage>(),
        kind::<ReadPaper>(),
        kind::<CheckPapers>(),
        kind::<RenderDeclaration>(),
    ]
}

/// Makes sure the next sweep and collection are scheduled (idempotent across workers: one row per period).
pub fn schedule_periodic(services: &Services) -> ServiceResult<()> {
    let now = services.now();
    let minute = now.duration_trunc(TimeDelta::minutes(1)).expect("minutes truncate") + TimeDelta::minutes(1);
    let hour = now.duration_trunc(TimeDelta::hours(1)).expect("hours truncate") + TimeDelta::hours(1);
    let sweep_key = format!("{}:{}", SweepDeadlines::NAME, minute.format("%Y%m%d%H%M"));
    let collect_key = format!("{}:{}", CollectGarbage::NAME, hour.format("%Y%m%d%H"));
    services.db.write(|conn| {
        schedule(conn, &SweepDeadlines {}, Some(&sweep_key), minute)?;
        schedule(conn, &CollectGarbage {}, Some(&collect_key), hour).map_err(ServiceError::from)
    })?;
    Ok(())
}

/// Claims and runs due jobs; returns how many ran.
pub fn run_due_jobs(services: &Services, worker: &str, limit: i64) -> ServiceResult<usize> {
    schedule_periodic(services)?;
    let kinds = kinds();
    let names: Vec<&str> = kinds.iter().map(|k| k.name).collect();
    let now = services.now();
    let claimed =
        services.db.write(|conn| jobs::claim(conn, worker, now, LEASE, limit, &names).map_err(ServiceError::from))?;
    for job in &claimed {
        let kind = kinds.iter().find(|k| k.name == job.kind).expect("claimed kinds are known");
        let outcome = (kind.run)(services, &job.payload);
        let now = services.now();
        services.db.write(|conn| -> ServiceResult<()> {
            match &outcome {
                Ok(()) => jobs::complete(conn, job.id, now)?,
                Err(failed) => record_failure(conn, job, kind, failed, now)?,
            }
            Ok(())
        })?;
    }
    Ok(claimed.len())
}

fn record_failure(
    conn: &mut crate::store::DbConnection,
    job: &Job,
    kind: &Kind,
    failed: &Failed,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::store::StoreResult<()> {
    let (error, give_up) = match failed {
        Failed::Unreadable(e) => (format!("unreadable payload: {e}"), true),
        Failed::Error(e) => (e.to_string(), false),
    };
    if jobs::fail(conn, job, &error, now, kind.max_attempts, give_up)? {
        tracing::error!(kind = %job.kind, id = job.id, %error, "job parked dead");
    } else {
        tracing::warn!(kind = %job.kind, id = job.id, attempt = job.attempts, %error, "job failed; tried again later");
    }
    Ok(())
}
