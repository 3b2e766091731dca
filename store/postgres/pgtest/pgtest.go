// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in the server that WATCHLINE_TEST_POSTGRES names (.ci/postgres.sh
// starts a throwaway one), dropped when the test ends.
//
// Without that variable a test that needs PostgreSQL is skipped on a
// developer's machine and fails in CI (CI=true), so a CI run that forgot to
// start the server cannot pass by skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL is the variable naming the test server's database.
const EnvURL = "WATCHLINE_TEST_POSTGRES"

// ServerURL returns the test server's URL, skipping t (or failing it under
// CI=true) when there is none.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must start PostgreSQL (.ci/run does, with .ci/postgres.sh)", EnvURL)
		}
		t.Skipf("%s is not set; start a throwaway server with: eval \"$(bash .ci/postgres.sh start)\"", EnvURL)
	}
	return u
}

// URL returns a URL of the test server whose connections use a new, empty
// schema of their own; the schema is dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	base := ServerURL(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSchema(base, schema)
}

// WithSchema returns url with its connections' search_path set to schema.
func WithSchema(raw, schema string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
