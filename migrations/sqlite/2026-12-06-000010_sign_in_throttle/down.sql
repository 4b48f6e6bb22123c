ALTER TABLE staff DROP COLUMN token_generation;
ALTER TABLE staff ADD COLUMN locked_until TIMESTAMP;
ALTER TABLE staff ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
DROP TABLE sign_in_failures;
