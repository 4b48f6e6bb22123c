DROP TRIGGER dossier_facts_daily_update;
DROP TRIGGER dossier_facts_daily_delete;
DROP TRIGGER dossier_facts_daily_insert;
DROP TABLE daily_counts;
DROP TRIGGER ratings_mark_facts_again;
DROP TRIGGER ratings_mark_facts;
CREATE INDEX ratings_not_satisfied ON ratings (dossier_id) WHERE score <= 2;
ALTER TABLE dossier_facts DROP COLUMN rated_low;
