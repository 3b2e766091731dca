package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// Errors callers branch on. They are wrapped with detail; use errors.Is.
var (
	// ErrNotHTML means the body is empty, binary, a feed, or was served with
	// a non-HTML content type.
	ErrNotHTML = errors.New("not an HTML page")
	// ErrNoText means the page parsed but holds no article text (an index,
	// a login wall, a video-only page).
	ErrNoText = errors.New("no article text found")
	// ErrTooLarge means the body is above MaxBodySize.
	ErrTooLarge = errors.New("page too large")
)

// MaxBodySize is the largest body HTML accepts. News pages are well under
// 2 MB; anything bigger is not an article and would cost seconds to parse.
const MaxBodySize = 8 << 20

// minTextRunes is the shortest main text we accept as an article.
const minTextRunes = 80

// Article is one page reduced to what watchline keeps.
type Article struct {
	Title        string   `json:"title"`
	Text         string   `json:"text"` // main text only, paragraphs separated by "\n\n"
	Authors      []string `json:"authors,omitempty"`
	Language     string   `json:"language,omitempty"` // ISO 639-1, "" if unknown
	CanonicalURL string   `json:"canonical_url,omitempty"`
	// Published is zero when the page gives no usable date; the crawler then
	// falls back to the fetch time with source "fetched".
	Published           time.Time  `json:"published,omitzero"`
	PublishedSource     DateSource `json:"published_source,omitempty"`
	PublishedConfidence float64    `json:"published_confidence,omitempty"` // 0..1
	Modified            time.Time  `json:"modified,omitzero"`              // "last updated"; zero if none
	Links               []string   `json:"links,omitempty"`                // normalised absolute http(s) links in the page
}

// Options gives the extractor what it cannot learn from the body.
type Options struct {
	URL      string    // the page URL: resolves the canonical link, URL-date evidence
	Language string    // expected language, used only when detection is unsure
	FeedDate time.Time // the date the feed gave for this item: evidence, not gospel

	// now is the clock used to reject future dates; zero means time.Now.
	now time.Time
}

