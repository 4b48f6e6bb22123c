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

/// The columns a dossier's state is read from: the JSON of rows written before packing, or the packed form.
pub(crate) const STATE: (dossiers::state, dossiers::packed) = (dossiers::state, dossiers::packed);

/// A dossier's state as `STATE` reads it.
pub(crate) type StoredState = (String, Option<Vec<u8>>);

/// The dossier of a row's state (see `packing::stored_json`).
pub(crate) fn decode((text, packed): &StoredState) -> StoreResult<Dossier> {
    let corrupt = |e: String| StoreError::Corrupt(format!("dossier state: {e}"));
    let json = super::packing::stored_json(text, packed.as_deref()).map_err(corrupt)?;
    serde_json::from_str(&json).map_err(|e| corrupt(e.to_string()))
}

fn encode(dossier: &Dossier) -> String {
    serde_json::to_string(dossier).expect("dossiers serialize")
}

/// `due_sort` of a dossier without a due instant: after every real one.
fn no_due() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date").and_hms_opt(0, 0, 0).expect("a time")
}

fn due_sort(due_at: Option<DateTime<Utc>>) -> chrono::NaiveDateTime {
    due_at.map_or_else(no_due, to_db)
}

/// What the queue search matches, folded once when the dossier is written.
fn search_text(d: &Dossier) -> String {
    let parts = [
        d.code.as_deref().unwrap_or_default(),
        &d.applicant.id_number,
        &d.applicant.name,
        d.applicant.phone.as_deref().unwrap_or_default(),
        &d.summary,
    ];
    crate::text::words(&parts.join(" ")).join(" ")
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

/// A dossier as its row is inserted.
#[derive(Insertable)]
#[diesel(table_name = dossiers)]
struct NewRow<'a> {
    id: &'a str,
    code: Option<&'a str>,
    agency_id: &'a str,
    procedure_code: &'a str,
    procedure_version: i32,
    channel: i32,
    status: i32,
    step: Option<&'a str>,
    assignee_id: Option<&'a str>,
    consulted_agency_id: Option<&'a str>,
    applicant_id: &'a str,
    applicant_name: &'a str,
    summary: &'a str,
    submitted_at: chrono::NaiveDateTime,
    received_at: Option<chrono::NaiveDateTime>,
    due_at: Option<chrono::NaiveDateTime>,
    alert_level: i32,
    version: i64,
    state: &'static str,
    packed: Option<Vec<u8>>,
    updated_at: chrono::NaiveDateTime,
    due_sort: chrono::NaiveDateTime,
    search_text: Option<String>,
}

