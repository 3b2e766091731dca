package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// TestCrawlKeepsThePagesOffset: a page stamped 00:30 in London on 8 October
// (23:30 UTC on the 7th) is stored and read back on its own day.
func TestCrawlKeepsThePagesOffset(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/news":
			fmt.Fprint(w, `<html><body><a class="story" href="/story">Story</a></body></html>`)
		case "/story":
			fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>Late-night arrest</title>
<meta property="article:published_time" content="2025-10-08T00:30:00+01:00"></head><body><article><h1>Late-night arrest</h1>
<p>Counter-terrorism officers arrested a man shortly after midnight at an address in the north of the city, police said.</p>
<p>He was held on suspicion of an offence under the National Security Act and remains in custody for questioning.</p>
</article></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cfg := &config.Config{Path: "test.yaml", Defaults: config.Defaults{Timeout: 5 * time.Second, Workers: 1},
		Sources: []model.Source{{ID: "desk", Kind: model.KindPage, URL: srv.URL + "/news", Links: "a.story", AllowPrivate: true,
			UserAgent: "watchline-test/1.0", Interval: 30 * time.Minute}}}
	cfg.ApplyDefaults()
	cfg.Sources[0].Delay = 0
	c, err := New(ctx, st, cfg, Options{Now: func() time.Time { return time.Date(2025, 10, 9, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	if res := c.CrawlSource(ctx, cfg.Sources[0]); res.New != 1 {
		t.Fatalf("crawl: %v", res)
	}
	d, err := st.DocumentByURL(ctx, srv.URL+"/story")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Published.Format(time.RFC3339); got != "2025-10-08T00:30:00+01:00" {
		t.Errorf("stored publication time %s, want 2025-10-08T00:30:00+01:00 (the page's own day)", got)
	}
}
