package store

import (
	"context"
	"database/sql"
	"fmt"
)

// stmts runs the statements of one write transaction, preparing each distinct
// statement once. modernc's SQLite has no statement cache and preparing is a
// large share of a small statement's cost, so a batch that runs the same few
// statements for many rows (documents, alert matches) spends its time on the
// rows instead.
type stmts struct {
	ctx context.Context
	tx  *sql.Tx
	m   map[string]*sql.Stmt
}

func newStmts(ctx context.Context, tx *sql.Tx) *stmts {
	return &stmts{ctx: ctx, tx: tx, m: map[string]*sql.Stmt{}}
}

func (c *stmts) prepared(q string) (*sql.Stmt, error) {
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(c.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	c.m[q] = st
	return st, nil
}

func (c *stmts) exec(q string, args ...any) (sql.Result, error) {
	st, err := c.prepared(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(c.ctx, args...)
}

func (c *stmts) query(q string, args ...any) (*sql.Rows, error) {
	st, err := c.prepared(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(c.ctx, args...)
}

// queryRow is QueryRow through the cache; a failed prepare comes back from
// Scan like any other error.
func (c *stmts) queryRow(q string, args ...any) rowScanner {
	st, err := c.prepared(q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(c.ctx, args...)
}

func (c *stmts) close() {
	for _, st := range c.m {
		st.Close()
	}
}

type rowScanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// batch runs fn in one write transaction with a statement cache.
func (s *Store) batch(ctx context.Context, fn func(*stmts) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		c := newStmts(ctx, tx)
		defer c.close()
		return fn(c)
	})
}
