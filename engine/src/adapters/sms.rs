//! Notifications by SMS (DESIGN.md §10): a [`Sink`] for the `notify.sms` outbox topic that hands each message
//! to an HTTP SMS gateway (the simulator `motcua sim sms` holds the other end).
//!
//! Wire protocol: `POST {url}/messages` with `Authorization: Bearer {token}`, `Idempotency-Key: {outbox key}`
//! and the JSON body `{"to": "0912000111", "text": "...", "reference": "{outbox key}"}`. The gateway answers
//! 2xx once it has taken the message (a repeated key answers the first message again, without sending a
//! second SMS); 4xx when it refuses the message (bad number, text too long, bad token); 5xx when it is
//! unavailable. The outcome rules are the shared HTTP ones (`adapters::http::outcome`).

use std::time::Duration;

use reqwest::blocking::Client;
use serde::Serialize;

use super::http::{client, outcome};
use super::outside::Endpoint;
use crate::ports::notice::SmsNotice;
use crate::ports::{Delivery, Failure, Receipt, Sink};

#[derive(Debug, Serialize)]
struct Outgoing<'a> {
    to: &'a str,
    text: &'a str,
    reference: &'a str,
}

pub struct SmsSink {
    endpoint: Endpoint,
    http: Client,
}

impl SmsSink {
    pub fn new(endpoint: &Endpoint, timeout: Duration) -> SmsSink {
        SmsSink { endpoint: endpoint.clone(), http: client(timeout) }
    }
}

impl Sink for SmsSink {
    fn deliver(&self, delivery: &Delivery<'_>) -> Result<Receipt, Failure> {
        let notice: SmsNotice = serde_json::from_str(delivery.payload)
            .map_err(|e| Failure::Rejected(format!("not an SMS notification: {e}")))?;
        let body = Outgoing { to: &notice.to, text: &notice.text, reference: delivery.key };
        let sent = self
            .http
            .post(self.endpoint.join("messages"))
            .bearer_auth(&self.endpoint.token)
            .header("Idempotency-Key", delivery.key)
            .json(&body)
            .send();
        outcome(sent).map(|_| Receipt::Delivered)
    }
}
