-- Papers of dossiers and the citizens' data repositories (kho dữ liệu). Contents live in the blob store,
-- addressed by SHA-256; these tables hold what the contents are, whose they are and who may see them.

-- A file someone uploaded (a citizen's own upload or a clerk's scan), waiting to be attached. Attaching
-- refers to the upload by id, so nobody can attach a file they did not upload.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    blob_sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,                 -- staff:<id> | citizen:<id> | service:<name>
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX uploads_blob ON uploads (blob_sha256);

CREATE TABLE papers (
    id TEXT PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    component_id TEXT,                         -- NULL for results
    kind TEXT NOT NULL,                        -- component | result
    source TEXT NOT NULL,                      -- upload | scan | repository | result
    blob_sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    title TEXT NOT NULL,
    repository_item_id TEXT,                   -- the item reused, for source repository | result
    added_by TEXT NOT NULL,
    added_at TIMESTAMP NOT NULL,
    keep BOOLEAN NOT NULL DEFAULT FALSE        -- a digitised component the owner keeps in the repository
);
CREATE INDEX papers_dossier ON papers (dossier_id, component_id);
CREATE INDEX papers_blob ON papers (blob_sha256);

CREATE TABLE repository_items (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,                    -- personal id or tax code
    store TEXT NOT NULL,                       -- dossier_papers | personal_papers | uploads
    folder TEXT NOT NULL DEFAULT '',
    paper_type TEXT,                           -- procedures/registry.toml [paper_types]
    title TEXT NOT NULL,
    issuer TEXT,
    issuer_agency_id TEXT,                     -- the agency that issued it, for results
    issue_date DATE,
    valid_until DATE,
    source_kind TEXT NOT NULL,                 -- result | digitised | owner_upload | portal
    source_dossier_id TEXT,
    source_paper_id TEXT,
    blob_sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    signature_status TEXT NOT NULL,            -- unchecked | valid | invalid | unsigned
    signature_detail TEXT,
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    deleted_at TIMESTAMP                       -- in the trash since
);
CREATE INDEX repository_owner ON repository_items (owner_id, store, folder);
CREATE INDEX repository_blob ON repository_items (blob_sha256);
-- A dossier's paper enters a repository once, whoever pushes it (return, backfill).
CREATE UNIQUE INDEX repository_source_paper ON repository_items (source_paper_id) WHERE source_paper_id IS NOT NULL;

CREATE TABLE repository_shares (
    item_id TEXT NOT NULL REFERENCES repository_items (id) ON DELETE CASCADE,
    grantee_kind TEXT NOT NULL,                -- agency | dossier | portal
    grantee_id TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (item_id, grantee_kind, grantee_id)
);
CREATE INDEX repository_shares_grantee ON repository_shares (grantee_kind, grantee_id);

-- Every access to a repository item: who, what, when.
CREATE TABLE repository_access (
    id BIGSERIAL PRIMARY KEY,
    item_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX repository_access_owner ON repository_access (owner_id, at);
