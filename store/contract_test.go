package store_test

import (
	"context"
	"testing"

	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/store/storetest"
)

// TestContract runs the store contract against the embedded SQLite store.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Backend {
		st, err := store.Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}
