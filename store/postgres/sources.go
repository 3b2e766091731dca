package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

const healthColumns = `s.source_id, s.last_attempt, s.last_success, s.last_error, s.last_error_at,
	s.consecutive_failures, s.items_seen, s.items_new, s.next_due, s.interval_ns,
	(SELECT COUNT(*) FROM documents d WHERE d.source_id = s.source_id AND NOT d.deleted)`

func scanHealth(row pgx.Row) (model.SourceHealth, error) {
	var h model.SourceHealth
	var attempt, success, errAt, due, interval int64
	err := row.Scan(&h.SourceID, &attempt, &success, &h.LastError, &errAt, &h.ConsecutiveFailures,
		&h.ItemsSeen, &h.ItemsNew, &due, &interval, &h.TotalDocuments)
	h.LastAttempt, h.LastSuccess, h.LastErrorAt, h.NextDue = fromUnix(attempt), fromUnix(success), fromUnix(errAt), fromUnix(due)
	h.Interval = time.Duration(interval)
	return h, err
}

// SourceHealth returns what the crawler last recorded for source id; a source
// never crawled has only its id set.
func (s *Store) SourceHealth(ctx context.Context, id string) (model.SourceHealth, error) {
	h, err := scanHealth(s.pool.QueryRow(ctx, "SELECT "+healthColumns+" FROM source_state s WHERE s.source_id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return model.SourceHealth{SourceID: id}, nil
	}
	if err != nil {
		return h, fmt.Errorf("source health %s: %w", id, err)
	}
	return h, nil
}

// SourceHealths returns the recorded health of every source crawled so far,
// ordered by id.
func (s *Store) SourceHealths(ctx context.Context) ([]model.SourceHealth, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+healthColumns+" FROM source_state s ORDER BY s.source_id")
	if err != nil {
		return nil, fmt.Errorf("source health: %w", err)
	}
	hs, err := collect(rows, func(r pgx.CollectableRow) (model.SourceHealth, error) { return scanHealth(r) })
	if err != nil {
		return nil, fmt.Errorf("source health: %w", err)
	}
	return hs, nil
}

// SaveSourceHealth records h (TotalDocuments is derived and ignored).
func (s *Store) SaveSourceHealth(ctx context.Context, h model.SourceHealth) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO source_state(source_id, last_attempt, last_success, last_error,
		last_error_at, consecutive_failures, items_seen, items_new, next_due, interval_ns)
		VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
		ON CONFLICT(source_id) DO UPDATE SET last_attempt = excluded.last_attempt,
		last_success = excluded.last_success, last_error = excluded.last_error,
		last_error_at = excluded.last_error_at, consecutive_failures = excluded.consecutive_failures,
		items_seen = excluded.items_seen, items_new = excluded.items_new, next_due = excluded.next_due,
		interval_ns = excluded.interval_ns`,
		h.SourceID, unix(h.LastAttempt), unix(h.LastSuccess), h.LastError, unix(h.LastErrorAt),
		h.ConsecutiveFailures, h.ItemsSeen, h.ItemsNew, unix(h.NextDue), int64(h.Interval))
	if err != nil {
		return fmt.Errorf("save source health %s: %w", h.SourceID, err)
	}
	return nil
}

// Validators returns the stored validators for url (empty if none).
func (s *Store) Validators(ctx context.Context, url string) (store.Validators, error) {
	var v store.Validators
	err := s.pool.QueryRow(ctx, "SELECT etag, last_modified FROM http_cache WHERE url = $1", url).Scan(&v.ETag, &v.LastModified)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, nil
	}
	if err != nil {
		return v, fmt.Errorf("validators %s: %w", url, err)
	}
	return v, nil
}

// SetValidators stores the validators for url; empty validators delete them.
func (s *Store) SetValidators(ctx context.Context, url string, v store.Validators) error {
	return setValidators(ctx, s.pool, url, v, s.now())
}

// execer is a connection pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func setValidators(ctx context.Context, db execer, url string, v store.Validators, now time.Time) error {
	var err error
	if v == (store.Validators{}) {
		_, err = db.Exec(ctx, "DELETE FROM http_cache WHERE url = $1", url)
	} else {
		_, err = db.Exec(ctx, `INSERT INTO http_cache(url, etag, last_modified, updated) VALUES($1,$2,$3,$4)
			ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
			updated = excluded.updated`, url, v.ETag, v.LastModified, now.Unix())
	}
	if err != nil {
		return fmt.Errorf("set validators %s: %w", url, err)
	}
	return nil
}
