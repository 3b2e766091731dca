package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/synth"
	"github.com/watchline/watchline/timeline"
)

// export streams NDJSON exports through index.Each: a tenth of ExportHits
// and all of it, so the two heap figures show whether memory stays flat.
func (e *env) export(ctx context.Context) ([]Export, error) {
	full := min(e.cfg.ExportHits, e.n/2)
	words, err := e.commonWords(ctx, full, 1)
	if err != nil {
		return nil, err
	}
	q := "*"
	if len(words) > 0 {
		q = words[0]
	}
	var out []Export
	for _, hits := range []int{max(full/10, 1), full} {
		e.p.phase(fmt.Sprintf("export %d hits", hits), int64(min(e.cfg.Reps, 3)))
		var secs []float64
		var x Export
		for r := range min(e.cfg.Reps, 3) {
			cw := &countWriter{}
			enc := json.NewEncoder(cw)
			runtime.GC()
			before := liveHeap()
			peak := before
			n := 0
			t0 := time.Now()
			err := e.ix.Each(ctx, e.st, index.Request{Query: q, Limit: hits}, func(h index.Hit) error {
				n++
				if n%50 == 0 {
					peak = max(peak, liveHeap())
				}
				return enc.Encode(h)
			})
			if err != nil {
				return nil, fmt.Errorf("export %q: %w", q, err)
			}
			secs = append(secs, time.Since(t0).Seconds())
			runtime.GC() // what the export left behind counts too
			peak = max(peak, liveHeap())
			x = Export{Hits: n, Bytes: cw.n, HeapGrowth: max(x.HeapGrowth, peak-before)}
			e.p.set(int64(r + 1))
		}
		x.Seconds = median(secs)
		if x.Seconds > 0 {
			x.HitsPerSec = float64(x.Hits) / x.Seconds
		}
		out = append(out, x)
	}
	return out, nil
}

// timeline builds one story's topic timeline and exports it in every format.
func (e *env) timeline(ctx context.Context) (Timeline, error) {
	q := e.topicQuery()
	tl := timeline.New(e.st, timeline.MatcherFunc(e.ix.QueryIDs))
	tq := timeline.Query{Topic: "bench", Title: "Synthetic story", Query: q}
	seq, err := tl.Seq(ctx)
	if err != nil {
		return Timeline{}, err
	}
	h := timeline.Header{Title: tq.Title, Query: tq, Generated: time.Now().UTC(), StoreSeq: seq}
	out := Timeline{Topic: q}
	e.p.phase("timeline exports", int64(len(timeline.Formats)*e.cfg.Reps))
	done := int64(0)
	for _, f := range timeline.Formats {
		var msx []float64
		var bytes int64
		for range e.cfg.Reps {
			cw := &countWriter{}
			t0 := time.Now()
			n, err := timeline.Export(ctx, tl, tq, h, f, cw)
			if err != nil {
				return out, fmt.Errorf("export %s: %w", f, err)
			}
			msx = append(msx, ms(time.Since(t0)))
			out.Events, bytes = n, cw.n
			done++
			e.p.set(done)
		}
		out.Formats = append(out.Formats, FormatResult{Format: f, Ms: median(msx), Bytes: bytes})
	}
	return out, nil
}

// topicQuery picks two words that mark the first synthetic story: frequent
// in its documents, rare in the corpus.
func (e *env) topicQuery() string {
	storyDF := map[string]int{}
	for _, d := range e.c.story {
		for _, w := range contentWords(d.Title + " " + d.Text) {
			storyDF[w]++
		}
	}
	type ws struct {
		w     string
		score float64
	}
	var cands []ws
	for w, n := range storyDF {
		if n*3 < len(e.c.story) {
			continue
		}
		share := float64(e.c.df[w]+1) / float64(len(e.c.samples)+1)
		cands = append(cands, ws{w, float64(n) / float64(len(e.c.story)) / share})
	}
	sort.Slice(cands, func(i, j int) bool {
		return cands[i].score > cands[j].score || cands[i].score == cands[j].score && cands[i].w < cands[j].w
	})
	switch {
	case len(cands) >= 2:
		return cands[0].w + " " + cands[1].w
	case len(cands) == 1:
		return cands[0].w
	}
	return "*"
}

