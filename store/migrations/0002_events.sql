-- Events, their members, quotes and editors' corrections (timeline).
-- Reserved: filled in by the timeline package's store work.
SELECT 1;
