package crawler

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
)

// TestCrawlersShareTheWork runs two crawlers over one store at the same time,
// as two `watchline crawl` processes sharing a PostgreSQL store do: each
// source is crawled by exactly one of them, every article is stored once, and
// requests to the one host they share never come closer than its delay.
func TestCrawlersShareTheWork(t *testing.T) {
	feeds := map[string]string{"rss": "/feeds/rss.xml", "wire": "/feeds/wire.xml", "atom": "/feeds/atom.xml",
		"json": "/feeds/feed.json", "rdf": "/feeds/rdf.xml", "gzip": "/feeds/gzip.xml"}
	var srcs []func(*env) model.Source
	for id, path := range feeds {
		srcs = append(srcs, func(e *env) model.Source { return e.source(id, model.KindFeed, path) })
	}
	e := newEnv(t, srcs...)
	const delay = 40 * time.Millisecond
	for i := range e.cfg.Sources {
		e.cfg.Sources[i].Delay = delay
	}
	crawlers := []*Crawler{e.crawler(Options{Owner: "a", SharedHosts: true}), e.crawler(Options{Owner: "b", SharedHosts: true})}
	sums := make([]Summary, len(crawlers))
	var wg sync.WaitGroup
	for i, c := range crawlers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if sums[i], err = c.Once(context.Background(), nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	crawledBy := map[string][]int{}
	for i, s := range sums {
		for _, r := range s.Sources {
			crawledBy[r.Source] = append(crawledBy[r.Source], i)
		}
	}
	for id := range feeds {
		if len(crawledBy[id]) != 1 {
			t.Errorf("source %s crawled by crawlers %v, want exactly one", id, crawledBy[id])
		}
	}
	docs := e.docs()
	urls := map[string]bool{}
	for _, d := range docs {
		if urls[d.CanonicalURL] {
			t.Errorf("%s stored twice", d.CanonicalURL)
		}
		urls[d.CanonicalURL] = true
	}
	if len(docs) < 4 {
		t.Errorf("%d documents stored; the fixture feeds list more", len(docs))
	}

	hits := e.srv.Hits("")
	sort.Slice(hits, func(i, j int) bool { return hits[i].Time.Before(hits[j].Time) })
	for i := 1; i < len(hits); i++ {
		// The store keeps turns in milliseconds: allow one of rounding.
		if gap := hits[i].Time.Sub(hits[i-1].Time); gap < delay-time.Millisecond {
			t.Errorf("requests %s and %s came %v apart, under the host's delay of %v", hits[i-1].Path, hits[i].Path, gap, delay)
		}
	}
	robots := len(e.srv.Hits("/robots.txt"))
	if robots > len(crawlers) {
		t.Errorf("robots.txt fetched %d times by %d crawlers", robots, len(crawlers))
	}

	// A second pass finds nothing due: the first pass's health was saved
	// before its leases were released.
	for _, c := range crawlers {
		sum, err := c.Once(context.Background(), nil)
		if err != nil || len(sum.Sources) != 0 {
			t.Errorf("second pass crawled %d sources, %v; want none due", len(sum.Sources), err)
		}
	}
	// A crawler started later reads robots.txt from the store.
	late := e.crawler(Options{Owner: "c", SharedHosts: true})
	if _, err := late.Once(context.Background(), []string{"rss"}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.srv.Hits("/robots.txt")); n != robots {
		t.Errorf("a later crawler fetched robots.txt again (%d fetches, was %d)", n, robots)
	}
}
