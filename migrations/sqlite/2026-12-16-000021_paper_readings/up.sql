-- What text recognition read on each stored file (by its hash: a file is read once, however many papers share
-- it), and what the desk or the arrival check found to disagree with what was stated.
CREATE TABLE paper_readings (
    blob_sha256 TEXT PRIMARY KEY NOT NULL,
    read_at TIMESTAMP NOT NULL,
    paper_kind TEXT NOT NULL,
    found TEXT NOT NULL,
    problems TEXT NOT NULL,
    pages INTEGER NOT NULL,
    body TEXT NOT NULL,
    search_text TEXT NOT NULL
);
-- Full-text search over the folded text, kept by triggers (SQLite's FTS5 with the table as its content).
CREATE VIRTUAL TABLE paper_readings_fts USING fts5(search_text, content='paper_readings', content_rowid='rowid');
CREATE TRIGGER paper_readings_fts_insert AFTER INSERT ON paper_readings BEGIN
    INSERT INTO paper_readings_fts (rowid, search_text) VALUES (NEW.rowid, NEW.search_text);
END;
CREATE TRIGGER paper_readings_fts_delete AFTER DELETE ON paper_readings BEGIN
    INSERT INTO paper_readings_fts (paper_readings_fts, rowid, search_text) VALUES ('delete', OLD.rowid, OLD.search_text);
END;
CREATE TRIGGER paper_readings_fts_update AFTER UPDATE ON paper_readings BEGIN
    INSERT INTO paper_readings_fts (paper_readings_fts, rowid, search_text) VALUES ('delete', OLD.rowid, OLD.search_text);
    INSERT INTO paper_readings_fts (rowid, search_text) VALUES (NEW.rowid, NEW.search_text);
END;

CREATE TABLE paper_checks (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL,
    paper_id TEXT,
    field TEXT NOT NULL,
    against TEXT NOT NULL,
    stated TEXT NOT NULL,
    found TEXT NOT NULL,
    found_at TIMESTAMP NOT NULL,
    decision TEXT,
    decided_by TEXT,
    decided_at TIMESTAMP
);
CREATE INDEX paper_checks_dossier ON paper_checks (dossier_id, found_at);
