-- What each dossier contributes to the Decision 766 indicators (domain/facts.rs), one narrow row beside it,
-- written in the same transaction as each change: a period's figures are counted over these rows by index, with
-- no state decoded, and the dossiers behind a lost point are listed by the same conditions. Rows of dossiers
-- stored before are filled in at start (store::Db::migrate).
CREATE TABLE dossier_facts (
    dossier_id TEXT PRIMARY KEY REFERENCES dossiers (id),
    agency_id TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    channel INTEGER NOT NULL,
    handler_id TEXT,
    received_at TIMESTAMP,
    finished_at TIMESTAMP,
    due_at TIMESTAMP,
    -- Of finished dossiers: 0 early, 1 on time, 2 late.
    timeliness INTEGER,
    fully_online_eligible BOOLEAN NOT NULL,
    result_is_paper BOOLEAN NOT NULL,
    electronic_result BOOLEAN NOT NULL,
    fee_due BOOLEAN NOT NULL,
    paid_online BOOLEAN NOT NULL,
    digitised BOOLEAN NOT NULL,
    reuse_eligible BOOLEAN NOT NULL,
    reused BOOLEAN NOT NULL,
    population_data BOOLEAN NOT NULL,
    -- A message to the national portal about it was delivered late or given up (not known from its state: set by
    -- the outbox dispatcher).
    sync_late BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX dossier_facts_received ON dossier_facts (agency_id, received_at);
CREATE INDEX dossier_facts_finished ON dossier_facts (agency_id, finished_at);
CREATE INDEX dossier_facts_open ON dossier_facts (agency_id, received_at) WHERE finished_at IS NULL;
-- The ratings of "not satisfied" (domain::scorecard::NOT_SATISFIED_AT_MOST), few, read whole by the satisfaction
-- indicator.
CREATE INDEX ratings_not_satisfied ON ratings (dossier_id) WHERE score <= 2;
