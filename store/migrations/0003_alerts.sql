-- Subscriptions, matches and the delivery outbox (alert).
--
-- Matching and delivery are separate steps. A pass of the matcher records new
-- rows in alert_matches and advances each subscription's cursor in the same
-- transaction; scheduling then gathers a subscription's undelivered matches
-- into one deliveries row (the outbox) whose payload is frozen, so every retry
-- sends the same bytes under the same idempotency key.
CREATE TABLE subscriptions (
    id          INTEGER PRIMARY KEY,
    key         TEXT UNIQUE,                   -- the feeds.yaml alert id; NULL when added by CLI or API
    name        TEXT    NOT NULL DEFAULT '',
    query       TEXT    NOT NULL,
    sources     TEXT    NOT NULL DEFAULT '[]', -- JSON arrays
    tags        TEXT    NOT NULL DEFAULT '[]',
    official    INTEGER NOT NULL DEFAULT 0,
    languages   TEXT    NOT NULL DEFAULT '[]',
    types       TEXT    NOT NULL DEFAULT '[]',
    level       TEXT    NOT NULL DEFAULT 'article',
    webhook     TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    atom_file   TEXT    NOT NULL DEFAULT '',
    digest      TEXT    NOT NULL DEFAULT '',
    time_zone   TEXT    NOT NULL DEFAULT '',
    secret      TEXT    NOT NULL,
    created     INTEGER NOT NULL,
    start_seq   INTEGER NOT NULL,
    cursor      INTEGER NOT NULL,              -- last document seq matched against
    event_seq   INTEGER NOT NULL DEFAULT 0,    -- last event seq matched against (event level)
    next_digest INTEGER NOT NULL DEFAULT 0     -- unix seconds; 0 = immediate
);

-- Article level: one row per (subscription, story): root_id is the document
-- itself or the document it is a wire copy of, so copies fold into the first
-- match as "similar" instead of alerting again. Event level: root_id is minus
-- the event id and development says what is new ("new", "type:charge",
-- "official"), so each development of an event alerts once.
CREATE TABLE alert_matches (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    document_id     INTEGER NOT NULL,
    root_id         INTEGER NOT NULL,
    event_id        INTEGER NOT NULL DEFAULT 0,
    seq             INTEGER NOT NULL,
    published       INTEGER NOT NULL DEFAULT 0,
    reason          TEXT    NOT NULL DEFAULT '{}', -- JSON written by the alert package
    development     TEXT    NOT NULL DEFAULT '',   -- event level only
    similar         TEXT    NOT NULL DEFAULT '[]', -- JSON array of folded document ids
    delivery_id     INTEGER,                       -- NULL until put in an outbox entry
    created         INTEGER NOT NULL,
    UNIQUE (subscription_id, root_id, development)
);
CREATE INDEX alert_matches_pending ON alert_matches(subscription_id, delivery_id);
CREATE INDEX alert_matches_document ON alert_matches(subscription_id, document_id);
-- Wire copies fold into the match of their original (root).
CREATE INDEX alert_matches_root ON alert_matches(subscription_id, root_id);

-- What an event-level subscription has been told about each event, so only
-- a real development (a new type, a first official statement) alerts again.
CREATE TABLE alert_event_state (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL,
    types           TEXT    NOT NULL DEFAULT '[]', -- JSON array of event types alerted
    official        INTEGER NOT NULL DEFAULT 0,    -- an official statement was alerted
    PRIMARY KEY (subscription_id, event_id)
) WITHOUT ROWID;

-- The outbox.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    idempotency_key TEXT    NOT NULL UNIQUE,
    channel         TEXT    NOT NULL,
    state           TEXT    NOT NULL,           -- pending, delivered, failed
    matches         INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    created         INTEGER NOT NULL,
    next_attempt    INTEGER NOT NULL DEFAULT 0,
    delivered       INTEGER NOT NULL DEFAULT 0,
    payload         BLOB    NOT NULL
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt);
CREATE INDEX deliveries_subscription ON deliveries(subscription_id, id);
