package crawler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler/crawlertest"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// stepClock is a clock the test moves by hand.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestRunSchedulesSourcesIndependently: one slow source must not stall every
// source in `run` (issue 17). Twenty healthy sources, each on a host of its
// own, run beside a slowloris source (every article page trickles one byte
// per 100ms) and a 429 storm (every article page answers 429 with
// Retry-After: 120). The clock is injected: at every step of one interval,
// each healthy source that is due must be visited before the clock moves on,
// and the storm's host is asked once per visit, not three times per item.
func TestRunSchedulesSourcesIndependently(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const interval = 10 * time.Minute
	source := func(id, url string, fetch bool) model.Source {
		return model.Source{ID: id, Title: id, Kind: model.KindFeed, URL: url, AllowPrivate: true, FetchArticles: fetch,
			UserAgent: "watchline-test/1.0", Interval: interval, MaxBody: 10 << 20}
	}
	cfg := &config.Config{Path: "run.yaml", Defaults: config.Defaults{Timeout: 300 * time.Millisecond, Workers: 4}}
	var healthy []*crawlertest.Server
	for i := range 20 {
		srv := crawlertest.NewServer()
		defer srv.Close()
		healthy = append(healthy, srv)
		cfg.Sources = append(cfg.Sources, source(fmt.Sprintf("healthy-%02d", i), srv.URL()+"/feeds/rss.xml", false))
	}
	slow := crawlertest.NewServer()
	defer slow.Close()
	storm := crawlertest.NewServer()
	defer storm.Close()
	cfg.Sources = append(cfg.Sources,
		source("slowloris", slow.URL()+"/feeds/linked/30/slowloris", true),
		source("storm", storm.URL()+"/feeds/linked/30/storm", true))
	cfg.ApplyDefaults()
	for i := range cfg.Sources {
		cfg.Sources[i].Delay = 0
	}
	clk := &stepClock{t: time.Date(2025, 10, 1, 9, 0, 0, 0, time.UTC)}
	c, err := New(ctx, st, cfg, Options{Now: clk.Now, Tick: 5 * time.Millisecond,
		Retry: RetryPolicy{Attempts: 3, Base: 10 * time.Millisecond, Max: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	runDone := make(chan error, 1)
	go func() { runDone <- c.Run(ctx, nil) }()

	const steps = 12
	for step := range steps {
		now := clk.Now()
		var due []string
		deadline := time.Now().Add(20 * time.Second) // generous: the machine is shared
		for {
			due = due[:0]
			for _, s := range cfg.Sources[:20] {
				h, err := st.SourceHealth(ctx, s.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !h.NextDue.After(now) {
					due = append(due, s.ID)
				}
			}
			if len(due) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if len(due) > 0 {
			t.Fatalf("step %d (%s): healthy sources %v were due and not visited within 20s: a slow source holds them",
				step, now.Format("15:04"), due)
		}
		clk.Advance(interval)
	}
	cancel()
	select {
	case <-runDone:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop within 30s of its context ending")
	}

	// Every healthy source was visited on its (adaptive) interval: with
	// nothing new the interval grows 1.5× a visit (15m, 22m30s, 33m45s,
	// 50m37s), so the visits fall 0, 2, 5 and 9 intervals in.
	for i, srv := range healthy {
		if n := len(srv.Hits("/feeds/rss.xml")); n < 4 {
			t.Errorf("healthy-%02d visited %d times in %d intervals, want at least 4", i, n, steps)
		}
	}
	// The storm's host said "wait 120s": one article request per visit.
	visits := len(storm.Hits("/feeds/linked/30/storm"))
	var articles int
	for _, h := range storm.Hits("") {
		if strings.HasPrefix(h.Path, "/storm/") {
			articles++
		}
	}
	if visits == 0 || articles > visits {
		t.Errorf("storm: %d article requests in %d visits; want at most one per visit (Retry-After honoured per host)", articles, visits)
	}
	if h, _ := st.SourceHealth(context.Background(), "storm"); !strings.Contains(h.LastError, "Retry-After") {
		t.Errorf("storm health = %q; want it to say the host asked to wait", h.LastError)
	}
	if len(slow.Hits("/feeds/linked/30/slowloris")) == 0 {
		t.Errorf("the slowloris source was never visited")
	}
}

// TestVisitBudget: a visit ends when its time budget is used up, with the
// items it did not reach counted and left for the next visit (the listing is
// not cached, so a 304 cannot hide them), and the source is not marked as
// failing for it. The budget is the source's own visit_budget (feeds.yaml);
// a source that sets none has the default.
func TestVisitBudget(t *testing.T) {
	short := func(e *env) model.Source {
		s := feedSource("trickle", "/feeds/linked/5/slowloris", true)(e)
		s.VisitBudget = time.Second
		return s
	}
	e := newEnv(t, short, feedSource("calm", "/feeds/rss.xml", false))
	if src, _ := e.cfg.Source("calm"); src.VisitBudget != config.DefaultVisitBudget {
		t.Fatalf("calm's visit budget = %s, want the default %s", src.VisitBudget, config.DefaultVisitBudget)
	}
	res := e.crawl("trickle")
	if res.Err != nil || res.Listed != 5 || res.Deferred != 5 || !errors.Is(res.DeferErr, errBudget) {
		t.Fatalf("result = %+v (defer: %v); want 5 listed, 5 deferred by the budget, no error", res, res.DeferErr)
	}
	h := e.health("trickle")
	if h.ConsecutiveFailures != 0 || !strings.Contains(h.LastError, "5 of 5 items left for the next visit: visit budget used up (1s; visit_budget in feeds.yaml)") {
		t.Errorf("health = %+v", h)
	}
	if v, _ := e.st.Validators(context.Background(), e.srv.URL()+"/feeds/linked/5/slowloris"); v != (store.Validators{}) {
		t.Errorf("the listing's validators were stored (%+v) although items were left", v)
	}
}

// TestLeaseOutlastsTheVisit: by default a source lease outlasts the longest
// visit budget, so no crawler takes a source over mid-visit.
func TestLeaseOutlastsTheVisit(t *testing.T) {
	long := func(e *env) model.Source {
		s := feedSource("long", "/feeds/rss.xml", false)(e)
		s.VisitBudget = time.Hour
		return s
	}
	e := newEnv(t, long, feedSource("short", "/feeds/atom.xml", false))
	c := e.crawler(Options{})
	if c.opts.LeaseFor <= time.Hour {
		t.Errorf("default lease %s does not outlast the 1h visit budget", c.opts.LeaseFor)
	}
}
