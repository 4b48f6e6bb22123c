//! Petitions and their events: the row holds the folded state with the scalar columns the queue, the public
//! list of answers and the indicators read; the events are append-only and hash-chained per petition like a
//! dossier's (`events::chain_hash`, from the same genesis).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::events::{GENESIS, chain_hash};
use super::schema::{petition_events, petitions};
use super::{DbConnection, MultiBackend, StoreError, StoreResult, to_db};
use crate::domain::petition::{Petition, PetitionEvent, PetitionStatus};

fn encode(p: &Petition) -> String {
    serde_json::to_string(p).expect("petitions serialize")
}

fn decode(json: &str) -> StoreResult<Petition> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("petition state: {e}")))
}

/// `due_sort` of a petition no deadline runs for: after every real one.
fn no_due() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date").and_hms_opt(0, 0, 0).expect("a time")
}

/// What the public search of answers matches: title, content and answer, folded.
fn search_text(p: &Petition) -> Option<String> {
    let answer = p.answer.as_ref().map(|a| a.text.as_str()).unwrap_or_default();
    p.published_at.map(|_| {
        crate::text::words(&format!("{} {} {} {answer}", p.filing.code, p.filing.title, p.filing.content)).join(" ")
    })
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = petitions)]
struct Row<'a> {
    id: &'a str,
    code: &'a str,
    agency_id: &'a str,
    status: i32,
    classification: &'a str,
    dossier_id: Option<&'a str>,
    officer_id: Option<&'a str>,
    assignee_id: Option<&'a str>,
    portal_id: Option<&'a str>,
    filed_at: NaiveDateTime,
    due_sort: NaiveDateTime,
    answer_due_at: Option<NaiveDateTime>,
    handled_at: Option<NaiveDateTime>,
    late: Option<bool>,
    disputed: bool,
    published_at: Option<NaiveDateTime>,
    search_text: Option<String>,
    version: i64,
    state: String,
    updated_at: NaiveDateTime,
}

