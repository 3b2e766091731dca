package demo

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"
	"golang.org/x/text/encoding/simplifiedchinese"
	"gopkg.in/yaml.v3"
)

func TestArticlesGroundTruth(t *testing.T) {
	as, err := Articles()
	if err != nil {
		t.Fatal(err)
	}
	if len(as) < 64 {
		t.Errorf("got %d articles, want at least 64", len(as))
	}
	byID := map[string]Article{}
	for _, a := range as {
		if _, dup := byID[a.ID]; dup {
			t.Errorf("duplicate id %s", a.ID)
		}
		byID[a.ID] = a
	}
	for i := 1; i < len(as); i++ {
		if as[i].Published.Before(as[i-1].Published) {
			t.Errorf("not sorted by Published: %s before %s", as[i-1].ID, as[i].ID)
		}
	}

	used := map[string]int{}
	type label struct{ happened, typ string }
	events := map[string]label{}
	var phase2, edited, misleading, nonUTF8 int
	spanRE := regexp.MustCompile(`"([^"]+)"`)
	for _, a := range as {
		used[a.Source]++
		if !happenedRE.MatchString(a.Happened) || !validType(a.Type) {
			t.Errorf("%s: bad happened %q or type %q", a.ID, a.Happened, a.Type)
		}
		if l, ok := events[a.Event]; ok && l != (label{a.Happened, a.Type}) {
			t.Errorf("%s: event %s has inconsistent labels %v vs %s/%s", a.ID, a.Event, l, a.Happened, a.Type)
		}
		events[a.Event] = label{a.Happened, a.Type}
		if a.WireOf != "" {
			o, ok := byID[a.WireOf]
			switch {
			case !ok:
				t.Errorf("%s: wire_of %s does not exist", a.ID, a.WireOf)
			case o.WireOf != "" || o.Source == a.Source || !strings.HasPrefix(o.Text, firstPara(a.Text)):
				t.Errorf("%s: wire_of %s is not an original from another outlet with the same text", a.ID, a.WireOf)
			case !a.Published.After(o.Published) || a.Title == o.Title:
				t.Errorf("%s: a wire copy must come after its original %s and change the headline", a.ID, a.WireOf)
			}
		}
		listed := map[string]bool{}
		for _, q := range a.Quotes {
			listed[q.Text] = true
			if !strings.Contains(a.Text, q.Text) || q.Speaker == "" {
				t.Errorf("%s: quote %q not in body or has no speaker", a.ID, q.Text)
			}
		}
		// Every quoted span in the body is ground truth.
		for _, m := range spanRE.FindAllStringSubmatch(a.Text, -1) {
			if span := strings.TrimRight(m[1], ",."); !listed[span] {
				t.Errorf("%s: quoted span %q missing from Quotes", a.ID, span)
			}
		}
		if a.Official != sourceOfficial(a.Source) {
			t.Errorf("%s: official %v, source says %v", a.ID, a.Official, !a.Official)
		}
		if n := strings.Count(a.Text, "\n\n") + 1; a.WireOf == "" && (n < 3 || n > 8) {
			t.Errorf("%s: %d paragraphs, want 3-8", a.ID, n)
		}
		if w := len(strings.Fields(a.Text)); a.WireOf == "" && a.Language == "en" && (w < 150 || w > 500) {
			t.Errorf("%s: %d words, want 150-500", a.ID, w)
		}
		if a.Phase == 2 {
			phase2++
		}
		if a.TextV2 != "" {
			edited++
			if !a.Official || a.TextV2 == a.Text {
				t.Errorf("%s: edited statement must be official and differ", a.ID)
			}
		}
		if a.MisleadingDate != "" {
			misleading++
		}
		if a.Charset != "" {
			nonUTF8++
		}
	}
	for _, s := range Sources() {
		if s.ID != BrokenSource && used[s.ID] == 0 {
			t.Errorf("source %s has no articles", s.ID)
		}
	}
	if len(used) != len(Sources())-1 {
		t.Errorf("articles use %d sources, want %d", len(used), len(Sources())-1)
	}
	if phase2 == 0 || edited != 1 || misleading < 3 || nonUTF8 != 1 {
		t.Errorf("phase2=%d edited=%d misleading=%d nonUTF8=%d; want >0, 1, >=3, 1", phase2, edited, misleading, nonUTF8)
	}
	if len(events) < 15 {
		t.Errorf("got %d events, want at least 15", len(events))
	}
}

