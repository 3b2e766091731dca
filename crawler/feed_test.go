package crawler

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler/crawlertest"
	"github.com/watchline/watchline/model"
)

func TestParseFeedEntries(t *testing.T) {
	const feedURL = "http://feeds.example.org/news.xml"
	parse := func(t *testing.T, body string) []item {
		t.Helper()
		items, err := parseFeed([]byte(body), feedURL, http.Header{"Content-Type": {"application/xml"}})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	t.Run("full text preferred to the summary, authors and update", func(t *testing.T) {
		items := parse(t, `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item>
<title>Hearing adjourned</title><link>http://feeds.example.org/a</link>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>The full text, first paragraph.</p><p>Second &amp; last.</p>]]></content:encoded>
<dc:creator>Jo Bloggs</dc:creator><author>desk@example.org (Desk Editor)</author>
<pubDate>Mon, 05 Jan 2004 10:00:00 GMT</pubDate><dcterms:modified xmlns:dcterms="http://purl.org/dc/terms/">2004-01-06T10:00:00Z</dcterms:modified>
</item></channel></rss>`)
		if len(items) != 1 {
			t.Fatalf("%d items", len(items))
		}
		it := items[0]
		if it.Text != "The full text, first paragraph.\n\nSecond & last." {
			t.Errorf("text = %q", it.Text)
		}
		if strings.Join(it.Authors, "|") != "Jo Bloggs|Desk Editor" {
			t.Errorf("authors = %q", it.Authors)
		}
		if !it.Modified.Equal(time.Date(2004, 1, 6, 10, 0, 0, 0, time.UTC)) || it.FeedOnly {
			t.Errorf("modified = %v, feed-only %v", it.Modified, it.FeedOnly)
		}
	})
	t.Run("atom content out of line falls back to the summary", func(t *testing.T) {
		items := parse(t, `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:x,2004:1</id><title>T</title>
<content src="http://feeds.example.org/body.html" type="text/html"/><summary type="text">Plain &lt;summary&gt;.</summary></entry></feed>`)
		if items[0].Text != "Plain <summary>." || !strings.Contains(items[0].Content, "&lt;summary&gt;") {
			t.Errorf("text %q, content %q", items[0].Text, items[0].Content)
		}
	})
	t.Run("an extension's HTML in an Atom feed is HTML", func(t *testing.T) {
		items := parse(t, `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/"><entry><id>tag:x,2004:2</id>
<title>T</title><content:encoded>&lt;p&gt;Body &amp;amp; more&lt;/p&gt;</content:encoded><summary>Untyped &lt;b&gt; is text</summary></entry></feed>`)
		if items[0].Text != "Body & more" {
			t.Errorf("text = %q", items[0].Text)
		}
	})
	t.Run("an IRI base gives an ASCII host", func(t *testing.T) {
		items := parse(t, `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://www.詹姆斯.com/news/"><entry><title>T</title><link href="a b"/></entry></feed>`)
		if want := "http://www.xn--8ws00zhy3a.com/news/a%20b"; items[0].URL != want {
			t.Errorf("URL = %q, want %q", items[0].URL, want)
		}
	})
	t.Run("feed-only keys", func(t *testing.T) {
		const doc = `<feed xmlns="http://www.w3.org/2005/Atom">
<entry><id>tag:x,2004:1</id><title>One</title></entry>
<entry><id>tag:x,2004:2</id><title>Two</title></entry>
<entry><id>tag:x,2004:1</id><title>One again, same id</title></entry>
<entry><title>No id</title></entry>
<entry><title>No id</title></entry>
</feed>`
		items := parse(t, doc)
		if len(items) != 3 {
			t.Fatalf("%d items, want 3 (a repeated id and a repeated id-less entry are one each)", len(items))
		}
		again := parse(t, strings.Replace(doc, "<title>One</title>", "<title>One, retitled</title>", 1))
		for i, it := range items {
			if !it.FeedOnly || !strings.HasPrefix(it.URL, feedURL+"#entry-") {
				t.Errorf("item %d: %q feed-only %v", i, it.URL, it.FeedOnly)
			}
			if again[i].URL != it.URL {
				t.Errorf("item %d: key %q changed to %q when only its title changed", i, it.URL, again[i].URL)
			}
		}
		other, _ := parseFeed([]byte(doc), "http://feeds.example.org/other.xml", nil)
		if other[0].URL == items[0].URL {
			t.Errorf("two feeds give the same id one key %q", items[0].URL)
		}
	})
	t.Run("fragments of one page are separate entries", func(t *testing.T) {
		items := parse(t, `<rss><channel>
<item><title>First</title><link>http://feeds.example.org/page#a</link></item>
<item><title>Second</title><link>http://feeds.example.org/page#b</link></item>
<item><title>Second again</title><link>http://feeds.example.org/page#b</link></item>
<item><title>No fragment</title><link>http://feeds.example.org/page</link></item>
</channel></rss>`)
		if len(items) != 2 || items[0].URL != "http://feeds.example.org/page" || !items[1].FeedOnly {
			t.Errorf("items = %+v", items)
		}
	})
	t.Run("entries sharing a page", func(t *testing.T) {
		items := parse(t, `<feed xmlns="http://www.w3.org/2005/Atom">
<entry><id>tag:x,2025:update-1</id><title>Live: first update</title><link href="http://feeds.example.org/live"/></entry>
<entry><id>tag:x,2025:update-2</id><title>Live: second update</title><link href="http://feeds.example.org/live"/></entry>
<entry><id>tag:x,2025:update-2</id><title>Live: second update, repeated</title><link href="http://feeds.example.org/live"/></entry>
</feed>`)
		if len(items) != 2 || items[0].URL != "http://feeds.example.org/live" || !items[1].FeedOnly || items[1].Title != "Live: second update" {
			t.Errorf("items = %+v, want the page and the second update under its own key", items)
		}
	})
	t.Run("items past the cap are not read", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("<rss><channel>")
		for i := range maxItems + 50 {
			b.WriteString("<item><guid>g" + strings.Repeat("x", i%7) + time.Duration(i).String() + "</guid><title>t</title></item>")
		}
		b.WriteString("<item><title>broken")
		items, err := parseFeed([]byte(b.String()), feedURL, nil)
		if err != nil || len(items) != maxItems {
			t.Errorf("%d items, %v; want %d and no error (the break lies past the cap)", len(items), err, maxItems)
		}
	})
}

