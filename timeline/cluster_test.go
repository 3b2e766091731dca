package timeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/synth"
)

// snapshot is the clustering of a store: for each document, the documents of
// its event (so event ids do not matter), plus each event's date and type.
func snapshot(t *testing.T, st *store.Store) map[int64]string {
	t.Helper()
	ctx := context.Background()
	out := map[int64]string{}
	err := st.EachEvent(ctx, store.EventFilter{}, func(e model.Event) error {
		ids := append([]int64(nil), e.DocumentIDs...)
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		key := fmt.Sprintf("%v %s %s %s", ids, DateString(e.Happened, e.Precision), e.Type, e.Title)
		for _, d := range e.DocumentIDs {
			if _, dup := out[d]; dup {
				t.Errorf("document %d is in two events", d)
			}
			out[d] = key
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tempStore is a new, empty store, closed when the test ends.
func tempStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// synthStore is a new store (closed when the test ends) holding n synthetic
// documents made from seed, in random date order.
func synthStore(t testing.TB, seed int64, n int) *store.Store {
	t.Helper()
	ctx := context.Background()
	st := tempStore(t)
	err := synth.Generate(seed, n, func(d model.Document) error {
		_, err := st.PutDocument(ctx, &d, store.Raw{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newAnalyzer(t testing.TB) *Analyzer {
	an, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	return an
}

func TestClusterDeterministicAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	docs := append(demoCorpus(t), fixtureCorpus(t)...)
	an := newAnalyzer(t)

	// One run in one go. Stories are refined within a batch, so runs are
	// compared batch for batch: what a restart must not change is anything
	// but where the batches fall.
	st1, _ := loadCorpus(t, docs)
	if _, err := NewClusterer(st1, an, Options{Batch: 7}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, st1)
	if len(want) != len(docs) {
		t.Fatalf("%d documents in events, want %d", len(want), len(docs))
	}

	// The same corpus in small batches, with a new clusterer (as after a
	// crash or restart) for every batch.
	st2, _ := loadCorpus(t, docs)
	for {
		n, err := NewClusterer(st2, an, Options{Batch: 7, Window: 0}).Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if got := snapshot(t, st2); !reflect.DeepEqual(got, want) {
		for d, w := range want {
			if got[d] != w {
				t.Errorf("document %d: restarted run put it in %s, one run in %s", d, got[d], w)
			}
		}
	}

	// Rebuilding from scratch gives the same events again.
	if err := st1.ResetEvents(ctx, CursorName); err != nil {
		t.Fatal(err)
	}
	if _, err := NewClusterer(st1, an, Options{Batch: 7}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, st1); !reflect.DeepEqual(got, want) {
		t.Errorf("rebuild gave different events")
	}
}

// TestClusterReaders: reading a batch's documents at once must not change
// what the clusterer makes of them.
func TestClusterReaders(t *testing.T) {
	ctx := context.Background()
	docs := append(demoCorpus(t), fixtureCorpus(t)...)
	an := newAnalyzer(t)
	var want map[int64]string
	for _, readers := range []int{1, 8} {
		st, _ := loadCorpus(t, docs)
		if _, err := NewClusterer(st, an, Options{Batch: 50, Readers: readers}).Run(ctx); err != nil {
			t.Fatal(err)
		}
		got := snapshot(t, st)
		if len(got) != len(docs) {
			t.Fatalf("readers %d: %d documents in events, want %d", readers, len(got), len(docs))
		}
		if want == nil {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("readers %d: other events than with one reader", readers)
		}
	}
}

func TestClusterReplayDoesNotDuplicate(t *testing.T) {
	ctx := context.Background()
	docs := fixtureCorpus(t)
	st, _ := loadCorpus(t, docs)
	an := newAnalyzer(t)
	if _, err := NewClusterer(st, an, Options{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	// Replay the whole log over existing output: each document is assigned
	// again, not added twice.
	if err := st.SetCursor(ctx, CursorName, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := NewClusterer(st, an, Options{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, st); len(got) != len(docs) {
		t.Errorf("%d documents in events after replay, want %d", len(got), len(docs))
	}
}

func TestClusterTwoProcesses(t *testing.T) {
	ctx := context.Background()
	docs := fixtureCorpus(t)
	st, _ := loadCorpus(t, docs)
	an := newAnalyzer(t)
	a := NewClusterer(st, an, Options{Batch: 5})
	b := NewClusterer(st, an, Options{Batch: 5})
	// Both load their state, then race over the same log.
	for {
		na, err := a.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		nb, err := b.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if na == 0 && nb == 0 {
			break
		}
	}
	if got := snapshot(t, st); len(got) != len(docs) {
		t.Errorf("%d documents in events, want %d", len(got), len(docs))
	}
}

func put(t *testing.T, st *store.Store, d *model.Document) {
	t.Helper()
	h := sha256.Sum256([]byte(d.Text))
	d.ContentHash = hex.EncodeToString(h[:])
	if _, err := st.PutDocument(context.Background(), d, store.Raw{}); err != nil {
		t.Fatal(err)
	}
}

func eventOf(t *testing.T, st *store.Store, doc int64) int64 {
	t.Helper()
	m, err := st.EventsOfDocuments(context.Background(), []int64{doc})
	if err != nil {
		t.Fatal(err)
	}
	return m[doc]
}

func TestClusterFollowsChanges(t *testing.T) {
	ctx := context.Background()
	docs := fixtureCorpus(t)
	st, ids := loadCorpus(t, docs)
	an := newAnalyzer(t)
	c := NewClusterer(st, an, Options{})
	if _, err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("hearings a month apart are two events; reports of one are one", func(t *testing.T) {
		h1 := eventOf(t, st, ids["h1-courier"])
		if h1 == 0 || eventOf(t, st, ids["h1-wire"]) != h1 || eventOf(t, st, ids["h1-gazette"]) != h1 {
			t.Errorf("reports of the first hearing are split")
		}
		if eventOf(t, st, ids["h2-wire"]) == h1 {
			t.Errorf("the second hearing was merged into the first")
		}
	})

	t.Run("a wire copy joins its original's event", func(t *testing.T) {
		// A copy with a different text still goes where its original is.
		d := &model.Document{CanonicalURL: "https://copy.example/1", SourceID: "copy", Title: "Unrelated-looking headline",
			Text: "Completely different words about gardening.", Published: docs[8].Published, DuplicateOf: ids["v1-wire"]}
		put(t, st, d)
		if _, err := c.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := eventOf(t, st, d.ID), eventOf(t, st, ids["v1-wire"]); got != want {
			t.Errorf("copy is in event %d, original in %d", got, want)
		}
	})

	t.Run("a new version is re-evaluated, not duplicated", func(t *testing.T) {
		doc, err := st.Document(ctx, ids["t1-gazette"])
		if err != nil {
			t.Fatal(err)
		}
		doc.Text += "\n\nUpdated: the trial continues tomorrow."
		put(t, st, &doc)
		if _, err := c.Run(ctx); err != nil {
			t.Fatal(err)
		}
		ev, err := st.Event(ctx, eventOf(t, st, doc.ID))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range ev.DocumentIDs {
			if d == doc.ID {
				n++
			}
		}
		if n != 1 {
			t.Errorf("document %d appears %d times in event %d", doc.ID, n, ev.ID)
		}
	})

	t.Run("a deleted document leaves its event; an empty event goes", func(t *testing.T) {
		d := &model.Document{CanonicalURL: "https://lonely.example/1", SourceID: "lonely", Title: "Lighthouse keeper retires",
			Text: "A lighthouse keeper in Cornwall retired after forty years.", Published: docs[0].Published}
		put(t, st, d)
		if _, err := c.Run(ctx); err != nil {
			t.Fatal(err)
		}
		ev := eventOf(t, st, d.ID)
		if ev == 0 {
			t.Fatal("new document was not assigned")
		}
		if err := st.DeleteDocument(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if got := eventOf(t, st, d.ID); got != 0 {
			t.Errorf("deleted document still in event %d", got)
		}
		if _, err := st.Event(ctx, ev); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("empty event %d: err = %v, want not found", ev, err)
		}
	})
}

func TestEditorsSurviveRebuild(t *testing.T) {
	ctx := context.Background()
	docs := fixtureCorpus(t)
	st, ids := loadCorpus(t, docs)
	an := newAnalyzer(t)
	if _, err := NewClusterer(st, an, Options{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	ed := NewEditor(st)
	h1, h2 := eventOf(t, st, ids["h1-wire"]), eventOf(t, st, ids["h2-wire"])
	if err := ed.Merge(ctx, h1, h2); err != nil {
		t.Fatal(err)
	}
	sentenced := eventOf(t, st, ids["se1-wire"])
	split, err := ed.Split(ctx, sentenced, []int64{ids["se1-courier"]})
	if err != nil {
		t.Fatal(err)
	}
	verdict := eventOf(t, st, ids["v1-wire"])
	if err := ed.Edit(ctx, verdict, Edit{Title: "Vale convicted", Happened: "2024-07", Type: "trial"}); err != nil {
		t.Fatal(err)
	}
	// Corrections that cannot apply say so.
	if err := ed.Edit(ctx, verdict, Edit{Type: "picnic"}); !errors.Is(err, ErrInvalidEdit) {
		t.Errorf("edit with a bad type: err = %v, want ErrInvalidEdit", err)
	}
	if _, err := ed.Split(ctx, sentenced, []int64{ids["h1-wire"]}); !errors.Is(err, ErrInvalidEdit) {
		t.Errorf("split of a document not in the event: err = %v, want ErrInvalidEdit", err)
	}

	check := func(t *testing.T) {
		if a, b := eventOf(t, st, ids["h1-wire"]), eventOf(t, st, ids["h2-wire"]); a != h1 || b != h1 {
			t.Errorf("merged hearings are in events %d and %d, want both in %d", a, b, h1)
		}
		if got := eventOf(t, st, ids["se1-courier"]); got != split {
			t.Errorf("split document is in event %d, want %d", got, split)
		}
		if got := eventOf(t, st, ids["se1-wire"]); got != sentenced {
			t.Errorf("document left behind is in event %d, want %d", got, sentenced)
		}
		tl := New(st, nil)
		e, err := tl.Event(ctx, verdict)
		if err != nil {
			t.Fatal(err)
		}
		if e.Title != "Vale convicted" || e.Type != model.TypeTrial || DateString(e.Happened, e.Precision) != "2024-07" || !e.Edited {
			t.Errorf("edited event = %q %s %s edited=%v, want the edits", e.Title, e.Type, DateString(e.Happened, e.Precision), e.Edited)
		}
		if got := strings.Join(e.EditedFields, ","); got != "title,happened,type" {
			t.Errorf("edited fields = %q, want title,happened,type", got)
		}
		m, err := tl.Event(ctx, h1)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Edited || !strings.Contains(strings.Join(m.EditedFields, ","), "documents") {
			t.Errorf("merged event edited=%v fields=%v, want documents", m.Edited, m.EditedFields)
		}
		// The merged-away id leads to the event it went into.
		if e, err := tl.Event(ctx, h2); err != nil || e.ID != h1 {
			t.Errorf("event %d after merge = %d, %v; want %d", h2, e.ID, err, h1)
		}
	}
	t.Run("after editing", check)
	if err := st.ResetEvents(ctx, CursorName); err != nil {
		t.Fatal(err)
	}
	if _, err := NewClusterer(st, an, Options{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("after rebuilding", check)
}

func TestSharesPrincipal(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Embassy Spokesperson", "Chinese embassy", true},
		{"Downing Street", "Downing Street spokesperson", true},
		{"Keir Starmer", "Keir Starmer", true},
		{"Christopher Cash", "Christopher Berry", false},
		{"Home Office spokesperson", "Foreign Office", false},
		{"Ministry Spokesperson", "Spokesperson", false},
	}
	for _, tt := range tests {
		if got := sharesPrincipal([]string{tt.a}, map[string]int{tt.b: 1}); got != tt.want {
			t.Errorf("sharesPrincipal(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSideOf(t *testing.T) {
	rec, err := newRecogniser(gazetteerJSON)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   string
		want string
	}{
		{"Kemi Badenoch", "2025-10-09", "United Kingdom:opposition"},
		{"Dan Jarvis", "2025-10-13", "United Kingdom:government"},
		{"Conservative Party", "2023-09-11", "United Kingdom:government"},
		{"Conservative Party", "2025-10-09", "United Kingdom:opposition"},
		{"Stephen Parkinson", "2025-10-07", ""}, // a prosecutor speaks for no camp
	}
	for _, tt := range tests {
		at, _ := time.Parse("2006-01-02", tt.at)
		if got := rec.sideOf(tt.name, at); got != tt.want {
			t.Errorf("sideOf(%q, %s) = %q, want %q", tt.name, tt.at, got, tt.want)
		}
	}
}

// TestCandidatesAreTheWindowsEvents: the week-bucketed term index finds
// exactly what a scan of every cached event would: the events open in the
// document's window that are of its story or share one of its keys.
func TestCandidatesAreTheWindowsEvents(t *testing.T) {
	ctx := context.Background()
	st := synthStore(t, 1, 1500)
	c := NewClusterer(st, newAnalyzer(t), Options{Batch: 300})
	if _, err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, id := range sortedIDs(c.events) {
		ev := c.events[id]
		if len(ev.members) == 0 || id%5 != 0 {
			continue
		}
		d := ev.members[0].info()
		story := c.stories.byID[ev.story]
		if story == nil {
			continue
		}
		a, b := d.Published.Add(-c.opts.Window), d.Published.Add(c.opts.Window)
		start := a.Add(-lookback)
		keys := map[uint32]bool{}
		for _, k := range d.docKeys() {
			keys[k] = true
		}
		var want []int64
		for _, oid := range sortedIDs(c.events) {
			o := c.events[oid]
			if len(o.members) == 0 || o.last.Before(a) || o.first.After(b) || o.first.Before(start) {
				continue
			}
			shares := o.story == story.id
			for _, k := range o.keys {
				shares = shares || keys[k]
			}
			if shares {
				want = append(want, oid)
			}
		}
		var got []int64
		for _, o := range c.candidates(d, story) {
			got = append(got, o.id)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("event %d: candidates %v, a scan finds %v", id, got, want)
		}
		checked++
	}
	if checked < 50 {
		t.Fatalf("only %d events checked", checked)
	}
}

// TestSameStatedDay: agreeing stated days let a document cross into another
// story's event, except the same relative word in documents published the
// same day (it resolves to the same date whatever they report).
func TestSameStatedDay(t *testing.T) {
	wed := time.Date(2025, 10, 15, 9, 0, 0, 0, time.UTC)
	tue := time.Date(2025, 10, 14, 0, 0, 0, 0, time.UTC)
	said := func(phrase string, pub time.Time) *docInfo {
		return &docInfo{Published: pub, Happened: model.DateFound{Date: tue, Precision: model.PrecisionDay, Phrase: phrase}}
	}
	event := func(m *docInfo) *openEvent { return &openEvent{happened: m.Happened, members: []*member{newMember(m)}} }
	cases := []struct {
		doc, member *docInfo
		want        bool
	}{
		{said("yesterday", wed), said("on Tuesday", wed), true},                // written differently, agreeing
		{said("on Tuesday", wed), said("Tuesday", wed), false},                 // an echo of the same word, same day
		{said("on Tuesday", wed), said("Tuesday", wed.AddDate(0, 0, 1)), true}, // the same word read a day later
		{said("14 October", wed), said("14 October", wed), true},               // a calendar date is stated, not relative
	}
	for _, c := range cases {
		if got := sameStatedDay(c.doc, event(c.member)); got != c.want {
			t.Errorf("%q (published %s) vs %q (published %s): %v, want %v", c.doc.Happened.Phrase, c.doc.Published.Format(time.DateOnly),
				c.member.Happened.Phrase, c.member.Published.Format(time.DateOnly), got, c.want)
		}
	}
}

// TestTopK: picking the k first gives the first k of a full sort, ties
// broken by index, for any k and any run of ties.
func TestTopK(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 500; trial++ {
		n, k := rng.IntN(40), rng.IntN(20)
		w := make([]int, n)
		for i := range w {
			w[i] = rng.IntN(5) // many ties
		}
		before := func(a, b int) bool { return w[a] > w[b] || w[a] == w[b] && a < b }
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		sort.Slice(all, func(i, j int) bool { return before(all[i], all[j]) })
		want := all[:min(k, n)]
		if got := topK(n, k, before); len(got) != len(want) || len(want) > 0 && !slices.Equal(got, want) {
			t.Fatalf("n %d k %d weights %v: %v, want %v", n, k, w, got, want)
		}
	}
}

// TestLoadedEventsJoinMergedStories: an event read from the store during a
// batch that merged its story into another (a restart's first windows, or a
// week dropped and read again) is in the story it was merged into, as the
// cached events of that story are: the store still has the old one until
// the batch commits.
func TestLoadedEventsJoinMergedStories(t *testing.T) {
	ctx := context.Background()
	st := tempStore(t)
	c := NewClusterer(st, newAnalyzer(t), Options{})
	if err := c.load(ctx); err != nil {
		t.Fatal(err)
	}
	c.merged = map[int64]int64{5: 7, 7: 9} // 5 went into 7, then 7 into 9
	pub := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	var ms []store.EventMember
	for i, story := range []int64{5, 7, 8} {
		info := &docInfo{ID: int64(10 + i), Published: pub, TermIDs: []uint32{1}, TermW: []float32{1}}
		ms = append(ms, store.EventMember{DocumentID: info.ID, EventID: int64(100 + i), StoryID: story, Published: pub, Analysis: marshalMember(info)})
	}
	evs := c.cacheMembers(ms)
	var got []int64
	for _, ev := range evs {
		got = append(got, ev.story)
	}
	if want := []int64{9, 9, 8}; !slices.Equal(got, want) {
		t.Errorf("stories of the loaded events %v, want %v", got, want)
	}
}

// TestEvictDuringBatch: caps far below what a batch of documents in random
// date order needs hold the cache down during the batch, not only after it,
// and move no document to another event: a batch chooses events in
// publication order, so a week dropped behind its windows is seldom needed
// again, and a week that lost events is read back whole when it is.
func TestEvictDuringBatch(t *testing.T) {
	ctx := context.Background()
	an := newAnalyzer(t)
	run := func(opts Options) (map[int64]string, *Clusterer) {
		st := synthStore(t, 3, 3000)
		c := NewClusterer(st, an, opts)
		n, err := c.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := snapshot(t, st)
		if len(got) != n || n < 2900 {
			t.Fatalf("%+v: %d documents in events, %d clustered", opts, len(got), n)
		}
		return got, c
	}
	want, free := run(Options{Batch: 200})
	got, capped := run(Options{Batch: 200, MaxOpen: 300, MaxMembers: 400})
	t.Logf("most members cached at once: %d without caps, %d with", free.peakMembers, capped.peakMembers)
	if free.peakMembers < 2500 {
		t.Fatalf("without caps the cache held at most %d members: the test needs them to bind", free.peakMembers)
	}
	// What the caps cannot bound is a batch's own events (the store does
	// not have them yet) and the current window's: about a batch's worth.
	if capped.peakMembers > 400+2*200 {
		t.Errorf("with MaxMembers 400 and batches of 200, up to %d members were cached at once", capped.peakMembers)
	}
	moved := 0
	for d, w := range want {
		if got[d] != w {
			moved++
			if moved <= 5 {
				t.Errorf("document %d: with caps in %s, without in %s", d, got[d], w)
			}
		}
	}
	if moved > 0 {
		t.Errorf("%d of %d documents in other events with caps", moved, len(want))
	}
}

// TestEventOrder: a batch chooses events by publication, a copy after its
// original (even one published before it), ties in the log's order.
func TestEventOrder(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }
	mk := func(id int64, d, dupOf int) *item {
		return &item{info: &docInfo{ID: id, Published: day(d)}, dupOf: dupOf}
	}
	items := []*item{
		mk(1, 9, -1),
		mk(2, 3, -1),
		nil,         // an earlier version of a document later in the batch
		mk(4, 5, 0), // a copy of 1, dated before it
		mk(5, 3, -1),
		mk(6, 1, 4), // a copy of 5
	}
	var got []int64
	for _, it := range eventOrder(items) {
		got = append(got, it.info.ID)
	}
	if want := []int64{2, 5, 6, 1, 4}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// TestEvictOrder: weeks no recent batch needed go first (least recently
// used first), then those the batch's sweep has passed (the latest first),
// then those ahead of it (the farthest first).
func TestEvictOrder(t *testing.T) {
	c := &Clusterer{used: map[int64]int64{
		1: 3, 2: 1, 3: 0, // before the last two batches (ticks 5 and 9), or never
		10: 9, 11: 10, 12: 11, // this batch, behind the window
		20: 12, 21: 12, // the window
		30: 7, 31: 8, // the batch before, ahead
	}, batchTicks: [2]int64{9, 5}, window: [2]int64{20, 21}, tick: 12}
	weeks := []int64{30, 20, 10, 1, 31, 21, 11, 2, 12, 3}
	c.evictOrder(weeks)
	if want := []int64{3, 2, 1, 12, 11, 10, 31, 30, 21, 20}; !slices.Equal(weeks, want) {
		t.Errorf("order %v, want %v", weeks, want)
	}
}

// TestReadAheadSeesLaterVersions: the batch read ahead while another is
// applied can hold a document that is edited or deleted before its turn.
// The old version is applied, then the new one (a later seq) replaces it,
// as when the edit lands just after a batch is read; nothing is lost or
// doubled.
func TestReadAheadSeesLaterVersions(t *testing.T) {
	ctx := context.Background()
	st := synthStore(t, 3, 40)
	c := NewClusterer(st, newAnalyzer(t), Options{Batch: 10})
	if n, err := c.Step(ctx); err != nil || n != 10 {
		t.Fatalf("first step: %d, %v", n, err)
	}
	a := c.ahead
	if a == nil {
		t.Fatal("a full batch read nothing ahead")
	}
	<-a.done
	if a.err != nil || len(a.docs) != 10 {
		t.Fatalf("read ahead %d documents, %v; want 10", len(a.docs), a.err)
	}
	edited, gone := a.docs[3].ID, a.docs[6].ID
	doc, err := st.Document(ctx, edited)
	if err != nil {
		t.Fatal(err)
	}
	doc.Text += "\n\n\"We will appeal this decision,\" said Margaret Oduya, a lawyer for the family."
	put(t, st, &doc)
	if err := st.DeleteDocument(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, st) // fails on a document in two events
	if len(got) != 39 {
		t.Errorf("%d documents in events, want 39 (40 less the deleted one)", len(got))
	}
	if _, ok := got[gone]; ok {
		t.Errorf("deleted document %d is still in an event", gone)
	}
	qs, err := st.DocumentQuotes(ctx, edited)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(qs, func(q model.Quote) bool { return q.Speaker == "Margaret Oduya" }) {
		t.Errorf("edited document %d: quotes %+v are the old version's", edited, qs)
	}
}

// TestReadInChunks: a batch larger than readChunk is fetched in chunks,
// each following the last, with nothing skipped or read twice.
func TestReadInChunks(t *testing.T) {
	ctx := context.Background()
	n := readChunk*2 + 100
	st := synthStore(t, 5, n)
	c := NewClusterer(st, newAnalyzer(t), Options{Batch: readChunk*2 - 10})
	docs, readings, err := c.read(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != c.opts.Batch || len(readings) != len(docs) {
		t.Fatalf("read %d documents and %d readings, want %d", len(docs), len(readings), c.opts.Batch)
	}
	rest, _, err := c.read(ctx, docs[len(docs)-1].Seq)
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.DocumentsAfter(ctx, 0, 2*n)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(docs) + len(rest); got != len(all) {
		t.Errorf("two reads gave %d documents, want %d", got, len(all))
	}
	seen := map[int64]bool{}
	last := int64(0)
	for i, d := range append(docs, rest...) {
		if d.Seq <= last || seen[d.ID] {
			t.Fatalf("document %d (seq %d) out of order or read twice", i, d.Seq)
		}
		last, seen[d.ID] = d.Seq, true
		if i < len(readings) && readings[i].info.ID != d.ID {
			t.Fatalf("reading %d is of document %d, want %d", i, readings[i].info.ID, d.ID)
		}
	}
}
