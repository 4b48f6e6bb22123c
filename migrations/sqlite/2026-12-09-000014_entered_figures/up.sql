-- Figures of the Decision 766 indicators this system cannot count (the publication of procedures, certified
-- copies): entered per agency and month by an administrator, and summed over a scorecard's agencies and months.
CREATE TABLE entered_figures (
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    -- YYYY-MM: compared as text, in order.
    month TEXT NOT NULL,
    indicator TEXT NOT NULL,
    numerator BIGINT NOT NULL CHECK (numerator >= 0),
    denominator BIGINT NOT NULL CHECK (denominator >= numerator),
    entered_by TEXT NOT NULL,
    entered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (agency_id, month, indicator)
);
