package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/store/postgres/pgtest"
	"github.com/watchline/watchline/store/storetest"
)

func openTest(t testing.TB) *Store {
	t.Helper()
	st, err := Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestContract runs the store contract against PostgreSQL.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Backend { return openTest(t) })
}

// TestLogUnderConcurrentWriters is the proof that the seq log is safe with
// concurrent writers: sixteen writers store and re-store documents at once,
// each pausing between taking its seq and committing — the window in which a
// naive design (a sequence, or MAX(seq)+1 without the log head's lock) lets a
// higher seq commit before a lower one — while a consumer tails the log. The
// consumer must see every change (storetest.ConcurrentLog).
func TestLogUnderConcurrentWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency proof: skipped under -short")
	}
	st := openTest(t)
	var n atomic.Int64
	st.beforeCommit = func() {
		// Vary the pause so commits would interleave if they could.
		time.Sleep(time.Duration(n.Add(1)%4) * 500 * time.Microsecond)
	}
	storetest.ConcurrentLog(t, st, 16, 20)
}

// TestPutBatch stores a batch in which a later document sees the earlier
// ones: a new version of one, a relinked original, validators committed with
// the batch; seqs follow the order of the changes.
func TestPutBatch(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	old := storetest.Doc("https://b.example/old", "an older copy")
	if _, err := st.PutDocument(ctx, old, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	a := storetest.Doc("https://b.example/a", "first text")
	a2 := storetest.Doc("https://b.example/a", "second text")
	orig := storetest.Doc("https://b.example/orig", "the original")
	puts := []*put{
		{doc: a},
		{doc: a2},
		{doc: orig, relink: []relinkFrom{{from: old.ID, sim: 0.9}},
			validatorsURL: "https://b.example/feed", validators: store.Validators{ETag: `"v1"`}},
	}
	if err := st.putAll(ctx, puts); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range puts {
		got = append(got, fmt.Sprintf("%v:%d", p.outcome, p.relinked))
	}
	if fmt.Sprint(got) != "[new:0 updated:0 new:1]" {
		t.Errorf("outcomes %v", got)
	}
	docs, _ := st.DocumentsAfter(ctx, 1, 10)
	var log []string
	for _, d := range docs {
		log = append(log, fmt.Sprintf("%d:%d:v%d", d.Seq, d.ID, d.Versions))
	}
	if fmt.Sprint(log) != "[2:2:v2 3:3:v1 4:1:v1]" {
		t.Errorf("log after the batch = %v", log)
	}
	if d, _ := st.Document(ctx, old.ID); d.DuplicateOf != orig.ID || d.Similarity != 0.9 {
		t.Errorf("old copy not relinked: %+v", d)
	}
	if v, _ := st.Validators(ctx, "https://b.example/feed"); v.ETag != `"v1"` {
		t.Errorf("validators = %+v", v)
	}
	bad := []*put{{doc: storetest.Doc("https://b.example/c", "fine")}, {doc: &model.Document{CanonicalURL: "https://b.example/d"}}}
	if err := st.putAll(ctx, bad); err == nil {
		t.Error("a batch with a document without content hash was stored")
	}
	if max, _ := st.MaxSeq(ctx); max != 4 {
		t.Errorf("a refused batch wrote something: max seq %d", max)
	}
}
