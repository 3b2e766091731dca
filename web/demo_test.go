package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

// demoNow is "today" for the demo tests: a few days after the newest article.
var demoNow = time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)

func demoConfig() *config.Config {
	cfg := &config.Config{Topics: []model.Topic{{ID: "uk-china-spy-case", Title: "The collapsed UK China spy case",
		Query: `"Christopher Cash" OR "Christopher Berry" OR Cash OR Berry`}}}
	for _, s := range demo.Sources() {
		cfg.Sources = append(cfg.Sources, model.Source{ID: s.ID, Title: s.Title, Kind: model.SourceKind(s.Kind),
			URL: "https://demo.example" + s.Path, Official: s.Official, Tags: s.Tags})
	}
	cfg.ApplyDefaults()
	return cfg
}

// loadDemo fills a new store with the demo corpus (plus one document with a
// malicious title), builds the index and the events, and serves it all
// through Open, as `watchline serve` does.
func loadDemo(t testing.TB, token string) (*fixture, *config.Config) {
	t.Helper()
	ctx := context.Background()
	arts, err := demo.Articles()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := demoConfig()
	tags := map[string][]string{}
	for _, s := range cfg.Sources {
		tags[s.ID] = s.Tags
	}
	put := func(d model.Document) {
		h := sha256.Sum256([]byte(d.Text))
		d.ContentHash = hex.EncodeToString(h[:])
		if _, err := st.PutDocument(ctx, &d, store.Raw{}); err != nil {
			t.Fatal(err)
		}
	}
	var edited []demo.Article
	for _, a := range arts {
		put(model.Document{CanonicalURL: "https://demo.example" + a.Path, SourceID: a.Source, Title: a.Title,
			Text: a.Text, Authors: a.Authors, Language: a.Language, Official: a.Official, Tags: tags[a.Source],
			Published: a.Published, PublishedSource: "meta", PublishedConfidence: 0.9, Fetched: a.Published.Add(time.Hour)})
		if a.TextV2 != "" {
			edited = append(edited, a)
		}
	}
	// The silently edited statement, fetched again a few days later.
	for _, a := range edited {
		put(model.Document{CanonicalURL: "https://demo.example" + a.Path, SourceID: a.Source, Title: a.Title,
			Text: a.TextV2, Authors: a.Authors, Language: a.Language, Official: a.Official, Tags: tags[a.Source],
			Published: a.Published, Fetched: a.Published.Add(72 * time.Hour)})
	}
	put(model.Document{CanonicalURL: "https://demo.example/evil", SourceID: "thames-courier", Title: maliciousTitle,
		Text: "A report about the spy case at Westminster with a hostile headline.", Language: "en",
		Published: time.Date(2025, 10, 2, 9, 0, 0, 0, time.UTC), Fetched: time.Date(2025, 10, 2, 10, 0, 0, 0, time.UTC)})

	// What a crawl of the demo server records: every source healthy but the
	// broken feed.
	for _, src := range cfg.Sources {
		h := model.SourceHealth{SourceID: src.ID, LastAttempt: demoNow.Add(-10 * time.Minute),
			LastSuccess: demoNow.Add(-10 * time.Minute), ItemsSeen: 12, ItemsNew: 1, NextDue: demoNow.Add(20 * time.Minute)}
		if src.ID == demo.BrokenSource {
			h.LastSuccess, h.ItemsSeen, h.ItemsNew = time.Time{}, 0, 0
			h.LastError, h.LastErrorAt, h.ConsecutiveFailures = "parse feed: XML syntax error on line 7: unexpected EOF", demoNow.Add(-10*time.Minute), 3
		}
		if err := st.SaveSourceHealth(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	an, err := timeline.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := timeline.NewClusterer(st, an, timeline.Options{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	srv, closeIndex, err := Open(ctx, OpenOptions{Store: st, Config: cfg, Token: token, Now: func() time.Time { return demoNow },
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeIndex() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &fixture{st: st, srv: srv, ts: ts}, cfg
}

func newAlerts(st *store.Store) *alert.Service {
	return alert.New(st, alert.Options{Matcher: alert.IndexMatcher()})
}

// TestDemoReadOnly runs the read-only checks against one demo server, which
// takes a second or two to build.
func TestDemoReadOnly(t *testing.T) {
	f, _ := loadDemo(t, testToken)
	t.Run("search API", func(t *testing.T) { checkSearchAPI(t, f) })
	t.Run("export all", func(t *testing.T) { checkExportAllMatchesTotal(t, f) })
	t.Run("timeline exports", func(t *testing.T) { checkTimelineExports(t, f) })
	t.Run("timeline and event pages", func(t *testing.T) { checkTimelineAndEventPages(t, f) })
	t.Run("concurrent timeline reads", func(t *testing.T) { checkConcurrentTimelineReads(t, f) })
}

func checkSearchAPI(t *testing.T, f *fixture) {
	cases := []struct {
		name       string
		path       string
		wantStatus int
		wantType   string
		check      func(t *testing.T, body string)
	}{
		{"hits and facets", "/api/search?q=" + url.QueryEscape(`"Christopher Cash"`), 200, "application/json", func(t *testing.T, body string) {
			var res struct {
				Total  int
				Hits   []struct{ ID int64 }
				Facets map[string][]struct {
					Value string
					Count int
				}
			}
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatal(err)
			}
			if res.Total == 0 || len(res.Hits) == 0 || len(res.Facets["source"]) == 0 {
				t.Errorf("total %d, %d hits, source facet %v: want matches with facets", res.Total, len(res.Hits), res.Facets["source"])
			}
		}},
		{"bad query", "/api/search?q=" + url.QueryEscape(`"unbalanced`), 400, "application/json", func(t *testing.T, body string) {
			if !strings.Contains(body, `"code":"bad_query"`) {
				t.Errorf("body = %s", body)
			}
		}},
		{"missing q", "/api/search", 400, "application/json", nil},
		{"limit capped", "/api/search?q=*&limit=100000", 200, "application/json", func(t *testing.T, body string) {
			var res struct{ Hits []json.RawMessage }
			json.Unmarshal([]byte(body), &res)
			if len(res.Hits) > maxPageSize {
				t.Errorf("%d hits in one page, want at most %d", len(res.Hits), maxPageSize)
			}
		}},
		{"offset capped", "/api/search?q=*&offset=99999999", 400, "application/json", nil},
		{"export csv", "/api/search/export?format=csv&q=China", 200, "text/csv", func(t *testing.T, body string) {
			lines := strings.Split(strings.TrimSpace(body), "\n")
			if len(lines) < 3 || lines[0] != strings.Join(exportColumns, ",") {
				t.Errorf("csv export: %d lines, header %q", len(lines), lines[0])
			}
		}},
		{"export ndjson", "/api/search/export?format=ndjson&q=China", 200, "application/x-ndjson", func(t *testing.T, body string) {
			for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
				if !json.Valid([]byte(l)) {
					t.Fatalf("invalid NDJSON line %q", l)
				}
			}
		}},
		{"export bad format", "/api/search/export?format=xml&q=China", 400, "application/json", nil},
		{"search page", "/search?q=spy", 200, "text/html", func(t *testing.T, body string) {
			if !strings.Contains(body, "<mark>") || !strings.Contains(body, `class="facets"`) {
				t.Errorf("search page lacks highlights or facets")
			}
			if strings.Contains(body, "<script>") {
				t.Errorf("unescaped <script> on the search page")
			}
		}},
		{"search page bad query", "/search?q=" + url.QueryEscape("(China"), 400, "text/html", func(t *testing.T, body string) {
			if !strings.Contains(body, `role="alert"`) {
				t.Errorf("no error message next to the box")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := f.get(t, c.path)
			if resp.StatusCode != c.wantStatus {
				t.Fatalf("status = %d, want %d\n%.500s", resp.StatusCode, c.wantStatus, body)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, c.wantType) {
				t.Errorf("content type = %q, want %q", got, c.wantType)
			}
			if c.check != nil {
				c.check(t, body)
			}
		})
	}
}

func checkExportAllMatchesTotal(t *testing.T, f *fixture) {
	_, body := f.get(t, "/api/search?q=China&all=1")
	var res struct{ Total int }
	json.Unmarshal([]byte(body), &res)
	_, csvBody := f.get(t, "/api/search/export?format=csv&q=China")
	rows := len(strings.Split(strings.TrimSpace(csvBody), "\n")) - 1
	if res.Total == 0 || rows != res.Total {
		t.Errorf("export has %d rows, search total is %d; export must stream every hit", rows, res.Total)
	}
}

func checkTimelineExports(t *testing.T, f *fixture) {
	cases := []struct{ format, wantType, wantExt string }{
		{"json", "application/json", ".json"},
		{"csv", "text/csv", ".csv"},
		{"ndjson", "application/x-ndjson", ".ndjson"},
		{"timelinejs", "application/json", ".timelinejs.json"},
		{"ics", "text/calendar", ".ics"},
		{"md", "text/markdown", ".md"},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			resp, body := f.get(t, "/api/timeline?topic=uk-china-spy-case&format="+c.format)
			if resp.StatusCode != 200 {
				t.Fatalf("status = %d\n%.500s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, c.wantType) {
				t.Errorf("content type = %q, want %q", got, c.wantType)
			}
			cd := resp.Header.Get("Content-Disposition")
			if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, c.wantExt+`"`) {
				t.Errorf("Content-Disposition = %q, want an attachment ending %s", cd, c.wantExt)
			}
			if len(body) < 50 {
				t.Errorf("export is nearly empty: %q", body)
			}
		})
	}
	resp, body := f.get(t, "/api/timeline?topic=nope")
	if resp.StatusCode != 404 || !strings.Contains(body, `"code":"not_found"`) {
		t.Errorf("unknown topic: %d %s", resp.StatusCode, body)
	}
	resp, _ = f.get(t, "/api/timeline?format=pdf")
	if resp.StatusCode != 400 {
		t.Errorf("unknown format: %d, want 400", resp.StatusCode)
	}
	resp, _ = f.get(t, "/api/timeline?type=invented")
	if resp.StatusCode != 400 {
		t.Errorf("unknown type: %d, want 400", resp.StatusCode)
	}
}

func checkTimelineAndEventPages(t *testing.T, f *fixture) {
	resp, body := f.get(t, "/timeline?topic=uk-china-spy-case")
	if resp.StatusCode != 200 {
		t.Fatalf("timeline status %d", resp.StatusCode)
	}
	for _, want := range []string{"<svg", `class="bar"`, `class="badge type`, "TimelineJS", `href="/events/`} {
		if !strings.Contains(body, want) {
			t.Errorf("timeline page lacks %q", want)
		}
	}
	i := strings.Index(body, `href="/events/`)
	id := body[i+len(`href="/events/`):]
	id = id[:strings.IndexByte(id, '"')]
	resp, body = f.get(t, "/events/"+id)
	if resp.StatusCode != 200 {
		t.Fatalf("event %s status %d\n%s", id, resp.StatusCode, body)
	}
	for _, want := range []string{"Happened", "first report", "Sources, in the order they published"} {
		if !strings.Contains(body, want) {
			t.Errorf("event page lacks %q", want)
		}
	}
	resp, body = f.get(t, "/api/events/"+id)
	if resp.StatusCode != 200 || !strings.Contains(body, `"sources"`) {
		t.Errorf("api event: %d %.300s", resp.StatusCode, body)
	}
	resp, _ = f.get(t, "/events/999999")
	if resp.StatusCode != 404 {
		t.Errorf("missing event: %d, want 404", resp.StatusCode)
	}
}

func TestAPIWriteAuth(t *testing.T) {
	body := `{"query":"MI5 AND LinkedIn","atom":true}`
	cases := []struct {
		name       string
		token      string // server's
		auth       string // request's
		wantStatus int
		wantCode   string
	}{
		{"writes disabled", "", "Bearer anything", 403, "writes_disabled"},
		{"missing", testToken, "", 401, "unauthorized"},
		{"wrong", testToken, "Bearer nope", 401, "unauthorized"},
		{"wrong scheme", testToken, "Basic " + testToken, 401, "unauthorized"},
		{"right", testToken, "Bearer " + testToken, 201, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.token)
			f.srv.opts.Alerts = newAlerts(f.st)
			hdr := map[string]string{"Content-Type": "application/json"}
			if c.auth != "" {
				hdr["Authorization"] = c.auth
			}
			resp, got := f.do(t, http.DefaultClient, "POST", "/api/subscriptions", body, hdr)
			if resp.StatusCode != c.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, c.wantStatus, got)
			}
			if c.wantCode != "" && !strings.Contains(got, `"code":"`+c.wantCode+`"`) {
				t.Errorf("body = %s, want code %s", got, c.wantCode)
			}
			if c.wantStatus == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
}

// signIn signs a cookie-jar client in through the login form.
func signIn(t *testing.T, f *fixture, c *http.Client) {
	t.Helper()
	tok := csrfFrom(t, f, c, "/login")
	resp, body := f.do(t, c, "POST", "/login", url.Values{"token": {testToken}, "csrf": {tok}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d %.300s", resp.StatusCode, body)
	}
}

func TestFormWritesNeedCSRFAndSession(t *testing.T) {
	f, _ := loadDemo(t, testToken)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	editor := browserClient(t)
	signIn(t, f, editor)
	tok := csrfFrom(t, f, editor, "/subscriptions")
	anon := browserClient(t)
	anonTok := csrfFrom(t, f, anon, "/subscriptions")
	sub := url.Values{"query": {"MI5 AND LinkedIn"}, "channel": {"atom"}, "action": {"create"}}
	with := func(v url.Values, kv ...string) string {
		out := url.Values{}
		for k, vv := range v {
			out[k] = vv
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out.Encode()
	}
	cases := []struct {
		name       string
		c          *http.Client
		path, body string
		hdr        map[string]string
		wantStatus int
	}{
		{"create without csrf", editor, "/subscriptions", sub.Encode(), form, 403},
		{"create with wrong csrf", editor, "/subscriptions", with(sub, "csrf", anonTok), form, 403},
		{"create cross-origin", editor, "/subscriptions", with(sub, "csrf", tok),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"}, 403},
		{"create not signed in", anon, "/subscriptions", with(sub, "csrf", anonTok), form, 401},
		{"preview not signed in", anon, "/subscriptions", with(sub, "csrf", anonTok, "action", "test"), form, 200},
		{"preview bad query", anon, "/subscriptions", with(sub, "csrf", anonTok, "action", "test", "query", `"open`), form, 400},
		{"create signed in", editor, "/subscriptions", with(sub, "csrf", tok), form, 303},
		{"edit event without csrf", editor, "/events/1/edit", "title=x", form, 403},
		{"edit event not signed in", anon, "/events/1/edit", "title=x&csrf=" + anonTok, form, 401},
		{"edit event bad date", editor, "/events/1/edit", "happened=yesterday&csrf=" + tok, form, 400},
		{"edit event", editor, "/events/1/edit", "title=Renamed+by+an+editor&csrf=" + tok, form, 303},
		{"delete subscription not signed in", anon, "/subscriptions/1/delete", "csrf=" + anonTok, form, 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := f.do(t, c.c, "POST", c.path, c.body, c.hdr)
			if resp.StatusCode != c.wantStatus {
				t.Errorf("status = %d, want %d\n%.600s", resp.StatusCode, c.wantStatus, body)
			}
		})
	}
	_, body := f.get(t, "/api/events/1")
	if !strings.Contains(body, "Renamed by an editor") {
		t.Errorf("the edit did not stick: %.300s", body)
	}
	_, body = f.do(t, http.DefaultClient, "GET", "/api/subscriptions", "", map[string]string{"Authorization": "Bearer " + testToken})
	if !strings.Contains(body, "MI5 AND LinkedIn") {
		t.Errorf("the subscription was not created: %.300s", body)
	}
}

func TestSubscriptionAPILifecycle(t *testing.T) {
	f, _ := loadDemo(t, testToken)
	auth := map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": "application/json"}
	resp, body := f.do(t, http.DefaultClient, "POST", "/api/subscriptions/test", `{"query":"LinkedIn AND MI5"}`, nil)
	var preview struct{ Matches []json.RawMessage }
	json.Unmarshal([]byte(body), &preview)
	if resp.StatusCode != 200 || len(preview.Matches) == 0 {
		t.Errorf("test: %d, %d matches; want matches from the last 7 days\n%.300s", resp.StatusCode, len(preview.Matches), body)
	}
	resp, body = f.do(t, http.DefaultClient, "POST", "/api/subscriptions", `{"query":"LinkedIn","webhook":"ftp://x"}`, auth)
	if resp.StatusCode != 400 || !strings.Contains(body, `"code":"bad_request"`) {
		t.Errorf("bad webhook: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(t, http.DefaultClient, "POST", "/api/subscriptions", `{"query":"LinkedIn","unknown":1}`, auth)
	if resp.StatusCode != 400 {
		t.Errorf("unknown field: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(t, http.DefaultClient, "POST", "/api/subscriptions",
		`{"query":"LinkedIn AND MI5","atom":true,"backfill":"168h"}`, auth)
	var created struct {
		ID     int64
		Secret string
		Atom   string `json:"atom_url"`
	}
	json.Unmarshal([]byte(body), &created)
	if resp.StatusCode != 201 || created.ID == 0 || created.Secret == "" {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	resp, body = f.get(t, created.Atom)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") || !strings.Contains(body, "<entry>") {
		t.Errorf("atom: %d %q\n%.500s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	_, body = f.do(t, http.DefaultClient, "GET", "/api/subscriptions", "", auth)
	if strings.Contains(body, created.Secret) || !strings.Contains(body, created.Atom) {
		t.Errorf("the webhook secret is listed (it must be shown only on creation), or the feed URL is not: %s", body)
	}
	path := "/api/subscriptions/" + strconv.FormatInt(created.ID, 10)
	if resp, _ = f.do(t, http.DefaultClient, "DELETE", path, "", nil); resp.StatusCode != 401 {
		t.Errorf("delete without token: %d, want 401", resp.StatusCode)
	}
	if resp, _ = f.do(t, http.DefaultClient, "DELETE", path, "", auth); resp.StatusCode != 204 {
		t.Errorf("delete: %d, want 204", resp.StatusCode)
	}
	if resp, _ = f.do(t, http.DefaultClient, "GET", path, "", auth); resp.StatusCode != 404 {
		t.Errorf("deleted subscription: %d, want 404", resp.StatusCode)
	}
}
