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
)

// checkSite is a small site in every shape a configured source can take:
// good and stale feeds, a listing page with article cards and a menu, a page
// where a feed was expected, a redirect, a 404, a bot-refusing 403 and a
// path robots.txt forbids. Every text is ours.
func checkSite(t *testing.T) (*httptest.Server, func() []*http.Request) {
	t.Helper()
	var mu sync.Mutex
	var seen []*http.Request
	rss := func(dates ...string) string {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Newsroom</title><link>/</link>`)
		for i, d := range dates {
			fmt.Fprintf(&b, `<item><title>Release %d</title><link>/releases/2025/release-number-%d-issued</link><pubDate>%s</pubDate></item>`, i, i, d)
		}
		b.WriteString(`</channel></rss>`)
		return b.String()
	}
	menu := `<nav><a class="nav-link" href="/about-us">About us</a> <a class="nav-link" href="/contact">Contact</a>
<a class="nav-link" href="/news">News</a> <a class="nav-link" href="/privacy">Privacy</a> <a class="nav-link" href="/cookies">Cookies</a>
<a class="nav-link" href="/accessibility">Accessibility</a> <a class="nav-link" href="/search">Search</a></nav>`
	cards := `<main><ul>
<li class="card"><a class="card__link" href="/news-centre/media-release/man-charged-with-foreign-interference">Man charged</a></li>
<li class="card"><a class="card__link" href="/news-centre/media-release/officers-arrest-two-over-espionage-plot">Two arrested</a></li>
<li class="card"><a class="card__link" href="/news-centre/media-release/court-sentences-former-official">Sentenced</a></li>
<li class="card"><a class="card__link" href="/news-centre/media-release/warning-issued-on-online-recruiters">Warning</a></li>
</ul></main>`
	pages := map[string]func(w http.ResponseWriter, r *http.Request){
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
		},
		"/feed.xml": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, rss("Mon, 24 Nov 2025 09:00:00 GMT", "Fri, 21 Nov 2025 16:30:00 GMT", "Tue, 18 Nov 2025 12:00:00 GMT"))
		},
		"/stale.xml": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, rss("Wed, 01 Jul 2020 09:00:00 GMT"))
		},
		"/old-feed": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/feed.xml", http.StatusMovedPermanently)
		},
		"/bots-refused.xml": func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.UserAgent(), "watchline") {
				http.Error(w, "Access denied", http.StatusForbidden)
				return
			}
			fmt.Fprint(w, rss("Mon, 24 Nov 2025 09:00:00 GMT"))
		},
		"/newsroom": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<html><head><title>Newsroom</title><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>`+menu+cards+`</body></html>`)
		},
		"/news-centre": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<html><head><title>News centre</title></head><body>`+menu+cards+`</body></html>`)
		},
		"/sitemap-index.xml": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/sitemap-news.xml</loc></sitemap></sitemapindex>`)
		},
		"/sitemap-news.xml": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>/news/2025/11/ministry-statement-on-sanctions</loc><news:news><news:publication_date>2025-11-20T10:00:00Z</news:publication_date><news:title>Statement</news:title></news:news></url>
<url><loc>/news/2025/11/court-hears-espionage-case</loc><news:news><news:publication_date>2025-11-22T14:00:00Z</news:publication_date><news:title>Hearing</news:title></news:news></url>
</urlset>`)
		},
		"/private/news": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<html><body>`+cards+`</body></html>`)
		},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Clone(context.Background()))
		mu.Unlock()
		if h, ok := pages[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []*http.Request { mu.Lock(); defer mu.Unlock(); return append([]*http.Request(nil), seen...) }
}

