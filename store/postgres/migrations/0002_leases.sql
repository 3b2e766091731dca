-- Sharing the work between processes (several crawlers, several serve/run
-- nodes). Times are unix milliseconds: politeness delays are sub-minute.

-- A source is crawled by the process holding its lease; a lease that is not
-- released (the process died) expires, and the source is due again.
CREATE TABLE source_leases (
    source_id TEXT PRIMARY KEY,
    owner     TEXT    NOT NULL DEFAULT '',
    until     BIGINT  NOT NULL DEFAULT 0
);

-- One request at a time per host across every crawler: the lease holder is
-- fetching; not_before is when the next request may start (the previous
-- request's end plus the host's delay).
CREATE TABLE host_leases (
    host       TEXT PRIMARY KEY,
    owner      TEXT    NOT NULL DEFAULT '',
    until      BIGINT  NOT NULL DEFAULT 0,
    not_before BIGINT  NOT NULL DEFAULT 0
);

-- Named leases, e.g. the leader that runs clustering and alert scheduling.
CREATE TABLE leases (
    name  TEXT PRIMARY KEY,
    owner TEXT    NOT NULL,
    until BIGINT  NOT NULL
);

-- robots.txt by origin (scheme://host), shared by every crawler.
CREATE TABLE robots_txt (
    origin  TEXT PRIMARY KEY,
    status  INTEGER NOT NULL,
    body    BYTEA   NOT NULL,
    fetched BIGINT  NOT NULL -- unix seconds
);
