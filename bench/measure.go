package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/pipeline"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/synth"
)

// corpus is what ingest learned about the documents, to build queries that
// find something: a spread of sample documents, word document-frequencies
// over them, and the documents of one synthetic story.
type corpus struct {
	samples []model.Document
	df      map[string]int // over samples' titles and texts
	story   []model.Document
}

// env is one corpus size's open store and index.
type env struct {
	cfg  Config
	n    int
	dir  string // this size's work directory
	data string // the watchline data directory
	st   *store.Store
	ix   *index.Index
	c    corpus
	p    *progress
}

func runSize(ctx context.Context, cfg Config, n int, root string, p *progress) (*Result, error) {
	dir := filepath.Join(root, fmt.Sprintf("docs-%d", n))
	e := &env{cfg: cfg, n: n, dir: dir, data: filepath.Join(dir, "data"), p: p}
	res := &Result{Docs: n}
	resetPeakRSS()
	st, err := store.Open(ctx, e.data)
	if err != nil {
		return nil, err
	}
	e.st = st
	defer st.Close()
	if res.Ingest, err = e.ingest(ctx); err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	defer e.ix.Close()
	if res.Search, err = e.search(ctx); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if res.Export, err = e.export(ctx); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if res.Timeline, err = e.timeline(ctx); err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	if len(cfg.LoadClients) > 0 {
		qs, err := e.queries(ctx)
		if err != nil {
			return nil, err
		}
		if res.Serve, err = e.serve(ctx, qs); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
	}
	if cfg.Peers {
		if res.Peers, err = e.peers(ctx); err != nil {
			return nil, fmt.Errorf("peers: %w", err)
		}
		res.Ratios = ratios(res)
	}
	if res.Alerts, err = e.alerts(ctx); err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	if cfg.CrawlPages > 0 {
		if res.Crawl, err = e.crawl(ctx); err != nil {
			return nil, fmt.Errorf("crawl: %w", err)
		}
		if res.Extract, err = e.extraction(ctx); err != nil {
			return nil, fmt.Errorf("extract: %w", err)
		}
	}
	res.PeakRSS = peakRSS()
	return res, nil
}

// ingestSubscriptions is how many saved queries match the corpus while it
// is ingested: a newsroom's handful of standing alerts. (The alert phase
// measures 100 and 1,000 on their own.)
const ingestSubscriptions = 10

// storeBatch is how many documents the writer stores per transaction, as
// `watchline import` does.
const storeBatch = 500

