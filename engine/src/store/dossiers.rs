//! Dossier rows: the folded state as JSON plus the columns the queues filter and sort on.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::schema::{dossier_components, dossiers};
use super::{DbConnection, StoreError, StoreResult, to_db};
use crate::domain::dossier::{Dossier, Status};

/// The queue filter of `GET /dossiers`; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Agencies in the caller's scope (the dossier's agency or the agency it is consulting).
    pub agencies: Vec<String>,
    pub agency: Option<String>,
    pub statuses: Vec<Status>,
    pub step: Option<String>,
    /// Any of these steps (a queue gathers the steps of one kind across procedures).
    pub steps: Option<Vec<String>>,
    pub assignee: Option<String>,
    pub procedure: Option<String>,
    pub channel: Option<i32>,
    pub applicant_id: Option<String>,
    pub due_before: Option<DateTime<Utc>>,
    /// Due at or after this instant.
    pub due_from: Option<DateTime<Utc>>,
    pub text: Option<String>,
    pub after: Option<Cursor>,
    pub limit: i64,
}

/// Keyset position in the queue order (due instant, nulls last; then id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub due_at: Option<DateTime<Utc>>,
    pub id: String,
}

fn decode(state: &str) -> StoreResult<Dossier> {
    serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("dossier state: {e}")))
}

fn encode(dossier: &Dossier) -> String {
    serde_json::to_string(dossier).expect("dossiers serialize")
}

fn alert_level(d: &Dossier) -> i32 {
    if d.overdue_raised {
        2
    } else if d.nearly_due_raised {
        1
    } else {
        0
    }
}

fn consulted_agency(d: &Dossier) -> Option<&str> {
    d.consultation.as_ref().filter(|c| c.answer.is_none()).map(|c| c.agency.as_str())
}

