package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/pipeline"
	"github.com/watchline/watchline/store"
)

const testToken = "s3cret-token"

var testNow = time.Date(2025, 10, 20, 12, 0, 0, 0, time.UTC)

// maliciousTitle must never reach a page unescaped.
const maliciousTitle = `Spy case <script>alert("x")</script> & "quotes"`

type fixture struct {
	st  *store.Store
	srv *Server
	ts  *httptest.Server
	p   *pipeline.Pipeline // nil for servers built without an index
}

// openServer builds a server over st the way `watchline serve` and `run` do:
// a pipeline (with the consumers popts asks for) owns the index and the alert
// service, and the server shows them. The pipeline's index is closed when t
// ends.
func openServer(t testing.TB, ctx context.Context, opts Options, popts pipeline.Options) (*Server, *pipeline.Pipeline) {
	t.Helper()
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	popts.Store, popts.Config, popts.Logger, popts.Metrics, popts.Now = opts.Store.(pipeline.Store), opts.Config, opts.Logger, opts.Metrics, opts.Now
	p, err := pipeline.Open(ctx, popts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	opts.Index, opts.Alerts = p.Index(), p.Alerts()
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv, p
}

func testConfig() *config.Config {
	cfg := &config.Config{
		Sources: []model.Source{
			{ID: "courier", Title: "The Courier", Kind: model.KindFeed, URL: "https://courier.example/rss"},
			{ID: "cps", Title: "Prosecutors", Kind: model.KindPage, URL: "https://cps.example/news", Official: true},
			{ID: "broken", Title: "Broken Feed", Kind: model.KindFeed, URL: "https://broken.example/feed"},
		},
		Topics: []model.Topic{{ID: "spy-case", Title: "The spy case", Query: "spy"}},
	}
	cfg.ApplyDefaults()
	return cfg
}

// newFixture opens a real store with a few documents (one with a malicious
// title, one edited) and serves it.
func newFixture(t *testing.T, token string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	docs := []*model.Document{
		{CanonicalURL: "https://courier.example/a", SourceID: "courier", Title: maliciousTitle,
			Text: "Two men were charged with spying for China.\n\nThe case was heard at Westminster.", Language: "en",
			Published: time.Date(2024, 4, 22, 9, 0, 0, 0, time.UTC), PublishedSource: "meta", PublishedConfidence: 0.9, ContentHash: "h1"},
		{CanonicalURL: "https://cps.example/b", SourceID: "cps", Title: "Statement on the case", Official: true,
			Text: "The prosecution has been discontinued.\n\nWe keep cases under review.", Language: "en",
			Published: time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC), PublishedSource: "json-ld", PublishedConfidence: 1, ContentHash: "h2"},
	}
	for _, d := range docs {
		if _, err := st.PutDocument(ctx, d, store.Raw{ContentType: "text/html", Body: []byte(`<p onclick="x()">` + d.Title + `</p><script>evil()</script>`)}); err != nil {
			t.Fatal(err)
		}
	}
	edited := *docs[1]
	edited.ID, edited.Seq = 0, 0
	edited.Text = "The prosecution has been discontinued after a review of the evidence.\n\nWe keep cases under review."
	edited.ContentHash = "h2b"
	if _, err := st.PutDocument(ctx, &edited, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	err = st.SaveSourceHealth(ctx, model.SourceHealth{SourceID: "broken", LastAttempt: testNow.Add(-time.Hour),
		LastError: "parse feed: XML syntax error on line 3", LastErrorAt: testNow.Add(-time.Hour), ConsecutiveFailures: 4})
	if err != nil {
		t.Fatal(err)
	}
	err = st.SaveSourceHealth(ctx, model.SourceHealth{SourceID: "courier", LastAttempt: testNow.Add(-time.Hour),
		LastSuccess: testNow.Add(-time.Hour), ItemsSeen: 12, ItemsNew: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Store: st, Config: testConfig(), Token: token, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &fixture{st: st, srv: srv, ts: ts}
}

func (f *fixture) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	return f.do(t, http.DefaultClient, "GET", path, "", nil)
}

func (f *fixture) do(t *testing.T, c *http.Client, method, path, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestPagesStatusAndContentType(t *testing.T) {
	f := newFixture(t, testToken)
	cases := []struct {
		path       string
		wantStatus int
		wantType   string
		wantBody   string
	}{
		{"/", 200, "text/html", "Latest documents"},
		{"/sources", 200, "text/html", "XML syntax error on line 3"},
		{"/documents/1", 200, "text/html", "Two men were charged"},
		{"/documents/2", 200, "text/html", "discontinued<ins> after a review of the evidence</ins>."},
		{"/documents/1/original", 200, "text/html", "Original page"},
		{"/documents/999", 404, "text/html", "not_found"},
		{"/documents/abc", 400, "text/html", "positive number"},
		{"/no/such/page", 404, "text/html", "no page at"},
		{"/api/sources", 200, "application/json", `"status": "failing"`},
		{"/api/documents?limit=1", 200, "application/json", `"total": 2`},
		{"/api/documents/2", 200, "application/json", `"versions"`},
		{"/api/documents/999", 404, "application/json", `"code":"not_found"`},
		{"/api/documents?from=yesterday", 400, "application/json", `"code":"bad_request"`},
		{"/api/nothing", 404, "application/json", `"code":"not_found"`},
		{"/healthz", 200, "application/json", `"ok"`},
		{"/metrics", 200, "text/plain; version=0.0.4", "watchline_source_consecutive_failures{source=\"broken\"} 4"},
		{"/static/style.css", 200, "text/css", "--accent"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			resp, body := f.get(t, c.path)
			if resp.StatusCode != c.wantStatus {
				t.Errorf("status = %d, want %d; body: %.300s", resp.StatusCode, c.wantStatus, body)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, c.wantType) {
				t.Errorf("content type = %q, want %q", got, c.wantType)
			}
			if !strings.Contains(body, c.wantBody) {
				t.Errorf("body does not contain %q:\n%s", c.wantBody, body)
			}
		})
	}
}

// TestAPIJSONReadable checks that the API writes &, < and > as themselves
// (it answers application/json, which no browser runs as HTML) and durations
// as feeds.yaml takes them.
func TestAPIJSONReadable(t *testing.T) {
	f := newFixture(t, testToken)
	_, body := f.get(t, "/api/documents/1")
	if strings.Contains(body, `\u0026`) || strings.Contains(body, `\u003c`) || !strings.Contains(body, `<script>alert(\"x\")</script> & \"quotes\"`) {
		t.Errorf("/api/documents/1 escapes HTML characters:\n%.600s", body)
	}
	_, body = f.get(t, "/api/sources")
	var got struct {
		Sources []struct {
			ID       string `json:"id"`
			Interval string `json:"interval"`
			Delay    string `json:"delay"`
			Budget   string `json:"visit_budget"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("/api/sources: %v\n%s", err, body)
	}
	if len(got.Sources) == 0 {
		t.Fatal("/api/sources lists no sources")
	}
	for _, s := range got.Sources {
		if s.Interval != "30m" || s.Delay != "1s" || s.Budget != "10m" {
			t.Errorf("source %s: interval %q, delay %q, visit budget %q; want \"30m\", \"1s\" and \"10m\"", s.ID, s.Interval, s.Delay, s.Budget)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, testToken)
	for _, path := range []string{"/", "/api/sources", "/documents/999"} {
		resp, _ := f.get(t, path)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP = %q", path, csp)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", path, got)
		}
		if got := resp.Header.Get("Referrer-Policy"); got == "" {
			t.Errorf("%s: no Referrer-Policy", path)
		}
	}
}

func TestMaliciousTitleIsEscaped(t *testing.T) {
	f := newFixture(t, testToken)
	for _, path := range []string{"/", "/documents/1", "/documents/1/original"} {
		_, body := f.get(t, path)
		if strings.Contains(body, "<script>") || strings.Contains(body, "onclick") {
			t.Errorf("%s: raw <script> or handler in page:\n%s", path, body)
		}
	}
	_, body := f.get(t, "/documents/1")
	if !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("/documents/1: escaped title missing")
	}
	_, body = f.get(t, "/api/documents/1")
	var got struct{ Document model.Document }
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Document.Title != maliciousTitle {
		t.Errorf("API title = %q, want it returned as data, unchanged", got.Document.Title)
	}
}

func TestErrorJSONShape(t *testing.T) {
	f := newFixture(t, testToken)
	resp, body := f.get(t, "/api/documents/0")
	if resp.StatusCode != 400 {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	var e map[string]any
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body is not JSON: %v\n%s", err, body)
	}
	if len(e) != 2 || e["code"] != "bad_request" || !strings.Contains(e["error"].(string), "positive number") {
		t.Errorf("error body = %v, want exactly {error, code}", e)
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, testToken)
	big := "token=" + strings.Repeat("a", maxBodyBytes+10)
	resp, _ := f.do(t, http.DefaultClient, "POST", "/login", big, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != http.StatusRequestEntityTooLarge && resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, want 413 or 400 for an oversized form", resp.StatusCode)
	}
}

// browserClient is an HTTP client with a cookie jar that does not follow
// redirects, like a browser submitting forms.
func browserClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// csrfFrom loads a page and returns the CSRF token its forms carry.
func csrfFrom(t *testing.T, f *fixture, c *http.Client, path string) string {
	t.Helper()
	_, body := f.do(t, c, "GET", path, "", nil)
	const marker = `name="csrf" value="`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatalf("%s has no CSRF field", path)
	}
	rest := body[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}

func TestLoginNeedsCSRFAndToken(t *testing.T) {
	f := newFixture(t, testToken)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	c := browserClient(t)
	tok := csrfFrom(t, f, c, "/login")

	cases := []struct {
		name       string
		body       string
		hdr        map[string]string
		wantStatus int
	}{
		{"no csrf", url.Values{"token": {testToken}}.Encode(), form, 403},
		{"wrong csrf", url.Values{"token": {testToken}, "csrf": {"nope"}}.Encode(), form, 403},
		{"foreign origin", url.Values{"token": {testToken}, "csrf": {tok}}.Encode(),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"}, 403},
		{"wrong token", url.Values{"token": {"guess"}, "csrf": {tok}}.Encode(), form, 401},
		{"right token", url.Values{"token": {testToken}, "csrf": {tok}, "next": {"//evil.example/"}}.Encode(), form, 303},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, c, "POST", "/login", tc.body, tc.hdr)
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d\n%.500s", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantStatus == 303 {
				if loc := resp.Header.Get("Location"); loc != "/" {
					t.Errorf("redirect to %q, want / (no open redirect)", loc)
				}
			}
		})
	}
	// Signed in now: the layout says so.
	_, body := f.do(t, c, "GET", "/", "", nil)
	if !strings.Contains(body, "Sign out") {
		t.Errorf("after login the page does not show the editor as signed in")
	}
}

func TestWritesDisabledWithoutToken(t *testing.T) {
	f := newFixture(t, "")
	c := browserClient(t)
	f.do(t, c, "GET", "/", "", nil)
	u, _ := url.Parse(f.ts.URL)
	var tok string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == csrfCookie {
			tok = ck.Value
		}
	}
	resp, body := f.do(t, c, "POST", "/login", url.Values{"token": {"x"}, "csrf": {tok}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 403 || !strings.Contains(body, "WATCHLINE_TOKEN") {
		t.Errorf("status = %d, want 403 naming WATCHLINE_TOKEN\n%.500s", resp.StatusCode, body)
	}
}

func TestMarkText(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		offsets [][2]int
		want    string
	}{
		{"plain", "a <b> c", nil, "a &lt;b&gt; c"},
		{"one", "the spy case", [][2]int{{4, 7}}, "the <mark>spy</mark> case"},
		{"escaped inside", "x <i> y", [][2]int{{2, 5}}, "x <mark>&lt;i&gt;</mark> y"},
		{"out of range", "abc", [][2]int{{1, 10}}, "abc"},
		{"overlap skipped", "abcdef", [][2]int{{0, 3}, {2, 4}, {4, 6}}, "<mark>abc</mark>d<mark>ef</mark>"},
		{"mid rune", "héllo", [][2]int{{2, 4}}, "héllo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(markText(c.text, c.offsets)); got != c.want {
				t.Errorf("markText = %q, want %q", got, c.want)
			}
		})
	}
}

