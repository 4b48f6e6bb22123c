//! The outbox dispatcher: claims deliverable messages of the topics it has a sink for, hands each to its sink,
//! and records the outcome. At least once: a message is marked delivered only after the sink accepted it.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::TimeDelta;

use crate::ports::{Delivery, Failure, Receipt, Sink};
use crate::service::{ServiceError, ServiceResult, Services};
use crate::store::{DbConnection, StoreResult, facts, outbox, payments};

/// The sinks of a worker, by topic. Messages of topics without a sink are not claimed: they wait, visible in
/// the outbox, until a worker that can deliver them runs.
#[derive(Default, Clone)]
pub struct Router {
    routes: BTreeMap<String, Arc<dyn Sink>>,
}

impl Router {
    pub fn new() -> Router {
        Router::default()
    }

    pub fn route(mut self, topic: &str, sink: Arc<dyn Sink>) -> Router {
        self.routes.insert(topic.to_string(), sink);
        self
    }

    pub fn topics(&self) -> Vec<String> {
        self.routes.keys().cloned().collect()
    }

    fn sink(&self, topic: &str) -> Option<&Arc<dyn Sink>> {
        self.routes.get(topic)
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DispatchReport {
    pub claimed: usize,
    pub delivered: usize,
    pub retried: usize,
    pub dead: usize,
}

pub fn dispatch(services: &Services, router: &Router, batch: i64) -> ServiceResult<DispatchReport> {
    let topics = router.topics();
    if topics.is_empty() {
        return Ok(DispatchReport::default());
    }
    let now = services.now();
    let lease = TimeDelta::seconds(services.config.outbox_lease_secs.max(1));
    let claimed =
        services.db.write(|conn| outbox::claim(conn, now, lease, batch, &topics).map_err(ServiceError::from))?;
    let mut report = DispatchReport { claimed: claimed.len(), ..Default::default() };
    // A claim holds at most the oldest undelivered message of each dossier and topic, so order holds.
    for message in &claimed {
        let sink = router.sink(&message.topic).expect("claimed topics have sinks");
        let delivery = Delivery { topic: &message.topic, key: &message.message_key, payload: &message.payload };
        let outcome = sink.deliver(&delivery);
        let now = services.now();
        services.db.write(|conn| -> ServiceResult<()> {
            match &outcome {
                Ok(receipt) => {
                    record(conn, receipt, now)?;
                    outbox::mark_delivered(conn, message.id, now)?;
                    if now.naive_utc() - message.created_at > crate::domain::scorecard::sync_within() {
                        note_sync_late(conn, message)?;
                    }
                    report.delivered += 1;
                }
                Err(failure) => {
                    let give_up = matches!(failure, Failure::Rejected(_));
                    let max = services.config.outbox_max_attempts;
                    if outbox::mark_failed(conn, message, failure.reason(), now, max, give_up)? {
                        note_sync_late(conn, message)?;
                        tracing::warn!(key = %message.message_key, error = %failure.reason(), "outbox message parked as dead");
                        report.dead += 1;
                    } else {
                        report.retried += 1;
                    }
                }
            }
            Ok(())
        })?;
    }
    Ok(report)
}

/// A portal message delivered late or given up costs its dossier the sync indicator: kept in its facts.
fn note_sync_late(conn: &mut DbConnection, message: &outbox::Message) -> StoreResult<()> {
    match &message.dossier_id {
        Some(dossier) if message.topic == crate::ports::topics::PORTAL_STATUS => facts::mark_sync_late(conn, dossier),
        _ => Ok(()),
    }
}

/// Records what a delivery learned, in the transaction that marks it delivered: if that fails, the message is
/// delivered again, which the counterpart answers the same way.
fn record(conn: &mut DbConnection, receipt: &Receipt, now: chrono::DateTime<chrono::Utc>) -> StoreResult<()> {
    match receipt {
        Receipt::Delivered => Ok(()),
        Receipt::OrderOpened { order_id, pay_url } => payments::mark_open(conn, order_id, pay_url, now),
        Receipt::Refunded { refund_id } => payments::mark_refunded(conn, refund_id, now),
    }
}
