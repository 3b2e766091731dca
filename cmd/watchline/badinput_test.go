package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/store"
)

// badInputEnv is a data directory holding three imported documents and a
// valid, empty configuration.
type badInputEnv struct {
	dir, data, cfg string
}

func newBadInputEnv(t *testing.T) *badInputEnv {
	t.Helper()
	e := &badInputEnv{dir: t.TempDir()}
	e.data = filepath.Join(e.dir, "data")
	e.cfg = filepath.Join(e.dir, "feeds.yaml")
	write(t, e.cfg, "sources:\n  - id: s\n    kind: feed\n    url: https://example.org/feed.xml\n")
	rows := `{"url":"https://example.org/a","title":"Prosecutors drop spy case","text":"The prosecution of two men accused of spying for China was dropped after the evidence could not be completed.","published":"2025-09-15T10:00:00Z","source":"s"}
{"url":"https://example.org/b","title":"Embassy denies spying claims","text":"The embassy called the claims of espionage a fabrication and urged the government to stop the slander.","published":"2025-09-16T10:00:00Z","source":"s"}
{"url":"https://example.org/c","title":"MI5 warns about online recruiters","text":"MI5 warned parliamentary staff that foreign intelligence officers were posing as headhunters on LinkedIn.","published":"2025-11-18T10:00:00Z","source":"s"}
`
	rowsPath := filepath.Join(e.dir, "rows.ndjson")
	write(t, rowsPath, rows)
	if out, errs, code := e.wl("import", rowsPath); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	return e
}

func (e *badInputEnv) wl(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	args = append(args, "--config", e.cfg, "--data", e.data)
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBadInput gives commands bad input and checks each answers with a
// specific message saying what to do and a non-zero exit, never a panic.
func TestBadInput(t *testing.T) {
	e := newBadInputEnv(t)
	notAFile := filepath.Join(e.dir, "plain-file")
	write(t, notAFile, "I am a file, not a directory\n")
	badCfg := filepath.Join(e.dir, "bad.yaml")
	write(t, badCfg, "sources:\n  - id: s\n    kind: telepathy\n    url: https://example.org/\n")
	notYAML := filepath.Join(e.dir, "not.yaml")
	write(t, notYAML, "sources: [unclosed\n  - {\n")
	hugeQuery := strings.Repeat("spy OR ", 10000) + "spy"

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string // each must appear in stderr
	}{
		{"missing config", []string{"crawl", "--once", "--config", filepath.Join(e.dir, "nope.yaml")}, 1,
			[]string{"nope.yaml"}},
		{"config with an invalid field", []string{"crawl", "--once", "--config", badCfg}, 1,
			[]string{"bad.yaml:3", "telepathy"}},
		{"config that is not YAML", []string{"sources", "--config", notYAML}, 1,
			[]string{"not.yaml"}},
		{"data dir is a file", []string{"docs", "--data", notAFile}, 1,
			[]string{"plain-file"}},
		{"unknown search format", []string{"search", "spy", "--format", "xml"}, 2,
			[]string{"xml"}},
		{"unknown timeline format", []string{"timeline", "--query", "spy", "--format", "pdf"}, 2,
			[]string{"pdf"}},
		{"unknown import format", []string{"import", notAFile, "--format", "xlsx"}, 2,
			[]string{"xlsx"}},
		{"huge query", []string{"search", hugeQuery}, 2,
			[]string{"query is longer than 4096 bytes"}},
		{"unbalanced quotes", []string{"search", `"Christopher Cash`}, 2,
			[]string{"unbalanced quote", "never closed"}},
		{"unknown command", []string{"crawlz"}, 2,
			[]string{"unknown command", "watchline help"}},
		{"unknown flag", []string{"search", "--frmat", "json", "spy"}, 2,
			[]string{"frmat"}},
		{"unknown alerts subcommand", []string{"alerts", "launch"}, 2,
			[]string{"launch"}},
		// Issue 17: a webhook to an internal address, an Atom file path.
		{"webhook to loopback", []string{"alerts", "add", "--query", "spy", "--webhook", "http://127.0.0.1:9/internal-admin"}, 1,
			[]string{"127.0.0.1 is a loopback address", "alerts_allow_private: true"}},
		{"webhook to cloud metadata", []string{"alerts", "add", "--query", "spy", "--webhook", "http://169.254.169.254/latest/meta-data/"}, 1,
			[]string{"169.254.169.254", "alerts_allow_private: true"}},
		{"atom with a file", []string{"alerts", "add", "--query", "spy", "--atom", "/tmp/victim.xml"}, 2,
			[]string{"--atom takes no file name", "subscription-ID.xml"}},
		{"atom= with a file", []string{"alerts", "add", "--query", "spy", "--atom=../victim.xml"}, 2,
			[]string{"--atom takes no file name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{}, tt.args...)
			if !slices.Contains(args, "--config") {
				args = append(args, "--config", e.cfg)
			}
			if !slices.Contains(args, "--data") {
				args = append(args, "--data", e.data)
			}
			code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
			stderr := errb.String()
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stderr has a stack trace:\n%s", stderr)
			}
			// A rejected query is echoed whole (index.QueryError.Error and
			// the caret display of `search`): reported, not ours to fix.
			if len(stderr) > 4000 && tt.name != "huge query" {
				t.Errorf("stderr is %d bytes; an error should be short", len(stderr))
			}
		})
	}
}