// HTML decodes body (see Decode) and extracts the article in it:
// main text and metadata through trafilatura, dates, canonical URL and links
// through our own layer. contentType is the HTTP Content-Type, or "".
// Errors wrap ErrNotHTML (empty, binary, feed, non-HTML type), ErrTooLarge,
// ErrUnknownCharset or ErrNoText ("no article text found"). It is safe for
// concurrent use; ctx is checked between stages, not inside trafilatura.
func HTML(ctx context.Context, body []byte, contentType string, opt Options) (*Article, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkHTML(body, contentType); err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	text, _, err := Decode(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("extract: parse html: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := opt.now
	if now.IsZero() {
		now = time.Now()
	}

	// Our own layer runs first: trafilatura prunes the tree it is given.
	doc := goquery.NewDocumentFromNode(root)
	main := mainRoot(doc)
	dates := findDates(doc, main, opt.URL, opt.FeedDate, now)
	art := &Article{
		Published:           dates.published.t,
		PublishedSource:     dates.published.src,
		PublishedConfidence: dates.published.conf,
		Modified:            dates.modified,
	}
	art.CanonicalURL = canonicalURL(doc, opt.URL)
	art.Links = links(doc, opt.URL)
	ldAuthors := jsonLDAuthors(doc)
	lang := htmlLang(doc)

	topts := trafilatura.Options{
		ExcludeComments: true,
		ExcludeTables:   false,
		// Dates are ours; htmldate's whole-document scan is the slow part and
		// gives no provenance.
		HtmlDateMode:  trafilatura.Disabled,
		Focus:         trafilatura.Balanced,
		PruneSelector: pruneSelector,
		Config:        trafilatura.DefaultConfig(),
	}
	if cjk(doc) {
		// A CJK character carries about three Latin ones' worth of text;
		// with the default threshold short CJK articles fall through to
		// trafilatura's crude whole-page baseline.
		topts.Config.MinExtractedSize = 80
	}
	if u, err := url.Parse(opt.URL); err == nil && u.Host != "" {
		topts.OriginalURL = u
	}
	res, err := trafilatura.ExtractDocument(root, topts)
	if err != nil {
		return nil, fmt.Errorf("extract: %w: %v", ErrNoText, err)
	}
	art.Title = cleanSpace(res.Metadata.Title)
	art.Text = nodeParagraphs(res.ContentNode, art.Title)
	if n := utf8.RuneCountInString(art.Text); n < minTextRunes {
		return nil, fmt.Errorf("extract: %w (%d characters of text)", ErrNoText, n)
	}
	if !strings.ContainsAny(art.Text, ".!?。！？") {
		// Menus, forms and link lists have no sentences; articles do.
		return nil, fmt.Errorf("extract: %w (no sentences, only labels or links)", ErrNoText)
	}
	art.Authors = splitAuthors(res.Metadata.Author)
	if len(art.Authors) == 0 {
		// trafilatura drops one-word and non-Latin names ("山田花子").
		art.Authors = ldAuthors
	}
	art.Language = Language(art.Text)
	if art.Language == "" && utf8.RuneCountInString(art.Text) >= 200 {
		art.Language = res.Metadata.Language
	}
	if art.Language == "" {
		art.Language = lang
	}
	if art.Language == "" {
		art.Language = opt.Language
	}
	return art, nil
}

// pruneSelector removes boxes trafilatura sometimes keeps inside the
// article element: comment threads, related links, share bars, sign-ups.
const pruneSelector = `#comments, .comments, #respond, .comment-list, .comments-area, ` +
	`[id^="comment-"], [class*="comment-"], [id*="disqus"], [class*="related"], ` +
	`[class*="share-"], .share, .social, [class*="newsletter"], [class*="read-more"], aside`

// cjk reports whether the page is written in Chinese, Japanese or Korean,
// judged from its title.
func cjk(doc *goquery.Document) bool {
	switch Language(doc.Find("title").First().Text() + " " + doc.Find("h1").First().Text()) {
	case "zh", "ja", "ko":
		return true
	}
	return false
}

// checkHTML rejects bodies that are plainly not HTML before any work.
func checkHTML(body []byte, contentType string) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("%w: empty body", ErrNotHTML)
	}
	if len(body) > MaxBodySize {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), MaxBodySize)
	}
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err == nil {
			switch {
			case mt == "text/html", mt == "application/xhtml+xml", mt == "text/plain",
				mt == "application/octet-stream", mt == "text/xml" && isHTMLish(body):
			default:
				return fmt.Errorf("%w: content type %s", ErrNotHTML, mt)
			}
		}
	}
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	utf16 := bytes.HasPrefix(head, []byte("\xfe\xff")) || bytes.HasPrefix(head, []byte("\xff\xfe"))
	if !utf16 && bytes.IndexByte(head, 0) >= 0 {
		return fmt.Errorf("%w: binary content", ErrNotHTML)
	}
	lower := bytes.ToLower(bytes.TrimSpace(head))
	if bytes.HasPrefix(lower, []byte("<?xml")) && !isHTMLish(body) {
		return fmt.Errorf("%w: XML document (a feed or sitemap?)", ErrNotHTML)
	}
	if bytes.HasPrefix(lower, []byte("{")) || bytes.HasPrefix(lower, []byte("%pdf")) {
		return fmt.Errorf("%w: not markup", ErrNotHTML)
	}
	return nil
}

func isHTMLish(body []byte) bool {
	head := body
	if len(head) > 4096 {
		head = head[:4096]
	}
	head = bytes.ToLower(head)
	return bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<body"))
}

// mainRoot returns the element holding the article: the largest <article>
// outside noise boxes, else <main>, else the body.
func mainRoot(doc *goquery.Document) *goquery.Selection {
	var best *goquery.Selection
	bestLen := 0
	doc.Find("article, [itemtype*='Article'], [itemtype*='BlogPosting']").Each(func(_ int, s *goquery.Selection) {
		if isNoise(s.Nodes[0]) {
			return
		}
		if n := len(strings.TrimSpace(s.Text())); n > bestLen {
			best, bestLen = s, n
		}
	})
	if best != nil && bestLen > 200 {
		return best
	}
	if m := doc.Find("main, [role=main]").First(); m.Length() > 0 {
		return m
	}
	if b := doc.Find("body").First(); b.Length() > 0 {
		return b
	}
	return doc.Selection
}

