-- A document stored from its feed entry alone because its article page could
-- not be fetched or held no article: since when (unix seconds; 0 = it has its
-- page, or never wanted one). The crawler retries the page for a while after.
ALTER TABLE documents ADD COLUMN page_missing_since INTEGER NOT NULL DEFAULT 0;
