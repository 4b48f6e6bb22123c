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

CREATE TRIGGER ratings_mark_facts AFTER INSERT ON ratings
BEGIN
    UPDATE dossier_facts SET rated_low = (NEW.score <= 2) WHERE dossier_id = NEW.dossier_id;
END;
CREATE TRIGGER ratings_mark_facts_again AFTER UPDATE OF score ON ratings
BEGIN
    UPDATE dossier_facts SET rated_low = (NEW.score <= 2) WHERE dossier_id = NEW.dossier_id;
END;

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
);
CREATE INDEX daily_counts_day ON daily_counts (day);

-- What each row of facts adds (NEW, 1) or takes (OLD, -1): the same statements as PostgreSQL's daily_counts_add.
-- The codes: channel 2 online; timeliness 0 early, 2 late (store::facts).
CREATE TRIGGER dossier_facts_daily_insert AFTER INSERT ON dossier_facts
BEGIN
    INSERT INTO daily_counts (agency_id, day, procedure_code, received, received_online, fully_online_eligible,
        fully_online, fee_due, paid_online, reuse_eligible, reused_of_eligible, reused, population_data, sync_late)
    SELECT NEW.agency_id, date(NEW.received_at, '+7 hours'), NEW.procedure_code, 1,
        CASE WHEN NEW.channel = 2 THEN 1 ELSE 0 END,
        CASE WHEN NEW.fully_online_eligible THEN 1 ELSE 0 END,
        CASE WHEN NEW.fully_online_eligible AND NEW.channel = 2 AND (NOT NEW.result_is_paper OR NEW.electronic_result)
            THEN 1 ELSE 0 END,
        CASE WHEN NEW.fee_due THEN 1 ELSE 0 END,
        CASE WHEN NEW.fee_due AND NEW.paid_online THEN 1 ELSE 0 END,
        CASE WHEN NEW.reuse_eligible THEN 1 ELSE 0 END,
        CASE WHEN NEW.reuse_eligible AND NEW.reused THEN 1 ELSE 0 END,
        CASE WHEN NEW.reused THEN 1 ELSE 0 END,
        CASE WHEN NEW.population_data THEN 1 ELSE 0 END,
        CASE WHEN NEW.sync_late THEN 1 ELSE 0 END
    WHERE NEW.received_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET
        received = received + excluded.received,
        received_online = received_online + excluded.received_online,
        fully_online_eligible = fully_online_eligible + excluded.fully_online_eligible,
        fully_online = fully_online + excluded.fully_online,
        fee_due = fee_due + excluded.fee_due,
        paid_online = paid_online + excluded.paid_online,
        reuse_eligible = reuse_eligible + excluded.reuse_eligible,
        reused_of_eligible = reused_of_eligible + excluded.reused_of_eligible,
        reused = reused + excluded.reused,
        population_data = population_data + excluded.population_data,
        sync_late = sync_late + excluded.sync_late;
    INSERT INTO daily_counts (agency_id, day, procedure_code, finished, finished_in_time, finished_early,
        finished_paper_result, finished_electronic_result, finished_digitised, finished_in_time_not_satisfied,
        finished_refused)
    SELECT NEW.agency_id, date(NEW.finished_at, '+7 hours'), NEW.procedure_code, 1,
        CASE WHEN NEW.timeliness <> 2 THEN 1 ELSE 0 END,
        CASE WHEN NEW.timeliness = 0 THEN 1 ELSE 0 END,
        CASE WHEN NEW.result_is_paper THEN 1 ELSE 0 END,
        CASE WHEN NEW.result_is_paper AND NEW.electronic_result THEN 1 ELSE 0 END,
        CASE WHEN NEW.digitised THEN 1 ELSE 0 END,
        CASE WHEN NEW.timeliness <> 2 AND NEW.rated_low THEN 1 ELSE 0 END,
        CASE WHEN NEW.refused = TRUE THEN 1 ELSE 0 END
    WHERE NEW.finished_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET
        finished = finished + excluded.finished,
        finished_in_time = finished_in_time + excluded.finished_in_time,
        finished_early = finished_early + excluded.finished_early,
        finished_paper_result = finished_paper_result + excluded.finished_paper_result,
        finished_electronic_result = finished_electronic_result + excluded.finished_electronic_result,
        finished_digitised = finished_digitised + excluded.finished_digitised,
        finished_in_time_not_satisfied = finished_in_time_not_satisfied + excluded.finished_in_time_not_satisfied,
        finished_refused = finished_refused + excluded.finished_refused;
    INSERT INTO daily_counts (agency_id, day, procedure_code, withdrawn)
    SELECT NEW.agency_id, date(NEW.withdrawn_at, '+7 hours'), NEW.procedure_code, 1
    WHERE NEW.withdrawn_at IS NOT NULL AND NEW.received_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET withdrawn = withdrawn + excluded.withdrawn;
