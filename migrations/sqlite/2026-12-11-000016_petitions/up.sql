-- Petitions (phản ánh, kiến nghị; issue 17): a flow beside dossiers with the same guarantees. The row holds the
-- folded state and the scalar columns the queues, the public list of answers and the Decision 766 indicators
-- read; the events are append-only and hash-chained per petition like a dossier's.
CREATE TABLE petitions (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    agency_id TEXT NOT NULL,
    status INTEGER NOT NULL,
    classification TEXT NOT NULL,
    dossier_id TEXT,
    officer_id TEXT,
    assignee_id TEXT,
    -- The portal's id of a petition it routed: one petition per id, even when the portal sends it twice.
    portal_id TEXT UNIQUE,
    filed_at TIMESTAMP NOT NULL,
    -- The deadline that matters now (decision, answer or publication), the queue's order; 9999-12-31 when none
    -- runs, so that the keyset never meets a NULL.
    due_sort TIMESTAMP NOT NULL,
    answer_due_at TIMESTAMP,
    handled_at TIMESTAMP,
    -- Handled after its deadline (NULL until handled).
    late BOOLEAN,
    -- Answered "not satisfied" or complained about again.
    disputed BOOLEAN NOT NULL DEFAULT FALSE,
    published_at TIMESTAMP,
    -- Lower-cased title, content and answer of a published petition, for the public search.
    search_text TEXT,
    version BIGINT NOT NULL,
    state TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX petitions_queue ON petitions (agency_id, status, due_sort, id);
CREATE INDEX petitions_filed ON petitions (agency_id, filed_at);
CREATE INDEX petitions_handled ON petitions (agency_id, handled_at) WHERE handled_at IS NOT NULL;
CREATE INDEX petitions_published ON petitions (published_at, id) WHERE published_at IS NOT NULL;
CREATE INDEX petitions_dossier ON petitions (dossier_id) WHERE dossier_id IS NOT NULL;
CREATE INDEX petitions_officer ON petitions (officer_id, filed_at) WHERE officer_id IS NOT NULL;

CREATE TABLE petition_events (
    petition_id TEXT NOT NULL REFERENCES petitions (id),
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (petition_id, seq)
);


CREATE TRIGGER petition_events_no_update BEFORE UPDATE ON petition_events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER petition_events_no_delete BEFORE DELETE ON petition_events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
