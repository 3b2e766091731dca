-- Alert matches are recorded in batches of thousands (1,000 subscriptions
-- times the documents of a batch). A batch asks once which of its documents
-- matched anything before (a new version, or a document relinked to another
-- story), so the document index leads with the document; the (subscription,
-- root) index duplicated the UNIQUE constraint's own index and only made every
-- insert write one index more.
DROP INDEX alert_matches_document;
DROP INDEX alert_matches_root;
CREATE INDEX alert_matches_document ON alert_matches(document_id, subscription_id);
