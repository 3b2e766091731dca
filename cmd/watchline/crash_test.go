package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// crashAlertQueries are the subscriptions' queries: each matches a good
// share of the demo corpus, so there is delivery work to interrupt.
var crashAlertQueries = []string{`China`, `MI5`, `Russia OR Russian`, `spy OR espionage`}

// TestCrashRestart runs `watchline run` as a child process against the demo
// corpus, kills it with SIGKILL at random moments many times (seeded, so a
// failure can be replayed with WATCHLINE_CRASH_SEED), lets a last run finish
// and stop cleanly, and checks that nothing was lost or duplicated: the store
// holds every document exactly once, the index agrees with the store, every
// event's documents exist, and every matching document was alerted under one
// idempotency key.
func TestCrashRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it about twenty times")
	}
	seed := uint64(20251125)
	if s := os.Getenv("WATCHLINE_CRASH_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6b696c6c))
	t.Logf("seed %d (set WATCHLINE_CRASH_SEED to replay)", seed)

	bin := filepath.Join(t.TempDir(), "watchline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	site, err := demo.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	recv := &receiver{byKey: map[string]int{}, keysOf: map[subDoc]map[string]bool{}}
	hook := httptest.NewServer(recv)
	defer hook.Close()

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfgPath, []byte(demo.Config(site.URL())), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")

	// The reference: the same corpus crawled once, in process, undisturbed.
	refData := filepath.Join(dir, "ref")
	var refErr bytes.Buffer
	if code := run(context.Background(), []string{"crawl", "--once", "--config", cfgPath, "--data", refData},
		strings.NewReader(""), io.Discard, &refErr); code != 0 {
		t.Fatalf("reference crawl: exit %d\n%s", code, refErr.String())
	}
	want := storedDocs(t, refData)

	for _, q := range crashAlertQueries {
		if out, err := exec.Command(bin, "alerts", "add", "--data", data, "--config", cfgPath,
			"--query", q, "--webhook", hook.URL+"/hook").CombinedOutput(); err != nil {
			t.Fatalf("alerts add: %v\n%s", err, out)
		}
	}

	args := []string{"run", "--data", data, "--config", cfgPath, "--addr", "127.0.0.1:0", "--tick", "200ms"}
	const maxKills = 20
	killPhase := time.Now()
	kills := 0
	for kills < maxKills && time.Since(killPhase) < 60*time.Second {
		p := startRun(t, bin, args)
		// Most kills land while the process works (counted from when it
		// serves, which is when its loops start); one in four during start-up.
		during := "work"
		if rng.IntN(4) > 0 {
			select {
			case <-p.url:
			case <-p.exited:
				t.Fatalf("run exited by itself before kill %d (%v):\n%s", kills+1, p.err, p.stderr())
			case <-time.After(30 * time.Second):
				t.Fatalf("run never said where it serves:\n%s", p.stderr())
			}
		} else {
			during = "start-up"
		}
		delay := 50*time.Millisecond + time.Duration(rng.Int64N(int64(1950*time.Millisecond)))
		select {
		case <-time.After(delay):
		case <-p.exited:
			t.Fatalf("run exited by itself before kill %d (%v):\n%s", kills+1, p.err, p.stderr())
		}
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("kill: %v", err)
		}
		<-p.exited
		kills++
		t.Logf("kill %2d %4dms into %-8s last log: %s", kills, delay.Milliseconds(), during+";", p.lastLine())
	}

	mid := storedDocs(t, data)
	t.Logf("after %d kills in %s: %d of %d documents stored, %d deliveries received",
		kills, time.Since(killPhase).Round(time.Millisecond), len(mid), len(want), recv.deliveries())

	// The last run goes until every document is stored, indexed and alerted,
	// then stops cleanly.
	p := startRun(t, bin, args)
	var base string
	select {
	case base = <-p.url:
	case <-p.exited:
		t.Fatalf("final run exited early (%v):\n%s", p.err, p.stderr())
	case <-time.After(30 * time.Second):
		t.Fatalf("final run never said where it serves:\n%s", p.stderr())
	}
	deadline := time.Now().Add(60 * time.Second)
	var lastState string
	for {
		done, state := caughtUp(base, len(want), recv)
		if done {
			break
		}
		if state != lastState {
			t.Logf("waiting: %s", state)
			lastState = state
		}
		if time.Now().After(deadline) {
			p.cmd.Process.Signal(syscall.SIGKILL)
			<-p.exited
			t.Fatalf("final run did not catch up in 60s: %s\n%s", state, p.stderr())
		}
		select {
		case <-p.exited:
			t.Fatalf("final run exited (%v):\n%s", p.err, p.stderr())
		case <-time.After(100 * time.Millisecond): // polling a condition, not timing
		}
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
		t.Fatalf("run did not stop within 30s of SIGTERM:\n%s", p.stderr())
	}
	if p.err != nil || !strings.Contains(p.stderr(), "stopped cleanly") {
		t.Errorf("final run: exit %v, want a clean stop:\n%s", p.err, p.stderr())
	}

	// Every document exactly once.
	got := storedDocs(t, data)
	if len(got) != len(want) {
		t.Errorf("store holds %d documents, the undisturbed crawl %d", len(got), len(want))
	}
	canon := map[string]int{}
	for _, d := range got {
		canon[d.CanonicalURL]++
	}
	for u, n := range canon {
		if n > 1 {
			t.Errorf("canonical URL %s stored %d times", u, n)
		}
	}
	if g, w := urlSet(got), urlSet(want); g != w {
		t.Errorf("URLs stored differ from the undisturbed crawl:\ngot  %s\nwant %s", g, w)
	}

	ctx := context.Background()
	st, err := store.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The index agrees with the store.
	ix, err := index.Open(data)
	if err != nil {
		t.Fatalf("open index after the last run: %v", err)
	}
	defer ix.Close()
	n, err := ix.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := ix.IDs(ctx, index.Request{Query: "*"})
	if err != nil {
		t.Fatal(err)
	}
	storeIDs := map[int64]bool{}
	for _, d := range got {
		storeIDs[d.ID] = true
	}
	indexIDs := map[int64]bool{}
	for _, id := range ids {
		indexIDs[id] = true
		if !storeIDs[id] {
			t.Errorf("index holds document %d, which the store does not", id)
		}
	}
	for id := range storeIDs {
		if !indexIDs[id] {
			t.Errorf("store document %d is not in the index", id)
		}
	}
	if int(n) != len(got) || len(ids) != len(got) {
		t.Errorf("index: %d documents (%d by query), store: %d", n, len(ids), len(got))
	}

	// Every event's documents exist.
	events := 0
	err = st.EachEvent(ctx, store.EventFilter{}, func(e model.Event) error {
		events++
		if len(e.DocumentIDs) == 0 {
			t.Errorf("event %d has no documents", e.ID)
		}
		for _, id := range e.DocumentIDs {
			if !storeIDs[id] {
				t.Errorf("event %d names document %d, which the store does not hold", e.ID, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if events == 0 {
		t.Error("no events were built")
	}

	// Every matching story alerted (a wire copy of an alerted document is the
	// same story and is not alerted again), each document under one key.
	roots := rootsOf(got)
	matches, stories := 0, 0
	for _, q := range crashAlertQueries {
		matching, err := ix.IDs(ctx, index.Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		alertedRoots := map[int64]bool{}
		for id := range recv.alerted(q) {
			alertedRoots[roots[id]] = true
		}
		for _, id := range matching {
			if !alertedRoots[roots[id]] {
				t.Errorf("%q: document %d (story %d) matches but was never delivered", q, id, roots[id])
			}
		}
		matches += len(matching)
		stories += len(alertedRoots)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	for sd, keys := range recv.keysOf {
		if len(keys) > 1 {
			t.Errorf("%q: document %d was alerted under %d different idempotency keys; a receiver cannot tell they are one alert", sd.query, sd.doc, len(keys))
		}
	}
	redelivered := 0
	for _, c := range recv.byKey {
		if c > 1 {
			redelivered++
		}
	}
	t.Logf("survived %d SIGKILLs: %d documents (as undisturbed), %d indexed, %d events; %d subscriptions: %d matches in %d stories, %d alerts in %d deliveries; %d deliveries arrived again after a kill and were recognised by their key",
		kills, len(got), n, events, len(crashAlertQueries), matches, stories, len(recv.keysOf), len(recv.byKey), redelivered)
}

// receiver is a webhook endpoint that acknowledges every delivery but
// processes each idempotency key once, as a careful receiver does.
type receiver struct {
	mu     sync.Mutex
	byKey  map[string]int             // receipts per key
	keysOf map[subDoc]map[string]bool // the keys each alert arrived under
}

// subDoc is one document alerted by one subscription (named by its query).
type subDoc struct {
	query string
	doc   int64
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(alert.HeaderIdempotency)
	var p alert.Payload
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || key == "" {
		http.Error(w, "bad delivery", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.byKey[key]++
	if rc.byKey[key] == 1 {
		for _, m := range p.Matches {
			sd := subDoc{p.Subscription.Query, m.DocumentID}
			if rc.keysOf[sd] == nil {
				rc.keysOf[sd] = map[string]bool{}
			}
			rc.keysOf[sd][key] = true
		}
	}
	rc.mu.Unlock()
	// A slow receiver: it has processed the delivery but takes a while to
	// say so, which widens the window in which a kill lands mid-delivery
	// (the sender then does not know it was received, and must resend it
	// under the same key).
	select {
	case <-time.After(300 * time.Millisecond):
	case <-r.Context().Done():
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (rc *receiver) deliveries() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, c := range rc.byKey {
		n += c
	}
	return n
}

func (rc *receiver) alerted(query string) map[int64]bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[int64]bool{}
	for sd := range rc.keysOf {
		if sd.query == query {
			out[sd.doc] = true
		}
	}
	return out
}

// runProc is one `watchline run` child process.
type runProc struct {
	cmd    *exec.Cmd
	url    chan string
	exited chan struct{}
	err    error
	mu     sync.Mutex
	errBuf bytes.Buffer
}

func startRun(t testing.TB, bin string, args []string, env ...string) *runProc {
	t.Helper()
	p := &runProc{cmd: exec.Command(bin, args...), url: make(chan string, 1), exited: make(chan struct{})}
	if len(env) > 0 {
		p.cmd.Env = append(os.Environ(), env...)
	}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.errBuf}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			// "… serving URL …" (run) or "… serving DIR at URL …" (serve).
			if strings.Contains(sc.Text(), " serving ") {
				for _, f := range strings.Fields(sc.Text()) {
					if strings.HasPrefix(f, "http://") {
						select {
						case p.url <- f:
						default:
						}
						break
					}
				}
			}
		}
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	return p
}

func (p *runProc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errBuf.String()
}

func (p *runProc) lastLine() string {
	lines := strings.Split(strings.TrimSpace(p.stderr()), "\n")
	l := lines[len(lines)-1]
	if len(l) > 160 {
		l = l[:160] + "…"
	}
	return l
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// caughtUp asks the running server whether it holds want documents, has
// indexed them all, and has delivered every match of the alert query.
func caughtUp(base string, want int, recv *receiver) (bool, string) {
	var docs struct {
		Total     int              `json:"total"`
		Documents []model.Document `json:"documents"`
	}
	if err := getJSON(base+"/api/documents?limit=1000", &docs); err != nil {
		return false, err.Error()
	}
	roots := rootsOf(docs.Documents)
	var all struct {
		Total int `json:"total"`
	}
	if err := getJSON(base+"/api/search?limit=1&q=*", &all); err != nil {
		return false, err.Error()
	}
	missing, total := 0, 0
	for _, q := range crashAlertQueries {
		var matching struct {
			Hits []struct {
				ID int64 `json:"id"`
			} `json:"hits"`
		}
		if err := getJSON(base+"/api/search?limit=1000&q="+url.QueryEscape(q), &matching); err != nil {
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
	state := fmt.Sprintf("%d/%d stored, %d indexed, %d of %d matches not yet alerted", docs.Total, want, all.Total, missing, total)
	return docs.Total == want && all.Total == want && missing == 0 && total > 0, state
}

func getJSON(u string, v any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, b)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// rootsOf maps each document to its story: the document it is a near
// duplicate of, or itself (as alerts group them).
func rootsOf(ds []model.Document) map[int64]int64 {
	roots := map[int64]int64{}
	for _, d := range ds {
		roots[d.ID] = d.ID
		if d.DuplicateOf != 0 {
			roots[d.ID] = d.DuplicateOf
		}
	}
	return roots
}

// storedDocs opens a data directory's store and returns its documents.
func storedDocs(t *testing.T, data string) []model.Document {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var ds []model.Document
	if err := st.EachDocument(ctx, store.DocFilter{}, func(d model.Document) error {
		ds = append(ds, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ds
}

// urlSet is every URL the documents are known by, sorted and joined, which
// does not depend on which of two identical copies was stored first.
func urlSet(ds []model.Document) string {
	var us []string
	for _, d := range ds {
		us = append(us, d.URL)
		us = append(us, d.URLs...)
	}
	sort.Strings(us)
	us = compact(us)
	return strings.Join(us, " ")
}

func compact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
