-- Rows written packed cannot be unpacked by SQL: going down is for databases that hold none yet.
ALTER TABLE events ADD COLUMN actor TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE events DROP COLUMN body;
ALTER TABLE dossiers DROP COLUMN packed;