func TestParseFeedDamage(t *testing.T) {
	const feedURL = "http://feeds.example.org/news.xml"
	two := `<item><title>One</title><link>http://feeds.example.org/1</link></item><item><title>Two</title><link>http://feeds.example.org/2</link></item>`
	tests := []struct {
		name      string
		body      string
		wantItems int
		wantErr   error  // nil, ErrFeedPartial, ErrFeedParse or ErrNotFeed
		wantText  string // in the error
	}{
		{"no closing root tag", `<rss><channel>` + two + `</channel>`, 2, ErrFeedPartial, "breaks off after entry 2"},
		{"cut in the third item", `<rss><channel>` + two + `<item><title>Thr`, 2, ErrFeedPartial, "entry 3 is unreadable"},
		{"nested too deep", `<rss><channel>` + two + `<item><description>` + strings.Repeat("<x>", 300), 2, ErrFeedPartial, "nested deeper than 256 levels"},
		{"cut in the first item", `<rss><channel><item><title>On`, 0, ErrFeedParse, "entry 1 is unreadable"},
		{"cut before any item", `<rss><channel><title>Feed`, 0, ErrFeedParse, "before its first entry"},
		{"empty feed", `<rss><channel></channel></rss>`, 0, nil, ""},
		{"html", `<!DOCTYPE html><html><body>x</body></html>`, 0, ErrNotFeed, "root element is <html>"},
		{"nothing", ``, 0, ErrNotFeed, "no XML element"},
		{"broken json", `{"version": "https://jsonfeed.org/version/1", "items": [`, 0, ErrFeedParse, "JSON Feed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := parseFeed([]byte(tt.body), feedURL, nil)
			if len(items) != tt.wantItems {
				t.Errorf("%d items, want %d", len(items), tt.wantItems)
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != nil && (!errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText)):
				t.Errorf("error %v, want %v containing %q", err, tt.wantErr, tt.wantText)
			}
		})
	}
}

// TestHTMLTextDeepNesting: markup nested far deeper than any parser's tree
// limit comes out as its text, never as markup.
func TestHTMLTextDeepNesting(t *testing.T) {
	deep := strings.Repeat("<div><x>", 100000) + "inside &amp; deep" + strings.Repeat("</x></div>", 100000)
	if got := htmlText("<p>before</p>" + deep); got != "before\n\ninside & deep" {
		t.Errorf("text = %.200q", got)
	}
}

