package crawler

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

const conformanceDir = "testdata/feedconformance"

// conformanceCase is one line of testdata/feedconformance/cases.tsv.
type conformanceCase struct {
	line                    int
	file, category          string
	title, link, published  string
	contentType, contentLoc string
	encoding                string
}

func readConformanceCases(t *testing.T) []conformanceCase {
	t.Helper()
	f, err := os.Open(filepath.Join(conformanceDir, "cases.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []conformanceCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 6 {
			t.Fatalf("cases.tsv:%d: %d columns, want 6", n, len(cols))
		}
		c := conformanceCase{line: n, file: cols[0], category: cols[1], title: cols[2], link: cols[3], published: cols[4]}
		if cols[5] != "-" {
			for _, opt := range strings.Split(cols[5], "|") {
				k, v, _ := strings.Cut(opt, "=")
				switch k {
				case "ct":
					c.contentType = v
				case "cl":
					c.contentLoc = v
				case "enc":
					c.encoding = v
				default:
					t.Fatalf("cases.tsv:%d: unknown serve option %q", n, k)
				}
			}
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// conformanceServer serves case N's fixture at /cN/feed/<file>, an article
// page under /cN/article/, and a stub page with no article anywhere else, as
// a site whose pages are not what the test is about would.
func conformanceServer(t *testing.T, cases []conformanceCase) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		// /cN/rest: case N's own part of the site.
		i, rest := -1, p
		if num, after, ok := strings.Cut(strings.TrimPrefix(p, "/c"), "/"); ok && strings.HasPrefix(p, "/c") {
			if n, err := strconv.Atoi(num); err == nil && n >= 0 && n < len(cases) {
				i, rest = n, "/"+after
			}
		}
		switch {
		case p == "/robots.txt":
			w.Write([]byte("User-agent: *\nAllow: /\n"))
		case i >= 0 && strings.HasPrefix(rest, "/feed/"):
			c := cases[i]
			if strings.TrimPrefix(rest, "/feed/") != c.file {
				http.NotFound(w, r)
				return
			}
			body, err := conformanceBody(c, srv.URL, caseBase(srv.URL, i))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			ct := c.contentType
			if ct == "" {
				ct = "application/xml"
			}
			w.Header().Set("Content-Type", ct)
			if c.contentLoc != "" {
				w.Header().Set("Content-Location", fillConformance(c.contentLoc, srv.URL, caseBase(srv.URL, i)))
			}
			w.Write(body)
		case strings.HasPrefix(rest, "/article/"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Verdict day at the court | Fixture Site</title>
<meta property="article:published_time" content="2004-01-05T09:00:00Z"></head><body><article><h1>Verdict day at the court</h1>
<p>The jury returned its verdict on Monday morning after two days of deliberation, and the judge thanked its members for their care.</p>
<p>Sentencing was set for the following month, when reports on both defendants are expected to be ready for the court to read.</p>
</article></body></html>`)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!DOCTYPE html><html><head><title>Stub</title></head><body><p>Stub page.</p></body></html>"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// caseBase is where case i's part of the conformance server starts.
func caseBase(host string, i int) string { return fmt.Sprintf("%s/c%d", host, i) }

// fillConformance replaces {host} and {base} in s.
func fillConformance(s, host, base string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "{host}", host), "{base}", base)
}

// wideEncodings are the UTF-16 and UTF-32 forms a case may be served in.
var wideEncodings = map[string]encoding.Encoding{
	"utf-16le": unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le-bom": unicode.UTF16(unicode.LittleEndian, unicode.UseBOM),
	"utf-16be": unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be-bom": unicode.UTF16(unicode.BigEndian, unicode.UseBOM),
	"utf-32le": utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le-bom": utf32.UTF32(utf32.LittleEndian, utf32.UseBOM),
	"utf-32be": utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be-bom": utf32.UTF32(utf32.BigEndian, utf32.UseBOM),
}

// conformanceBody is the case's fixture with its placeholders filled in and
// converted to the case's encoding.
func conformanceBody(c conformanceCase, host, base string) ([]byte, error) {
	raw, err := os.ReadFile(filepath.Join(conformanceDir, c.file))
	if err != nil {
		return nil, err
	}
	s := fillConformance(string(raw), host, base)
	s = strings.ReplaceAll(s, "{nest}", strings.Repeat("<x>", 5000)+"deep"+strings.Repeat("</x>", 5000))
	if c.encoding == "" {
		return []byte(strings.ReplaceAll(s, "{badbyte}", "\xff")), nil
	}
	enc, ok := wideEncodings[c.encoding]
	if !ok {
		if enc, err = htmlindex.Get(c.encoding); err != nil {
			return nil, fmt.Errorf("case %s: %w", c.file, err)
		}
	}
	return enc.NewEncoder().Bytes([]byte(s))
}

// TestFeedConformance crawls every case of testdata/feedconformance alone,
// as its own source, through a real crawler and store, and checks the
// document the feed's first entry became: its title, URL and date. Linked
// pages are stubbed on the loopback server. It reports a pass rate per
// category; every case must pass.
func TestFeedConformance(t *testing.T) {
	cases := readConformanceCases(t)
	srv := conformanceServer(t, cases)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := &config.Config{Path: "conformance.yaml", Defaults: config.Defaults{Timeout: 5 * time.Second, Workers: 1}}
	for i, c := range cases {
		cfg.Sources = append(cfg.Sources, model.Source{ID: fmt.Sprintf("case%03d", i), Title: c.file, Kind: model.KindFeed,
			URL: caseBase(srv.URL, i) + "/feed/" + c.file, AllowPrivate: true, Interval: time.Hour,
			UserAgent: "watchline-test/1.0 (+https://example.org/contact)", MaxBody: 10 << 20})
	}
	cfg.ApplyDefaults()
	for i := range cfg.Sources {
		cfg.Sources[i].Delay = 0
	}
	c, err := New(ctx, st, cfg, Options{Retry: RetryPolicy{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}

	type tally struct{ pass, total int }
	perCategory := map[string]*tally{}
	checks := map[string]*tally{"title": {}, "link": {}, "published": {}}
	for i, tc := range cases {
		src := cfg.Sources[i]
		res := c.CrawlSource(ctx, src)
		if perCategory[tc.category] == nil {
			perCategory[tc.category] = &tally{}
		}
		cat := perCategory[tc.category]
		cat.total++
		var problems []string
		check := func(what string, ok bool, format string, args ...any) {
			checks[what].total++
			if ok {
				checks[what].pass++
				return
			}
			problems = append(problems, what+": "+fmt.Sprintf(format, args...))
		}

		var first *model.Document
		err := st.EachDocument(ctx, store.DocFilter{Sources: []string{src.ID}}, func(d model.Document) error {
			if first == nil || d.ID < first.ID {
				d := d
				first = &d
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.link == "(error)":
			check("link", res.Err != nil && errors.Is(res.Err, ErrFeedParse) && first == nil,
				"want the feed refused with a feed parse error and nothing stored, got error %v and %v", res.Err, first != nil)
		case first == nil:
			for what, want := range map[string]string{"title": tc.title, "link": tc.link, "published": tc.published} {
				if want != "-" {
					check(what, false, "no document stored (crawl: %v; last item error: %v)", res.Err, res.ItemErr)
				}
			}
		default:
			d := *first
			if tc.title != "-" {
				want := tc.title
				if want == "(empty)" {
					want = ""
				}
				check("title", d.Title == want, "%q, want %q", d.Title, want)
			}
			if tc.link != "-" {
				want := strings.ReplaceAll(fillConformance(tc.link, srv.URL, caseBase(srv.URL, i)), "{feed}", src.URL)
				ok := d.URL == want
				if prefix, wild := strings.CutSuffix(want, "*"); wild {
					ok = strings.HasPrefix(d.URL, prefix) && len(d.URL) > len(prefix)
				}
				check("link", ok, "%q, want %q", d.URL, want)
			}
			switch tc.published {
			case "-":
			case "(none)":
				check("published", d.PublishedSource == "fetched", "%v from %q, want none from the feed", d.Published, d.PublishedSource)
			default:
				want, err := time.Parse(time.RFC3339, tc.published)
				if err != nil {
					t.Fatalf("cases.tsv:%d: published %q: %v", tc.line, tc.published, err)
				}
				check("published", d.Published.Equal(want) && d.PublishedSource != "fetched",
					"%v (%s), want %v", d.Published.UTC(), d.PublishedSource, want)
			}
		}
		if len(problems) == 0 {
			cat.pass++
			continue
		}
		t.Errorf("cases.tsv:%d %s [%s]:\n\t%s", tc.line, tc.file, tc.category, strings.Join(problems, "\n\t"))
	}

	var names []string
	for name := range perCategory {
		names = append(names, name)
	}
	sort.Strings(names)
	var pass, total int
	for _, name := range names {
		c := perCategory[name]
		pass, total = pass+c.pass, total+c.total
		t.Logf("%-12s %3d/%3d cases", name, c.pass, c.total)
	}
	t.Logf("%-12s %3d/%3d cases", "all", pass, total)
	for _, what := range []string{"title", "link", "published"} {
		t.Logf("%-12s %3d/%3d checks", what, checks[what].pass, checks[what].total)
	}
}
