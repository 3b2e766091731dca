package extract

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzHTML feeds arbitrary bodies and content types to HTML. It must never
// panic, and what it returns must respect the Article invariants.
func FuzzHTML(f *testing.F) {
	pages, _ := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "text/html", "https://example.com/2024/04/22/story")
	}
	f.Add([]byte("<html><body><article><h1>x</h1><p>Published 31 February 2024.</p></article>"), "", "")
	f.Add([]byte(`<script type="application/ld+json">[[[[{"@graph":[{"@type":"NewsArticle","datePublished":1}]}]]]]</script>`), "text/html; charset=bogus", "http://[::1]/")
	f.Add([]byte("\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00"), "text/html; charset=utf-16", "")
	f.Add([]byte(strings.Repeat("<div>", 5000)+"text. "+strings.Repeat("</div>", 10)), "text/html", "")
	f.Fuzz(func(t *testing.T, body []byte, contentType, pageURL string) {
		art, err := HTML(context.Background(), body, contentType, Options{URL: pageURL, now: testNow})
		if err != nil {
			return
		}
		if art.Text == "" || !utf8.ValidString(art.Text) || !utf8.ValidString(art.Title) {
			t.Errorf("bad text: title %q text %q", art.Title, art.Text)
		}
		if c := art.PublishedConfidence; c < 0 || c > 1 {
			t.Errorf("confidence %v out of range", c)
		}
		if art.Published.IsZero() != (art.PublishedSource == "") {
			t.Errorf("Published %v with source %q", art.Published, art.PublishedSource)
		}
		if !art.Published.IsZero() && (art.Published.Before(minDate) || art.Published.After(testNow.Add(maxAhead))) {
			t.Errorf("implausible Published %v", art.Published)
		}
		if art.CanonicalURL != "" {
			if _, err := NormalizeURL(art.CanonicalURL); err != nil {
				t.Errorf("CanonicalURL %q does not normalise: %v", art.CanonicalURL, err)
			}
		}
	})
}

// FuzzNormalizeURL checks that a normalised URL is an http(s) URL without
// fragment or tracking parameters, and that normalising is idempotent.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{
		"https://WWW.Example.com:443/politics/2025/07/01/x?utm_medium=social&page=2&gclid=zz#top",
		"http://example.com:80/a/./b/../c?ref=x&q=%20",
		"https://example.com/wiki/Café?q=é",
		"http://[::1]:8080/a",
		"ftp://example.com/",
		"https://user:pw@example.com./a%2Fb",
		"//example.com/a",
		"https://example.com/%zz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := NormalizeURL(raw)
		if err != nil {
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("NormalizeURL(%q) = %q, which does not parse: %v", raw, got, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Errorf("scheme %q in %q", u.Scheme, got)
		}
		if u.Fragment != "" || strings.Contains(got, "#") {
			t.Errorf("fragment kept in %q", got)
		}
		for key := range u.Query() {
			if k := strings.ToLower(key); strings.HasPrefix(k, "utm_") || trackingParams[k] {
				t.Errorf("tracking param %q kept in %q", key, got)
			}
		}
		again, err := NormalizeURL(got)
		if err != nil {
			t.Fatalf("NormalizeURL(%q) = %q, which fails to normalise again: %v", raw, got, err)
		}
		if again != got {
			t.Errorf("not idempotent: %q -> %q -> %q", raw, got, again)
		}
	})
}
