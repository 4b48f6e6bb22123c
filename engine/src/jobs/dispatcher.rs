//! The outbox dispatcher: claims deliverable messages, hands each to its sink, and records the outcome.
//! At least once: a message is marked delivered only after the sink accepted it.

use chrono::TimeDelta;

use crate::service::{ServiceError, ServiceResult, Services};
use crate::store::outbox::{self, Message};

/// Where outbox messages go. Adapters for the national portal, mail and SMS implement this.
pub trait Sink: Send + Sync {
    fn deliver(&self, message: &Message) -> Result<(), String>;
}

/// Delivers by writing each message to the log (until the real adapters exist).
pub struct LogSink;

impl Sink for LogSink {
    fn deliver(&self, message: &Message) -> Result<(), String> {
        tracing::info!(target: "outbox", topic = %message.topic, key = %message.message_key, "delivered");
        tracing::debug!(target: "outbox", payload = %message.payload);
        Ok(())
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DispatchReport {
    pub claimed: usize,
    pub delivered: usize,
    pub retried: usize,
    pub dead: usize,
}

const LEASE: TimeDelta = TimeDelta::seconds(60);

pub fn dispatch(services: &Services, sink: &dyn Sink, batch: i64) -> ServiceResult<DispatchReport> {
    let now = services.now();
    let claimed = services.db.write(|conn| outbox::claim(conn, now, LEASE, batch).map_err(ServiceError::from))?;
    let mut report = DispatchReport { claimed: claimed.len(), ..Default::default() };
    for message in &claimed {
        let outcome = sink.deliver(message);
        let now = services.now();
        services.db.write(|conn| -> ServiceResult<()> {
            match &outcome {
                Ok(()) => {
                    outbox::mark_delivered(conn, message.id, now)?;
                    report.delivered += 1;
                }
                Err(error) => {
                    if outbox::mark_failed(conn, message, error, now, services.config.outbox_max_attempts)? {
                        tracing::warn!(key = %message.message_key, %error, "outbox message parked as dead");
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
