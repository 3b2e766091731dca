package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// testDoc is a short way to write a document in a test.
type testDoc struct {
	source, title, text, lang string
	official                  bool
	published                 string // YYYY-MM-DD
	tags                      []string
	dupOf                     int64
}

func openStore(t testing.TB) (*store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, dir
}

func put(t testing.TB, st *store.Store, i int, td testDoc) int64 {
	t.Helper()
	pub, err := time.Parse(time.DateOnly, td.published)
	if err != nil {
		pub = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if td.lang == "" {
		td.lang = "en"
	}
	sum := sha256.Sum256([]byte(td.title + "\x00" + td.text))
	d := model.Document{
		CanonicalURL: fmt.Sprintf("https://%s.example/doc-%d", td.source, i),
		SourceID:     td.source, Title: td.title, Text: td.text, Language: td.lang,
		Official: td.official, Published: pub, Fetched: pub.Add(time.Hour), Tags: td.tags,
		ContentHash: hex.EncodeToString(sum[:]), DuplicateOf: td.dupOf,
	}
	if _, err := st.PutDocument(context.Background(), &d, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

func openIndex(t testing.TB, dir string) *Index {
	t.Helper()
	ix, err := OpenWith(dir, Options{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func mustSync(t testing.TB, ix *Index, st *store.Store) int {
	t.Helper()
	n, err := ix.Sync(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func ids(hits []Hit) []int64 {
	out := make([]int64, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

type storeT = *store.Store

func loadDocs(t testing.TB, st *store.Store, ids ...int64) []model.Document {
	t.Helper()
	var docs []model.Document
	for _, id := range ids {
		d, err := st.Document(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}
