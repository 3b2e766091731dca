package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

var jsonHeaders = map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": "application/json"}

// TestSubscriptionNeverNamesAFile: no value a user sends names a path
// (issue 17). atom_file used to be written as given — absolute or with ../ —
// replacing any file the server could write.
func TestSubscriptionNeverNamesAFile(t *testing.T) {
	f := newFixture(t, testToken)
	svc := newAlerts(f.st)
	f.srv.opts.Alerts = svc
	victim := filepath.Join(t.TempDir(), "victim.txt")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(f.st.Dir(), victim)
	for _, path := range []string{victim, rel, "../victim.txt", "x.xml"} {
		body, _ := json.Marshal(map[string]string{"query": "spy OR charged", "atom_file": path, "backfill": "100000h"})
		resp, got := f.do(t, http.DefaultClient, "POST", "/api/subscriptions", string(body), jsonHeaders)
		if resp.StatusCode != 400 || !strings.Contains(got, "atom_file") {
			t.Errorf("atom_file %q: %d %s; want 400 explaining atom_file is not accepted", path, resp.StatusCode, got)
		}
	}
	ctx := context.Background()
	if _, err := svc.Match(ctx); err != nil {
		t.Fatal(err)
	}
	svc.Deliver(ctx)
	b, err := os.ReadFile(victim)
	info, _ := os.Stat(victim)
	if err != nil || string(b) != "precious" || info.Mode().Perm() != 0o644 {
		t.Fatalf("the victim file is now %q (mode %v, err %v)", b, info.Mode(), err)
	}
}

