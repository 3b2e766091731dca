// Package postgres is watchline's store in PostgreSQL (pgx v5), for running
// past one machine: any number of crawlers, search nodes and alert senders
// share one database. It implements store.Backend with the same behaviour as
// the embedded SQLite store, checked by the same contract suite
// (store/storetest), plus what sharing needs: seqs that commit in order
// whatever the number of writers (see log_heads in the schema), and leases.
//
// Concurrency: transactions run at READ COMMITTED. Where a write reads
// before it writes (PutDocument's lookups, a consumer's cursor check) it
// first takes a lock that makes the read-then-write atomic across processes:
// a row lock (SELECT … FOR UPDATE) or a transaction advisory lock keyed by
// what it is about to create. A transaction aborted by a deadlock or a
// serialisation failure is retried whole.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/watchline/watchline/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is an open watchline database in PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	url  string
	now  func() time.Time
	// beforeCommit, when set (tests), runs inside every log-appending
	// transaction after its seq was taken and before it commits, to widen the
	// window in which concurrent writers could commit out of order.
	beforeCommit func()
}

// The PostgreSQL store is a store.Backend.
var _ store.Backend = (*Store)(nil)

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://) rather than anything else a --store flag may hold.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database at url (a postgres:// URL; libpq
// parameters such as search_path and sslmode may be added) and brings its
// schema up to date.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open store: %w (a PostgreSQL store is given as postgres://user:password@host:port/database)", err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", Redact(url), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w (is the server running, and are the user, password and database right?)", Redact(url), err)
	}
	s := &Store{pool: pool, url: url, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Redact returns url with its password replaced by "xxxxx", for messages.
func Redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return url
	}
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return url
}

// Close closes every connection.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// SetClock replaces the store's clock (tests use a fixed one).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// SchemaVersion is the number of the newest migration this build knows.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

func loadMigrations() ([]store.Migration, error) { return store.ReadMigrations(migrationFiles) }

// migrate applies the migrations this database has not seen, holding a
// session advisory lock so that processes started together migrate once.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	// The lock is per schema, so databases holding several watchline schemas
	// (the tests' way of isolating themselves) migrate independently.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtextextended('watchline migrate ' || current_schema(), 0))"); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtextextended('watchline migrate ' || current_schema(), 0))")
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w (does the user may create tables in this database?)", err)
	}
	var current int
	if err := conn.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("migrate: read schema version: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("open store %s: %w (schema %d, this build knows %d): upgrade watchline, or point --store at another database",
			Redact(s.url), store.ErrNewerSchema, current, len(ms))
	}
	for _, m := range ms[current:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations(version, name, applied) VALUES($1, $2, $3)",
				m.Version, m.Name, time.Now().Unix())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate: apply %s: %w", m.Name, err)
		}
	}
	return nil
}

// tx runs fn in one transaction, committing if fn returns nil and rolling
// back otherwise. A transaction the server aborted to break a deadlock or a
// serialisation conflict is run again from the start, so fn must not keep
// anything from a failed attempt.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.pool, fn)
		if err == nil || attempt >= 20 || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 3 * time.Millisecond):
		}
	}
}

// retryable reports whether err aborted a transaction that would succeed if
// run again: a deadlock the server broke, or a serialisation failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	return false
}

// isUniqueViolation reports whether err is a unique constraint's.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// nextSeqs takes n seqs from log name ("documents" or "events") and returns
// the first. The row lock on the log's head is held until the transaction
// ends, so a later writer gets higher seqs and becomes visible after this
// one: call it last in a transaction, after every other lock is taken.
func (s *Store) nextSeqs(ctx context.Context, tx pgx.Tx, name string, n int) (int64, error) {
	var last int64
	if err := tx.QueryRow(ctx, "UPDATE log_heads SET seq = seq + $2 WHERE name = $1 RETURNING seq", name, n).Scan(&last); err != nil {
		return 0, fmt.Errorf("next %s seq: %w", name, err)
	}
	if s.beforeCommit != nil {
		s.beforeCommit()
	}
	return last - int64(n) + 1, nil
}

// Cursor returns the last seq consumer name has fully applied (0 if none).
func (s *Store) Cursor(ctx context.Context, name string) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, "SELECT seq FROM cursors WHERE name = $1", name).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read cursor %s: %w", name, err)
	}
	return seq, nil
}

// SetCursor records that consumer name has applied everything up to seq.
func (s *Store) SetCursor(ctx context.Context, name string, seq int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return setCursorTx(ctx, tx, name, seq) })
}

func setCursorTx(ctx context.Context, tx pgx.Tx, name string, seq int64) error {
	_, err := tx.Exec(ctx,
		"INSERT INTO cursors(name, seq) VALUES($1, $2) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq", name, seq)
	if err != nil {
		return fmt.Errorf("set cursor %s: %w", name, err)
	}
	return nil
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// collect reads every row with fn, like pgx.CollectRows, but returns nil for
// no rows, as the embedded store does (JSON shows null, not []).
func collect[T any](rows pgx.Rows, fn pgx.RowToFunc[T]) ([]T, error) {
	out, err := pgx.CollectRows(rows, fn)
	if len(out) == 0 {
		return nil, err
	}
	return out, err
}
