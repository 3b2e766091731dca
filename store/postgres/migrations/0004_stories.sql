-- Stories: the long-running cases events belong to (timeline), as in the
-- embedded store's 0008_stories.sql.
CREATE TABLE stories (
    id          BIGINT PRIMARY KEY,
    seq         BIGINT  NOT NULL DEFAULT 0,
    title       TEXT    NOT NULL DEFAULT '',
    importance  DOUBLE PRECISION NOT NULL DEFAULT 0,
    model       BYTEA   NOT NULL DEFAULT '',
    merged_into BIGINT  NOT NULL DEFAULT 0,
    deleted     BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX stories_seq ON stories(seq);

ALTER TABLE events ADD COLUMN story_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN importance DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN responds_to BIGINT NOT NULL DEFAULT 0;
CREATE INDEX events_story ON events(story_id, happened);

ALTER TABLE event_documents ADD COLUMN role TEXT NOT NULL DEFAULT '';

CREATE TABLE story_pins (
    document_id BIGINT PRIMARY KEY,
    story_id    BIGINT NOT NULL,
    reason      TEXT   NOT NULL DEFAULT '',
    pinned      BIGINT NOT NULL
);
CREATE INDEX story_pins_story ON story_pins(story_id);

CREATE TABLE story_edits (
    story_id BIGINT PRIMARY KEY,
    title    TEXT,
    edited   BIGINT NOT NULL
);
