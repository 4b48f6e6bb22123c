DROP INDEX dossier_facts_underived;
DROP INDEX dossier_facts_withdrawn;
DROP INDEX dossier_facts_open;
CREATE INDEX dossier_facts_open ON dossier_facts (agency_id, received_at) WHERE finished_at IS NULL;
ALTER TABLE dossier_facts DROP COLUMN refused;
ALTER TABLE dossier_facts DROP COLUMN withdrawn_at;
