package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func doc(url, text string) *model.Document {
	return &model.Document{
		URL: url, CanonicalURL: url, SourceID: "src", Title: "t " + text, Text: text,
		ContentHash: fmt.Sprintf("%x", sha256.Sum256([]byte(text))),
		Published:   time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC), Fetched: time.Date(2025, 9, 16, 0, 0, 0, 0, time.UTC),
	}
}

func TestPutDocumentOutcomes(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	steps := []struct {
		name         string
		d            *model.Document
		want         PutOutcome
		wantSeq      int64 // 0: seq must not change from the document's previous one
		wantVersions int
	}{
		{"new", doc("https://a.example/1", "case dropped"), Inserted, 1, 1},
		{"same again", doc("https://a.example/1", "case dropped"), Unchanged, 0, 1},
		{"another new", doc("https://a.example/2", "embassy responds"), Inserted, 2, 1},
		{"edited text", doc("https://a.example/1", "case dropped, minister says"), Updated, 3, 2},
		{"same text other url", doc("https://b.example/x", "embassy responds"), Aliased, 0, 1},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			got, err := st.PutDocument(ctx, s.d, Raw{ContentType: "text/html", Body: []byte("<p>" + s.d.Text + "</p>")})
			if err != nil {
				t.Fatal(err)
			}
			if got != s.want {
				t.Errorf("outcome = %v, want %v", got, s.want)
			}
			if s.wantSeq != 0 && s.d.Seq != s.wantSeq {
				t.Errorf("seq = %d, want %d", s.d.Seq, s.wantSeq)
			}
			stored, err := st.Document(ctx, s.d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Versions != s.wantVersions {
				t.Errorf("versions = %d, want %d", stored.Versions, s.wantVersions)
			}
		})
	}
	d, err := st.DocumentByURL(ctx, "https://b.example/x")
	if err != nil {
		t.Fatal(err)
	}
	if d.CanonicalURL != "https://a.example/2" || len(d.URLs) != 2 {
		t.Errorf("alias: got %s with urls %v, want a.example/2 known under 2 urls", d.CanonicalURL, d.URLs)
	}
	vs, err := st.Versions(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Text != "case dropped" || vs[1].Text != "case dropped, minister says" {
		t.Errorf("versions = %+v", vs)
	}
	raw, err := st.RawPage(ctx, 1, 1)
	if err != nil || string(raw.Body) != "<p>case dropped</p>" || raw.ContentType != "text/html" {
		t.Errorf("raw page v1 = %q %q, %v", raw.Body, raw.ContentType, err)
	}
	raw, err = st.RawPage(ctx, 1, 0)
	if err != nil || string(raw.Body) != "<p>case dropped, minister says</p>" {
		t.Errorf("latest raw page = %q, %v", raw.Body, err)
	}
	first, _ := st.Document(ctx, 1)
	if !first.Published.Equal(time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("published changed on update: %v", first.Published)
	}
}

