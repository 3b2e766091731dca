// Package store is watchline's system of record: an SQLite database (pure Go,
// modernc.org/sqlite) in WAL mode holding documents and their versions, the seq
// log that every consumer tails, consumers' cursors, crawl state and source
// health. It is the only package that writes SQL.
//
// Concurrency: one process may write while any number of others read. SQLite
// serialises writers; every write transaction starts with BEGIN IMMEDIATE so
// writers queue on the busy timeout instead of failing half way, and WAL lets
// readers (search, serve) see the last committed state without blocking the
// crawler. Inside one process, writes go through a pool of one connection, so
// the pipeline's writers (crawler, clusterer, alert matcher) queue in Go
// instead of sleeping in SQLite's busy handler, and reads use a pool of their
// own sized for many concurrent web requests.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DBFile is the database's file name inside the data directory.
const DBFile = "watchline.db"

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// ErrNewerSchema is returned when the data directory was written by a newer
// watchline than this one.
var ErrNewerSchema = errors.New("data directory was written by a newer watchline")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is an open watchline database.
type Store struct {
	db  *sql.DB // writes: one connection, every transaction BEGIN IMMEDIATE
	rdb *sql.DB // reads: many connections, query_only
	dir string
	now func() time.Time

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // hot read statements, prepared once (see readStmt)
}

// writerPragmas tune the one write connection for large transactions (an
// alert pass of 1,000 subscriptions records tens of thousands of matches per
// transaction, a store batch 500 documents); none changes what a crash keeps
// (BenchmarkRecordMatches: 1,034 -> 864 ms of CPU per pass with all three,
// and half the system time; storing documents in batches of 500: 21% less
// CPU).
//
//   - a page cache of 16 MiB (SQLite's default is 2 MiB), so a transaction's
//     dirty pages stay in memory until it commits instead of spilling to the
//     WAL half way and being written again;
//   - statement journals in memory: a multi-row INSERT inside a transaction
//     keeps the pages it changes in one, to undo just that statement if it
//     fails, and a temporary file costs a system call per page;
//   - a checkpoint every 10,000 WAL pages (40 MiB) instead of 1,000: a
//     checkpoint copies each page once however often it was rewritten since
//     the last, and the index pages a batch of matches touches are rewritten
//     by every batch.
const writerPragmas = "&_pragma=cache_size(-16384)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(10000)"

// readConns is the size of the read pool: readers never wait for each other
// in WAL mode, so enough connections for the web server's concurrent requests
// and every pipeline stage reading the log at once.
const readConns = 16

// Open opens (creating if needed) the store in data directory dir and brings
// its schema up to date.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open store: create data directory %s: %w (check the path and its permissions, or pass --data)", dir, err)
	}
	path := filepath.Join(dir, DBFile)
	base := "file:" + path +
		"?_pragma=busy_timeout(15000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)" + // with WAL: a process crash loses nothing committed
		"&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", base+"&_txlock=immediate"+writerPragmas)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(time.Minute)
	s := &Store{db: db, dir: dir, now: time.Now}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w (is it a watchline data directory, and readable?)", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// The read pool opens after the migrations, so no reader sees a schema
	// half way.
	rdb, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(readConns)
	rdb.SetMaxIdleConns(readConns)
	rdb.SetConnMaxIdleTime(time.Minute)
	s.rdb = rdb
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	rerr := s.rdb.Close()
	if err := s.db.Close(); err != nil {
		return err
	}
	return rerr
}

// readStmt returns q prepared on the read pool, preparing it the first
// time. Reads repeat the same few statements (a search page's documents, an
// event's sources, a timeline's events), and with modernc's SQLite preparing
// costs as much as running them: database/sql keeps each prepared once per
// connection. Statements whose text varies (an IN list of n ids) would fill
// the cache, so past maxReadStmts it returns nil and they run unprepared.
func (s *Store) readStmt(ctx context.Context, q string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	// An IN list of n placeholders is a new text for every n: not worth
	// keeping.
	if len(s.stmts) >= maxReadStmts || strings.Count(q, "?") > 8 {
		return nil, nil
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	st, err := s.rdb.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	s.stmts[q] = st
	return st, nil
}

// maxReadStmts bounds the read statement cache.
const maxReadStmts = 200

// query runs a read query through the statement cache.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.readStmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.rdb.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is QueryRow through the statement cache.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) rowScanner {
	st, err := s.readStmt(ctx, q)
	if err != nil {
		return errRow{err}
	}
	if st == nil {
		return s.rdb.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Dir is the data directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// SetClock replaces the store's clock (tests use a fixed one).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Migration is one schema change: a file NNNN_description.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

func loadMigrations() ([]Migration, error) { return ReadMigrations(migrationFiles) }

// ReadMigrations reads the migrations in fsys's migrations directory, in
// order, and checks they are numbered 1, 2, 3 … without gaps. Every store
// implementation keeps its own in the same form.
func ReadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %q: name must be NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, "migrations/"+name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %04d; migrations must be numbered 1, 2, 3 … without gaps", m.Name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the number of the newest migration this build knows.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("migrate: read schema version: %w (the file may not be an SQLite database)", err)
	}
	if current > len(ms) {
		return fmt.Errorf("open store %s: %w (schema %d, this build knows %d): upgrade watchline, or point --data at another directory",
			s.dir, ErrNewerSchema, current, len(ms))
	}
	for _, m := range ms[current:] {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			// PRAGMA does not take parameters; the version is an int we made.
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.Version))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate: apply %s: %w", m.Name, err)
		}
	}
	return nil
}

// tx runs fn in one write transaction (BEGIN IMMEDIATE), committing if fn
// returns nil and rolling back otherwise.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Cursor returns the last seq consumer name has fully applied (0 if none).
func (s *Store) Cursor(ctx context.Context, name string) (int64, error) {
	var seq int64
	err := s.queryRow(ctx, "SELECT seq FROM cursors WHERE name = ?", name).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read cursor %s: %w", name, err)
	}
	return seq, nil
}

// SetCursor records that consumer name has applied everything up to seq. A
// consumer that writes output into the store must instead set its cursor in
// the same transaction as that output (see setCursorTx).
func (s *Store) SetCursor(ctx context.Context, name string, seq int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return setCursorTx(ctx, tx, name, seq) })
}

func setCursorTx(ctx context.Context, tx *sql.Tx, name string, seq int64) error {
	_, err := tx.ExecContext(ctx,
		"INSERT INTO cursors(name, seq) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq", name, seq)
	if err != nil {
		return fmt.Errorf("set cursor %s: %w", name, err)
	}
	return nil
}

// Check runs SQLite's integrity check and reports the first problem found.
func (s *Store) Check(ctx context.Context) error {
	var res string
	if err := s.queryRow(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// unix and fromUnix convert between times and the integer seconds the schema
// stores; the zero time is 0.
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
