//! The event log: append-only and hash-chained per dossier, hash = sha256(previous event's hash || payload),
//! where the payload is the event's JSON exactly as written (the genesis hash before the first). Payloads are
//! stored packed (`body`; see `packing`), those written before packing as text (`payload`). `verify` recomputes
//! every chain.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::events;
use super::{DbConnection, StoreError, StoreResult, to_db};
use crate::domain::dossier::Event;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub fn chain_hash(prev_hash: &str, payload: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(payload.as_bytes());
    hex::encode(hasher.finalize())
}

/// Appends events after `after_seq` (the dossier's version before them).
pub fn append(conn: &mut DbConnection, dossier_id: &str, after_seq: u64, new: &[Event]) -> StoreResult<()> {
    let prev_hash = if after_seq == 0 {
        GENESIS.to_string()
    } else {
        events::table
            .find((dossier_id, after_seq as i64))
            .select(events::hash)
            .first::<String>(conn)
            .optional()?
            .ok_or_else(|| StoreError::Corrupt(format!("dossier {dossier_id} has no event {after_seq}")))?
    };
    let rows = chain(dossier_id, after_seq, prev_hash, new);
    insert_rows(conn, &rows)
}

/// Whole histories of dossiers new to the store, each chained from the genesis hash, in one statement per
/// thousand events (bulk loading: `motcua bench seed`).
pub fn insert_histories(conn: &mut DbConnection, histories: &[(&str, &[Event])]) -> StoreResult<()> {
    let rows: Vec<Row> =
        histories.iter().flat_map(|(dossier_id, history)| chain(dossier_id, 0, GENESIS.to_string(), history)).collect();
    for chunk in rows.chunks(1000) {
        insert_rows(conn, chunk)?;
    }
    Ok(())
}

/// One multi-row INSERT (the multi-backend connection has no batch insert: each backend does its own).
fn insert_rows(conn: &mut DbConnection, rows: &[Row]) -> StoreResult<()> {
    match conn {
        DbConnection::Pg(c) => diesel::insert_into(events::table).values(rows).execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(events::table).values(rows).execute(c)?,
    };
    Ok(())
}

type Row = (
    diesel::dsl::Eq<events::dossier_id, String>,
    diesel::dsl::Eq<events::seq, i64>,
    diesel::dsl::Eq<events::at, chrono::NaiveDateTime>,
    diesel::dsl::Eq<events::kind, &'static str>,
    diesel::dsl::Eq<events::payload, &'static str>,
    diesel::dsl::Eq<events::body, Vec<u8>>,
    diesel::dsl::Eq<events::hash, String>,
);

/// The rows of `new` events after `after_seq`, each hash chained to the one before.
fn chain(dossier_id: &str, after_seq: u64, mut prev_hash: String, new: &[Event]) -> Vec<Row> {
    let mut rows = Vec::with_capacity(new.len());
    for (i, event) in new.iter().enumerate() {
        let payload = serde_json::to_string(event).expect("events serialize");
        let hash = chain_hash(&prev_hash, &payload);
        rows.push((
            events::dossier_id.eq(dossier_id.to_string()),
            events::seq.eq((after_seq + 1 + i as u64) as i64),
            events::at.eq(to_db(event.at)),
            events::kind.eq(event.change.name()),
            events::payload.eq(""),
            events::body.eq(super::packing::pack(&payload)),
            events::hash.eq(hash.clone()),
        ));
        prev_hash = hash;
    }
    rows
}

/// A dossier's history in order.
pub fn history(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<Event>> {
    let rows: Vec<(String, Option<Vec<u8>>)> = events::table
        .filter(events::dossier_id.eq(dossier_id))
        .order(events::seq)
        .select((events::payload, events::body))
        .load(conn)?;
    rows.into_iter()
        .map(|(text, body)| {
            let corrupt = |e: String| StoreError::Corrupt(format!("event of {dossier_id}: {e}"));
            let json = super::packing::stored_json(&text, body.as_deref()).map_err(corrupt)?;
            serde_json::from_str(&json).map_err(|e| corrupt(e.to_string()))
        })
        .collect()
}

/// Events of every dossier.
pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(events::table.count().get_result(conn)?)
}

