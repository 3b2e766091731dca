package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/index"
)

// runCLI runs one watchline command line in-process and returns its exit
// status and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestDemoThenCommands runs the demo end to end without serving, then uses
// the data directory it leaves with the other commands, as the README tells a
// new user to.
func TestDemoThenCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, out, errOut := runCLI(t, "demo", "--no-serve", "--data", dir)
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"source westminster-insider is failing: ",              // the broken feed is named with its error
		"China rejects UK spying claims as 'pure fabrication'", // a search hit
		"[[pure fabrication]]",                                 // with the matched phrase marked
		"charge ",                                              // the timeline types its events
		"webhook received ",                                    // the alert fired ...
		"Factbox: the collapsed UK China spy case",             // ... on the article published after subscribing
		"signature verified",
		"now has 2 versions", // the silently edited official statement
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", out)
	}

	cfg := filepath.Join(dir, "feeds.yaml")
	code, out, errOut = runCLI(t, "search", "--data", dir, "--config", cfg, "--format", "json", "--limit", "2", `"pure fabrication"`)
	if code != 0 {
		t.Fatalf("search exit %d: %s", code, errOut)
	}
	var res struct {
		Query string `json:"query"`
		Total int    `json:"total"`
		Hits  []struct {
			ID     int64  `json:"id"`
			URL    string `json:"url"`
			Source string `json:"source"`
		} `json:"hits"`
		Facets map[string][]struct {
			Value string `json:"value"`
			Count int    `json:"count"`
		} `json:"facets"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search json: %v\n%s", err, out)
	}
	if res.Total < 3 || len(res.Hits) != 2 || res.Hits[0].URL == "" {
		t.Errorf("search: total %d, %d hits: %s", res.Total, len(res.Hits), out)
	}

	code, out, _ = runCLI(t, "docs", "--data", dir, "--config", cfg, "--format", "ndjson", "--limit", "0")
	if code != 0 {
		t.Fatalf("docs exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 64 {
		t.Errorf("docs listed %d documents, want every stored one (≥ 64)", len(lines))
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"id", "seq", "url", "canonical_url", "source", "title", "published", "published_source", "fetched", "official", "language", "duplicate_of", "versions"} {
		if _, ok := first[key]; !ok {
			t.Errorf("docs ndjson lacks key %q: %s", key, lines[0])
		}
	}

	code, out, _ = runCLI(t, "sources", "--data", dir, "--config", cfg)
	if code != 0 || !strings.Contains(out, "westminster-insider") {
		t.Errorf("sources exit %d, output:\n%s", code, out)
	}

	code, _, errOut = runCLI(t, "search", "--data", dir, "--config", cfg, `(China AND spy`)
	if code == 0 || !strings.Contains(errOut, "parenthesis") {
		t.Errorf("malformed query: exit %d, stderr %q; want a non-zero exit naming the parenthesis", code, errOut)
	}
}

func TestUnknownCommandAndUsage(t *testing.T) {
	if code, _, errOut := runCLI(t, "frobnicate"); code != 2 || !strings.Contains(errOut, "watchline help") {
		t.Errorf("unknown command: exit %d, %q", code, errOut)
	}
	if code, out, _ := runCLI(t, "help"); code != 0 || !strings.Contains(out, "crawl") || !strings.Contains(out, "demo") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, "extract", "--format", "xml", "x.html"); code != 2 || !strings.Contains(errOut, "text or json") {
		t.Errorf("extract bad format: exit %d, %q", code, errOut)
	}
}

// TestShippedConfigQueriesParse checks that every topic and alert query in
// the shipped feeds.yaml is valid in the search query language (config cannot
// check this itself: the parser lives above it, in index).
func TestShippedConfigQueriesParse(t *testing.T) {
	cfg, err := config.Load("../../feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range cfg.Topics {
		if _, err := index.Parse(tp.Query); err != nil {
			t.Errorf("topic %s: %v", tp.ID, err)
		}
	}
	for _, al := range cfg.Alerts {
		if _, err := index.Parse(al.Query); err != nil {
			t.Errorf("alert %s: %v", al.ID, err)
		}
	}
}
