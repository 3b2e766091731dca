package crawler

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/watchline/watchline/extract"
)

// maxItems bounds how many items one listing (feed, page, sitemap) yields.
const maxItems = 500

// item is one entry of a feed, listing page or sitemap: a link to a document
// and what the listing says about it.
type item struct {
	URL       string    // absolute http(s)
	Title     string    // plain text
	Content   string    // HTML body or summary from a feed, if any
	Text      string    // Content as plain text, paragraphs separated by "\n\n"
	Published time.Time // the listing's date: evidence, not gospel
	Modified  time.Time // when the feed says the entry was last updated
	Authors   []string
	// FeedOnly: the feed entry has no link of its own. URL is a stable key
	// below the feed's URL, never fetched; the document is the entry.
	FeedOnly bool
}

func mediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return strings.TrimSpace(contentType)
	}
	return mt
}

// plainText strips tags and collapses whitespace (titles).
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	return strings.Join(strings.Fields(htmlText(s)), " ")
}

// blockTags end a paragraph when turning HTML into text.
var blockTags = map[string]bool{"p": true, "div": true, "br": true, "li": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "tr": true, "section": true, "article": true,
	"ul": true, "ol": true, "table": true, "hr": true, "dd": true, "dt": true, "figure": true, "figcaption": true}

// skipTags hold code or fallbacks, not text: a title with a script in it is
// the text around the script.
var skipTags = map[string]bool{"script": true, "style": true, "noscript": true, "template": true,
	"applet": true, "iframe": true, "noembed": true, "noframes": true}

// htmlText turns a fragment of HTML into paragraphs separated by "\n\n".
// It reads the fragment as a stream of tokens, not a tree, so markup nested
// however deep costs nothing and never comes out as text; entities are
// decoded exactly once.
func htmlText(fragment string) string {
	if strings.TrimSpace(fragment) == "" {
		return ""
	}
	if !strings.ContainsAny(fragment, "<&") {
		return paragraphs(fragment)
	}
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	skip := 0 // inside an element whose content is code or a fallback, never text
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return paragraphs(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			switch tag := string(name); {
			case skipTags[tag]:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case blockTags[tag]:
				b.WriteString("\n\n")
			}
		}
	}
}

// paragraphs collapses whitespace inside paragraphs and separates them with
// one blank line.
func paragraphs(s string) string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// parseListing returns the links of an HTML listing page picked by selector,
// resolved against the page URL (and its <base href>), in page order.
func parseListing(body []byte, contentType, pageURL, selector string) ([]item, error) {
	text, _, err := extract.Decode(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("listing: %w", err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("listing: parse html: %w", err)
	}
	base := pageURL
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b, err := resolveHTTP(pageURL, href); err == nil {
			base = b
		}
	}
	if strings.TrimSpace(selector) == "" {
		selector = "a[href]"
	}
	var sel *goquery.Selection
	func() {
		// cascadia panics on some malformed selectors in older versions;
		// config validation should catch them, this is the backstop.
		defer func() {
			if recover() != nil {
				sel = nil
			}
		}()
		sel = doc.Find(selector)
	}()
	if sel == nil {
		return nil, fmt.Errorf("listing: bad links selector %q", selector)
	}
	var items []item
	seen := map[string]bool{}
	sel.EachWithBreak(func(_ int, s *goquery.Selection) bool {
		a := s
		if goquery.NodeName(s) != "a" {
			a = s.Find("a[href]").First()
		}
		href, ok := a.Attr("href")
		if !ok {
			return true
		}
		u, err := resolveHTTP(base, href)
		if err != nil || seen[u] {
			return true
		}
		seen[u] = true
		items = append(items, item{URL: u, Title: strings.Join(strings.Fields(a.Text()), " ")})
		return len(items) < maxItems
	})
	return items, nil
}

// Sitemap limits: an index may point at other indexes, but not forever.
const (
	maxSitemapDepth = 2
	maxSitemaps     = 50
)

type sitemapDoc struct {
	XMLName  xml.Name
	URLs     []sitemapURL `xml:"url"`
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
	News    struct {
		PublicationDate string `xml:"publication_date"`
		Title           string `xml:"title"`
	} `xml:"news"`
}

// parseSitemap reads a sitemap (possibly gzipped): a urlset yields items (a
// Google News entry gives the title and publication date), an index yields the
// child sitemap URLs.
func parseSitemap(body []byte, base string, maxBody int64) (items []item, children []string, err error) {
	if bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: gzip: %v", ErrNotSitemap, err)
		}
		if maxBody <= 0 {
			maxBody = 10 << 20
		}
		body, err = io.ReadAll(io.LimitReader(zr, maxBody+1))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: gzip: %v", ErrNotSitemap, err)
		}
		if int64(len(body)) > maxBody {
			return nil, nil, &limitError{maxBody}
		}
	}
	var doc sitemapDoc
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "us-ascii") {
			return r, nil
		}
		return nil, fmt.Errorf("unsupported sitemap encoding %q", label)
	}
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotSitemap, err)
	}
	switch doc.XMLName.Local {
	case "urlset":
		seen := map[string]bool{}
		for _, su := range doc.URLs {
			u, err := resolveHTTP(base, su.Loc)
			if err != nil || seen[u] {
				continue
			}
			seen[u] = true
			it := item{URL: u, Title: plainText(su.News.Title)}
			if t, ok := parseFeedDate(su.News.PublicationDate); ok {
				it.Published = t
			}
			items = append(items, it)
			if len(items) >= maxItems {
				break
			}
		}
	case "sitemapindex":
		for _, sm := range doc.Sitemaps {
			if u, err := resolveHTTP(base, sm.Loc); err == nil {
				children = append(children, u)
			}
		}
	default:
		return nil, nil, fmt.Errorf("%w: root element is <%s>", ErrNotSitemap, doc.XMLName.Local)
	}
	return items, children, nil
}

// sameSite says whether two URLs are on the same host, ignoring "www.", so a
// page's rel=canonical cannot claim another site's document.
func sameSite(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	ha := strings.TrimPrefix(strings.ToLower(ua.Hostname()), "www.")
	hb := strings.TrimPrefix(strings.ToLower(ub.Hostname()), "www.")
	return ha != "" && ha == hb
}