// peers indexes the same documents into plain bleve and SQLite FTS5 and runs
// the same queries against them.
func (e *env) peers(ctx context.Context) ([]PeerResult, error) {
	qs, err := e.queries(ctx)
	if err != nil {
		return nil, err
	}

	bp, err := index.OpenDefaultPeer(filepath.Join(e.dir, "peer-bleve"))
	if err != nil {
		return nil, err
	}
	e.p.phase("peer bleve-default index", int64(e.n))
	secs, err := e.feed(ctx, func(docs []model.Document) error { return bp.Add(docs) })
	if err != nil {
		bp.Close()
		return nil, err
	}
	bleveRes := PeerResult{Name: "bleve-default", IndexDocsPerSec: float64(e.n) / secs}
	for _, k := range kinds {
		e.p.phase("peer bleve-default "+k, int64(len(qs[k])*(e.cfg.Reps+1)))
		ours, l, err := measurePair(k, qs[k], e.cfg.Reps, e.p, e.ours(ctx), func(q query) (float64, error) {
			total, _, err := bp.Search(ctx, q.bleve)
			return float64(total), err
		})
		if err != nil {
			bp.Close()
			return nil, err
		}
		bleveRes.Search = append(bleveRes.Search, l)
		bleveRes.Beside = append(bleveRes.Beside, ours)
	}
	if err := bp.Close(); err != nil {
		return nil, err
	}
	size, err := dirSize(filepath.Join(e.dir, "peer-bleve"))
	if err != nil {
		return nil, err
	}
	bleveRes.BytesPerDoc = float64(size) / float64(e.n)

	fp, err := OpenFTS5Peer(ctx, filepath.Join(e.dir, "peer-fts5.db"))
	if err != nil {
		return nil, err
	}
	defer fp.Close()
	e.p.phase("peer sqlite-fts5 index", int64(e.n))
	secs, err = e.feed(ctx, func(docs []model.Document) error { return fp.Add(ctx, docs) })
	if err != nil {
		return nil, err
	}
	ftsRes := PeerResult{Name: "sqlite-fts5", IndexDocsPerSec: float64(e.n) / secs}
	for _, k := range kinds {
		if k == kindFacets {
			continue // FTS5 has no facets
		}
		e.p.phase("peer sqlite-fts5 "+k, int64(len(qs[k])*(e.cfg.Reps+1)))
		ours, l, err := measurePair(k, qs[k], e.cfg.Reps, e.p, e.ours(ctx), func(q query) (float64, error) {
			hits, err := fp.Search(ctx, q.fts)
			return float64(len(hits)), err
		})
		if err != nil {
			return nil, err
		}
		ftsRes.Search = append(ftsRes.Search, l)
		ftsRes.Beside = append(ftsRes.Beside, ours)
	}
	fsize, err := fp.Size(ctx)
	if err != nil {
		return nil, err
	}
	ftsRes.BytesPerDoc = float64(fsize) / float64(e.n)
	return []PeerResult{bleveRes, ftsRes}, nil
}

// feed hands the stored corpus to add in batches of 1,000 and returns the
// seconds spent in add (reading the store is not counted).
func (e *env) feed(ctx context.Context, add func([]model.Document) error) (float64, error) {
	var cursor int64
	var spent time.Duration
	done := 0
	for done < e.n {
		docs, err := e.st.DocumentsAfter(ctx, cursor, min(1000, e.n-done))
		if err != nil {
			return 0, err
		}
		if len(docs) == 0 {
			break
		}
		t0 := time.Now()
		if err := add(docs); err != nil {
			return 0, err
		}
		spent += time.Since(t0)
		cursor = docs[len(docs)-1].Seq
		done += len(docs)
		e.p.set(int64(done))
	}
	return spent.Seconds(), nil
}

