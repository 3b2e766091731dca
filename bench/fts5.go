package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/watchline/watchline/model"
)

// FTS5Peer is SQLite's own full-text index (FTS5, default unicode61
// tokenizer) in a database file of its own, the second yardstick `watchline
// bench` compares the search index against.
//
// It is the one place outside package store that writes SQL, on purpose:
// the rule "only store writes SQL" keeps watchline's own data (the system of
// record) behind one package, so a second store implementation (PostgreSQL)
// replaces it whole. The peer is measuring equipment, not watchline data: it
// writes a scratch database of its own that nothing else reads, and it must
// stay SQLite FTS5 whatever store watchline runs on, so it belongs with the
// benchmark, not in the store's interface. The layering test allows
// database/sql here and in store only.
type FTS5Peer struct {
	db   *sql.DB
	path string
}

// OpenFTS5Peer creates (or opens) an FTS5 peer database at path, with the same
// journal settings as the store.
func OpenFTS5Peer(ctx context.Context, path string) (*FTS5Peer, error) {
	dsn := "file:" + path +
		"?_pragma=busy_timeout(15000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)" +
		"&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open fts5 peer %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	_, err = db.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS peer
		USING fts5(title, text, url UNINDEXED, source UNINDEXED, published UNINDEXED)`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open fts5 peer %s: create table: %w (is FTS5 compiled in?)", path, err)
	}
	return &FTS5Peer{db: db, path: path}, nil
}

// Add inserts docs in one transaction, keyed by their store ids.
func (p *FTS5Peer) Add(ctx context.Context, docs []model.Document) error {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("fts5 peer: begin: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx,
		"INSERT INTO peer(rowid, title, text, url, source, published) VALUES(?, ?, ?, ?, ?, ?)")
	if err != nil {
		return fmt.Errorf("fts5 peer: prepare: %w", err)
	}
	defer stmt.Close()
	for i := range docs {
		d := &docs[i]
		if _, err := stmt.ExecContext(ctx, d.ID, d.Title, d.Text, d.CanonicalURL, d.SourceID, d.Published.Unix()); err != nil {
			return fmt.Errorf("fts5 peer: insert document %d: %w", d.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("fts5 peer: commit: %w", err)
	}
	return nil
}

// FTS5Query is one peer query: an FTS5 MATCH expression (words, "phrases",
// AND/OR/NOT, parentheses), optional source and published-range filters, and
// the page wanted.
type FTS5Query struct {
	Match         string
	Source        string
	From, To      time.Time
	Limit, Offset int
	// Page asks for what a results page shows: each hit's url, title,
	// source and published columns and a snippet() of its text with the
	// matches marked.
	Page bool
}

// FTS5Hit is one hit of FTS5Peer.Search; with FTS5Query.Page its columns
// and snippet are filled in.
type FTS5Hit struct {
	ID                 int64
	URL, Title, Source string
	Published          int64
	Snippet            string
}

// fts5SnippetTokens is the snippet length in tokens: about the 240 bytes of
// watchline's snippets.
const fts5SnippetTokens = 36

// Search returns one page of q's matches, best rank first.
func (p *FTS5Peer) Search(ctx context.Context, q FTS5Query) ([]FTS5Hit, error) {
	where := "peer MATCH ?"
	args := []any{q.Match}
	if q.Source != "" {
		where += " AND source = ?"
		args = append(args, q.Source)
	}
	if !q.From.IsZero() {
		where += " AND published >= ?"
		args = append(args, q.From.Unix())
	}
	if !q.To.IsZero() {
		where += " AND published <= ?"
		args = append(args, q.To.Unix())
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	args = append(args, limit, q.Offset)
	cols := "rowid"
	if q.Page {
		cols = fmt.Sprintf("rowid, url, title, source, published, snippet(peer, 1, '[[', ']]', '…', %d)", fts5SnippetTokens)
	}
	rows, err := p.db.QueryContext(ctx, "SELECT "+cols+" FROM peer WHERE "+where+" ORDER BY rank LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, fmt.Errorf("fts5 peer: search %q: %w", q.Match, err)
	}
	defer rows.Close()
	var hits []FTS5Hit
	for rows.Next() {
		var h FTS5Hit
		dest := []any{&h.ID}
		if q.Page {
			dest = append(dest, &h.URL, &h.Title, &h.Source, &h.Published, &h.Snippet)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("fts5 peer: search %q: %w", q.Match, err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fts5 peer: search %q: %w", q.Match, err)
	}
	return hits, nil
}

// Size is the peer database's size on disk in bytes, after folding the
// write-ahead log into it.
func (p *FTS5Peer) Size(ctx context.Context) (int64, error) {
	if _, err := p.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return 0, fmt.Errorf("fts5 peer: checkpoint: %w", err)
	}
	fi, err := os.Stat(p.path)
	if err != nil {
		return 0, fmt.Errorf("fts5 peer: %w", err)
	}
	return fi.Size(), nil
}

// Close closes the peer database.
func (p *FTS5Peer) Close() error { return p.db.Close() }
