package alert

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/netguard"
	"github.com/watchline/watchline/store"
)

// receiver is a webhook endpoint that checks signatures and answers with the
// next planned status (200 once the plan runs out). A status of 0 means hang
// until the client gives up.
type receiver struct {
	t      *testing.T
	secret func() string

	mu       sync.Mutex
	plan     []int
	bodies   [][]byte
	keys     []string
	badSigs  int
	released chan struct{}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	if !Verify(rc.secret(), body, r.Header.Get(HeaderSignature)) {
		rc.badSigs++
	}
	var p Payload
	json.Unmarshal(body, &p)
	if p.IdempotencyKey != r.Header.Get(HeaderIdempotency) {
		rc.t.Errorf("body key %q != header key %q", p.IdempotencyKey, r.Header.Get(HeaderIdempotency))
	}
	status := 200
	if len(rc.plan) > 0 {
		status, rc.plan = rc.plan[0], rc.plan[1:]
	}
	if status == 200 {
		rc.bodies = append(rc.bodies, body)
		rc.keys = append(rc.keys, p.IdempotencyKey)
	}
	rc.mu.Unlock()
	if status == 0 {
		<-r.Context().Done()
		return
	}
	if status == http.StatusMovedPermanently {
		w.Header().Set("Location", "https://elsewhere.example/hook")
	}
	w.WriteHeader(status)
}

type webhookEnv struct {
	ctx context.Context
	st  *store.Store
	c   *clock
	svc *Service
	rc  *receiver
	sub model.Subscription
}

