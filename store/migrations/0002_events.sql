-- Events, their members, quotes and editors' corrections (timeline).
--
-- events holds what the clusterer computed; event_edits holds what people
-- corrected and is never written by the clusterer, so corrections survive
-- re-clustering. Effective values are COALESCE(edit, computed).
CREATE TABLE events (
    id                   INTEGER PRIMARY KEY,
    seq                  INTEGER NOT NULL,             -- bumps on every change
    title                TEXT    NOT NULL DEFAULT '',
    happened             INTEGER NOT NULL DEFAULT 0,   -- unix seconds of the first day of the period
    precision            TEXT    NOT NULL DEFAULT '',
    date_confidence      REAL    NOT NULL DEFAULT 0,
    date_phrase          TEXT    NOT NULL DEFAULT '',
    type                 TEXT    NOT NULL DEFAULT 'other',
    type_evidence        TEXT    NOT NULL DEFAULT '',
    type_confidence      REAL    NOT NULL DEFAULT 0,
    actors               TEXT    NOT NULL DEFAULT '[]', -- JSON
    first_document_id    INTEGER NOT NULL DEFAULT 0,
    primary_document_ids TEXT    NOT NULL DEFAULT '[]', -- JSON
    document_ids         TEXT    NOT NULL DEFAULT '[]', -- JSON, published order
    mentioned            TEXT    NOT NULL DEFAULT '[]', -- JSON
    first_published      INTEGER NOT NULL DEFAULT 0,   -- window of the members' publication
    last_published       INTEGER NOT NULL DEFAULT 0,
    merged_into          INTEGER NOT NULL DEFAULT 0,   -- non-zero: gone, its documents moved there
    deleted              INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX events_seq ON events(seq);
CREATE INDEX events_happened ON events(happened);
CREATE INDEX events_first_published ON events(first_published);

-- Which event each document belongs to, with the clusterer's per-document
-- analysis (opaque JSON owned by package timeline) so open events can be
-- reloaded after a restart without re-reading every text.
CREATE TABLE event_documents (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id),
    event_id    INTEGER NOT NULL,
    published   INTEGER NOT NULL DEFAULT 0,
    analysis    BLOB    NOT NULL DEFAULT ''
);
CREATE INDEX event_documents_event ON event_documents(event_id);

-- Quotes of each event, linked to document and byte offset.
CREATE TABLE event_quotes (
    event_id    INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    offset      INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    speaker     TEXT    NOT NULL DEFAULT '',
    role        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, document_id, offset)
) WITHOUT ROWID;

-- Human corrections. A pinned document always goes to its event, whatever the
-- clusterer thinks; an edited field overrides the computed one.
CREATE TABLE event_pins (
    document_id INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '', -- merge, split, edit
    pinned      INTEGER NOT NULL
);
CREATE INDEX event_pins_event ON event_pins(event_id);

CREATE TABLE event_edits (
    event_id  INTEGER PRIMARY KEY,
    title     TEXT,
    happened  INTEGER,
    precision TEXT,
    type      TEXT,
    edited    INTEGER NOT NULL
);

-- Named state blobs of the clusterer (e.g. its document-frequency table),
-- committed with its output and cursor.
CREATE TABLE cluster_state (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
