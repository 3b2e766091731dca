package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeTailsAnotherWriter starts `serve` on a data directory and then,
// while it runs, imports documents into the same directory with a separate
// `watchline import` (its own store connections, as a crawl in another
// process has): serve must find them without a restart. Before serve tailed
// the store it synced its index only when it started, and search never saw
// documents another process wrote.
func TestServeTailsAnotherWriter(t *testing.T) {
	e := newBadInputEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	urls := &urlWriter{found: make(chan string, 1)}
	var serveErr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--tick", "100ms", "--config", e.cfg, "--data", e.data},
			strings.NewReader(""), urls, &serveErr)
	}()
	var base string
	select {
	case base = <-urls.found:
	case code := <-done:
		t.Fatalf("serve exited %d before serving:\n%s", code, serveErr.String())
	}
	total := func(q string) int {
		t.Helper()
		resp, err := http.Get(base + "api/search?q=" + url.QueryEscape(q))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var res struct{ Total int }
		if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("search %q: %d, %v", q, resp.StatusCode, err)
		}
		return res.Total
	}
	if n := total("quillwort"); n != 0 {
		t.Fatalf("quillwort found %d times before it was written", n)
	}

	const written = 30
	var rows strings.Builder
	for i := range written {
		fmt.Fprintf(&rows, `{"url":"https://example.org/q%d","title":"Quillwort survey %d","text":"Botanists counted quillwort plants in lake number %d while the ministry reviewed the case.","published":"2025-10-%02dT10:00:00Z","source":"s"}`+"\n", i, i, i, 1+i%28)
	}
	rowsPath := filepath.Join(e.dir, "more.ndjson")
	write(t, rowsPath, rows.String())
	if out, errs, code := e.wl("import", rowsPath); code != 0 {
		t.Fatalf("import beside serve: exit %d\n%s%s", code, out, errs)
	}

	deadline := time.Now().Add(20 * time.Second)
	for n := total("quillwort"); n != written; n = total("quillwort") {
		if time.Now().After(deadline) {
			t.Fatalf("serve found %d of the %d documents another process stored, 20 s after they were stored:\n%s", n, written, serveErr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve: exit %d after stopping, want 0:\n%s", code, serveErr.String())
	}
}