func TestDiffText(t *testing.T) {
	cases := []struct {
		name, a, b string
		want       string
	}{
		{"same", "one\ntwo", "one\ntwo", "one|two"},
		{"word changed", "the case was dropped", "the case was discontinued", "the case was [-dropped-]{+discontinued+}"},
		{"para added", "one", "one\ntwo", "one|{+two+}"},
		{"para removed", "one\ntwo\nthree", "one\nthree", "one|[-two-]|three"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var parts []string
			for _, p := range diffText(c.a, c.b) {
				var b strings.Builder
				for _, op := range p.Ops {
					switch op.Kind {
					case OpInsert:
						b.WriteString("{+" + op.Text + "+}")
					case OpDelete:
						b.WriteString("[-" + op.Text + "-]")
					default:
						b.WriteString(op.Text)
					}
				}
				parts = append(parts, b.String())
			}
			if got := strings.Join(parts, "|"); got != c.want {
				t.Errorf("diff = %q, want %q", got, c.want)
			}
		})
	}
}

// TestDayOnlyDatesAndVersionLabels: a publication date known only to the
// day is shown as a date (no "00:00 UTC"), and two versions fetched in the
// same minute are told apart by their seconds.
func TestDayOnlyDatesAndVersionLabels(t *testing.T) {
	f := newFixture(t, testToken)
	d := &model.Document{CanonicalURL: "https://cps.example/day-only", SourceID: "cps", Title: "Dated by its URL", Official: true,
		Text: "The case was reviewed.", Language: "en", Published: time.Date(2025, 9, 15, 0, 0, 0, 0, time.UTC),
		PublishedSource: "url", PublishedConfidence: 0.75, ContentHash: "h3"}
	if _, err := f.st.PutDocument(context.Background(), d, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	_, body := f.get(t, "/documents/"+strconv.FormatInt(d.ID, 10))
	if !strings.Contains(body, `<time datetime="2025-09-15">15 Sep 2025</time>`) || strings.Contains(body, "15 Sep 2025 00:00") {
		t.Errorf("document page shows the day-only date as:\n%s", body)
	}

	at := time.Date(2025, 11, 20, 15, 0, 7, 0, time.UTC)
	labels := versionLabels([]model.DocumentVersion{{Version: 1, Fetched: at}, {Version: 2, Fetched: at.Add(20 * time.Second)}, {Version: 3, Fetched: at.Add(72 * time.Hour)}})
	if labels[1] == labels[2] || labels[1] != "20 Nov 2025 15:00:07 UTC" || labels[3] != "23 Nov 2025 15:00 UTC" {
		t.Errorf("version labels %v; want seconds where two share a minute, minutes otherwise", labels)
	}
}
