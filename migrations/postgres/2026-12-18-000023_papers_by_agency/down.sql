CREATE INDEX paper_readings_search ON paper_readings USING GIN (to_tsvector('simple', search_text));
DROP TRIGGER paper_readings_words ON paper_readings;
DROP FUNCTION paper_readings_words();
DROP TRIGGER papers_agency_and_words ON papers;
DROP FUNCTION papers_agency_and_words();
ALTER TABLE papers DROP COLUMN search_text;
ALTER TABLE papers DROP COLUMN agency_id;
