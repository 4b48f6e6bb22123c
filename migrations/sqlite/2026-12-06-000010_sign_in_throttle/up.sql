-- Sign-in is slowed down, never locked: failures are counted per account and source address, per address and
-- per account name (known or not, so the answers tell nothing), and each key waits longer after more failures.
-- A hard lock let anyone shut any account out, the administrator's included.
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL
);
ALTER TABLE staff DROP COLUMN failed_logins;
ALTER TABLE staff DROP COLUMN locked_until;
-- Access tokens carry the generation of their account; signing out, a new password or a removed role moves it
-- on, which ends every access token issued before.
ALTER TABLE staff ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
