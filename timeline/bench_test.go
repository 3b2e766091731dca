package timeline

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/watchline/watchline/internal/cputime"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/synth"
)

// BenchmarkAnalyze measures reading one document (dates, type, actors,
// quotes, terms).
func BenchmarkAnalyze(b *testing.B) {
	an := newAnalyzer(b)
	var docs []model.Document
	for _, l := range demoCorpus(b) {
		docs = append(docs, model.Document{ID: 1, Title: l.Title, Text: l.Text, Published: l.Published, Official: l.Official})
	}
	df := newDF()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		an.analyze(docs[i%len(docs)], df)
	}
}

// BenchmarkCluster measures clustering throughput (docs/s) over synthetic
// corpora of growing size, loaded into a store first (not timed). Open-event
// state is bounded by the window, so docs/s should stay roughly flat as the
// corpus grows; the open_events metric shows how many events were cached.
//
//	go test ./timeline -run XXX -bench BenchmarkCluster -benchtime 1x
func BenchmarkCluster(b *testing.B) {
	for _, n := range []int{2_000, 10_000, 30_000, 100_000} {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			benchCluster(b, n, Options{})
		})
	}
}

// BenchmarkClusterWindow shows how throughput depends on the number of open
// (candidate) events, set by the window.
func BenchmarkClusterWindow(b *testing.B) {
	for _, w := range []time.Duration{2, 10, 30, 90} {
		b.Run(fmt.Sprintf("window=%dd", w), func(b *testing.B) {
			benchCluster(b, 5_000, Options{Window: w * 24 * time.Hour})
		})
	}
}

func benchCluster(b *testing.B, n int, opts Options) {
	ctx := context.Background()
	an := newAnalyzer(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Open(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		err = synth.Generate(1, n, func(d model.Document) error {
			_, err := st.PutDocument(ctx, &d, store.Raw{})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		c := NewClusterer(st, an, opts)
		b.StartTimer()
		start, cpu0 := time.Now(), cputime.Used()
		if _, err := c.Run(ctx); err != nil {
			b.Fatal(err)
		}
		el, cpu := time.Since(start), cputime.Used()-cpu0
		b.StopTimer()
		b.ReportMetric(float64(n)/el.Seconds(), "docs/s")
		// On a shared machine wall time says little; CPU time says what the
		// clusterer costs.
		if cpu > 0 {
			b.ReportMetric(float64(n)/cpu.Seconds(), "docs/cpu-s")
		}
		b.ReportMetric(float64(len(c.events)), "open_events")
		// Members of the cached events: each costs about 1.5 KiB (its
		// analysis, packed record and share of its event's centroid).
		b.ReportMetric(float64(len(c.docEvent)), "cached_members")
		// The most at once, during a batch (MaxMembers bounds it).
		b.ReportMetric(float64(c.peakMembers), "peak_members")
		// The heap still in use with the clusterer's state alive: what
		// the open events cost.
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap_MiB")
		runtime.KeepAlive(c)
		var events int
		st.EachEvent(ctx, store.EventFilter{}, func(model.Event) error { events++; return nil })
		b.ReportMetric(float64(events), "events")
		st.Close()
	}
}
