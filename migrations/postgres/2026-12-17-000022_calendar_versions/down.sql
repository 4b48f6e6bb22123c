ALTER TABLE dossiers DROP COLUMN calendar_version;
DROP TABLE calendars;
