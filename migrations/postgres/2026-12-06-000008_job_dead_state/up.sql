-- A job that used up its kind's attempts, or whose payload cannot be read, is parked dead: visible in the
-- administration and the metrics, and put back in line from there, like an outbox message.
ALTER TABLE jobs ADD COLUMN dead BOOLEAN NOT NULL DEFAULT FALSE;
DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL AND NOT dead;
CREATE INDEX jobs_dead ON jobs (kind, id) WHERE dead;
