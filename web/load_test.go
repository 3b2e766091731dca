package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

// Bounds of TestLoadWhileWriting: how long the clients run and how many
// there are. The demo corpus is switched to its second phase halfway.
const (
	loadDuration = 8 * time.Second
	loadClients  = 4
)

// loadQueries are the searches the load clients cycle through.
var loadQueries = []string{`"Christopher Cash"`, `MI5 AND LinkedIn`, `China spy`, `"pure fabrication"`, `Official Secrets Act`}

// loadSample is one request a load client made.
type loadSample struct {
	kind   string // search, timeline, event
	status int    // 0: transport error
	took   time.Duration
	err    error
	path   string
}

// TestLoadWhileWriting is the bounded loopback load test of the web API:
// four clients search, export the timeline as CSV and open event pages for
// a fixed time while `watchline run`'s loops crawl the demo corpus into the
// store, index it and cluster events every 100ms, and halfway the corpus
// changes (new articles, an edited statement) so the writes go on. No
// request may fail because of those writes: no 5xx, no transport error.
// Throughput and latency are logged, not asserted.
func TestLoadWhileWriting(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped with -short")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	corpus, err := demo.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer corpus.Close()
	cfg, err := config.Parse("feeds.yaml", []byte(demo.Config(corpus.URL())))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, closeIndex, err := Open(ctx, OpenOptions{Store: st, Config: cfg, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer closeIndex()

	// The crawler's clock jumps ahead when the corpus advances, so every
	// source is due again at once instead of in half an hour.
	var skew atomic.Int64
	cr, err := crawler.New(ctx, st, cfg, crawler.Options{
		Now:   func() time.Time { return time.Now().Add(time.Duration(skew.Load())) },
		Retry: crawler.RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: 5 * time.Millisecond},
		Tick:  100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	an, err := timeline.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	cl := timeline.NewClusterer(st, an, timeline.Options{})
	procDone := make(chan error, 1)
	go func() {
		procDone <- srv.Process(ctx, ProcessOptions{Crawler: cr, Clusterer: cl, Tick: 100 * time.Millisecond})
	}()
	defer func() {
		cancel()
		if err := <-procDone; err != nil {
			t.Errorf("process: %v", err)
		}
	}()

	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	// The client timeout only keeps a hung request (a failure) from holding
	// the test past its bound; it is far above any healthy latency.
	client := &http.Client{Timeout: 5 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: loadClients, MaxConnsPerHost: loadClients}}
	defer client.CloseIdleConnections()

	seqBefore, err := st.MaxSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	deadline := start.Add(loadDuration)
	var (
		mu         sync.Mutex
		samples    []loadSample
		wg         sync.WaitGroup
		seqAdvance int64
	)
	for c := range loadClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []loadSample
			for i := c; time.Now().Before(deadline); i++ {
				local = append(local, loadStep(client, ts.URL, i)...)
			}
			mu.Lock()
			samples = append(samples, local...)
			mu.Unlock()
		}()
	}
	// Halfway, the corpus moves to its second phase and the crawler's clock
	// jumps so the next crawl tick fetches it while the clients keep going.
	<-time.After(loadDuration / 2)
	if seqAdvance, err = st.MaxSeq(ctx); err != nil {
		t.Error(err)
	}
	corpus.Advance()
	skew.Store(int64(2 * time.Hour))
	wg.Wait()
	elapsed := time.Since(start)
	seqAfter, err := st.MaxSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// The writes must really have overlapped the reads, or the test proves
	// nothing.
	if seqAfter <= seqBefore {
		t.Errorf("store seq %d before the load and %d after: nothing was written during the load", seqBefore, seqAfter)
	}
	var failures []loadSample
	byKind := map[string][]time.Duration{}
	var all []time.Duration
	for _, s := range samples {
		if s.status == 0 || s.status >= 500 || (s.status != http.StatusOK && !(s.kind == "event" && s.status == http.StatusNotFound)) {
			failures = append(failures, s)
		}
		byKind[s.kind] = append(byKind[s.kind], s.took)
		all = append(all, s.took)
	}
	if len(samples) == 0 {
		t.Fatal("no requests were made")
	}
	for i, f := range failures {
		if i == 10 {
			t.Errorf("… and %d more failed requests", len(failures)-10)
			break
		}
		t.Errorf("%s %s: status %d, err %v", f.kind, f.path, f.status, f.err)
	}
	for _, kind := range []string{"search", "timeline", "event"} {
		if len(byKind[kind]) == 0 {
			t.Errorf("no %s requests were made", kind)
		}
	}

	t.Logf("%d requests by %d clients in %s: %.1f requests/s; %d failed; store seq %d -> %d (advanced at %d)",
		len(samples), loadClients, elapsed.Round(time.Millisecond), float64(len(samples))/elapsed.Seconds(),
		len(failures), seqBefore, seqAfter, seqAdvance)
	t.Logf("  %-8s n=%-5d %s", "all", len(all), latencies(all))
	for _, kind := range []string{"search", "timeline", "event"} {
		t.Logf("  %-8s n=%-5d %s", kind, len(byKind[kind]), latencies(byKind[kind]))
	}
}

