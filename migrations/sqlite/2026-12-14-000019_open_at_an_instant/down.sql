DROP INDEX dossier_facts_finished;
CREATE INDEX dossier_facts_finished ON dossier_facts (agency_id, finished_at);
DROP INDEX dossier_facts_open;
CREATE INDEX dossier_facts_open ON dossier_facts (agency_id, received_at)
    WHERE finished_at IS NULL AND withdrawn_at IS NULL;
