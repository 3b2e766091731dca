package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// RowSource is a store whose tables can be read row by row: the embedded
// SQLite store, when an archive moves to PostgreSQL.
type RowSource interface {
	Tables(ctx context.Context) ([]string, error)
	EachRow(ctx context.Context, table string, fn func(cols []string, vals []any) error) error
}

// ImportFrom copies every table of src into this store, which must be
// empty, in one transaction: on any error nothing is copied. The schemas
// mirror each other, so tables and columns are matched by name; a table or
// column of src that has no counterpart here stops the copy before it
// starts, since copying the rest would lose it. progress, if set, is told
// each table's row count as it is done.
func (s *Store) ImportFrom(ctx context.Context, src RowSource, progress func(table string, rows int64)) error {
	tables, err := src.Tables(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	columns, err := s.columnTypes(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, t := range tables {
		if columns[t] == nil {
			return fmt.Errorf("migrate: table %s has no counterpart in this build's PostgreSQL schema; nothing was copied (upgrade watchline)", t)
		}
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		// Rows arrive table by table, so references are checked at commit.
		if _, err := tx.Exec(ctx, "SET CONSTRAINTS ALL DEFERRED"); err != nil {
			return err
		}
		for _, t := range tables {
			var full bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM "`+t+`")`).Scan(&full); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			if full {
				return fmt.Errorf("migrate: the PostgreSQL store already holds data (table %s); migrate copies into an empty database only", t)
			}
			n, err := copyTable(ctx, tx, src, t, columns[t])
			if err != nil {
				return fmt.Errorf("migrate: table %s: %w", t, err)
			}
			if progress != nil {
				progress(t, n)
			}
		}
		// The logs continue after the copied seqs, and generated ids after
		// the copied ids.
		for _, log := range []string{"documents", "events"} {
			if _, err := tx.Exec(ctx, `UPDATE log_heads SET seq = (SELECT COALESCE(MAX(seq), 0) FROM `+log+`) WHERE name = $1`, log); err != nil {
				return fmt.Errorf("migrate: log head %s: %w", log, err)
			}
		}
		rows, err := tx.Query(ctx, `SELECT table_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'`)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		idTables, err := collect(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, t := range idTables {
			_, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM "`+t+`"`, t)
			if err != nil {
				return fmt.Errorf("migrate: ids of %s: %w", t, err)
			}
		}
		return nil
	})
}

// column is a PostgreSQL column's data type and whether it takes NULL.
type column struct {
	typ      string
	nullable bool
}

// columnTypes maps each table of this schema to its columns.
func (s *Store) columnTypes(ctx context.Context) (map[string]map[string]column, error) {
	rows, err := s.pool.Query(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'YES'
		FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]column{}
	for rows.Next() {
		var t, c string
		var col column
		if err := rows.Scan(&t, &c, &col.typ, &col.nullable); err != nil {
			return nil, err
		}
		if out[t] == nil {
			out[t] = map[string]column{}
		}
		out[t][c] = col
	}
	return out, rows.Err()
}

// copyTable streams table from src into tx with COPY, a batch at a time,
// converting each value to its column's type here.
func copyTable(ctx context.Context, tx pgx.Tx, src RowSource, table string, types map[string]column) (int64, error) {
	const batch = 1000
	var cols []string
	var buf [][]any
	var total int64
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(buf))
		total += n
		buf = buf[:0]
		return err
	}
	err := src.EachRow(ctx, table, func(c []string, vals []any) error {
		if cols == nil {
			for _, name := range c {
				if types[name].typ == "" {
					return fmt.Errorf("column %s has no counterpart in this build's PostgreSQL schema; nothing was copied (upgrade watchline)", name)
				}
			}
			cols = slices.Clone(c)
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			cv, err := convert(v, types[cols[i]])
			if err != nil {
				return fmt.Errorf("column %s: %w", cols[i], err)
			}
			row[i] = cv
		}
		buf = append(buf, row)
		if len(buf) >= batch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return total, err
	}
	return total, flush()
}

// convert turns a value as SQLite holds it into one for a PostgreSQL column:
// SQLite's integer flags become booleans, text and blob are interchangeable
// there (a BLOB column's ” default is text), and an empty blob in a NOT
// NULL column reads back as nil.
func convert(v any, col column) (any, error) {
	if v == nil {
		switch {
		case col.nullable:
			return nil, nil
		case col.typ == "bytea":
			return []byte{}, nil
		case col.typ == "text":
			return "", nil
		}
		return nil, fmt.Errorf("NULL in a NOT NULL %s column", col.typ)
	}
	typ := col.typ
	switch typ {
	case "boolean":
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case bool:
			return x, nil
		}
	case "bytea":
		switch x := v.(type) {
		case string:
			return []byte(x), nil
		case []byte:
			if x == nil && !col.nullable {
				return []byte{}, nil
			}
			return x, nil
		}
	case "text":
		switch x := v.(type) {
		case []byte:
			return string(x), nil
		case string:
			return x, nil
		}
	case "double precision":
		switch x := v.(type) {
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		}
	case "bigint", "integer":
		switch x := v.(type) {
		case int64:
			return x, nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	}
	return nil, fmt.Errorf("a %T value does not fit a %s column", v, typ)
}
