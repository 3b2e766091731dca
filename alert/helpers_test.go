package alert

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

var t0 = time.Date(2025, 10, 6, 9, 0, 0, 0, time.UTC)

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// putDoc stores a document and returns it with ID and Seq set.
func putDoc(t testing.TB, st *store.Store, url, source, title, text string, mod ...func(*model.Document)) model.Document {
	t.Helper()
	d := model.Document{URL: url, CanonicalURL: url, SourceID: source, Title: title, Text: text, Language: "en",
		ContentHash: fmt.Sprintf("%x", sha256.Sum256([]byte(url+text))),
		Published:   t0.Add(-time.Hour), Fetched: t0}
	for _, m := range mod {
		m(&d)
	}
	if _, err := st.PutDocument(context.Background(), &d, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	return d
}

// publicResolver answers every name with one public address, so creating a
// webhook subscription in a test never sends a DNS query off the machine.
type publicResolver struct{}

func (publicResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
}

func newService(st *store.Store, c *clock, opts Options) *Service {
	opts.Matcher = IndexMatcher()
	if opts.Resolver == nil {
		opts.Resolver = publicResolver{}
	}
	opts.Clock = c.Now
	if opts.Jitter == nil {
		opts.Jitter = func() float64 { return 0.5 }
	}
	return New(st, opts)
}

func newTestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
