// Package bench owns `watchline bench`: it generates a deterministic synthetic
// corpus (package synth) and measures, on that corpus, what a watchline user
// waits for — ingest through store, index and timeline; search latency for the
// query shapes people use; streaming exports; timeline exports; alert matching
// against many subscriptions; and crawling a loopback site — beside two peers
// fed the same documents in the same run: plain bleve with its default mapping
// and SQLite FTS5. It reports a table for people and a JSON report with every
// figure and the machine it ran on.
//
// Timings are measurements, not assertions: the package's tests check that a
// report has every figure and that figures are positive, never how fast.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
)

// Config says what to measure and how hard.
type Config struct {
	Docs  int   `json:"docs"`            // corpus size for a single run
	Sizes []int `json:"sizes,omitempty"` // scale mode: one run per size (Docs is ignored)
	Seed  int64 `json:"seed"`

	Reps       int   `json:"reps"`        // repetitions of each short measurement (median or percentiles over them)
	Queries    int   `json:"queries"`     // distinct queries per search kind
	ExportHits int   `json:"export_hits"` // hits in the streaming NDJSON export
	DeepOffset int   `json:"deep_offset"` // offset of the deep-page query
	Subs       []int `json:"subscriptions"`
	AlertDocs  int   `json:"alert_docs"`  // new documents matched per subscription count
	CrawlPages int   `json:"crawl_pages"` // article pages on the loopback site
	Peers      bool  `json:"peers"`       // also run plain bleve and SQLite FTS5
	// LoadClients are the numbers of concurrent clients the web server is
	// measured with (0: GOMAXPROCS), each for LoadDuration; none skips it.
	LoadClients  []int         `json:"load_clients,omitempty"`
	LoadDuration time.Duration `json:"load_duration_ns,omitempty"`
	// TimelineBudget stops waiting for the ingest pipeline this long after
	// the last document is stored (0: never) and reports the slowest stage's
	// rate so far: clustering cost grows with the archive, and a 100k run
	// must end.
	TimelineBudget time.Duration `json:"timeline_budget_ns,omitempty"`

	// Dir is where corpora are written (a temporary directory inside it is
	// removed afterwards unless Keep); the system temporary directory when
	// empty.
	Dir  string `json:"-"`
	Keep bool   `json:"-"`
	// HeapProfile, if set, is where a heap profile taken near the peak of
	// each ingest is written (the largest corpus's last).
	HeapProfile string `json:"-"`
	// Progress receives a progress bar (stderr in the CLI); nil is silent.
	Progress io.Writer `json:"-"`
}

// Default is the full benchmark: 100,000 documents.
func Default() Config {
	return Config{Docs: 100_000, Seed: 1, Reps: 5, Queries: 40, ExportHits: 10_000, DeepOffset: 5000,
		Subs: []int{100, 1000}, AlertDocs: 1000, CrawlPages: 1000, Peers: true, TimelineBudget: 10 * time.Minute,
		LoadClients: []int{1, 0, 50}, LoadDuration: 10 * time.Second}
}

// Quick is a small run for a laptop or CI: about a minute on two cores.
func Quick() Config {
	return Config{Docs: 2000, Seed: 1, Reps: 3, Queries: 12, ExportHits: 10_000, DeepOffset: 5000,
		Subs: []int{100, 1000}, AlertDocs: 100, CrawlPages: 100, Peers: true,
		LoadClients: []int{1, 0, 50}, LoadDuration: 3 * time.Second}
}

// ScaleSizes are the corpus sizes of scale mode up to max (10k, 100k, 1M).
func ScaleSizes(max int) []int {
	var out []int
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		if n <= max {
			out = append(out, n)
		}
	}
	return out
}

func (c Config) validate() error {
	sizes := c.Sizes
	if len(sizes) == 0 {
		sizes = []int{c.Docs}
	}
	for _, n := range sizes {
		if n < 50 {
			return fmt.Errorf("corpus of %d documents is too small to measure; use --docs 50 or more", n)
		}
	}
	if c.Reps < 1 || c.Queries < 1 {
		return errors.New("--reps and the number of queries must be at least 1")
	}
	for _, s := range c.Subs {
		if s < 1 {
			return fmt.Errorf("subscription count %d must be at least 1", s)
		}
	}
	return nil
}

