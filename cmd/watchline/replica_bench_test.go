package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/store/postgres"
	"github.com/watchline/watchline/store/postgres/pgtest"
	"github.com/watchline/watchline/synth"
)

// BenchmarkReplicaSearch measures search throughput (requests per second
// over HTTP, /api/search) with one `watchline serve` node and with two,
// both over one PostgreSQL store holding a synthetic corpus, each node with
// its own search index. Eight clients send a fixed mix of queries for ten
// seconds; with two nodes they alternate between them. The load averages
// before and after are reported: two replicas on one machine share its CPUs,
// so the ratio says what a second node costs and gains here, not what a
// second machine would.
//
//	go test ./cmd/watchline -run '^$' -bench ReplicaSearch -benchtime 1x
func BenchmarkReplicaSearch(b *testing.B) {
	docs := 5000
	if s := os.Getenv("WATCHLINE_BENCH_DOCS"); s != "" {
		fmt.Sscan(s, &docs)
	}
	pgURL := pgtest.URL(b)
	ctx := context.Background()
	st, err := postgres.Open(ctx, pgURL)
	if err != nil {
		b.Fatal(err)
	}
	var batch []model.Document
	flush := func() error {
		for i := range batch {
			if _, err := st.PutDocument(ctx, &batch[i], store.Raw{}); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	if err := synth.Generate(1, docs, func(d model.Document) error {
		batch = append(batch, d)
		if len(batch) == 100 {
			return flush()
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	if err := flush(); err != nil {
		b.Fatal(err)
	}
	st.Close()

	bin := buildBinary(b)
	dir := b.TempDir()
	var nodes []string
	for i := range 2 {
		p := startRun(b, bin, []string{"serve", "--store", pgURL, "--data", filepath.Join(dir, fmt.Sprint("node", i)),
			"--config", filepath.Join(dir, "none.yaml"), "--addr", "127.0.0.1:0"})
		defer func() {
			p.cmd.Process.Signal(syscall.SIGTERM)
			<-p.exited
		}()
		select {
		case u := <-p.url:
			nodes = append(nodes, strings.TrimSuffix(u, "/"))
		case <-p.exited:
			b.Fatalf("serve exited (%v):\n%s", p.err, p.stderr())
		case <-time.After(5 * time.Minute):
			b.Fatalf("serve did not start:\n%s", p.stderr())
		}
	}
	queries := []string{"minister", "court AND charged", `"foreign office"`, "embassy OR statement", "spy*", "police NOT court"}
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			before := loadAvg()
			qps := searchLoad(b, nodes[:n], queries, 8, 10*time.Second)
			b.ReportMetric(qps, "req/s")
			b.ReportMetric(0, "ns/op")
			b.Logf("load average before %s, after %s", before, loadAvg())
		})
	}
}

// searchLoad sends queries from clients goroutines, each alternating over
// nodes, for d, and returns the rate of successful answers.
func searchLoad(b *testing.B, nodes, queries []string, clients int, d time.Duration) float64 {
	var ok, failed atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for c := range clients {
		wg.Go(func() {
			for i := c; time.Now().Before(stop); i++ {
				u := nodes[i%len(nodes)] + "/api/search?q=" + url.QueryEscape(queries[i%len(queries)])
				resp, err := client.Get(u)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		b.Errorf("%d searches failed", f)
	}
	return float64(ok.Load()) / d.Seconds()
}

// loadAvg is the 1, 5 and 15 minute load averages, or "" where unknown.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
