-- Stories: the long-running cases events belong to (timeline).
--
-- stories holds what the clusterer computed, with its per-story model (an
-- opaque blob owned by package timeline) so the clusterer can resume without
-- re-reading documents. story_pins and story_edits hold people's corrections
-- and are never written by the clusterer, so they survive `events rebuild`.
CREATE TABLE stories (
    id             INTEGER PRIMARY KEY,
    seq            INTEGER NOT NULL,            -- bumps on every change
    title          TEXT    NOT NULL DEFAULT '',
    importance     REAL    NOT NULL DEFAULT 0,
    model          BLOB    NOT NULL DEFAULT x'',
    merged_into    INTEGER NOT NULL DEFAULT 0,  -- non-zero: gone, its events moved there
    deleted        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stories_seq ON stories(seq);

ALTER TABLE events ADD COLUMN story_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN importance REAL NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN responds_to INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_story ON events(story_id, happened);

-- What each document is to its event: report, statement, analysis or wire.
ALTER TABLE event_documents ADD COLUMN role TEXT NOT NULL DEFAULT '';

-- A pinned document's event always belongs to the pinned story (a merge of
-- stories or an event moved to another story).
CREATE TABLE story_pins (
    document_id INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '', -- merge, move, edit
    pinned      INTEGER NOT NULL
);
CREATE INDEX story_pins_story ON story_pins(story_id);

CREATE TABLE story_edits (
    story_id INTEGER PRIMARY KEY,
    title    TEXT,
    edited   INTEGER NOT NULL
);
