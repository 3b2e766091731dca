package postgres

import (
	"context"
	"fmt"
	"sync"
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
// concurrent writers. Sixteen writers store and re-store documents at once,
// each pausing between taking its seq and committing (the window in which a
// naive design — a sequence, or MAX(seq)+1 without the log head's lock —
// lets a higher seq commit before a lower one), while a consumer tails the
// log the way every consumer does: DocumentsAfter(cursor), cursor = the last
// seq read. A document's row carries its latest change, so the consumer must
// see each document's final version, no change twice, and seqs only rising.
func TestLogUnderConcurrentWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency proof: skipped under -short")
	}
	ctx := context.Background()
	st := openTest(t)
	var n atomic.Int64
	st.beforeCommit = func() {
		// Vary the pause so commits would interleave if they could.
		time.Sleep(time.Duration(n.Add(1)%4) * 500 * time.Microsecond)
	}
	const writers, each = 16, 20
	final := map[int64]int{} // document id -> the last version a writer stored
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// Every third put re-stores the previous URL with new text: a
				// new version, which must reach the consumer as a change too.
				u := fmt.Sprintf("https://log.example/%d/%d", w, i)
				if i%3 == 2 {
					u = fmt.Sprintf("https://log.example/%d/%d", w, i-1)
				}
				d := storetest.Doc(u, fmt.Sprintf("writer %d put %d", w, i))
				if _, err := st.PutDocument(ctx, d, store.Raw{}); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				final[d.ID] = max(final[d.ID], d.Versions)
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[string]int{} // "id/version" -> times read
	last := map[int64]int{}  // id -> last version read
	var cursor int64
	tail := func() {
		for {
			docs, err := st.DocumentsAfter(ctx, cursor, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) == 0 {
				return
			}
			for _, d := range docs {
				if d.Seq <= cursor {
					t.Fatalf("seq %d read after cursor %d", d.Seq, cursor)
				}
				cursor = d.Seq
				seen[fmt.Sprintf("%d/%d", d.ID, d.Versions)]++
				last[d.ID] = d.Versions
			}
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			tail()
		}
	}
	tail()
	inserts := 0
	for i := range each {
		if i%3 != 2 {
			inserts++
		}
	}
	if len(final) != writers*inserts {
		t.Fatalf("writers stored %d documents, want %d", len(final), writers*inserts)
	}
	for id, v := range final {
		if last[id] != v {
			t.Errorf("document %d: the consumer's last read was version %d, the store has %d: it skipped a change", id, last[id], v)
		}
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("change %s read %d times, want once", k, n)
		}
	}
	var changes int64 = writers * each
	if max, _ := st.MaxSeq(ctx); max != changes {
		t.Errorf("max seq = %d after %d changes: the log has gaps or repeats", max, changes)
	}
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
