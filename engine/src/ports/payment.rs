//! The payment platform (PayGov-like) as the use cases see it: the orders and refunds sent to it through the
//! outbox (`topics::PAYMENT_ORDER`, `topics::PAYMENT_REFUND`), and the signed callback it makes when a
//! citizen has paid.

use serde::{Deserialize, Serialize};

/// The header of the callback that carries the platform's signature of the body.
pub const SIGNATURE_HEADER: &str = "X-Signature";

/// The order id of the payment requested by event `sequence` of `dossier_id`.
pub fn order_id(dossier_id: &str, sequence: u64) -> String {
    format!("MC-{}-{sequence}", dossier_id.replace('-', "").to_ascii_lowercase())
}

/// The refund id of an order: one refund per order.
pub fn refund_id(order_id: &str) -> String {
    format!("RF-{}", order_id.trim_start_matches("MC-"))
}

/// The payload of a `payment.order` message (the merchant code is added on delivery: it belongs to the
/// connection, like the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderMessage {
    pub order_id: String,
    pub amount_vnd: u64,
    pub dossier_code: String,
    pub description: String,
    pub callback_url: String,
    pub return_url: String,
}

/// The payload of a `payment.refund` message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundMessage {
    pub refund_id: String,
    pub order_id: String,
    pub amount_vnd: u64,
    pub reason: String,
}

/// The platform's callback body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Notification {
    pub merchant: String,
    pub order_id: String,
    /// The platform's reference of the payment.
    pub transaction_id: String,
    pub amount_vnd: u64,
    /// Always `paid`: the platform calls back only for completed payments.
    pub status: String,
    /// RFC 3339.
    pub paid_at: String,
}

/// The connection to the platform, as the callback needs it.
pub trait PaymentPlatform: Send + Sync {
    /// Our merchant code on the platform: a callback about another merchant's order is not ours.
    fn merchant(&self) -> &str;
    /// Whether `signature` (the callback's header) is the platform's over exactly `body`.
    fn authentic(&self, body: &[u8], signature: &str) -> bool;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids_are_deterministic() {
        let id = order_id("0192f0a1-7c3e-7d10-8a3b-0123456789ab", 7);
        assert_eq!(id, "MC-0192f0a17c3e7d108a3b0123456789ab-7");
        assert_eq!(refund_id(&id), "RF-0192f0a17c3e7d108a3b0123456789ab-7");
    }
}