// TestNewerDataDir checks that a data directory written by a newer watchline
// is refused with a message saying what to do, and left untouched.
func TestNewerDataDir(t *testing.T) {
	e := newBadInputEnv(t)
	// Bump the schema version the way a newer build would: SQLite keeps
	// PRAGMA user_version as a big-endian uint32 at offset 60 of the file
	// (the store was closed cleanly, so the WAL is checkpointed).
	db := filepath.Join(e.data, store.DBFile)
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	binary.BigEndian.PutUint32(b[60:64], 999)
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"docs"}, {"search", "spy"}, {"crawl", "--once"}} {
		_, stderr, code := e.wl(cmd...)
		if code != 1 || !strings.Contains(stderr, "newer watchline") || !strings.Contains(stderr, "upgrade watchline") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and a newer-schema message saying to upgrade", cmd, code, stderr)
		}
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if binary.BigEndian.Uint32(after[60:64]) != 999 {
		t.Error("the newer data directory was modified")
	}
}

// TestCorruptIndexRebuilt garbles the index and checks that serve and search
// each notice, say so, rebuild it from the store and answer.
func TestCorruptIndexRebuilt(t *testing.T) {
	e := newBadInputEnv(t)
	if _, stderr, code := e.wl("search", "spy"); code != 0 {
		t.Fatalf("first search: exit %d\n%s", code, stderr)
	}
	dir := filepath.Join(e.data, index.Dir)
	garble(t, dir)
	// serve (and run) own the index: they rebuild a corrupt one from the
	// store, say so, and serve search results from it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	urls := &urlWriter{found: make(chan string, 1)}
	var serveErr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--config", e.cfg, "--data", e.data},
			strings.NewReader(""), urls, &serveErr)
	}()
	var base string
	select {
	case base = <-urls.found:
	case code := <-done:
		t.Fatalf("serve over a corrupt index exited %d before serving:\n%s", code, serveErr.String())
	}
	resp, err := http.Get(base + "api/search?q=LinkedIn")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "https://example.org/c") {
		t.Errorf("search through serve after the rebuild: %d\n%.500s", resp.StatusCode, body)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve: exit %d after stopping, want 0:\n%s", code, serveErr.String())
	}
	if !strings.Contains(serveErr.String(), "search index is damaged; rebuilding it from the store (3 documents)") {
		t.Errorf("serve did not say it rebuilt the index:\n%s", serveErr.String())
	}

	// The search command rebuilds one too.
	garble(t, dir)
	stdout, stderr, code := e.wl("search", "LinkedIn", "--format", "json")
	if code != 0 {
		t.Fatalf("search over a corrupt index: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "search index is damaged; rebuilding it from the store") {
		t.Errorf("no message about the rebuild:\n%s", stderr)
	}
	if !strings.Contains(stdout, "https://example.org/c") {
		t.Errorf("search after the rebuild did not find the document:\n%s", stdout)
	}
}

