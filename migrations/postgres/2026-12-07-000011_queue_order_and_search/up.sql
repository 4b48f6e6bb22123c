-- Queues at ten million dossiers.
-- due_sort is the due instant, or 9999-12-31 for a dossier without one, so that the queue order "due first, none
-- last, then id" is one plain index order on both databases and a keyset cursor seeks instead of filtering.
ALTER TABLE dossiers ADD COLUMN due_sort TIMESTAMP;
UPDATE dossiers SET due_sort = COALESCE(due_at, TIMESTAMP '9999-12-31 00:00:00');
ALTER TABLE dossiers ALTER COLUMN due_sort SET NOT NULL;
DROP INDEX dossiers_queue;
CREATE INDEX dossiers_queue ON dossiers (agency_id, status, due_sort, id);
CREATE INDEX dossiers_due ON dossiers (due_sort, id);
CREATE INDEX dossiers_agency_due ON dossiers (agency_id, due_sort, id);
DROP INDEX dossiers_owner;
CREATE INDEX dossiers_owner ON dossiers (applicant_id, submitted_at, id);
CREATE INDEX dossiers_received ON dossiers (agency_id, received_at) WHERE received_at IS NOT NULL;

-- search_text: the words of the code, applicant, id number, phone and summary, lower-cased without accents and
-- split at punctuation ("Kết hôn - Đỗ Thị Ánh" reads "ket hon do thi anh"), written by the application. NULL
-- marks a row not folded yet: the application folds those at start (the partial index finds them without a scan).
ALTER TABLE dossiers ADD COLUMN search_text TEXT;
CREATE INDEX dossiers_unfolded ON dossiers (id) WHERE search_text IS NULL;
-- A search is whole words. The index holds each word behind its agency (`000.31.01.H26:huong`), so that a word's
-- posting list for an agency holds only that agency's dossiers: a search reads the caller's agency's matches,
-- however many agencies and years the table holds (trigrams, or the agency and the words as two keys, read
-- posting lists that grow with the whole table). New entries wait in a pending list that every search reads
-- through until (auto)vacuum merges them; a small list keeps that read short while writes still batch.
CREATE INDEX dossiers_search ON dossiers
    USING gin (array_to_tsvector(string_to_array(agency_id || ':' || replace(search_text, ' ', ' ' || agency_id || ':'), ' ')))
    WITH (gin_pending_list_limit = 256);
