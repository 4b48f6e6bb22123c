-- Ten million dossiers on one ordinary server: states and event payloads are stored packed (zstd with a
-- dictionary, see store/packing.rs) in new columns; the JSON columns keep what was written before and hold ''
-- for what is written since. An event's hash is still over its JSON, whichever way it is stored.
ALTER TABLE dossiers ADD COLUMN packed BYTEA;
ALTER TABLE events ADD COLUMN body BYTEA;
-- Both were copies: prev_hash is the hash of the event before (the chain check recomputes it), actor is in the
-- payload.
ALTER TABLE events DROP COLUMN prev_hash;
ALTER TABLE events DROP COLUMN actor;