func TestCheck(t *testing.T) {
	srv, requests := checkSite(t)
	src := func(id string, kind model.SourceKind, path, links string) model.Source {
		return model.Source{ID: id, Kind: kind, URL: srv.URL + path, Links: links, AllowPrivate: true}
	}
	cfg := &config.Config{Defaults: config.Defaults{Timeout: 5 * time.Second, Workers: 2, Contact: "desk@example.org"}, Sources: []model.Source{
		src("good-feed", model.KindFeed, "/feed.xml", ""),
		src("stale-feed", model.KindFeed, "/stale.xml", ""),
		src("moved-feed", model.KindFeed, "/old-feed", ""),
		src("gone", model.KindFeed, "/no-such-feed.xml", ""),
		src("refuses-bots", model.KindFeed, "/bots-refused.xml", ""),
		src("html-not-feed", model.KindFeed, "/newsroom", ""),
		src("html-no-feed-link", model.KindFeed, "/news-centre", ""),
		src("selector-misses", model.KindPage, "/news-centre", "a.story"),
		src("selector-menu", model.KindPage, "/news-centre", "a"),
		src("selector-good", model.KindPage, "/news-centre", "a.card__link"),
		src("robots-forbids", model.KindPage, "/private/news", "a"),
		src("sitemap-index", model.KindSitemap, "/sitemap-index.xml", ""),
		{ID: "guarded", Kind: model.KindFeed, URL: srv.URL + "/feed.xml"}, // no allow_private
	}}
	cfg.ApplyDefaults()
	for i := range cfg.Sources {
		cfg.Sources[i].Delay = 0
	}
	now := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	results := Check(context.Background(), cfg, cfg.Sources, CheckOptions{Now: func() time.Time { return now }})
	if len(results) != len(cfg.Sources) {
		t.Fatalf("%d results for %d sources", len(results), len(cfg.Sources))
	}
	tests := []struct {
		verdict string
		status  int
		items   int
		advice  []string // every one must appear in the advice
	}{
		{VerdictOK, 200, 3, []string{"3 items, newest 2025-11-24"}},
		{VerdictWarning, 200, 1, []string{"newest 2020-07-01", "nothing new for"}},
		{VerdictWarning, 200, 3, []string{"redirects to " + srv.URL + "/feed.xml", "put that in feeds.yaml"}},
		{VerdictFailing, 404, 0, []string{"HTTP 404", "current news page or feed"}},
		{VerdictFailing, 403, 0, []string{"HTTP 403", "refuse unknown bots", "defaults.contact"}},
		{VerdictFailing, 200, 0, []string{"expected a feed but got an HTML page", "use url: " + srv.URL + "/feed.xml"}},
		{VerdictFailing, 200, 0, []string{"kind: page", `links: "a.card__link"`}},
		{VerdictFailing, 200, 0, []string{`selector "a.story" matched 0 links`, "article links look like `a.card__link` (4 links"}},
		{VerdictWarning, 200, 11, []string{"7 of them navigation", "narrow it", "`a.card__link`"}},
		{VerdictOK, 200, 4, []string{"4 article links, e.g. " + srv.URL + "/news-centre/media-release/"}},
		{VerdictFailing, 0, 0, []string{"robots.txt forbids"}},
		{VerdictOK, 200, 2, []string{"2 items, newest 2025-11-22"}},
		{VerdictFailing, 0, 0, []string{"private or loopback address"}},
	}
	for i, tt := range tests {
		r := results[i]
		t.Run(r.Source, func(t *testing.T) {
			if r.Source != cfg.Sources[i].ID {
				t.Fatalf("result %d is %s, want %s (results in config order)", i, r.Source, cfg.Sources[i].ID)
			}
			if r.Verdict != tt.verdict || r.Status != tt.status || r.Items != tt.items {
				t.Errorf("verdict %s, status %d, %d items; want %s, %d, %d\nadvice: %s\nerror: %s",
					r.Verdict, r.Status, r.Items, tt.verdict, tt.status, tt.items, r.Advice, r.Error)
			}
			for _, want := range tt.advice {
				if !strings.Contains(r.Advice, want) {
					t.Errorf("advice %q lacks %q", r.Advice, want)
				}
			}
		})
	}
	if r := results[0]; !r.Newest.Equal(time.Date(2025, 11, 24, 9, 0, 0, 0, time.UTC)) || len(r.Examples) != 3 || !strings.HasPrefix(r.ContentType, "application/rss+xml") {
		t.Errorf("good feed: newest %v, examples %v, content type %q", r.Newest, r.Examples, r.ContentType)
	}
	if r := results[2]; r.FinalURL != srv.URL+"/feed.xml" {
		t.Errorf("moved feed: final URL %q", r.FinalURL)
	}
	// Every request said who we are; robots.txt was asked once for the host.
	robots := 0
	for _, r := range requests() {
		if ua := r.UserAgent(); !strings.HasPrefix(ua, "watchline/") || !strings.Contains(ua, "desk@example.org") || r.Header.Get("From") != "desk@example.org" {
			t.Errorf("%s asked with User-Agent %q, From %q; want watchline's agent with the contact", r.URL.Path, ua, r.Header.Get("From"))
		}
		if r.URL.Path == "/robots.txt" {
			robots++
		}
		if r.URL.Path == "/private/news" {
			t.Errorf("the path robots.txt forbids was fetched")
		}
	}
	if robots != 1 {
		t.Errorf("robots.txt asked %d times, want once", robots)
	}
}

// FuzzSuggestSelector feeds arbitrary HTML to the listing analysis of
// `sources check`: it must never panic, and a selector it suggests must be
// one a crawl can use, picking at least the article links it counted.
func FuzzSuggestSelector(f *testing.F) {
	const page = "https://news.example.org/news-centre"
	f.Add([]byte(`<ul><li class="card"><a class="card__link" href="/news-centre/media-release/man-charged-over-plot">a</a></li>
<li class="card"><a class="card__link" href="/news-centre/media-release/two-arrested-in-raid">b</a></li>
<li class="card"><a class="card__link" href="/news-centre/media-release/court-sentences-official">c</a></li></ul><a href="/about-us">About</a>`))
	f.Add([]byte(`<div class="x:y"><a class="1bad [x]" href="/a/b/c-d-e">1</a><a class="1bad [x]" href="/a/b/f-g-h">2</a><a class="1bad [x]" href="/a/b/i-j-k">3</a></div>`))
	f.Add([]byte(`<link rel="alternate" type="application/atom+xml" href="javascript:x"><a href="//other.example/2025/11/x-y-z">x</a>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		resp := &response{URL: page, ContentType: "text/html", Body: body}
		if l := feedLink(resp); l != "" && !strings.HasPrefix(l, "http") {
			t.Fatalf("feed link %q is not absolute http(s)", l)
		}
		sel, n, ex := suggestSelector(body, "text/html", page)
		if sel == "" {
			return
		}
		items, err := parseListing(body, "text/html", page, sel)
		if err != nil || len(items) < n || n < 3 || ex == "" {
			t.Fatalf("suggested %q (%d links, e.g. %q) but a crawl with it lists %d (err %v)", sel, n, ex, len(items), err)
		}
	})
}
