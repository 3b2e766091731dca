-- The offset from UTC (seconds east) a document's publication time was
-- stated in, so that its day is the page's own: 00:30 on 8 October in
-- London is 7 October in UTC. 0 = UTC, or a time that had no offset.
ALTER TABLE documents ADD COLUMN published_offset INTEGER NOT NULL DEFAULT 0;
