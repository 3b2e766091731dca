-- Subscriptions, matches and the delivery outbox (alert).
-- Reserved: filled in by the alert package's store work.
SELECT 1;
