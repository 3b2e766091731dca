package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// pageSite serves a feed of summaries whose article pages answer 500 until
// they are switched on. The feed answers 304 to a matching If-None-Match, as
// real feeds do, so a crawl sees its items only if it asks in full.
type pageSite struct {
	*httptest.Server
	mu    sync.Mutex
	up    bool
	pages int // article requests
}

func newPageSite(t *testing.T) *pageSite {
	s := &pageSite{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/feed.xml":
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Header().Set("ETag", `"v1"`)
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>%[1]s/</link>
<item><title>Ministry names the accused</title><link>%[1]s/article</link><guid>%[1]s/article</guid>
<pubDate>Wed, 08 Oct 2025 09:00:00 GMT</pubDate><description>Short summary of the charges.</description></item>
</channel></rss>`, s.URL)
		case "/article":
			s.mu.Lock()
			s.pages++
			up := s.up
			s.mu.Unlock()
			if !up {
				http.Error(w, "upstream error", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>Ministry names the accused</title></head><body><article>
<h1>Ministry names the accused</h1>
<p>The ministry on Wednesday named the two men charged under the National Security Act with assisting a foreign intelligence service.</p>
<p>Prosecutors said the men had passed information about government buildings to handlers abroad over a period of two years.</p>
<p>Both are due to appear before magistrates next week, and the ministry said further arrests had not been ruled out.</p>
</article></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *pageSite) set(up bool) {
	s.mu.Lock()
	s.up = up
	s.mu.Unlock()
}

func (s *pageSite) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pages
}

// TestPageMissingIsRetried: an item stored from its feed summary because
// its page failed (500) is not left so: the next crawls ask for the page
// again, although the feed has not changed, and store the article as a new
// version of the same document. Past PageRetryFor they stop asking.
func TestPageMissingIsRetried(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after time.Duration // between the failed crawl and the one that finds the page up
		want  bool          // the article is stored
	}{
		{"within the retry window", time.Hour, true},
		{"past the retry window", PageRetryFor + time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			site := newPageSite(t)
			cfg := &config.Config{Path: "test.yaml", Defaults: config.Defaults{Timeout: 5 * time.Second, Workers: 1},
				Sources: []model.Source{{ID: "desk", Kind: model.KindFeed, URL: site.URL + "/feed.xml", AllowPrivate: true,
					FetchArticles: true, UserAgent: "watchline-test/1.0", Interval: 30 * time.Minute}}}
			cfg.ApplyDefaults()
			cfg.Sources[0].Delay = 0
			clk := &stepClock{t: time.Date(2025, 10, 8, 10, 0, 0, 0, time.UTC)}
			c, err := New(ctx, st, cfg, Options{Now: clk.Now, Retry: RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: 10 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			src := cfg.Sources[0]
			res := c.CrawlSource(ctx, src)
			if res.Err != nil || res.New != 1 {
				t.Fatalf("first crawl: %v; want the item stored from the feed", res)
			}
			d, err := st.DocumentByURL(ctx, site.URL+"/article")
			if err != nil {
				t.Fatal(err)
			}
			if d.Text != "Short summary of the charges." || !d.PageMissingSince.Equal(clk.Now()) {
				t.Fatalf("first crawl stored %q, page missing since %v; want the summary, missing since now", d.Text, d.PageMissingSince)
			}

			// The page is still down an hour later: asked for again, and the
			// document keeps the first time it was missed.
			clk.Advance(time.Hour)
			before := site.requests()
			c.CrawlSource(ctx, src)
			if site.requests() == before {
				t.Fatalf("the second crawl did not ask for the missing page again")
			}
			if d, _ = st.DocumentByURL(ctx, site.URL+"/article"); !d.PageMissingSince.Equal(clk.Now().Add(-time.Hour)) {
				t.Errorf("page missing since %v after a second miss; want the first miss", d.PageMissingSince)
			}

			site.set(true)
			clk.Advance(tc.after - time.Hour)
			before = site.requests()
			res = c.CrawlSource(ctx, src)
			d, err = st.DocumentByURL(ctx, site.URL+"/article")
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want {
				if site.requests() != before || d.Versions != 1 {
					t.Errorf("past the window: %d page requests, %d versions; want none asked, 1 version (%v)", site.requests()-before, d.Versions, res)
				}
				return
			}
			if res.Updated != 1 || d.Versions != 2 || !strings.Contains(d.Text, "National Security Act") || !d.PageMissingSince.IsZero() {
				t.Errorf("the page came back: %v; document has %d versions, page missing since %v, text %.60q; want the article as version 2",
					res, d.Versions, d.PageMissingSince, d.Text)
			}
			if n := len(mustDocs(t, st)); n != 1 {
				t.Errorf("%d documents; the article must be a version of the same one", n)
			}
		})
	}
}

func mustDocs(t *testing.T, st *store.Store) []model.Document {
	t.Helper()
	var ds []model.Document
	if err := st.EachDocument(context.Background(), store.DocFilter{}, func(d model.Document) error {
		ds = append(ds, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ds
}
