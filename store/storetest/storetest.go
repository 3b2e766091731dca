// Package storetest is the contract every watchline store keeps: one suite
// of tests, run against the embedded SQLite store (store's own tests) and the
// PostgreSQL store (store/postgres's tests), so the two behave alike for
// everything built on them.
package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Opener opens a new, empty store for t, closed when t ends.
type Opener func(t *testing.T) store.Backend

// Run runs the whole contract against the stores open makes.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Backend)
	}{
		{"PutDocumentOutcomes", testPutDocumentOutcomes},
		{"PutDocumentsBatch", testPutDocumentsBatch},
		{"DocumentsAfterIsTheLog", testDocumentsAfterIsTheLog},
		{"ListingAndFilters", testListingAndFilters},
		{"VersionsAreBounded", testVersionsAreBounded},
		{"PageMissingSince", testPageMissingSince},
		{"PublishedOffset", testPublishedOffset},
		{"Duplicates", testDuplicates},
		{"CursorsAndHealth", testCursorsAndHealth},
		{"ApplyEvents", testApplyEvents},
		{"EventLog", testEventLog},
		{"Stories", testStories},
		{"ConcurrentClusterers", testConcurrentClusterers},
		{"Subscriptions", testSubscriptions},
		{"OutboxNeverSchedulesAMatchTwice", testOutbox},
		{"RecordMatchesInBulk", testRecordMatchesInBulk},
		{"DeliveryLeases", testDeliveryLeases},
		{"ConcurrentScheduling", testConcurrentScheduling},
		{"EventMatchDevelopments", testEventMatchDevelopments},
		{"ConcurrentWritersAndATailingReader", testConcurrentLog},
		{"SourceLeases", testSourceLeases},
		{"HostLeases", testHostLeases},
		{"Leases", testLeases},
		{"RobotsTxt", testRobotsTxt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each test has a store of its own
			tc.fn(t, open(t))
		})
	}
}

// Doc is a document with url and text and fixed dates.
func Doc(url, text string) *model.Document {
	return &model.Document{
		URL: url, CanonicalURL: url, SourceID: "src", Title: "t " + text, Text: text,
		ContentHash: fmt.Sprintf("%x", sha256.Sum256([]byte(text))),
		Published:   time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC), Fetched: time.Date(2025, 9, 16, 0, 0, 0, 0, time.UTC),
	}
}

