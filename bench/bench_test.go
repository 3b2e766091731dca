package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// tiny is the quick harness with even smaller numbers, so `go test` keeps the
// whole of `watchline bench` compiling and running in seconds.
func tiny(t *testing.T) Config {
	cfg := Quick()
	cfg.Sizes = []int{120, 200}
	cfg.Reps, cfg.Queries = 1, 3
	cfg.ExportHits, cfg.DeepOffset = 100, 40
	cfg.Subs = []int{5, 20}
	cfg.AlertDocs, cfg.CrawlPages = 20, 8
	cfg.LoadClients, cfg.LoadDuration = []int{1, 4}, 300*time.Millisecond
	cfg.Dir = t.TempDir()
	return cfg
}

func TestRunReportsEveryFigure(t *testing.T) {
	cfg := tiny(t)
	var progress bytes.Buffer
	cfg.Progress = &progress
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rep.Runs), 2; got != want {
		t.Fatalf("runs = %d, want %d", got, want)
	}
	for _, r := range rep.Runs {
		positive := map[string]float64{
			"store docs/s":      r.Ingest.StoreDocsPerSec,
			"index docs/s":      r.Ingest.IndexDocsPerSec,
			"timeline docs/s":   r.Ingest.TimelineDocsPerSec,
			"end-to-end docs/s": r.Ingest.EndToEndDocsPerSec,
			"peak RSS":          float64(r.Ingest.PeakRSS),
			"store bytes/doc":   r.Ingest.StoreBytesPerDoc,
			"index bytes/doc":   r.Ingest.IndexBytesPerDoc,
			"events":            float64(r.Ingest.Events),
			"timeline events":   float64(r.Timeline.Events),
			"crawl pages/s":     r.Crawl.PagesPerSec,
			"crawl fetched":     float64(r.Crawl.Fetched),
			"extract pages/s":   r.Extract.PagesPerSec,
			"extract peer":      r.Extract.PeerPagesPerSec,
		}
		if r.Extract.Pages != cfg.CrawlPages || r.Extract.AvgBytes < 25<<10 {
			t.Errorf("%d docs: extraction over %d pages of %d bytes, want %d pages of about 30 KB", r.Docs, r.Extract.Pages, r.Extract.AvgBytes, cfg.CrawlPages)
		}
		for name, v := range positive {
			if !(v > 0) {
				t.Errorf("%d docs: %s = %v, want > 0", r.Docs, name, v)
			}
		}
		if got, want := kindList(r.Search), "term,term, ids only,phrase,boolean+date+source,all facets,deep page"; got != want {
			t.Errorf("%d docs: search kinds = %s, want %s", r.Docs, got, want)
		}
		for _, l := range r.Search {
			if !(l.P50ms > 0 && l.P99ms >= l.P95ms && l.P95ms >= l.P50ms && l.QPS > 0 && l.Samples == cfg.Queries*cfg.Reps) {
				t.Errorf("%d docs: %s latency %+v: want 0 < p50 <= p95 <= p99, qps > 0, %d samples", r.Docs, l.Kind, l, cfg.Queries*cfg.Reps)
			}
		}
		if len(r.Export) != 2 || r.Export[1].Hits <= 0 || r.Export[1].Bytes <= 0 || r.Export[1].HitsPerSec <= 0 {
			t.Errorf("%d docs: export = %+v, want two exports with hits, bytes and a rate", r.Docs, r.Export)
		}
		if got, want := len(r.Timeline.Formats), 7; got != want {
			t.Errorf("%d docs: timeline formats = %d, want %d", r.Docs, got, want)
		}
		for _, f := range r.Timeline.Formats {
			if f.Bytes <= 0 || f.Ms <= 0 {
				t.Errorf("%d docs: timeline %s = %+v, want bytes and time", r.Docs, f.Format, f)
			}
		}
		if len(r.Alerts) != 2 || r.Alerts[0].Subscriptions != 5 || r.Alerts[1].Subscriptions != 20 {
			t.Errorf("%d docs: alerts = %+v, want rates for 5 and 20 subscriptions", r.Docs, r.Alerts)
		}
		for _, a := range r.Alerts {
			if a.DocsPerSec <= 0 || a.Docs != cfg.AlertDocs {
				t.Errorf("%d docs: alerts %+v, want a positive rate over %d docs", r.Docs, a, cfg.AlertDocs)
			}
		}
		if got := peerNames(r.Peers); got != "bleve-default,sqlite-fts5" {
			t.Errorf("%d docs: peers = %s, want bleve-default,sqlite-fts5", r.Docs, got)
		}
		for _, p := range r.Peers {
			if p.IndexDocsPerSec <= 0 || p.BytesPerDoc <= 0 || len(p.Search) < 4 {
				t.Errorf("%d docs: peer %+v, want a rate, a size and at least four query kinds", r.Docs, p)
			}
			for _, l := range p.Search {
				if l.P50ms <= 0 {
					t.Errorf("%d docs: peer %s %s p50 = %v, want > 0", r.Docs, p.Name, l.Kind, l.P50ms)
				}
			}
		}
		for _, peer := range []string{"sqlite-fts5", "bleve-default"} {
			for _, fig := range []string{"term p50 ms", "term, ids only p50 ms", "deep page p50 ms", "ingest end to end ÷ peer index docs/s"} {
				if _, ok := findRatio(r.Ratios, peer, fig); !ok {
					t.Errorf("%d docs: no %s ratio against %s in %+v", r.Docs, fig, peer, r.Ratios)
				}
			}
		}
		if len(r.Serve) != 2 || r.Serve[1].Clients != 4 {
			t.Fatalf("%d docs: serve = %+v, want runs with 1 and 4 clients", r.Docs, r.Serve)
		}
		for _, l := range r.Serve {
			if l.Requests == 0 || l.RPS <= 0 || l.P99ms < l.P50ms || len(l.Kinds) != 3 {
				t.Errorf("%d docs: serve %+v, want requests of three kinds, a rate and p50 <= p99", r.Docs, l)
			}
			if l.Errors != 0 {
				t.Errorf("%d docs: serve with %d clients: %d errors", r.Docs, l.Clients, l.Errors)
			}
		}
	}
	if len(rep.Growth) == 0 {
		t.Error("scale run has no growth figures")
	}
	for _, g := range rep.Growth {
		if len(g.Values) != 2 {
			t.Errorf("growth %s has %d values, want 2", g.Figure, len(g.Values))
		}
	}
	if len(rep.Targets) < 8 {
		t.Errorf("targets = %d, want every goal judged (at least 8)", len(rep.Targets))
	}
	if rep.Machine.CPUs <= 0 || rep.Machine.GoVersion == "" {
		t.Errorf("machine = %+v, want cores and Go version", rep.Machine)
	}
	if !strings.Contains(progress.String(), "[") {
		t.Error("no progress bar was drawn")
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("report JSON does not parse: %v", err)
	}
	for _, k := range []string{"machine", "config", "runs", "growth", "targets"} {
		if _, ok := back[k]; !ok {
			t.Errorf("report JSON lacks %q", k)
		}
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"INGEST", "SEARCH", "EXPORT", "TIMELINE", "SERVE", "ALERTS", "CRAWL", "EXTRACT", "PEERS", "RATIOS", "GROWTH", "TARGETS"} {
		if !strings.Contains(table.String(), s) {
			t.Errorf("table lacks section %s", s)
		}
	}
}

