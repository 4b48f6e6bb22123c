-- The working-time calendar, versioned: each change an administrator makes (a day off moved by the government)
-- is a new version; the newest is in use. A dossier records the version its deadline was last computed with:
-- a change does not move deadlines already computed.
CREATE TABLE calendars (
    version INTEGER PRIMARY KEY,
    -- The calendar in its file's form (fixtures/calendar.toml).
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    note TEXT NOT NULL
);
ALTER TABLE dossiers ADD COLUMN calendar_version INTEGER;