// TestSubscriptionsNeedToken: listing subscriptions shows webhook URLs and
// e-mail addresses, so it needs the token (API) or an editor session (UI).
func TestSubscriptionsNeedToken(t *testing.T) {
	f := newFixture(t, testToken)
	svc := newAlerts(f.st)
	f.srv.opts.Alerts = svc
	sub, err := svc.Add(context.Background(), model.Subscription{Name: "desk", Query: "spy", Email: "analyst@newsroom.example"}, alert.AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(sub.ID, 10)
	for _, path := range []string{"/api/subscriptions", "/api/subscriptions/" + id, "/api/subscriptions/" + id + "/atom",
		"/subscriptions/" + id + "/atom"} {
		resp, body := f.get(t, path)
		if resp.StatusCode != 401 || strings.Contains(body, "analyst@") {
			t.Errorf("GET %s without the token: %d %.300s; want 401", path, resp.StatusCode, body)
		}
		resp, body = f.do(t, http.DefaultClient, "GET", path, "", map[string]string{"Authorization": "Bearer " + testToken})
		if resp.StatusCode != 200 {
			t.Errorf("GET %s with the token: %d %.300s", path, resp.StatusCode, body)
		}
	}
	resp, body := f.get(t, "/subscriptions")
	if resp.StatusCode != 200 || strings.Contains(body, "analyst@") || strings.Contains(body, sub.AtomToken) {
		t.Errorf("the anonymous subscriptions page lists the subscription's address or feed: %d\n%.2000s", resp.StatusCode, body)
	}
	editor := browserClient(t)
	signIn(t, f, editor)
	resp, body = f.do(t, editor, "GET", "/subscriptions", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "analyst@newsroom.example") || !strings.Contains(body, "/atom/"+sub.AtomToken) {
		t.Errorf("a signed-in editor does not see the subscription and its feed: %d\n%.2000s", resp.StatusCode, body)
	}
}

// TestAtomURLIsACapability: the public feed of one subscription is served
// at an unguessable URL, not at its sequential id.
func TestAtomURLIsACapability(t *testing.T) {
	f := newFixture(t, testToken)
	f.srv.opts.Alerts = newAlerts(f.st)
	resp, body := f.do(t, http.DefaultClient, "POST", "/api/subscriptions", `{"query":"spy OR charged","atom":true,"backfill":"100000h"}`, jsonHeaders)
	var created struct {
		ID      int64
		Atom    bool   `json:"atom"`
		AtomURL string `json:"atom_url"`
	}
	json.Unmarshal([]byte(body), &created)
	if resp.StatusCode != 201 || !created.Atom {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	if !regexp.MustCompile(`^/atom/[0-9a-f]{32,}$`).MatchString(created.AtomURL) {
		t.Fatalf("atom_url = %q; want /atom/ and at least 128 random bits", created.AtomURL)
	}
	resp, body = f.get(t, created.AtomURL)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") || !strings.Contains(body, "<entry>") {
		t.Errorf("GET atom_url: %d %q\n%.500s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	for _, guess := range []string{"/atom/" + strconv.FormatInt(created.ID, 10), "/atom/" + strings.Repeat("0", 32),
		"/subscriptions/" + strconv.FormatInt(created.ID, 10) + "/atom"} {
		if resp, _ := f.get(t, guess); resp.StatusCode == 200 {
			t.Errorf("GET %s answered 200: the feed is reachable without its token", guess)
		}
	}
}

// TestWebhookToInternalAddressRefused: creating a webhook subscription to a
// loopback, link-local (cloud metadata) or otherwise non-public address is a
// 400 saying how to opt in.
func TestWebhookToInternalAddressRefused(t *testing.T) {
	f := newFixture(t, testToken)
	f.srv.opts.Alerts = newAlerts(f.st)
	for _, hook := range []string{"http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:9/internal-admin",
		"http://[64:ff9b::a9fe:a9fe]/", "http://localhost:9/"} {
		body, _ := json.Marshal(map[string]string{"query": "spy", "webhook": hook})
		resp, got := f.do(t, http.DefaultClient, "POST", "/api/subscriptions", string(body), jsonHeaders)
		if resp.StatusCode != 400 || !strings.Contains(got, "alerts_allow_private") {
			t.Errorf("webhook %s: %d %s; want 400 naming alerts_allow_private", hook, resp.StatusCode, got)
		}
	}
	_, got := f.do(t, http.DefaultClient, "GET", "/api/subscriptions", "", jsonHeaders)
	if strings.Contains(got, "169.254") || strings.Contains(got, "internal-admin") {
		t.Errorf("a refused subscription was stored: %s", got)
	}
}

// TestUICreatedAtomSubscriptionDelivers: an Atom subscription made in the
// web UI of a server started with a relative --data writes its feed under
// that data directory (the atom/ folder used never to be created, and the
// path was doubled to data/data/atom).
func TestUICreatedAtomSubscriptionDelivers(t *testing.T) {
	t.Chdir(t.TempDir())
	ctx := context.Background()
	st, err := store.Open(ctx, "data")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, closeIndex, err := Open(ctx, OpenOptions{Store: st, Config: testConfig(), Token: testToken,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeIndex() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	f := &fixture{st: st, srv: srv, ts: ts}
	editor := browserClient(t)
	signIn(t, f, editor)
	tok := csrfFrom(t, f, editor, "/subscriptions")
	form := url.Values{"query": {"espionage"}, "channel": {"atom"}, "action": {"create"}, "csrf": {tok}}
	resp, body := f.do(t, editor, "POST", "/subscriptions", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %.500s", resp.StatusCode, body)
	}
	d := model.Document{CanonicalURL: "https://courier.example/new", SourceID: "courier", Title: "Espionage trial opens",
		Text: "An espionage trial opened on Monday.", Language: "en", ContentHash: "new",
		Published: time.Now().Add(-time.Hour), Fetched: time.Now()}
	if _, err := st.PutDocument(ctx, &d, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	svc := srv.opts.Alerts
	if n, err := svc.Match(ctx); n != 1 || err != nil {
		t.Fatalf("Match = %d, %v; want 1", n, err)
	}
	if n, err := svc.Deliver(ctx); n != 1 || err != nil {
		ds, _ := svc.Deliveries(ctx, false)
		t.Fatalf("Deliver = %d, %v (deliveries %+v); want the Atom feed written", n, err, ds)
	}
	subs, _ := svc.List(ctx)
	if len(subs) != 1 {
		t.Fatalf("%d subscriptions", len(subs))
	}
	feed, err := os.ReadFile(filepath.Join("data", "atom", "subscription-"+strconv.FormatInt(subs[0].ID, 10)+".xml"))
	if err != nil || !strings.Contains(string(feed), "Espionage trial opens") {
		t.Errorf("feed file: %v\n%s", err, feed)
	}
	if _, err := os.Stat(filepath.Join("data", "data")); err == nil {
		t.Errorf("data/data exists: the data directory was joined twice")
	}
}
