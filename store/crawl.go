package store

import (
	"context"
	"database/sql"
	"fmt"
)

// RelinkDuplicates makes document from, and every document linked to it as a
// near-duplicate, near-duplicates of document to (which was found to be
// published earlier). from gets similarity sim; documents that pointed at from
// keep theirs. Every changed document gets a new seq so consumers see it.
func (s *Store) RelinkDuplicates(ctx context.Context, from, to int64, sim float64) error {
	if from == to {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id FROM documents WHERE (id = ? OR duplicate_of = ?) AND deleted = 0 ORDER BY id", from, from)
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
			seq, err := nextSeq(ctx, tx)
			if err != nil {
				return err
			}
			q := "UPDATE documents SET duplicate_of = ?, seq = ? WHERE id = ?"
			args := []any{to, seq, id}
			if id == from {
				q = "UPDATE documents SET duplicate_of = ?, similarity = ?, seq = ? WHERE id = ?"
				args = []any{to, sim, seq, id}
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("relink duplicates of %d: %w", from, err)
			}
		}
		return nil
	})
}