// alerts measures alert.Service.Match: AlertDocs new documents against each
// number of subscriptions, store writes included.
func (e *env) alerts(ctx context.Context) ([]AlertRate, error) {
	svc := alert.New(e.st, alert.Options{Matcher: alert.IndexMatcher()})
	var out []AlertRate
	for round, count := range e.cfg.Subs {
		e.p.phase(fmt.Sprintf("alerts: add %d subscriptions", count), int64(count))
		var ids []int64
		for i, q := range alertQueries(e.c.samples, count) {
			sub := model.Subscription{Query: q, Level: model.LevelArticle, Atom: true, Official: i%4 == 0}
			added, err := svc.Add(ctx, sub, alert.AddOptions{})
			if err != nil {
				return nil, fmt.Errorf("add subscription %q: %w", q, err)
			}
			ids = append(ids, added.ID)
			e.p.set(int64(i + 1))
		}
		// New documents arrive: a corpus from another seed, under URLs of
		// their own.
		e.p.phase(fmt.Sprintf("alerts: store %d new documents", e.cfg.AlertDocs), int64(e.cfg.AlertDocs))
		seed := e.cfg.Seed + 1000 + int64(round)
		k := 0
		err := synth.Generate(seed, e.cfg.AlertDocs, func(d model.Document) error {
			d.URL = strings.Replace(d.URL, ".example/", fmt.Sprintf(".example/new-%d/", seed), 1)
			d.CanonicalURL = d.URL
			k++
			e.p.set(int64(k))
			_, err := e.st.PutDocument(ctx, &d, store.Raw{})
			return err
		})
		if err != nil {
			return nil, err
		}
		e.p.phase(fmt.Sprintf("alerts: match %d subscriptions", count), 1)
		t0 := time.Now()
		matches, err := svc.Match(ctx)
		secs := time.Since(t0).Seconds()
		if err != nil {
			return nil, err
		}
		e.p.set(1)
		out = append(out, AlertRate{Subscriptions: count, Docs: e.cfg.AlertDocs, Seconds: secs,
			DocsPerSec: float64(e.cfg.AlertDocs) / secs, Matches: matches})
		for _, id := range ids {
			if err := svc.Remove(ctx, id); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// alertQueries makes count saved queries from the sample documents' titles:
// two-word ANDs, ORs, phrases, exclusions and prefixes.
func alertQueries(samples []model.Document, count int) []string {
	var out []string
	for i := 0; len(out) < count; i++ {
		ws := contentWords(samples[i%len(samples)].Title)
		if len(ws) < 2 {
			ws = append(ws, "security", "minister")
		}
		a, b := ws[i%len(ws)], ws[(i+1)%len(ws)]
		q := a + " " + b
		switch i % 5 {
		case 1:
			q = a + " OR " + b
		case 2:
			q = `"` + a + " " + b + `"`
		case 3:
			q = a + " -" + b
		case 4:
			q = a[:min(len(a), 4)] + "* " + b
		}
		out = append(out, q)
	}
	return out
}

// crawl serves CrawlPages synthetic article pages and their RSS feeds on
// loopback and crawls them into a fresh store with the per-host delay off.
func (e *env) crawl(ctx context.Context) (Crawl, error) {
	site := newSite()
	defer site.Close()
	const perFeed = 400 // under the crawler's cap on items per listing
	var docs []model.Document
	var paths []string
	err := synth.Generate(e.cfg.Seed+99, e.cfg.CrawlPages, func(d model.Document) error {
		docs = append(docs, d)
		paths = append(paths, site.article(d))
		return nil
	})
	if err != nil {
		return Crawl{}, err
	}
	cfg := &config.Config{Path: "bench", Defaults: config.Defaults{Timeout: 30 * time.Second, Workers: 2}}
	var ids []string
	for i := 0; i < len(docs); i += perFeed {
		path := fmt.Sprintf("/feed-%d.xml", i/perFeed)
		end := min(i+perFeed, len(docs))
		site.feed(path, docs[i:end], paths[i:end])
		id := fmt.Sprintf("bench-%d", i/perFeed)
		ids = append(ids, id)
		cfg.Sources = append(cfg.Sources, model.Source{ID: id, Title: id, Kind: model.KindFeed, URL: site.URL() + path,
			AllowPrivate: true, FetchArticles: true, UserAgent: "watchline-bench/1.0 (+loopback)",
			Interval: time.Hour, MaxBody: 10 << 20})
	}
	cfg.ApplyDefaults()
	for i := range cfg.Sources { // ApplyDefaults turns a zero delay into the default
		cfg.Sources[i].Delay = 0
	}
	st, err := store.Open(ctx, filepath.Join(e.dir, "crawl"))
	if err != nil {
		return Crawl{}, err
	}
	defer st.Close()
	e.p.phase(fmt.Sprintf("crawl %d pages", len(docs)), 1)
	c, err := crawler.New(ctx, st, cfg, crawler.Options{})
	if err != nil {
		return Crawl{}, err
	}
	t0 := time.Now()
	sum, err := c.Once(ctx, ids)
	secs := time.Since(t0).Seconds()
	if err != nil {
		return Crawl{}, err
	}
	e.p.set(1)
	for _, r := range sum.Sources {
		if r.Err != nil {
			return Crawl{}, fmt.Errorf("source %s: %w", r.Source, r.Err)
		}
		if r.Deferred > 0 { // the visit budget ran out: the rate would count a partial crawl
			return Crawl{}, fmt.Errorf("source %s: %d pages left for a next visit: %v", r.Source, r.Deferred, r.DeferErr)
		}
	}
	tot := sum.Total()
	cr := Crawl{Pages: len(docs), Fetched: tot.Fetched, Stored: tot.New, Seconds: secs}
	if secs > 0 {
		cr.PagesPerSec = float64(tot.Fetched) / secs
	}
	return cr, nil
}

// countWriter counts what is written to it and drops it.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)
