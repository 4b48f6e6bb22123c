//! Fees and the payment platform (DESIGN.md §5 status 6, §10).
//!
//! - `request_payment` (status 6, the legal clock paused) writes, in the same transaction as its event, a
//!   payment order row and the `payment.order` outbox message that creates the order at the platform (see
//!   `adapters::payment`). The platform's pay URL is stored on the order when it answers, and shown to staff
//!   (`payments_of`) and to the citizen tracking the dossier.
//! - The platform's callback (`payment_callback`) is signed with the shared secret; it is checked before
//!   anything is read. In one transaction it marks the order paid and records the payment on the dossier with
//!   the domain's `record_payment` as the system actor, which resumes processing (status 4, clock running).
//!   It is idempotent: a repeated callback of a paid order answers the same and changes nothing.
//! - A payment the dossier no longer needs (it was settled at the counter meanwhile, or stopped, or
//!   withdrawn) is still recorded on the order and refunded at once, so no money is kept without a reason.
//! - When a dossier that was paid through the platform ends in a refusal (status 8), the same transaction
//!   starts a refund (`payment.refund`).
//!
//! Fees shown to citizens come from the procedure definition, with zero-fee periods honoured on the day.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::Payments;
use super::{FieldError, ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::actor::Actor;
use crate::domain::dossier::{Action, Change, Context, Dossier, Event, Rejection, Status, apply, decide};
use crate::domain::procedure::Procedure;
use crate::ports::payment::{Notification, OrderMessage, RefundMessage, order_id, refund_id};
use crate::ports::topics;
use crate::store::payments::{self as orders, PAID, PaymentOrder};
use crate::store::{DbConnection, dossiers, outbox};

/// One fee of the procedure as due on a day.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeDue {
    pub name: String,
    /// The amount the definition sets.
    pub amount_vnd: u64,
    /// What is due on the day: 0 inside an official zero-fee period (per unit for a fee counted in units).
    pub due_vnd: u64,
    /// What a fee counted in units is counted in ("trang"), and its schedule in words.
    pub unit: Option<String>,
    pub schedule: Option<String>,
    pub note: Option<String>,
    pub free_from: Option<NaiveDate>,
    pub free_until: Option<NaiveDate>,
}

/// An order with the words for its state.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderView {
    #[serde(flatten)]
    pub order: PaymentOrder,
    /// `requested`, `open`, `paid`, `refund_requested` or `refunded`.
    pub state: &'static str,
    pub state_vi: &'static str,
    pub state_en: &'static str,
}

/// The payment side of a dossier.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DossierPayments {
    pub date: NaiveDate,
    pub fees: Vec<FeeDue>,
    pub total_due_vnd: u64,
    pub orders: Vec<OrderView>,
}

/// What a callback did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallbackOutcome {
    /// The payment is recorded on the dossier; processing resumes.
    Recorded,
    /// The order was already paid: nothing changed.
    AlreadyRecorded,
    /// The dossier no longer needed the payment: recorded on the order and refunded.
    Refunding,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackAnswer {
    pub order_id: String,
    pub outcome: CallbackOutcome,
}

/// The fees of a procedure on a day.
pub fn fees_due(procedure: &Procedure, date: NaiveDate) -> Vec<FeeDue> {
    procedure
        .fees
        .iter()
        .map(|fee| FeeDue {
            name: fee.name.clone(),
            amount_vnd: fee.amount_vnd,
            due_vnd: fee.amount_on(date),
            unit: fee.unit.clone(),
            schedule: fee.schedule_vi(),
            note: fee.note.clone(),
            free_from: fee.free_from,
            free_until: fee.free_until,
        })
        .collect()
}

pub fn order_view(order: PaymentOrder) -> OrderView {
    let state = match (&order.refunded_at, &order.refund_id) {
        (Some(_), _) => "refunded",
        (None, Some(_)) => "refund_requested",
        _ => match order.status.as_str() {
            orders::OPEN => "open",
            orders::PAID => "paid",
            _ => "requested",
        },
    };
    let (state_vi, state_en) = crate::messages::lookup(&format!("payment.{state}"));
    OrderView { order, state, state_vi, state_en }
}