pub fn insert(conn: &mut DbConnection, d: &Dossier, now: DateTime<Utc>) -> StoreResult<()> {
    diesel::insert_into(dossiers::table)
        .values((
            dossiers::id.eq(&d.id),
            dossiers::code.eq(&d.code),
            dossiers::agency_id.eq(&d.agency),
            dossiers::procedure_code.eq(&d.procedure_code),
            dossiers::procedure_version.eq(d.procedure_version as i32),
            dossiers::channel.eq(i32::from(d.channel.code())),
            dossiers::status.eq(i32::from(d.status.code())),
            dossiers::step.eq(&d.step),
            dossiers::assignee_id.eq(d.assignee.as_ref().map(|a| a.id.as_str())),
            dossiers::consulted_agency_id.eq(consulted_agency(d)),
            dossiers::applicant_id.eq(&d.applicant.id_number),
            dossiers::applicant_name.eq(&d.applicant.name),
            dossiers::summary.eq(&d.summary),
            dossiers::submitted_at.eq(to_db(d.submitted_at)),
            dossiers::received_at.eq(d.received_at.map(to_db)),
            dossiers::due_at.eq(d.due_at.map(to_db)),
            dossiers::alert_level.eq(alert_level(d)),
            dossiers::version.eq(d.version as i64),
            dossiers::state.eq(encode(d)),
            dossiers::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    sync_components(conn, None, d)
}

/// Writes the new state if the stored version is still `expected`; false when someone else got there first.
pub fn update(conn: &mut DbConnection, before: &Dossier, d: &Dossier, now: DateTime<Utc>) -> StoreResult<bool> {
    let updated =
        diesel::update(dossiers::table.filter(dossiers::id.eq(&d.id).and(dossiers::version.eq(before.version as i64))))
            .set((
                dossiers::code.eq(&d.code),
                dossiers::status.eq(i32::from(d.status.code())),
                dossiers::step.eq(&d.step),
                dossiers::assignee_id.eq(d.assignee.as_ref().map(|a| a.id.as_str())),
                dossiers::consulted_agency_id.eq(consulted_agency(d)),
                dossiers::received_at.eq(d.received_at.map(to_db)),
                dossiers::due_at.eq(d.due_at.map(to_db)),
                dossiers::alert_level.eq(alert_level(d)),
                dossiers::version.eq(d.version as i64),
                dossiers::state.eq(encode(d)),
                dossiers::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
    if updated == 1 {
        sync_components(conn, Some(before), d)?;
    }
    Ok(updated == 1)
}

/// Keeps the component rows in step with the state, writing only what changed.
fn sync_components(conn: &mut DbConnection, before: Option<&Dossier>, d: &Dossier) -> StoreResult<()> {
    for component in &d.components {
        let old = before.and_then(|b| b.components.iter().find(|c| c.id == component.id));
        if old == Some(component) {
            continue;
        }
        let values = (
            dossier_components::provided.eq(component.provided),
            dossier_components::digitisation.eq(i32::from(u8::from(component.digitisation))),
        );
        if old.is_some() {
            diesel::update(dossier_components::table.find((&d.id, &component.id))).set(values).execute(conn)?;
        } else {
            diesel::insert_into(dossier_components::table)
                .values((
                    dossier_components::dossier_id.eq(&d.id),
                    dossier_components::component_id.eq(&component.id),
                    values,
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct StateRow {
    #[diesel(sql_type = Text)]
    state: String,
}

/// Reads a dossier inside a write transaction, locking its row on PostgreSQL.
pub fn load_for_update(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Dossier>> {
    let sql = format!("SELECT state FROM dossiers WHERE id = $1{}", conn.for_update());
    let row: Option<StateRow> = diesel::sql_query(sql).bind::<Text, _>(id).get_result(conn).optional()?;
    row.map(|r| decode(&r.state)).transpose()
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Dossier>> {
    let state: Option<String> = dossiers::table.find(id).select(dossiers::state).first(conn).optional()?;
    state.map(|s| decode(&s)).transpose()
}

/// Every dossier, a page at a time in id order (for whole-database passes such as reconciliation).
pub fn page_by_id(conn: &mut DbConnection, after: Option<&str>, limit: i64) -> StoreResult<Vec<Dossier>> {
    let mut query = dossiers::table.select(dossiers::state).order(dossiers::id).limit(limit).into_boxed();
    if let Some(after) = after {
        query = query.filter(dossiers::id.gt(after.to_string()));
    }
    let states: Vec<String> = query.load(conn)?;
    states.iter().map(|s| decode(s)).collect()
}

pub fn by_code(conn: &mut DbConnection, code: &str) -> StoreResult<Option<Dossier>> {
    let state: Option<String> =
        dossiers::table.filter(dossiers::code.eq(code)).select(dossiers::state).first(conn).optional()?;
    state.map(|s| decode(&s)).transpose()
}

/// A page of the queue, ordered by due instant (none last), then id.
pub fn list(conn: &mut DbConnection, f: &QueueFilter) -> StoreResult<Vec<Dossier>> {
    let mut q = dossiers::table.into_boxed();
    q = q.filter(
        dossiers::agency_id.eq_any(f.agencies.clone()).or(dossiers::consulted_agency_id.eq_any(f.agencies.clone())),
    );
    if let Some(agency) = &f.agency {
        q = q.filter(dossiers::agency_id.eq(agency.clone()).or(dossiers::consulted_agency_id.eq(agency.clone())));
    }
    if !f.statuses.is_empty() {
        q = q.filter(dossiers::status.eq_any(f.statuses.iter().map(|s| i32::from(s.code())).collect::<Vec<_>>()));
    }
    if let Some(step) = &f.step {
        q = q.filter(dossiers::step.eq(step.clone()));
    }
    if let Some(steps) = &f.steps {
        q = q.filter(dossiers::step.eq_any(steps.clone()));
    }
    if let Some(assignee) = &f.assignee {
        q = q.filter(dossiers::assignee_id.eq(assignee.clone()));
    }
    if let Some(procedure) = &f.procedure {
        q = q.filter(dossiers::procedure_code.eq(procedure.clone()));
    }
    if let Some(channel) = f.channel {
        q = q.filter(dossiers::channel.eq(channel));
    }
    if let Some(applicant) = &f.applicant_id {
        q = q.filter(dossiers::applicant_id.eq(applicant.clone()));
    }
    if let Some(before) = f.due_before {
        q = q.filter(dossiers::due_at.lt(to_db(before)));
    }
    if let Some(from) = f.due_from {
        q = q.filter(dossiers::due_at.ge(to_db(from)));
    }
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", super::like_literal(text));
        q = q.filter(
            dossiers::code
                .like(pattern.clone())
                .escape('\\')
                .or(dossiers::applicant_name.like(pattern.clone()).escape('\\'))
                .or(dossiers::applicant_id.like(pattern.clone()).escape('\\'))
                .or(dossiers::summary.like(pattern).escape('\\')),
        );
    }
    if let Some(cursor) = &f.after {
        q = match cursor.due_at {
            Some(due) => {
                let due = to_db(due);
                q.filter(
                    dossiers::due_at
                        .gt(due)
                        .or(dossiers::due_at.eq(due).and(dossiers::id.gt(cursor.id.clone())))
                        .or(dossiers::due_at.is_null()),
                )
            }
            None => q.filter(dossiers::due_at.is_null().and(dossiers::id.gt(cursor.id.clone()))),
        };
    }
    let states: Vec<String> = q
        .order((dossiers::due_at.is_null(), dossiers::due_at, dossiers::id))
        .limit(f.limit)
        .select(dossiers::state)
        .load(conn)?;
    states.iter().map(|s| decode(s)).collect()
}

/// Dossiers in work of the same agency, status, procedure version, step, assignee and consulted agency:
/// the columns that decide which queue a dossier is in, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct QueueGroup {
    pub agency: String,
    pub status: i32,
    pub procedure: String,
    pub version: i32,
    pub step: Option<String>,
    pub assignee: Option<String>,
    pub consulted: Option<String>,
    pub count: i64,
}

/// The dossiers of `agencies` (theirs or consulting them) in `statuses`, grouped as the queues tell them apart.
pub fn queue_groups(conn: &mut DbConnection, agencies: &[String], statuses: &[Status]) -> StoreResult<Vec<QueueGroup>> {
    let statuses: Vec<i32> = statuses.iter().map(|s| i32::from(s.code())).collect();
    Ok(dossiers::table
        .filter(dossiers::agency_id.eq_any(agencies).or(dossiers::consulted_agency_id.eq_any(agencies)))
        .filter(dossiers::status.eq_any(statuses))
        .group_by((
            dossiers::agency_id,
            dossiers::status,
            dossiers::procedure_code,
            dossiers::procedure_version,
            dossiers::step,
            dossiers::assignee_id,
            dossiers::consulted_agency_id,
        ))
        .select((
            dossiers::agency_id,
            dossiers::status,
            dossiers::procedure_code,
            dossiers::procedure_version,
            dossiers::step,
            dossiers::assignee_id,
            dossiers::consulted_agency_id,
            diesel::dsl::count_star(),
        ))
        .load(conn)?)
}

/// How many running dossiers (status 2 or 4) of `agencies` are due in `[from, before)`.
pub fn count_running_due(
    conn: &mut DbConnection,
    agencies: &[String],
    from: Option<DateTime<Utc>>,
    before: DateTime<Utc>,
) -> StoreResult<i64> {
    let mut q = dossiers::table
        .filter(dossiers::agency_id.eq_any(agencies))
        .filter(dossiers::status.eq_any([2, 4]))
        .filter(dossiers::due_at.lt(to_db(before)))
        .into_boxed();
    if let Some(from) = from {
        q = q.filter(dossiers::due_at.ge(to_db(from)));
    }
    Ok(q.count().get_result(conn)?)
}

/// Ids of running dossiers (status 2 or 4) that may need an alert: not yet nearly-due-alerted and due before
/// `horizon` (less than a working day from now), or not yet overdue-alerted and due before `now`.
pub fn needing_alerts(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<String>> {
    Ok(dossiers::table
        .filter(dossiers::status.eq_any([2, 4]))
        .filter(
            dossiers::alert_level
                .eq(0)
                .and(dossiers::due_at.lt(to_db(horizon)))
                .or(dossiers::alert_level.lt(2).and(dossiers::due_at.lt(to_db(now)))),
        )
        .order(dossiers::due_at)
        .limit(limit)
        .select(dossiers::id)
        .load(conn)?)
}

pub fn count_by_status(conn: &mut DbConnection) -> StoreResult<Vec<(i32, i64)>> {
    Ok(dossiers::table
        .group_by(dossiers::status)
        .select((dossiers::status, diesel::dsl::count_star()))
        .order(dossiers::status)
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(dossiers::table.count().get_result(conn)?)
}

/// Dossiers an agency received in `[from, to)`, in order of reception (the register, form 06).
pub fn received_between(
    conn: &mut DbConnection,
    agency: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<Dossier>> {
    let states: Vec<String> = dossiers::table
        .filter(dossiers::agency_id.eq(agency))
        .filter(dossiers::received_at.ge(to_db(from)).and(dossiers::received_at.lt(to_db(to))))
        .order((dossiers::received_at, dossiers::id))
        .select(dossiers::state)
        .load(conn)?;
    states.iter().map(|s| decode(s)).collect()
}