// garble overwrites every file of the index in dir with junk.
func garble(t *testing.T, dir string) {
	t.Helper()
	garbled := 0
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		garbled++
		return os.WriteFile(path, bytes.Repeat([]byte("garbage\x00\xff"), 64), 0o644)
	})
	if err != nil || garbled == 0 {
		t.Fatalf("garbling %s: %v (%d files)", dir, err, garbled)
	}
}

// urlWriter is serve's standard output: it hands on the first URL printed.
type urlWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	found chan string
	sent  bool
}

func (w *urlWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if i := strings.Index(w.buf.String(), "http://"); i >= 0 && !w.sent {
		if u, _, ok := strings.Cut(w.buf.String()[i:], " "); ok {
			w.sent = true
			w.found <- u
		}
	}
	return len(p), nil
}

// syncBuffer is a bytes.Buffer safe to write from serve's goroutines while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServeBadAddrFailsFirst: a listen address that cannot be used is
// reported before anything slow happens; serve used to rebuild the whole
// search index first (issue 17).
func TestServeBadAddrFailsFirst(t *testing.T) {
	for _, cmd := range []string{"serve", "run"} {
		t.Run(cmd, func(t *testing.T) {
			e := newBadInputEnv(t) // three documents, no index yet
			_, stderr, code := e.wl(cmd, "--addr", "256.0.0.1:99999")
			if code == 0 || !strings.Contains(stderr, "256.0.0.1:99999") {
				t.Errorf("exit %d, stderr %q; want a failure naming the address", code, stderr)
			}
			if index.Exists(e.data) {
				t.Errorf("the search index was built before the address was checked")
			}
		})
	}
}

// TestListingsEscapeControlCharacters: names and titles come from users and
// pages; a text listing prints each on its own line with CR, LF, tabs,
// terminal escapes and bidi overrides made visible, never sent as is
// (issue 17: `alerts list` printed CR/LF from names).
func TestListingsEscapeControlCharacters(t *testing.T) {
	e := newBadInputEnv(t)
	evil := "desk\r\nID  NAME  forged row\x1b[2J\tx\u202egnp.exe"
	if _, stderr, code := e.wl("alerts", "add", "--query", "spy", "--atom", "--name", evil); code != 0 {
		t.Fatalf("alerts add: exit %d\n%s", code, stderr)
	}
	rows := filepath.Join(e.dir, "evil.ndjson")
	write(t, rows, `{"url":"https://example.org/evil","title":"Spy\u001b]0;pwned\u0007 case\u202e","text":"A report about the spy case.","source":"s"}`+"\n")
	if _, stderr, code := e.wl("import", rows); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	for _, args := range [][]string{{"alerts", "list"}, {"docs"}} {
		out, stderr, code := e.wl(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
		for _, bad := range []string{"\r", "\x1b", "\x07", "\u202e", "\t"} {
			if strings.Contains(out, bad) {
				t.Errorf("%v prints %q as is:\n%q", args, bad, out)
			}
		}
		if strings.Contains(out, "\nID  NAME  forged") {
			t.Errorf("%v: a name started a line of its own:\n%s", args, out)
		}
	}
	out, _, _ := e.wl("alerts", "list")
	if !strings.Contains(out, `desk\r\nID  NAME  forged row\x1b[2J\tx\u202egnp.exe`) {
		t.Errorf("alerts list does not show the name with its control characters escaped:\n%s", out)
	}
}