END;
CREATE TRIGGER dossier_facts_daily_delete AFTER DELETE ON dossier_facts
BEGIN
    INSERT INTO daily_counts (agency_id, day, procedure_code, received, received_online, fully_online_eligible,
        fully_online, fee_due, paid_online, reuse_eligible, reused_of_eligible, reused, population_data, sync_late)
    SELECT OLD.agency_id, date(OLD.received_at, '+7 hours'), OLD.procedure_code, -1,
        CASE WHEN OLD.channel = 2 THEN -1 ELSE 0 END,
        CASE WHEN OLD.fully_online_eligible THEN -1 ELSE 0 END,
        CASE WHEN OLD.fully_online_eligible AND OLD.channel = 2 AND (NOT OLD.result_is_paper OR OLD.electronic_result)
            THEN -1 ELSE 0 END,
        CASE WHEN OLD.fee_due THEN -1 ELSE 0 END,
        CASE WHEN OLD.fee_due AND OLD.paid_online THEN -1 ELSE 0 END,
        CASE WHEN OLD.reuse_eligible THEN -1 ELSE 0 END,
        CASE WHEN OLD.reuse_eligible AND OLD.reused THEN -1 ELSE 0 END,
        CASE WHEN OLD.reused THEN -1 ELSE 0 END,
        CASE WHEN OLD.population_data THEN -1 ELSE 0 END,
        CASE WHEN OLD.sync_late THEN -1 ELSE 0 END
    WHERE OLD.received_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET
        received = received + excluded.received,
        received_online = received_online + excluded.received_online,
        fully_online_eligible = fully_online_eligible + excluded.fully_online_eligible,
        fully_online = fully_online + excluded.fully_online,
        fee_due = fee_due + excluded.fee_due,
        paid_online = paid_online + excluded.paid_online,
        reuse_eligible = reuse_eligible + excluded.reuse_eligible,
        reused_of_eligible = reused_of_eligible + excluded.reused_of_eligible,
        reused = reused + excluded.reused,
        population_data = population_data + excluded.population_data,
        sync_late = sync_late + excluded.sync_late;
    INSERT INTO daily_counts (agency_id, day, procedure_code, finished, finished_in_time, finished_early,
        finished_paper_result, finished_electronic_result, finished_digitised, finished_in_time_not_satisfied,
        finished_refused)
    SELECT OLD.agency_id, date(OLD.finished_at, '+7 hours'), OLD.procedure_code, -1,
        CASE WHEN OLD.timeliness <> 2 THEN -1 ELSE 0 END,
        CASE WHEN OLD.timeliness = 0 THEN -1 ELSE 0 END,
        CASE WHEN OLD.result_is_paper THEN -1 ELSE 0 END,
        CASE WHEN OLD.result_is_paper AND OLD.electronic_result THEN -1 ELSE 0 END,
        CASE WHEN OLD.digitised THEN -1 ELSE 0 END,
        CASE WHEN OLD.timeliness <> 2 AND OLD.rated_low THEN -1 ELSE 0 END,
        CASE WHEN OLD.refused = TRUE THEN -1 ELSE 0 END
    WHERE OLD.finished_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET
        finished = finished + excluded.finished,
        finished_in_time = finished_in_time + excluded.finished_in_time,
        finished_early = finished_early + excluded.finished_early,
        finished_paper_result = finished_paper_result + excluded.finished_paper_result,
        finished_electronic_result = finished_electronic_result + excluded.finished_electronic_result,
        finished_digitised = finished_digitised + excluded.finished_digitised,
        finished_in_time_not_satisfied = finished_in_time_not_satisfied + excluded.finished_in_time_not_satisfied,
        finished_refused = finished_refused + excluded.finished_refused;
    INSERT INTO daily_counts (agency_id, day, procedure_code, withdrawn)
    SELECT OLD.agency_id, date(OLD.withdrawn_at, '+7 hours'), OLD.procedure_code, -1
    WHERE OLD.withdrawn_at IS NOT NULL AND OLD.received_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET withdrawn = withdrawn + excluded.withdrawn;
