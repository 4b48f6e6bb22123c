//! The event log: append-only and hash-chained per dossier, hash = sha256(prev_hash || payload), where the
//! payload is the event's JSON exactly as stored. `verify` recomputes every chain.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::events;
use super::{DbConnection, StoreError, StoreResult, to_db};
use crate::domain::actor::Actor;
use crate::domain::dossier::Event;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub fn chain_hash(prev_hash: &str, payload: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(payload.as_bytes());
    hex::encode(hasher.finalize())
}

fn actor_label(actor: &Actor) -> String {
    match actor {
        Actor::Staff { id, .. } => format!("staff:{id}"),
        Actor::Citizen { id, .. } => format!("citizen:{id}"),
        Actor::System { name } => format!("system:{name}"),
    }
}

/// Appends events after `after_seq` (the dossier's version before them).
pub fn append(conn: &mut DbConnection, dossier_id: &str, after_seq: u64, new: &[Event]) -> StoreResult<()> {
    let mut prev_hash = if after_seq == 0 {
        GENESIS.to_string()
    } else {
        events::table
            .find((dossier_id, after_seq as i64))
            .select(events::hash)
            .first::<String>(conn)
            .optional()?
            .ok_or_else(|| StoreError::Corrupt(format!("dossier {dossier_id} has no event {after_seq}")))?
    };
    for (i, event) in new.iter().enumerate() {
        let payload = serde_json::to_string(event).expect("events serialize");
        let hash = chain_hash(&prev_hash, &payload);
        diesel::insert_into(events::table)
            .values((
                events::dossier_id.eq(dossier_id),
                events::seq.eq((after_seq + 1 + i as u64) as i64),
                events::at.eq(to_db(event.at)),
                events::kind.eq(event.change.name()),
                events::actor.eq(actor_label(&event.actor)),
                events::payload.eq(&payload),
                events::prev_hash.eq(&prev_hash),
                events::hash.eq(&hash),
            ))
            .execute(conn)?;
        prev_hash = hash;
    }
    Ok(())
}

/// A dossier's history in order.
pub fn history(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<Event>> {
    let payloads: Vec<String> = events::table
        .filter(events::dossier_id.eq(dossier_id))
        .order(events::seq)
        .select(events::payload)
        .load(conn)?;
    payloads
        .iter()
        .map(|p| serde_json::from_str(p).map_err(|e| StoreError::Corrupt(format!("event of {dossier_id}: {e}"))))
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

/// Recomputes every hash chain, in pages, naming the first broken event of each broken dossier.
pub fn verify(conn: &mut DbConnection) -> StoreResult<AuditReport> {
    let mut report = AuditReport::default();
    let mut after: (String, i64) = (String::new(), 0);
    let mut current: Option<(String, String, bool)> = None; // (dossier, expected prev hash, already broken)
    loop {
        let page: Vec<(String, i64, String, String, String)> = events::table
            .filter(
                events::dossier_id
                    .gt(after.0.clone())
                    .or(events::dossier_id.eq(after.0.clone()).and(events::seq.gt(after.1))),
            )
            .order((events::dossier_id, events::seq))
            .limit(5000)
            .select((events::dossier_id, events::seq, events::payload, events::prev_hash, events::hash))
            .load(conn)?;
        if page.is_empty() {
            break;
        }
        for (dossier, seq, payload, prev_hash, hash) in page {
            if current.as_ref().is_none_or(|(d, _, _)| *d != dossier) {
                report.dossiers += 1;
                current = Some((dossier.clone(), GENESIS.to_string(), false));
                if seq != 1 {
                    report.broken.push(BrokenLink {
                        dossier_id: dossier.clone(),
                        seq,
                        reason: "history does not start at event 1".into(),
                    });
                    current.as_mut().unwrap().2 = true;
                }
            }
            report.events += 1;
            let (_, expected_prev, broken) = current.as_mut().expect("set above");
            if !*broken {
                let reason = if prev_hash != *expected_prev {
                    Some("its previous hash does not match the event before it")
                } else if chain_hash(&prev_hash, &payload) != hash {
                    Some("its content does not match its hash")
                } else {
                    None
                };
                if let Some(reason) = reason {
                    report.broken.push(BrokenLink { dossier_id: dossier.clone(), seq, reason: reason.into() });
                    *broken = true;
                }
            }
            *expected_prev = hash;
            after = (dossier, seq);
        }
    }
    Ok(report)
}
