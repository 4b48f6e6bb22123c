//! The payment platform (PayGov-like): fees are collected through payment orders the platform hosts; the
//! platform tells us of a payment with a signed callback.
//!
//! Going out, through the outbox (at least once, retried with backoff, one order per key):
//! - `payment.order`: written in the transaction of `request_payment`; delivered as `POST {url}/orders` with
//!   `{"merchant", "order_id", "amount_vnd", "dossier_code", "description", "callback_url", "return_url"}`,
//!   headers `Authorization: Bearer {token}` and `Idempotency-Key: {order_id}`. The platform answers 200/201
//!   `{"order_id", "pay_url", "status"}`; the same order id with the same amount is answered again (200),
//!   with another amount refused (409). The pay URL is stored on the order for the citizen.
//! - `payment.refund`: written in the transaction that ends a paid dossier with a refusal (status 8), or that
//!   records a payment the dossier no longer needed; delivered as `POST {url}/refunds` with
//!   `{"merchant", "refund_id", "order_id", "amount_vnd", "reason"}` and `Idempotency-Key: {refund_id}`.
//!
//! Coming in: `POST {public_url}/api/v1/payments/callback` with the JSON `Notification` and the header
//! `X-Signature: hex(HMAC-SHA256(secret, body))`, checked in constant time over the exact bytes received.
//!
//! Order ids are `MC-{dossier id as 32 hex digits}-{sequence of the payment-request event}`: deterministic, so
//! an order resent after a lost answer is the same order; refund ids are `RF-…` with the same tail.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use reqwest::blocking::Client;
use serde::{Deserialize, Serialize};
use sha2_next::Sha256;

use super::http::{client, outcome};
use super::outside::PaymentEndpoint;
use crate::ports::payment::{OrderMessage, PaymentPlatform, RefundMessage};
use crate::ports::{Delivery, Failure, Receipt, Sink, topics};

/// What the platform answers to a created order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedOrder {
    pub order_id: String,
    pub pay_url: String,
    #[serde(default)]
    pub status: String,
}

fn mac(secret: &str) -> Option<Hmac<Sha256>> {
    if secret.is_empty() {
        return None;
    }
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).ok()
}

/// The signature the platform puts on a callback body: lowercase hex of HMAC-SHA256 with the shared secret.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let Some(mut mac) = mac(secret) else { return String::new() };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a callback's signature in constant time. No secret configured: nothing is ever accepted.
pub fn verify(secret: &str, body: &[u8], signature: &str) -> bool {
    let (Some(mut mac), Ok(given)) = (mac(secret), hex::decode(signature.trim())) else { return false };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

pub struct PaymentClient {
    platform: PaymentEndpoint,
    http: Client,
}

impl PaymentClient {
    pub fn new(platform: &PaymentEndpoint, timeout: Duration) -> PaymentClient {
        PaymentClient { platform: platform.clone(), http: client(timeout) }
    }

    fn post(&self, path: &str, key: &str, body: serde_json::Value) -> Result<reqwest::blocking::Response, Failure> {
        let sent = self
            .http
            .post(self.platform.endpoint.join(path))
            .bearer_auth(&self.platform.endpoint.token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send();
        outcome(sent)
    }

    pub fn create_order(&self, order: &OrderMessage) -> Result<OpenedOrder, Failure> {
        let mut body = serde_json::to_value(order).expect("orders serialize");
        body["merchant"] = self.platform.merchant.clone().into();
        let opened: OpenedOrder = self
            .post("orders", &order.order_id, body)?
            .json()
            .map_err(|e| Failure::Transient(format!("unreadable answer: {e}")))?;
        if opened.order_id != order.order_id || opened.pay_url.is_empty() {
            return Err(Failure::Transient(format!("the platform answered about order {}", opened.order_id)));
        }
        Ok(opened)
    }

    pub fn refund(&self, refund: &RefundMessage) -> Result<(), Failure> {
        let mut body = serde_json::to_value(refund).expect("refunds serialize");
        body["merchant"] = self.platform.merchant.clone().into();
        self.post("refunds", &refund.refund_id, body).map(drop)
    }
}

impl PaymentPlatform for PaymentClient {
    fn merchant(&self) -> &str {
        &self.platform.merchant
    }

    fn authentic(&self, body: &[u8], signature: &str) -> bool {
        verify(&self.platform.secret, body, signature)
    }
}

/// Delivers `payment.order` and `payment.refund`; the platform's answer is the receipt recorded on the order.
pub struct PaymentSink(PaymentClient);

impl PaymentSink {
    pub fn new(platform: &PaymentEndpoint, timeout: Duration) -> PaymentSink {
        PaymentSink(PaymentClient::new(platform, timeout))
    }
}

impl Sink for PaymentSink {
    fn deliver(&self, delivery: &Delivery<'_>) -> Result<Receipt, Failure> {
        let unreadable = |e: serde_json::Error| Failure::Rejected(format!("unreadable {}: {e}", delivery.topic));
        match delivery.topic {
            topics::PAYMENT_ORDER => {
                let order: OrderMessage = serde_json::from_str(delivery.payload).map_err(unreadable)?;
                let opened = self.0.create_order(&order)?;
                Ok(Receipt::OrderOpened { order_id: order.order_id, pay_url: opened.pay_url })
            }
            topics::PAYMENT_REFUND => {
                let refund: RefundMessage = serde_json::from_str(delivery.payload).map_err(unreadable)?;
                self.0.refund(&refund)?;
                Ok(Receipt::Refunded { refund_id: refund.refund_id })
            }
            other => Err(Failure::Rejected(format!("the payment platform takes no {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_same_secret_and_body() {
        let body = br#"{"order_id":"MC-1"}"#;
        let signature = sign("s3cret", body);
        assert_eq!(signature.len(), 64);
        assert!(verify("s3cret", body, &signature));
        assert!(!verify("other", body, &signature));
        assert!(!verify("s3cret", br#"{"order_id":"MC-2"}"#, &signature));
        assert!(!verify("s3cret", body, "not hex"));
        assert!(!verify("", body, &sign("", body)), "no secret, no trust");
    }
}
