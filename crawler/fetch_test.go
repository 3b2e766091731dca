package crawler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/crawler/crawlertest"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

func testFetcher(timeout time.Duration) *fetcher {
	return newFetcher(timeout, RetryPolicy{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond}, time.Now)
}

func testSource(srv *crawlertest.Server) model.Source {
	return model.Source{ID: "t", URL: srv.URL(), UserAgent: "watchline-test/1.0", MaxBody: 1 << 20, AllowPrivate: true}
}

func TestFetchStatuses(t *testing.T) {
	tests := []struct {
		name      string
		page      crawlertest.Page
		wantErr   string
		wantHits  int
		wantRetry bool
	}{
		{"503 twice, then success", crawlertest.Page{Body: []byte("ok"), FailTimes: 2, FailStatus: 503}, "", 3, true},
		{"503 with a short Retry-After is waited out", crawlertest.Page{Body: []byte("ok"), FailTimes: 1, FailStatus: 503, RetryAfter: "0"}, "", 2, true},
		// A wait beyond Max (5ms here) is honoured by leaving the host alone.
		{"429 with a long Retry-After is not retried", crawlertest.Page{Body: []byte("ok"), FailTimes: 1, FailStatus: 429, RetryAfter: "1"},
			"HTTP 429 Too Many Requests; 127.0.0.1", 1, true},
		{"429 with an HTTP-date Retry-After", crawlertest.Page{Body: []byte("ok"), FailTimes: 1, FailStatus: 429, RetryAfter: "Wed, 21 Oct 2099 07:28:00 GMT"},
			"the host asked to wait (Retry-After) 24h0m0s", 1, true},
		{"500 every time gives up after 3 attempts", crawlertest.Page{Body: []byte("ok"), FailTimes: 99, FailStatus: 500}, "HTTP 500 Internal Server Error (after 3 attempts)", 3, true},
		{"404 is not retried", crawlertest.Page{Status: 404, Body: []byte("no")}, "HTTP 404 Not Found", 1, false},
		{"403 is not retried", crawlertest.Page{Body: []byte("ok"), FailTimes: 5, FailStatus: 403}, "HTTP 403 Forbidden", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := crawlertest.NewServer()
			defer srv.Close()
			srv.Set("/p", tt.page)
			f := testFetcher(5 * time.Second)
			resp, err := f.get(context.Background(), testSource(srv), srv.URL()+"/p", store.Validators{})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr == "" && string(resp.Body) != "ok":
				t.Errorf("body %q", resp.Body)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
			if n := len(srv.Hits("/p")); n != tt.wantHits {
				t.Errorf("requests = %d, want %d", n, tt.wantHits)
			}
		})
	}
}

func TestFetchRedirects(t *testing.T) {
	srv := crawlertest.NewServer()
	defer srv.Close()
	f := testFetcher(5 * time.Second)
	src := testSource(srv)
	resp, err := f.get(context.Background(), src, srv.URL()+"/redirect/4", store.Validators{})
	if err != nil || resp.URL != srv.URL()+"/articles/plain.html" {
		t.Fatalf("4 redirects: url %v, err %v", resp, err)
	}
	if _, err := f.get(context.Background(), src, srv.URL()+"/redirect/11", store.Validators{}); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("11 redirects: err = %v, want ErrTooManyRedirects", err)
	}
	if _, err := f.get(context.Background(), src, srv.URL()+"/loop/a", store.Validators{}); !errors.Is(err, ErrRedirectLoop) {
		t.Errorf("loop: err = %v, want ErrRedirectLoop", err)
	}
	if n := len(srv.Hits("/loop/a")); n != 1 {
		t.Errorf("loop start fetched %d times, want 1", n)
	}
	// A redirect into a robots-disallowed path is refused at that hop.
	srv.Set("/to-private", crawlertest.Page{Status: 302, Location: "/private/secret.html"})
	if _, err := f.get(context.Background(), src, srv.URL()+"/to-private", store.Validators{}); !errors.Is(err, ErrRobotsDisallowed) {
		t.Errorf("redirect to /private/: err = %v, want ErrRobotsDisallowed", err)
	}
	// A redirect from an allowed source to a private address is refused at
	// dial time when the source may not reach private addresses; here the
	// first hop is already loopback, so the refusal comes before any request.
	src.AllowPrivate = false
	if _, err := f.get(context.Background(), src, srv.URL()+"/redirect/1", store.Validators{}); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("guarded: err = %v, want ErrPrivateAddress", err)
	}
}

