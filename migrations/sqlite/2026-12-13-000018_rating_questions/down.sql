DROP TABLE rating_links;
DROP TRIGGER ratings_mark_facts_again;
DROP TRIGGER ratings_mark_facts;
CREATE TRIGGER ratings_mark_facts AFTER INSERT ON ratings
BEGIN
    UPDATE dossier_facts SET rated_low = (NEW.score <= 2) WHERE dossier_id = NEW.dossier_id;
END;
CREATE TRIGGER ratings_mark_facts_again AFTER UPDATE OF score ON ratings
BEGIN
    UPDATE dossier_facts SET rated_low = (NEW.score <= 2) WHERE dossier_id = NEW.dossier_id;
END;
ALTER TABLE ratings DROP COLUMN via;
ALTER TABLE ratings DROP COLUMN officer_satisfied;
ALTER TABLE ratings DROP COLUMN result_satisfied;
ALTER TABLE ratings DROP COLUMN reception_satisfied;
