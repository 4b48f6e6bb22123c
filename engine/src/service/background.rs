//! Work the use cases leave for a worker. A kind of job is a type: its name in the queue, its payload (the
//! type itself, as JSON), how many attempts it gets, and what running it does. A job that fails is tried again
//! with growing pauses; after its last attempt, or at once when its payload cannot be read, it is parked dead,
//! visible in the administration and the metrics until an administrator puts it back in line.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Administration, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::store::jobs::{self, Filter, JobEntry, JobStats};
use crate::store::{DbConnection, StoreResult, audit};

pub trait JobKind: Serialize + DeserializeOwned {
    /// The kind's name in the queue: lowercase letters and `_`.
    const NAME: &'static str;
    /// Attempts before the job is parked dead.
    const MAX_ATTEMPTS: i32 = 5;
    fn run(self, services: &Services) -> ServiceResult<()>;
}

/// Queues `job` to run from `at`; with a `unique_key`, once (queuing the same key again does nothing).
pub(crate) fn schedule<K: JobKind>(
    conn: &mut DbConnection,
    job: &K,
    unique_key: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let payload = serde_json::to_string(job).expect("job payloads serialise");
    jobs::enqueue(conn, K::NAME, unique_key, &payload, at)
}

const MAX_PAGE: i64 = 200;

/// Jobs (newest first) and the counts of each kind.
pub type JobsPage = (Vec<JobEntry>, Vec<(String, JobStats)>);

/// What to put back in line.
#[derive(Debug, Clone)]
pub enum JobRedrive {
    One(i64),
    AllDead { kind: Option<String> },
}

impl Administration<'_> {
    /// Jobs matching `filter`, newest first, with the counts per kind (administrators).
    pub fn background_jobs(&self, caller: &StaffIdentity, mut filter: Filter) -> ServiceResult<JobsPage> {
        self.admin_only(caller, "jobs")?;
        filter.limit = if filter.limit <= 0 { 50 } else { filter.limit.min(MAX_PAGE) };
        self.db.read(|conn| Ok((jobs::list(conn, &filter)?, jobs::stats_by_kind(conn)?)))
    }

    /// Puts dead jobs back in line, with their attempts anew: one by id, or every dead job (of a kind).
    pub fn redrive_jobs(&self, caller: &StaffIdentity, target: JobRedrive) -> ServiceResult<usize> {
        self.admin_only(caller, "jobs redrive")?;
        let now = self.now();
        self.db.write(|conn| {
            let ids = match &target {
                JobRedrive::One(id) => vec![*id],
                JobRedrive::AllDead { kind } => {
                    let filter = Filter {
                        state: Some(jobs::State::Dead),
                        kind: kind.clone(),
                        limit: i64::MAX,
                        ..Filter::default()
                    };
                    jobs::list(conn, &filter)?.into_iter().map(|j| j.id).collect()
                }
            };
            let mut redriven = 0;
            for id in &ids {
                if jobs::redrive(conn, *id, now)? {
                    redriven += 1;
                    audit::record(conn, now, &format!("staff:{}", caller.id), "job_redrive", &id.to_string(), "ok")?;
                }
            }
            if redriven == 0 && matches!(target, JobRedrive::One(_)) {
                return Err(ServiceError::NotFound("job.not_dead"));
            }
            Ok(redriven)
        })
    }
}