// TestPutDocumentsBatch stores, in one batch, what PutDocument stores one
// at a time: later documents see earlier ones, relinks and validators are
// committed with their document, and seqs stay strictly increasing.
func TestPutDocumentsBatch(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	old := doc("https://a.example/old", "an original that turns out to be a copy")
	if _, err := st.PutDocument(ctx, old, Raw{}); err != nil {
		t.Fatal(err)
	}
	earlier := doc("https://a.example/earlier", "the real original, published first")
	puts := []Put{
		{Doc: doc("https://a.example/1", "case dropped"), ValidatorsURL: "https://a.example/1", Validators: Validators{ETag: `"v1"`}},
		{Doc: doc("https://a.example/1", "case dropped, minister says")},
		{Doc: doc("https://b.example/x", "case dropped, minister says")},
		{Doc: earlier, Relink: []Relink{{From: old.ID, Similarity: 0.8}}},
	}
	if err := st.PutDocuments(ctx, puts); err != nil {
		t.Fatal(err)
	}
	want := []PutOutcome{Inserted, Updated, Aliased, Inserted}
	for i, p := range puts {
		if p.Outcome != want[i] {
			t.Errorf("put %d: outcome %v, want %v", i, p.Outcome, want[i])
		}
	}
	if puts[3].Relinked != 1 {
		t.Errorf("relinked = %d, want 1", puts[3].Relinked)
	}
	if d, _ := st.Document(ctx, old.ID); d.DuplicateOf != earlier.ID || d.Seq <= earlier.Seq {
		t.Errorf("old document: duplicate of %d at seq %d; want %d after seq %d", d.DuplicateOf, d.Seq, earlier.ID, earlier.Seq)
	}
	if v, _ := st.Validators(ctx, "https://a.example/1"); v.ETag != `"v1"` {
		t.Errorf("validators = %+v", v)
	}
	docs, err := st.DocumentsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(docs); i++ {
		if docs[i].Seq <= docs[i-1].Seq {
			t.Errorf("seqs not increasing: %d then %d", docs[i-1].Seq, docs[i].Seq)
		}
	}
	if len(docs) != 3 {
		t.Errorf("%d documents in the log, want 3", len(docs))
	}
	// A batch that fails stores none of it.
	dangling := doc("https://a.example/3", "a copy of nothing")
	dangling.DuplicateOf = 9999 // no such document: the insert fails in the transaction
	bad := []Put{{Doc: doc("https://a.example/2", "fine")}, {Doc: dangling}}
	if err := st.PutDocuments(ctx, bad); err == nil {
		t.Fatal("a document linked to a missing one was accepted")
	}
	if known, _ := st.KnownURL(ctx, "https://a.example/2"); known {
		t.Error("a failed batch kept its first document")
	}
}

func TestDocumentsAfterIsTheLog(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	for i := range 5 {
		if _, err := st.PutDocument(ctx, doc(fmt.Sprintf("https://a.example/%d", i), fmt.Sprint("text ", i)), Raw{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.DeleteDocument(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteDocument(ctx, 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	docs, err := st.DocumentsAfter(ctx, 3, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%d:%d:%v", d.Seq, d.ID, d.Deleted))
	}
	want := "4:4:false 5:5:false 6:2:true"
	if strings.Join(got, " ") != want {
		t.Errorf("log after 3 = %v, want %s", got, want)
	}
	n, err := st.CountDocuments(ctx, DocFilter{})
	if err != nil || n != 4 {
		t.Errorf("count = %d, %v; want 4 live documents", n, err)
	}
	if max, _ := st.MaxSeq(ctx); max != 6 {
		t.Errorf("max seq = %d, want 6", max)
	}
}

func TestCursorsAndHealth(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	if c, err := st.Cursor(ctx, "index"); err != nil || c != 0 {
		t.Fatalf("fresh cursor = %d, %v", c, err)
	}
	st.SetCursor(ctx, "index", 7)
	st.SetCursor(ctx, "index", 9)
	if c, _ := st.Cursor(ctx, "index"); c != 9 {
		t.Errorf("cursor = %d, want 9", c)
	}
	h := model.SourceHealth{SourceID: "cps", LastError: "HTTP 404 Not Found", ConsecutiveFailures: 2,
		LastAttempt: time.Unix(1700000000, 0).UTC(), Interval: 30 * time.Minute}
	if err := st.SaveSourceHealth(ctx, h); err != nil {
		t.Fatal(err)
	}
	got, err := st.SourceHealth(ctx, "cps")
	if err != nil || got != h {
		t.Errorf("health = %+v, %v; want %+v", got, err, h)
	}
	if err := st.SetValidators(ctx, "https://x/feed", Validators{ETag: `"abc"`}); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Validators(ctx, "https://x/feed"); v.ETag != `"abc"` {
		t.Errorf("etag = %q", v.ETag)
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
