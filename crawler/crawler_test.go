package crawler

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler/crawlertest"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// env is one test's store, fixture server and crawler.
type env struct {
	t   *testing.T
	st  *store.Store
	srv *crawlertest.Server
	cfg *config.Config
	c   *Crawler
}

// source returns a test source at path on the fixture server: no delay,
// allowed to reach loopback.
func (e *env) source(id string, kind model.SourceKind, path string) model.Source {
	return model.Source{ID: id, Title: id, Kind: kind, URL: e.srv.URL() + path, AllowPrivate: true,
		UserAgent: "watchline-test/1.0 (+https://example.org/contact)", Interval: 30 * time.Minute,
		Delay: 0, MaxBody: 10 << 20, Tags: []string{"test"}}
}

func newEnv(t *testing.T, srcs ...func(*env) model.Source) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := crawlertest.NewServer()
	t.Cleanup(srv.Close)
	e := &env{t: t, st: st, srv: srv}
	e.cfg = &config.Config{Path: "test.yaml", Defaults: config.Defaults{Timeout: 5 * time.Second, Workers: 2}}
	for _, f := range srcs {
		e.cfg.Sources = append(e.cfg.Sources, f(e))
	}
	e.cfg.ApplyDefaults()
	for i := range e.cfg.Sources { // ApplyDefaults turns a zero delay into 1s
		e.cfg.Sources[i].Delay = 0
	}
	e.c = e.crawler(Options{})
	return e
}

