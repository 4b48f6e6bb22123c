-- Queues at scale (see the PostgreSQL migration): due_sort orders "due first, none last, then id" as one index
-- order; search_text is the accent-folded text the search matches, NULL until the application folds it.
ALTER TABLE dossiers ADD COLUMN due_sort TIMESTAMP NOT NULL DEFAULT '9999-12-31 00:00:00';
UPDATE dossiers SET due_sort = due_at WHERE due_at IS NOT NULL;
DROP INDEX dossiers_queue;
CREATE INDEX dossiers_queue ON dossiers (agency_id, status, due_sort, id);
CREATE INDEX dossiers_due ON dossiers (due_sort, id);
CREATE INDEX dossiers_agency_due ON dossiers (agency_id, due_sort, id);
DROP INDEX dossiers_owner;
CREATE INDEX dossiers_owner ON dossiers (applicant_id, submitted_at, id);
CREATE INDEX dossiers_received ON dossiers (agency_id, received_at) WHERE received_at IS NOT NULL;
ALTER TABLE dossiers ADD COLUMN search_text TEXT;
CREATE INDEX dossiers_unfolded ON dossiers (id) WHERE search_text IS NULL;
