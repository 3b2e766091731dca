package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/pipeline"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/store/postgres"
	"github.com/watchline/watchline/store/postgres/pgtest"
	"github.com/watchline/watchline/synth"
	"github.com/watchline/watchline/timeline"
)

// binary builds watchline once per test binary run.
var builtBinary struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

func buildBinary(t testing.TB) string {
	t.Helper()
	builtBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "watchline-bin")
		if err != nil {
			builtBinary.err = err
			return
		}
		builtBinary.path = filepath.Join(dir, "watchline")
		builtBinary.out, builtBinary.err = exec.Command("go", "build", "-o", builtBinary.path, ".").CombinedOutput()
	})
	if builtBinary.err != nil {
		t.Fatalf("go build: %v\n%s", builtBinary.err, builtBinary.out)
	}
	return builtBinary.path
}

// demoSite serves the demo corpus on loopback and writes its feeds.yaml.
func demoSite(t *testing.T) (cfgPath string) {
	t.Helper()
	site, err := demo.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { site.Close() })
	cfgPath = filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(cfgPath, []byte(demo.Config(site.URL())), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfgPath
}

// searchIDs runs `watchline search --format json` and returns the hits' ids.
func searchIDs(t *testing.T, args ...string) []int64 {
	t.Helper()
	code, out, errs := runCLI(t, append([]string{"search", "--format", "json", "--limit", "100"}, args...)...)
	if code != 0 {
		t.Fatalf("search %v: exit %d: %s", args, code, errs)
	}
	var res struct {
		Hits []struct {
			ID int64 `json:"id"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search output: %v\n%s", err, out)
	}
	var ids []int64
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func pgDocs(t *testing.T, url string) []model.Document {
	t.Helper()
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var ds []model.Document
	if err := st.EachDocument(context.Background(), store.DocFilter{IncludeDeleted: true}, func(d model.Document) error {
		ds = append(ds, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestTwoCrawlsOnePostgres starts two `watchline crawl --once` processes at
// the same moment over one feeds.yaml, sharing a PostgreSQL store, each with
// a data directory of its own: every article is stored once (the same set as
// one crawler alone stores), and `watchline search` from either data
// directory answers with the same documents.
func TestTwoCrawlsOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two crawler processes")
	}
	url := pgtest.URL(t)
	bin := buildBinary(t)
	cfgPath := demoSite(t)
	dir := t.TempDir()

	// The reference: one crawler alone, embedded store.
	refData := filepath.Join(dir, "ref")
	if code, _, errs := runCLI(t, "crawl", "--once", "--config", cfgPath, "--data", refData); code != 0 {
		t.Fatalf("reference crawl: exit %d\n%s", code, errs)
	}
	want := storedDocs(t, refData)

	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "crawl", "--once", "--config", cfgPath, "--store", url,
				"--data", filepath.Join(dir, "node", string(rune('a'+i))))
			outs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("crawler %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	got := pgDocs(t, url)
	canon := func(ds []model.Document) []string {
		var us []string
		for _, d := range ds {
			us = append(us, d.CanonicalURL)
		}
		slices.Sort(us)
		return us
	}
	if g, w := canon(got), canon(want); !slices.Equal(g, w) {
		t.Errorf("two crawlers stored %d documents, one alone %d:\n got %v\nwant %v", len(g), len(w), g, w)
	}
	if urlSet(got) != urlSet(want) {
		t.Errorf("documents are known under other URLs than with one crawler")
	}
	// Each source was crawled by exactly one of them.
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range cfg.Sources {
		n := 0
		for _, out := range outs {
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(line, src.ID+": ") {
					n++
				}
			}
		}
		if n != 1 {
			t.Errorf("source %s crawled %d times by the two crawlers, want once:\n%s\n%s", src.ID, n, outs[0], outs[1])
		}
	}

	for _, q := range []string{"China", `"Official Secrets Act"`, "embassy OR ministry"} {
		a := searchIDs(t, "--store", url, "--data", filepath.Join(dir, "node", "a"), q)
		b := searchIDs(t, "--store", url, "--data", filepath.Join(dir, "node", "b"), q)
		if len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("search %s: node a %v, node b %v; want the same, non-empty", q, a, b)
		}
	}
}

// TestMigrateCommand copies an embedded archive into PostgreSQL and searches
// it there: the same documents answer.
func TestMigrateCommand(t *testing.T) {
	url := pgtest.URL(t)
	dir := searchFixture(t)
	code, out, errs := runCLI(t, "migrate", "--data", dir, "--to", url)
	if code != 0 || !strings.Contains(out, "3 documents") {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, out, errs)
	}
	want := searchIDs(t, "--data", dir, "spy")
	got := searchIDs(t, "--store", url, "--data", t.TempDir(), "spy")
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("after migrate, search gives %v; before, %v", got, want)
	}
	if code, _, errs := runCLI(t, "migrate", "--data", dir, "--to", url); code == 0 || !strings.Contains(errs, "empty database") {
		t.Errorf("a second migrate into the same database: exit %d, %s", code, errs)
	}
	if code, _, errs := runCLI(t, "migrate", "--data", dir, "--to", "mysql://x"); code != 2 || !strings.Contains(errs, "postgres://") {
		t.Errorf("migrate to a non-PostgreSQL URL: exit %d, %s", code, errs)
	}
	if code, _, errs := runCLI(t, "search", "--store", "sqlite:///x", "--data", dir, "spy"); code != 2 || !strings.Contains(errs, "postgres://") {
		t.Errorf("--store with a non-PostgreSQL URL: exit %d, %s", code, errs)
	}
}

// TestEventsLeaveClusteringToTheLeader: on a shared store, `watchline
// events` and `timeline` must not run a clusterer beside the serve or run
// node that holds the leader lease: they read the events as that node left
// them and say so. With the lease free they catch up themselves and give the
// lease back.
func TestEventsLeaveClusteringToTheLeader(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var puts []store.Put
	if err := synth.Generate(7, 40, func(d model.Document) error {
		puts = append(puts, store.Put{Doc: &d})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutDocuments(ctx, puts); err != nil {
		t.Fatal(err)
	}
	take := func() bool {
		now := time.Now()
		ok, err := st.AcquireLease(ctx, pipeline.LeaderLease, "serving-node", now, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !take() {
		t.Fatal("the serving node cannot take the free leader lease")
	}
	data := t.TempDir()
	for _, args := range [][]string{{"events", "list", "--format", "json"}, {"timeline", "--format", "json"}} {
		code, _, errs := runCLI(t, append(args, "--store", url, "--data", data)...)
		if code != 0 || !strings.Contains(errs, "events come from the running node") {
			t.Errorf("%v while another node leads: exit %d, stderr %q; want 0 and a note that the events come from it", args, code, errs)
		}
	}
	if cur, _ := st.Cursor(ctx, timeline.CursorName); cur != 0 {
		t.Errorf("the CLI clustered (cursor %d) while another node held the leader lease", cur)
	}
	if code, _, errs := runCLI(t, "events", "rebuild", "--store", url, "--data", data); code == 0 || !strings.Contains(errs, "leader lease") {
		t.Errorf("events rebuild while another node leads: exit %d, %q; want a refusal", code, errs)
	}

	if err := st.ReleaseLease(ctx, pipeline.LeaderLease, "serving-node"); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "events", "list", "--format", "json", "--store", url, "--data", data)
	if code != 0 || strings.Contains(errs, "events come from the running node") || !strings.Contains(out, `"id"`) {
		t.Fatalf("events list with the lease free: exit %d\n%s\n%s", code, out, errs)
	}
	maxSeq, _ := st.MaxSeq(ctx)
	if cur, _ := st.Cursor(ctx, timeline.CursorName); cur != maxSeq {
		t.Errorf("with the lease free the CLI caught up to %d, the store is at %d", cur, maxSeq)
	}
	if !take() {
		t.Errorf("the CLI kept the leader lease after it caught up")
	}
}
