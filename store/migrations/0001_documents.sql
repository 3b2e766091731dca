-- Documents: the system of record. seq is the change log every consumer tails:
-- it is assigned on insert and re-assigned on every change (new version,
-- deletion), always above every seq before it.
CREATE TABLE documents (
    id                   INTEGER PRIMARY KEY,
    seq                  INTEGER NOT NULL UNIQUE,
    url                  TEXT    NOT NULL,
    canonical_url        TEXT    NOT NULL UNIQUE,
    source_id            TEXT    NOT NULL,
    title                TEXT    NOT NULL DEFAULT '',
    text                 TEXT    NOT NULL DEFAULT '',
    authors              TEXT    NOT NULL DEFAULT '[]', -- JSON array
    language             TEXT    NOT NULL DEFAULT '',
    tags                 TEXT    NOT NULL DEFAULT '[]', -- JSON array
    official             INTEGER NOT NULL DEFAULT 0,
    published            INTEGER NOT NULL DEFAULT 0,    -- unix seconds, 0 = unknown
    published_source     TEXT    NOT NULL DEFAULT '',
    published_confidence REAL    NOT NULL DEFAULT 0,
    modified             INTEGER NOT NULL DEFAULT 0,
    fetched              INTEGER NOT NULL,
    content_hash         TEXT    NOT NULL,
    simhash              INTEGER NOT NULL DEFAULT 0,
    duplicate_of         INTEGER REFERENCES documents(id),
    similarity           REAL    NOT NULL DEFAULT 0,
    versions             INTEGER NOT NULL DEFAULT 1,
    deleted              INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX documents_content_hash ON documents(content_hash);
CREATE INDEX documents_source_published ON documents(source_id, published);
CREATE INDEX documents_published ON documents(published);

-- Every URL a document is known under: the canonical one, the fetched one and
-- any other URL that served the same text.
CREATE TABLE document_urls (
    url         TEXT PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id)
) WITHOUT ROWID;
CREATE INDEX document_urls_document ON document_urls(document_id);

-- Every text a document has had; version 1 is the first.
CREATE TABLE document_versions (
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    version      INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    text         TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    fetched      INTEGER NOT NULL,
    PRIMARY KEY (document_id, version)
) WITHOUT ROWID;

-- The raw page behind each version, gzip-compressed, so extraction can be re-run
-- without refetching.
CREATE TABLE raw_pages (
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    version      INTEGER NOT NULL,
    content_type TEXT    NOT NULL DEFAULT '',
    body         BLOB    NOT NULL,
    PRIMARY KEY (document_id, version)
) WITHOUT ROWID;

-- What the crawler last saw of each source, and when it is due again.
CREATE TABLE source_state (
    source_id            TEXT PRIMARY KEY,
    last_attempt         INTEGER NOT NULL DEFAULT 0,
    last_success         INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT    NOT NULL DEFAULT '',
    last_error_at        INTEGER NOT NULL DEFAULT 0,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    items_seen           INTEGER NOT NULL DEFAULT 0,
    items_new            INTEGER NOT NULL DEFAULT 0,
    next_due             INTEGER NOT NULL DEFAULT 0,
    interval_ns          INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Validators for conditional GET.
CREATE TABLE http_cache (
    url           TEXT PRIMARY KEY,
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    updated       INTEGER NOT NULL
) WITHOUT ROWID;

-- Each consumer's position in the seq log, committed with its output.
CREATE TABLE cursors (
    name TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL
) WITHOUT ROWID;