// canonicalURL returns the page's own idea of its address (rel=canonical,
// else og:url) resolved against the page URL and normalised, or the
// normalised page URL. A canonical pointing at the site root from a deeper
// page is a common CMS misconfiguration and is ignored.
func canonicalURL(doc *goquery.Document, pageURL string) string {
	base, _ := url.Parse(pageURL)
	var cands []string
	doc.Find("link[rel]").Each(func(_ int, s *goquery.Selection) {
		for _, r := range strings.Fields(strings.ToLower(s.AttrOr("rel", ""))) {
			if r == "canonical" {
				cands = append(cands, s.AttrOr("href", ""))
			}
		}
	})
	doc.Find(`meta[property="og:url"]`).Each(func(_ int, s *goquery.Selection) {
		cands = append(cands, s.AttrOr("content", ""))
	})
	for _, c := range cands {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		u, err := url.Parse(c)
		if err != nil {
			continue
		}
		if base != nil && base.IsAbs() {
			u = base.ResolveReference(u)
			if (u.Path == "" || u.Path == "/") && base.Path != "" && base.Path != "/" {
				continue
			}
		}
		if n, err := NormalizeURL(u.String()); err == nil {
			return n
		}
	}
	if n, err := NormalizeURL(pageURL); err == nil {
		return n
	}
	return ""
}

// maxLinks bounds Links on pathological pages.
const maxLinks = 2000

func links(doc *goquery.Document, pageURL string) []string {
	base, err := url.Parse(pageURL)
	if err != nil || !base.IsAbs() {
		base = nil
	}
	seen := map[string]bool{}
	var out []string
	doc.Find("a[href]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		u, err := url.Parse(strings.TrimSpace(s.AttrOr("href", "")))
		if err != nil {
			return true
		}
		if base != nil {
			u = base.ResolveReference(u)
		}
		abs, err := NormalizeURL(u.String())
		if err != nil {
			return true
		}
		if !seen[abs] {
			seen[abs] = true
			out = append(out, abs)
		}
		return len(out) < maxLinks
	})
	return out
}