// TestFeedWithoutLinksCrawled crawls a feed of entries without links twice:
// they are stored under their stable keys once, with the feed's own text,
// and a second crawl finds them unchanged.
func TestFeedWithoutLinksCrawled(t *testing.T) {
	e := newEnv(t, feedSource("f", "/feeds/nolinks.xml", false))
	e.srv.Set("/feeds/nolinks.xml", crawlertest.Page{ContentType: "application/atom+xml", Body: []byte(`<feed xmlns="http://www.w3.org/2005/Atom">
<entry><id>urn:uuid:2b4f3a9e-1111-4c3b-8f00-aa0000000001</id><title>Committee statement</title><updated>2025-03-04T10:00:00Z</updated>
<content type="html">&lt;p&gt;The committee said it had asked the ministry for the full list of meetings held with the delegation.&lt;/p&gt;</content></entry>
<entry><id>tag:fixture.test,2025:notice-2</id><title>Notice of a closed session</title><updated>2025-03-05T10:00:00Z</updated></entry>
</feed>`)})
	res := e.crawl("f")
	if res.Err != nil || res.New != 2 || res.Failed != 0 {
		t.Fatalf("first crawl = %+v", res)
	}
	docs := e.docs()
	for _, d := range docs {
		if !strings.HasPrefix(d.URL, e.srv.URL()+"/feeds/nolinks.xml#entry-") || d.PublishedSource != "feed" {
			t.Errorf("document %q (%s): want a key under the feed, dated by the feed", d.URL, d.PublishedSource)
		}
		if d.Title == "Committee statement" && !strings.HasPrefix(d.Text, "The committee said") {
			t.Errorf("text = %q", d.Text)
		}
		if d.Title == "Notice of a closed session" && d.Text != "" {
			t.Errorf("headline-only entry text = %q", d.Text)
		}
	}
	if n := len(e.srv.Hits("")); n != 2 { // robots.txt and the feed: no page is fetched
		t.Errorf("%d requests, want 2", n)
	}
	res = e.crawl("f")
	if res.Err != nil || res.New != 0 || res.Unchanged != 2 {
		t.Errorf("second crawl = %+v, want the 2 entries unchanged", res)
	}
}

// TestPartialFeedCrawled: a feed that breaks off keeps its complete
// entries, says so in the source's health, and is read in full next time
// (its validators are not kept, so a 304 cannot hide the lost entries).
func TestPartialFeedCrawled(t *testing.T) {
	e := newEnv(t, feedSource("f", "/feeds/cut.xml", false))
	full := crawlertest.RSS(e.srv.URL(), crawlertest.ArrestArticle, crawlertest.ChargeArticle)
	cut := full[:strings.LastIndex(full, "<item>")+len("<item><title>Cha")]
	e.srv.Set("/feeds/cut.xml", crawlertest.Page{ContentType: "application/rss+xml", Body: []byte(cut), Conditional: true})
	res := e.crawl("f")
	if res.Err != nil || res.New != 1 || !errors.Is(res.ItemErr, ErrFeedPartial) {
		t.Fatalf("crawl = %+v (item error %v), want 1 new and a partial-feed warning", res, res.ItemErr)
	}
	if h := e.health("f"); !strings.Contains(h.LastError, "entry 2 is unreadable") || h.ConsecutiveFailures != 0 {
		t.Errorf("health = %+v", h)
	}
	e.srv.Set("/feeds/cut.xml", crawlertest.Page{ContentType: "application/rss+xml", Body: []byte(full), Conditional: true})
	res = e.crawl("f")
	if res.New != 1 || res.Unchanged != 1 {
		t.Errorf("second crawl = %+v, want the lost entry new", res)
	}
	hits := e.srv.Hits("/feeds/cut.xml")
	if last := hits[len(hits)-1]; last.Header.Get("If-None-Match") != "" || last.Header.Get("If-Modified-Since") != "" {
		t.Errorf("the feed was asked for conditionally after a partial read: %v", last.Header)
	}
}

// TestDeepNestingNotStoredAsText: a feed whose entry nests markup 466,000
// levels deep (1.4 MB of "<x>") is refused with a specific error, and no
// document holds the markup as text.
func TestDeepNestingNotStoredAsText(t *testing.T) {
	e := newEnv(t, feedSource("f", "/feeds/deep.xml", false))
	const levels = 466000
	body := `<rss><channel><item><title>Deep</title><description>` + strings.Repeat("<x>", levels) + "text" + strings.Repeat("</x>", levels) + `</description></item></channel></rss>`
	e.srv.Set("/feeds/deep.xml", crawlertest.Page{ContentType: "application/rss+xml", Body: []byte(body)})
	res := e.crawl("f")
	if !errors.Is(res.Err, ErrFeedParse) || !strings.Contains(res.Err.Error(), "nested deeper than") {
		t.Errorf("crawl error = %v, want a feed parse error about nesting", res.Err)
	}
	for _, d := range e.docs() {
		if strings.Contains(d.Text, "<x>") {
			t.Errorf("document %s holds markup as text (%d bytes)", d.URL, len(d.Text))
		}
	}
	// The same markup escaped as HTML inside the description is text to
	// extract, however deep.
	escaped := `<rss><channel><item><title>Deep escaped</title><guid>deep-1</guid><description>` + strings.Repeat("&lt;x&gt;", levels) + "the text" + `</description></item></channel></rss>`
	e.srv.Set("/feeds/deep.xml", crawlertest.Page{ContentType: "application/rss+xml", Body: []byte(escaped)})
	if res := e.crawl("f"); res.Err != nil || res.New != 1 {
		t.Fatalf("escaped crawl = %+v", res)
	}
	for _, d := range e.docs() {
		if d.Title == "Deep escaped" && d.Text != "the text" {
			t.Errorf("text = %.100q (%d bytes)", d.Text, len(d.Text))
		}
	}
}

