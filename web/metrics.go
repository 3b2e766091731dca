package web

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/watchline/watchline/timeline"
)

// latencyBuckets are the histogram upper bounds in seconds, from a fast
// index lookup to a slow crawl of a big sitemap.
var latencyBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Metrics is a small set of counters and latency histograms written in the
// Prometheus text format. The server records requests and searches; the
// processing loops of `watchline run` record crawls, index syncs, clustering
// and alert deliveries through Add and Observe. It is safe for concurrent use.
type Metrics struct {
	mu       sync.Mutex
	counters map[string]map[string]float64 // name → labels → value
	hists    map[string]map[string]*histogram
	help     map[string]string
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	count  uint64
}

// NewMetrics returns empty metrics with the help text of the ones watchline
// records.
func NewMetrics() *Metrics {
	return &Metrics{
		counters: map[string]map[string]float64{},
		hists:    map[string]map[string]*histogram{},
		help: map[string]string{
			"watchline_http_requests_total":           "HTTP requests served, by route and status code.",
			"watchline_http_request_duration_seconds": "Time to serve an HTTP request, by route.",
			"watchline_search_duration_seconds":       "Time the index took to answer a search.",
			"watchline_crawl_runs_total":              "Visits to one source, by result.",
			"watchline_crawl_duration_seconds":        "Time one visit to one source took.",
			"watchline_index_sync_total":              "Index syncs from the store's seq log, by result.",
			"watchline_index_sync_duration_seconds":   "Time one index sync took.",
			"watchline_timeline_runs_total":           "Event clustering passes, by result.",
			"watchline_timeline_duration_seconds":     "Time one clustering pass took.",
			"watchline_alert_runs_total":              "Alert match-and-deliver passes, by result.",
			"watchline_alert_duration_seconds":        "Time one alert pass took.",
		},
	}
}

// Add adds v to the counter name with the given label pairs
// ("result", "ok", …).
func (m *Metrics) Add(name string, v float64, labels ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	byLabel := m.counters[name]
	if byLabel == nil {
		byLabel = map[string]float64{}
		m.counters[name] = byLabel
	}
	byLabel[labelString(labels)] += v
}

// Observe records d in the histogram name with the given label pairs.
func (m *Metrics) Observe(name string, d time.Duration, labels ...string) {
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	byLabel := m.hists[name]
	if byLabel == nil {
		byLabel = map[string]*histogram{}
		m.hists[name] = byLabel
	}
	key := labelString(labels)
	h := byLabel[key]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
		byLabel[key] = h
	}
	i := sort.SearchFloat64s(latencyBuckets, sec) // first bound >= sec
	h.counts[i]++
	h.sum += sec
	h.count++
}

// Time runs fn, counting it in name_total by result and its latency in
// name_duration_seconds. It returns fn's error.
func (m *Metrics) Time(name string, fn func() error) error {
	start := time.Now()
	err := fn()
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.Add("watchline_"+name+"_total", 1, "result", result)
	m.Observe("watchline_"+name+"_duration_seconds", time.Since(start))
	return err
}

func (m *Metrics) observeRequest(route string, status int, d time.Duration) {
	m.Add("watchline_http_requests_total", 1, "route", route, "code", strconv.Itoa(status))
	m.Observe("watchline_http_request_duration_seconds", d, "route", route)
}

// labelString renders label pairs in Prometheus syntax, sorted by name.
func labelString(pairs []string) string {
	if len(pairs) < 2 {
		return ""
	}
	type kv struct{ k, v string }
	var kvs []kv
	for i := 0; i+1 < len(pairs); i += 2 {
		kvs = append(kvs, kv{pairs[i], pairs[i+1]})
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].k < kvs[j].k })
	var b strings.Builder
	for i, p := range kvs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.k)
		b.WriteString(`="`)
		b.WriteString(escapeLabel(p.v))
		b.WriteByte('"')
	}
	return b.String()
}

func escapeLabel(v string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(v)
}