func put(t *testing.T, st store.Backend, d *model.Document) store.PutOutcome {
	t.Helper()
	o, err := st.PutDocument(context.Background(), d, store.Raw{})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func testPutDocumentOutcomes(t *testing.T, st store.Backend) {
	ctx := context.Background()
	steps := []struct {
		name         string
		d            *model.Document
		want         store.PutOutcome
		wantSeq      int64 // 0: seq must not change from the document's previous one
		wantVersions int
	}{
		{"new", Doc("https://a.example/1", "case dropped"), store.Inserted, 1, 1},
		{"same again", Doc("https://a.example/1", "case dropped"), store.Unchanged, 0, 1},
		{"another new", Doc("https://a.example/2", "embassy responds"), store.Inserted, 2, 1},
		{"edited text", Doc("https://a.example/1", "case dropped, minister says"), store.Updated, 3, 2},
		{"same text other url", Doc("https://b.example/x", "embassy responds"), store.Aliased, 0, 1},
	}
	for _, s := range steps {
		got, err := st.PutDocument(ctx, s.d, store.Raw{ContentType: "text/html", Body: []byte("<p>" + s.d.Text + "</p>")})
		if err != nil {
			t.Fatal(err)
		}
		if got != s.want {
			t.Errorf("%s: outcome = %v, want %v", s.name, got, s.want)
		}
		if s.wantSeq != 0 && s.d.Seq != s.wantSeq {
			t.Errorf("%s: seq = %d, want %d", s.name, s.d.Seq, s.wantSeq)
		}
		stored, err := st.Document(ctx, s.d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Versions != s.wantVersions {
			t.Errorf("%s: versions = %d, want %d", s.name, stored.Versions, s.wantVersions)
		}
	}
	d, err := st.DocumentByURL(ctx, "https://b.example/x")
	if err != nil {
		t.Fatal(err)
	}
	if d.CanonicalURL != "https://a.example/2" || len(d.URLs) != 2 {
		t.Errorf("alias: got %s with urls %v, want a.example/2 known under 2 urls", d.CanonicalURL, d.URLs)
	}
	if known, err := st.KnownURL(ctx, "https://b.example/x"); err != nil || !known {
		t.Errorf("KnownURL(alias) = %v, %v", known, err)
	}
	if known, err := st.KnownURL(ctx, "https://c.example/"); err != nil || known {
		t.Errorf("KnownURL(unknown) = %v, %v", known, err)
	}
	if _, err := st.Document(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Document(999) = %v, want ErrNotFound", err)
	}
	vs, err := st.Versions(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Text != "case dropped" || vs[1].Text != "case dropped, minister says" {
		t.Errorf("versions = %+v", vs)
	}
	raw, err := st.RawPage(ctx, 1, 1)
	if err != nil || string(raw.Body) != "<p>case dropped</p>" || raw.ContentType != "text/html" {
		t.Errorf("raw page v1 = %q %q, %v", raw.Body, raw.ContentType, err)
	}
	raw, err = st.RawPage(ctx, 1, 0)
	if err != nil || string(raw.Body) != "<p>case dropped, minister says</p>" {
		t.Errorf("latest raw page = %q, %v", raw.Body, err)
	}
	if _, err := st.RawPage(ctx, 1, 7); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing raw page: %v, want ErrNotFound", err)
	}
	first, _ := st.Document(ctx, 1)
	if !first.Published.Equal(time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("published changed on update: %v", first.Published)
	}
	if _, err := st.PutDocument(ctx, &model.Document{CanonicalURL: "https://x/"}, store.Raw{}); err == nil {
		t.Error("a document without a content hash was stored")
	}
}

// testPublishedOffset: a publication time keeps the offset the page stated,
// so its day is the page's own; a UTC time comes back in UTC.
func testPublishedOffset(t *testing.T, st store.Backend) {
	ctx := context.Background()
	local := time.Date(2025, 10, 8, 0, 30, 0, 0, time.FixedZone("BST", 3600))
	d := Doc("https://a.example/local", "stated in local time")
	d.Published = local
	put(t, st, d)
	u := Doc("https://a.example/utc", "stated in UTC")
	put(t, st, u)
	got, err := st.DocumentByURL(ctx, "https://a.example/local")
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Published.Format(time.RFC3339); s != "2025-10-08T00:30:00+01:00" {
		t.Errorf("published came back as %s, want 2025-10-08T00:30:00+01:00", s)
	}
	got, err = st.DocumentByURL(ctx, "https://a.example/utc")
	if err != nil {
		t.Fatal(err)
	}
	if got.Published.Location() != time.UTC || !got.Published.Equal(u.Published) {
		t.Errorf("a UTC time came back as %v", got.Published)
	}
}

// testPageMissingSince: a document stored from its feed entry alone says
// since when its page is missing; another version from the feed keeps the
// first time, and a version from the page clears it.
func testPageMissingSince(t *testing.T, st store.Backend) {
	ctx := context.Background()
	first := time.Date(2025, 9, 16, 8, 0, 0, 0, time.UTC)
	since := func() time.Time {
		t.Helper()
		d, err := st.DocumentByURL(ctx, "https://a.example/feed-only")
		if err != nil {
			t.Fatal(err)
		}
		return d.PageMissingSince
	}
	d := Doc("https://a.example/feed-only", "the feed's summary")
	d.PageMissingSince = first
	put(t, st, d)
	if got := since(); !got.Equal(first) {
		t.Errorf("stored from the feed: page missing since %v, want %v", got, first)
	}
	d = Doc("https://a.example/feed-only", "the feed's summary, edited")
	d.PageMissingSince = first.Add(24 * time.Hour)
	if o := put(t, st, d); o != store.Updated {
		t.Fatalf("edited feed entry: %v, want updated", o)
	}
	if got := since(); !got.Equal(first) {
		t.Errorf("a second version from the feed: page missing since %v, want the first time, %v", got, first)
	}
	if o := put(t, st, Doc("https://a.example/feed-only", "the article's full text")); o != store.Updated {
		t.Fatalf("the page's version: %v, want updated", o)
	}
	if got := since(); !got.IsZero() {
		t.Errorf("after a version from the page: page missing since %v, want zero", got)
	}
}

// testPutDocumentsBatch stores, in one batch, what PutDocument stores one
// at a time: later documents see earlier ones, relinks and validators are
// committed with their document, and seqs stay strictly increasing.
func testPutDocumentsBatch(t *testing.T, st store.Backend) {
	ctx := context.Background()
	old := Doc("https://a.example/old", "an original that turns out to be a copy")
	if _, err := st.PutDocument(ctx, old, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	earlier := Doc("https://a.example/earlier", "the real original, published first")
	puts := []store.Put{
		{Doc: Doc("https://a.example/1", "case dropped"), ValidatorsURL: "https://a.example/1", Validators: store.Validators{ETag: `"v1"`}},
		{Doc: Doc("https://a.example/1", "case dropped, minister says")},
		{Doc: Doc("https://b.example/x", "case dropped, minister says")},
		{Doc: earlier, Relink: []store.Relink{{From: old.ID, Similarity: 0.8}}},
	}
	if err := st.PutDocuments(ctx, puts); err != nil {
		t.Fatal(err)
	}
	want := []store.PutOutcome{store.Inserted, store.Updated, store.Aliased, store.Inserted}
	for i, p := range puts {
		if p.Outcome != want[i] {
			t.Errorf("put %d: outcome %v, want %v", i, p.Outcome, want[i])
		}
	}
	if puts[3].Relinked != 1 {
		t.Errorf("relinked = %d, want 1", puts[3].Relinked)
	}
	if d, _ := st.Document(ctx, old.ID); d.DuplicateOf != earlier.ID || d.Seq <= earlier.Seq {
		t.Errorf("old document: duplicate of %d at seq %d; want %d after seq %d", d.DuplicateOf, d.Seq, earlier.ID, earlier.Seq)
	}
	if v, _ := st.Validators(ctx, "https://a.example/1"); v.ETag != `"v1"` {
		t.Errorf("validators = %+v", v)
	}
	docs, err := st.DocumentsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(docs); i++ {
		if docs[i].Seq <= docs[i-1].Seq {
			t.Errorf("seqs not increasing: %d then %d", docs[i-1].Seq, docs[i].Seq)
		}
	}
	if len(docs) != 3 {
		t.Errorf("%d documents in the log, want 3", len(docs))
	}
	// A batch that fails stores none of it.
	dangling := Doc("https://a.example/3", "a copy of nothing")
	dangling.DuplicateOf = 9999 // no such document: the insert fails in the transaction
	bad := []store.Put{{Doc: Doc("https://a.example/2", "fine")}, {Doc: dangling}}
	if err := st.PutDocuments(ctx, bad); err == nil {
		t.Fatal("a document linked to a missing one was accepted")
	}
	if known, _ := st.KnownURL(ctx, "https://a.example/2"); known {
		t.Error("a failed batch kept its first document")
	}
}

func testDocumentsAfterIsTheLog(t *testing.T, st store.Backend) {
	ctx := context.Background()
	for i := range 5 {
		put(t, st, Doc(fmt.Sprintf("https://a.example/%d", i), fmt.Sprint("text ", i)))
	}
	if err := st.DeleteDocument(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteDocument(ctx, 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	docs, err := st.DocumentsAfter(ctx, 3, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%d:%d:%v", d.Seq, d.ID, d.Deleted))
	}
	want := "4:4:false 5:5:false 6:2:true"
	if strings.Join(got, " ") != want {
		t.Errorf("log after 3 = %v, want %s", got, want)
	}
	if docs, _ := st.DocumentsAfter(ctx, 0, 2); len(docs) != 2 || docs[0].Seq != 1 {
		t.Errorf("a limited page of the log = %d documents", len(docs))
	}
	n, err := st.CountDocuments(ctx, store.DocFilter{})
	if err != nil || n != 4 {
		t.Errorf("count = %d, %v; want 4 live documents", n, err)
	}
	if max, _ := st.MaxSeq(ctx); max != 6 {
		t.Errorf("max seq = %d, want 6", max)
	}
	byID, err := st.DocumentsByID(ctx, []int64{5, 2, 1, 77})
	if err != nil || len(byID) != 2 || byID[0].ID != 1 || byID[1].ID != 5 {
		t.Errorf("DocumentsByID = %d documents, %v; want the live 1 and 5 in id order", len(byID), err)
	}
}

func testListingAndFilters(t *testing.T, st store.Backend) {
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2025, 10, d, 12, 0, 0, 0, time.UTC) }
	for i := 1; i <= 6; i++ {
		d := Doc(fmt.Sprintf("https://l.example/%d", i), fmt.Sprint("listing ", i))
		d.Published = day(i)
		d.SourceID = []string{"even", "odd"}[i%2]
		d.Official = i == 3
		d.Authors, d.Tags = []string{"A Writer"}, []string{"uk"}
		put(t, st, d)
	}
	st.DeleteDocument(ctx, 6)
	var got []int64
	err := st.EachDocument(ctx, store.DocFilter{}, func(d model.Document) error {
		got = append(got, d.ID)
		return nil
	})
	if err != nil || !slices.Equal(got, []int64{5, 4, 3, 2, 1}) {
		t.Errorf("EachDocument = %v, %v; want newest first without the deleted one", got, err)
	}
	cases := []struct {
		name string
		f    store.DocFilter
		want []int64
	}{
		{"source", store.DocFilter{Sources: []string{"odd"}}, []int64{5, 3, 1}},
		{"range", store.DocFilter{From: day(2), To: day(4)}, []int64{4, 3, 2}},
		{"page", store.DocFilter{Limit: 2, Offset: 1}, []int64{4, 3}},
		{"deleted too", store.DocFilter{IncludeDeleted: true, Limit: 1}, []int64{6}},
	}
	for _, c := range cases {
		var got []int64
		if err := st.EachDocument(ctx, c.f, func(d model.Document) error {
			got = append(got, d.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		if c.f.Limit == 0 {
			if n, _ := st.CountDocuments(ctx, c.f); n != int64(len(c.want)) {
				t.Errorf("%s: count %d, want %d", c.name, n, len(c.want))
			}
		}
	}
	d, _ := st.Document(ctx, 3)
	if !d.Official || !slices.Equal(d.Authors, []string{"A Writer"}) || !slices.Equal(d.Tags, []string{"uk"}) || !d.Published.Equal(day(3)) {
		t.Errorf("document 3 read back as %+v", d)
	}
	var fps []int64
	st.EachFingerprint(ctx, day(3), func(f store.Fingerprint) error {
		fps = append(fps, f.ID)
		return nil
	})
	if !slices.Equal(fps, []int64{3, 4, 5}) {
		t.Errorf("fingerprints since day 3 = %v, want 3 4 5 oldest first", fps)
	}
}

func testDuplicates(t *testing.T, st store.Backend) {
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		d := Doc(fmt.Sprintf("https://w.example/%d", i), fmt.Sprint("wire ", i))
		d.SimHash = uint64(1) << 63 // the top bit must survive a signed column
		if i == 3 {
			d.DuplicateOf, d.Similarity = 2, 0.9
		}
		put(t, st, d)
	}
	// Document 1 turns out to be the original of 2 (and so of 3).
	if err := st.RelinkDuplicates(ctx, 2, 1, 0.8); err != nil {
		t.Fatal(err)
	}
	dups, err := st.Duplicates(ctx, 1)
	if err != nil || !slices.Equal(dups, []int64{2, 3}) {
		t.Errorf("duplicates of 1 = %v, %v; want 2 3", dups, err)
	}
	d2, _ := st.Document(ctx, 2)
	d3, _ := st.Document(ctx, 3)
	if d2.Similarity != 0.8 || d3.Similarity != 0.9 || d2.SimHash != uint64(1)<<63 {
		t.Errorf("similarities = %v, %v, simhash %x", d2.Similarity, d3.Similarity, d2.SimHash)
	}
	if d2.Seq <= 3 || d3.Seq <= 3 {
		t.Errorf("relinked documents kept their seqs (%d, %d): consumers would miss the change", d2.Seq, d3.Seq)
	}
}

func testCursorsAndHealth(t *testing.T, st store.Backend) {
	ctx := context.Background()
	if c, err := st.Cursor(ctx, "index"); err != nil || c != 0 {
		t.Fatalf("fresh cursor = %d, %v", c, err)
	}
	st.SetCursor(ctx, "index", 7)
	st.SetCursor(ctx, "index", 9)
	if c, _ := st.Cursor(ctx, "index"); c != 9 {
		t.Errorf("cursor = %d, want 9", c)
	}
	h := model.SourceHealth{SourceID: "cps", LastError: "HTTP 404 Not Found", ConsecutiveFailures: 2,
		LastAttempt: time.Unix(1700000000, 0).UTC(), Interval: 30 * time.Minute}
	if err := st.SaveSourceHealth(ctx, h); err != nil {
		t.Fatal(err)
	}
	got, err := st.SourceHealth(ctx, "cps")
	if err != nil || got != h {
		t.Errorf("health = %+v, %v; want %+v", got, err, h)
	}
	if never, err := st.SourceHealth(ctx, "never"); err != nil || never != (model.SourceHealth{SourceID: "never"}) {
		t.Errorf("health of a source never crawled = %+v, %v", never, err)
	}
	if hs, err := st.SourceHealths(ctx); err != nil || len(hs) != 1 {
		t.Errorf("healths = %+v, %v", hs, err)
	}
	if err := st.SetValidators(ctx, "https://x/feed", store.Validators{ETag: `"abc"`}); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Validators(ctx, "https://x/feed"); v.ETag != `"abc"` {
		t.Errorf("etag = %q", v.ETag)
	}
	st.SetValidators(ctx, "https://x/feed", store.Validators{})
	if v, _ := st.Validators(ctx, "https://x/feed"); v != (store.Validators{}) {
		t.Errorf("cleared validators = %+v", v)
	}
}

func testApplyEvents(t *testing.T, s store.Backend) {
	ctx := context.Background()
	var docs []int64
	for i, u := range []string{"https://a.example/1", "https://a.example/2"} {
		d := &model.Document{CanonicalURL: u, SourceID: "a", Title: u, Text: u, ContentHash: u,
			Published: time.Date(2024, 4, 22+i, 9, 0, 0, 0, time.UTC), Official: i == 1}
		if _, err := s.PutDocument(ctx, d, store.Raw{}); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d.ID)
	}
	day := func(d int) time.Time { return time.Date(2024, 4, d, 0, 0, 0, 0, time.UTC) }
	quote := model.Quote{Text: "We will appeal", Speaker: "Ana Lima", Role: "lawyer", Mention: "she", Kind: model.QuoteDirect,
		Cue: model.CueSay, Start: 3, End: 17, DocumentID: docs[0]}
	reported := model.Quote{Text: "the ruling", Speaker: "Ana Lima", Kind: model.QuoteIndirect, Cue: model.CueStance,
		Start: 30, End: 55, DocumentID: docs[0]}
	ch := store.EventChanges{
		Quotes: map[int64][]model.Quote{docs[0]: {reported, quote}, docs[1]: nil},
		Events: []model.Event{
			{ID: 1, Title: "later", Happened: day(23), Precision: model.PrecisionDay, Type: model.TypeCharge, DocumentIDs: []int64{docs[0]},
				Quotes: []model.Quote{quote}},
			{ID: 2, Title: "earlier", Happened: day(22), Precision: model.PrecisionDay, Type: model.TypeStatement,
				DocumentIDs: []int64{docs[1]}, PrimaryDocumentIDs: []int64{docs[1]}},
		},
		Members: []store.EventMember{{DocumentID: docs[0], EventID: 1, Published: day(22), Analysis: []byte{1, 2}},
			{DocumentID: docs[1], EventID: 2, Published: day(23)}},
		State:  map[string][]byte{"gen": []byte("1")},
		Cursor: "timeline", From: 0, To: 2,
	}
	if err := s.ApplyEvents(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.ClusterState(ctx, "gen"); string(b) != "1" {
		t.Errorf("cluster state = %q", b)
	}
	if b, err := s.ClusterState(ctx, "none"); b != nil || err != nil {
		t.Errorf("missing cluster state = %q, %v", b, err)
	}
	if ms, _ := s.EventMembers(ctx, 1); len(ms) != 1 || ms[0].DocumentID != docs[0] || string(ms[0].Analysis) != "\x01\x02" {
		t.Errorf("members of 1 = %+v", ms)
	}
	if ms, _ := s.EventMembersStarted(ctx, day(22), day(22)); len(ms) != 1 || ms[0].EventID != 1 {
		t.Errorf("members of events started on the 22nd = %+v", ms)
	}
	if m, _ := s.EventsOfDocuments(ctx, docs); m[docs[0]] != 1 || m[docs[1]] != 2 {
		t.Errorf("events of documents = %v", m)
	}
	if srcs, _ := s.EventSources(ctx, 2); len(srcs) != 1 || !srcs[0].Official || srcs[0].URL != "https://a.example/2" {
		t.Errorf("sources of event 2 = %+v", srcs)
	}

	t.Run("a moved cursor is a conflict and writes nothing", func(t *testing.T) {
		stale := store.EventChanges{Events: []model.Event{{ID: 9, Title: "stale"}}, Cursor: "timeline", From: 0, To: 2,
			Quotes: map[int64][]model.Quote{docs[1]: {quote}}}
		if err := s.ApplyEvents(ctx, stale); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
		if _, err := s.Event(ctx, 9); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("event of a conflicting batch was written: %v", err)
		}
		if qs, err := s.DocumentQuotes(ctx, docs[1]); err != nil || len(qs) != 0 {
			t.Errorf("quotes of a conflicting batch were written: %+v, %v", qs, err)
		}
		if err := s.ApplyEvents(ctx, store.EventChanges{Expect: map[string][]byte{"gen": []byte("0")}}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("changed state: err = %v, want ErrConflict", err)
		}
	})

	t.Run("quotes per document, in text order, until the document leaves", func(t *testing.T) {
		qs, err := s.DocumentQuotes(ctx, docs[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(qs) != 2 || qs[0] != quote || qs[1] != reported {
			t.Errorf("quotes of document %d = %+v", docs[0], qs)
		}
		if qs, err := s.DocumentQuotes(ctx, docs[1]); err != nil || qs == nil || len(qs) != 0 {
			t.Errorf("a document without quotes: %#v, %v; want an empty list", qs, err)
		}
	})

	t.Run("events in happened order, with quotes and filters", func(t *testing.T) {
		var got []string
		err := s.EachEvent(ctx, store.EventFilter{}, func(e model.Event) error {
			got = append(got, e.Title)
			if e.ID == 1 && (len(e.Quotes) != 1 || e.Quotes[0] != withEvent(quote, 1)) {
				t.Errorf("quotes of event 1 = %+v", e.Quotes)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != "earlier" || got[1] != "later" {
			t.Errorf("order = %v, want earlier, later", got)
		}
		filters := []struct {
			f    store.EventFilter
			want string
		}{
			{store.EventFilter{Types: []model.EventType{model.TypeCharge}}, "later"},
			{store.EventFilter{Official: true}, "earlier"},
			{store.EventFilter{From: day(23)}, "later"},
			{store.EventFilter{IDs: map[int64]bool{2: true}}, "earlier"},
			{store.EventFilter{Sources: []string{"a"}, Limit: 1}, "earlier"},
		}
		for _, c := range filters {
			var got []string
			s.EachEvent(ctx, c.f, func(e model.Event) error { got = append(got, e.Title); return nil })
			if len(got) != 1 || got[0] != c.want {
				t.Errorf("filter %+v = %v, want %s", c.f, got, c.want)
			}
		}
	})

	t.Run("a document that leaves its event loses its quotes", func(t *testing.T) {
		if err := s.ApplyEvents(ctx, store.EventChanges{Unassigned: []int64{docs[0]}}); err != nil {
			t.Fatal(err)
		}
		if qs, err := s.DocumentQuotes(ctx, docs[0]); err != nil || len(qs) != 0 {
			t.Errorf("quotes of an unassigned document = %+v, %v", qs, err)
		}
		// Put it back for what follows.
		err := s.ApplyEvents(ctx, store.EventChanges{Members: []store.EventMember{{DocumentID: docs[0], EventID: 1, Published: day(22), Analysis: []byte{1, 2}}},
			Quotes: map[int64][]model.Quote{docs[0]: {quote}}})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("merged events lead to where they went", func(t *testing.T) {
		if err := s.ApplyEvents(ctx, store.EventChanges{Gone: map[int64]int64{2: 1},
			Members: []store.EventMember{{DocumentID: docs[1], EventID: 1, Published: day(23)}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Event(ctx, 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("merged event: %v, want ErrNotFound", err)
		}
		if into, err := s.MergedInto(ctx, 2); err != nil || into != 1 {
			t.Errorf("MergedInto(2) = %d, %v", into, err)
		}
		if into, err := s.MergedInto(ctx, 1); err != nil || into != 0 {
			t.Errorf("MergedInto(1) = %d, %v", into, err)
		}
	})

	t.Run("edits override and survive a reset", func(t *testing.T) {
		title, when, prec, typ := "Corrected", day(1), model.PrecisionMonth, model.TypeHearing
		err := s.ApplyEvents(ctx, store.EventChanges{Edits: []store.EventEdit{{EventID: 1, Title: &title, Happened: &when, Precision: &prec, Type: &typ}},
			Pins: map[int64]int64{docs[1]: 1}, PinReason: "merge"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ResetEvents(ctx, "timeline"); err != nil {
			t.Fatal(err)
		}
		if cur, _ := s.Cursor(ctx, "timeline"); cur != 0 {
			t.Errorf("cursor after reset = %d, want 0", cur)
		}
		if qs, _ := s.DocumentQuotes(ctx, docs[0]); len(qs) != 0 {
			t.Errorf("document quotes after reset = %+v, want none until the clusterer runs again", qs)
		}
		pins, err := s.Pins(ctx, docs)
		if err != nil || pins[docs[1]] != 1 {
			t.Errorf("pins after reset = %v, %v", pins, err)
		}
		// The clusterer writes the event again; the edit still wins.
		err = s.ApplyEvents(ctx, store.EventChanges{Events: []model.Event{{ID: 1, Title: "computed", Happened: day(23), Precision: model.PrecisionDay, Type: model.TypeCharge}}})
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Event(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if e.Title != "Corrected" || e.Type != model.TypeHearing || !e.Happened.Equal(when) || e.Precision != prec || !e.Edited {
			t.Errorf("event = %+v, want the edits applied", e)
		}
		fields, err := s.EditedFields(ctx, 1)
		if err != nil || strings.Join(fields, " ") != "title happened type documents" {
			t.Errorf("edited fields = %v, %v; want title, happened, type, documents", fields, err)
		}
		if id, _ := s.MaxEventID(ctx); id != 2 {
			t.Errorf("max event id = %d, want 2 (the merged-away event's record stays)", id)
		}
	})
}

func testEventLog(t *testing.T, s store.Backend) {
	ctx := context.Background()
	ev := func(id int64, title string) model.Event {
		return model.Event{ID: id, Title: title, Type: model.TypeOther}
	}
	steps := []store.EventChanges{
		{Events: []model.Event{ev(1, "a"), ev(2, "b")}},
		{Events: []model.Event{ev(3, "c")}},
		{Events: []model.Event{ev(1, "a2")}},
		{Gone: map[int64]int64{3: 0}},
	}
	for _, ch := range steps {
		if err := s.ApplyEvents(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	es, err := s.EventsAfter(ctx, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%d:%d", e.Seq, e.ID))
	}
	if strings.Join(got, " ") != "2:2 4:1 5:3" {
		t.Errorf("event log after 1 = %v, want 2:2 4:1 5:3 (each change a new seq, in order)", got)
	}
	if max, _ := s.MaxEventSeq(ctx); max != 5 {
		t.Errorf("max event seq = %d, want 5", max)
	}
}

func testSubscriptions(t *testing.T, st store.Backend) {
	ctx := context.Background()
	sub := model.Subscription{Key: "cfg", Name: "spies", Query: "spy", Sources: []string{"a"}, Tags: []string{"uk"},
		Official: true, Languages: []string{"en"}, Types: []model.EventType{model.TypeCharge}, Level: model.LevelEvent,
		Webhook: "https://example.org/h", Atom: true, Digest: "daily@08:00", TimeZone: "Europe/London", Secret: "s",
		Created: time.Unix(1700000000, 0).UTC(), StartSeq: 4, Cursor: 4}
	if err := st.AddSubscription(ctx, &sub); err != nil || sub.ID == 0 {
		t.Fatalf("add: id %d, %v", sub.ID, err)
	}
	again := sub
	if err := st.AddSubscription(ctx, &again); !errors.Is(err, store.ErrDuplicateKey) {
		t.Errorf("second subscription with the same key: %v, want ErrDuplicateKey", err)
	}
	plain := model.Subscription{Query: "mi5", Secret: "t", Level: model.LevelArticle}
	if err := st.AddSubscription(ctx, &plain); err != nil {
		t.Fatal(err)
	}
	got, err := st.SubscriptionByKey(ctx, "cfg")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Types, sub.Types) || !slices.Equal(got.Languages, sub.Languages) || !got.Official ||
		got.Level != model.LevelEvent || !got.Atom || got.TimeZone != sub.TimeZone || !got.Created.Equal(sub.Created) || got.Cursor != 4 {
		t.Errorf("read back %+v, want %+v", got, sub)
	}
	got.Query, got.Webhook = "spy OR spies", ""
	got.Email = "desk@example.org"
	if got.AtomToken == "" || got.AtomToken == plain.AtomToken {
		t.Errorf("atom tokens %q and %q: want one of its own for each subscription", got.AtomToken, plain.AtomToken)
	}
	if byToken, err := st.SubscriptionByAtomToken(ctx, got.AtomToken); err != nil || byToken.ID != sub.ID {
		t.Errorf("by atom token: %d, %v", byToken.ID, err)
	}
	if _, err := st.SubscriptionByAtomToken(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the empty token found %v", err)
	}
	if err := st.UpdateSubscription(ctx, got); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Subscription(ctx, sub.ID); s.Query != "spy OR spies" || s.Email != "desk@example.org" || s.Secret != "s" {
		t.Errorf("after update %+v", s)
	}
	if err := st.UpdateSubscription(ctx, model.Subscription{ID: 999, Query: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of a missing subscription: %v", err)
	}
	if subs, _ := st.Subscriptions(ctx); len(subs) != 2 || subs[0].ID != sub.ID {
		t.Errorf("subscriptions = %+v", subs)
	}
	if err := st.RemoveSubscription(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Subscription(ctx, sub.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removed subscription: %v", err)
	}
	if err := st.RemoveSubscription(ctx, sub.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second removal: %v", err)
	}
}

func testOutbox(t *testing.T, st store.Backend) {
	ctx := context.Background()
	sub := model.Subscription{Query: "spy", Webhook: "https://example.org/h", Secret: "s", Created: time.Unix(1, 0)}
	if err := st.AddSubscription(ctx, &sub); err != nil {
		t.Fatal(err)
	}
	n, err := st.RecordMatches(ctx, []store.SubscriptionMatches{{SubscriptionID: sub.ID, Cursor: 9,
		Matches: []store.NewMatch{{DocumentID: 1, Seq: 3, Reason: []byte(`{"terms":["spy"]}`)}, {DocumentID: 2, RootID: 1, Seq: 4}, {DocumentID: 5, Seq: 5}}}})
	if err != nil || n != 2 {
		t.Fatalf("RecordMatches = %d, %v; want 2 (document 2 is a copy of 1)", n, err)
	}
	// The same pass again (another node, or a replay) adds nothing.
	n, err = st.RecordMatches(ctx, []store.SubscriptionMatches{{SubscriptionID: sub.ID, Cursor: 7,
		Matches: []store.NewMatch{{DocumentID: 1, Seq: 3}, {DocumentID: 2, RootID: 1, Seq: 4}}}})
	if err != nil || n != 0 {
		t.Errorf("replayed RecordMatches = %d, %v; want 0", n, err)
	}
	got, _ := st.Subscription(ctx, sub.ID)
	if got.Cursor != 9 {
		t.Errorf("cursor = %d, want 9 (never moved back)", got.Cursor)
	}
	pending, _ := st.PendingMatches(ctx)
	if len(pending) != 2 || len(pending[0].Similar) != 1 || string(pending[0].Reason) != `{"terms":["spy"]}` {
		t.Fatalf("pending = %+v; want 2 matches, the first with one similar and its reason", pending)
	}
	if recent, _ := st.RecentMatches(ctx, sub.ID, 1); len(recent) != 1 || recent[0].DocumentID != 5 {
		t.Errorf("recent = %+v", recent)
	}
	ids := []int64{pending[0].ID, pending[1].ID}
	d1 := model.Delivery{SubscriptionID: sub.ID, IdempotencyKey: "k1", Channel: "webhook", Payload: []byte("{}")}
	if err := st.EnqueueDelivery(ctx, &d1, ids, time.Time{}); err != nil {
		t.Fatal(err)
	}
	d2 := model.Delivery{SubscriptionID: sub.ID, IdempotencyKey: "k2", Channel: "webhook", Payload: []byte("{}")}
	if err := st.EnqueueDelivery(ctx, &d2, ids[1:], time.Time{}); !errors.Is(err, store.ErrScheduled) {
		t.Fatalf("a match put in a second delivery: %v, want ErrScheduled", err)
	}
	ds, _ := st.Deliveries(ctx, store.DeliveryFilter{})
	if len(ds) != 1 || ds[0].IdempotencyKey != "k1" || ds[0].Matches != 2 {
		t.Errorf("deliveries = %+v; want only k1 with 2 matches (the failed one rolled back)", ds)
	}
	if p, _ := st.PendingMatches(ctx); len(p) != 0 {
		t.Errorf("%d matches still pending", len(p))
	}
	next := time.Unix(1800000000, 0).UTC()
	if err := st.SetNextDigest(ctx, sub.ID, next); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Subscription(ctx, sub.ID); !s.NextDigest.Equal(next) {
		t.Errorf("next digest = %v", s.NextDigest)
	}
}

// testRecordMatchesInBulk records, across two passes and many statements,
// what one-at-a-time recording gives: one match per (subscription, story),
// copies folded into it once each, a document matched before ignored, and
// every cursor advanced.
func testRecordMatchesInBulk(t *testing.T, st store.Backend) {
	ctx := context.Background()
	var subs []int64
	for i := range 3 {
		sub := model.Subscription{Query: "q", Webhook: "https://example.org/h", Secret: "s", Created: time.Unix(int64(i+1), 0)}
		if err := st.AddSubscription(ctx, &sub); err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub.ID)
	}
	// Pass 1: 1,000 original documents (more rows than one INSERT holds),
	// each with a copy later in the same pass; subscription 3 sees only
	// the copies, whose story it has not matched.
	pass := func(from, to int64, cursor int64) []store.SubscriptionMatches {
		var found []store.SubscriptionMatches
		for k, sub := range subs {
			f := store.SubscriptionMatches{SubscriptionID: sub, Cursor: cursor}
			for d := from; d < to; d++ {
				if k < 2 {
					f.Matches = append(f.Matches, store.NewMatch{DocumentID: d, Seq: d})
				}
			}
			for d := from; d < to; d++ {
				f.Matches = append(f.Matches, store.NewMatch{DocumentID: d + 10000, RootID: d, Seq: d + 10000})
			}
			found = append(found, f)
		}
		return found
	}
	n, err := st.RecordMatches(ctx, pass(1, 1001, 20000))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3000 {
		t.Errorf("first pass recorded %d matches, want 3,000 (one per subscription and story)", n)
	}
	// Pass 2 replays part of pass 1 (as a new version would) and adds one
	// more copy of story 7: only that copy is new, folded into story 7.
	again := pass(1, 11, 30000)
	again[0].Matches = append(again[0].Matches, store.NewMatch{DocumentID: 20007, RootID: 7, Seq: 20007})
	if n, err := st.RecordMatches(ctx, again); err != nil || n != 0 {
		t.Fatalf("second pass = %d, %v; want 0 new matches", n, err)
	}
	for k, sub := range subs {
		got, _ := st.Subscription(ctx, sub)
		if got.Cursor != 30000 {
			t.Errorf("subscription %d: cursor %d, want 30000", sub, got.Cursor)
		}
		ms, err := st.RecentMatches(ctx, sub, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1000 {
			t.Fatalf("subscription %d: %d matches, want 1000", sub, len(ms))
		}
		for _, m := range ms {
			wantDoc, wantSimilar := m.RootID, []int64{m.RootID + 10000}
			if k == 2 {
				wantDoc, wantSimilar = m.RootID+10000, nil
			}
			if k == 0 && m.RootID == 7 {
				wantSimilar = append(wantSimilar, 20007)
			}
			if m.DocumentID != wantDoc || !slices.Equal(m.Similar, wantSimilar) {
				t.Errorf("subscription %d, story %d: document %d similar %v; want %d similar %v",
					sub, m.RootID, m.DocumentID, m.Similar, wantDoc, wantSimilar)
				break
			}
		}
	}
}

func testDeliveryLeases(t *testing.T, st store.Backend) {
	ctx := context.Background()
	sub := model.Subscription{Query: "spy", Webhook: "https://example.org/h", Secret: "s"}
	st.AddSubscription(ctx, &sub)
	t0 := time.Unix(1700000000, 0).UTC()
	d := model.Delivery{SubscriptionID: sub.ID, IdempotencyKey: "k", Channel: "webhook", Payload: []byte("p"), NextAttempt: t0}
	if err := st.EnqueueDelivery(ctx, &d, nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if due, _ := st.DueDeliveries(ctx, t0.Add(-time.Second), 10); len(due) != 0 {
		t.Errorf("due before its time: %+v", due)
	}
	if due, _ := st.DueDeliveries(ctx, t0, 10); len(due) != 1 || string(due[0].Payload) != "p" {
		t.Fatalf("due = %+v", due)
	}
	// Two senders race for the entry: one wins.
	var wins int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := st.ClaimDelivery(ctx, d.ID, t0, t0.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d senders claimed one delivery, want 1", wins)
	}
	if ok, _ := st.ClaimDelivery(ctx, d.ID, t0.Add(time.Minute), t0.Add(2*time.Minute)); !ok {
		t.Error("an expired lease could not be claimed again")
	}
	if err := st.RescheduleDelivery(ctx, d.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkAttemptFailed(ctx, d.ID, "HTTP 500", t0, true); err != nil {
		t.Fatal(err)
	}
	failed, _ := st.Deliveries(ctx, store.DeliveryFilter{States: []model.DeliveryState{model.DeliveryFailed}})
	if len(failed) != 1 || failed[0].Attempts != 1 || failed[0].LastError != "HTTP 500" {
		t.Fatalf("failed = %+v", failed)
	}
	if ok, _ := st.ClaimDelivery(ctx, d.ID, t0.Add(time.Hour), t0.Add(2*time.Hour)); ok {
		t.Error("a failed delivery was claimed")
	}
	if err := st.RetryDelivery(ctx, d.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := st.RetryDelivery(ctx, d.ID, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("retrying a pending delivery: %v, want ErrNotFound", err)
	}
	if err := st.MarkDelivered(ctx, d.ID, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	done, _ := st.Deliveries(ctx, store.DeliveryFilter{SubscriptionID: sub.ID})
	if len(done) != 1 || done[0].State != model.DeliveryDelivered || !done[0].Delivered.Equal(t0.Add(time.Second)) || done[0].Attempts != 1 {
		t.Errorf("delivered = %+v", done)
	}
}

func testEventMatchDevelopments(t *testing.T, st store.Backend) {
	ctx := context.Background()
	sub := model.Subscription{Query: "spy", Level: model.LevelEvent, Secret: "s"}
	st.AddSubscription(ctx, &sub)
	pass := func(m store.EventMatch, cursor int64) int {
		t.Helper()
		n, err := st.RecordEventMatches(ctx, []store.SubscriptionEventMatches{{SubscriptionID: sub.ID, EventCursor: cursor,
			Matches: []store.EventMatch{m}}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	m := store.EventMatch{EventID: 7, DocumentID: 70, Members: []int64{70}, Seq: 1, Type: model.TypeOther,
		Reasons: map[string][]byte{store.DevelopmentNew: []byte(`{}`)}}
	if n := pass(m, 1); n != 1 {
		t.Errorf("a new event: %d alerts, want 1", n)
	}
	if n := pass(m, 2); n != 0 {
		t.Errorf("the same event again: %d alerts, want 0", n)
	}
	m.Type, m.Official, m.Members = model.TypeCharge, true, []int64{70, 71}
	if n := pass(m, 3); n != 2 {
		t.Errorf("a new type and a first official statement: %d alerts, want 2", n)
	}
	// The clusterer re-made the event under another id with the same documents.
	m2 := store.EventMatch{EventID: 9, DocumentID: 71, Members: []int64{70, 71}, Seq: 4, Type: model.TypeCharge, Official: true}
	if n := pass(m2, 4); n != 0 {
		t.Errorf("a re-made event: %d alerts, want 0", n)
	}
	if s, _ := st.Subscription(ctx, sub.ID); s.EventCursor != 4 {
		t.Errorf("event cursor = %d, want 4", s.EventCursor)
	}
}

func testConcurrentLog(t *testing.T, st store.Backend) { ConcurrentLog(t, st, 6, 24) }

// ConcurrentLog has writers store and re-store documents at once, each
// putting each times, while a consumer tails the log the way every consumer
// does: DocumentsAfter(cursor), cursor = the last seq read. A document's row
// carries its latest change, so the consumer must see every document at its
// final version, read no change twice, and see seqs only rise; the log ends
// at one seq per change, without gaps.
func ConcurrentLog(t *testing.T, st store.Backend, writers, each int) {
	ctx := context.Background()
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
				d := Doc(u, fmt.Sprintf("writer %d put %d", w, i))
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
	if max, _ := st.MaxSeq(ctx); max != int64(writers*each) {
		t.Errorf("max seq = %d after %d changes: the log has gaps or repeats", max, writers*each)
	}
}

func testSourceLeases(t *testing.T, st store.Backend) {
	ctx := context.Background()
	t0 := time.Unix(1700000000, 0).UTC()
	// "later" was crawled and is not due again until t0+1h.
	st.SaveSourceHealth(ctx, model.SourceHealth{SourceID: "later", NextDue: t0.Add(time.Hour)})
	ids := []string{"a", "b", "c", "later"}
	a, err := st.ClaimSources(ctx, "crawler-1", ids[:2], t0, t0.Add(time.Minute), false, nil)
	if err != nil || !slices.Equal(a, []string{"a", "b"}) {
		t.Fatalf("first claim = %v, %v", a, err)
	}
	b, err := st.ClaimSources(ctx, "crawler-2", ids, t0, t0.Add(time.Minute), false, nil)
	if err != nil || !slices.Equal(b, []string{"c"}) {
		t.Errorf("second crawler claimed %v, %v; want only c (a, b are leased, later is not due)", b, err)
	}
	if again, _ := st.ClaimSources(ctx, "crawler-1", []string{"a"}, t0, t0.Add(2*time.Minute), false, nil); !slices.Equal(again, []string{"a"}) {
		t.Errorf("the holder could not renew its lease: %v", again)
	}
	if forced, _ := st.ClaimSources(ctx, "crawler-2", []string{"later"}, t0, t0.Add(time.Minute), true, nil); !slices.Equal(forced, []string{"later"}) {
		t.Errorf("forced claim of a source not due = %v", forced)
	}
	// crawler-1 dies: once its lease on b ends, b is crawler-2's.
	if got, _ := st.ClaimSources(ctx, "crawler-2", []string{"b"}, t0.Add(90*time.Second), t0.Add(3*time.Minute), false, nil); !slices.Equal(got, []string{"b"}) {
		t.Errorf("an expired lease was not taken over: %v", got)
	}
	// A holder known to be dead (a process of this machine that no longer
	// runs) gives its lease up before it ends.
	dead := func(owner string) bool { return owner == "crawler-2" }
	if got, _ := st.ClaimSources(ctx, "crawler-3", []string{"c"}, t0, t0.Add(time.Minute), false, dead); !slices.Equal(got, []string{"c"}) {
		t.Errorf("a dead holder's lease was not taken over: %v", got)
	}
	if got, _ := st.ClaimSources(ctx, "crawler-1", []string{"c"}, t0, t0.Add(time.Minute), false, dead); len(got) != 0 {
		t.Errorf("a live holder's lease was taken: %v", got)
	}
	if err := st.ReleaseSource(ctx, "c", "crawler-3"); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.ClaimSources(ctx, "crawler-1", []string{"c"}, t0, t0.Add(time.Minute), false, nil); !slices.Equal(got, []string{"c"}) {
		t.Errorf("a released source could not be claimed: %v", got)
	}
	// Many crawlers at once: each source goes to exactly one of them.
	var many []string
	for i := range 40 {
		many = append(many, fmt.Sprint("s", i))
	}
	var mu sync.Mutex
	owners := map[string]int{}
	var wg sync.WaitGroup
	for w := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := st.ClaimSources(ctx, fmt.Sprint("w", w), many, t0, t0.Add(time.Minute), false, nil)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			for _, id := range got {
				owners[id]++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, id := range many {
		if owners[id] != 1 {
			t.Errorf("source %s claimed by %d crawlers, want 1", id, owners[id])
		}
	}
}

func testHostLeases(t *testing.T, st store.Backend) {
	ctx := context.Background()
	t0 := time.UnixMilli(1700000000000).UTC()
	ok, _, err := st.AcquireHost(ctx, "example.org", "w1", t0, t0.Add(30*time.Second), nil)
	if err != nil || !ok {
		t.Fatalf("first acquire = %v, %v", ok, err)
	}
	ok, retry, _ := st.AcquireHost(ctx, "example.org", "w2", t0.Add(time.Second), t0.Add(31*time.Second), nil)
	if ok || !retry.Equal(t0.Add(30*time.Second)) {
		t.Errorf("second worker: ok %v, retry at %v; want to wait for the lease", ok, retry)
	}
	if ok, _, _ := st.AcquireHost(ctx, "other.example", "w2", t0, t0.Add(time.Second), nil); !ok {
		t.Error("another host was blocked")
	}
	// w1's request ends at t0+2s; the host's delay is 1.5s.
	if err := st.ReleaseHost(ctx, "example.org", "w1", t0.Add(3500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	ok, retry, _ = st.AcquireHost(ctx, "example.org", "w2", t0.Add(3*time.Second), t0.Add(33*time.Second), nil)
	if ok || !retry.Equal(t0.Add(3500*time.Millisecond)) {
		t.Errorf("inside the delay: ok %v, retry at %v; want t0+3.5s", ok, retry)
	}
	if ok, _, _ := st.AcquireHost(ctx, "example.org", "w2", t0.Add(3500*time.Millisecond), t0.Add(33*time.Second), nil); !ok {
		t.Error("after the delay the host stayed blocked")
	}
	// A holder known dead gives its turn up at once.
	if ok, _, _ := st.AcquireHost(ctx, "example.org", "w4", t0.Add(4*time.Second), t0.Add(30*time.Second),
		func(owner string) bool { return owner == "w2" }); !ok {
		t.Error("a dead holder's turn at the host was not taken over")
	}
	st.ReleaseHost(ctx, "example.org", "w4", t0.Add(4*time.Second))
	st.AcquireHost(ctx, "example.org", "w2", t0.Add(5*time.Second), t0.Add(33*time.Second), nil)
	// w2 dies holding the host: after its lease ends another worker gets it.
	if ok, _, _ := st.AcquireHost(ctx, "example.org", "w3", t0.Add(34*time.Second), t0.Add(60*time.Second), nil); !ok {
		t.Error("an expired host lease was not taken over")
	}
}

func testLeases(t *testing.T, st store.Backend) {
	ctx := context.Background()
	t0 := time.Unix(1700000000, 0).UTC()
	steps := []struct {
		owner string
		at    time.Duration
		want  bool
	}{
		{"node-1", 0, true},
		{"node-2", time.Second, false},
		{"node-1", 10 * time.Second, true}, // renews until t0+25s
		{"node-2", 20 * time.Second, false},
		{"node-2", 25 * time.Second, true}, // node-1 stopped renewing
		{"node-1", 26 * time.Second, false},
	}
	for _, s := range steps {
		got, err := st.AcquireLease(ctx, "leader", s.owner, t0.Add(s.at), t0.Add(s.at+15*time.Second))
		if err != nil || got != s.want {
			t.Errorf("%s at +%v: %v, %v; want %v", s.owner, s.at, got, err, s.want)
		}
	}
	if err := st.ReleaseLease(ctx, "leader", "node-2"); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.AcquireLease(ctx, "leader", "node-1", t0.Add(27*time.Second), t0.Add(40*time.Second)); !got {
		t.Error("a released lease could not be taken")
	}
}

func testRobotsTxt(t *testing.T, st store.Backend) {
	ctx := context.Background()
	if _, ok, err := st.RobotsTxt(ctx, "https://example.org"); ok || err != nil {
		t.Fatalf("robots.txt of an unknown host: %v, %v", ok, err)
	}
	want := store.RobotsTxt{Status: 200, Body: []byte("User-agent: *\nDisallow: /private\n"), Fetched: time.Unix(1700000000, 0).UTC()}
	if err := st.SaveRobotsTxt(ctx, "https://example.org", want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := st.RobotsTxt(ctx, "https://example.org")
	if err != nil || !ok || got.Status != 200 || string(got.Body) != string(want.Body) || !got.Fetched.Equal(want.Fetched) {
		t.Errorf("robots.txt = %+v, %v, %v", got, ok, err)
	}
	st.SaveRobotsTxt(ctx, "https://example.org", store.RobotsTxt{Status: 404, Fetched: want.Fetched})
	if got, _, _ := st.RobotsTxt(ctx, "https://example.org"); got.Status != 404 || len(got.Body) != 0 {
		t.Errorf("replaced robots.txt = %+v", got)
	}
}

// testConcurrentScheduling has several processes schedule the same pending
// matches at once, as every serve node's delivery loop does: one delivery
// carries them, the others get ErrScheduled.
func testConcurrentScheduling(t *testing.T, st store.Backend) {
	ctx := context.Background()
	sub := model.Subscription{Query: "spy", Webhook: "https://example.org/h", Secret: "s"}
	st.AddSubscription(ctx, &sub)
	var ms []store.NewMatch
	for i := range 20 {
		ms = append(ms, store.NewMatch{DocumentID: int64(i + 1), Seq: int64(i + 1)})
	}
	if _, err := st.RecordMatches(ctx, []store.SubscriptionMatches{{SubscriptionID: sub.ID, Cursor: 20, Matches: ms}}); err != nil {
		t.Fatal(err)
	}
	pending, _ := st.PendingMatches(ctx)
	var ids []int64
	for _, m := range pending {
		ids = append(ids, m.ID)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, scheduled int
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := model.Delivery{SubscriptionID: sub.ID, IdempotencyKey: fmt.Sprint("node-", i), Channel: "webhook", Payload: []byte("{}")}
			err := st.EnqueueDelivery(ctx, &d, ids, time.Time{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrScheduled):
				scheduled++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || scheduled != 3 {
		t.Errorf("%d deliveries made, %d refused; want 1 and 3", ok, scheduled)
	}
	if ds, _ := st.Deliveries(ctx, store.DeliveryFilter{}); len(ds) != 1 || ds[0].Matches != 20 {
		t.Errorf("deliveries = %+v", ds)
	}
}

// testVersionsAreBounded: a page that changes on every fetch (a clock, a
// counter, a rotating ad) must not grow its history without bound. The first
// version and the newest ones are kept, with their raw pages; the document
// still counts every version it had.
func testVersionsAreBounded(t *testing.T, s store.Backend) {
	ctx := context.Background()
	const fetches = store.MaxVersions + 30
	var id int64
	for i := 1; i <= fetches; i++ {
		d := Doc("https://example.org/ticker", fmt.Sprintf("The page as fetched the %dth time.", i))
		if _, err := s.PutDocument(ctx, d, store.Raw{ContentType: "text/html", Body: []byte(fmt.Sprintf("<p>%d</p>", i))}); err != nil {
			t.Fatal(err)
		}
		id = d.ID
	}
	vs, err := s.Versions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != store.MaxVersions || vs[0].Version != 1 || vs[len(vs)-1].Version != fetches || vs[1].Version != fetches-store.MaxVersions+2 {
		var nums []int
		for _, v := range vs {
			nums = append(nums, v.Version)
		}
		t.Fatalf("kept versions %v; want %d: the first and the %d newest", nums, store.MaxVersions, store.MaxVersions-1)
	}
	d, err := s.Document(ctx, id)
	if err != nil || d.Versions != fetches {
		t.Errorf("document versions = %d, %v; want %d (it counts every version it had)", d.Versions, err, fetches)
	}
	for _, v := range []int{1, fetches - store.MaxVersions + 2, fetches} {
		if raw, err := s.RawPage(ctx, id, v); err != nil || string(raw.Body) != fmt.Sprintf("<p>%d</p>", v) {
			t.Errorf("raw page of version %d: %q, %v", v, raw.Body, err)
		}
	}
	if _, err := s.RawPage(ctx, id, 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the raw page of a dropped version: %v, want ErrNotFound", err)
	}
}

// testConcurrentClusterers has several clusterers apply a batch from the
// same cursor at once, as two nodes do for a moment when the leader lease
// passes from one to the other: one batch is written, the others get
// ErrConflict and write nothing.
func testConcurrentClusterers(t *testing.T, st store.Backend) {
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, conflict int
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := st.ApplyEvents(ctx, store.EventChanges{
				Events: []model.Event{{ID: int64(10 + i), Title: fmt.Sprint("from clusterer ", i)}},
				State:  map[string][]byte{"df": {byte(i)}},
				Cursor: "timeline", From: 0, To: 5,
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrConflict):
				conflict++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || conflict != 3 {
		t.Fatalf("%d batches applied, %d conflicts; want 1 and 3", ok, conflict)
	}
	var events int
	st.EachEvent(ctx, store.EventFilter{}, func(model.Event) error { events++; return nil })
	if cur, _ := st.Cursor(ctx, "timeline"); events != 1 || cur != 5 {
		t.Errorf("%d events written, cursor %d; want the one batch's event and cursor 5", events, cur)
	}
}

func withEvent(q model.Quote, id int64) model.Quote {
	q.EventID = id
	return q
}