func sourceOfficial(id string) bool {
	s, _ := sourceByID(id)
	return s.Official
}

func startServer(t *testing.T) *Server {
	t.Helper()
	s, err := NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestServerServesSourcesAndArticles(t *testing.T) {
	s := startServer(t)
	as, err := Articles()
	if err != nil {
		t.Fatal(err)
	}
	// found collects the article URLs each source exposes, by feed, listing or sitemap.
	found := map[string]bool{}
	for _, src := range Sources() {
		t.Run(src.ID, func(t *testing.T) {
			resp, body := get(t, s.URL()+src.Path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: status %d", src.Path, resp.StatusCode)
			}
			switch {
			case src.ID == BrokenSource:
				if _, err := gofeed.NewParser().ParseString(string(body)); err == nil {
					t.Errorf("broken feed parsed without error")
				}
			case src.Kind == "feed":
				f, err := gofeed.NewParser().ParseString(string(body))
				if err != nil {
					t.Fatalf("parse feed: %v", err)
				}
				for _, it := range f.Items {
					found[stripQuery(it.Link)] = true
				}
			case src.Kind == "page":
				doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
				if err != nil {
					t.Fatal(err)
				}
				doc.Find(src.Links).Each(func(_ int, sel *goquery.Selection) {
					found[s.URL()+stripQuery(sel.AttrOr("href", ""))] = true
				})
			case src.Kind == "sitemap":
				_, sm := get(t, s.URL()+"/northern/news-sitemap.xml")
				if !strings.Contains(string(body), "/northern/news-sitemap.xml") {
					t.Errorf("sitemap index does not point at the news sitemap")
				}
				for _, m := range regexp.MustCompile(`<loc>([^<]+)</loc>`).FindAllStringSubmatch(string(sm), -1) {
					found[m[1]] = true
				}
			}
		})
	}
	for _, a := range as {
		url := s.URL() + a.Path
		resp, body := get(t, url)
		want := http.StatusOK
		if a.Phase == 2 {
			want = http.StatusNotFound
		}
		if resp.StatusCode != want {
			t.Errorf("GET %s (phase %d): status %d, want %d", a.Path, a.Phase, resp.StatusCode, want)
		}
		if a.Phase == 1 && !found[url] {
			t.Errorf("%s: not discoverable from its source's feed, listing or sitemap", a.ID)
		}
		if a.Phase == 1 && a.Charset == "" && !strings.Contains(string(body), htmlEscapedFirstWords(a.Text)) {
			t.Errorf("%s: page does not contain the start of its body", a.ID)
		}
	}
}

func stripQuery(u string) string { p, _, _ := strings.Cut(u, "?"); return p }

func htmlEscapedFirstWords(text string) string {
	w := strings.Fields(text)
	return esc(strings.Join(w[:4], " "))
}

func TestGB2312Page(t *testing.T) {
	s := startServer(t)
	as, _ := Articles()
	var a Article
	for _, x := range as {
		if x.Charset != "" {
			a = x
		}
	}
	resp, body := get(t, s.URL()+a.Path)
	if utf8.Valid(body) {
		t.Errorf("GB2312 page is valid UTF-8")
	}
	if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "charset") {
		t.Errorf("Content-Type %q declares a charset; it must be only in <meta>", ct)
	}
	if !strings.Contains(string(body), `<meta charset="gb2312">`) {
		t.Errorf("no <meta charset> declaration")
	}
	dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(dec), "恶意诽谤") {
		t.Errorf("decoded page lacks the Chinese text")
	}
}

func TestConditionalGETAndRobots(t *testing.T) {
	s := startServer(t)
	resp, _ := get(t, s.URL()+"/thames/rss.xml")
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if etag == "" || lm == "" {
		t.Fatalf("feed has no validators: ETag %q Last-Modified %q", etag, lm)
	}
	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"matching etag", []string{"If-None-Match", etag}, http.StatusNotModified},
		{"other etag", []string{"If-None-Match", `"nope"`}, http.StatusOK},
		{"not modified since", []string{"If-Modified-Since", lm}, http.StatusNotModified},
		{"modified since", []string{"If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := get(t, s.URL()+"/thames/rss.xml", tt.header...); got.StatusCode != tt.want {
				t.Errorf("got %d, want %d", got.StatusCode, tt.want)
			}
		})
	}
	_, robots := get(t, s.URL()+"/robots.txt")
	if !strings.Contains(string(robots), "Disallow: /private/") || !strings.HasPrefix(DisallowedPath, "/private/") {
		t.Errorf("robots.txt %q does not disallow %s", robots, DisallowedPath)
	}
}

