-- Service ratings (DESIGN.md §11 "rate"): the applicant rates how a dossier was handled, once, after its result
-- was returned (1 to 5 and an optional comment). One row per dossier: the primary key makes a second rating
-- impossible even when two requests race.
CREATE TABLE ratings (
    dossier_id TEXT PRIMARY KEY REFERENCES dossiers (id),
    applicant_id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT,
    rated_at TIMESTAMP NOT NULL
);
CREATE INDEX ratings_agency ON ratings (agency_id, rated_at);
