package store

import (
	"context"
	"fmt"
	"time"
)

// RelinkDuplicates makes document from, and every document linked to it as a
// near-duplicate, near-duplicates of document to (which was found to be
// published earlier). from gets similarity sim; documents that pointed at from
// keep theirs. Every changed document gets a new seq so consumers see it.
func (s *Store) RelinkDuplicates(ctx context.Context, from, to int64, sim float64) error {
	if from == to {
		return nil
	}
	return s.batch(ctx, func(c *stmts) error {
		seq, err := nextSeq(c)
		if err != nil {
			return err
		}
		return relink(c, from, to, sim, &seq)
	})
}

func relink(c *stmts, from, to int64, sim float64, seq *int64) error {
	if from == to {
		return nil
	}
	rows, err := c.query("SELECT id FROM documents WHERE (id = ? OR duplicate_of = ?) AND deleted = 0 ORDER BY id", from, from)
	if err != nil {
		return fmt.Errorf("relink duplicates of %d: %w", from, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("relink duplicates of %d: %w", from, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("relink duplicates of %d: %w", from, err)
	}
	for _, id := range ids {
		if id == to {
			continue
		}
		q := "UPDATE documents SET duplicate_of = ?, seq = ? WHERE id = ?"
		args := []any{to, takeSeq(seq), id}
		if id == from {
			q = "UPDATE documents SET duplicate_of = ?, similarity = ?, seq = ? WHERE id = ?"
			args = []any{to, sim, args[1], id}
		}
		if _, err := c.exec(q, args...); err != nil {
			return fmt.Errorf("relink duplicates of %d: %w", from, err)
		}
	}
	return nil
}

// setValidators stores the validators for url inside a batch; empty
// validators delete them.
func setValidators(c *stmts, url string, v Validators, now time.Time) error {
	var err error
	if v == (Validators{}) {
		_, err = c.exec("DELETE FROM http_cache WHERE url = ?", url)
	} else {
		_, err = c.exec(`INSERT INTO http_cache(url, etag, last_modified, updated) VALUES(?,?,?,?)
			ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
			updated = excluded.updated`, url, v.ETag, v.LastModified, now.Unix())
	}
	if err != nil {
		return fmt.Errorf("set validators %s: %w", url, err)
	}
	return nil
}
