package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/store/storetest"
)

// BenchmarkIngest measures PutDocument into the embedded SQLite store and
// into PostgreSQL (the server .ci/postgres.sh starts: asynchronous commit,
// like SQLite's WAL with synchronous=NORMAL), with one writer and with four
// (PostgreSQL takes concurrent writers; SQLite queues them). Each document has
// about 3 KB of text and a 12 KB raw page, like a crawled article.
//
//	go test ./store/postgres -run '^$' -bench Ingest -benchtime 2000x
func BenchmarkIngest(b *testing.B) {
	open := map[string]func(b *testing.B) store.Backend{
		"sqlite": func(b *testing.B) store.Backend {
			st, err := store.Open(context.Background(), b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			return st
		},
		"postgres": func(b *testing.B) store.Backend { return openTest(b) },
	}
	para := strings.Repeat("The review board met again to weigh the filings and the papers before it. ", 40)
	page := []byte("<html><body>" + strings.Repeat("<p>"+para+"</p>", 4) + "</body></html>")
	for _, name := range []string{"sqlite", "postgres"} {
		for _, writers := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/writers=%d", name, writers), func(b *testing.B) {
				st := open[name](b)
				var next atomic.Int64
				b.ResetTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for range writers {
					wg.Go(func() {
						for {
							i := next.Add(1)
							if i > int64(b.N) {
								return
							}
							d := storetest.Doc(fmt.Sprintf("https://bench.example/%d", i), fmt.Sprintf("%d %s", i, para))
							if _, err := st.PutDocument(context.Background(), d, store.Raw{ContentType: "text/html", Body: page}); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "docs/s")
			})
		}
	}
}
