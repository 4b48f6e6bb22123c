DROP TABLE rating_links;
DROP TRIGGER ratings_mark_facts ON ratings;
CREATE OR REPLACE FUNCTION ratings_mark_facts() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE dossier_facts SET rated_low = (NEW.score <= 2) WHERE dossier_id = NEW.dossier_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ratings_mark_facts AFTER INSERT OR UPDATE OF score ON ratings
    FOR EACH ROW EXECUTE FUNCTION ratings_mark_facts();
ALTER TABLE ratings DROP COLUMN via;
ALTER TABLE ratings DROP COLUMN officer_satisfied;
ALTER TABLE ratings DROP COLUMN result_satisfied;
ALTER TABLE ratings DROP COLUMN reception_satisfied;
