DROP TABLE paper_checks;
DROP TRIGGER paper_readings_fts_update;
DROP TRIGGER paper_readings_fts_delete;
DROP TRIGGER paper_readings_fts_insert;
DROP TABLE paper_readings_fts;
DROP TABLE paper_readings;