END;
-- Most rewrites of a dossier's facts change nothing counted (an assignment, a new due instant): no work then.
CREATE TRIGGER dossier_facts_daily_update AFTER UPDATE ON dossier_facts
WHEN
    OLD.agency_id IS NOT NEW.agency_id OR OLD.procedure_code IS NOT NEW.procedure_code OR OLD.channel IS NOT
    NEW.channel OR OLD.received_at IS NOT NEW.received_at OR OLD.finished_at IS NOT NEW.finished_at OR
    OLD.withdrawn_at IS NOT NEW.withdrawn_at OR OLD.timeliness IS NOT NEW.timeliness OR
    OLD.fully_online_eligible IS NOT NEW.fully_online_eligible OR OLD.result_is_paper IS NOT
    NEW.result_is_paper OR OLD.electronic_result IS NOT NEW.electronic_result OR OLD.fee_due IS NOT
    NEW.fee_due OR OLD.paid_online IS NOT NEW.paid_online OR OLD.digitised IS NOT NEW.digitised OR
    OLD.reuse_eligible IS NOT NEW.reuse_eligible OR OLD.reused IS NOT NEW.reused OR OLD.population_data IS
    NOT NEW.population_data OR OLD.sync_late IS NOT NEW.sync_late OR OLD.refused IS NOT NEW.refused OR
    OLD.rated_low IS NOT NEW.rated_low
