-- What text recognition read on each stored file (by its hash: a file is read once, however many papers share
-- it), and what the desk or the arrival check found to disagree with what was stated.
CREATE TABLE paper_readings (
    blob_sha256 TEXT PRIMARY KEY,
    read_at TIMESTAMP NOT NULL,
    -- id_card | birth_certificate | birth_notice | other
    paper_kind TEXT NOT NULL,
    -- The fields found (domain::reading::Found) and the scan's problems (Problem list), as JSON.
    found TEXT NOT NULL,
    problems TEXT NOT NULL,
    pages INTEGER NOT NULL,
    body TEXT NOT NULL,
    -- The text folded for search (lower case, no accents): staff search with or without accents.
    search_text TEXT NOT NULL
);
CREATE INDEX paper_readings_search ON paper_readings USING GIN (to_tsvector('simple', search_text));

CREATE TABLE paper_checks (
    id TEXT PRIMARY KEY,
    dossier_id TEXT NOT NULL,
    paper_id TEXT,
    -- name | id_number | birth_date | sex | address
    field TEXT NOT NULL,
    -- What it was held against: typed (at the desk) | declared (online: the applicant's own account and e-form)
    against TEXT NOT NULL,
    stated TEXT NOT NULL,
    found TEXT NOT NULL,
    found_at TIMESTAMP NOT NULL,
    -- NULL: waiting for the clerk; kept (the stated value stands) | corrected (the clerk had it changed)
    decision TEXT,
    decided_by TEXT,
    decided_at TIMESTAMP
);
CREATE INDEX paper_checks_dossier ON paper_checks (dossier_id, found_at);
