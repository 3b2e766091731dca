package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// envCrashChild makes the test binary run crashChild instead of the tests:
// the crash test re-executes itself to have a process it can SIGKILL.
const envCrashChild = "WATCHLINE_ALERT_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envCrashChild); dir != "" {
		crashChild(dir)
		os.Exit(0)
	}
	if dir := os.Getenv(envMatchChild); dir != "" {
		matchChild(dir)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild matches and delivers forever, one delivery at a time, until
// it is killed.
func crashChild(dir string) {
	ctx := context.Background()
	st, err := store.Open(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	svc := New(st, Options{Matcher: IndexMatcher(), Workers: 1, BatchSize: 7, AllowPrivate: true}) // receiver on loopback
	svc.Run(ctx, 20*time.Millisecond, func(err error) { fmt.Fprintln(os.Stderr, err) })
}

// crashReceiver records every request; at request number killAt it asks for
// the sender to be killed, either before answering (hang) or just after
// acknowledging.
type crashReceiver struct {
	mu       sync.Mutex
	requests []crashRequest
	killAt   int
	hang     bool
	kill     chan struct{}
}

type crashRequest struct {
	key   string
	body  string
	docs  []int64
	sub   int64
	acked bool
	after bool // received after the restart
}

func (rc *crashReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		// The sender died while the body was on the wire: like a real
		// receiver, never take a cut-off request for a received one.
		return
	}
	var p Payload
	json.Unmarshal(body, &p)
	req := crashRequest{key: r.Header.Get(HeaderIdempotency), body: string(body), sub: p.Subscription.ID}
	for _, m := range p.Matches {
		req.docs = append(req.docs, m.DocumentID)
	}
	rc.mu.Lock()
	n := len(rc.requests) + 1
	restarted := rc.kill == nil
	req.after = restarted
	trigger := !restarted && n == rc.killAt
	if trigger && rc.hang {
		rc.requests = append(rc.requests, req) // not acknowledged
		close(rc.kill)
		rc.kill = nil
		rc.mu.Unlock()
		<-r.Context().Done()
		return
	}
	req.acked = true
	rc.requests = append(rc.requests, req)
	if trigger {
		close(rc.kill)
		rc.kill = nil
	}
	rc.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	tests := []struct {
		name   string
		killAt int
		hang   bool
	}{
		{"killed while the receiver holds a request", 4, true},
		{"killed right after an acknowledgement", 6, false},
		{"killed at the first request", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { crashRecovery(t, tt.killAt, tt.hang) })
	}
}

func crashRecovery(t *testing.T, killAt int, hang bool) {
	ctx := context.Background()
	dir := t.TempDir()
	kill := make(chan struct{})
	rc := &crashReceiver{killAt: killAt, hang: hang, kill: kill}
	srv := httptest.NewServer(rc)
	defer srv.Close()

	// Ten subscriptions, each with its own delivery, so the kill lands in
	// the middle of a pass; documents before and after the restart.
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := New(st, Options{Matcher: IndexMatcher(), AllowPrivate: true}) // receiver on loopback
	var subs []int64
	for i := range 10 {
		sub, err := svc.Add(ctx, model.Subscription{Name: fmt.Sprint("s", i), Query: "china spy", Webhook: srv.URL}, AddOptions{})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub.ID)
	}
	var want []int64
	addDocs := func(from, to int) {
		for i := from; i < to; i++ {
			text := "Weather report."
			if i%3 != 0 {
				text = fmt.Sprintf("Report %d on the china spy case.", i)
			}
			d := putDoc(t, st, fmt.Sprintf("https://a.example/%d", i), "wire", fmt.Sprint("Item ", i), text)
			if i%3 != 0 {
				want = append(want, d.ID)
			}
		}
	}
	addDocs(0, 30)
	st.Close()

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), envCrashChild+"="+dir)
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-kill:
	case <-time.After(2 * time.Minute): // a hang guard, not a timing assertion
		child.Process.Kill()
		t.Fatal("child never reached the kill point")
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()

	// Restart in this process: what the store says was delivered must never
	// be sent again.
	st = openStore(t, dir)
	delivered := map[string]bool{}
	ds, err := st.Deliveries(ctx, store.DeliveryFilter{States: []model.DeliveryState{model.DeliveryDelivered}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		delivered[d.IdempotencyKey] = true
	}
	// The entry being sent when the child died is leased to it; the restart
	// comes after the lease has run out (an injected clock, not a wait).
	later := func() time.Time { return time.Now().Add(time.Hour) }
	svc = New(st, Options{Matcher: IndexMatcher(), Workers: 2, Clock: later, AllowPrivate: true})
	addDocs(30, 45)
	for range 3 { // documents, then a pass that finds nothing new
		if _, err := svc.Match(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
	}

	rc.mu.Lock()
	defer rc.mu.Unlock()
	bodies := map[string]string{}
	got := map[int64]map[int64]string{} // sub -> doc -> key
	for _, r := range rc.requests {
		if r.after && delivered[r.key] {
			t.Errorf("delivery %s was recorded as delivered before the crash and sent again", r.key)
		}
		if b, ok := bodies[r.key]; ok && b != r.body {
			t.Errorf("delivery %s was re-sent with different bytes", r.key)
		}
		bodies[r.key] = r.body
		if !r.acked {
			continue
		}
		if got[r.sub] == nil {
			got[r.sub] = map[int64]string{}
		}
		for _, d := range r.docs {
			if k, ok := got[r.sub][d]; ok && k != r.key {
				t.Errorf("subscription %d: document %d alerted twice, under %s and %s", r.sub, d, k, r.key)
			}
			got[r.sub][d] = r.key
		}
	}
	for _, sub := range subs {
		var docs []int64
		for d := range got[sub] {
			docs = append(docs, d)
		}
		slices.Sort(docs)
		if !slices.Equal(docs, want) {
			t.Errorf("subscription %d: acknowledged documents %v, want %v", sub, docs, want)
		}
	}
	pending, _ := st.Deliveries(ctx, store.DeliveryFilter{States: []model.DeliveryState{model.DeliveryPending, model.DeliveryFailed}})
	if len(pending) != 0 {
		t.Errorf("%d deliveries still pending or failed after the restart", len(pending))
	}
	t.Logf("%d requests, %d before the kill recorded delivered", len(rc.requests), len(delivered))
}
