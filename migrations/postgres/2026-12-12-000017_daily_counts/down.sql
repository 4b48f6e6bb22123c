DROP TRIGGER dossier_facts_daily_update ON dossier_facts;
DROP TRIGGER dossier_facts_daily ON dossier_facts;
DROP FUNCTION daily_counts_follow();
DROP FUNCTION daily_counts_add(dossier_facts, BIGINT);
DROP TABLE daily_counts;
DROP TRIGGER ratings_mark_facts ON ratings;
DROP FUNCTION ratings_mark_facts();
CREATE INDEX ratings_not_satisfied ON ratings (dossier_id) WHERE score <= 2;
ALTER TABLE dossier_facts DROP COLUMN rated_low;