func TestFetchLimits(t *testing.T) {
	srv := crawlertest.NewServer()
	defer srv.Close()
	src := testSource(srv)
	t.Run("body cap without Content-Length", func(t *testing.T) {
		_, err := testFetcher(5*time.Second).get(context.Background(), src, srv.URL()+"/huge/5000000", store.Validators{})
		if !errors.Is(err, ErrBodyTooLarge) || !strings.Contains(err.Error(), "body exceeds 1 MiB limit") {
			t.Errorf("err = %v", err)
		}
		if n := len(srv.Hits("/huge/5000000")); n != 1 {
			t.Errorf("requests = %d; a body over the cap is not retried", n)
		}
	})
	t.Run("body cap with Content-Length", func(t *testing.T) {
		srv.Set("/big", crawlertest.Page{Body: make([]byte, 2<<20)})
		_, err := testFetcher(5*time.Second).get(context.Background(), src, srv.URL()+"/big", store.Validators{})
		if !errors.Is(err, ErrBodyTooLarge) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("slow body times out", func(t *testing.T) {
		f := newFetcher(150*time.Millisecond, RetryPolicy{Attempts: 1}, time.Now)
		_, err := f.get(context.Background(), src, srv.URL()+"/slow", store.Validators{})
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("err = %v, want ErrTimeout", err)
		}
	})
	t.Run("cancelled context stops at once", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := testFetcher(5*time.Second).get(ctx, src, srv.URL()+"/articles/plain.html", store.Validators{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("gzip is decoded", func(t *testing.T) {
		resp, err := testFetcher(5*time.Second).get(context.Background(), src, srv.URL()+"/feeds/gzip.xml", store.Validators{})
		if err != nil || !strings.HasPrefix(string(resp.Body), "<?xml") {
			t.Fatalf("body %.30q, err %v", resp.Body, err)
		}
		if ae := srv.Hits("/feeds/gzip.xml")[0].Header.Get("Accept-Encoding"); !strings.Contains(ae, "gzip") {
			t.Errorf("Accept-Encoding = %q", ae)
		}
	})
}

func TestRetryWait(t *testing.T) {
	p := RetryPolicy{Attempts: 5, Base: time.Second, Max: 2 * time.Minute}
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	waits := []struct {
		name   string
		n      int
		jitter float64
		want   time.Duration
	}{
		{"first retry, no jitter offset", 1, 0.5, time.Second},
		{"third retry doubles twice", 3, 0.5, 4 * time.Second},
		{"jitter low end", 3, 0, 2 * time.Second},
		{"capped", 20, 0.99, 2 * time.Minute},
		{"huge n does not overflow", 70, 0.5, 2 * time.Minute},
	}
	for _, tt := range waits {
		if got := p.wait(tt.n, tt.jitter); got != tt.want {
			t.Errorf("%s: wait = %v, want %v", tt.name, got, tt.want)
		}
	}
	// A host's wait: its Retry-After when it sent one (beyond Max: it is
	// left alone that long, not waited for), else a backoff that keeps
	// doubling past Max.
	hostWaits := []struct {
		name       string
		strikes    int
		retryAfter string
		want       time.Duration
		asked      bool
	}{
		{"retry-after seconds", 1, "7", 7 * time.Second, true},
		{"retry-after beyond Max", 1, "120", 2 * time.Minute, true},
		{"retry-after capped at a day", 1, "86400000", 24 * time.Hour, true},
		{"retry-after date", 1, "Wed, 01 Jan 2025 12:00:30 GMT", 30 * time.Second, true},
		{"retry-after in the past", 1, "Wed, 01 Jan 2025 11:00:00 GMT", 0, true},
		{"retry-after garbage falls back", 2, "soon", 2 * time.Second, false},
		{"no retry-after, tenth strike", 10, "", 512 * time.Second, false},
		{"no retry-after, huge strikes", 70, "", 24 * time.Hour, false},
	}
	for _, tt := range hostWaits {
		got, asked := p.hostWait(tt.strikes, tt.retryAfter, now, 0.5)
		if got != tt.want || asked != tt.asked {
			t.Errorf("%s: hostWait = %v, %v; want %v, %v", tt.name, got, asked, tt.want, tt.asked)
		}
	}
}

func TestGuardPrivate(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:80", false}, {"[::1]:443", false}, {"10.1.2.3:80", false}, {"192.168.0.1:80", false},
		{"172.16.5.5:80", false}, {"169.254.169.254:80", false}, {"0.0.0.0:80", false}, {"[::]:80", false},
		{"224.0.0.1:80", false}, {"[fe80::1]:80", false}, {"[fc00::1]:80", false}, {"100.64.0.1:80", false},
		{"[::ffff:127.0.0.1]:80", false},
		// The bypasses a blocklist let through (issue 17): IPv4 inside
		// NAT64, 6to4 and IPv4-compatible forms, and ranges it forgot.
		{"[64:ff9b::a9fe:a9fe]:80", false}, {"[2002:7f00:1::1]:80", false}, {"[::127.0.0.1]:80", false},
		{"0.1.2.3:80", false}, {"198.18.0.1:80", false}, {"240.0.0.1:80", false}, {"192.0.0.170:80", false},
		{"203.0.113.9:80", false}, {"[2001:db8::1]:80", false},
		{"93.184.215.14:443", true}, {"[64:ff9b::808:808]:443", true}, {"[2606:4700::1111]:443", true},
	}
	for _, tt := range tests {
		err := guardPrivate("tcp", tt.addr, nil)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrPrivateAddress)) {
			t.Errorf("%s: err = %v, want allowed=%v", tt.addr, err, tt.ok)
		}
	}
}