impl<'a> NewRow<'a> {
    fn of(d: &'a Dossier, now: DateTime<Utc>) -> NewRow<'a> {
        NewRow {
            id: &d.id,
            code: d.code.as_deref(),
            agency_id: &d.agency,
            procedure_code: &d.procedure_code,
            procedure_version: d.procedure_version as i32,
            channel: i32::from(d.channel.code()),
            status: i32::from(d.status.code()),
            step: d.step.as_deref(),
            assignee_id: d.assignee.as_ref().map(|a| a.id.as_str()),
            consulted_agency_id: consulted_agency(d),
            applicant_id: &d.applicant.id_number,
            applicant_name: &d.applicant.name,
            summary: &d.summary,
            submitted_at: to_db(d.submitted_at),
            received_at: d.received_at.map(to_db),
            due_at: d.due_at.map(to_db),
            alert_level: alert_level(d),
            version: d.version as i64,
            state: "",
            packed: Some(super::packing::pack(&encode(d))),
            updated_at: to_db(now),
            due_sort: due_sort(d.due_at),
            search_text: Some(search_text(d)),
        }
    }
}

pub fn insert(conn: &mut DbConnection, d: &Dossier, now: DateTime<Utc>) -> StoreResult<()> {
    diesel::insert_into(dossiers::table).values(NewRow::of(d, now)).execute(conn)?;
    sync_components(conn, None, d)
}

/// Dossiers new to the store with their components, in a few multi-row statements (bulk loading:
/// `motcua bench seed`).
pub fn insert_all(conn: &mut DbConnection, all: &[Dossier], now: DateTime<Utc>) -> StoreResult<()> {
    for chunk in all.chunks(500) {
        let rows: Vec<NewRow> = chunk.iter().map(|d| NewRow::of(d, now)).collect();
        let components: Vec<_> = chunk
            .iter()
            .flat_map(|d| {
                d.components.iter().map(|c| {
                    (
                        dossier_components::dossier_id.eq(d.id.as_str()),
                        dossier_components::component_id.eq(c.id.as_str()),
                        dossier_components::provided.eq(c.provided),
                        dossier_components::digitisation.eq(i32::from(u8::from(c.digitisation))),
                    )
                })
            })
            .collect();
        // The multi-backend connection has no batch insert: each backend does its own.
        match conn {
            DbConnection::Pg(c) => {
                diesel::insert_into(dossiers::table).values(&rows).execute(c)?;
                diesel::insert_into(dossier_components::table).values(&components).execute(c)?;
            }
            DbConnection::Sqlite(c) => {
                diesel::insert_into(dossiers::table).values(&rows).execute(c)?;
                diesel::insert_into(dossier_components::table).values(&components).execute(c)?;
            }
        }
    }
    Ok(())
}

/// Writes the new state if the stored version is still `expected`; false when someone else got there first.
pub fn update(conn: &mut DbConnection, before: &Dossier, d: &Dossier, now: DateTime<Utc>) -> StoreResult<bool> {
    let row = super::dossier_row_update::RowUpdate {
        id: &d.id,
        expected_version: before.version as i64,
        code: d.code.as_deref(),
        status: i32::from(d.status.code()),
        step: d.step.as_deref(),
        assignee_id: d.assignee.as_ref().map(|a| a.id.as_str()),
        consulted_agency_id: consulted_agency(d),
        received_at: d.received_at.map(to_db),
        due_at: d.due_at.map(to_db),
        alert_level: alert_level(d),
        version: d.version as i64,
        packed: super::packing::pack(&encode(d)),
        updated_at: to_db(now),
        due_sort: due_sort(d.due_at),
        search_text: search_text(d),
    };
    let updated = match conn {
        DbConnection::Pg(c) => row.execute(c)?,
        DbConnection::Sqlite(c) => row.execute(c)?,
    };
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

/// Reads a dossier inside a write transaction, locking its row on PostgreSQL.
pub fn load_for_update(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Dossier>> {
    // Through the query builder, so that PostgreSQL prepares it once per connection: planned anew for every
    // action, it spent more time planning than running.
    let state: Option<StoredState> = match conn {
        DbConnection::Pg(c) => dossiers::table.find(id).select(STATE).for_update().first(c).optional()?,
        // The write transaction already holds SQLite's only write lock.
        DbConnection::Sqlite(c) => dossiers::table.find(id).select(STATE).first(c).optional()?,
    };
    state.map(|s| decode(&s)).transpose()
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Dossier>> {
    let state: Option<StoredState> = dossiers::table.find(id).select(STATE).first(conn).optional()?;
    state.map(|s| decode(&s)).transpose()
}

/// Every dossier, a page at a time in id order (for whole-database passes such as reconciliation).
pub fn page_by_id(conn: &mut DbConnection, after: Option<&str>, limit: i64) -> StoreResult<Vec<Dossier>> {
    let mut query = dossiers::table.select(STATE).order(dossiers::id).limit(limit).into_boxed();
    if let Some(after) = after {
        query = query.filter(dossiers::id.gt(after.to_string()));
    }
    let states: Vec<StoredState> = query.load(conn)?;
    states.iter().map(decode).collect()
}

/// The first dossier (of `agency`, when given) whose id is at or after `id`: a random `id` gives a random
/// dossier through the primary key, for the benchmarks' samples.
pub fn at_or_after(conn: &mut DbConnection, agency: Option<&str>, id: &str) -> StoreResult<Option<Dossier>> {
    let mut query = dossiers::table.filter(dossiers::id.ge(id.to_string())).into_boxed();
    if let Some(agency) = agency {
        query = query.filter(dossiers::agency_id.eq(agency.to_string()));
    }
    let state: Option<StoredState> = query.order(dossiers::id).select(STATE).first(conn).optional()?;
    state.map(|s| decode(&s)).transpose()
}

pub fn by_code(conn: &mut DbConnection, code: &str) -> StoreResult<Option<Dossier>> {
    let state: Option<StoredState> =
        dossiers::table.filter(dossiers::code.eq(code)).select(STATE).first(conn).optional()?;
    state.map(|s| decode(&s)).transpose()
}

/// A page of the queue, ordered by due instant (none last), then id.
///
/// Each agency of the scope and the consultations are read apart and merged: each part then walks an index in
/// queue order (`agency_id, due_sort, id`, the consultations' index) and stops at the page's end, where one
/// query with `agency IN … OR consulted IN …` sorts every row of the agencies.
pub fn list(conn: &mut DbConnection, f: &QueueFilter) -> StoreResult<Vec<Dossier>> {
    let mut rows: Vec<(chrono::NaiveDateTime, String, StoredState)> = Vec::new();
    for part in list_parts(conn.backend(), f) {
        rows.extend(part.load::<(chrono::NaiveDateTime, String, StoredState)>(conn)?);
    }
    rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    rows.truncate(f.limit.max(0) as usize);
    rows.iter().map(|(_, _, state)| decode(state)).collect()
}

type QueuePart = diesel::dsl::Limit<
    diesel::dsl::Select<
        diesel::dsl::Order<dossiers::BoxedQuery<'static, super::MultiBackend>, (dossiers::due_sort, dossiers::id)>,
        (dossiers::due_sort, dossiers::id, (dossiers::state, dossiers::packed)),
    >,
>;

/// Scopes of up to this many agencies are read one agency at a time, each part walking its agency's index in
/// queue order; wider scopes (a province's leaders) read all at once, walking the due index and filtering.
const AGENCIES_READ_APART: usize = 8;

/// The queries of a queue page: the scope's own dossiers (one query per agency, see above), and those the scope
/// is consulted on.
fn list_parts(backend: super::Backend, f: &QueueFilter) -> Vec<QueuePart> {
    // An agency asked for narrows the scope to it (the caller has checked it is in scope).
    let scope: Vec<String> = match &f.agency {
        Some(agency) => f.agencies.iter().filter(|a| *a == agency).cloned().collect(),
        None => f.agencies.clone(),
    };
    fn in_index(backend: super::Backend, agencies: &[String]) -> WordsIn<'_> {
        match backend {
            super::Backend::Postgres => WordsIn::Index(agencies),
            super::Backend::Sqlite => WordsIn::Rows,
        }
    }
    // `agency_id = x`, not `= ANY([x])`: PostgreSQL reads an index in order only for a plain equality.
    let mut parts: Vec<dossiers::BoxedQuery<'static, super::MultiBackend>> = if scope.len() <= AGENCIES_READ_APART {
        scope
            .iter()
            .map(|agency| {
                filtered(f, in_index(backend, std::slice::from_ref(agency)))
                    .filter(dossiers::agency_id.eq(agency.clone()))
            })
            .collect()
    } else {
        vec![filtered(f, in_index(backend, &scope)).filter(dossiers::agency_id.eq_any(scope.clone()))]
    };
    parts.push(
        filtered(f, WordsIn::Rows)
            .filter(dossiers::consulted_agency_id.eq_any(scope.clone()))
            .filter(dossiers::agency_id.ne_all(scope)),
    );
    parts
        .into_iter()
        .map(|part| {
            part.order((dossiers::due_sort, dossiers::id))
                .select((dossiers::due_sort, dossiers::id, STATE))
                .limit(f.limit)
        })
        .collect()
}

/// PostgreSQL's plans for a queue page's queries (own per agency, then consulted), for the index checks.
pub fn explain_list(conn: &mut DbConnection, f: &QueueFilter) -> StoreResult<Vec<String>> {
    list_parts(conn.backend(), f).into_iter().map(|part| super::plans::explain(conn, part)).collect()
}

/// What a queue search looks for. A whole dossier code or id number is looked up exactly (their own indexes);
/// anything else is words, each a whole word of the dossier's search text, in any order: "huong", "Hường
/// Nguyễn" and "261120 0001" all find Nguyễn Thị Hường's dossier 000.31.01.H26-261120-0001. Whole words, not
/// their starts: a word's start matches many words (an, anh, ang…), and reading them all costs a search at ten
/// million dossiers thirty times more.
#[derive(Debug, PartialEq, Eq)]
enum SearchShape {
    Code(String),
    IdNumber(String),
    Words(Vec<String>),
}

impl SearchShape {
    fn of(text: &str) -> SearchShape {
        if let Ok(code) = text.to_uppercase().parse::<crate::domain::codes::DossierCode>() {
            return SearchShape::Code(code.to_string());
        }
        // Citizen id cards (12 digits) and the old identity cards (9).
        if matches!(text.len(), 9 | 12) && text.bytes().all(|b| b.is_ascii_digit()) {
            return SearchShape::IdNumber(text.to_string());
        }
        SearchShape::Words(crate::text::words(text))
    }
}

type Condition = Box<dyn BoxableExpression<dossiers::table, super::MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// Where a part of a queue page finds its words.
enum WordsIn<'a> {
    /// Through PostgreSQL's word index: the dossiers of these agencies.
    Index(&'a [String]),
    /// On the rows the part's other conditions found (SQLite; the few dossiers a scope is consulted on).
    Rows,
}

/// The words of a dossier as its index holds them, each behind its agency (`000.31.01.H26:huong`), so that one
/// agency's posting list of a word holds that agency's dossiers only: a search reads the caller's agency's
/// matches, however many other agencies and years of history the table holds. The SQL must be the index's own
/// (migration 11) for PostgreSQL to use it.
const AGENCY_WORDS: &str =
    "array_to_tsvector(string_to_array(agency_id || ':' || replace(search_text, ' ', ' ' || agency_id || ':'), ' '))";

/// Every word is a whole word of the search text.
fn words_condition(words: &[String], place: WordsIn) -> Condition {
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    if words.is_empty() {
        // Only punctuation was typed: nothing matches it.
        return Box::new(sql::<Bool>("1 = 0"));
    }
    match place {
        WordsIn::Index(agencies) => {
            // tsquery's own syntax (not to_tsquery, whose parser would split `000.31.01.h26:huong`): each lexeme
            // quoted; agency ids and words hold no quote or backslash.
            let query = agencies
                .iter()
                .map(|agency| {
                    let all = words.iter().map(|w| format!("'{agency}:{w}'")).collect::<Vec<_>>().join(" & ");
                    format!("({all})")
                })
                .collect::<Vec<_>>()
                .join(" | ");
            Box::new(sql::<Bool>(AGENCY_WORDS).sql(" @@ CAST(").bind::<Text, _>(query).sql(" AS tsquery)"))
        }
        WordsIn::Rows => {
            let mut condition: Condition = Box::new(sql::<Bool>("1 = 1"));
            for word in words {
                let pattern = format!("% {} %", super::like_literal(word));
                let whole_word = sql::<Bool>("(' ' || search_text || ' ') LIKE ").bind::<Text, _>(pattern);
                condition = Box::new(condition.and(whole_word.sql(" ESCAPE '\\'")));
            }
            condition
        }
    }
}

/// The queue filter's conditions but the scope, and the cursor.
fn filtered(f: &QueueFilter, words_in: WordsIn) -> dossiers::BoxedQuery<'static, super::MultiBackend> {
    let mut q = dossiers::table.into_boxed();
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
        q = match SearchShape::of(text) {
            SearchShape::Code(code) => q.filter(dossiers::code.eq(code)),
            SearchShape::IdNumber(id) => q.filter(dossiers::applicant_id.eq(id)),
            SearchShape::Words(words) => q.filter(words_condition(&words, words_in)),
        };
    }
    if let Some(cursor) = &f.after {
        // Written so that an index on (…, due_sort, id) seeks to the cursor rather than filtering up to it.
        let due = due_sort(cursor.due_at);
        q = q.filter(dossiers::due_sort.ge(due).and(dossiers::due_sort.gt(due).or(dossiers::id.gt(cursor.id.clone()))));
    }
    q
}

