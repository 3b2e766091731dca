package main

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/store/postgres"
	"github.com/watchline/watchline/store/postgres/pgtest"
)

// multiNodeQueries are the alert subscriptions of TestManyNodesOnePostgres.
var multiNodeQueries = []string{`China`, `MI5 OR espionage`}

// TestManyNodesOnePostgres runs watchline as a newsroom would past one
// machine: three `crawl` processes and two `serve` nodes over one PostgreSQL
// store and the loopback demo site, each process with a data directory of its
// own. One crawler is killed with SIGKILL while it crawls. Then:
//   - every article is stored exactly once: the same documents, under the
//     same URLs, as one crawler alone stores;
//   - both serve nodes, each searching its own index, answer the same
//     searches with the same document ids;
//   - every alert is delivered once: each matching story reaches the webhook,
//     each delivery (idempotency key) arrives once, and no document is
//     alerted under two keys, although both nodes run delivery.
func TestManyNodesOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts five watchline processes and kills one")
	}
	pgURL := pgtest.URL(t)
	bin := buildBinary(t)
	cfgPath := demoSite(t)
	// A per-host delay of 100 ms, which every crawler must respect together,
	// makes the crawl last long enough to kill a crawler in the middle of it;
	// a 5 s request timeout bounds how long its turn at the host outlives it.
	cfgText, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfgText = []byte(strings.ReplaceAll(string(cfgText), "delay: 0s", "delay: 100ms"))
	cfgText = []byte(strings.Replace(string(cfgText), "max_body: 10MiB}", "max_body: 10MiB, timeout: 5s}", 1))
	if err := os.WriteFile(cfgPath, cfgText, 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	refData := filepath.Join(dir, "ref")
	if code, _, errs := runCLI(t, "crawl", "--once", "--config", cfgPath, "--data", refData); code != 0 {
		t.Fatalf("reference crawl: exit %d\n%s", code, errs)
	}
	want := storedDocs(t, refData)

	recv := &receiver{byKey: map[string]int{}, keysOf: map[subDoc]map[string]bool{}}
	hook := httptest.NewServer(recv)
	defer hook.Close()
	for _, q := range multiNodeQueries {
		if out, err := exec.Command(bin, "alerts", "add", "--store", pgURL, "--data", filepath.Join(dir, "admin"),
			"--config", cfgPath, "--query", q, "--webhook", hook.URL+"/hook").CombinedOutput(); err != nil {
			t.Fatalf("alerts add: %v\n%s", err, out)
		}
	}

	var nodes []string
	for i := range 2 {
		p := startRun(t, bin, []string{"serve", "--store", pgURL, "--data", filepath.Join(dir, "node", string(rune('a'+i))),
			"--config", cfgPath, "--addr", "127.0.0.1:0", "--tick", "200ms"})
		defer stopProc(t, p)
		select {
		case u := <-p.url:
			nodes = append(nodes, strings.TrimSuffix(u, "/"))
		case <-p.exited:
			t.Fatalf("serve exited (%v):\n%s", p.err, p.stderr())
		case <-time.After(60 * time.Second):
			t.Fatalf("serve did not start:\n%s", p.stderr())
		}
	}
	var crawlers []*runProc
	for i := range 3 {
		// Each crawler names itself as a machine of its own: the killed
		// one's leases cannot be known dead and must run out (--lease 2s), as
		// they must when a crawler on another machine dies.
		p := startRun(t, bin, []string{"crawl", "--store", pgURL, "--data", filepath.Join(dir, "crawler", string(rune('a'+i))),
			"--config", cfgPath, "--tick", "300ms", "--lease", "2s"}, store.EnvNode+"=machine-"+string(rune('a'+i)))
		crawlers = append(crawlers, p)
		if i > 0 {
			defer stopProc(t, p)
		}
	}
	// Kill the first crawler as soon as it has finished a source: it is
	// then in the middle of its crawl, holding the next source's lease.
	victim := crawlers[0]
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(victim.stderr(), " listed, ") {
		if time.Now().After(deadline) {
			t.Fatalf("the first crawler crawled nothing in 60s:\n%s", victim.stderr())
		}
		select {
		case <-victim.exited:
			t.Fatalf("crawler exited (%v):\n%s", victim.err, victim.stderr())
		case <-time.After(20 * time.Millisecond): // polling its output
		}
	}
	victim.cmd.Process.Signal(syscall.SIGKILL)
	<-victim.exited
	t.Logf("killed a crawler after: %s", victim.lastLine())

	// Wait until the store holds the whole corpus, both nodes have indexed
	// it, and every matching story was delivered.
	deadline = time.Now().Add(120 * time.Second)
	var state string
	for {
		var done bool
		done, state = multiNodeCaughtUp(t, pgURL, nodes, len(want), recv)
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not caught up after 120s: %s", state)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition, not timing
	}
	t.Logf("caught up: %s", state)

	got := pgDocs(t, pgURL)
	if urlSet(got) != urlSet(want) || len(got) != len(want) {
		t.Errorf("the crawlers stored %d documents, one crawler alone %d, or under other URLs", len(got), len(want))
	}
	for _, q := range []string{"China", `"Official Secrets Act"`, "embassy OR ministry", "*"} {
		var ids [][]int64
		for _, n := range nodes {
			var res struct {
				Hits []struct {
					ID int64 `json:"id"`
				} `json:"hits"`
			}
			if err := getJSON(n+"/api/search?limit=100&q="+url.QueryEscape(q), &res); err != nil {
				t.Fatal(err)
			}
			var s []int64
			for _, h := range res.Hits {
				s = append(s, h.ID)
			}
			ids = append(ids, s)
		}
		if len(ids[0]) == 0 || !slices.Equal(ids[0], ids[1]) {
			t.Errorf("search %s: node a %v, node b %v; want the same, non-empty", q, ids[0], ids[1])
		}
	}
	// One node built the events (the leader); each document is in one.
	st, err := postgres.Open(context.Background(), pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	events, members := 0, map[int64]int{}
	if err := st.EachEvent(context.Background(), store.EventFilter{}, func(e model.Event) error {
		events++
		for _, id := range e.DocumentIDs {
			members[id]++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if events == 0 {
		t.Error("no events were built")
	}
	for id, n := range members {
		if n > 1 {
			t.Errorf("document %d is in %d events", id, n)
		}
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	for key, n := range recv.byKey {
		if n != 1 {
			t.Errorf("delivery %s arrived %d times, want once", key, n)
		}
	}
	for sd, keys := range recv.keysOf {
		if len(keys) != 1 {
			t.Errorf("%q: document %d alerted under %d keys, want one", sd.query, sd.doc, len(keys))
		}
	}
}

// multiNodeCaughtUp reports whether the store holds want documents, every
// node has indexed them all, and every story matching an alert query was
// delivered.
func multiNodeCaughtUp(t *testing.T, pgURL string, nodes []string, want int, recv *receiver) (bool, string) {
	docs := pgDocs(t, pgURL)
	roots := rootsOf(docs)
	var states []string
	done := len(docs) == want
	for _, n := range nodes {
		var all struct {
			Total int `json:"total"`
		}
		if err := getJSON(n+"/api/search?limit=1&q=*", &all); err != nil {
			return false, err.Error()
		}
		states = append(states, strings.TrimPrefix(n, "http://")+" indexed "+strconv.Itoa(all.Total))
		done = done && all.Total == want
	}
	missing, total := 0, 0
	for _, q := range multiNodeQueries {
		var matching struct {
			Hits []struct {
				ID int64 `json:"id"`
			} `json:"hits"`
		}
		if err := getJSON(nodes[0]+"/api/search?limit=1000&q="+url.QueryEscape(q), &matching); err != nil {
			return false, err.Error()
		}
		alerted := map[int64]bool{}
		for id := range recv.alerted(q) {
			alerted[roots[id]] = true
		}
		for _, h := range matching.Hits {
			total++
			if !alerted[roots[h.ID]] {
				missing++
			}
		}
	}
	done = done && total > 0 && missing == 0
	return done, strconv.Itoa(len(docs)) + "/" + strconv.Itoa(want) + " stored; " + strings.Join(states, ", ") +
		"; " + strconv.Itoa(missing) + " of " + strconv.Itoa(total) + " matches not yet alerted"
}

// stopProc stops a child with SIGTERM and waits for it.
func stopProc(t *testing.T, p *runProc) {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
		t.Errorf("%s did not stop within 30s of SIGTERM:\n%s", p.cmd.Args[1], p.stderr())
	}
}
