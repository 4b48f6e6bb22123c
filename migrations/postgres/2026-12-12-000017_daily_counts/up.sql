-- Daily counts of the Decision 766 figures per agency, procedure and local day (Vietnam, UTC+7, no daylight
-- saving), kept by triggers in the transaction of every change to `dossier_facts`: a period's scorecard sums a few
-- rows a day instead of reading every dossier of the period (at 6.3 M dossiers a province's month read 380 k facts
-- scattered over the heap). Triggers, not the writer, keep them: bulk loads, the outbox dispatcher's marks and a
-- binary of the version before, during a rolling upgrade, all keep them exact. Receptions count on the day
-- received, completions on the day finished, withdrawals (after reception) on the day withdrawn.

-- Rated "not satisfied" (domain::scorecard::NOT_SATISFIED_AT_MOST), kept by a trigger on `ratings`: a fact of the
-- dossier like the others, so the satisfaction figure is counted, not probed per dossier.
ALTER TABLE dossier_facts ADD COLUMN rated_low BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE dossier_facts SET rated_low = TRUE WHERE dossier_id IN (SELECT dossier_id FROM ratings WHERE score <= 2);
DROP INDEX ratings_not_satisfied;

CREATE FUNCTION ratings_mark_facts() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE dossier_facts SET rated_low = (NEW.score <= 2) WHERE dossier_id = NEW.dossier_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ratings_mark_facts AFTER INSERT OR UPDATE OF score ON ratings
    FOR EACH ROW EXECUTE FUNCTION ratings_mark_facts();

-- Updated in place all day (counters are not indexed: HOT updates), hence the free room in each page.
CREATE TABLE daily_counts (
    agency_id TEXT NOT NULL,
    day DATE NOT NULL,
    procedure_code TEXT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    received_online BIGINT NOT NULL DEFAULT 0,
    fully_online_eligible BIGINT NOT NULL DEFAULT 0,
    fully_online BIGINT NOT NULL DEFAULT 0,
    fee_due BIGINT NOT NULL DEFAULT 0,
    paid_online BIGINT NOT NULL DEFAULT 0,
    reuse_eligible BIGINT NOT NULL DEFAULT 0,
    reused_of_eligible BIGINT NOT NULL DEFAULT 0,
    reused BIGINT NOT NULL DEFAULT 0,
    population_data BIGINT NOT NULL DEFAULT 0,
    sync_late BIGINT NOT NULL DEFAULT 0,
    finished BIGINT NOT NULL DEFAULT 0,
    finished_in_time BIGINT NOT NULL DEFAULT 0,
    finished_early BIGINT NOT NULL DEFAULT 0,
    finished_paper_result BIGINT NOT NULL DEFAULT 0,
    finished_electronic_result BIGINT NOT NULL DEFAULT 0,
    finished_digitised BIGINT NOT NULL DEFAULT 0,
    finished_in_time_not_satisfied BIGINT NOT NULL DEFAULT 0,
    finished_refused BIGINT NOT NULL DEFAULT 0,
    withdrawn BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (agency_id, day, procedure_code)
) WITH (fillfactor = 70);
-- The whole province's periods read by day.
CREATE INDEX daily_counts_day ON daily_counts (day);

