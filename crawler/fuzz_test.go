package crawler

import (
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/crawler/crawlertest"
)

// FuzzParseFeed feeds arbitrary bytes to the feed reader and the item
// normalisation: it must never panic, and every item it returns must have an
// absolute http(s) URL and single-line title.
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
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := parseFeed(body, base+"/feed", "application/xml")
		if err != nil {
			return
		}
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
