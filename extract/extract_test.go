package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

var update = flag.Bool("update", false, "rewrite testdata/pages/*.golden.json from the current output")

// testNow is the clock the fixtures are judged against.
var testNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type fixtureOptions struct {
	URL         string    `json:"url"`
	ContentType string    `json:"content_type"`
	FeedDate    time.Time `json:"feed_date"`
}

// fixtures lists the pages in testdata/pages/options.json, sorted by name.
func fixtures(t testing.TB) (names []string, opts map[string]fixtureOptions) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "pages", "options.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &opts); err != nil {
		t.Fatalf("options.json: %v", err)
	}
	for name := range opts {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, opts
}

func extractFixture(t testing.TB, name string, fo fixtureOptions) (*Article, error) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "pages", name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	return HTML(context.Background(), body, fo.ContentType, Options{URL: fo.URL, FeedDate: fo.FeedDate, now: testNow})
}

// TestGolden compares the whole Article for every fixture page with its
// golden file. Run `go test ./extract -update` and review the diff by eye:
// the golden files are the spec.
func TestGolden(t *testing.T) {
	names, opts := fixtures(t)
	if len(names) < 15 {
		t.Fatalf("only %d fixture pages, want at least 15", len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			art, err := extractFixture(t, name, opts[name])
			// The golden keeps every field, date provenance included.
			var got bytes.Buffer
			enc := json.NewEncoder(&got)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			var v any = art
			if err != nil {
				v = map[string]string{"error": err.Error()}
			}
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "pages", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./extract -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("output differs from %s\ngot:\n%s\nwant:\n%s", path, got.Bytes(), want)
			}
		})
	}
}

// TestDates pins the date decision of each fixture independently of the
// golden files, so a careless -update cannot hide a wrong date.
func TestDates(t *testing.T) {
	_, opts := fixtures(t)
	day := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, s); return tm }
	tests := []struct {
		page     string
		want     string // RFC 3339, "" for zero
		src      DateSource
		minConf  float64
		maxConf  float64
		modified string
	}{
		{"jsonld-news", "2025-10-15T09:30:00+01:00", SourceJSONLD, 0.95, 0.95, "2025-10-15T18:05:00+01:00"},
		{"og-meta", "2025-11-18T07:00:00Z", SourceMeta, 0.9, 0.9, ""},
		{"time-element", "2025-10-21T16:45:00+01:00", SourceTime, 0.9, 0.9, ""},
		{"url-date", "2024-04-22T00:00:00Z", SourceURL, 0.8, 0.8, ""},
		{"text-date", "2025-10-16T00:00:00Z", SourceText, 0.8, 0.8, ""},
		{"related-dates", "2023-09-10T00:00:00Z", SourceText, 0.65, 0.65, ""},
		{"last-updated", "2025-11-19T00:00:00Z", SourceUpdated, 0.3, 0.3, "2025-11-19T00:00:00Z"},
		{"copyright", "2025-10-16T12:10:00+01:00", SourceTime, 0.8, 0.8, ""},
		{"comments", "2025-10-17T00:00:00Z", SourceText, 0.65, 0.65, ""},
		{"nav-heavy", "2025-03-12T14:20:00Z", SourceMeta, 0.9, 0.9, ""},
		{"cp1252", "2025-06-03T08:00:00+02:00", SourceMeta, 0.9, 0.9, ""},
		{"gb2312", "2025-10-15T00:00:00Z", SourceText, 0.6, 0.6, ""},
		{"shiftjis", "2025-10-16T06:00:00+09:00", SourceJSONLD, 0.98, 0.98, ""},
		{"canonical", "2025-07-01T11:30:00Z", SourceMeta, 0.95, 0.95, ""},
		{"french", "2025-10-08T00:00:00Z", SourceText, 0.6, 0.6, "2025-10-09T00:00:00Z"},
		{"german", "2025-11-18T00:00:00Z", SourceMeta, 0.95, 0.95, ""},
		// The URL (what readers see, rarely rewritten) outvotes JSON-LD for
		// another month, and the disagreement costs it confidence.
		{"url-disagree", "2024-01-03T00:00:00Z", SourceURL, 0.5, 0.75, ""},
		{"future-date", "2025-11-20T09:00:00Z", SourceFeed, 0.5, 0.5, ""},
		{"blog-clutter", "2025-10-18T08:15:00Z", SourceJSONLD, 0.98, 0.98, "2025-10-20T12:00:00Z"},
		{"press-release", "2025-10-17T16:02:00+01:00", SourceMeta, 0.95, 0.95, "2025-10-22T09:00:00+01:00"},
		{"latin1-undeclared", "2025-02-02T00:00:00Z", SourceText, 0.6, 0.6, ""},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			art, err := extractFixture(t, tt.page, opts[tt.page])
			if err != nil {
				t.Fatal(err)
			}
			want := day(tt.want)
			if !art.Published.Equal(want) || art.Published.Format(time.RFC3339) != want.Format(time.RFC3339) {
				t.Errorf("Published = %s, want %s", art.Published.Format(time.RFC3339), want.Format(time.RFC3339))
			}
			if art.PublishedSource != tt.src {
				t.Errorf("PublishedSource = %q, want %q", art.PublishedSource, tt.src)
			}
			if c := art.PublishedConfidence; c < tt.minConf || c > tt.maxConf {
				t.Errorf("PublishedConfidence = %v, want in [%v, %v]", c, tt.minConf, tt.maxConf)
			}
			if wantMod := day(tt.modified); !art.Modified.Equal(wantMod) {
				t.Errorf("Modified = %s, want %s", art.Modified.Format(time.RFC3339), wantMod.Format(time.RFC3339))
			}
		})
	}
}

