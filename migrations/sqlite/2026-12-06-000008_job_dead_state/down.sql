DROP INDEX jobs_dead;
DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL;
ALTER TABLE jobs DROP COLUMN dead;