// TestFeedHeadlineWhenPageHasNoArticle: an entry whose page holds no article
// (a video page) is stored from the feed, with the page kept as raw, rather
// than lost; and the feed's headline beats the page's title.
func TestFeedHeadlineWhenPageHasNoArticle(t *testing.T) {
	e := newEnv(t, feedSource("f", "/feeds/video.xml", false))
	e.srv.Set("/video/1", crawlertest.Page{Body: []byte(`<html><head><title>Watch | Site</title></head><body><video src="/v.mp4"></video></body></html>`)})
	e.srv.Set("/feeds/video.xml", crawlertest.Page{ContentType: "application/rss+xml", Body: []byte(`<rss><channel>
<item><title>Minister questioned on camera</title><link>/video/1</link><pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate></item>
<item><title>Feed headline</title><link>` + crawlertest.PlainArticle.Path + `</link></item>
</channel></rss>`)})
	res := e.crawl("f")
	if res.Err != nil || res.New != 2 {
		t.Fatalf("crawl = %+v", res)
	}
	if d := e.doc("/video/1"); d.Title != "Minister questioned on camera" || d.PublishedSource != "feed" || d.Text != "" {
		t.Errorf("video entry = %q %q %q", d.Title, d.PublishedSource, d.Text)
	}
	if d := e.doc(crawlertest.PlainArticle.Path); d.Title != "Feed headline" || !strings.Contains(d.Text, crawlertest.PlainArticle.Paragraphs[1]) {
		t.Errorf("article = %q %.80q", d.Title, d.Text)
	}
}

// TestCheckPartialFeed: `sources check` reads a feed that breaks off like
// the crawler does, counts the entries before the break and warns.
func TestCheckPartialFeed(t *testing.T) {
	srv := crawlertest.NewServer()
	defer srv.Close()
	full := crawlertest.RSS(srv.URL(), crawlertest.ArrestArticle, crawlertest.ChargeArticle)
	srv.Set("/feeds/cut.xml", crawlertest.Page{ContentType: "application/rss+xml", Body: []byte(strings.TrimSuffix(full, "</channel></rss>\n"))})
	src := model.Source{ID: "cut", Kind: model.KindFeed, URL: srv.URL() + "/feeds/cut.xml", AllowPrivate: true, MaxBody: 1 << 20}
	cfg := &config.Config{Defaults: config.Defaults{Timeout: 5 * time.Second, Workers: 1}, Sources: []model.Source{src}}
	r := Check(context.Background(), cfg, cfg.Sources, CheckOptions{Now: func() time.Time { return time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC) }})[0]
	if r.Verdict != VerdictWarning || r.Items != 2 || !strings.Contains(r.Advice, "breaks off") || !strings.Contains(r.Error, "breaks off after entry 2") {
		t.Errorf("check = %+v", r)
	}
}

// TestOfficialFeedUnchangedKeepsKeys: an official source's unchanged (304)
// feed re-reads the pages it listed, but an entry without a link has no
// page, and its key must never be fetched as one.
func TestOfficialFeedUnchangedKeepsKeys(t *testing.T) {
	e := newEnv(t, func(e *env) model.Source {
		s := e.source("gov", model.KindFeed, "/feeds/gov.xml")
		s.Official, s.FetchArticles = true, true
		return s
	})
	e.srv.Set("/feeds/gov.xml", crawlertest.Page{ContentType: "application/rss+xml", Conditional: true, Body: []byte(`<rss><channel>
<item><title>Statement without a page</title><guid isPermaLink="false">gov-1</guid><description>The department will publish its response in the spring, a spokesperson said today.</description></item>
<item><title>Statement with a page</title><link>` + crawlertest.Statement.Path + `</link></item>
</channel></rss>`)})
	if res := e.crawl("gov"); res.Err != nil || res.New != 2 {
		t.Fatalf("first crawl = %+v", res)
	}
	res := e.crawl("gov")
	if res.Err != nil || res.Failed != 0 || res.New != 0 {
		t.Errorf("second crawl = %+v (last item error %v)", res, res.ItemErr)
	}
	if n := len(e.srv.Hits("/feeds/gov.xml")); n != 2 {
		t.Errorf("feed requested %d times, want 2 (the entry's key was fetched as a page)", n)
	}
	if n := len(e.docs()); n != 2 {
		t.Errorf("%d documents, want 2", n)
	}
}
