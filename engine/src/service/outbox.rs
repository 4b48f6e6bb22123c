//! The operators' view of the outbox: what went out, what waits, what died and why; re-driving dead
//! messages. Administrators only; every re-drive is audited.

use super::{Administration, ServiceError, ServiceResult, StaffIdentity};
use crate::store::audit;
use crate::store::outbox::{self, Filter, OutboxEntry, OutboxStats};

const MAX_PAGE: i64 = 200;

impl Administration<'_> {
    /// Messages matching `filter` (newest first) and the counts per topic.
    pub fn outbox_messages(&self, caller: &StaffIdentity, mut filter: Filter) -> ServiceResult<OutboxPage> {
        self.admin_only(caller, "outbox")?;
        filter.limit = if filter.limit <= 0 { 50 } else { filter.limit.min(MAX_PAGE) };
        self.db.read(|conn| Ok((outbox::list(conn, &filter)?, outbox::stats_by_topic(conn)?)))
    }

    /// Puts dead messages back in line: one by id, or every dead message (of a topic).
    pub fn redrive(&self, caller: &StaffIdentity, target: Redrive) -> ServiceResult<usize> {
        self.admin_only(caller, "outbox redrive")?;
        let now = self.now();
        self.db.write(|conn| {
            let ids = match &target {
                Redrive::One(id) => vec![*id],
                Redrive::AllDead { topic } => {
                    let filter = Filter {
                        state: Some(outbox::State::Dead),
                        topic: topic.clone(),
                        limit: i64::MAX,
                        ..Filter::default()
                    };
                    outbox::list(conn, &filter)?.into_iter().map(|m| m.id).collect()
                }
            };
            let mut redriven = 0;
            for id in &ids {
                if outbox::redrive(conn, *id, now)? {
                    redriven += 1;
                    audit::record(conn, now, &format!("staff:{}", caller.id), "outbox_redrive", &id.to_string(), "ok")?;
                }
            }
            if redriven == 0 && matches!(target, Redrive::One(_)) {
                return Err(ServiceError::NotFound("outbox.not_dead"));
            }
            Ok(redriven)
        })
    }
}

/// Messages (newest first) and the counts of each topic.
pub type OutboxPage = (Vec<OutboxEntry>, Vec<(String, OutboxStats)>);

/// What to re-drive.
#[derive(Debug, Clone)]
pub enum Redrive {
    One(i64),
    AllDead { topic: Option<String> },
}