// Report is everything one `watchline bench` measured.
type Report struct {
	Machine Machine   `json:"machine"`
	Config  Config    `json:"config"`
	Started time.Time `json:"started"`
	Seconds float64   `json:"seconds"`
	Runs    []Result  `json:"runs"`             // one per corpus size
	Growth  []Growth  `json:"growth,omitempty"` // scale mode: each figure by size
	Targets []Target  `json:"targets"`          // judged on the largest run
}

// Result is one corpus size's figures.
type Result struct {
	Docs     int          `json:"docs"`
	Ingest   Ingest       `json:"ingest"`
	Search   []Latency    `json:"search"`
	Export   []Export     `json:"export"`
	Timeline Timeline     `json:"timeline"`
	Alerts   []AlertRate  `json:"alerts"`
	Crawl    Crawl        `json:"crawl"`
	Serve    []Load       `json:"serve,omitempty"` // the web server under 1, GOMAXPROCS and 50 clients
	Extract  Extract      `json:"extract"`
	Peers    []PeerResult `json:"peers,omitempty"`
	Ratios   []Ratio      `json:"ratios,omitempty"` // watchline ÷ peer
	PeakRSS  int64        `json:"peak_rss_bytes"`   // whole run of this size, peers included
}

// Ingest is the corpus stored in batches while the pipeline indexes,
// clusters and matches it at the same time (package pipeline, as `watchline
// run` does): end to end is from the first document stored until every
// stage has applied the last. Stage rates are documents over the time each
// stage was busy, sharing the machine with the others.
type Ingest struct {
	StoreDocsPerSec    float64 `json:"store_docs_per_sec"` // the writer: PutDocuments batches of 500
	IndexDocsPerSec    float64 `json:"index_docs_per_sec"`
	TimelineDocsPerSec float64 `json:"timeline_docs_per_sec"`
	EndToEndDocsPerSec float64 `json:"end_to_end_docs_per_sec"`
	StoreSeconds       float64 `json:"store_seconds"`
	IndexSeconds       float64 `json:"index_seconds"`    // busy
	TimelineSeconds    float64 `json:"timeline_seconds"` // busy
	AlertSeconds       float64 `json:"alert_seconds"`    // busy
	EndToEndSeconds    float64 `json:"end_to_end_seconds"`
	Subscriptions      int     `json:"subscriptions"` // saved queries matched during ingest
	AlertMatches       int64   `json:"alert_matches"`
	TimelineDocs       int     `json:"timeline_docs"`       // documents the clusterer applied
	TimelinePartial    bool    `json:"timeline_partial"`    // the budget ran out before every stage caught up
	PeakRSS            int64   `json:"peak_rss_bytes"`      // during ingest
	PeakAnon           int64   `json:"peak_rss_anon_bytes"` // the anonymous part (no mapped files), 0 without /proc
	PeakFile           int64   `json:"peak_rss_file_bytes"` // the part that is pages of mapped files (bleve's segments), 0 without /proc
	PeakHeap           int64   `json:"peak_heap_bytes"`
	PeakLive           int64   `json:"peak_live_heap_bytes"` // the most a garbage collection found live
	StoreBytesPerDoc   float64 `json:"store_bytes_per_doc"`
	IndexBytesPerDoc   float64 `json:"index_bytes_per_doc"`
	Events             int64   `json:"events"` // events the clusterer made
}

// Latency is one query kind's latency over Queries × Reps runs.
type Latency struct {
	Kind    string  `json:"kind"`
	Samples int     `json:"samples"`
	P50ms   float64 `json:"p50_ms"`
	P95ms   float64 `json:"p95_ms"`
	P99ms   float64 `json:"p99_ms"`
	QPS     float64 `json:"qps"`      // one client, back to back
	AvgHits float64 `json:"avg_hits"` // mean total matches (page size for peers that do not count)
}