BEGIN
    INSERT INTO daily_counts (agency_id, day, procedure_code, received, received_online, fully_online_eligible,
        fully_online, fee_due, paid_online, reuse_eligible, reused_of_eligible, reused, population_data, sync_late)
    SELECT OLD.agency_id, date(OLD.received_at, '+7 hours'), OLD.procedure_code, -1,
        CASE WHEN OLD.channel = 2 THEN -1 ELSE 0 END,
        CASE WHEN OLD.fully_online_eligible THEN -1 ELSE 0 END,
        CASE WHEN OLD.fully_online_eligible AND OLD.channel = 2 AND (NOT OLD.result_is_paper OR OLD.electronic_result)
            THEN -1 ELSE 0 END,
        CASE WHEN OLD.fee_due THEN -1 ELSE 0 END,
        CASE WHEN OLD.fee_due AND OLD.paid_online THEN -1 ELSE 0 END,
        CASE WHEN OLD.reuse_eligible THEN -1 ELSE 0 END,
        CASE WHEN OLD.reuse_eligible AND OLD.reused THEN -1 ELSE 0 END,
        CASE WHEN OLD.reused THEN -1 ELSE 0 END,
        CASE WHEN OLD.population_data THEN -1 ELSE 0 END,
        CASE WHEN OLD.sync_late THEN -1 ELSE 0 END
    WHERE OLD.received_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET
        received = received + excluded.received,
        received_online = received_online + excluded.received_online,
        fully_online_eligible = fully_online_eligible + excluded.fully_online_eligible,
        fully_online = fully_online + excluded.fully_online,
        fee_due = fee_due + excluded.fee_due,
        paid_online = paid_online + excluded.paid_online,
        reuse_eligible = reuse_eligible + excluded.reuse_eligible,
        reused_of_eligible = reused_of_eligible + excluded.reused_of_eligible,
        reused = reused + excluded.reused,
        population_data = population_data + excluded.population_data,
        sync_late = sync_late + excluded.sync_late;
    INSERT INTO daily_counts (agency_id, day, procedure_code, finished, finished_in_time, finished_early,
        finished_paper_result, finished_electronic_result, finished_digitised, finished_in_time_not_satisfied,
        finished_refused)
    SELECT OLD.agency_id, date(OLD.finished_at, '+7 hours'), OLD.procedure_code, -1,
        CASE WHEN OLD.timeliness <> 2 THEN -1 ELSE 0 END,
        CASE WHEN OLD.timeliness = 0 THEN -1 ELSE 0 END,
        CASE WHEN OLD.result_is_paper THEN -1 ELSE 0 END,
        CASE WHEN OLD.result_is_paper AND OLD.electronic_result THEN -1 ELSE 0 END,
        CASE WHEN OLD.digitised THEN -1 ELSE 0 END,
        CASE WHEN OLD.timeliness <> 2 AND OLD.rated_low THEN -1 ELSE 0 END,
        CASE WHEN OLD.refused = TRUE THEN -1 ELSE 0 END
    WHERE OLD.finished_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET
        finished = finished + excluded.finished,
        finished_in_time = finished_in_time + excluded.finished_in_time,
        finished_early = finished_early + excluded.finished_early,
        finished_paper_result = finished_paper_result + excluded.finished_paper_result,
        finished_electronic_result = finished_electronic_result + excluded.finished_electronic_result,
        finished_digitised = finished_digitised + excluded.finished_digitised,
        finished_in_time_not_satisfied = finished_in_time_not_satisfied + excluded.finished_in_time_not_satisfied,
        finished_refused = finished_refused + excluded.finished_refused;
    INSERT INTO daily_counts (agency_id, day, procedure_code, withdrawn)
    SELECT OLD.agency_id, date(OLD.withdrawn_at, '+7 hours'), OLD.procedure_code, -1
    WHERE OLD.withdrawn_at IS NOT NULL AND OLD.received_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET withdrawn = withdrawn + excluded.withdrawn;
    INSERT INTO daily_counts (agency_id, day, procedure_code, received, received_online, fully_online_eligible,
        fully_online, fee_due, paid_online, reuse_eligible, reused_of_eligible, reused, population_data, sync_late)
    SELECT NEW.agency_id, date(NEW.received_at, '+7 hours'), NEW.procedure_code, 1,
        CASE WHEN NEW.channel = 2 THEN 1 ELSE 0 END,
        CASE WHEN NEW.fully_online_eligible THEN 1 ELSE 0 END,
        CASE WHEN NEW.fully_online_eligible AND NEW.channel = 2 AND (NOT NEW.result_is_paper OR NEW.electronic_result)
            THEN 1 ELSE 0 END,
        CASE WHEN NEW.fee_due THEN 1 ELSE 0 END,
        CASE WHEN NEW.fee_due AND NEW.paid_online THEN 1 ELSE 0 END,
        CASE WHEN NEW.reuse_eligible THEN 1 ELSE 0 END,
        CASE WHEN NEW.reuse_eligible AND NEW.reused THEN 1 ELSE 0 END,
        CASE WHEN NEW.reused THEN 1 ELSE 0 END,
        CASE WHEN NEW.population_data THEN 1 ELSE 0 END,
        CASE WHEN NEW.sync_late THEN 1 ELSE 0 END
    WHERE NEW.received_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET
        received = received + excluded.received,
        received_online = received_online + excluded.received_online,
        fully_online_eligible = fully_online_eligible + excluded.fully_online_eligible,
        fully_online = fully_online + excluded.fully_online,
        fee_due = fee_due + excluded.fee_due,
        paid_online = paid_online + excluded.paid_online,
        reuse_eligible = reuse_eligible + excluded.reuse_eligible,
        reused_of_eligible = reused_of_eligible + excluded.reused_of_eligible,
        reused = reused + excluded.reused,
        population_data = population_data + excluded.population_data,
        sync_late = sync_late + excluded.sync_late;
    INSERT INTO daily_counts (agency_id, day, procedure_code, finished, finished_in_time, finished_early,
        finished_paper_result, finished_electronic_result, finished_digitised, finished_in_time_not_satisfied,
        finished_refused)
    SELECT NEW.agency_id, date(NEW.finished_at, '+7 hours'), NEW.procedure_code, 1,
        CASE WHEN NEW.timeliness <> 2 THEN 1 ELSE 0 END,
        CASE WHEN NEW.timeliness = 0 THEN 1 ELSE 0 END,
        CASE WHEN NEW.result_is_paper THEN 1 ELSE 0 END,
        CASE WHEN NEW.result_is_paper AND NEW.electronic_result THEN 1 ELSE 0 END,
        CASE WHEN NEW.digitised THEN 1 ELSE 0 END,
        CASE WHEN NEW.timeliness <> 2 AND NEW.rated_low THEN 1 ELSE 0 END,
        CASE WHEN NEW.refused = TRUE THEN 1 ELSE 0 END
    WHERE NEW.finished_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET
        finished = finished + excluded.finished,
        finished_in_time = finished_in_time + excluded.finished_in_time,
        finished_early = finished_early + excluded.finished_early,
        finished_paper_result = finished_paper_result + excluded.finished_paper_result,
        finished_electronic_result = finished_electronic_result + excluded.finished_electronic_result,
        finished_digitised = finished_digitised + excluded.finished_digitised,
        finished_in_time_not_satisfied = finished_in_time_not_satisfied + excluded.finished_in_time_not_satisfied,
        finished_refused = finished_refused + excluded.finished_refused;
    INSERT INTO daily_counts (agency_id, day, procedure_code, withdrawn)
    SELECT NEW.agency_id, date(NEW.withdrawn_at, '+7 hours'), NEW.procedure_code, 1
    WHERE NEW.withdrawn_at IS NOT NULL AND NEW.received_at IS NOT NULL
    ON CONFLICT (agency_id, day, procedure_code) DO UPDATE SET withdrawn = withdrawn + excluded.withdrawn;
END;

-- The counts of the facts already stored: the statement store::daily_counts checks them against.
INSERT INTO daily_counts
SELECT agency_id, day, procedure_code,
    SUM(received), SUM(received_online), SUM(fully_online_eligible), SUM(fully_online), SUM(fee_due),
    SUM(paid_online), SUM(reuse_eligible), SUM(reused_of_eligible), SUM(reused), SUM(population_data),
    SUM(sync_late), SUM(finished), SUM(finished_in_time), SUM(finished_early), SUM(finished_paper_result),
    SUM(finished_electronic_result), SUM(finished_digitised), SUM(finished_in_time_not_satisfied),
    SUM(finished_refused), SUM(withdrawn)
FROM (
    SELECT agency_id, date(received_at, '+7 hours') AS day, procedure_code, 1 AS received,
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
    SELECT agency_id, date(finished_at, '+7 hours'), procedure_code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
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
    SELECT agency_id, date(withdrawn_at, '+7 hours'), procedure_code, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    FROM dossier_facts WHERE withdrawn_at IS NOT NULL AND received_at IS NOT NULL
) c
GROUP BY agency_id, day, procedure_code;
