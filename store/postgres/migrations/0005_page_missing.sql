-- A document stored from its feed entry alone because its article page could
-- not be fetched or held no article: since when (unix seconds; 0 = it has its
-- page, or never wanted one), as in the embedded store's 0010_page_missing.sql.
ALTER TABLE documents ADD COLUMN page_missing_since BIGINT NOT NULL DEFAULT 0;
