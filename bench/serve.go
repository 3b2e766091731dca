package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/web"
)

// Load is the web server answering a number of concurrent clients on
// loopback for a fixed time, each asking for search, timeline and event
// pages in turn, as fast as answers come.
type Load struct {
	Clients  int       `json:"clients"`
	Seconds  float64   `json:"seconds"`
	Requests int       `json:"requests"`
	Errors   int       `json:"errors"` // transport errors and answers other than 200
	RPS      float64   `json:"requests_per_sec"`
	P50ms    float64   `json:"p50_ms"`
	P99ms    float64   `json:"p99_ms"`
	Kinds    []Latency `json:"kinds"` // per page kind
}

// loadPages are the page kinds of the load mix, in order.
var loadPages = []string{"search", "timeline", "event"}

// serve serves the corpus's data directory with the web server `watchline
// serve` runs and measures it under each configured number of clients.
func (e *env) serve(ctx context.Context, qs map[string][]query) ([]Load, error) {
	e.ix.SetFacetCache(index.DefaultFacetCache)
	defer e.ix.SetFacetCache(0)
	cfg := &config.Config{}
	cfg.ApplyDefaults()
	srv, err := web.New(web.Options{Store: e.st, Index: e.ix, Config: cfg, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, nil) }()
	defer func() {
		cancel()
		<-served
	}()
	base := "http://" + ln.Addr().String()

	paths, err := e.loadPaths(ctx, qs)
	if err != nil {
		return nil, err
	}
	var out []Load
	for _, clients := range e.cfg.LoadClients {
		if clients == 0 {
			clients = runtime.GOMAXPROCS(0)
		}
		e.p.phase(fmt.Sprintf("serve: %d clients", clients), int64(e.cfg.LoadDuration/time.Millisecond))
		l := loadRun(ctx, base, paths, clients, e.cfg.LoadDuration, e.p)
		out = append(out, l)
	}
	return out, nil
}

// loadPaths are the pages the clients ask for, by kind: search pages for
// the benchmark's term queries, the topic's timeline page, and the pages of
// its events.
func (e *env) loadPaths(ctx context.Context, qs map[string][]query) (map[string][]string, error) {
	paths := map[string][]string{}
	for _, q := range qs[kindTerm] {
		paths["search"] = append(paths["search"], "/search?q="+url.QueryEscape(q.req.Query))
	}
	topic := e.topicQuery()
	paths["timeline"] = []string{"/timeline?q=" + url.QueryEscape(topic)}
	err := e.st.EachEvent(ctx, store.EventFilter{Limit: 200}, func(ev model.Event) error {
		paths["event"] = append(paths["event"], "/events/"+strconv.FormatInt(ev.ID, 10))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range loadPages {
		if len(paths[k]) == 0 {
			return nil, fmt.Errorf("serve: no %s pages to ask for; use a larger --docs", k)
		}
	}
	return paths, nil
}

// loadRun runs clients concurrent clients for d and sums up what they saw.
func loadRun(ctx context.Context, base string, paths map[string][]string, clients int, d time.Duration, p *progress) Load {
	client := &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	type sample struct {
		kind int
		took time.Duration
		ok   bool
	}
	var (
		mu      sync.Mutex
		samples []sample
		wg      sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	stop := p.poll(func() int64 { return int64(time.Since(start) / time.Millisecond) })
	for c := range clients {
		wg.Go(func() {
			var local []sample
			for i := c; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				kind := i % len(loadPages)
				ps := paths[loadPages[kind]]
				path := ps[(i/len(loadPages))%len(ps)]
				t0 := time.Now()
				ok := get(ctx, client, base+path)
				local = append(local, sample{kind, time.Since(t0), ok})
			}
			mu.Lock()
			samples = append(samples, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	stop()
	elapsed := time.Since(start)
	l := Load{Clients: clients, Seconds: elapsed.Seconds(), Requests: len(samples)}
	var all []time.Duration
	byKind := make([][]time.Duration, len(loadPages))
	for _, s := range samples {
		if !s.ok {
			l.Errors++
		}
		all = append(all, s.took)
		byKind[s.kind] = append(byKind[s.kind], s.took)
	}
	l.RPS = float64(len(samples)) / elapsed.Seconds()
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	l.P50ms, l.P99ms = ms(pct(all, 0.50)), ms(pct(all, 0.99))
	for k, ds := range byKind {
		l.Kinds = append(l.Kinds, latency(loadPages[k], ds, 0))
	}
	return l
}

// get fetches u and reads the whole answer; ok is a 200 read to the end.
func get(ctx context.Context, c *http.Client, u string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err == nil && resp.StatusCode == http.StatusOK
}