func (e *env) crawler(opts Options) *Crawler {
	e.t.Helper()
	if opts.Retry == (RetryPolicy{}) {
		opts.Retry = RetryPolicy{Attempts: 3, Base: time.Millisecond, Max: 10 * time.Millisecond}
	}
	c, err := New(context.Background(), e.st, e.cfg, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// crawl crawls source id once and returns its result.
func (e *env) crawl(id string) SourceResult {
	e.t.Helper()
	src, ok := e.cfg.Source(id)
	if !ok {
		e.t.Fatalf("no source %s", id)
	}
	return e.c.CrawlSource(context.Background(), src)
}

func (e *env) docs() []model.Document {
	e.t.Helper()
	var ds []model.Document
	err := e.st.EachDocument(context.Background(), store.DocFilter{}, func(d model.Document) error {
		ds = append(ds, d)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return ds
}

func (e *env) doc(path string) model.Document {
	e.t.Helper()
	d, err := e.st.DocumentByURL(context.Background(), e.srv.URL()+path)
	if err != nil {
		e.t.Fatalf("document %s: %v", path, err)
	}
	return d
}

func (e *env) health(id string) model.SourceHealth {
	e.t.Helper()
	h, err := e.st.SourceHealth(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

func feedSource(id, path string, fetch bool) func(*env) model.Source {
	return func(e *env) model.Source {
		s := e.source(id, model.KindFeed, path)
		s.FetchArticles = fetch
		return s
	}
}

func pageSource(id, path, links string, official bool) func(*env) model.Source {
	return func(e *env) model.Source {
		s := e.source(id, model.KindPage, path)
		s.Links, s.Official = links, official
		return s
	}
}

func TestFeedWithArticlePages(t *testing.T) {
	e := newEnv(t, feedSource("rss", "/feeds/rss.xml", true))
	res := e.crawl("rss")
	if res.Err != nil || res.Listed != 3 || res.New != 3 || res.Failed != 0 {
		t.Fatalf("first crawl = %+v, want 3 listed, 3 new", res)
	}
	for _, a := range []crawlertest.Article{crawlertest.ArrestArticle, crawlertest.ChargeArticle, crawlertest.PlainArticle} {
		t.Run(a.Path, func(t *testing.T) {
			d := e.doc(a.Path)
			if want := e.srv.URL() + a.Path; d.CanonicalURL != want {
				t.Errorf("canonical = %q, want %q (tracking parameter stripped)", d.CanonicalURL, want)
			}
			if d.Title != a.Title {
				t.Errorf("title = %q, want %q", d.Title, a.Title)
			}
			for _, p := range a.Paragraphs {
				if !strings.Contains(d.Text, p) {
					t.Errorf("text lacks paragraph %.40q…; text = %q", p, d.Text)
				}
			}
			if strings.Contains(d.Text, "All rights reserved") {
				t.Errorf("text contains the footer: %q", d.Text)
			}
			want, _ := time.Parse(time.RFC3339, a.Published)
			if !d.Published.Equal(want) || d.PublishedSource == "fetched" || d.PublishedSource == "" {
				t.Errorf("published = %v (%s), want %v from the page", d.Published, d.PublishedSource, want)
			}
			if d.SourceID != "rss" || len(d.Tags) != 1 || d.Tags[0] != "test" || d.Official {
				t.Errorf("source/tags/official = %s/%v/%v, want rss/[test]/false", d.SourceID, d.Tags, d.Official)
			}
			if d.ContentHash != ContentHash(d.Text) || d.SimHash == 0 {
				t.Errorf("hash/simhash not set: %q/%x", d.ContentHash, d.SimHash)
			}
			if raw, err := e.st.RawPage(context.Background(), d.ID, 0); err != nil || !strings.Contains(string(raw.Body), "<article>") {
				t.Errorf("raw page = %.60q, %v; want the fetched HTML", raw.Body, err)
			}
		})
	}
	h := e.health("rss")
	if h.LastSuccess.IsZero() || h.LastError != "" || h.ItemsSeen != 3 || h.ItemsNew != 3 || h.TotalDocuments != 3 || h.NextDue.IsZero() {
		t.Errorf("health = %+v", h)
	}

	// Second crawl: the feed answers 304 to the conditional GET, nothing is
	// fetched again.
	res = e.crawl("rss")
	if res.Err != nil || res.New != 0 || res.Fetched != 0 {
		t.Errorf("second crawl = %+v, want nothing new or fetched", res)
	}
	hits := e.srv.Hits("/feeds/rss.xml")
	if len(hits) != 2 || hits[1].Header.Get("If-None-Match") == "" {
		t.Fatalf("feed requests = %d, second If-None-Match = %q; want a conditional second request", len(hits), hits[len(hits)-1].Header.Get("If-None-Match"))
	}
	if n := len(e.docs()); n != 3 {
		t.Errorf("documents = %d, want 3", n)
	}
	if ua := hits[0].Header.Get("User-Agent"); !strings.HasPrefix(ua, "watchline-test/1.0") {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestFeedFormats(t *testing.T) {
	tests := []struct {
		name, path string
		fetch      bool
		wantNew    int
		wantSource string // published_source of the documents
	}{
		{"atom full text from the feed", "/feeds/atom.xml", false, 2, "feed"},
		{"json feed, pages fetched", "/feeds/feed.json", true, 1, ""},
		{"rss 1.0, pages fetched", "/feeds/rdf.xml", true, 1, ""},
		{"gzip rss", "/feeds/gzip.xml", true, 1, ""},
		{"atom, article pages missing: feed text used", "/feeds/atom.xml", true, 2, "feed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, feedSource("f", tt.path, tt.fetch))
			res := e.crawl("f")
			if res.Err != nil || res.New != tt.wantNew {
				t.Fatalf("crawl = %+v, want %d new", res, tt.wantNew)
			}
			for _, d := range e.docs() {
				if tt.wantSource != "" && d.PublishedSource != tt.wantSource {
					t.Errorf("%s: published_source = %q, want %q", d.URL, d.PublishedSource, tt.wantSource)
				}
				if d.PublishedSource == "fetched" || len(d.Text) < 100 {
					t.Errorf("%s: published_source %q, text %q", d.URL, d.PublishedSource, d.Text)
				}
			}
		})
	}
	t.Run("atom entry text and authors", func(t *testing.T) {
		e := newEnv(t, feedSource("f", "/feeds/atom.xml", false))
		e.crawl("f")
		a := crawlertest.AtomEntries[1]
		d := e.doc(a.Path)
		want, _ := time.Parse(time.RFC3339, a.Published)
		if d.Text != a.Text() || d.Title != a.Title || !d.Published.Equal(want) || len(d.Authors) != 1 || d.Authors[0] != "Press Office" {
			t.Errorf("got %q %q %v %v\nwant %q %q %v [Press Office]", d.Title, d.Text, d.Published, d.Authors, a.Title, a.Text(), want)
		}
	})
}

func TestSourceErrors(t *testing.T) {
	tests := []struct {
		name    string
		src     func(*env) model.Source
		want    string
		wantErr error
	}{
		{"malformed xml", feedSource("s", "/feeds/broken.xml", false), "feed parse:", ErrFeedParse},
		{"html at a feed url", feedSource("s", "/feeds/notfeed", false), "not a feed: got text/html", ErrNotFeed},
		{"missing feed", feedSource("s", "/feeds/missing.xml", false), "HTTP 404 Not Found", nil},
		{"listing is a redirect loop", pageSource("s", "/loop/a", "a", false), "redirect loop", ErrRedirectLoop},
		{"huge listing", func(e *env) model.Source {
			s := e.source("s", model.KindPage, "/huge/3000000")
			s.MaxBody = 1 << 20
			return s
		}, "body exceeds 1 MiB limit", ErrBodyTooLarge},
		{"loopback without allow_private", func(e *env) model.Source {
			s := e.source("s", model.KindFeed, "/feeds/rss.xml")
			s.AllowPrivate = false
			return s
		}, "refusing to connect to a non-public address", ErrPrivateAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.src)
			res := e.crawl("s")
			if res.Err == nil || !strings.Contains(res.Err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", res.Err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(res.Err, tt.wantErr) {
				t.Errorf("error %v is not %v", res.Err, tt.wantErr)
			}
			h := e.health("s")
			if !strings.Contains(h.LastError, tt.want) || h.ConsecutiveFailures != 1 || !h.LastSuccess.IsZero() {
				t.Errorf("health = %+v", h)
			}
			e.crawl("s")
			if h := e.health("s"); h.ConsecutiveFailures != 2 {
				t.Errorf("failures after two crawls = %d, want 2", h.ConsecutiveFailures)
			}
		})
	}
	t.Run("private address never dialled", func(t *testing.T) {
		e := newEnv(t, tests[len(tests)-1].src)
		e.crawl("s")
		if hits := e.srv.Hits(""); len(hits) != 0 {
			t.Errorf("server saw %d requests, want 0", len(hits))
		}
	})
}

func TestRobots(t *testing.T) {
	tests := []struct {
		name           string
		status         int
		body           string
		wantErr        string // source-level error
		wantNew, wantS int    // new documents, skipped items
		secretFetched  bool   // /private/secret.html may be fetched
	}{
		{"default disallows /private/", 200, "User-agent: *\nDisallow: /private/\n", "", 2, 1, false},
		{"everything disallowed", 200, "User-agent: *\nDisallow: /\n", "robots.txt disallows /listing.html", 0, 0, false},
		{"our agent singled out", 200, "User-agent: *\nDisallow: /private/\n\nUser-agent: watchline-test\nDisallow: /articles/charge\n", "", 2, 1, true},
		{"other agent singled out", 200, "User-agent: otherbot\nDisallow: /\n", "", 3, 0, true},
		{"allow beats shorter disallow", 200, "User-agent: *\nDisallow: /articles/\nDisallow: /private/\nAllow: /articles/arrest.html$\n", "", 1, 2, false},
		{"robots.txt missing", 404, "gone", "", 3, 0, true},
		{"robots.txt server error", 503, "down", "robots.txt unavailable", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, pageSource("p", "/listing.html", "a.story", false))
			e.srv.SetRobots(tt.status, tt.body)
			res := e.crawl("p")
			switch {
			case tt.wantErr == "" && res.Err != nil:
				t.Fatalf("crawl error %v", res.Err)
			case tt.wantErr != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), tt.wantErr)):
				t.Fatalf("crawl error = %v, want %q", res.Err, tt.wantErr)
			}
			if res.New != tt.wantNew || res.Skipped != tt.wantS {
				t.Errorf("new, skipped = %d, %d; want %d, %d (%+v)", res.New, res.Skipped, tt.wantNew, tt.wantS, res)
			}
			if hits := e.srv.Hits("/private/secret.html"); len(hits) != 0 && !tt.secretFetched {
				t.Errorf("fetched a disallowed page %d times", len(hits))
			}
			if n := len(e.srv.Hits("/robots.txt")); n == 0 || (n > 1 && tt.status != 503) {
				t.Errorf("robots.txt fetched %d times, want once (cached)", n)
			}
		})
	}
}

