package store

import (
	"context"
	"fmt"
	"slices"
)

// Tables lists the store's tables, in the order they were created; with
// EachRow it lets `watchline migrate` copy a whole archive to another store
// without knowing its tables.
func (s *Store) Tables(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// EachRow calls fn with the column names and values of every row of table,
// reading as it goes. Values are as SQLite holds them: int64, float64,
// string, []byte or nil.
func (s *Store) EachRow(ctx context.Context, table string, fn func(cols []string, vals []any) error) error {
	tables, err := s.Tables(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(tables, table) {
		return fmt.Errorf("read table %q: %w", table, ErrNotFound)
	}
	// The name is one of the database's own tables, so quoting it is enough.
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return fmt.Errorf("read table %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("read table %s: %w", table, err)
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read table %s: %w", table, err)
		}
		if err := fn(cols, vals); err != nil {
			return err
		}
	}
	return rows.Err()
}
