//! The security audit log: sign-ins, lock-outs, denials.

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