// Export is one streaming NDJSON export through index.Each.
type Export struct {
	Hits       int     `json:"hits"`
	Seconds    float64 `json:"seconds"` // median
	HitsPerSec float64 `json:"hits_per_sec"`
	Bytes      int64   `json:"bytes"`
	HeapGrowth int64   `json:"heap_growth_bytes"` // highest live heap (as of a GC) during and just after the export, minus the live heap before
}

// Timeline is building one topic timeline and exporting it in every format.
type Timeline struct {
	Topic   string         `json:"topic"`
	Events  int            `json:"events"`
	Formats []FormatResult `json:"formats"`
}

// FormatResult is one export format's median time and size.
type FormatResult struct {
	Format string  `json:"format"`
	Ms     float64 `json:"ms"`
	Bytes  int64   `json:"bytes"`
}

// AlertRate is new documents matched per second against a number of
// subscriptions, through alert.Service.Match (store writes included).
type AlertRate struct {
	Subscriptions int     `json:"subscriptions"`
	Docs          int     `json:"docs"`
	Seconds       float64 `json:"seconds"`
	DocsPerSec    float64 `json:"docs_per_sec"`
	Matches       int     `json:"matches"`
}

// Crawl is pages fetched and extracted from a loopback site, delays off.
type Crawl struct {
	Pages       int     `json:"pages"`
	Fetched     int     `json:"fetched"`
	Stored      int     `json:"stored"`
	Seconds     float64 `json:"seconds"`
	PagesPerSec float64 `json:"pages_per_sec"`
}

// PeerResult is one peer's figures on the same corpus.
type PeerResult struct {
	Name            string    `json:"name"`
	IndexDocsPerSec float64   `json:"index_docs_per_sec"`
	BytesPerDoc     float64   `json:"bytes_per_doc"`
	Search          []Latency `json:"search"`
	// Beside is watchline's latency for the same queries, measured
	// alternately with this peer's query by query (measurePair); the
	// latency ratios are taken from it.
	Beside []Latency `json:"watchline_beside,omitempty"`
}

// Ratio is a watchline figure divided by the same figure of a peer.
type Ratio struct {
	Peer      string  `json:"peer"`
	Figure    string  `json:"figure"`
	Watchline float64 `json:"watchline"`
	Other     float64 `json:"other"`
	Ratio     float64 `json:"ratio"`
}

// Growth is one figure at every corpus size of a scale run.
type Growth struct {
	Figure string    `json:"figure"`
	Values []float64 `json:"values"` // in Report.Runs order
}

// Target is one of the goals and whether the largest run met it.
type Target struct {
	Name string  `json:"name"`
	Want string  `json:"want"`
	Got  float64 `json:"got"`
	Unit string  `json:"unit"`
	Met  bool    `json:"met"`
	At   int     `json:"at_docs"`
}

// Run measures every configured corpus size and returns the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	sizes := cfg.Sizes
	if len(sizes) == 0 {
		sizes = []int{cfg.Docs}
	}
	rep := &Report{Machine: describeMachine(), Config: cfg, Started: time.Now().UTC()}
	root, err := os.MkdirTemp(cfg.Dir, "watchline-bench-*")
	if err != nil {
		return nil, fmt.Errorf("bench: work directory: %w (pass --work DIR with free space)", err)
	}
	if !cfg.Keep {
		defer os.RemoveAll(root)
	}
	p := newProgress(cfg.Progress)
	defer p.finish()
	for _, n := range sizes {
		res, err := runSize(ctx, cfg, n, root, p)
		if err != nil {
			return nil, fmt.Errorf("bench at %d documents: %w", n, err)
		}
		rep.Runs = append(rep.Runs, *res)
		runtime.GC()
	}
	if len(rep.Runs) > 1 {
		rep.Growth = growth(rep.Runs)
	}
	rep.Targets = targets(rep.Runs[len(rep.Runs)-1])
	rep.Seconds = time.Since(rep.Started).Seconds()
	return rep, nil
}
