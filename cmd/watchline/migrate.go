package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/store/postgres"
)

func runMigrate(ctx context.Context, a *app, args []string) error {
	fs := a.flags("migrate", "--to postgres://USER:PASSWORD@HOST:PORT/DATABASE\n\n"+
		"Copies the SQLite archive in --data (documents and their versions, events and editors' corrections,\n"+
		"subscriptions, matches and deliveries, cursors and crawl state) into an empty PostgreSQL database,\n"+
		"in one transaction. The archive in --data is only read. Afterwards run every command with\n"+
		"--store URL (or WATCHLINE_STORE); --data then holds only that machine's search index.")
	to := fs.String("to", "", "the PostgreSQL `URL` to copy into (its password may also come from PGPASSWORD)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: migrate takes no arguments", errUsage)
	}
	if !postgres.IsURL(*to) {
		return fmt.Errorf("%w: --to needs a postgres:// URL, e.g. --to postgres://watchline@db.example:5432/watchline", errUsage)
	}
	if _, err := os.Stat(filepath.Join(a.dataDir, store.DBFile)); err != nil {
		return fmt.Errorf("migrate: no watchline archive in %s (%v); pass the data directory to copy with --data", a.dataDir, err)
	}
	src, err := store.Open(ctx, a.dataDir)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	start := time.Now()
	var rows int64
	err = dst.ImportFrom(ctx, src, func(table string, n int64) {
		rows += n
		fmt.Fprintf(a.stderr, "copied %-20s %8d rows\n", table, n)
	})
	if err != nil {
		return err
	}
	docs, _ := dst.CountDocuments(ctx, store.DocFilter{IncludeDeleted: true})
	fmt.Fprintf(a.stdout, "copied %d rows (%d documents) from %s into %s in %s\n"+
		"from now on run watchline with --store %s (or set WATCHLINE_STORE)\n",
		rows, docs, a.dataDir, postgres.Redact(*to), time.Since(start).Round(time.Millisecond), postgres.Redact(*to))
	return nil
}