/// Folds the search text of up to `limit` dossiers written before it existed; answers how many it did.
pub fn fold_unfolded(conn: &mut DbConnection, limit: i64) -> StoreResult<usize> {
    let rows: Vec<(String, StoredState)> = dossiers::table
        .filter(dossiers::search_text.is_null())
        .order(dossiers::id)
        .limit(limit)
        .select((dossiers::id, STATE))
        .load(conn)?;
    for (id, state) in &rows {
        let d = decode(state)?;
        diesel::update(dossiers::table.find(id)).set(dossiers::search_text.eq(search_text(&d))).execute(conn)?;
    }
    Ok(rows.len())
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
    let states: Vec<StoredState> = dossiers::table
        .filter(dossiers::agency_id.eq(agency))
        .filter(dossiers::received_at.ge(to_db(from)).and(dossiers::received_at.lt(to_db(to))))
        .order((dossiers::received_at, dossiers::id))
        .select(STATE)
        .load(conn)?;
    states.iter().map(decode).collect()
}

#[cfg(test)]
mod tests {
    use super::SearchShape;

    #[test]
    fn whole_codes_and_id_numbers_are_looked_up_exactly() {
        assert_eq!(SearchShape::of("000.31.01.h26-261120-0001"), SearchShape::Code("000.31.01.H26-261120-0001".into()));
        assert_eq!(SearchShape::of("031190012345"), SearchShape::IdNumber("031190012345".into()));
        assert_eq!(SearchShape::of("031190012"), SearchShape::IdNumber("031190012".into()));
        let words = |w: &[&str]| SearchShape::Words(w.iter().map(|w| w.to_string()).collect());
        assert_eq!(SearchShape::of("0912345678"), words(&["0912345678"]));
        assert_eq!(SearchShape::of("261120-0001"), words(&["261120", "0001"]));
        assert_eq!(SearchShape::of("Kết Hôn"), words(&["ket", "hon"]));
        assert_eq!(SearchShape::of("%"), words(&[]));
    }
}
