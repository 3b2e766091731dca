package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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
	demoOut := out
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

	// Flags before the subcommand: `docs --config X show ID` shows one
	// document, not the list.
	edited := editedDoc(t, demoOut)
	code, out, errOut = runCLI(t, "docs", "--config", cfg, "--data", dir, "show", edited)
	if code != 0 || !strings.Contains(out, "versions:   2") || strings.Contains(out, "PUBLISHED") {
		t.Errorf("docs --config X --data D show %s: exit %d\n%s%s", edited, code, out, errOut)
	}
	code, out, errOut = runCLI(t, "events", "--data", dir, "show", "1")
	if code != 0 || !strings.HasPrefix(out, "Event 1:") {
		t.Errorf("events --data D show 1: exit %d\n%s%s", code, out, errOut)
	}

	// Without --config, a data directory with its own feeds.yaml is read with
	// it: the demo's nine sources, not the shipped file's real ones.
	code, out, _ = runCLI(t, "sources", "--data", dir, "--format", "json")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 9 {
		t.Errorf("sources without --config: exit %d, %d rows, want the demo's 9", code, len(rows))
	}

	// The commands the demo printed run as printed, here without a server.
	for _, args := range printedCommands(t, demoOut) {
		if code, out, errOut := runCLI(t, args...); code != 0 || out == "" {
			t.Errorf("printed command %q: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
	}

	// Last, as it edits the demo's timeline: `stories merge` and `events
	// merge` fold the second id into the first, and say so.
	for _, c := range []struct{ list, merge []string }{
		{[]string{"stories", "--data", dir, "list", "--format", "json"}, []string{"stories", "--data", dir, "merge"}},
		{[]string{"events", "--data", dir, "list", "--format", "json"}, []string{"events", "--data", dir, "merge"}},
	} {
		ids := func() []int64 {
			code, out, errOut := runCLI(t, c.list...)
			type row struct {
				ID int64 `json:"id"`
			}
			// `stories list` prints an array, `events list` the timeline
			// export's object with an events array.
			var rows []row
			var export struct {
				Events []row `json:"events"`
			}
			err := json.Unmarshal([]byte(out), &rows)
			if err != nil && json.Unmarshal([]byte(out), &export) == nil {
				rows, err = export.Events, nil
			}
			if code != 0 || err != nil {
				t.Fatalf("%q: exit %d\n%s%s", strings.Join(c.list, " "), code, out, errOut)
			}
			var ids []int64
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			return ids
		}
		before := ids()
		if len(before) < 2 {
			t.Fatalf("%q lists %d, want two to merge", strings.Join(c.list, " "), len(before))
		}
		into, from := strconv.FormatInt(before[0], 10), strconv.FormatInt(before[1], 10)
		code, out, errOut := runCLI(t, append(c.merge, into, from)...)
		if code != 0 || !strings.Contains(out, "merged") || !strings.HasSuffix(strings.TrimSpace(out), from+" into "+into) {
			t.Errorf("%q %s %s: exit %d\n%s%s", strings.Join(c.merge, " "), into, from, code, out, errOut)
		}
		after := ids()
		if len(after) != len(before)-1 || slices.Contains(after, before[1]) || !slices.Contains(after, before[0]) {
			t.Errorf("after merging %s into %s: %v, was %v", from, into, after, before)
		}
		if code, _, errOut := runCLI(t, append(c.merge, into)...); code == 0 || !strings.Contains(errOut, "give two") {
			t.Errorf("%q with one id: exit %d, stderr %q", strings.Join(c.merge, " "), code, errOut)
		}
	}
}

// editedDoc is the id of the edited statement named in the demo's output.
func editedDoc(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`now has 2 versions \(document (\d+)\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the demo names no edited document:\n%s", out)
	}
	return m[1]
}

// printedCommands are the watchline command lines the demo printed for the
// user to try, without the program (`go run ./cmd/watchline` under go test),
// split as a POSIX shell would split them.
func printedCommands(t *testing.T, out string) [][]string {
	t.Helper()
	var cmds [][]string
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "  go run ./cmd/watchline ")
		if !ok {
			continue
		}
		cmds = append(cmds, shellWords(t, rest))
	}
	if len(cmds) < 4 {
		t.Fatalf("the demo printed %d commands to try, want search, timeline, docs show and alerts test:\n%s", len(cmds), out)
	}
	return cmds
}

// shellWords splits s like a POSIX shell: words, 'single quotes' and the
// '\” idiom (all the demo prints).
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == '\\' && !quoted:
			inWord = true // the escaped quote in '\'' follows
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
			}
			inWord = false
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestReadCommandsWhileServing runs the demo's printed read commands while
// `watchline serve` holds the data directory's search index, as a user with
// the demo's web UI open would: they ask the server instead of failing on
// the index lock.
func TestReadCommandsWhileServing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, demoOut, errOut := runCLI(t, "demo", "--no-serve", "--data", dir)
	if code != 0 {
		t.Fatalf("demo exit %d\n%s", code, errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan int, 1)
	var serveErr bytes.Buffer
	go func() {
		served <- run(ctx, []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, strings.NewReader(""), io.Discard, &serveErr)
	}()
	defer func() {
		cancel()
		if code := <-served; code != 0 {
			t.Errorf("serve exit %d: %s", code, serveErr.String())
		}
		if _, err := os.Stat(filepath.Join(dir, "server.json")); !os.IsNotExist(err) {
			t.Errorf("serve left server.json behind after stopping (stat: %v)", err)
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "server.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not record its address within 30s: %s", serveErr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := index.OpenWith(dir, index.Options{LockTimeout: 100 * time.Millisecond}); !errors.Is(err, index.ErrLocked) {
		t.Fatalf("the index is not held by serve (open: %v); the test would prove nothing", err)
	}
	for _, args := range printedCommands(t, demoOut) {
		code, out, errOut := runCLI(t, args...)
		if code != 0 || out == "" {
			t.Errorf("%q while serve runs: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
			continue
		}
		if (args[0] == "search" || args[0] == "timeline") && !strings.Contains(errOut, "asking the server at http://127.0.0.1:") {
			t.Errorf("%q did not say it asked the running server: %s", args[0], errOut)
		}
		switch args[0] {
		case "search":
			if !strings.Contains(out, "matching documents") || !strings.Contains(out, "Cash") {
				t.Errorf("search while serving printed:\n%s", out)
			}
		case "timeline":
			if !strings.HasPrefix(out, "# The collapsed UK China spy case") || !strings.Contains(out, "## 2024-04-22") {
				t.Errorf("timeline while serving printed:\n%s", out)
			}
		}
	}
	// JSON and a streamed export go through the server too.
	code, out, errOut := runCLI(t, "search", "--data", dir, "--format", "ndjson", "--limit", "0", `"pure fabrication"`)
	if n := strings.Count(out, "\n"); code != 0 || n < 3 {
		t.Errorf("streamed search while serving: exit %d, %d lines\n%s", code, n, errOut)
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

// TestDemoServesWithToken runs the demo as a new user does, serving: it
// prints a token that the API accepts for writes, and testing a
// subscription looks back over the whole corpus (2023–2025), not 7 days.
func TestDemoServesWithToken(t *testing.T) {
	if testing.Short() {
		t.Skip("serves the demo")
	}
	t.Setenv("WATCHLINE_TOKEN", "")
	dir := filepath.Join(t.TempDir(), "data")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--data", dir, "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("demo exit %d", code)
		}
	}()
	var url, token string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if m := regexp.MustCompile(`The web UI is at (http://\S+/)`).FindStringSubmatch(line); m != nil {
			url = m[1]
		}
		if m := regexp.MustCompile(`sign in with the token ([0-9a-f]{24}) `).FindStringSubmatch(line); m != nil {
			token = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr) // keep the demo's output flowing
	if url == "" || token == "" {
		t.Fatalf("the demo printed no web UI address (%q) or token (%q)", url, token)
	}
	post := func(path, body, tok string) (int, string) {
		req, _ := http.NewRequest("POST", url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := post("api/subscriptions/test", `{"query": "\"Christopher Cash\""}`, "")
	var res struct {
		Days    int `json:"days"`
		Matches []struct {
			Published time.Time `json:"published"`
		} `json:"matches"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || code != 200 {
		t.Fatalf("subscription test: %d %v\n%s", code, err, body)
	}
	oldest := time.Now()
	for _, m := range res.Matches {
		if m.Published.Before(oldest) {
			oldest = m.Published
		}
	}
	if res.Days < 365 || oldest.Year() > 2023 {
		t.Errorf("testing a subscription looked back %d days, oldest match %v; want the whole corpus from 2023", res.Days, oldest)
	}
	if code, body := post("api/subscriptions", `{"query": "MI5 AND LinkedIn", "atom": true}`, "wrong-token"); code != 401 {
		t.Errorf("a wrong token may write: %d %s", code, body)
	}
	if code, body := post("api/subscriptions", `{"query": "MI5 AND LinkedIn", "atom": true}`, token); code != 201 {
		t.Errorf("the printed token cannot write: %d %s", code, body)
	}
}
