package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
)

func doc(url, text string) *model.Document {
	return &model.Document{
		URL: url, CanonicalURL: url, SourceID: "src", Title: "t " + text, Text: text,
		ContentHash: fmt.Sprintf("%x", sha256.Sum256([]byte(text))),
		Published:   time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC), Fetched: time.Date(2025, 9, 16, 0, 0, 0, 0, time.UTC),
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	st.db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+5))
	st.Close()
	_, err = Open(ctx, dir)
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "upgrade watchline") {
		t.Errorf("open newer data dir: %v, want ErrNewerSchema saying to upgrade", err)
	}
}

func TestNotADatabase(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/"+DBFile, []byte(strings.Repeat("this is not sqlite ", 100)), 0o644)
	_, err := Open(context.Background(), dir)
	if err == nil {
		t.Fatal("opened a file that is not a database")
	}
}

// TestCrashMidWrite kills a writer process with SIGKILL while it stores
// documents, one per transaction in rounds 0–2 and in PutDocuments batches
// (with validators) in rounds 3–4, then checks that every document it
// reported committed is there, exactly once, that every batch was kept whole
// or not at all, and that the database is intact.
func TestCrashMidWrite(t *testing.T) {
	dir := t.TempDir()
	for round := range 5 {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "WATCHLINE_STORE_CRASH_CHILD="+dir, fmt.Sprintf("WATCHLINE_STORE_CRASH_ROUND=%d", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		committed := map[int64]bool{}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
				n, _ := strconv.ParseInt(id, 10, 64)
				committed[n] = true
				if len(committed) == 40+round*17 {
					cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
		}
		cmd.Wait()
		if len(committed) == 0 {
			t.Fatal("child committed nothing")
		}
		st, err := Open(context.Background(), dir)
		if err != nil {
			t.Fatalf("reopen after kill: %v", err)
		}
		if err := st.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		for id := range committed {
			if _, err := st.Document(context.Background(), id); err != nil {
				t.Errorf("round %d: committed document %d lost: %v", round, id, err)
			}
		}
		var dupURLs, seqs, docs int
		st.db.QueryRow("SELECT COUNT(*) - COUNT(DISTINCT canonical_url), COUNT(DISTINCT seq), COUNT(*) FROM documents").Scan(&dupURLs, &seqs, &docs)
		if dupURLs != 0 || seqs != docs {
			t.Errorf("round %d: %d duplicate urls, %d seqs for %d documents", round, dupURLs, seqs, docs)
		}
		// Every batch is whole or absent: its versions and its validators.
		rows, err := st.db.Query(`SELECT substr(text, 1, instr(text, ' item ')) AS b, COUNT(*) FROM document_versions
			WHERE text LIKE '% batch % item %' GROUP BY b`)
		if err != nil {
			t.Fatal(err)
		}
		batches := 0
		for rows.Next() {
			var b string
			var n int
			rows.Scan(&b, &n)
			batches++
			if n != crashBatch {
				t.Errorf("round %d: %q has %d of its %d versions", round, b, n, crashBatch)
			}
		}
		rows.Close()
		var partial int
		st.db.QueryRow(`SELECT COUNT(*) FROM (SELECT COUNT(*) AS n FROM http_cache WHERE url LIKE 'https://crash.example/v/%'
			GROUP BY substr(url, 1, length(url) - 2) HAVING n != ?)`, crashBatch).Scan(&partial)
		if partial != 0 {
			t.Errorf("round %d: %d batches kept part of their validators", round, partial)
		}
		if round >= 3 && batches == 0 {
			t.Errorf("round %d: no batch committed", round)
		}
		st.Close()
	}
}

// TestMain turns the test binary into the writer TestCrashMidWrite kills when
// it is started as that test's child.
func TestMain(m *testing.M) {
	if dir := os.Getenv("WATCHLINE_STORE_CRASH_CHILD"); dir != "" {
		crashWriter(dir, os.Getenv("WATCHLINE_STORE_CRASH_ROUND"))
		return
	}
	os.Exit(m.Run())
}

// crashWriter stores documents until it is killed, printing each id once it is
// committed. Every round rewrites the same URLs, so a replay after a crash must
// not duplicate anything.
func crashWriter(dir, round string) {
	st, err := Open(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	body := []byte(strings.Repeat("<p>padding so writes take a while</p>", 200))
	if round >= "3" {
		crashBatches(st, round, body)
		return
	}
	for i := 0; ; i++ {
		d := doc(fmt.Sprintf("https://crash.example/%d", i%120), fmt.Sprintf("round %s text %d", round, i%150))
		if _, err := st.PutDocument(context.Background(), d, Raw{Body: body}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("committed %d\n", d.ID)
	}
}

// crashBatch is the size of the batches crashBatches writes.
const crashBatch = 7

// crashBatches stores batches of crashBatch documents, each with its own
// validators, until it is killed, printing the ids of a batch once it is
// committed.
func crashBatches(st *Store, round string, body []byte) {
	for b := 0; ; b++ {
		var puts []Put
		for j := range crashBatch {
			i := b*crashBatch + j
			d := doc(fmt.Sprintf("https://crash.example/%d", i%120), fmt.Sprintf("round %s batch %d item %d", round, b, j))
			puts = append(puts, Put{Doc: d, Raw: Raw{Body: body},
				ValidatorsURL: fmt.Sprintf("https://crash.example/v/%s-%d/%d", round, b, j), Validators: Validators{ETag: `"x"`}})
		}
		if err := st.PutDocuments(context.Background(), puts); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, p := range puts {
			fmt.Printf("committed %d\n", p.Doc.ID)
		}
	}
}

// TestDecodeList checks that lists of strings read back exactly as
// json.Unmarshal reads them (nil and empty lists included), whatever the
// column holds.
func TestDecodeList(t *testing.T) {
	cols := []string{"", "[]", "null", `[""]`, `["",""]`, `[","]`, `["a"]`, `["a","b","c"]`, `["a" ,"b"]`, `["a",]`,
		`[ "a"]`, `["a\"b"]`, `["a\\b"]`, `["\u00e9t\u00e9"]`, `["été","日本"]`, "[\"a\tb\"]", "[\"\xff\"]", `["<&>"]`,
		`["\u003c"]`, `[1,2]`, `{"a":1}`, `["a"`, `"a"]`, `["]`, `[""]]`}
	for _, xs := range [][]string{nil, {}, {"x"}, {"Jane Doe", "John Roe"}, {`q"uote`, `back\slash`, "<tag>", "tab\t", "é"}} {
		cols = append(cols, jsonList(xs))
	}
	for _, c := range cols {
		var want []string
		json.Unmarshal([]byte(c), &want)
		if got := decodeList(c); !reflect.DeepEqual(got, want) {
			t.Errorf("decodeList(%q) = %#v, want %#v", c, got, want)
		}
	}
}
