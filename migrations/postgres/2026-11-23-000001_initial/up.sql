-- motcua schema, PostgreSQL. The SQLite migration of the same name creates the same tables.
-- Instants are UTC `timestamp` columns. Dossier state and events are JSON text written by the engine.

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,                       -- electronic id, e.g. 000.00.31.H26
    parent_id TEXT REFERENCES agencies (id),
    level TEXT NOT NULL,                       -- province | department | commune
    kind TEXT NOT NULL,                        -- a key of procedures/registry.toml [agency_kinds]
    name TEXT NOT NULL
);

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,               -- argon2id PHC string
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE staff_roles (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    role TEXT NOT NULL,
    PRIMARY KEY (staff_id, agency_id, role)
);

CREATE TABLE procedures (
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,                      -- the TOML definition as loaded
    source_hash TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE dossiers (
    id TEXT PRIMARY KEY,
    code TEXT UNIQUE,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    procedure_code TEXT NOT NULL,
    procedure_version INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    status INTEGER NOT NULL,
    step TEXT,
    assignee_id TEXT,
    consulted_agency_id TEXT,
    applicant_id TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    summary TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP,
    due_at TIMESTAMP,
    alert_level INTEGER NOT NULL DEFAULT 0,    -- 0 none, 1 nearly due raised, 2 overdue raised
    version BIGINT NOT NULL,
    state TEXT NOT NULL,                       -- the folded domain Dossier, JSON
    updated_at TIMESTAMP NOT NULL,
    FOREIGN KEY (procedure_code, procedure_version) REFERENCES procedures (code, version)
);
CREATE INDEX dossiers_queue ON dossiers (agency_id, status, step, due_at);
CREATE INDEX dossiers_assignee ON dossiers (assignee_id, status);
CREATE INDEX dossiers_owner ON dossiers (applicant_id);
CREATE INDEX dossiers_consulted ON dossiers (consulted_agency_id) WHERE consulted_agency_id IS NOT NULL;
CREATE INDEX dossiers_running ON dossiers (alert_level, due_at) WHERE status IN (2, 4);

CREATE TABLE dossier_components (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    component_id TEXT NOT NULL,
    provided BOOLEAN NOT NULL,
    digitisation INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, component_id)
);

-- Append-only and hash-chained per dossier: hash = sha256(prev_hash || payload).
CREATE TABLE events (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (dossier_id, seq)
);

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    dossier_id TEXT,
    topic TEXT NOT NULL,
    message_key TEXT NOT NULL UNIQUE,          -- idempotency key the receiver deduplicates on
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    delivered_at TIMESTAMP,
    dead BOOLEAN NOT NULL DEFAULT FALSE,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND NOT dead;
CREATE INDEX outbox_dossier ON outbox (dossier_id, id);

CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    unique_key TEXT UNIQUE,
    payload TEXT NOT NULL,
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    locked_by TEXT,
    locked_until TIMESTAMP,
    done_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL;

-- Gap-free dossier code sequence per agency per reception day.
CREATE TABLE code_sequences (
    agency_id TEXT NOT NULL,
    day TEXT NOT NULL,                         -- YYMMDD in the calendar's timezone
    last INTEGER NOT NULL,
    PRIMARY KEY (agency_id, day)
);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    family TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

CREATE TABLE idempotency_keys (
    staff_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (staff_id, key)
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Security audit: sign-ins, lock-outs and every denied request (separate from application logs).
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    outcome TEXT NOT NULL
);
