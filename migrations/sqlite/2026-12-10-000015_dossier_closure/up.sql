-- Two facts the one-stop shop's monthly report needs (service::monthly): a finished dossier refused rather than
-- granted, and a received dossier withdrawn by its applicant, which leaves the work in progress without being
-- handled (before this, a dossier withdrawn after reception counted as in progress for ever).
ALTER TABLE dossier_facts ADD COLUMN withdrawn_at TIMESTAMP;
-- NULL until derived from the dossier's state: rows written before this are derived again at start
-- (service::facts), keeping what the outbox dispatcher set.
ALTER TABLE dossier_facts ADD COLUMN refused BOOLEAN;
UPDATE dossier_facts SET refused = FALSE WHERE finished_at IS NULL;
UPDATE dossier_facts SET withdrawn_at = (
    SELECT MIN(e.at) FROM events e WHERE e.dossier_id = dossier_facts.dossier_id AND e.kind = 'withdrawn'
) WHERE dossier_id IN (SELECT dossier_id FROM events WHERE kind = 'withdrawn');
DROP INDEX dossier_facts_open;
CREATE INDEX dossier_facts_open ON dossier_facts (agency_id, received_at)
    WHERE finished_at IS NULL AND withdrawn_at IS NULL;
-- Only withdrawals after reception count (before it, a dossier was never in the work): those are few.
CREATE INDEX dossier_facts_withdrawn ON dossier_facts (agency_id, withdrawn_at)
    WHERE withdrawn_at IS NOT NULL AND received_at IS NOT NULL;
CREATE INDEX dossier_facts_underived ON dossier_facts (dossier_id) WHERE refused IS NULL;