// ingest stores the corpus while the pipeline indexes it, clusters it into
// events and matches it against ingestSubscriptions saved queries, all at
// once, as `watchline import` beside `watchline run` does: end to end is from
// the first document stored until every consumer has applied the last. Each
// stage's rate is what it applied over the time it was busy, so the slowest
// stage shows; on two cores the stages share the CPU, so these are rates
// under contention, not alone.
func (e *env) ingest(ctx context.Context) (Ingest, error) {
	in := Ingest{Subscriptions: ingestSubscriptions}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	heap := watchHeap(ctx, e.cfg.HeapProfile)

	p, err := pipeline.Open(ctx, pipeline.Options{Store: e.st, Events: true, Alerts: true, Tick: 250 * time.Millisecond})
	if err != nil {
		return in, err
	}
	defer func() {
		if p != nil {
			p.Close()
		}
	}()
	if err := e.ingestSubscriptions(ctx, p); err != nil {
		return in, err
	}
	runCtx, stopRun := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- p.Run(runCtx) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		stopRun()
		return <-runDone
	}
	defer stop()

	// The writer: the corpus in batches, the pipeline told after each.
	every := max(e.n/max(e.cfg.Queries*4, 200), 1)
	e.c.df = map[string]int{}
	var put time.Duration
	var puts []store.Put
	flush := func() error {
		if len(puts) == 0 {
			return nil
		}
		t0 := time.Now()
		if err := e.st.PutDocuments(ctx, puts); err != nil {
			return err
		}
		put += time.Since(t0)
		puts = puts[:0]
		p.Notify()
		return nil
	}
	e.p.phase(fmt.Sprintf("ingest %dk: store", e.n/1000), int64(e.n))
	start := time.Now()
	err = synth.GenerateTruth(e.cfg.Seed, e.n, func(d model.Document, t synth.Truth) error {
		if t.Index%every == every/2 {
			e.c.samples = append(e.c.samples, d)
			for w := range wordSet(d.Title + " " + d.Text) {
				e.c.df[w]++
			}
		}
		if t.Story == "story-01" && t.WireOf < 0 && len(e.c.story) < 100 {
			e.c.story = append(e.c.story, d)
		}
		puts = append(puts, store.Put{Doc: &d})
		e.p.set(int64(t.Index + 1))
		if len(puts) == storeBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return in, err
	}
	stored := time.Since(start)
	in.StoreSeconds = put.Seconds()
	in.StoreDocsPerSec = float64(e.n) / put.Seconds()

	// The consumers catch up, within the timeline budget if there is one.
	e.p.phase(fmt.Sprintf("ingest %dk: index, events, alerts", e.n/1000), int64(e.n))
	stopPoll := e.p.poll(func() int64 { return slowest(p.Stats()) })
	waitCtx := ctx
	if e.cfg.TimelineBudget > 0 {
		var cancelWait context.CancelFunc
		waitCtx, cancelWait = context.WithDeadline(ctx, start.Add(stored+e.cfg.TimelineBudget))
		defer cancelWait()
	}
	err = p.WaitIdle(waitCtx)
	elapsed := time.Since(start)
	stopPoll()
	switch {
	case err != nil && waitCtx.Err() != nil && ctx.Err() == nil:
		in.TimelinePartial = true
	case err != nil:
		return in, err
	}
	if err := stop(); err != nil {
		return in, err
	}
	in.EndToEndSeconds = elapsed.Seconds()
	through := int64(e.n)
	for _, s := range p.Stats() {
		switch s.Name {
		case "index":
			in.IndexSeconds = s.Busy.Seconds()
			in.IndexDocsPerSec = rate(s.Applied, s.Busy)
			through = min(through, s.Applied)
		case "events":
			in.TimelineSeconds = s.Busy.Seconds()
			in.TimelineDocsPerSec = rate(s.Applied, s.Busy)
			in.TimelineDocs = int(s.Applied)
			through = min(through, s.Applied)
		case "alerts":
			in.AlertSeconds = s.Busy.Seconds()
			in.AlertMatches = s.Applied
		}
	}
	// Caught up: every document went through every stage. Cut short by the
	// budget: the slowest stage's progress is the rate.
	in.EndToEndDocsPerSec = float64(through) / elapsed.Seconds()
	in.PeakRSS = peakRSS()
	cancel()
	mem := <-heap
	in.PeakHeap, in.PeakLive, in.PeakAnon, in.PeakFile = mem.heap, mem.live, mem.anon, mem.file

	// Closing lets bleve finish persisting and merging, so the size on disk
	// is the index's, not the merger's scratch.
	err = p.Close()
	p = nil
	if err != nil {
		return in, err
	}
	if e.ix, err = index.Open(e.data); err != nil {
		return in, err
	}
	// Latencies are the engine's, like the peers' (which cache nothing):
	// every repetition counts facets anew. The serve phase turns the cache
	// back on, as a server runs.
	e.ix.SetFacetCache(0)
	err = e.st.EachEvent(context.Background(), store.EventFilter{}, func(model.Event) error { in.Events++; return nil })
	if err != nil {
		return in, err
	}
	storeBytes, err := filesSize(e.data, store.DBFile+"*")
	if err != nil {
		return in, err
	}
	indexBytes, err := dirSize(filepath.Join(e.data, index.Dir))
	if err != nil {
		return in, err
	}
	in.StoreBytesPerDoc = float64(storeBytes) / float64(e.n)
	in.IndexBytesPerDoc = float64(indexBytes) / float64(e.n)
	return in, nil
}