func TestRobotsRules(t *testing.T) {
	body := `# comment
User-agent: *
Disallow: /search
Disallow: /*.pdf$
Allow: /search/about

User-agent: watchline
User-agent: friendly
Disallow: /drafts/
Allow: /drafts/public*
`
	tests := []struct {
		agent, path string
		want        bool
	}{
		{"someone", "/search?q=x", false},
		{"someone", "/search/about", true},
		{"someone", "/files/a.pdf", false},
		{"someone", "/files/a.pdf?x=1", true},
		{"someone", "/drafts/x", true},
		{"watchline", "/search?q=x", true},
		{"watchline", "/drafts/x", false},
		{"watchline", "/drafts/public/x", true},
		{"friendly", "/drafts/", false},
		{"watchline", "/robots.txt", true},
	}
	for _, tt := range tests {
		if got := parseRobots([]byte(body), tt.agent).allowed(tt.path); got != tt.want {
			t.Errorf("agent %s path %s: allowed = %v, want %v", tt.agent, tt.path, got, tt.want)
		}
	}
}

func TestPerHostDelay(t *testing.T) {
	const delay = 40 * time.Millisecond
	e := newEnv(t, feedSource("rss", "/feeds/rss.xml", true), feedSource("wire", "/feeds/wire.xml", true))
	for i := range e.cfg.Sources {
		e.cfg.Sources[i].Delay = delay
	}
	// Two sources on one host, crawled by two workers at once: the gate must
	// still serialise them.
	e.cfg.Defaults.Workers = 2
	var wg sync.WaitGroup
	for _, id := range []string{"rss", "wire"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src, _ := e.cfg.Source(id)
			e.c.CrawlSource(context.Background(), src)
		}()
	}
	wg.Wait()
	hits := e.srv.Hits("")
	if len(hits) < 7 {
		t.Fatalf("only %d requests", len(hits))
	}
	for i := 1; i < len(hits); i++ {
		if gap := hits[i].Time.Sub(hits[i-1].Time); gap < delay {
			t.Errorf("request %d (%s) came %v after %s, want ≥ %v", i, hits[i].Path, gap, hits[i-1].Path, delay)
		}
	}
}

