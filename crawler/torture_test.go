package crawler

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler/crawlertest"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// TestCrawlTorture crawls one configuration holding a source for every way a
// site can misbehave, in one pass, and checks that the pass ends, stores
// every good document, and records a specific error for every bad source.
func TestCrawlTorture(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// Sources on one host are crawled one after another, so the slow faults
	// get hosts of their own.
	main := crawlertest.NewServer()
	defer main.Close()
	slow := crawlertest.NewServer()
	defer slow.Close()
	robotsDeny := crawlertest.NewServer()
	defer robotsDeny.Close()
	robotsDeny.SetRobots(200, "User-agent: *\nDisallow: /\n")
	robotsHang := crawlertest.NewServer()
	defer robotsHang.Close()
	robotsHang.SetRobotsHang(true)
	// public stands in for a site on the internet: the guarded client below
	// treats its address, and only its address, as public.
	public := crawlertest.NewServer()
	defer public.Close()
	public.Set("/go", crawlertest.Page{Status: http.StatusFound, Location: "/hop"})
	public.Set("/hop", crawlertest.Page{Status: http.StatusFound, Location: main.URL() + "/feeds/rss.xml"})

	// A host that asks to be left alone is left alone by every source on
	// it, so the rate limiter gets a host of its own.
	limited := crawlertest.NewServer()
	defer limited.Close()
	limited.Set("/faults/429", crawlertest.Page{FailTimes: 1 << 30, FailStatus: http.StatusTooManyRequests, RetryAfter: "120"})
	main.Set("/faults/500", crawlertest.Page{FailTimes: 1 << 30, FailStatus: http.StatusInternalServerError})
	full := crawlertest.RSS(main.URL(), crawlertest.GB2312Article) // links to a page no other source lists
	main.Set("/faults/503-then-ok.xml", crawlertest.Page{ContentType: "application/rss+xml", Body: []byte(full),
		FailTimes: 2, FailStatus: http.StatusServiceUnavailable, RetryAfter: "0"})
	main.Set("/faults/500-burst.xml", crawlertest.Page{ContentType: "application/rss+xml",
		Body: []byte(crawlertest.RSS(main.URL(), crawlertest.WireOriginal)), FailTimes: 2, FailStatus: http.StatusInternalServerError})

	const manyItems = 20000
	src := func(id, url string, mod ...func(*model.Source)) model.Source {
		s := model.Source{ID: id, Title: id, Kind: model.KindFeed, URL: url, AllowPrivate: true,
			UserAgent: "watchline-test/1.0 (+https://example.org/contact)", Interval: 30 * time.Minute, MaxBody: 10 << 20}
		for _, m := range mod {
			m(&s)
		}
		return s
	}
	fetchArticles := func(s *model.Source) { s.FetchArticles = true }
	tests := []struct {
		src     model.Source
		wantErr string // "" for a source that must succeed
		wantNew int    // documents stored from this source
	}{
		{src("good", main.URL()+"/feeds/rss.xml", fetchArticles), "", 3},
		{src("truncated", main.URL()+"/faults/truncated.xml"), "feed parse:", 0},
		{src("not-xml", main.URL()+"/faults/not-xml"), "not a feed: got text/plain", 0},
		{src("html-as-rss", main.URL()+"/faults/html-as-rss"), "not a feed: got application/rss+xml", 0},
		{src("huge-50mb", main.URL()+"/huge/52428800"), "body exceeds 10 MiB limit", 0},
		{src("gzip-bomb", main.URL()+"/bomb"), "body exceeds 10 MiB limit", 0},
		{src("slowloris", slow.URL()+"/slowloris"), "timed out after 2s (after 3 attempts)", 0},
		{src("reset", slow.URL()+"/reset"), "read body: ", 0},
		{src("redirect-loop", main.URL()+"/loop/a"), "redirect loop: " + main.URL() + "/loop/a was visited twice", 0},
		{src("redirect-chain", main.URL()+"/redirect/25"), "too many redirects: stopped after 10", 0},
		{src("redirect-to-private", public.URL()+"/go", func(s *model.Source) { s.AllowPrivate = false }),
			"127.0.0.1 is a loopback address: refusing to connect to a non-public address", 0},
		{src("charsets", main.URL()+"/faults/charsets.xml", fetchArticles), "", 3},
		{src("rate-limited", limited.URL()+"/faults/429"), "HTTP 429 Too Many Requests; " + strings.TrimPrefix(limited.URL(), "http://") +
			": the host asked to wait (Retry-After) 2m0s", 0},
		{src("server-errors", main.URL()+"/faults/500"), "HTTP 500 Internal Server Error (after 3 attempts)", 0},
		{src("503-then-ok", main.URL()+"/faults/503-then-ok.xml", fetchArticles), "", 1},
		{src("500-burst", main.URL()+"/faults/500-burst.xml", fetchArticles), "", 1},
		{src("tls-untrusted", main.TLSURL()+"/feeds/rss.xml"), "certificate signed by unknown authority", 0},
		{src("robots-disallow", robotsDeny.URL()+"/feeds/rss.xml"), "robots.txt disallows /feeds/rss.xml", 0},
		{src("robots-timeout", robotsHang.URL()+"/feeds/rss.xml"), "robots.txt unavailable, host skipped for this run: fetch " + robotsHang.URL() + "/robots.txt: timed out", 0},
		{src("dup-guids", main.URL()+"/faults/dup-guids.xml"), "", 2},
		{src("odd-dates", main.URL()+"/faults/odd-dates.xml"), "", 3},
		{src("many-items", main.URL()+"/feeds/many/20000", func(s *model.Source) { s.MaxBody = 64 << 20 }), "", maxItems},
	}
	cfg := &config.Config{Path: "torture.yaml", Defaults: config.Defaults{Timeout: 2 * time.Second, Workers: 6}}
	for _, tt := range tests {
		cfg.Sources = append(cfg.Sources, tt.src)
	}
	cfg.ApplyDefaults()
	for i := range cfg.Sources { // ApplyDefaults turns a zero delay into 1s
		cfg.Sources[i].Delay = 0
	}
	c, err := New(ctx, st, cfg, Options{Retry: RetryPolicy{Attempts: 3, Base: time.Millisecond, Max: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	c.fetch.guarded = clientTreatingAsPublic(cfg.Defaults.Timeout, strings.TrimPrefix(public.URL(), "http://"))

	peak, stopSampling := sampleHeap()
	start := time.Now()
	sum, err := c.Once(ctx, nil)
	took := time.Since(start)
	stopSampling()
	if err != nil {
		t.Fatalf("crawl pass: %v (after %s)", err, took)
	}
	if len(sum.Sources) != len(tests) {
		t.Fatalf("crawled %d sources, want %d", len(sum.Sources), len(tests))
	}

	perSource := map[string]int{}
	var total int
	err = st.EachDocument(ctx, store.DocFilter{}, func(d model.Document) error {
		perSource[d.SourceID]++
		total++
		if !utf8.ValidString(d.Text) || !utf8.ValidString(d.Title) {
			t.Errorf("document %s has invalid UTF-8", d.URL)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		h, err := st.SourceHealth(ctx, tt.src.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tt.wantErr == "" && h.LastError != "":
			t.Errorf("%s: error %q, want success", tt.src.ID, h.LastError)
		case tt.wantErr != "" && !strings.Contains(h.LastError, tt.wantErr):
			t.Errorf("%s: error %q, want one containing %q", tt.src.ID, h.LastError, tt.wantErr)
		case tt.wantErr != "" && h.ConsecutiveFailures != 1:
			t.Errorf("%s: %d consecutive failures, want 1", tt.src.ID, h.ConsecutiveFailures)
		}
		if got := perSource[tt.src.ID]; got != tt.wantNew {
			t.Errorf("%s: %d documents stored, want %d", tt.src.ID, got, tt.wantNew)
		}
		t.Logf("%-20s %4d docs  %s", tt.src.ID, perSource[tt.src.ID], h.LastError)
	}
	if hits := public.Hits("/hop"); len(hits) != 1 {
		t.Errorf("public redirect hop requested %d times, want 1", len(hits))
	}
	for _, p := range []string{"/feeds/rss.xml", "/robots.txt"} {
		for _, h := range main.Hits(p) {
			if h.Header.Get("User-Agent") == "" {
				t.Errorf("request for %s without a User-Agent", p)
			}
		}
	}

	// What the odd items became.
	checkDoc := func(path string, check func(model.Document)) {
		d, err := st.DocumentByURL(ctx, main.URL()+path)
		if err != nil {
			t.Errorf("document %s: %v", path, err)
			return
		}
		check(d)
	}
	checkDoc("/dup/first", func(d model.Document) {
		if d.Text != crawlertest.DupGUIDTexts[0] {
			t.Errorf("/dup/first text = %q, want the first item's", d.Text)
		}
	})
	now := time.Now()
	for i, path := range []string{"/dates/0", "/dates/1", "/dates/2"} {
		checkDoc(path, func(d model.Document) {
			if d.Published.After(now.Add(48*time.Hour)) || d.Published.Year() < 1991 {
				t.Errorf("%s (%q): published %v (%s), want a plausible date", path, crawlertest.OddDateTexts[i][:20], d.Published, d.PublishedSource)
			}
		})
	}
	checkDoc(crawlertest.WrongCharsetArticle.Path, func(d model.Document) {
		if !strings.Contains(d.Text, "on eleven occasions over a single winter") {
			t.Errorf("wrong-charset page text = %q", d.Text)
		}
	})
	checkDoc(crawlertest.UnknownCharsetArticle.Path, func(d model.Document) {
		if d.Text != crawlertest.UnknownCharsetArticle.Text() {
			t.Errorf("unknown-charset page text = %q", d.Text)
		}
	})
	checkDoc(crawlertest.Latin1Article.Path, func(d model.Document) {
		if !strings.Contains(d.Text, "café owner") {
			t.Errorf("latin-1 page text = %q", d.Text)
		}
	})
	t.Logf("torture: %d sources, %d documents stored, %d sources failed, took %s, peak heap %.1f MiB",
		len(sum.Sources), total, sum.FailedSources(), took.Round(time.Millisecond), float64(peak())/(1<<20))
}

// clientTreatingAsPublic is the guarded client with one loopback address
// let through, so a redirect from that "public" site to any other private
// address meets the real guard.
func clientTreatingAsPublic(timeout time.Duration, addr string) *http.Client {
	cl := newClient(timeout, true)
	d := &net.Dialer{Timeout: timeout, Control: func(network, address string, c syscall.RawConn) error {
		if address == addr {
			return nil
		}
		return guardPrivate(network, address, c)
	}}
	cl.Transport.(*http.Transport).DialContext = d.DialContext
	return cl
}

// sampleHeap polls the heap until stopped; peak reports the largest
// HeapAlloc seen.
func sampleHeap() (peak func() uint64, stop func()) {
	var (
		mu   sync.Mutex
		max  uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	read := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		if m.HeapAlloc > max {
			max = m.HeapAlloc
		}
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { mu.Lock(); defer mu.Unlock(); return max }, func() { close(done); wg.Wait(); read() }
}