func TestAdvance(t *testing.T) {
	s := startServer(t)
	as, _ := Articles()
	var edited Article
	var newPaths []string
	for _, a := range as {
		if a.TextV2 != "" {
			edited = a
		}
		if a.Phase == 2 {
			newPaths = append(newPaths, a.Path)
		}
	}
	_, before := get(t, s.URL()+edited.Path)
	feedResp, _ := get(t, s.URL()+"/meridian/feed.rss")
	s.Advance()
	_, after := get(t, s.URL()+edited.Path)
	if string(before) == string(after) {
		t.Errorf("edited statement unchanged after Advance")
	}
	v2Only := lastDiff(edited.Text, edited.TextV2)
	if !strings.Contains(string(after), esc(v2Only)) || strings.Contains(string(before), esc(v2Only)) {
		t.Errorf("phase-2 page should contain the v2 paragraph %q", v2Only)
	}
	for _, p := range newPaths {
		if resp, _ := get(t, s.URL()+p); resp.StatusCode != http.StatusOK {
			t.Errorf("phase-2 article %s: status %d", p, resp.StatusCode)
		}
	}
	resp, body := get(t, s.URL()+"/meridian/feed.rss", "If-None-Match", feedResp.Header.Get("ETag"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("feed after Advance answered %d to the old ETag", resp.StatusCode)
	}
	f, err := gofeed.NewParser().ParseString(string(body))
	if err != nil {
		t.Fatal(err)
	}
	var sawNew bool
	for _, it := range f.Items {
		for _, p := range newPaths {
			sawNew = sawNew || strings.HasSuffix(it.Link, p)
		}
	}
	if !sawNew {
		t.Errorf("meridian feed has no phase-2 item after Advance")
	}
}

// lastDiff returns the first paragraph of b that is not in a.
func lastDiff(a, b string) string {
	for _, p := range strings.Split(b, "\n\n") {
		if !strings.Contains(a, p) {
			return p
		}
	}
	return ""
}

func TestConfig(t *testing.T) {
	out := Config("http://127.0.0.1:8080")
	var cfg struct {
		Sources []struct {
			ID           string `yaml:"id"`
			Kind         string `yaml:"kind"`
			URL          string `yaml:"url"`
			AllowPrivate bool   `yaml:"allow_private"`
		} `yaml:"sources"`
		Topics []struct{ ID, Query string } `yaml:"topics"`
	}
	if err := yaml.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatalf("config is not YAML: %v\n%s", err, out)
	}
	if len(cfg.Sources) != len(Sources()) {
		t.Errorf("got %d sources, want %d", len(cfg.Sources), len(Sources()))
	}
	for i, s := range Sources() {
		got := cfg.Sources[i]
		if got.ID != s.ID || got.Kind != s.Kind || got.URL != "http://127.0.0.1:8080"+s.Path || !got.AllowPrivate {
			t.Errorf("source %d = %+v, want id %s kind %s url ...%s allow_private", i, got, s.ID, s.Kind, s.Path)
		}
	}
	if len(cfg.Topics) < 3 || cfg.Topics[0].ID != "uk-china-spy-case" {
		t.Errorf("topics = %+v, want uk-china-spy-case first and at least 3", cfg.Topics)
	}
}

// TestClock: the corpus's clock stands after every article of the current
// phase and before the next phase's, so a crawl "today" finds what a live
// crawl would.
func TestClock(t *testing.T) {
	s := startServer(t)
	arts, err := Articles()
	if err != nil {
		t.Fatal(err)
	}
	check := func(phase int) {
		now := s.Now()
		for _, a := range arts {
			if a.Phase <= phase && !a.Published.Before(now) {
				t.Errorf("phase %d: clock %v is not after %s (%v)", phase, now, a.ID, a.Published)
			}
			if a.Phase > phase && !a.Published.After(now) {
				t.Errorf("phase %d: clock %v is already past the next phase's %s (%v)", phase, now, a.ID, a.Published)
			}
		}
	}
	check(1)
	before := s.Now()
	s.Advance()
	check(2)
	if d := s.Now().Sub(before); d < 24*time.Hour {
		t.Errorf("advancing moved the clock by %s; the edited statement's versions should be days apart", d)
	}
}