/// The system actor of the platform's callbacks.
fn platform() -> Actor {
    Actor::System { name: "Nền tảng thanh toán".into() }
}

impl Services {
    /// Payment orders and refunds caused by a change, in its transaction (called by `persist`).
    pub(super) fn queue_payments(
        &self,
        conn: &mut DbConnection,
        before: Option<&Dossier>,
        after: &Dossier,
        new_events: &[Event],
        procedure: &Procedure,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let first_seq = before.map_or(0, |b| b.version) + 1;
        for (i, event) in new_events.iter().enumerate() {
            if let Change::PaymentRequested { amount_vnd, .. } = &event.change {
                let order_id = order_id(&after.id, first_seq + i as u64);
                orders::insert(conn, &order_id, &after.id, *amount_vnd, now)?;
                let code = after.code.clone().unwrap_or_else(|| after.id.clone());
                let public = self.config.public_url.trim_end_matches('/');
                let message = OrderMessage {
                    order_id: order_id.clone(),
                    amount_vnd: *amount_vnd,
                    dossier_code: code.clone(),
                    description: format!("Phí, lệ phí hồ sơ {code}: {}", procedure.name),
                    callback_url: format!("{public}/api/v1/payments/callback"),
                    // Back from the platform to the applicant's own page of the dossier.
                    return_url: format!("{public}/cong-dan/ho-so/{}", after.id),
                };
                let payload = serde_json::to_string(&message).expect("orders serialize");
                let message = outbox::NewMessage {
                    dossier_id: Some(&after.id),
                    topic: topics::PAYMENT_ORDER,
                    key: order_id,
                    payload,
                };
                outbox::enqueue(conn, message, now)?;
            }
        }
        let stopped_now = after.status == Status::Stopped && before.is_some_and(|b| b.status != Status::Stopped);
        if stopped_now {
            for order in orders::for_dossier(conn, &after.id)? {
                if order.status == PAID && order.refund_id.is_none() {
                    self.refund(conn, &order, "Hồ sơ bị dừng xử lý (từ chối giải quyết): hoàn trả phí, lệ phí", now)?;
                }
            }
        }
        Ok(())
    }

    /// Starts the refund of a paid order and queues it for the platform.
    fn refund(
        &self,
        conn: &mut DbConnection,
        order: &PaymentOrder,
        reason: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let refund_id = refund_id(&order.order_id);
        if !orders::request_refund(conn, &order.order_id, &refund_id, reason, now)? {
            return Ok(());
        }
        let message = RefundMessage {
            refund_id: refund_id.clone(),
            order_id: order.order_id.clone(),
            amount_vnd: order.amount_vnd as u64,
            reason: reason.to_string(),
        };
        let payload = serde_json::to_string(&message).expect("refunds serialize");
        let message = outbox::NewMessage {
            dossier_id: Some(&order.dossier_id),
            topic: topics::PAYMENT_REFUND,
            key: refund_id,
            payload,
        };
        outbox::enqueue(conn, message, now)?;
        Ok(())
    }