func newWebhookEnv(t *testing.T, opts Options, plan ...int) *webhookEnv {
	t.Helper()
	e := &webhookEnv{ctx: context.Background(), c: newClock(t0)}
	e.st = openStore(t, t.TempDir())
	e.rc = &receiver{t: t, plan: plan, secret: func() string { return e.sub.Secret }}
	srv := httptest.NewServer(e.rc)
	t.Cleanup(srv.Close)
	opts.BackoffBase, opts.BackoffMax = time.Minute, 10*time.Minute
	opts.AllowPrivate = true // the receiver is on loopback: opted in, as feeds.yaml would
	e.svc = newService(e.st, e.c, opts)
	var err error
	e.sub, err = e.svc.Add(e.ctx, model.Subscription{Name: "China spy case", Query: "china spy", Webhook: srv.URL}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	putDoc(t, e.st, "https://a.example/1", "wire", "China spy case dropped", "Prosecutors dropped the china spy case.")
	putDoc(t, e.st, "https://b.example/1", "paper", "China spy row", "Ministers argue over the china spy case.")
	if n, err := e.svc.Match(e.ctx); err != nil || n != 2 {
		t.Fatalf("Match = %d, %v; want 2", n, err)
	}
	return e
}

func (e *webhookEnv) delivery(t *testing.T) model.Delivery {
	t.Helper()
	ds, err := e.st.Deliveries(e.ctx, store.DeliveryFilter{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries = %+v, %v; want exactly one", ds, err)
	}
	return ds[0]
}

func TestWebhookDelivers(t *testing.T) {
	e := newWebhookEnv(t, Options{})
	n, err := e.svc.Deliver(e.ctx)
	if err != nil || n != 1 {
		t.Fatalf("Deliver = %d, %v; want 1", n, err)
	}
	if e.rc.badSigs != 0 || len(e.rc.bodies) != 1 {
		t.Fatalf("receiver got %d bodies, %d bad signatures; want 1 and 0", len(e.rc.bodies), e.rc.badSigs)
	}
	var p Payload
	if err := json.Unmarshal(e.rc.bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Subscription.ID != e.sub.ID || p.Subscription.Query != "china spy" || p.Count != 2 || len(p.Matches) != 2 {
		t.Fatalf("payload = %+v; want the subscription and its 2 matches", p)
	}
	for _, m := range p.Matches {
		if len(m.Terms) == 0 || !strings.Contains(m.Rule, "query: china spy") || m.Snippet == "" || m.URL == "" {
			t.Errorf("match %+v does not say why it matched", m)
		}
	}
	if strings.Contains(string(e.rc.bodies[0]), e.sub.Secret) {
		t.Error("payload contains the subscription's secret")
	}
	d := e.delivery(t)
	if d.State != model.DeliveryDelivered || d.Attempts != 1 || d.IdempotencyKey != p.IdempotencyKey {
		t.Errorf("delivery = %+v; want delivered after 1 attempt under the payload's key", d)
	}
	// Nothing more to send.
	if n, err := e.svc.Deliver(e.ctx); n != 0 || err != nil || len(e.rc.bodies) != 1 {
		t.Errorf("second Deliver = %d, %v, %d bodies; want nothing sent", n, err, len(e.rc.bodies))
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	body := []byte(`{"idempotency_key":"k"}`)
	sig := Sign("secret", body)
	tests := []struct {
		name, secret, sig string
		body              []byte
		want              bool
	}{
		{"genuine", "secret", sig, body, true},
		{"other secret", "guess", sig, body, false},
		{"changed body", "secret", sig, []byte(`{"idempotency_key":"x"}`), false},
		{"no prefix", "secret", strings.TrimPrefix(sig, "sha256="), body, false},
	}
	for _, tt := range tests {
		if got := Verify(tt.secret, tt.body, tt.sig); got != tt.want {
			t.Errorf("%s: Verify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestWebhookRetriesWithBackoff(t *testing.T) {
	e := newWebhookEnv(t, Options{}, 500, 503, 200)
	// Jitter is fixed at 0.5, so the wait before attempt n+1 is 3/4 of
	// min(1m * 2^(n-1), 10m).
	waits := []time.Duration{45 * time.Second, 90 * time.Second}
	for i, wait := range waits {
		if n, _ := e.svc.Deliver(e.ctx); n != 0 {
			t.Fatalf("attempt %d delivered, want a failure", i+1)
		}
		d := e.delivery(t)
		if d.State != model.DeliveryPending || d.Attempts != i+1 || !strings.Contains(d.LastError, "50") {
			t.Fatalf("after attempt %d: %+v; want pending with the receiver's error", i+1, d)
		}
		if want := e.c.Now().Add(wait); !d.NextAttempt.Equal(want) {
			t.Errorf("after attempt %d next attempt = %v, want %v", i+1, d.NextAttempt, want)
		}
		// Not due yet: nothing is sent.
		e.c.Advance(wait - time.Second)
		if n, _ := e.svc.Deliver(e.ctx); n != 0 || e.delivery(t).Attempts != i+1 {
			t.Fatalf("retried before its time")
		}
		e.c.Advance(time.Second)
	}
	if n, err := e.svc.Deliver(e.ctx); n != 1 || err != nil {
		t.Fatalf("third attempt = %d, %v; want delivered", n, err)
	}
	if d := e.delivery(t); d.State != model.DeliveryDelivered || d.Attempts != 3 {
		t.Errorf("delivery = %+v; want delivered after 3 attempts", d)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	tests := []struct {
		name     string
		plan     []int
		attempts int
	}{
		{"server errors until the limit", []int{500, 502, 503, 504, 500, 500}, 4},
		{"client error is final", []int{404}, 1},
		{"rate limit is retried", []int{429, 429, 429, 429}, 4},
		{"redirect is final", []int{301}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newWebhookEnv(t, Options{MaxAttempts: 4}, tt.plan...)
			for range 10 {
				e.svc.Deliver(e.ctx)
				e.c.Advance(time.Hour)
			}
			d := e.delivery(t)
			if d.State != model.DeliveryFailed || d.Attempts != tt.attempts {
				t.Errorf("delivery = %+v; want failed after %d attempts", d, tt.attempts)
			}
			failed, err := e.svc.Deliveries(e.ctx, true)
			if err != nil || len(failed) != 1 || failed[0].ID != d.ID {
				t.Errorf("Deliveries(failed) = %+v, %v; want the failed delivery", failed, err)
			}
			// A human can put it back; the receiver now accepts it.
			if err := e.svc.Retry(e.ctx, d.ID); err != nil {
				t.Fatal(err)
			}
			e.rc.mu.Lock()
			e.rc.plan = nil
			e.rc.mu.Unlock()
			if n, err := e.svc.Deliver(e.ctx); n != 1 || err != nil {
				t.Errorf("Deliver after Retry = %d, %v; want 1", n, err)
			}
		})
	}
}

func TestWebhookTimeout(t *testing.T) {
	e := newWebhookEnv(t, Options{WebhookTimeout: 50 * time.Millisecond}, 0, 200)
	if n, _ := e.svc.Deliver(e.ctx); n != 0 {
		t.Fatal("a hanging receiver counted as delivered")
	}
	d := e.delivery(t)
	if d.State != model.DeliveryPending || d.Attempts != 1 || !strings.Contains(d.LastError, "Timeout") {
		t.Fatalf("delivery = %+v; want pending after a timed-out attempt", d)
	}
	e.c.Advance(time.Hour)
	if n, err := e.svc.Deliver(e.ctx); n != 1 || err != nil {
		t.Fatalf("retry = %d, %v; want delivered", n, err)
	}
	if len(e.rc.keys) != 1 || e.rc.keys[0] != d.IdempotencyKey {
		t.Errorf("receiver acknowledged keys %v, want the one key %s", e.rc.keys, d.IdempotencyKey)
	}
}

func TestLeasedDeliveryIsNotSentTwice(t *testing.T) {
	e := newWebhookEnv(t, Options{Lease: 5 * time.Minute})
	if _, err := e.svc.Schedule(e.ctx); err != nil {
		t.Fatal(err)
	}
	d := e.delivery(t)
	// Another sender holds it (it may be sending right now, or have died).
	if ok, err := e.st.ClaimDelivery(e.ctx, d.ID, e.c.Now(), e.c.Now().Add(5*time.Minute)); !ok || err != nil {
		t.Fatalf("ClaimDelivery = %v, %v", ok, err)
	}
	if n, _ := e.svc.Deliver(e.ctx); n != 0 || len(e.rc.keys) != 0 {
		t.Fatalf("sent a delivery another sender holds")
	}
	e.c.Advance(5 * time.Minute)
	if n, err := e.svc.Deliver(e.ctx); n != 1 || err != nil {
		t.Fatalf("after the lease ran out Deliver = %d, %v; want 1", n, err)
	}
	if d := e.delivery(t); d.Attempts != 1 || d.State != model.DeliveryDelivered {
		t.Errorf("delivery = %+v; want delivered in one attempt", d)
	}
}

// TestWebhookTargetsAreGuarded: a webhook may not reach an internal address
// (issue 17): creation refuses one, and delivery checks again at dial time,
// so a subscription stored before (or a name that later resolves to
// 127.0.0.1) still delivers nothing there.
func TestWebhookTargetsAreGuarded(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	c := newClock(t0)
	svc := newService(st, c, Options{})
	var hits int
	var mu sync.Mutex
	internal := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	for _, hook := range []string{
		internal + "/internal-admin",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:127.0.0.1]:9/",
		"http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
		"http://0.0.0.0:9/",
	} {
		_, err := svc.Add(ctx, model.Subscription{Query: "china spy", Webhook: hook}, AddOptions{})
		if !errors.Is(err, netguard.ErrRefused) || !strings.Contains(err.Error(), "alerts_allow_private") {
			t.Errorf("Add(webhook %s) = %v; want refused, naming alerts_allow_private", hook, err)
		}
	}
	// Stored without the check, as an old data directory may hold it.
	sub := model.Subscription{Query: "china spy", Level: model.LevelArticle, Webhook: internal + "/internal-admin",
		Secret: "s", Created: t0}
	if err := st.AddSubscription(ctx, &sub); err != nil {
		t.Fatal(err)
	}
	putDoc(t, st, "https://news.example/a", "courier", "China spy case", "The china spy case collapsed.")
	if _, err := svc.Match(ctx); err != nil {
		t.Fatal(err)
	}
	svc.Deliver(ctx)
	mu.Lock()
	defer mu.Unlock()
	if hits != 0 {
		t.Fatalf("the internal server received %d signed POSTs", hits)
	}
	ds, err := st.Deliveries(ctx, store.DeliveryFilter{Limit: 10})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries = %v, %v", ds, err)
	}
	if ds[0].State != model.DeliveryFailed || !strings.Contains(ds[0].LastError, "non-public address") {
		t.Errorf("delivery = %+v; want failed at once, saying the address is not public", ds[0])
	}
}