// ingestSubscriptions adds the saved queries that run during ingest, made
// from the first documents of the corpus.
func (e *env) ingestSubscriptions(ctx context.Context, p *pipeline.Pipeline) error {
	var first []model.Document
	err := synth.Generate(e.cfg.Seed, min(e.n, 200), func(d model.Document) error {
		first = append(first, d)
		return nil
	})
	if err != nil {
		return err
	}
	// Phrases, like the names and titles people follow: a few matches each.
	for i, q := range alertQueries(first, 5*ingestSubscriptions) {
		if i%5 != 2 {
			continue
		}
		sub := model.Subscription{Query: q, Level: model.LevelArticle, Atom: true}
		if _, err := p.Alerts().Add(ctx, sub, alert.AddOptions{}); err != nil {
			return fmt.Errorf("add subscription %q: %w", q, err)
		}
	}
	return nil
}

// slowest is how far the slowest document consumer has got.
func slowest(stats []pipeline.StageStats) int64 {
	n := int64(-1)
	for _, s := range stats {
		if s.Name == "index" || s.Name == "events" {
			if n < 0 || s.Applied < n {
				n = s.Applied
			}
		}
	}
	return max(n, 0)
}

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// query is one benchmark query in the three dialects: watchline's request,
// a plain-bleve query and an FTS5 MATCH.
type query struct {
	kind  string
	req   index.Request
	bleve index.PeerQuery
	fts   FTS5Query
}

// Query kinds, in report order.
const (
	kindTerm    = "term"
	kindTermIDs = "term, ids only"
	kindPhrase  = "phrase"
	kindBoolean = "boolean+date+source"
	kindFacets  = "all facets"
	kindDeep    = "deep page"
)

// kinds are the query kinds in report order. Every kind but "term, ids
// only" is a results page: watchline's full page (stored fields, snippets,
// near-duplicates folded), the peers' the same page their way (bleve's
// stored fields and highlighter, FTS5's columns and snippet()); "all facets"
// is a page of ids with facet counts for plain bleve. "term, ids only" is
// each engine alone: one page of ids.
var kinds = []string{kindTerm, kindTermIDs, kindPhrase, kindBoolean, kindFacets, kindDeep}

// queries builds Queries queries of each kind from the sample documents.
func (e *env) queries(ctx context.Context) (map[string][]query, error) {
	out := map[string][]query{}
	s := e.c.samples
	for i := 0; i < e.cfg.Queries && len(s) > 0; i++ {
		d := s[(i*7)%len(s)]
		words := contentWords(d.Title)
		if len(words) < 3 {
			words = append(words, contentWords(d.Text)...)
		}
		if len(words) < 3 {
			continue
		}
		w := words[i%len(words)]
		out[kindTerm] = append(out[kindTerm], query{kind: kindTerm,
			req:   index.Request{Query: w},
			bleve: index.PeerQuery{Must: []string{w}, Page: true},
			fts:   FTS5Query{Match: w, Page: true}})
		out[kindTermIDs] = append(out[kindTermIDs], query{kind: kindTermIDs,
			req:   index.Request{Query: w, Limit: index.DefaultLimit},
			bleve: index.PeerQuery{Must: []string{w}},
			fts:   FTS5Query{Match: w}})
		out[kindFacets] = append(out[kindFacets], query{kind: kindFacets,
			req:   index.Request{Query: w, Facets: true},
			bleve: index.PeerQuery{Must: []string{w}, Facets: true}})

		if ph := phraseOf(d); ph != "" {
			out[kindPhrase] = append(out[kindPhrase], query{kind: kindPhrase,
				req:   index.Request{Query: `"` + ph + `"`},
				bleve: index.PeerQuery{Phrase: ph, Page: true},
				fts:   FTS5Query{Match: `"` + ph + `"`, Page: true}})
		}

		other := contentWords(s[(i*7+3)%len(s)].Title)
		not := "zzzz"
		if len(other) > 0 {
			not = other[len(other)-1]
		}
		a, b, c := words[0], words[1], words[2]
		from := d.Published.AddDate(-2, 0, 0)
		to := d.Published.AddDate(2, 0, 0)
		out[kindBoolean] = append(out[kindBoolean], query{kind: kindBoolean,
			req: index.Request{Query: fmt.Sprintf("%s AND (%s OR %s) NOT %s", a, b, c, not),
				From: from, To: to, Sources: []string{d.SourceID}},
			bleve: index.PeerQuery{Must: []string{a}, Should: []string{b, c}, Not: []string{not},
				Source: d.SourceID, From: from, To: to, Page: true},
			fts: FTS5Query{Match: fmt.Sprintf("%s AND (%s OR %s) NOT %s", a, b, c, not),
				Source: d.SourceID, From: from, To: to, Page: true}})
	}

	// Deep pages need words common enough to have that many hits.
	offset := min(e.cfg.DeepOffset, e.n/4)
	common, err := e.commonWords(ctx, offset+index.DefaultLimit, 5)
	if err != nil {
		return nil, err
	}
	for i := 0; i < e.cfg.Queries && len(common) > 0; i++ {
		w := common[i%len(common)]
		out[kindDeep] = append(out[kindDeep], query{kind: kindDeep,
			req:   index.Request{Query: w, Offset: offset},
			bleve: index.PeerQuery{Must: []string{w}, Offset: offset, Page: true},
			fts:   FTS5Query{Match: w, Offset: offset, Page: true}})
	}
	for _, k := range kinds {
		if len(out[k]) == 0 {
			return nil, fmt.Errorf("no %s queries could be made from the corpus; use a larger --docs", k)
		}
	}
	return out, nil
}