    fn record_callback(
        &self,
        conn: &mut DbConnection,
        notification: &Notification,
        now: DateTime<Utc>,
    ) -> ServiceResult<CallbackOutcome> {
        let order =
            orders::get(conn, &notification.order_id)?.ok_or(ServiceError::NotFound("payment.order_not_found"))?;
        // The dossier is locked first, so two callbacks of one order are decided one after the other.
        let before =
            dossiers::load_for_update(conn, &order.dossier_id)?.ok_or(ServiceError::NotFound("dossier.not_found"))?;
        let order = orders::get(conn, &order.order_id)?.ok_or(ServiceError::NotFound("payment.order_not_found"))?;
        if notification.amount_vnd != order.amount_vnd as u64 {
            return Err(Rejection::AmountMismatch {
                requested: order.amount_vnd as u64,
                paid: notification.amount_vnd,
            }
            .into());
        }
        if order.status == PAID {
            if order.transaction_id.as_deref() != Some(notification.transaction_id.as_str()) {
                tracing::warn!(order = %order.order_id, "a second transaction notified for a paid order");
            }
            return Ok(CallbackOutcome::AlreadyRecorded);
        }
        orders::mark_paid(conn, &order.order_id, &notification.transaction_id, now)?;
        let order = orders::get(conn, &order.order_id)?.expect("just updated");
        let procedure = &*self.procedure_of(&before)?;
        let action = Action::RecordPayment {
            amount_vnd: notification.amount_vnd,
            reference: notification.transaction_id.clone(),
        };
        match decide(&before, procedure, action, &Context::new(now, platform(), &self.calendar)) {
            Ok(events) => {
                let after = events.iter().fold(before.clone(), apply);
                self.persist(conn, Some(&before), &after, &events, procedure, now)?;
                Ok(CallbackOutcome::Recorded)
            }
            Err(rejection) => {
                tracing::warn!(order = %order.order_id, reason = %rejection, "a payment the dossier does not need: refunded");
                let reason = format!(
                    "Hồ sơ không còn chờ thanh toán (trạng thái {}): hoàn trả khoản đã nộp",
                    before.status.code()
                );
                self.refund(conn, &order, &reason, now)?;
                Ok(CallbackOutcome::Refunding)
            }
        }
    }

    pub(super) fn payments_due(&self, dossier: &Dossier) -> ServiceResult<DossierPayments> {
        let procedure = &*self.procedure_of(dossier)?;
        let date = self.calendar.local_date(self.now());
        let fees = fees_due(procedure, date);
        let orders = self.db.read(|conn| orders::for_dossier(conn, &dossier.id).map_err(ServiceError::from))?;
        Ok(DossierPayments {
            date,
            total_due_vnd: fees.iter().map(|f| f.due_vnd).sum(),
            fees,
            orders: orders.into_iter().map(order_view).collect(),
        })
    }
}

impl Payments<'_> {
    /// The platform's signed callback: `body` exactly as received, `signature` from its header.
    pub fn payment_callback(&self, body: &[u8], signature: Option<&str>) -> ServiceResult<CallbackAnswer> {
        let platform = self.ports.payment.as_deref();
        if !platform.is_some_and(|p| p.authentic(body, signature.unwrap_or_default())) {
            tracing::warn!(target: "audit", "payment callback with a bad signature refused");
            self.audit("payment-platform", "payment callback", "denied:payment.bad_signature");
            return Err(ServiceError::Unauthenticated("payment.bad_signature"));
        }
        let notification: Notification = serde_json::from_slice(body).map_err(|e| {
            ServiceError::Invalid(vec![FieldError::new("body", "request.malformed").with_detail(&e.to_string())])
        })?;
        let merchant = platform.map_or("", |p| p.merchant());
        let mut errors = Vec::new();
        if notification.merchant != merchant {
            errors.push(FieldError::new("merchant", "payment.merchant_mismatch"));
        }
        if notification.status != "paid" {
            errors.push(FieldError::new("status", "field.required").with_detail("only `paid` is notified"));
        }
        if notification.transaction_id.trim().is_empty() {
            errors.push(FieldError::new("transaction_id", "field.required"));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let now = self.now();
        let outcome = self.db.write(|conn| self.record_callback(conn, &notification, now))?;
        self.audit("payment-platform", &format!("payment callback {}", notification.order_id), &format!("{outcome:?}"));
        Ok(CallbackAnswer { order_id: notification.order_id, outcome })
    }

    /// Fees due today and the payment orders of a dossier the caller may see.
    pub fn payments_of(&self, caller: &StaffIdentity, id: &str) -> ServiceResult<DossierPayments> {
        let dossier = self.dossiers().dossier(caller, id)?;
        self.payments_due(&dossier)
    }
}