func TestHTMLErrors(t *testing.T) {
	_, opts := fixtures(t)
	if _, err := extractFixture(t, "no-text", opts["no-text"]); !errors.Is(err, ErrNoText) {
		t.Errorf("no-text page: err = %v, want ErrNoText", err)
	}
	tests := []struct {
		name        string
		body        string
		contentType string
		want        error
	}{
		{"empty", "", "text/html", ErrNotHTML},
		{"whitespace", " \n\t ", "", ErrNotHTML},
		{"image", "\x89PNG\r\n\x1a\n\x00\x00", "image/png", ErrNotHTML},
		{"binary", "GIF89a\x00\x01\x00", "", ErrNotHTML},
		{"feed", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>`, "", ErrNotHTML},
		{"json", `{"a": 1}`, "application/json", ErrNotHTML},
		{"tiny", "<html><body><p>Hello.</p></body></html>", "text/html", ErrNoText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := HTML(context.Background(), []byte(tt.body), tt.contentType, Options{})
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	// A stray NUL byte in a real page is not binary content.
	page := "<!DOCTYPE html><html><head><title>t</title></head><body>\x00<article><p>" +
		strings.Repeat("The council approved the budget for the new bridge after a long debate. ", 4) + "</p></article></body></html>"
	if art, err := HTML(context.Background(), []byte(page), "", Options{}); err != nil || !strings.Contains(art.Text, "council approved") {
		t.Errorf("page with a NUL byte: err = %v, text %q", err, art.Text)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := HTML(ctx, []byte("<p>x</p>"), "", Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

// TestQuality measures token-level precision and recall of Text against the
// hand-written expected text of each page.
func TestQuality(t *testing.T) {
	names, opts := fixtures(t)
	var sumF1 float64
	n := 0
	for _, name := range names {
		want, err := os.ReadFile(filepath.Join("testdata", "pages", name+".expected.txt"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		art, err := extractFixture(t, name, opts[name])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		p, r := tokenPR(art.Text, string(want))
		f1 := 0.0
		if p+r > 0 {
			f1 = 2 * p * r / (p + r)
		}
		t.Logf("%-18s precision %.3f recall %.3f F1 %.3f", name, p, r, f1)
		if f1 < minPageF1 {
			t.Errorf("%s: F1 %.3f below %.2f\ngot:\n%s", name, f1, minPageF1, art.Text)
		}
		if !strings.Contains(art.Text, "\n\n") {
			t.Errorf("%s: Text has no paragraph breaks", name)
		}
		sumF1 += f1
		n++
	}
	mean := sumF1 / float64(n)
	t.Logf("mean F1 over %d pages: %.3f", n, mean)
	if mean < minMeanF1 {
		t.Errorf("mean F1 %.3f below %.2f", mean, minMeanF1)
	}
}

// Quality floors, set just under what the extractor reaches on the fixtures.
const (
	minPageF1 = 0.95
	minMeanF1 = 0.98
)

// tokenPR returns bag-of-tokens precision and recall of got against want.
// CJK text is tokenised per character.
func tokenPR(got, want string) (precision, recall float64) {
	g, w := tokens(got), tokens(want)
	counts := map[string]int{}
	for _, tok := range w {
		counts[tok]++
	}
	match := 0
	for _, tok := range g {
		if counts[tok] > 0 {
			counts[tok]--
			match++
		}
	}
	if len(g) > 0 {
		precision = float64(match) / float64(len(g))
	}
	if len(w) > 0 {
		recall = float64(match) / float64(len(w))
	}
	return precision, recall
}

func tokens(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// TestConcurrentHTML runs every fixture at once and checks each result is
// the same as a sequential run (and, under -race, that nothing is shared).
func TestConcurrentHTML(t *testing.T) {
	names, opts := fixtures(t)
	want := make(map[string]string)
	for _, name := range names {
		art, err := extractFixture(t, name, opts[name])
		want[name] = fmt.Sprint(art, err)
	}
	got := make([]string, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			art, err := extractFixture(t, name, opts[name])
			got[i] = fmt.Sprint(art, err)
		}()
	}
	wg.Wait()
	for i, name := range names {
		if got[i] != want[name] {
			t.Errorf("%s: concurrent result differs from sequential\ngot:  %s\nwant: %s", name, got[i], want[name])
		}
	}
}

// TestSplitAuthors checks that the byline word some pages keep in their
// author metadata is cut, in the languages the byline reader knows, and
// that a surname that is also a byline word survives.
func TestSplitAuthors(t *testing.T) {
	for in, want := range map[string]string{
		"By Jane Doe; Tom Okafor": "Jane Doe|Tom Okafor",
		"Par Jeanne Martin":       "Jeanne Martin",
		"作者 林静":                   "林静",
		"记者：张三":                   "张三",
		"作者林静":                    "林静",
		"文／王小明":                   "王小明",
		"文天祥":                     "文天祥",
		"Byron Hale":              "Byron Hale",
	} {
		if got := strings.Join(splitAuthors(in), "|"); got != want {
			t.Errorf("splitAuthors(%q) = %q, want %q", in, got, want)
		}
	}
}
