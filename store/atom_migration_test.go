package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
)

// TestAtomFileMigration: a data directory whose subscriptions named Atom
// files (schema 3) opens with the Atom channel kept, the paths gone, and a
// distinct random feed token for every subscription.
func TestAtomFileMigration(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:3] {
		if _, err := db.ExecContext(ctx, m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
	}
	for i, atom := range []string{"/etc/some/file", "", "feed.xml"} {
		_, err := db.ExecContext(ctx, `INSERT INTO subscriptions(query, webhook, atom_file, secret, created, start_seq, cursor)
			VALUES(?, ?, ?, 's', 1, 0, 0)`, fmt.Sprint("q", i), map[bool]string{true: "https://example.org/h"}[atom == ""], atom)
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "PRAGMA user_version = 3"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	subs, err := st.Subscriptions(ctx)
	if err != nil || len(subs) != 3 {
		t.Fatalf("subscriptions = %v, %v", subs, err)
	}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for i, sub := range subs {
		if want := i != 1; sub.Atom != want {
			t.Errorf("subscription %d: atom = %v, want %v", sub.ID, sub.Atom, want)
		}
		if !hex32.MatchString(sub.AtomToken) || seen[sub.AtomToken] {
			t.Errorf("subscription %d: token %q is not a fresh 128-bit hex token", sub.ID, sub.AtomToken)
		}
		seen[sub.AtomToken] = true
		got, err := st.SubscriptionByAtomToken(ctx, sub.AtomToken)
		if err != nil || got.ID != sub.ID {
			t.Errorf("by token: %v, %v", got.ID, err)
		}
	}
	var n int
	if err := st.db.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info('subscriptions') WHERE name = 'atom_file'").Scan(&n); err != nil || n != 0 {
		t.Errorf("the atom_file column is still there (%d, %v)", n, err)
	}
}