// jsonLDAuthors returns the author names of the page's article object.
func jsonLDAuthors(doc *goquery.Document) []string {
	var out []string
	doc.Find(`script[type="application/ld+json"]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		var v any
		if err := json.Unmarshal([]byte(s.Text()), &v); err != nil {
			return true
		}
		for _, obj := range jsonLDObjects(v) {
			if !isArticleType(obj["@type"]) {
				continue
			}
			var add func(a any)
			add = func(a any) {
				switch x := a.(type) {
				case string:
					if x = cleanSpace(x); x != "" && !strings.Contains(x, "://") {
						out = append(out, x)
					}
				case map[string]any:
					add(x["name"])
				case []any:
					for _, e := range x {
						add(e)
					}
				}
			}
			add(obj["author"])
			return len(out) == 0
		}
		return true
	})
	return out
}

func htmlLang(doc *goquery.Document) string {
	lang := strings.ToLower(strings.TrimSpace(doc.Find("html").AttrOr("lang", "")))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if len(lang) != 2 {
		return ""
	}
	return lang
}

func splitAuthors(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range strings.Split(s, ";") {
		a = cleanSpace(a)
		if a == "" || seen[strings.ToLower(a)] {
			continue
		}
		seen[strings.ToLower(a)] = true
		out = append(out, a)
	}
	return out
}

func cleanSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// nodeParagraphs renders trafilatura's content tree as plain text with one
// blank line between blocks (paragraphs, headings, list items, quotes, table
// rows). A leading block equal to the title is dropped.
func nodeParagraphs(n *html.Node, title string) string {
	if n == nil {
		return ""
	}
	var paras []string
	var cur strings.Builder
	flush := func() {
		if p := strings.TrimSpace(cleanLines(cur.String())); p != "" {
			paras = append(paras, p)
		}
		cur.Reset()
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template", "img", "svg":
				return
			case "br":
				cur.WriteString("\n")
				return
			case "td", "th":
				cur.WriteString(" ")
			}
		}
		block := n.Type == html.ElementNode && paragraphTags[n.Data]
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	walk(n)
	// The headline, and short labels above it ("Press release"), are not
	// body text.
	for i := 0; i < len(paras) && i < 3 && title != ""; i++ {
		if strings.EqualFold(paras[i], title) {
			paras = paras[i+1:]
			break
		}
		if utf8.RuneCountInString(paras[i]) > 60 || strings.ContainsAny(paras[i], ".!?。！？") {
			break
		}
	}
	// Datelines and bylines that trafilatura leaves at the top or the end
	// are not text either.
	for len(paras) > 0 && isDateline(paras[0]) {
		paras = paras[1:]
	}
	for len(paras) > 0 && isDateline(paras[len(paras)-1]) {
		paras = paras[:len(paras)-1]
	}
	return strings.Join(paras, "\n\n")
}

// rxChangelog matches a page-history entry: "22 October 2025: Added a link".
var rxChangelog = regexp.MustCompile(`^(\d{1,2} \p{L}+ \d{4}|\p{L}+ \d{1,2}, \d{4}|\d{4}-\d{2}-\d{2}):\s`)

var rxBylineStart = regexp.MustCompile(`(?i)^(by|par|von|por|di|door|from)\s`)

// isDateline reports whether a paragraph is a byline or dateline ("Published
// 16 October 2025", "By Sam Hollis, 17 October 2025", "Last updated:") or
// bare punctuation. Real sentences end with punctuation and are kept even
// when they start with a date.
func isDateline(p string) bool {
	if utf8.RuneCountInString(p) > 150 {
		return false
	}
	if !strings.ContainsFunc(p, unicode.IsLetter) {
		return true
	}
	if rxChangelog.MatchString(p) {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(p)
	if strings.ContainsRune(".!?。！？\"”»", last) {
		return false
	}
	if rxUpdated.MatchString(p) || rxPublished.MatchString(p) || rxBylineStart.MatchString(p) {
		return true
	}
	_, hasDate := parseTextDate(p)
	return hasDate
}

var paragraphTags = map[string]bool{
	"p": true, "div": true, "section": true, "article": true, "main": true, "header": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "li": true,
	"blockquote": true, "pre": true, "tr": true, "dt": true, "dd": true, "figcaption": true,
	"ul": true, "ol": true, "table": true, "hr": true, "address": true, "details": true,
}

// cleanLines collapses runs of spaces within each line and drops empty lines.
func cleanLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = cleanSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Output is the stable JSON shape of `watchline extract --format json`:
// exactly these keys. Published is RFC 3339, or "" when no date was found.
type Output struct {
	Title        string   `json:"title"`
	Text         string   `json:"text"`
	Published    string   `json:"published"`
	Authors      []string `json:"authors"`
	CanonicalURL string   `json:"canonical_url"`
	Language     string   `json:"language"`
}

// Write prints an article for people ("text") or programs ("json", the
// Output shape).
func Write(w io.Writer, a *Article, format string) error {
	switch format {
	case "json":
		out := Output{Title: a.Title, Text: a.Text, Authors: a.Authors, CanonicalURL: a.CanonicalURL, Language: a.Language}
		if out.Authors == nil {
			out.Authors = []string{}
		}
		if !a.Published.IsZero() {
			out.Published = a.Published.Format(time.RFC3339)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	case "text", "":
		var b strings.Builder
		fmt.Fprintf(&b, "Title:     %s\n", a.Title)
		if a.CanonicalURL != "" {
			fmt.Fprintf(&b, "URL:       %s\n", a.CanonicalURL)
		}
		if len(a.Authors) > 0 {
			fmt.Fprintf(&b, "Authors:   %s\n", strings.Join(a.Authors, ", "))
		}
		if a.Language != "" {
			fmt.Fprintf(&b, "Language:  %s\n", a.Language)
		}
		if a.Published.IsZero() {
			b.WriteString("Published: unknown\n")
		} else {
			fmt.Fprintf(&b, "Published: %s (from %s, confidence %.2f)\n", a.Published.Format(time.RFC3339), a.PublishedSource, a.PublishedConfidence)
		}
		if !a.Modified.IsZero() {
			fmt.Fprintf(&b, "Modified:  %s\n", a.Modified.Format(time.RFC3339))
		}
		b.WriteString("\n")
		b.WriteString(a.Text)
		b.WriteString("\n")
		_, err := io.WriteString(w, b.String())
		return err
	default:
		return fmt.Errorf("write article: unknown format %q (use text or json)", format)
	}
}
