DROP INDEX papers_agency_added;
DROP TRIGGER papers_agency;
ALTER TABLE papers DROP COLUMN agency_id;
