//! Payment orders (table `payment_orders`): what we asked the payment platform to collect for a dossier, what
//! it answered, whether it was paid, and any refund. Status moves forward only: `requested` (written with the
//! outbox message that creates it) -> `open` (the platform accepted it and gave its pay URL) -> `paid` (its
//! signed callback). A refund is a separate set of columns so the payment stays on record.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::payment_orders;
use super::{DbConnection, StoreResult, serialize_utc, serialize_utc_opt, to_db};

pub const REQUESTED: &str = "requested";
pub const OPEN: &str = "open";
pub const PAID: &str = "paid";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = payment_orders)]
pub struct PaymentOrder {
    pub order_id: String,
    pub dossier_id: String,
    pub amount_vnd: i64,
    pub status: String,
    pub pay_url: Option<String>,
    pub transaction_id: Option<String>,
    #[serde(serialize_with = "serialize_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "serialize_utc_opt")]
    pub opened_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "serialize_utc_opt")]
    pub paid_at: Option<NaiveDateTime>,
    pub refund_id: Option<String>,
    pub refund_reason: Option<String>,
    #[serde(serialize_with = "serialize_utc_opt")]
    pub refund_requested_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "serialize_utc_opt")]
    pub refunded_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConnection,
    order_id: &str,
    dossier_id: &str,
    amount_vnd: u64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(payment_orders::table)
        .values((
            payment_orders::order_id.eq(order_id),
            payment_orders::dossier_id.eq(dossier_id),
            payment_orders::amount_vnd.eq(amount_vnd as i64),
            payment_orders::status.eq(REQUESTED),
            payment_orders::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, order_id: &str) -> StoreResult<Option<PaymentOrder>> {
    Ok(payment_orders::table.find(order_id).select(PaymentOrder::as_select()).first(conn).optional()?)
}

/// Orders of a dossier, oldest first.
pub fn for_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<PaymentOrder>> {
    Ok(payment_orders::table
        .filter(payment_orders::dossier_id.eq(dossier_id))
        .order((payment_orders::created_at, payment_orders::order_id))
        .select(PaymentOrder::as_select())
        .load(conn)?)
}

/// The platform accepted the order: its pay URL. Only a `requested` order opens (a late answer to a resent
/// order never moves a paid one back).
pub fn mark_open(conn: &mut DbConnection, order_id: &str, pay_url: &str, now: DateTime<Utc>) -> StoreResult<()> {
    diesel::update(
        payment_orders::table.filter(payment_orders::order_id.eq(order_id).and(payment_orders::status.eq(REQUESTED))),
    )
    .set((
        payment_orders::status.eq(OPEN),
        payment_orders::pay_url.eq(pay_url),
        payment_orders::opened_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    // A paid order may still lack its pay URL when the callback came before the answer: keep the URL.
    diesel::update(
        payment_orders::table.filter(payment_orders::order_id.eq(order_id).and(payment_orders::pay_url.is_null())),
    )
    .set(payment_orders::pay_url.eq(pay_url))
    .execute(conn)?;
    Ok(())
}

/// Records the payment; false when the order was already paid (a repeated callback).
pub fn mark_paid(
    conn: &mut DbConnection,
    order_id: &str,
    transaction_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let updated = diesel::update(
        payment_orders::table.filter(payment_orders::order_id.eq(order_id).and(payment_orders::status.ne(PAID))),
    )
    .set((
        payment_orders::status.eq(PAID),
        payment_orders::transaction_id.eq(transaction_id),
        payment_orders::paid_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Starts a refund of a paid order; false when one was already started.
pub fn request_refund(
    conn: &mut DbConnection,
    order_id: &str,
    refund_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let updated = diesel::update(
        payment_orders::table.filter(
            payment_orders::order_id
                .eq(order_id)
                .and(payment_orders::status.eq(PAID))
                .and(payment_orders::refund_id.is_null()),
        ),
    )
    .set((
        payment_orders::refund_id.eq(refund_id),
        payment_orders::refund_reason.eq(reason),
        payment_orders::refund_requested_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The platform accepted the refund.
pub fn mark_refunded(conn: &mut DbConnection, refund_id: &str, now: DateTime<Utc>) -> StoreResult<()> {
    diesel::update(
        payment_orders::table
            .filter(payment_orders::refund_id.eq(refund_id).and(payment_orders::refunded_at.is_null())),
    )
    .set(payment_orders::refunded_at.eq(to_db(now)))
    .execute(conn)?;
    Ok(())
}
