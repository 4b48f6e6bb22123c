-- The working-time calendar, versioned (see the PostgreSQL migration).
CREATE TABLE calendars (
    version INTEGER PRIMARY KEY NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    note TEXT NOT NULL
);
ALTER TABLE dossiers ADD COLUMN calendar_version INTEGER;