/// The first break found in a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub dossier_id: String,
    pub seq: i64,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct AuditReport {
    pub dossiers: u64,
    pub events: u64,
    pub broken: Vec<BrokenLink>,
}

type VerifyPage = diesel::dsl::Select<
    diesel::dsl::Limit<
        diesel::dsl::Order<diesel::dsl::Filter<events::table, VerifyAfter>, (events::dossier_id, events::seq)>,
    >,
    (events::dossier_id, events::seq, events::payload, events::body, events::hash),
>;
type VerifyAfter = diesel::dsl::And<
    diesel::dsl::GtEq<events::dossier_id, String>,
    diesel::dsl::Or<diesel::dsl::Gt<events::dossier_id, String>, diesel::dsl::Gt<events::seq, i64>>,
>;

/// The page of the chain check after (dossier, seq). The leading `>=` lets the primary key seek to the page
/// instead of filtering every row before it.
fn verify_page(after: &(String, i64)) -> VerifyPage {
    events::table
        .filter(
            events::dossier_id
                .ge(after.0.clone())
                .and(events::dossier_id.gt(after.0.clone()).or(events::seq.gt(after.1))),
        )
        .order((events::dossier_id, events::seq))
        .limit(5000)
        .select((events::dossier_id, events::seq, events::payload, events::body, events::hash))
}

/// A row as the chain check reads it: dossier, seq, JSON text, packed body, hash.
type VerifiedRow = (String, i64, String, Option<Vec<u8>>, String);

/// PostgreSQL's plan for a page of the chain check, for the index checks.
pub fn explain_verify_page(conn: &mut DbConnection, after: &(String, i64)) -> StoreResult<String> {
    super::plans::explain(conn, verify_page(after))
}

/// Recomputes every hash chain, in pages, naming the first broken event of each broken dossier.
pub fn verify(conn: &mut DbConnection) -> StoreResult<AuditReport> {
    /// Where the check stands in the dossier being read.
    struct Chain {
        dossier: String,
        /// The stored hash of the event before (the genesis hash before the first).
        prev_hash: String,
        last_seq: i64,
        broken: bool,
    }
    let mut report = AuditReport::default();
    let mut after: (String, i64) = (String::new(), 0);
    let mut chain: Option<Chain> = None;
    loop {
        let page: Vec<VerifiedRow> = verify_page(&after).load(conn)?;
        if page.is_empty() {
            break;
        }
        for (dossier, seq, text, body, hash) in page {
            if chain.as_ref().is_none_or(|c| c.dossier != dossier) {
                report.dossiers += 1;
                chain = Some(Chain {
                    dossier: dossier.clone(),
                    prev_hash: GENESIS.to_string(),
                    last_seq: 0,
                    broken: false,
                });
            }
            report.events += 1;
            let c = chain.as_mut().expect("set above");
            if !c.broken {
                let reason = if seq != c.last_seq + 1 {
                    Some(if c.last_seq == 0 {
                        "history does not start at event 1".to_string()
                    } else {
                        format!("event {} is missing", c.last_seq + 1)
                    })
                } else {
                    match super::packing::stored_json(&text, body.as_deref()) {
                        Err(e) => Some(format!("its content is unreadable ({e})")),
                        Ok(payload) if chain_hash(&c.prev_hash, &payload) != hash => {
                            Some("its content or the event before it does not match its hash".to_string())
                        }
                        Ok(_) => None,
                    }
                };
                if let Some(reason) = reason {
                    report.broken.push(BrokenLink { dossier_id: dossier.clone(), seq, reason });
                    c.broken = true;
                }
            }
            c.prev_hash = hash;
            c.last_seq = seq;
            after = (dossier, seq);
        }
    }
    Ok(report)
}