// loadStep makes the i-th request of a load client: a search, a timeline CSV
// export, or an event page (the newest event of the topic, looked up through
// the events API; before clustering has made one, the lookup alone).
func loadStep(c *http.Client, base string, i int) []loadSample {
	switch i % 3 {
	case 0:
		q := loadQueries[i/3%len(loadQueries)]
		return []loadSample{loadGet(c, base, "search", "/api/search?q="+url.QueryEscape(q), nil)}
	case 1:
		return []loadSample{loadGet(c, base, "timeline", "/api/timeline?topic=uk-china-spy-case&format=csv", nil)}
	}
	var list struct {
		Events []struct {
			ID int64 `json:"id"`
		} `json:"events"`
	}
	first := loadGet(c, base, "event", "/api/events?topic=uk-china-spy-case&limit=5", &list)
	if first.status != http.StatusOK || len(list.Events) == 0 {
		return []loadSample{first}
	}
	id := list.Events[i/3%len(list.Events)].ID
	return []loadSample{first, loadGet(c, base, "event", "/events/"+strconv.FormatInt(id, 10), nil)}
}

// loadGet GETs path, reading the whole body (into v when it is not nil and
// the answer is 200).
func loadGet(c *http.Client, base, kind, path string, v any) loadSample {
	s := loadSample{kind: kind, path: path}
	start := time.Now()
	resp, err := c.Get(base + path)
	if err != nil {
		s.err, s.took = err, time.Since(start)
		return s
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	s.took = time.Since(start)
	s.status = resp.StatusCode
	if err != nil {
		// A body cut off midway is a failed request, whatever the status.
		s.status, s.err = 0, fmt.Errorf("read body: %w", err)
		return s
	}
	if v != nil && s.status == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			s.status, s.err = 0, fmt.Errorf("decode body: %w", err)
		}
	}
	return s
}

// latencies formats the p50, p99 and maximum of ds.
func latencies(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	// Nearest rank: the smallest value with at least p of them at or below.
	at := func(p float64) time.Duration { return ds[max(0, int(math.Ceil(p*float64(len(ds))))-1)] }
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	return fmt.Sprintf("p50 %s  p99 %s  max %s", r(at(0.50)), r(at(0.99)), r(ds[len(ds)-1]))
}

// checkConcurrentTimelineReads reads the timeline with more requests at once
// than the store has connections. When the store's EachEvent held its cursor
// while it and the timeline queried further, such reads took every
// connection and waited for ever.
func checkConcurrentTimelineReads(t *testing.T, f *fixture) {
	const n = 12
	client := &http.Client{Timeout: 20 * time.Second}
	defer client.CloseIdleConnections()
	paths := []string{"/api/timeline?topic=uk-china-spy-case&format=csv", "/api/events?limit=100", "/timeline?topic=uk-china-spy-case"}
	results := make(chan loadSample, n)
	for i := range n {
		go func() { results <- loadGet(client, f.ts.URL, "timeline", paths[i%len(paths)], nil) }()
	}
	for range n {
		if s := <-results; s.status != http.StatusOK {
			t.Errorf("%s: status %d, err %v", s.path, s.status, s.err)
		}
	}
}
