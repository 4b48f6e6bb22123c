-- The staff's search of read papers at ten million dossiers (store::readings::search). Each paper carries its
-- dossier's agency and the words read on its file:
-- - papers_agency_added walks one agency's papers newest first, so a word on many papers fills a page from the
--   newest few hundred;
-- - papers_search holds each word behind its agency (`000.31.01.H26:huong`, as dossiers_search does), so a rare
--   word reads that agency's few matches, not every paper of the province that holds it.
-- The readings' own index, which held every agency's words together, is no longer read.
ALTER TABLE papers ADD COLUMN agency_id TEXT;
ALTER TABLE papers ADD COLUMN search_text TEXT;
UPDATE papers SET agency_id = dossiers.agency_id FROM dossiers WHERE dossiers.id = papers.dossier_id;
UPDATE papers SET search_text = paper_readings.search_text
    FROM paper_readings WHERE paper_readings.blob_sha256 = papers.blob_sha256;

-- Kept by the store, not the program: a process of the previous version, still running during a rolling upgrade,
-- inserts papers and readings without them. A dossier's agency never changes.
CREATE FUNCTION papers_agency_and_words() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    NEW.agency_id := (SELECT agency_id FROM dossiers WHERE id = NEW.dossier_id);
    NEW.search_text := (SELECT search_text FROM paper_readings WHERE blob_sha256 = NEW.blob_sha256);
    RETURN NEW;
END $$;
CREATE TRIGGER papers_agency_and_words BEFORE INSERT ON papers
    FOR EACH ROW EXECUTE FUNCTION papers_agency_and_words();

-- A file read (or read again) gives its words to every paper of it.
CREATE FUNCTION paper_readings_words() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE papers SET search_text = NULL WHERE blob_sha256 = OLD.blob_sha256;
    ELSE
        UPDATE papers SET search_text = NEW.search_text WHERE blob_sha256 = NEW.blob_sha256;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER paper_readings_words AFTER INSERT OR DELETE OR UPDATE OF search_text ON paper_readings
    FOR EACH ROW EXECUTE FUNCTION paper_readings_words();

CREATE INDEX papers_agency_added ON papers (agency_id, added_at, id);
CREATE INDEX papers_search ON papers
    USING gin (array_to_tsvector(string_to_array(agency_id || ':' || replace(search_text, ' ', ' ' || agency_id || ':'), ' ')))
    WITH (gin_pending_list_limit = 256);
DROP INDEX paper_readings_search;
