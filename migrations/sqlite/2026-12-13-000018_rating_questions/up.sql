-- The national portal's rating questions beside the 1-5 score: satisfied or not with the reception, with the
-- result, with the officer (NULL: not asked, ratings given before). A rating is "not satisfied"
-- (domain::scorecard::not_satisfied) with a score of 2 or less or any answer "not satisfied"; the facts' mark
-- follows both. `via`: on the citizen's page, or through the link sent with the result.
ALTER TABLE ratings ADD COLUMN reception_satisfied BOOLEAN;
ALTER TABLE ratings ADD COLUMN result_satisfied BOOLEAN;
ALTER TABLE ratings ADD COLUMN officer_satisfied BOOLEAN;
ALTER TABLE ratings ADD COLUMN via TEXT NOT NULL DEFAULT 'page';

DROP TRIGGER ratings_mark_facts;
DROP TRIGGER ratings_mark_facts_again;
CREATE TRIGGER ratings_mark_facts AFTER INSERT ON ratings
BEGIN
    UPDATE dossier_facts SET rated_low = COALESCE(NEW.score <= 2 OR NEW.reception_satisfied = FALSE
        OR NEW.result_satisfied = FALSE OR NEW.officer_satisfied = FALSE, FALSE)
    WHERE dossier_id = NEW.dossier_id;
END;
CREATE TRIGGER ratings_mark_facts_again AFTER UPDATE OF score, reception_satisfied, result_satisfied,
    officer_satisfied ON ratings
BEGIN
    UPDATE dossier_facts SET rated_low = COALESCE(NEW.score <= 2 OR NEW.reception_satisfied = FALSE
        OR NEW.result_satisfied = FALSE OR NEW.officer_satisfied = FALSE, FALSE)
    WHERE dossier_id = NEW.dossier_id;
END;

-- The link a returned dossier's applicant rates through without signing in (sent by e-mail and SMS with the
-- result): only its SHA-256 is kept, one per dossier.
CREATE TABLE rating_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL UNIQUE REFERENCES dossiers (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
