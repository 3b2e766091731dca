-- Matching asks once per batch which of the batch's documents any
-- subscription matched before (document_id = ANY(...)), as the embedded
-- store's 0009_alert_match_indexes.sql: the index leads with the document.
DROP INDEX alert_matches_document;
CREATE INDEX alert_matches_document ON alert_matches(document_id, subscription_id);
