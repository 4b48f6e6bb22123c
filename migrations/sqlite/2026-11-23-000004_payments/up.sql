-- Payment orders on the payment platform (DESIGN.md §10): one per payment request of a dossier. The row is
-- written in the transaction of `request_payment` together with the outbox message that creates the order at
-- the platform; the platform's answer (the pay URL), its signed callback (the payment) and a refund after a
-- refusal update it. `order_id` is what the platform knows the order by, and is deterministic (dossier id and
-- the sequence of the payment-request event), so a resent order can never become a second one.
CREATE TABLE payment_orders (
    order_id TEXT PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    amount_vnd BIGINT NOT NULL,
    status TEXT NOT NULL,                      -- requested | open | paid
    pay_url TEXT,
    transaction_id TEXT,                       -- the platform's reference of the payment
    created_at TIMESTAMP NOT NULL,
    opened_at TIMESTAMP,
    paid_at TIMESTAMP,
    refund_id TEXT UNIQUE,
    refund_reason TEXT,
    refund_requested_at TIMESTAMP,
    refunded_at TIMESTAMP
);
CREATE INDEX payment_orders_dossier ON payment_orders (dossier_id);