-- What one row of facts adds to (s = 1) or takes from (s = -1) the counts. The codes: channel 2 online;
-- timeliness 0 early, 2 late (store::facts).
CREATE FUNCTION daily_counts_add(f dossier_facts, s BIGINT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    IF f.received_at IS NOT NULL THEN
        INSERT INTO daily_counts AS d (agency_id, day, procedure_code, received, received_online,
            fully_online_eligible, fully_online, fee_due, paid_online, reuse_eligible, reused_of_eligible, reused,
            population_data, sync_late)
        VALUES (f.agency_id, CAST(f.received_at + INTERVAL '7 hours' AS DATE), f.procedure_code, s,
            CASE WHEN f.channel = 2 THEN s ELSE 0 END,
            CASE WHEN f.fully_online_eligible THEN s ELSE 0 END,
            CASE WHEN f.fully_online_eligible AND f.channel = 2 AND (NOT f.result_is_paper OR f.electronic_result)
                THEN s ELSE 0 END,
            CASE WHEN f.fee_due THEN s ELSE 0 END,
            CASE WHEN f.fee_due AND f.paid_online THEN s ELSE 0 END,
            CASE WHEN f.reuse_eligible THEN s ELSE 0 END,
            CASE WHEN f.reuse_eligible AND f.reused THEN s ELSE 0 END,
            CASE WHEN f.reused THEN s ELSE 0 END,
            CASE WHEN f.population_data THEN s ELSE 0 END,
            CASE WHEN f.sync_late THEN s ELSE 0 END)
        ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET
            received = d.received + EXCLUDED.received,
            received_online = d.received_online + EXCLUDED.received_online,
            fully_online_eligible = d.fully_online_eligible + EXCLUDED.fully_online_eligible,
            fully_online = d.fully_online + EXCLUDED.fully_online,
            fee_due = d.fee_due + EXCLUDED.fee_due,
            paid_online = d.paid_online + EXCLUDED.paid_online,
            reuse_eligible = d.reuse_eligible + EXCLUDED.reuse_eligible,
            reused_of_eligible = d.reused_of_eligible + EXCLUDED.reused_of_eligible,
            reused = d.reused + EXCLUDED.reused,
            population_data = d.population_data + EXCLUDED.population_data,
            sync_late = d.sync_late + EXCLUDED.sync_late;
    END IF;
    IF f.finished_at IS NOT NULL THEN
        INSERT INTO daily_counts AS d (agency_id, day, procedure_code, finished, finished_in_time, finished_early,
            finished_paper_result, finished_electronic_result, finished_digitised, finished_in_time_not_satisfied,
            finished_refused)
        VALUES (f.agency_id, CAST(f.finished_at + INTERVAL '7 hours' AS DATE), f.procedure_code, s,
            CASE WHEN f.timeliness <> 2 THEN s ELSE 0 END,
            CASE WHEN f.timeliness = 0 THEN s ELSE 0 END,
            CASE WHEN f.result_is_paper THEN s ELSE 0 END,
            CASE WHEN f.result_is_paper AND f.electronic_result THEN s ELSE 0 END,
            CASE WHEN f.digitised THEN s ELSE 0 END,
            CASE WHEN f.timeliness <> 2 AND f.rated_low THEN s ELSE 0 END,
            CASE WHEN f.refused = TRUE THEN s ELSE 0 END)
        ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET
            finished = d.finished + EXCLUDED.finished,
            finished_in_time = d.finished_in_time + EXCLUDED.finished_in_time,
            finished_early = d.finished_early + EXCLUDED.finished_early,
            finished_paper_result = d.finished_paper_result + EXCLUDED.finished_paper_result,
            finished_electronic_result = d.finished_electronic_result + EXCLUDED.finished_electronic_result,
            finished_digitised = d.finished_digitised + EXCLUDED.finished_digitised,
            finished_in_time_not_satisfied = d.finished_in_time_not_satisfied + EXCLUDED.finished_in_time_not_satisfied,
            finished_refused = d.finished_refused + EXCLUDED.finished_refused;
    END IF;
    IF f.withdrawn_at IS NOT NULL AND f.received_at IS NOT NULL THEN
        INSERT INTO daily_counts AS d (agency_id, day, procedure_code, withdrawn)
        VALUES (f.agency_id, CAST(f.withdrawn_at + INTERVAL '7 hours' AS DATE), f.procedure_code, s)
        ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET withdrawn = d.withdrawn + EXCLUDED.withdrawn;
    END IF;
END $$;

CREATE FUNCTION daily_counts_follow() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM daily_counts_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM daily_counts_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER dossier_facts_daily AFTER INSERT OR DELETE ON dossier_facts
    FOR EACH ROW EXECUTE FUNCTION daily_counts_follow();
-- Most rewrites of a dossier's facts change nothing counted (an assignment, a new due instant): no work then.
CREATE TRIGGER dossier_facts_daily_update AFTER UPDATE ON dossier_facts
    FOR EACH ROW WHEN ((OLD.agency_id, OLD.procedure_code, OLD.channel, OLD.received_at, OLD.finished_at,
        OLD.withdrawn_at, OLD.timeliness, OLD.fully_online_eligible, OLD.result_is_paper, OLD.electronic_result,
        OLD.fee_due, OLD.paid_online, OLD.digitised, OLD.reuse_eligible, OLD.reused, OLD.population_data,
        OLD.sync_late, OLD.refused, OLD.rated_low)
        IS DISTINCT FROM (NEW.agency_id, NEW.procedure_code, NEW.channel, NEW.received_at, NEW.finished_at,
        NEW.withdrawn_at, NEW.timeliness, NEW.fully_online_eligible, NEW.result_is_paper, NEW.electronic_result,
        NEW.fee_due, NEW.paid_online, NEW.digitised, NEW.reuse_eligible, NEW.reused, NEW.population_data,
        NEW.sync_late, NEW.refused, NEW.rated_low))
    EXECUTE FUNCTION daily_counts_follow();

-- The counts of the facts already stored: the statement store::daily_counts checks them against.
INSERT INTO daily_counts
SELECT agency_id, day, procedure_code,
    SUM(received), SUM(received_online), SUM(fully_online_eligible), SUM(fully_online), SUM(fee_due),
    SUM(paid_online), SUM(reuse_eligible), SUM(reused_of_eligible), SUM(reused), SUM(population_data),
    SUM(sync_late), SUM(finished), SUM(finished_in_time), SUM(finished_early), SUM(finished_paper_result),
    SUM(finished_electronic_result), SUM(finished_digitised), SUM(finished_in_time_not_satisfied),
    SUM(finished_refused), SUM(withdrawn)
FROM (
    SELECT agency_id, CAST(received_at + INTERVAL '7 hours' AS DATE) AS day, procedure_code, 1 AS received,
        CASE WHEN channel = 2 THEN 1 ELSE 0 END AS received_online,
        CASE WHEN fully_online_eligible THEN 1 ELSE 0 END AS fully_online_eligible,
        CASE WHEN fully_online_eligible AND channel = 2 AND (NOT result_is_paper OR electronic_result)
            THEN 1 ELSE 0 END AS fully_online,
        CASE WHEN fee_due THEN 1 ELSE 0 END AS fee_due,
        CASE WHEN fee_due AND paid_online THEN 1 ELSE 0 END AS paid_online,
        CASE WHEN reuse_eligible THEN 1 ELSE 0 END AS reuse_eligible,
        CASE WHEN reuse_eligible AND reused THEN 1 ELSE 0 END AS reused_of_eligible,
        CASE WHEN reused THEN 1 ELSE 0 END AS reused,
        CASE WHEN population_data THEN 1 ELSE 0 END AS population_data,
        CASE WHEN sync_late THEN 1 ELSE 0 END AS sync_late,
        0 AS finished, 0 AS finished_in_time, 0 AS finished_early, 0 AS finished_paper_result,
        0 AS finished_electronic_result, 0 AS finished_digitised, 0 AS finished_in_time_not_satisfied,
        0 AS finished_refused, 0 AS withdrawn
    FROM dossier_facts WHERE received_at IS NOT NULL
    UNION ALL
    SELECT agency_id, CAST(finished_at + INTERVAL '7 hours' AS DATE), procedure_code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1,
        CASE WHEN timeliness <> 2 THEN 1 ELSE 0 END,
        CASE WHEN timeliness = 0 THEN 1 ELSE 0 END,
        CASE WHEN result_is_paper THEN 1 ELSE 0 END,
        CASE WHEN result_is_paper AND electronic_result THEN 1 ELSE 0 END,
        CASE WHEN digitised THEN 1 ELSE 0 END,
        CASE WHEN timeliness <> 2 AND rated_low THEN 1 ELSE 0 END,
        CASE WHEN refused = TRUE THEN 1 ELSE 0 END,
        0
    FROM dossier_facts WHERE finished_at IS NOT NULL
    UNION ALL
    SELECT agency_id, CAST(withdrawn_at + INTERVAL '7 hours' AS DATE), procedure_code, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    FROM dossier_facts WHERE withdrawn_at IS NOT NULL AND received_at IS NOT NULL
) c
GROUP BY agency_id, day, procedure_code;