func TestConditionalGETAndEdits(t *testing.T) {
	e := newEnv(t, pageSource("gov", "/official/", "ul.statements a", true))
	res := e.crawl("gov")
	if res.Err != nil || res.New != 1 {
		t.Fatalf("first crawl = %+v", res)
	}
	first := e.doc(crawlertest.Statement.Path)

	// Unchanged: the listing and the official page are asked for again,
	// conditionally; the listing's 304 still re-checks the page it listed
	// (for silent edits), and the page's 304 stores nothing.
	res = e.crawl("gov")
	if lh := e.srv.Hits("/official/"); len(lh) != 2 || lh[1].Header.Get("If-None-Match") == "" {
		t.Fatalf("listing requests = %d; want a second, conditional one", len(lh))
	}
	hits := e.srv.Hits(crawlertest.Statement.Path)
	if len(hits) != 2 || hits[1].Header.Get("If-None-Match") == "" {
		t.Fatalf("statement requests = %d, If-None-Match %q; want a second, conditional one", len(hits), hits[len(hits)-1].Header.Get("If-None-Match"))
	}
	if res.Unchanged != 1 || res.Fetched != 0 || res.Updated != 0 {
		t.Errorf("second crawl = %+v, want 1 unchanged", res)
	}
	if d := e.doc(crawlertest.Statement.Path); d.Seq != first.Seq || d.Versions != 1 {
		t.Errorf("after 304: seq %d→%d, versions %d; want unchanged", first.Seq, d.Seq, d.Versions)
	}

	// Silently edited: a new version with a new seq, same id.
	edited := crawlertest.Statement
	edited.Paragraphs = crawlertest.StatementEdit
	e.srv.Set(edited.Path, crawlertest.Page{Body: []byte(crawlertest.PageHTML(e.srv.URL(), edited, "")), Conditional: true})
	res = e.crawl("gov")
	if res.Updated != 1 || res.New != 0 {
		t.Fatalf("third crawl = %+v, want 1 updated", res)
	}
	d := e.doc(crawlertest.Statement.Path)
	if d.ID != first.ID || d.Seq <= first.Seq || d.Versions != 2 || !strings.Contains(d.Text, "from a government department") {
		t.Errorf("edited doc id %d seq %d versions %d text %q", d.ID, d.Seq, d.Versions, d.Text)
	}
	if !d.Published.Equal(first.Published) {
		t.Errorf("published changed %v → %v", first.Published, d.Published)
	}
	vs, err := e.st.Versions(context.Background(), d.ID)
	if err != nil || len(vs) != 2 || vs[0].ContentHash == vs[1].ContentHash {
		t.Errorf("versions = %d, %v", len(vs), err)
	}
}