// commonWords returns up to k frequent words with at least hits matches,
// most frequent first.
func (e *env) commonWords(ctx context.Context, hits, k int) ([]string, error) {
	type wf struct {
		w string
		n int
	}
	var ws []wf
	for w, n := range e.c.df {
		if len(w) >= 4 && !stopWords[w] {
			ws = append(ws, wf{w, n})
		}
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].n > ws[j].n || ws[i].n == ws[j].n && ws[i].w < ws[j].w })
	var out []string
	for _, c := range ws[:min(len(ws), 40)] {
		res, err := e.ix.Search(ctx, e.st, index.Request{Query: c.w, Limit: 1})
		if err != nil {
			return nil, err
		}
		if res.Total >= uint64(hits) {
			out = append(out, c.w)
			if len(out) == k {
				break
			}
		}
	}
	return out, nil
}

// search measures watchline's latency for every query kind.
func (e *env) search(ctx context.Context) ([]Latency, error) {
	qs, err := e.queries(ctx)
	if err != nil {
		return nil, err
	}
	var out []Latency
	for _, k := range kinds {
		e.p.phase("search "+k, int64(len(qs[k])*(e.cfg.Reps+1)))
		l, err := measure(k, qs[k], e.cfg.Reps, e.p, e.ours(ctx))
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// ours runs one query on watchline: a full results page, or for "term, ids
// only" the engine alone like the peers (ids of one page, no store reads,
// snippets or near-duplicate folding). It returns the total hits.
func (e *env) ours(ctx context.Context) func(query) (float64, error) {
	return func(q query) (float64, error) {
		if q.kind == kindTermIDs {
			ids, err := e.ix.IDs(ctx, q.req)
			return float64(len(ids)), err
		}
		res, err := e.ix.Search(ctx, e.st, q.req)
		if err != nil {
			return 0, fmt.Errorf("%s %q: %w", q.kind, q.req.Query, err)
		}
		return float64(res.Total), nil
	}
}

// measure runs every query once to warm up, then reps times, and returns the
// latency percentiles of the timed runs.
func measure(kind string, qs []query, reps int, p *progress, run func(query) (float64, error)) (Latency, error) {
	var ds []time.Duration
	var hits float64
	done := int64(0)
	for r := 0; r <= reps; r++ {
		for _, q := range qs {
			t0 := time.Now()
			h, err := run(q)
			d := time.Since(t0)
			if err != nil {
				return Latency{}, err
			}
			done++
			p.set(done)
			if r == 0 {
				hits += h
				continue
			}
			ds = append(ds, d)
		}
	}
	return latency(kind, ds, hits/float64(len(qs))), nil
}

// measurePair is measure for two engines at once: each query runs on a and
// then on b (b first on every other repetition), so both see the same
// moments of the machine's load and the same warm caches, and their ratio
// does not depend on what else ran during one engine's phase. Measured one
// phase after the other on a busy machine, watchline's term page came out at
// 1.03x and 1.24x bleve's in two runs of the same build.
func measurePair(kind string, qs []query, reps int, p *progress, a, b func(query) (float64, error)) (la, lb Latency, err error) {
	var da, db []time.Duration
	var hitsA, hitsB float64
	done := int64(0)
	timed := func(run func(query) (float64, error), q query) (float64, time.Duration, error) {
		t0 := time.Now()
		h, err := run(q)
		return h, time.Since(t0), err
	}
	for r := 0; r <= reps; r++ {
		for _, q := range qs {
			var ha, hb float64
			var ta, tb time.Duration
			if r%2 == 0 {
				if ha, ta, err = timed(a, q); err == nil {
					hb, tb, err = timed(b, q)
				}
			} else {
				if hb, tb, err = timed(b, q); err == nil {
					ha, ta, err = timed(a, q)
				}
			}
			if err != nil {
				return Latency{}, Latency{}, err
			}
			done++
			p.set(done)
			if r == 0 {
				hitsA += ha
				hitsB += hb
				continue
			}
			da, db = append(da, ta), append(db, tb)
		}
	}
	n := float64(len(qs))
	return latency(kind, da, hitsA/n), latency(kind, db, hitsB/n), nil
}

func latency(kind string, ds []time.Duration, avgHits float64) Latency {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	l := Latency{Kind: kind, Samples: len(ds), AvgHits: avgHits,
		P50ms: ms(pct(ds, 0.50)), P95ms: ms(pct(ds, 0.95)), P99ms: ms(pct(ds, 0.99))}
	if sum > 0 {
		l.QPS = float64(len(ds)) / sum.Seconds()
	}
	return l
}

func pct(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// phraseOf returns two adjacent content words of d's title (or text).
func phraseOf(d model.Document) string {
	for _, s := range []string{d.Title, d.Text} {
		ws := strings.FieldsFunc(strings.ToLower(s), notWordRune)
		for i := 0; i+1 < len(ws); i++ {
			if isContent(ws[i]) && isContent(ws[i+1]) {
				return ws[i] + " " + ws[i+1]
			}
		}
	}
	return ""
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) }

func isContent(w string) bool { return len(w) >= 4 && !stopWords[w] }

// contentWords are s's lower-cased words of four letters or more that are
// not stop words, in order, without repeats.
func contentWords(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), notWordRune) {
		if isContent(w) && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func wordSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), notWordRune) {
		set[w] = true
	}
	return set
}

// stopWords are words no analyser indexes the same way (English stop lists
// differ), so queries never use them.
var stopWords = setOf(strings.Fields(`a about above after again against all also am an and any are as at be
		because been before being below between both but by can could did do does doing down during each
		few for from further had has have having he her here hers herself him himself his how i if in into
		is it its itself just me more most my myself no nor not now of off on once only or other our ours
		out over own same she should so some such than that the their theirs them then there these they
		this those through to too under until up very was we were what when where which while who whom why
		will with would you your yours said says say`))

func setOf(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// filesSize adds up the sizes of the files in dir matching pattern.
func filesSize(dir, pattern string) (int64, error) {
	ms, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return 0, err
	}
	var n int64
	for _, m := range ms {
		fi, err := os.Stat(m)
		if err != nil {
			return 0, err
		}
		n += fi.Size()
	}
	return n, nil
}

// dirSize adds up the sizes of every file under dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					return nil // the merger removed it meanwhile
				}
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	return n, err
}
