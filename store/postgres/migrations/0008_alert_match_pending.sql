-- As the embedded store's 0012_alert_match_undelivered.sql: the
-- (subscription_id, delivery_id) index is written with every match row and
-- serves nothing the UNIQUE (subscription_id, root_id, development) index
-- (lookups by subscription) and alert_matches_undelivered (undelivered
-- matches) do not.
DROP INDEX alert_matches_pending;
