package crawler

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"

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
	// Shapes where which elements gofeed takes for entries is subtle.
	f.Add([]byte(`<rss><channel><item><link>a</link></item></channel><item/><channel><item/><item><link>b</link></item></channel></rss>`))
	f.Add([]byte(`<CHANNEL HREF="/"><ITEM HREF="a" LASTMOD="2004-01-05"/><CHANNEL><ITEM><link>x</link></ITEM></CHANNEL></CHANNEL>`))
	f.Add([]byte(`<feed xmlns="http://purl.org/echo/" xmlns:e="http://purl.org/echo/"><e:entry><link href="a"/></e:entry><entry><link xml:base="b/" href="c"/><created>2004</created></entry></feed>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := checkPrepared(body); err != nil {
			t.Fatal(err)
		}
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

// checkPrepared holds prepareXML to what feed.go relies on: a document it
// accepts, gofeed reads, and it notes facts for exactly the entries gofeed
// returns, in gofeed's order (each entry's count of links is the
// fingerprint), so no entry ever takes another's facts.
func checkPrepared(body []byte) error {
	text := decodeFeed(body, "application/xml")
	if strings.HasPrefix(strings.TrimLeft(text, " \t\r\n"), "{") {
		return nil // JSON Feed
	}
	base, _ := url.Parse("http://feeds.example.org/feed")
	p, err := prepareXML(text, base, "application/xml")
	if err != nil {
		return nil
	}
	var links []int // per entry gofeed read, its link elements
	if p.atom {
		f, err := (&atom.Parser{}).Parse(strings.NewReader(p.text))
		if err != nil {
			return fmt.Errorf("prepared Atom document unreadable to gofeed: %v\n%.500q", err, p.text)
		}
		for _, e := range f.Entries {
			links = append(links, len(e.Links))
		}
	} else {
		f, err := (&rss.Parser{}).Parse(strings.NewReader(p.text))
		if err != nil {
			return fmt.Errorf("prepared RSS document unreadable to gofeed: %v\n%.500q", err, p.text)
		}
		for _, e := range f.Items {
			links = append(links, len(e.Links))
		}
	}
	if len(links) != len(p.entries) {
		return fmt.Errorf("facts for %d entries, gofeed read %d\n%.500q", len(p.entries), len(links), p.text)
	}
	for i, n := range links {
		if n != len(p.entries[i].links) {
			return fmt.Errorf("entry %d: facts for %d links, gofeed read %d\n%.500q", i+1, len(p.entries[i].links), n, p.text)
		}
	}
	return nil
}

// TestPreparedFixtures: every feed fixture (the conformance table's and the
// crawler's) passes checkPrepared.
func TestPreparedFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(conformanceDir, "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		bodies[name] = []byte(strings.ReplaceAll(strings.ReplaceAll(string(b), "{base}", "http://feeds.example.org/c1"), "{host}", "http://feeds.example.org"))
	}
	for path, p := range crawlertest.Fixtures("http://feeds.example.org") {
		if strings.HasPrefix(path, "/feeds/") || strings.HasPrefix(path, "/faults/") {
			bodies[path] = p.Body
		}
	}
	if len(bodies) < 150 {
		t.Fatalf("%d fixtures", len(bodies))
	}
	// Shapes where which elements are entries depends on gofeed's rules:
	// several channels (gofeed keeps the last), items outside the channel,
	// namespaces gofeed would take for an extension's, prefixes, nesting,
	// elements closed out of order.
	for i, doc := range []string{
		`<rss><channel><item><title>a</title></item></channel><channel><item><title>b</title></item><item/></channel></rss>`,
		`<rss><item><title>r</title></item><channel><item><title>a</title></item></channel><item/></rss>`,
		`<rss xmlns="http://purl.org/dc/elements/1.1/"><channel><item><title>a</title></item></channel></rss>`,
		`<feed xmlns="http://purl.org/echo/"><entry xmlns="http://purl.org/echo/"><title>a</title></entry><entry><title>b</title></entry></feed>`,
		`<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:entry><a:title>t</a:title><a:link href="x"/></a:entry></a:feed>`,
		`<feed xmlns="http://purl.org/echo/" xmlns:e="http://purl.org/echo/"><e:entry><title>a</title></e:entry><entry/></feed>`,
		`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://example.org/other/"><channel/><item><title>x</title></item></rdf:RDF>`,
		`<feed><entry xmlns="http://example.org/x"><title>a</title></entry><entry/></feed>`,
		`<feed><ENTRY><title>a</title></ENTRY><Entry/></feed>`,
		`<rss><Channel><ITEM><title>a</title></ITEM></Channel></rss>`,
		`<CHANNEL><ITEM HREF="http://a/b"/><CHANNEL><ITEM><link>x</link></ITEM></CHANNEL></CHANNEL>`,
		`<rss><channel><item><link>a</link></item></channel><item/><channel><item/></channel></rss>`,
		`<rss><channel><item></channel><ChAnnel>`,
		`<rss><channel><item><link>a</link></item><item/>`,
		`<rss><channel xmlns:x="u"><item><title xmlns:y="v">t</channel><item/>`,
		`<entrY xmlns=></A>`,
		`<rss/>`,
		`<rss><channel><item><link>a</link></item><?xml version="1.0" encoding="bogus"?><item/></channel></rss>`,
		`<entry xmlns="http://www.w3.org/2005/Atom"><title>a</title><entry><title>b</title></entry></entry>`,
		`<rss><channel><item><item><title>a</title></item></item></channel></rss>`,
		`<rss><channel><item><link>a</link><link xml:base="http://x/y/">b</link><atom:link xmlns:atom="http://www.w3.org/2005/Atom" href="c"/></item></channel></rss>`,
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://x/a/b.html"><entry><link/><link href=""/><link rel="alternate">http://t/</link></entry></feed>`,
		`<rss><channel><item><title>a</title></item></channel></rss><rss><channel><item/></channel></rss>`,
		`<rss><channel><item><title>a</title></item></channel>`,
		`<rss:rss xmlns:rss="http://example.org/rss"><rss:channel><rss:item><rss:title>x</rss:title></rss:item></rss:channel></rss:rss>`,
		`<rss xmlns="http://www.w3.org/2005/Atom"><channel><item><title>x</title></item></channel></rss>`,
		`<rss xmlns="http://search.yahoo.com/mrss/"><channel><item><title>x</title></item></channel></rss>`,
		`<rss><channel><item><atom:link href="x"/></item></channel></RSS>`,
		`<rss><channel><item><title>a</title></ITEM></channel></rss>`,
		`<rss><channel><item><title>a</item></channel></rss>`,
		`<feed><entry><title type="xhtml"><div><p>a</div></title></entry></feed>`,
		`<feed><entry><content type="html"><![CDATA[x]]></content><summary>&bogus;</summary></entry></feed>`,
		`<rss><channel><item><guid/><link/><enclosure/><source/><category/></item></channel></rss>`,
		`<rss><channel><image><link>x</link></image><textInput/><skipHours><hour>1</hour></skipHours><cloud/><item><x:y xmlns:x="u"><z/></x:y></item></channel></rss>`,
		`<feed><entry><source><entry/></source><author><name>a</name></author></entry></feed>`,
	} {
		bodies[fmt.Sprintf("shape %d", i)] = []byte(doc)
	}
	for name, body := range bodies {
		if err := checkPrepared(body); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
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