func TestConfigRejectsNonsense(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
	}{
		{"tiny corpus", func(c *Config) { c.Docs = 3 }},
		{"no reps", func(c *Config) { c.Reps = 0 }},
		{"zero subscriptions", func(c *Config) { c.Subs = []int{0} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Quick()
			tt.edit(&cfg)
			if _, err := Run(context.Background(), cfg); err == nil {
				t.Error("Run accepted the config, want an error")
			}
		})
	}
}

func TestScaleSizes(t *testing.T) {
	tests := []struct {
		max  int
		want string
	}{
		{100_000, "[10000 100000]"},
		{1_000_000, "[10000 100000 1000000]"},
		{5000, "[]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(ScaleSizes(tt.max)); got != tt.want {
			t.Errorf("ScaleSizes(%d) = %s, want %s", tt.max, got, tt.want)
		}
	}
}

func kindList(ls []Latency) string {
	var ks []string
	for _, l := range ls {
		ks = append(ks, l.Kind)
	}
	return strings.Join(ks, ",")
}

func peerNames(ps []PeerResult) string {
	var ns []string
	for _, p := range ps {
		ns = append(ns, p.Name)
	}
	return strings.Join(ns, ",")
}

// TestMeasurePairAlternates: both engines run every query once per
// repetition, in alternating order, and the ratios use the latencies
// measured beside the peer, not watchline's own phase.
func TestMeasurePairAlternates(t *testing.T) {
	qs := []query{{kind: kindTerm}, {kind: kindTerm}}
	var order []string
	a := func(query) (float64, error) { order = append(order, "a"); return 3, nil }
	b := func(query) (float64, error) { order = append(order, "b"); return 5, nil }
	la, lb, err := measurePair(kindTerm, qs, 2, &progress{}, a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := "ababbaba" + "abab"
	if got := strings.Join(order, ""); got != want {
		t.Errorf("run order %s, want %s", got, want)
	}
	if la.Samples != 4 || lb.Samples != 4 || la.AvgHits != 3 || lb.AvgHits != 5 {
		t.Errorf("latencies %+v / %+v: want 4 timed samples each (the warm-up untimed) and their own hit counts", la, lb)
	}

	r := &Result{Search: []Latency{{Kind: kindTerm, P50ms: 10}},
		Peers: []PeerResult{{Name: "bleve-default", Search: []Latency{{Kind: kindTerm, P50ms: 4}}, Beside: []Latency{{Kind: kindTerm, P50ms: 5}}}}}
	if x, _ := findRatio(ratios(r), "bleve-default", kindTerm+" p50 ms"); x != 1.25 {
		t.Errorf("term p50 ratio %.2f, want 1.25 (watchline beside the peer, 5 ÷ 4)", x)
	}
}