impl<'a> Row<'a> {
    fn of(p: &'a Petition, now: DateTime<Utc>) -> Row<'a> {
        Row {
            id: &p.filing.id,
            code: &p.filing.code,
            agency_id: &p.filing.agency,
            status: i32::from(p.status.code()),
            classification: p.classification.as_str(),
            dossier_id: p.filing.dossier_id.as_deref(),
            officer_id: p.filing.officer.as_ref().map(|o| o.id.as_str()),
            assignee_id: p.assignee.as_ref().map(|a| a.id.as_str()),
            portal_id: p.filing.portal_id.as_deref(),
            filed_at: to_db(p.filed_at),
            due_sort: p.next_due().map_or_else(no_due, to_db),
            answer_due_at: p.answer_due_at.map(to_db),
            handled_at: p.handled_at.map(to_db),
            late: p.timeliness.map(|t| t == crate::domain::calendar::Timeliness::Late),
            disputed: p.is_disputed(),
            published_at: p.published_at.map(to_db),
            search_text: search_text(p),
            version: p.version as i64,
            state: encode(p),
            updated_at: to_db(now),
        }
    }
}

/// Stores a new petition with its first events.
pub fn insert(conn: &mut DbConnection, p: &Petition, events: &[PetitionEvent], now: DateTime<Utc>) -> StoreResult<()> {
    diesel::insert_into(petitions::table).values(Row::of(p, now)).execute(conn)?;
    append(conn, &p.filing.id, 0, events)
}

/// Writes the new state and its events if the stored version is still `before`'s; false when someone else got
/// there first.
pub fn update(
    conn: &mut DbConnection,
    before: &Petition,
    p: &Petition,
    events: &[PetitionEvent],
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let updated =
        diesel::update(petitions::table.find(&p.filing.id).filter(petitions::version.eq(before.version as i64)))
            .set(Row::of(p, now))
            .execute(conn)?;
    if updated == 1 {
        append(conn, &p.filing.id, before.version, events)?;
    }
    Ok(updated == 1)
}

fn append(conn: &mut DbConnection, id: &str, after_seq: u64, events: &[PetitionEvent]) -> StoreResult<()> {
    let mut prev_hash = if after_seq == 0 {
        GENESIS.to_string()
    } else {
        petition_events::table
            .find((id, after_seq as i64))
            .select(petition_events::hash)
            .first::<String>(conn)
            .optional()?
            .ok_or_else(|| StoreError::Corrupt(format!("petition {id} has no event {after_seq}")))?
    };
    for (i, event) in events.iter().enumerate() {
        let payload = serde_json::to_string(event).expect("events serialize");
        let hash = chain_hash(&prev_hash, &payload);
        diesel::insert_into(petition_events::table)
            .values((
                petition_events::petition_id.eq(id),
                petition_events::seq.eq((after_seq + 1 + i as u64) as i64),
                petition_events::at.eq(to_db(event.at)),
                petition_events::kind.eq(event.change.name()),
                petition_events::payload.eq(&payload),
                petition_events::hash.eq(&hash),
            ))
            .execute(conn)?;
        prev_hash = hash;
    }
    Ok(())
}

/// Reads a petition inside a write transaction, locking its row on PostgreSQL.
pub fn load_for_update(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Petition>> {
    let state: Option<String> = match conn {
        DbConnection::Pg(c) => petitions::table.find(id).select(petitions::state).for_update().first(c).optional()?,
        // The write transaction already holds SQLite's only write lock.
        DbConnection::Sqlite(c) => petitions::table.find(id).select(petitions::state).first(c).optional()?,
    };
    state.as_deref().map(decode).transpose()
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Petition>> {
    let state: Option<String> = petitions::table.find(id).select(petitions::state).first(conn).optional()?;
    state.as_deref().map(decode).transpose()
}

pub fn by_code(conn: &mut DbConnection, code: &str) -> StoreResult<Option<Petition>> {
    let state: Option<String> =
        petitions::table.filter(petitions::code.eq(code)).select(petitions::state).first(conn).optional()?;
    state.as_deref().map(decode).transpose()
}

/// The petition the portal routed under `portal_id`, if any.
pub fn by_portal_id(conn: &mut DbConnection, portal_id: &str) -> StoreResult<Option<Petition>> {
    let state: Option<String> =
        petitions::table.filter(petitions::portal_id.eq(portal_id)).select(petitions::state).first(conn).optional()?;
    state.as_deref().map(decode).transpose()
}

/// A petition's history in order.
pub fn history(conn: &mut DbConnection, id: &str) -> StoreResult<Vec<PetitionEvent>> {
    let payloads: Vec<String> = petition_events::table
        .filter(petition_events::petition_id.eq(id))
        .order(petition_events::seq)
        .select(petition_events::payload)
        .load(conn)?;
    payloads
        .iter()
        .map(|p| serde_json::from_str(p).map_err(|e| StoreError::Corrupt(format!("event of petition {id}: {e}"))))
        .collect()
}

/// Recomputes every petition's hash chain: the petitions read and the first broken event of each broken one.
pub fn verify(conn: &mut DbConnection) -> StoreResult<(u64, u64, Vec<super::events::BrokenLink>)> {
    let mut after: (String, i64) = (String::new(), 0);
    let (mut petitions_seen, mut events_seen, mut broken) = (0u64, 0u64, Vec::new());
    let mut current: Option<(String, String, i64, bool)> = None;
    loop {
        let page: Vec<(String, i64, String, String)> = petition_events::table
            .filter(
                petition_events::petition_id
                    .ge(after.0.clone())
                    .and(petition_events::petition_id.gt(after.0.clone()).or(petition_events::seq.gt(after.1))),
            )
            .order((petition_events::petition_id, petition_events::seq))
            .limit(5000)
            .select((
                petition_events::petition_id,
                petition_events::seq,
                petition_events::payload,
                petition_events::hash,
            ))
            .load(conn)?;
        if page.is_empty() {
            break;
        }
        for (id, seq, payload, hash) in page {
            if current.as_ref().is_none_or(|c| c.0 != id) {
                petitions_seen += 1;
                current = Some((id.clone(), GENESIS.to_string(), 0, false));
            }
            events_seen += 1;
            let c = current.as_mut().expect("set above");
            if !c.3 {
                let reason = if seq != c.2 + 1 {
                    Some(format!("event {} is missing", c.2 + 1))
                } else if chain_hash(&c.1, &payload) != hash {
                    Some("its content or the event before it does not match its hash".to_string())
                } else {
                    None
                };
                if let Some(reason) = reason {
                    broken.push(super::events::BrokenLink { dossier_id: id.clone(), seq, reason });
                    c.3 = true;
                }
            }
            c.1 = hash;
            c.2 = seq;
            after = (id, seq);
        }
    }
    Ok((petitions_seen, events_seen, broken))
}

/// A page of the queue: petitions of `agencies` in `statuses`, soonest deadline first, after the keyset
/// `(due_sort, id)` of the last one shown.
pub fn queue(
    conn: &mut DbConnection,
    agencies: &[String],
    statuses: &[PetitionStatus],
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Petition>> {
    let codes: Vec<i32> = statuses.iter().map(|s| i32::from(s.code())).collect();
    let mut query = petitions::table
        .filter(petitions::agency_id.eq_any(agencies))
        .filter(petitions::status.eq_any(codes))
        .order((petitions::due_sort, petitions::id))
        .limit(limit)
        .select(petitions::state)
        .into_boxed::<MultiBackend>();
    if let Some((due, id)) = after {
        query = query.filter(petitions::due_sort.gt(due).or(petitions::due_sort.eq(due).and(petitions::id.gt(id))));
    }
    let states: Vec<String> = query.load(conn)?;
    states.iter().map(|s| decode(s)).collect()
}

/// The queue keyset of a petition.
pub fn queue_key(p: &Petition) -> (NaiveDateTime, String) {
    (p.next_due().map_or_else(no_due, to_db), p.filing.id.clone())
}

/// A page of published answers, newest first, matching every word of `words` (folded), after the keyset
/// `(published_at, id)` of the last one shown.
pub fn published(
    conn: &mut DbConnection,
    words: &[String],
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> StoreResult<Vec<Petition>> {
    let mut query = petitions::table
        .filter(petitions::published_at.is_not_null())
        .order((petitions::published_at.desc(), petitions::id.desc()))
        .limit(limit)
        .select(petitions::state)
        .into_boxed::<MultiBackend>();
    for word in words {
        let pattern = format!("% {} %", super::like_literal(word));
        query =
            query.filter(sql::<Bool>("(' ' || search_text || ' ') LIKE ").bind::<diesel::sql_types::Text, _>(pattern));
    }
    if let Some((at, id)) = after {
        query =
            query.filter(petitions::published_at.lt(at).or(petitions::published_at.eq(at).and(petitions::id.lt(id))));
    }
    let states: Vec<String> = query.load(conn)?;
    states.iter().map(|s| decode(s)).collect()
}

/// The Decision 766 counts of petitions of `agencies` for the period `[from, to)` evaluated at `at`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PetitionCounts {
    /// Filed in the period; of those, handled by `at` on time, and not handled by `at` but within their time.
    pub received: u64,
    pub received_handled_in_time: u64,
    pub received_open_in_time: u64,
    /// Handled in the period; of those, late or disputed (not satisfied, complained about again).
    pub handled: u64,
    pub handled_lost: u64,
}

impl std::ops::AddAssign<&PetitionCounts> for PetitionCounts {
    fn add_assign(&mut self, o: &PetitionCounts) {
        self.received += o.received;
        self.received_handled_in_time += o.received_handled_in_time;
        self.received_open_in_time += o.received_open_in_time;
        self.handled += o.handled;
        self.handled_lost += o.handled_lost;
    }
}

/// What petitions are counted by: the agency in charge, or the officer a petition names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PetitionKey {
    Agency,
    Officer,
}

/// The counts of [`count_by`] for every agency together.
pub fn count(
    conn: &mut DbConnection,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: DateTime<Utc>,
) -> StoreResult<PetitionCounts> {
    let mut total = PetitionCounts::default();
    for (_, counts) in count_by(conn, PetitionKey::Agency, agencies, from, to, at)? {
        total += &counts;
    }
    Ok(total)
}

/// The Decision 766 counts of petitions of `agencies` for `[from, to)` evaluated at `at`, per agency or per officer
/// named (petitions naming none left out), in key order: two grouped statements over `petitions_filed` and
/// `petitions_handled`.
pub fn count_by(
    conn: &mut DbConnection,
    key: PetitionKey,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: DateTime<Utc>,
) -> StoreResult<Vec<(String, PetitionCounts)>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let (from, to, at) = (to_db(from), to_db(to), to_db(at));
    let column = match key {
        PetitionKey::Agency => "agency_id",
        PetitionKey::Officer => "officer_id",
    };
    let n = |condition: &str| format!("COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)");
    macro_rules! on {
        ($c:expr) => {{
            let filed: Vec<(String, i64, i64, i64)> = petitions::table
                .filter(petitions::agency_id.eq_any(agencies.to_vec()))
                .filter(petitions::filed_at.ge(from).and(petitions::filed_at.lt(to)))
                .filter(sql::<Bool>(&format!("{column} IS NOT NULL")))
                .group_by(sql::<Text>(column))
                .select((
                    sql::<Text>(column),
                    sql::<BigInt>("COUNT(*)"),
                    sql::<BigInt>("COALESCE(SUM(CASE WHEN handled_at <= ")
                        .bind::<Timestamp, _>(at)
                        .sql(" AND NOT late THEN 1 ELSE 0 END), 0)"),
                    sql::<BigInt>("COALESCE(SUM(CASE WHEN (handled_at IS NULL OR handled_at > ")
                        .bind::<Timestamp, _>(at)
                        .sql(") AND (answer_due_at IS NULL OR answer_due_at >= ")
                        .bind::<Timestamp, _>(at)
                        .sql(") THEN 1 ELSE 0 END), 0)"),
                ))
                .load($c)?;
            let handled: Vec<(String, i64, i64)> = petitions::table
                .filter(petitions::agency_id.eq_any(agencies.to_vec()))
                .filter(
                    petitions::handled_at.ge(from).and(petitions::handled_at.lt(to)).and(petitions::handled_at.le(at)),
                )
                .filter(sql::<Bool>(&format!("{column} IS NOT NULL")))
                .group_by(sql::<Text>(column))
                .select((sql::<Text>(column), sql::<BigInt>("COUNT(*)"), sql::<BigInt>(&n("late OR disputed"))))
                .load($c)?;
            (filed, handled)
        }};
    }
    let (filed, handled) = match conn {
        DbConnection::Pg(c) => on!(c),
        DbConnection::Sqlite(c) => on!(c),
    };
    let u = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut by_key: std::collections::BTreeMap<String, PetitionCounts> = Default::default();
    for (k, received, in_time, open_in_time) in filed {
        let c = by_key.entry(k).or_default();
        (c.received, c.received_handled_in_time, c.received_open_in_time) = (u(received), u(in_time), u(open_in_time));
    }
    for (k, all, lost) in handled {
        let c = by_key.entry(k).or_default();
        (c.handled, c.handled_lost) = (u(all), u(lost));
    }
    Ok(by_key.into_iter().collect())
}
