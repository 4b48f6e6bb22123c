-- The agency of a paper's dossier, kept on the paper: the staff's search of read papers (store::readings::search)
-- walks one agency's papers newest first (papers_agency_added), so a word on many papers fills a page from the
-- newest few hundred. Rarer words are found through the readings' FTS5 table, as before.
ALTER TABLE papers ADD COLUMN agency_id TEXT;
UPDATE papers SET agency_id = (SELECT agency_id FROM dossiers WHERE dossiers.id = papers.dossier_id);
-- Filled on insert by the store, not by the program (a previous version's process inserts papers without it).
-- A dossier's agency never changes.
CREATE TRIGGER papers_agency AFTER INSERT ON papers BEGIN
    UPDATE papers SET agency_id = (SELECT agency_id FROM dossiers WHERE id = NEW.dossier_id) WHERE id = NEW.id;
END;
CREATE INDEX papers_agency_added ON papers (agency_id, added_at, id);
