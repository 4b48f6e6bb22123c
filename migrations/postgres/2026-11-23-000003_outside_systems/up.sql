-- Outside systems (DESIGN.md §10): API clients of other systems, dossiers routed by the national portal, and
-- citizens' sign-ins in progress with the identity provider.

-- Service accounts authenticate with client credentials (OAuth 2.0, RFC 6749 §4.4); scopes are space-separated.
CREATE TABLE service_accounts (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,                 -- argon2id
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE
);

-- One row per dossier the portal routed to us: its id there makes the intake idempotent.
CREATE TABLE portal_intake (
    portal_id TEXT PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    request_hash TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
);

-- An OpenID Connect sign-in between the redirect to the provider and its callback (PKCE verifier, nonce).
CREATE TABLE sign_in_attempts (
    state TEXT PRIMARY KEY,
    code_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    return_to TEXT,
    created_at TIMESTAMP NOT NULL
);