func formatFloat(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func withLabel(labels, extra string) string {
	switch {
	case labels == "":
		return "{" + extra + "}"
	default:
		return "{" + labels + "," + extra + "}"
	}
}

func braces(labels string) string {
	if labels == "" {
		return ""
	}
	return "{" + labels + "}"
}

// WriteText writes every metric in the Prometheus text exposition format,
// with gauges (values read at scrape time) appended.
func (m *Metrics) WriteText(w io.Writer, gauges []Gauge) error {
	m.mu.Lock()
	var b strings.Builder
	for _, name := range sortedKeys(m.counters) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", name, m.helpFor(name), name)
		for _, l := range sortedKeys(m.counters[name]) {
			fmt.Fprintf(&b, "%s%s %s\n", name, braces(l), formatFloat(m.counters[name][l]))
		}
	}
	for _, name := range sortedKeys(m.hists) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s histogram\n", name, m.helpFor(name), name)
		for _, l := range sortedKeys(m.hists[name]) {
			h := m.hists[name][l]
			var cum uint64
			for i, bound := range latencyBuckets {
				cum += h.counts[i]
				fmt.Fprintf(&b, "%s_bucket%s %d\n", name, withLabel(l, `le="`+formatFloat(bound)+`"`), cum)
			}
			fmt.Fprintf(&b, "%s_bucket%s %d\n", name, withLabel(l, `le="+Inf"`), h.count)
			fmt.Fprintf(&b, "%s_sum%s %s\n", name, braces(l), formatFloat(h.sum))
			fmt.Fprintf(&b, "%s_count%s %d\n", name, braces(l), h.count)
		}
	}
	m.mu.Unlock()
	seen := map[string]bool{}
	for _, g := range gauges {
		if !seen[g.Name] {
			seen[g.Name] = true
			fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", g.Name, g.Help, g.Name)
		}
		fmt.Fprintf(&b, "%s%s %s\n", g.Name, braces(labelString(g.Labels)), formatFloat(g.Value))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (m *Metrics) helpFor(name string) string {
	if h, ok := m.help[name]; ok {
		return h
	}
	return strings.ReplaceAll(strings.TrimPrefix(name, "watchline_"), "_", " ") + "."
}

// Gauge is one value read at scrape time.
type Gauge struct {
	Name, Help string
	Labels     []string
	Value      float64
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// handleMetrics serves /metrics: the counters and histograms, plus gauges
// read from the store (documents, seq, consumer lag, source failures).
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	gauges, err := s.gauges(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	return s.metrics.WriteText(w, gauges)
}

func (s *Server) gauges(ctx context.Context) ([]Gauge, error) {
	maxSeq, err := s.st.MaxSeq(ctx)
	if err != nil {
		return nil, err
	}
	docs, err := s.st.CountDocuments(ctx, storeAllDocs)
	if err != nil {
		return nil, err
	}
	gs := []Gauge{
		{Name: "watchline_store_documents", Help: "Live documents in the store.", Value: float64(docs)},
		{Name: "watchline_store_seq", Help: "Newest seq in the store's change log.", Value: float64(maxSeq)},
	}
	lag := func(consumer string, cur int64) {
		gs = append(gs, Gauge{Name: "watchline_consumer_lag", Help: "Seqs of the store's log a consumer has not applied yet.",
			Labels: []string{"consumer", consumer}, Value: float64(max(0, maxSeq-cur))})
	}
	if ix := s.opts.Index; ix != nil {
		cur, err := ix.Cursor()
		if err != nil {
			return nil, err
		}
		lag("index", cur)
	}
	cur, err := s.st.Cursor(ctx, timeline.CursorName)
	if err != nil {
		return nil, err
	}
	lag("timeline", cur)
	hs, err := s.st.SourceHealths(ctx)
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		gs = append(gs, Gauge{Name: "watchline_source_consecutive_failures", Help: "Failed crawls of a source in a row.",
			Labels: []string{"source", h.SourceID}, Value: float64(h.ConsecutiveFailures)})
	}
	for _, h := range hs {
		if !h.LastSuccess.IsZero() {
			gs = append(gs, Gauge{Name: "watchline_source_last_success_timestamp_seconds", Help: "When a source was last crawled successfully.",
				Labels: []string{"source", h.SourceID}, Value: float64(h.LastSuccess.Unix())})
		}
	}
	return gs, nil
}
