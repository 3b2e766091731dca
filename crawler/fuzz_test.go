package crawler

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/watchline/watchline/crawler/crawlertest"
)

// FuzzParseFeed feeds arbitrary bytes to the feed reader and the item
// normalisation: it must never panic; every item it returns must have an
// absolute http(s) URL of its own (a feed-only entry's below the feed's), a
// single-line title and valid UTF-8; items come with no error or a partial
// one, never with a fatal one.
func FuzzParseFeed(f *testing.F) {
	const base = "http://feeds.example.org"
	for path, p := range crawlertest.Fixtures(base) {
		if strings.HasPrefix(path, "/feeds/") {
			f.Add(p.Body)
		}
	}
	f.Add([]byte(`<rss version="0.91"><channel><item><title>a &amp; <b>b</b></title><link>  /x  </link></item></channel></rss>`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="javascript:alert(1)"/><id>http://x.example/1</id></entry></feed>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"url":"//cdn.example/a","content_html":"<p>x</p>"}]}`))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel><item><title>caf\xe9</title><link>http://a/b</link></item></channel></rss>"))
	// Shapes the feed reader handles on its own: link-less entries, text
	// constructs, xml:base, DOCTYPE entities, wide encodings, broken ends.
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://x.example/a/"><entry><id>tag:x,2004:1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><b>&amp;</b></div></title></entry><entry xml:base="b/"><link href="c"/><title type="html">&amp;lt;</title></entry></feed>`))
	f.Add([]byte(`<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title mode="base64" type="text/html">PGI+eDwvYj4=</title><issued>2004-W02-3</issued></entry></feed>`))
	f.Add([]byte(`<!DOCTYPE rss [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;">]><rss><channel><item><guid>&a;&b;</guid><pubDate>&#0;Thu, 01 Jan 04</pubDate></item></channel></rss`))
	f.Add([]byte("\xff\xfe<\x00r\x00s\x00s\x00>\x00<\x00i\x00t\x00e\x00m\x00>\x00"))
	f.Add([]byte(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item rdf:about="urn:x"><title>t</title></item><item><x><x><x>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","home_page_url":"/home/","items":[{"id":"a","content_text":"t","date_published":"2004-01-01"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := parseFeed(body, base+"/feed", http.Header{"Content-Type": {"application/xml"}})
		if err != nil && !errors.Is(err, ErrFeedPartial) {
			if len(items) > 0 {
				t.Fatalf("%d items with error %v", len(items), err)
			}
			return
		}
		if err != nil && len(items) == 0 {
			t.Fatalf("partial feed without items: %v", err)
		}
		seen := map[string]bool{}
		if len(items) > maxItems {
			t.Fatalf("%d items, cap is %d", len(items), maxItems)
		}
		for _, it := range items {
			if !strings.HasPrefix(it.URL, "http://") && !strings.HasPrefix(it.URL, "https://") {
				t.Fatalf("item URL %q is not absolute http(s)", it.URL)
			}
			if strings.ContainsAny(it.Title, "\n\t") {
				t.Fatalf("title %q not collapsed", it.Title)
			}
			if !it.Published.IsZero() && it.Published.Location() != time.UTC {
				t.Fatalf("published %v not UTC", it.Published)
			}
			if it.FeedOnly && !strings.HasPrefix(it.URL, base+"/feed#entry-") {
				t.Fatalf("feed-only entry under %q, not under the feed", it.URL)
			}
			if !utf8.ValidString(it.Title) || !utf8.ValidString(it.Text) {
				t.Fatalf("invalid UTF-8 in %q / %q", it.Title, it.Text)
			}
			if seen[it.URL] {
				t.Fatalf("two items for %s", it.URL)
			}
			seen[it.URL] = true
		}
	})
}

// FuzzParseSitemap does the same for sitemaps.
func FuzzParseSitemap(f *testing.F) {
	const base = "http://feeds.example.org"
	for path, p := range crawlertest.Fixtures(base) {
		if strings.HasPrefix(path, "/sitemap") {
			f.Add(p.Body)
		}
	}
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		items, children, err := parseSitemap(body, base+"/sitemap.xml", 1<<20)
		if err != nil {
			return
		}
		for _, it := range items {
			if !strings.HasPrefix(it.URL, "http") {
				t.Fatalf("item URL %q", it.URL)
			}
		}
		for _, c := range children {
			if !strings.HasPrefix(c, "http") {
				t.Fatalf("child %q", c)
			}
		}
	})
}

// FuzzImport feeds arbitrary files to the import row readers (without a
// store): every row is either accepted or reported with a positive line.
func FuzzImport(f *testing.F) {
	f.Add([]byte("url,title,text\nhttps://a.example/x,T,\"some, text\"\n"), true)
	f.Add([]byte(`{"url":"https://a.example/x","text":"t"}`+"\n{bad\n"), false)
	f.Fuzz(func(t *testing.T, body []byte, csv bool) {
		var rep ImportReport
		handle := func(line int, row importRow) error {
			if line <= 0 {
				t.Fatalf("row at line %d", line)
			}
			row.document(time.Now())
			return nil
		}
		br := newTestReader(body)
		if csv {
			importCSV(t.Context(), br, &rep, handle)
		} else {
			importNDJSON(t.Context(), br, &rep, handle)
		}
		for _, b := range rep.Bad {
			if b.Line <= 0 || b.Reason == "" {
				t.Fatalf("bad row %+v", b)
			}
		}
	})
}
