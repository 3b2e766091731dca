package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/watchline/watchline/demo"
)

// demoSources serves the demo corpus for the test and writes its
// configuration; it returns the configuration file and a data directory
// that does not exist yet.
func demoSources(t *testing.T) (srv *demo.Server, cfgPath, data string) {
	t.Helper()
	srv, err := demo.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfgPath, []byte(demo.Config(srv.URL())), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, cfgPath, filepath.Join(dir, "data")
}

// TestCrawlCommands runs crawl, sources, docs and import against the demo
// server, as a user would.
func TestCrawlCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls the demo corpus")
	}
	srv, cfgPath, data := demoSources(t)
	wl := func(args ...string) (stdout, stderr string, code int) {
		var out, errb bytes.Buffer
		args = append(args, "--config", cfgPath, "--data", data)
		code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), code
	}

	_, stderr, code := wl("crawl", "--once")
	if code != 0 || !strings.Contains(stderr, "thames-courier: ") || !strings.Contains(stderr, "crawled 9 sources (1 failed)") {
		t.Fatalf("crawl --once: exit %d\n%s", code, stderr)
	}

	out, _, code := wl("sources", "--format", "json")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 9 {
		t.Fatalf("sources --format json: exit %d, %d rows\n%s", code, len(rows), out)
	}
	for _, r := range rows {
		if r["id"] == demo.BrokenSource && !strings.Contains(r["last_error"].(string), "feed parse") {
			t.Errorf("broken source row %v", r)
		}
	}
	if out, _, _ := wl("sources"); !strings.Contains(out, "LAST ERROR") || !strings.Contains(out, "feed parse") {
		t.Errorf("sources text:\n%s", out)
	}

	out, _, code = wl("docs", "--format", "ndjson", "--limit", "0")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) < 70 {
		t.Fatalf("docs ndjson: exit %d, %d lines", code, len(lines))
	}
	var row map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &row); err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"id", "seq", "url", "canonical_url", "source", "title", "published", "published_source",
		"fetched", "official", "language", "duplicate_of", "versions", "aliases"}
	if len(row) != len(wantKeys) {
		t.Errorf("docs row has keys %v, want exactly %v", row, wantKeys)
	}
	for _, k := range wantKeys {
		if _, ok := row[k]; !ok {
			t.Errorf("docs row lacks %q", k)
		}
	}
	out, _, _ = wl("docs", "--format", "json", "--limit", "3", "--source", "cps-demo")
	var arr []map[string]any
	if err := json.Unmarshal([]byte(out), &arr); err != nil || len(arr) != 3 || arr[0]["source"] != "cps-demo" {
		t.Errorf("docs json: %v %v", err, out)
	}

	// The edited statement: two versions and a diff in `docs show`.
	srv.Advance()
	if _, stderr, code := wl("crawl", "--source", "cps-demo"); code != 0 || !strings.Contains(stderr, "1 updated") {
		t.Fatalf("crawl --source: exit %d\n%s", code, stderr)
	}
	out, _, _ = wl("docs", "--format", "ndjson", "--source", "cps-demo", "--limit", "0")
	var edited string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r map[string]any
		json.Unmarshal([]byte(l), &r)
		if r["versions"].(float64) == 2 {
			edited = strings.TrimSuffix(strings.Split(l, ",")[0], "")
			edited = strings.TrimPrefix(edited, `{"id":`)
		}
	}
	if edited == "" {
		t.Fatal("no document with 2 versions")
	}
	out, _, code = wl("docs", "show", edited)
	if code != 0 || !strings.Contains(out, "v2") || !strings.Contains(out, "added since v1") {
		t.Errorf("docs show %s: exit %d\n%s", edited, code, out)
	}
	out, _, _ = wl("docs", "show", edited, "--format", "json")
	var detail map[string]any
	if err := json.Unmarshal([]byte(out), &detail); err != nil || len(detail["history"].([]any)) != 2 || detail["text"] == "" {
		t.Errorf("docs show json: %v\n%.300s", err, out)
	}
	if _, _, code := wl("docs", "show", "abc"); code != 2 {
		t.Errorf("docs show abc: exit %d, want 2", code)
	}

	imp := filepath.Join(t.TempDir(), "extra.csv")
	os.WriteFile(imp, []byte("url,title,text,published,source\nhttps://example.org/x,X,Some imported text about a case.,2025-01-02,archive\nnot a url,Y,text,,\n"), 0o644)
	out, stderr, code = wl("import", imp)
	if code != 1 || !strings.Contains(out, "1 new") || !strings.Contains(stderr, "extra.csv:3: bad url") {
		t.Errorf("import: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestSourcesCheckCommand checks the demo's sources as a user checks their
// feeds.yaml: one JSON row per source with a status, what it lists and a
// verdict, a failing exit for the broken feed, and nothing stored.
func TestSourcesCheckCommand(t *testing.T) {
	_, cfgPath, data := demoSources(t)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"sources", "--config", cfgPath, "--data", data, "check", "--format", "json"},
		strings.NewReader(""), &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "1 of 9 sources failing") {
		t.Errorf("sources check: exit %d, stderr %q; want 1 naming the one failing source", code, errb.String())
	}
	var rows []map[string]any
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 9 {
		t.Fatalf("sources check --format json: %v, %d rows\n%s", err, len(rows), out.String())
	}
	for _, r := range rows {
		for _, k := range []string{"source", "kind", "url", "status", "items", "verdict", "advice"} {
			if _, ok := r[k]; !ok {
				t.Errorf("row %v lacks %q", r["source"], k)
			}
		}
		switch {
		case r["source"] == demo.BrokenSource:
			if r["verdict"] != "failing" || !strings.Contains(r["advice"].(string), "feed could not be read") {
				t.Errorf("broken source: %v", r)
			}
		case r["verdict"] == "failing" || r["status"] != float64(200) || r["items"].(float64) == 0:
			t.Errorf("source %v: %v", r["source"], r)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "watchline.db")); !os.IsNotExist(err) {
		t.Errorf("sources check created a store (stat: %v); it must store nothing", err)
	}
	out.Reset()
	errb.Reset()
	code = run(context.Background(), []string{"sources", "check", "--config", cfgPath, "--source", "cps-demo"}, strings.NewReader(""), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "cps-demo (ok): 4 article links") {
		t.Errorf("sources check --source cps-demo: exit %d\n%s%s", code, out.String(), errb.String())
	}
}
