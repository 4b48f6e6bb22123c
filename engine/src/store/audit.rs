//! The security audit log: sign-ins, throttled tries, denials, administrators' acts. Kept, never pruned: the
//! security level asks for at least three months, and a province's auditors for longer.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::audit_log;
use super::{DbConnection, StoreResult, to_db};

pub fn record(
    conn: &mut DbConnection,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    subject: &str,
    outcome: &str,
) -> StoreResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(to_db(at)),
            audit_log::actor.eq(actor),
            audit_log::action.eq(action),
            audit_log::subject.eq(subject),
            audit_log::outcome.eq(outcome),
        ))
        .execute(conn)?;
    Ok(())
}

/// One entry of the audit log.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    #[serde(serialize_with = "as_utc")]
    pub at: chrono::NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub outcome: String,
}

fn as_utc<S: serde::Serializer>(at: &chrono::NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&super::from_db(*at).to_rfc3339())
}

/// Entries after `after_id`, in the order they were written, at most `limit` (keyset on the primary key).
pub fn after(conn: &mut DbConnection, after_id: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
    Ok(audit_log::table.filter(audit_log::id.gt(after_id)).order(audit_log::id).limit(limit).load(conn)?)
}
