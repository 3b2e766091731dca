-- The offset from UTC (seconds east) a document's publication time was
-- stated in, as in the embedded store's 0011_published_offset.sql.
ALTER TABLE documents ADD COLUMN published_offset INTEGER NOT NULL DEFAULT 0;
