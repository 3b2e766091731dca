package crawler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// TestDemoCorpus crawls the whole demo site and checks the result against its
// ground truth: every article stored once, wire copies linked (identical
// copies as aliases of one document, trimmed ones as near-duplicates), the
// GB2312 page decoded, the disallowed page never fetched, the broken feed
// recorded as a specific error, the silently edited statement kept in two
// versions, and publication dates mostly right.
func TestDemoCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls the demo corpus")
	}
	ctx := context.Background()
	srv, err := demo.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := config.Parse("demo.yaml", []byte(demo.Config(srv.URL())))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var progress strings.Builder
	c, err := New(ctx, st, cfg, Options{Progress: &progress, Retry: RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Once(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("phase 1: %s\n%s", sum, progress.String())
	if len(sum.Sources) != len(cfg.Sources) {
		t.Errorf("crawled %d sources, want %d", len(sum.Sources), len(cfg.Sources))
	}

	arts, err := demo.Articles()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]demo.Article{}
	for _, a := range arts {
		byID[a.ID] = a
	}
	check := func(phase int) {
		t.Helper()
		var want, got, exact, sameDay int
		distinct := map[int64]bool{}
		for _, a := range arts {
			if a.Phase > phase {
				continue
			}
			want++
			d, err := st.DocumentByURL(ctx, srv.URL()+a.Path)
			if err != nil {
				t.Errorf("%s (%s): not stored: %v", a.ID, a.Path, err)
				continue
			}
			got++
			distinct[d.ID] = true
			if a.WireOf != "" {
				orig := byID[a.WireOf]
				od, err := st.DocumentByURL(ctx, srv.URL()+orig.Path)
				switch {
				case err != nil:
					t.Errorf("%s: original %s not stored", a.ID, orig.ID)
				case a.Text == orig.Text && d.ID != od.ID && d.DuplicateOf != od.ID:
					// The page around the same text may differ (a standfirst,
					// a dateline), so an identical copy is either an alias or
					// a linked near-duplicate.
					t.Errorf("%s: identical wire copy stored as document %d, want an alias or near-duplicate of %d", a.ID, d.ID, od.ID)
				case a.Text != orig.Text && d.DuplicateOf != od.ID:
					t.Errorf("%s: near-duplicate of %d (sim %.2f), want of %d (%s)", a.ID, d.DuplicateOf, d.Similarity, od.ID, orig.ID)
				}
			} else if d.DuplicateOf != 0 {
				t.Errorf("%s: linked as duplicate of %d but is an original", a.ID, d.DuplicateOf)
			}
			if a.Charset != "" && !strings.Contains(d.Text, firstRunes(a.Text, 12)) {
				t.Errorf("%s (%s): text not decoded: %.80q", a.ID, a.Charset, d.Text)
			}
			if a.WireOf == "" {
				if d.Published.Equal(a.Published) {
					exact++
				} else if testing.Verbose() {
					t.Logf("not exact %s: got %v (%s), want %v", a.ID, d.Published, d.PublishedSource, a.Published.UTC())
				}
				if d.Published.UTC().Format(time.DateOnly) == a.Published.UTC().Format(time.DateOnly) {
					sameDay++
				} else {
					t.Logf("date miss %s: got %v (%s %.2f), want %v; trap %q", a.ID, d.Published, d.PublishedSource, d.PublishedConfidence, a.Published, a.MisleadingDate)
				}
			}
		}
		var originals int
		for _, a := range arts {
			if a.Phase <= phase && a.WireOf == "" {
				originals++
			}
		}
		t.Logf("phase %d: %d/%d articles stored as %d documents; dates of %d originals: %d exact, %d same day (%.0f%%)",
			phase, got, want, len(distinct), originals, exact, sameDay, 100*float64(sameDay)/float64(originals))
		if float64(sameDay) < 0.85*float64(originals) {
			t.Errorf("only %d of %d publication dates right to the day", sameDay, originals)
		}
		n, _ := st.CountDocuments(ctx, store.DocFilter{})
		if int(n) != len(distinct) {
			t.Errorf("store holds %d documents, articles map to %d: something was stored twice", n, len(distinct))
		}
	}
	check(1)

	if _, err := st.DocumentByURL(ctx, srv.URL()+demo.DisallowedPath); err == nil {
		t.Errorf("the robots-disallowed page %s was stored", demo.DisallowedPath)
	}
	h, _ := st.SourceHealth(ctx, demo.BrokenSource)
	if h.ConsecutiveFailures != 1 || !strings.Contains(h.LastError, "feed parse") {
		t.Errorf("broken source health: %+v, want a feed parse error", h)
	}
	for _, s := range cfg.Sources {
		if s.ID == demo.BrokenSource {
			continue
		}
		if h, _ := st.SourceHealth(ctx, s.ID); h.ConsecutiveFailures != 0 || h.LastSuccess.IsZero() {
			t.Errorf("%s health: %+v", s.ID, h)
		}
	}

	// Phase 2: the edited statement gets a second version, new articles
	// arrive, nothing else changes.
	srv.Advance()
	progress.Reset()
	var all []string
	for _, s := range cfg.Sources {
		all = append(all, s.ID)
	}
	sum, err = c.Once(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("phase 2: %s\n%s", sum, progress.String())
	check(2)
	for _, a := range arts {
		if a.TextV2 == "" {
			continue
		}
		d, err := st.DocumentByURL(ctx, srv.URL()+a.Path)
		if err != nil {
			t.Fatal(err)
		}
		vs, _ := st.Versions(ctx, d.ID)
		if d.Versions != 2 || len(vs) != 2 {
			t.Errorf("edited statement %s: %d versions, want 2", a.ID, len(vs))
		}
	}
	if tot := sum.Total(); tot.Updated != 1 {
		t.Errorf("phase 2 updated %d documents, want exactly the edited statement", tot.Updated)
	}
	var docs int
	st.EachDocument(ctx, store.DocFilter{}, func(model.Document) error { docs++; return nil })
	t.Logf("documents after phase 2: %d", docs)
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