func TestNearDuplicates(t *testing.T) {
	for _, order := range []string{"original first", "copy first"} {
		t.Run(order, func(t *testing.T) {
			e := newEnv(t, feedSource("wire", "/feeds/wire.xml", true))
			if order == "copy first" {
				e.srv.Set("/feeds/wire.xml", crawlertest.Page{ContentType: "application/rss+xml",
					Body: []byte(crawlertest.RSS(e.srv.URL(), crawlertest.WireCopy, crawlertest.WireOriginal))})
			}
			res := e.crawl("wire")
			if res.New != 2 || res.NearDuplicates != 1 {
				t.Fatalf("crawl = %+v, want 2 new, 1 near-duplicate", res)
			}
			orig, cp := e.doc(crawlertest.WireOriginal.Path), e.doc(crawlertest.WireCopy.Path)
			if orig.DuplicateOf != 0 || cp.DuplicateOf != orig.ID {
				t.Errorf("original.duplicate_of = %d, copy.duplicate_of = %d; want 0 and %d", orig.DuplicateOf, cp.DuplicateOf, orig.ID)
			}
			if cp.Similarity < NearDuplicateSimilarity || cp.Similarity >= 1 {
				t.Errorf("similarity = %v", cp.Similarity)
			}
			t.Logf("simhash distance %d, similarity %.3f", Distance(orig.SimHash, cp.SimHash), cp.Similarity)
		})
	}
	t.Run("unrelated stories are not linked", func(t *testing.T) {
		e := newEnv(t, feedSource("rss", "/feeds/rss.xml", true))
		e.crawl("rss")
		for _, d := range e.docs() {
			if d.DuplicateOf != 0 {
				t.Errorf("%s linked to %d", d.URL, d.DuplicateOf)
			}
		}
	})
}

func TestCharsets(t *testing.T) {
	e := newEnv(t, func(e *env) model.Source {
		return e.source("p", model.KindPage, "/charsets.html")
	})
	e.srv.Set("/charsets.html", crawlertest.Page{Body: []byte(`<html><body><a href="/articles/gb2312.html">中文</a> <a href="/articles/latin1.html">latin</a></body></html>`)})
	res := e.crawl("p")
	if res.New != 2 {
		t.Fatalf("crawl = %+v", res)
	}
	tests := []struct {
		a crawlertest.Article
	}{{crawlertest.GB2312Article}, {crawlertest.Latin1Article}}
	for _, tt := range tests {
		d := e.doc(tt.a.Path)
		if !strings.Contains(d.Text, tt.a.Paragraphs[1]) || d.Title != tt.a.Title {
			t.Errorf("%s: title %q text %q\nwant %q and %q", tt.a.Path, d.Title, d.Text, tt.a.Title, tt.a.Paragraphs[1])
		}
	}
	if d := e.doc(crawlertest.GB2312Article.Path); d.Language != "zh" {
		t.Errorf("language = %q, want zh", d.Language)
	}
}

func TestSitemap(t *testing.T) {
	e := newEnv(t, func(e *env) model.Source { return e.source("sm", model.KindSitemap, "/sitemap-index.xml") })
	res := e.crawl("sm")
	if res.Err != nil || res.New != 2 {
		t.Fatalf("crawl = %+v", res)
	}
	if n := len(e.srv.Hits("/sitemap-index.xml")); n != 1 {
		t.Errorf("index fetched %d times; it lists itself and must be read once", n)
	}
	fx := crawlertest.Fixtures("http://h.example")
	items, children, err := parseSitemap(fx["/sitemap-news.xml"].Body, "http://h.example/sitemap-news.xml", 1<<20)
	if err != nil || len(items) != 2 || len(children) != 0 {
		t.Fatalf("news sitemap: %d items, %d children, %v", len(items), len(children), err)
	}
	want, _ := time.Parse(time.RFC3339, crawlertest.ArrestArticle.Published)
	if it := items[0]; it.Title != crawlertest.ArrestArticle.Title || !it.Published.Equal(want) {
		t.Errorf("news entry = %q %v, want %q %v", it.Title, it.Published, crawlertest.ArrestArticle.Title, want)
	}
	if it := items[1]; !it.Published.IsZero() {
		t.Errorf("lastmod used as publication date: %v", it.Published)
	}
}

func TestListingPage(t *testing.T) {
	e := newEnv(t, pageSource("p", "/listing.html", "a.story", false))
	res := e.crawl("p")
	// arrest, charge (fragment dropped), the secret page (robots), the
	// javascript: link ignored, and arrest again with a tracking parameter.
	if res.Listed != 4 || res.New != 2 || res.Skipped != 1 || res.Unchanged != 1 {
		t.Errorf("crawl = %+v, want 4 listed, 2 new, 1 skipped, 1 unchanged", res)
	}
}
