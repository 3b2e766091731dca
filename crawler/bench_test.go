package crawler

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler/crawlertest"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// BenchmarkCrawlLoopback measures the whole per-page path — fetch over
// loopback, extract, hash, near-duplicate check, store — with delays off. It
// reports pages/s.
func BenchmarkCrawlLoopback(b *testing.B) {
	const pages = 40
	srv := crawlertest.NewServer()
	defer srv.Close()
	var vocab []string
	for _, a := range crawlertest.Articles() {
		vocab = append(vocab, words(a.Text())...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var arts []crawlertest.Article
	for i := range pages {
		a := crawlertest.Article{Path: fmt.Sprintf("/bench/%d.html", i), Title: fmt.Sprintf("Benchmark story %d", i),
			Published: time.Date(2025, 1, 1+i%28, 9, i, 0, 0, time.UTC).Format(time.RFC3339)}
		for range 5 {
			var p []string
			for range 60 {
				p = append(p, vocab[rng.IntN(len(vocab))])
			}
			a.Paragraphs = append(a.Paragraphs, strings.Join(p, " ")+".")
		}
		srv.Set(a.Path, crawlertest.Page{Body: []byte(crawlertest.PageHTML(srv.URL(), a, ""))})
		arts = append(arts, a)
	}
	srv.Set("/bench/feed.xml", crawlertest.Page{ContentType: "application/rss+xml", Body: []byte(crawlertest.RSS(srv.URL(), arts...))})
	cfg := &config.Config{Defaults: config.Defaults{Timeout: 10 * time.Second, Workers: 1}, Sources: []model.Source{{
		ID: "bench", Kind: model.KindFeed, URL: srv.URL() + "/bench/feed.xml", FetchArticles: true, AllowPrivate: true,
		UserAgent: "watchline-bench/1.0", MaxBody: 10 << 20,
	}}}
	ctx := context.Background()
	var total int
	var elapsed time.Duration
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		st, err := store.Open(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		c, err := New(ctx, st, cfg, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res := c.CrawlSource(ctx, cfg.Sources[0])
		elapsed += time.Since(start)
		b.StopTimer()
		if res.New != pages {
			b.Fatalf("crawl = %v, want %d new", res, pages)
		}
		total += res.New
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "pages/s")
}

// BenchmarkParseFeed reads a 500-item RSS feed (full-text descriptions) with
// parseFeed and, as the peer measured in the same run, with gofeed's
// universal parser alone: the difference is what parseFeed adds around
// gofeed (decoding, the token pass of feedprep.go, dates, text).
func BenchmarkParseFeed(b *testing.B) {
	var buf strings.Builder
	crawlertest.WriteManyItems(&buf, "http://feeds.example.org", maxItems)
	body := []byte(buf.String())
	b.Run("parseFeed", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			items, err := parseFeed(body, "http://feeds.example.org/feed.xml", nil)
			if err != nil || len(items) != maxItems {
				b.Fatalf("%d items, %v", len(items), err)
			}
		}
	})
	b.Run("gofeed", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
			if err != nil || len(f.Items) != maxItems {
				b.Fatalf("%v", err)
			}
		}
	})
}
