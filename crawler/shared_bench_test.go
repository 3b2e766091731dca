package crawler

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler/crawlertest"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store/postgres"
	"github.com/watchline/watchline/store/postgres/pgtest"
)

// BenchmarkSharedCrawl measures crawl throughput with 1, 2 and 3 crawlers
// sharing one PostgreSQL store (as `watchline crawl` processes on separate
// machines would), each with one worker, over six loopback hosts that each
// serve a feed of ten articles and ask for a 100 ms politeness delay. One
// crawler is bound by the delays it must wait out host after host; more
// crawlers take other hosts meanwhile. The politeness delay is checked, not
// assumed: no two requests to one host may come closer than the delay.
//
//	go test ./crawler -run '^$' -bench SharedCrawl -benchtime 1x
func BenchmarkSharedCrawl(b *testing.B) {
	const hosts, articles = 6, 10
	const delay = 100 * time.Millisecond
	for _, crawlers := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("crawlers=%d", crawlers), func(b *testing.B) {
			var docs int
			var took time.Duration
			for range b.N {
				n, d := sharedCrawl(b, crawlers, hosts, articles, delay)
				docs += n
				took += d
			}
			b.ReportMetric(float64(docs)/took.Seconds(), "docs/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func sharedCrawl(b *testing.B, crawlers, hosts, articles int, delay time.Duration) (int, time.Duration) {
	ctx := context.Background()
	st, err := postgres.Open(ctx, pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	cfg := &config.Config{Path: "bench.yaml", Defaults: config.Defaults{Timeout: 10 * time.Second, Workers: 1}}
	var servers []*crawlertest.Server
	for h := range hosts {
		srv := crawlertest.NewServer()
		defer srv.Close()
		servers = append(servers, srv)
		var arts []crawlertest.Article
		for i := range articles {
			a := crawlertest.Article{Path: fmt.Sprintf("/bench/%d.html", i), Title: fmt.Sprintf("Bulletin %d from desk %d", i, h),
				Published: time.Date(2025, 5, 1+i, 9, 0, 0, 0, time.UTC).Format(time.RFC3339),
				Paragraphs: []string{
					fmt.Sprintf("Desk %d reports that the review board met on day %d to consider filing %d.", h, i, h*1000+i),
					fmt.Sprintf("The board asked for further papers and set a second hearing for week %d.", i+h),
					fmt.Sprintf("A clerk said the ledger for filing %d would be published once the review closed.", h*1000+i),
				}}
			arts = append(arts, a)
			srv.Set(a.Path, crawlertest.Page{Body: []byte(crawlertest.PageHTML(srv.URL(), a, ""))})
		}
		srv.Set("/bench/feed.xml", crawlertest.Page{ContentType: "application/rss+xml", Body: []byte(crawlertest.RSS(srv.URL(), arts...))})
		cfg.Sources = append(cfg.Sources, model.Source{ID: fmt.Sprintf("host%d", h), Title: "bench", Kind: model.KindFeed,
			URL: srv.URL() + "/bench/feed.xml", FetchArticles: true, AllowPrivate: true, UserAgent: "watchline-bench/1.0", Interval: time.Hour,
			MaxBody: 10 << 20})
	}
	cfg.ApplyDefaults()
	for i := range cfg.Sources {
		cfg.Sources[i].Delay = delay
	}
	var cs []*Crawler
	for i := range crawlers {
		c, err := New(ctx, st, cfg, Options{Owner: fmt.Sprint("bench-", i), SharedHosts: true,
			Retry: RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: 10 * time.Millisecond}})
		if err != nil {
			b.Fatal(err)
		}
		cs = append(cs, c)
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := 0
	for _, c := range cs {
		wg.Go(func() {
			sum, err := c.Once(ctx, nil)
			if err != nil {
				b.Error(err)
			}
			mu.Lock()
			stored += sum.Total().New
			mu.Unlock()
		})
	}
	wg.Wait()
	took := time.Since(start)
	b.StopTimer()
	if stored != hosts*articles {
		b.Fatalf("stored %d documents, want %d", stored, hosts*articles)
	}
	for _, srv := range servers {
		hits := srv.Hits("")
		sort.Slice(hits, func(i, j int) bool { return hits[i].Time.Before(hits[j].Time) })
		for i := 1; i < len(hits); i++ {
			if gap := hits[i].Time.Sub(hits[i-1].Time); gap < delay-time.Millisecond {
				b.Fatalf("two requests to one host %v apart, under its %v delay", gap, delay)
			}
		}
	}
	return stored, took
}
