-- Quotes per document (direct and reported speech), and the kind and extent
-- of event quotes.
--
-- document_quotes holds what the timeline's quote extraction found in each
-- document; the clusterer replaces a document's rows whenever it processes
-- the document, in the transaction that moves its cursor. start/end are rune
-- (character) offsets into documents.text, end-exclusive.
CREATE TABLE document_quotes (
    document_id INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    kind        TEXT    NOT NULL,             -- direct | indirect
    text        TEXT    NOT NULL,
    speaker     TEXT    NOT NULL DEFAULT '',
    role        TEXT    NOT NULL DEFAULT '',
    mention     TEXT    NOT NULL DEFAULT '',  -- the words naming the speaker ("he")
    PRIMARY KEY (document_id, start, "end")
) WITHOUT ROWID;

-- event_quotes.offset becomes the quote's rune start (it was a byte offset).
ALTER TABLE event_quotes ADD COLUMN "end" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_quotes ADD COLUMN kind TEXT NOT NULL DEFAULT 'direct';
ALTER TABLE event_quotes ADD COLUMN mention TEXT NOT NULL DEFAULT '';

-- Quotes computed before this version have byte offsets and no reported
-- speech: start the events over from the store, as `watchline events rebuild`
-- does (editors' corrections live in event_pins/event_edits and are kept;
-- records of merges stay so merged-away ids still resolve).
DELETE FROM event_quotes;
DELETE FROM event_documents;
DELETE FROM events WHERE merged_into = 0;
DELETE FROM cluster_state;
DELETE FROM cursors WHERE name = 'timeline';
