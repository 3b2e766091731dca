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
	htmldate "github.com/markusmobius/go-htmldate"
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
	// Fallback is set when the article extractor found no article and Text
	// is the page's visible text instead; FallbackReason says why.
	Fallback       bool   `json:"fallback,omitempty"`
	FallbackReason string `json:"fallback_reason,omitempty"`
}

// Options gives the extractor what it cannot learn from the body.
type Options struct {
	URL      string    // the page URL: resolves the canonical link, URL-date evidence
	Language string    // expected language, used only when detection is unsure
	FeedDate time.Time // the date the feed gave for this item: evidence, not gospel
	// AnyText returns whatever text the page has instead of ErrNoText when
	// it holds no article-like text (short, or only labels and links).
	// `watchline extract` sets it: a person asking about one page wants to
	// see what is there. The crawler does not: such pages are not articles.
	AnyText bool

	// now is the clock used to reject future dates; zero means time.Now.
	now time.Time
}

// HTML decodes body (see Decode) and extracts the article in it: main text
// through go-trafilatura (with its readability and DOM-distiller fallbacks),
// dates from our own evidence and go-htmldate's, metadata, canonical URL and
// links. contentType is the HTTP Content-Type, or "". A gzip-compressed
// body is decompressed first. Errors wrap ErrNotHTML (empty, binary, feed,
// non-HTML type), ErrTooLarge, ErrUnknownCharset or ErrNoText ("no article
// text found"; never with Options.AnyText while the page has any visible
// text). It is safe for concurrent use; ctx is checked between stages.
func HTML(ctx context.Context, body []byte, contentType string, opt Options) (*Article, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	body, err := gunzip(body)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	if err := checkHTML(body, contentType); err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	text, _, err := Decode(body, contentType)
	if err != nil {
		if !opt.AnyText {
			return nil, fmt.Errorf("extract: %w", err)
		}
		// A charset nobody knows: the ASCII part of the page is still
		// readable, and the person asking wants what can be read.
		text = strings.ToValidUTF8(string(body), "\uFFFD")
	}
	root, _, err := parseHTML(text)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	dropRubyAnnotations(text, root)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := opt.now
	if now.IsZero() {
		now = time.Now()
	}

	// Our own layer reads the tree before the extractors prune their copies.
	doc := goquery.NewDocumentFromNode(root)
	main := mainRoot(doc)
	art := &Article{}
	art.CanonicalURL = canonicalURL(doc, opt.URL)
	// Without the fetch URL, the address the page gives itself carries the
	// URL date evidence.
	pageURL := opt.URL
	if pageURL == "" {
		pageURL = art.CanonicalURL
	}
	art.Links = links(doc, opt.URL)
	ldAuthors := jsonLDAuthors(doc)
	langTag := htmlLangTag(doc)
	dates := findDates(doc, main, pageURL, opt.FeedDate, now, dateOrderFor(langTag))

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	blocks := scanBlocks(root, pageTitles(doc))
	res, terr := runTrafilatura(root, pageURL, cjk(doc))
	if res != nil {
		art.Title = cleanSpace(res.Metadata.Title)
		blocks.titles = append(blocks.titles, art.Title)
		paras := blocks.clean(fillGaps(blocks.pageFlow(root), renderExtracted(res.ContentNode)))
		if lead := standfirst(root, paras); lead != nil {
			paras = append(lead, paras...)
		}
		art.Text = strings.Join(paras, "\n\n")
	}
	if art.Title == "" {
		art.Title = pageTitle(doc)
	}
	n := utf8.RuneCountInString(art.Text)
	switch {
	case terr != nil:
		art.Fallback, art.FallbackReason = true, terr.Error()
	case n == 0:
		art.Fallback, art.FallbackReason = true, "the article extractor found no text"
	}
	if art.Fallback {
		art.Text = visibleText(doc, main, blocks)
		n = utf8.RuneCountInString(art.Text)
		if n == 0 {
			if !opt.AnyText {
				return nil, fmt.Errorf("extract: %w (the page has no visible text)", ErrNoText)
			}
			// Scripts render the page: its metadata is still worth having.
			art.FallbackReason = "the page has no visible text"
		}
	}
	if !opt.AnyText {
		if n < minTextRunes {
			return nil, fmt.Errorf("extract: %w (%d characters of text)", ErrNoText, n)
		}
		if !strings.ContainsAny(art.Text, ".!?。！？") {
			// Menus, forms and link lists have no sentences; articles do.
			return nil, fmt.Errorf("extract: %w (no sentences, only labels or links)", ErrNoText)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// go-htmldate searches the whole page; it is only asked when our own
	// evidence is weak or contradicts itself (see needLibrary).
	var lib time.Time
	if dates.needLibrary() {
		// The extensive search (dateparser over every dated-looking
		// element) is slow: it runs only when we have nothing at all.
		lib = libraryDate(root, pageURL, now, len(dates.cands) == 0)
	}
	dates.choosePublished(lib)
	art.Published = dates.published.t
	art.PublishedSource = dates.published.src
	art.PublishedConfidence = dates.published.conf
	art.Modified = dates.modified

	if res != nil {
		art.Authors = splitAuthors(res.Metadata.Author)
	}
	if len(art.Authors) == 0 {
		// trafilatura drops one-word and non-Latin names ("山田花子").
		art.Authors = ldAuthors
	}
	if len(art.Authors) == 0 {
		art.Authors = bylineAuthors(main)
	}
	art.Language = pageLanguage(art.Title, art.Text)
	if art.Language == "" {
		art.Language = langCode(langTag)
	}
	if art.Language == "" {
		art.Language = opt.Language
	}
	return art, nil
}

// libraryDate is go-htmldate's publication date for the page: original
// date, extensive search. Zero when it finds none or fails.
func libraryDate(root *html.Node, pageURL string, now time.Time, extensive bool) (t time.Time) {
	defer func() {
		if recover() != nil {
			t = time.Time{}
		}
	}()
	opts := htmldate.Options{
		UseOriginalDate:     true,
		URL:                 pageURL,
		MinDate:             minDate,
		MaxDate:             now.Add(maxAhead),
		SkipExtensiveSearch: true,
	}
	res, err := htmldate.FromDocument(root, opts)
	if (err != nil || res.IsZero()) && extensive {
		opts.SkipExtensiveSearch = false
		res, err = htmldate.FromDocument(root, opts)
	}
	if err != nil || res.IsZero() {
		return time.Time{}
	}
	d := res.DateTime
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// runTrafilatura extracts the main content the way go-trafilatura is
// benchmarked: balanced focus, readability and DOM-distiller fallbacks, and
// comments taken out before the content is looked for (with comments
// excluded, the library leaves comment threads in the tree it searches).
// A panic inside the library is an error here.
func runTrafilatura(root *html.Node, pageURL string, cjk bool) (res *trafilatura.ExtractResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("the article extractor failed: %v", r)
		}
	}()
	topts := trafilatura.Options{
		EnableFallback:  true,
		ExcludeComments: false,
		Focus:           trafilatura.Balanced,
		// Dates are ours (with go-htmldate asked separately).
		HtmlDateMode: trafilatura.Disabled,
		Config:       trafilatura.DefaultConfig(),
	}
	if cjk {
		// A CJK character carries about three Latin ones' worth of text;
		// with the default threshold short CJK articles fall through to
		// trafilatura's crude whole-page baseline.
		topts.Config.MinExtractedSize = 80
	}
	if u, err := url.Parse(pageURL); err == nil && u.Host != "" {
		topts.OriginalURL = u
	}
	res, err = trafilatura.ExtractDocument(root, topts)
	if err != nil {
		return nil, fmt.Errorf("the article extractor found no text: %v", err)
	}
	return res, nil
}

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
	// A NUL byte marks binary content (images, archives, PDFs), unless the
	// body opens as an HTML document: saved and scraped pages sometimes
	// carry a stray NUL, and the parser reads it as U+FFFD.
	if !utf16 && bytes.IndexByte(head, 0) >= 0 && !isHTMLish(body) {
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

// htmlLangTag is the page's declared language tag, lower-cased ("en-us"),
// from <html lang> or the content-language meta.
func htmlLangTag(doc *goquery.Document) string {
	lang := doc.Find("html").AttrOr("lang", "")
	if lang == "" {
		lang = doc.Find(`meta[http-equiv="content-language" i], meta[name="language" i]`).AttrOr("content", "")
	}
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(lang)), "_", "-")
}

// langCode reduces a language tag to its ISO 639-1 code, "" if it has none.
func langCode(tag string) string {
	if i := strings.IndexAny(tag, "-,; "); i >= 0 {
		tag = tag[:i]
	}
	if len(tag) != 2 {
		return ""
	}
	return tag
}

// dateOrderFor says how pages in a language write numeric dates: the United
// States (and its neighbours) put the month first, the rest of the world the
// day; plain "en" could be either.
func dateOrderFor(tag string) dateOrder {
	switch {
	case tag == "":
		return orderUnknown
	case tag == "en-us" || tag == "en-ca" || tag == "en-ph":
		return orderMonthFirst
	case langCode(tag) == "en":
		if tag == "en" {
			return orderUnknown
		}
		return orderDayFirst
	}
	return orderDayFirst
}

// pageTitle is the headline when the extractor gave none: og:title, the
// first <h1>, or <title>.
func pageTitle(doc *goquery.Document) string {
	if t := cleanSpace(doc.Find(`meta[property="og:title"]`).AttrOr("content", "")); t != "" {
		return t
	}
	if t := cleanSpace(doc.Find("h1").First().Text()); t != "" {
		return t
	}
	return cleanSpace(doc.Find("title").First().Text())
}

// pageTitles lists the forms of the headline a page gives: its <h1>s,
// og:title, and <title> with and without the site name.
func pageTitles(doc *goquery.Document) []string {
	var out []string
	doc.Find("h1").Each(func(i int, s *goquery.Selection) {
		if i < 3 {
			out = append(out, s.Text())
		}
	})
	out = append(out, doc.Find(`meta[property="og:title"]`).AttrOr("content", ""))
	t := cleanSpace(doc.Find("title").First().Text())
	out = append(out, t)
	for _, sep := range []string{" | ", " - ", " – ", " — ", " :: "} {
		if i := strings.LastIndex(t, sep); i > 0 {
			out = append(out, t[:i])
		}
	}
	return out
}

// visibleText is the text a reader sees in the article's root (else the
// body) without navigation, headers, footers, forms and noise boxes: what
// HTML returns, flagged as a fallback, when the extractor finds nothing.
func visibleText(doc *goquery.Document, main *goquery.Selection, pb *pageBlocks) string {
	for _, sel := range []*goquery.Selection{main, doc.Find("body").First(), doc.Selection} {
		if sel == nil || len(sel.Nodes) == 0 {
			continue
		}
		for _, skip := range []bool{true, false} {
			if paras := pb.clean(renderBlocks(sel.Nodes[0], skip)); len(paras) > 0 {
				return strings.Join(paras, "\n\n")
			}
		}
	}
	return ""
}

// rxBylineAuthor reads "By Jane Doe", "Par Jean Dupont", "Von Max Muster",
// "Por Ana García", "По Иван Петров", "Автор: Иван Петров", "记者 张三":
// a byline word, then one to four capitalised words (or two to four Han
// characters). It is only tried on the short blocks around the headline.
var (
	rxBylineAuthor = regexp.MustCompile(`^(?:(?i:by|written by|par|von|por|di|door|av|af|по|автор|авторы|текст)[:\s]\s*((?:\p{Lu}[\p{L}'’.-]*\s*){1,4})|(?:记者|作者|文|撰文)\s*[:：/／]?\s*(\p{Han}{2,4}))`)
	rxAuthorSplit  = regexp.MustCompile(`\s+(?:and|et|und|y|e|и|en|og|och)\s+|\s*[,&、]\s*`)
)

// bylineAuthors finds author names in a byline near the headline when the
// metadata names none.
func bylineAuthors(main *goquery.Selection) []string {
	before, after := headBlocks(main)
	for _, block := range append(before, after...) {
		if utf8.RuneCountInString(block) > bylineBlockMax {
			continue
		}
		m := rxBylineAuthor.FindStringSubmatch(block)
		if m == nil {
			continue
		}
		names := m[1] + m[2]
		var out []string
		for _, name := range rxAuthorSplit.Split(names, -1) {
			name = strings.Trim(cleanSpace(name), ".,;:|")
			if utf8.RuneCountInString(name) > 2 {
				out = append(out, name)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// rxAuthorPrefix is the byline word some pages keep in their author
// metadata ("By Jane Doe", "Par Jeanne Martin", "Von Max Muster", "作者
// 林静", "记者：张三"). A Chinese byline word needs no space before the
// name; "文" (text by) is a surname too, so it is a prefix only before a
// colon or slash.
var rxAuthorPrefix = regexp.MustCompile(`^(?:(?i:by|written by|words by|par|von|por|di|door|av|af|по|автор|текст)[:\s]\s*|(?:记者|作者|撰文)\s*[:：/／]?\s*|文\s*[:：/／]\s*)`)

func splitAuthors(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range strings.Split(s, ";") {
		a = cleanSpace(rxAuthorPrefix.ReplaceAllString(cleanSpace(a), ""))
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

// chromeTags hold a page's navigation and furniture, not its text.
var chromeTags = map[string]bool{"nav": true, "header": true, "footer": true, "aside": true, "form": true,
	"button": true, "select": true, "iframe": true, "object": true, "menu": true}

// renderBlocks renders a tree as plain-text paragraphs, one per block
// (paragraph, heading, list item, quote, table row). With skipChrome it
// also leaves out navigation, headers, footers, forms and noise boxes (for
// the visible text of a page the extractor found nothing in). Whitespace in
// text collapses to single spaces as a browser shows it, except in <pre>;
// <br> breaks the line.
func renderBlocks(n *html.Node, skipChrome bool) []string {
	return renderTree(n, skipChrome, false)
}

// renderExtracted renders the extractor's content tree. go-trafilatura
// trims the text before and after every element ("Your <code>Dockerfile</code>
// might" becomes "Your", "Dockerfile", "might"), so adjacent text runs are
// joined with a space, as the library's own text output does; without it
// every link or emphasis glued two words into one ("Dockerfilemight") and
// lost the benchmark's 4-word shingles around it. Set on go-trafilatura's
// evaluation pages (TestDevText): P/R/F1 0.923/0.907/0.915 -> 0.923/0.910/
// 0.917, both halves up (recall 0.901 -> 0.904 and 0.913 -> 0.916).
func renderExtracted(n *html.Node) []string {
	return renderTree(n, false, true)
}

func renderTree(n *html.Node, skipChrome, joinRuns bool) []string {
	if n == nil {
		return nil
	}
	var paras []string
	var cur strings.Builder
	flush := func() {
		if p := strings.TrimSpace(cleanLines(cur.String())); p != "" {
			paras = append(paras, p)
		}
		cur.Reset()
	}
	pre := 0
	glue := false // the next run starts a superscript or subscript
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			t := n.Data
			if pre == 0 {
				t = strings.Map(func(r rune) rune {
					if r == '\n' || r == '\r' || r == '\t' || r == '\f' {
						return ' '
					}
					return r
				}, t)
			}
			if joinRuns && cur.Len() > 0 && t != "" && !glue {
				prev, _ := utf8.DecodeLastRuneInString(cur.String())
				next, _ := utf8.DecodeRuneInString(t)
				if runGap(prev, next, strings.Count(cur.String(), `"`)) {
					cur.WriteByte(' ')
				}
			}
			cur.WriteString(t)
			glue = false
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template", "img", "svg", "head":
				return
			case "br":
				cur.WriteString("\n")
				return
			case "td", "th":
				cur.WriteString(" ")
			}
			if skipChrome && (chromeTags[n.Data] || isNoiseElement(n)) {
				return
			}
		}
		block := n.Type == html.ElementNode && paragraphTags[n.Data]
		if block {
			flush()
		}
		if n.Type == html.ElementNode && n.Data == "pre" {
			pre++
			defer func() { pre-- }()
		}
		// Superscripts and subscripts sit on the word before them:
		// "m<sup>2</sup>", "CO<sub>2</sub>", "Spell<sup>[2]</sup>".
		if inScript(n) {
			glue = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	walk(n)
	flush()
	return paras
}

// runGap says whether two trimmed text runs, prev's last rune and next's
// first, were separated by a space on the page: not before closing
// punctuation or after opening punctuation (a straight double quote opens
// when the paragraph so far has an even number of them), not around
// hyphens ("<a>NDR</a>-Recherchen"), and not between Chinese or Japanese
// characters, which are written without spaces.
func runGap(prev, next rune, quotes int) bool {
	switch {
	case unicode.IsSpace(prev) || unicode.IsSpace(next):
		return false
	case strings.ContainsRune(",.;:!?)]}»”’'%…-", next) || strings.ContainsRune("([{«„“‘-/", prev):
		return false
	case next == '"' && quotes%2 == 1, prev == '"' && quotes%2 == 1:
		return false
	case unspaced(prev) || unspaced(next):
		return false
	}
	return true
}

// inScript reports whether n is a superscript or subscript element.
func inScript(n *html.Node) bool {
	return n != nil && n.Type == html.ElementNode && (n.Data == "sup" || n.Data == "sub")
}

// unspaced reports whether r belongs to a script written without spaces
// between words, or is its punctuation.
func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// rxChangelog matches a page-history entry: "22 October 2025: Added a link".
var rxChangelog = regexp.MustCompile(`^(\d{1,2} \p{L}+ \d{4}|\p{L}+ \d{1,2}, \d{4}|\d{4}-\d{2}-\d{2}):\s`)

var rxBylineStart = regexp.MustCompile(`(?i)^(by|par|von|por|di|door|from)\s`)

// isDateline reports whether a paragraph is a byline or dateline ("Published
// 16 October 2025", "By Sam Hollis, 17 October 2025", "Last updated:") or
// bare punctuation. Real sentences end with punctuation and are kept even
// when they start with a date.
func isDateline(p string) bool {
	if strings.Contains(p, "\n") {
		// "Published 17 October 2025<br>Last updated 22 October 2025"
		for _, line := range strings.Split(p, "\n") {
			if !isDateline(line) {
				return false
			}
		}
		return true
	}
	n := utf8.RuneCountInString(p)
	if n > 150 {
		return false
	}
	if !strings.ContainsFunc(p, unicode.IsLetter) {
		return true
	}
	if rxChangelog.MatchString(p) {
		return true
	}
	if n <= 60 && rxSourceLabel.MatchString(p) {
		return true // "来源：新华网", "Quelle: dpa", "Source : AFP"
	}
	// Real sentences end with punctuation and are kept even when they start
	// with a date or "By"; bylines made of fields ("Von X | Veröffentlicht
	// am 3. März 2019 | Lesezeit: 2 Min.") may end with an abbreviation.
	last, _ := utf8.DecodeLastRuneInString(p)
	if strings.ContainsRune(".!?。！？\"”»", last) && !strings.ContainsAny(p, "|·•") {
		return false
	}
	if mentionsUpdate(p) || rxPublished.MatchString(p) || rxBylineStart.MatchString(p) {
		return true
	}
	ds := textDates(p, orderUnknown, 1)
	if len(ds) == 0 {
		return false
	}
	// A line of fields, or one that starts or ends with its date or time,
	// is a dateline; one that goes on after the date in words is one only
	// while it holds few of them (see datelineMaxProse).
	if ds[0].pos == 0 || strings.ContainsAny(p, "|·•") {
		return true
	}
	words := strings.FieldsFunc(p, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(words) > 0 && strings.ContainsFunc(words[len(words)-1], unicode.IsDigit) {
		return true
	}
	return proseWords(p) <= datelineMaxProse
}

// datelineMaxProse is how many lower-case words of three letters or more,
// other than month names, a line whose date is followed by words may hold
// and still be a dateline: "Tuesday 15 October 2019 by Jane Doe, staff
// writer" has two; a sentence that names a date without a full stop
// ("Minutes of the meeting of 5.8.2019 accepted", a list item) has more.
// Set on go-trafilatura's evaluation pages (TestDevText), where such list
// items were cut.
const datelineMaxProse = 2

// proseWords counts the lower-case words of three letters or more in s
// that are not month names.
func proseWords(s string) int {
	n := 0
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLower(r) && utf8.RuneCountInString(w) >= 3 {
			if _, ok := months[w]; !ok {
				n++
			}
		}
	}
	return n
}

// rxSourceLabel starts a credit line: where a report comes from, who wrote
// or edited it ("来源：", "作者：", "Quelle:", "Source :", "Источник:").
var rxSourceLabel = regexp.MustCompile(`^(?i:source|sources|quelle|fuente|fonte|источник|автор|текст|来源|來源|作者|记者|記者|编辑|編輯|责任编辑|責任編輯|文|图|摄影|攝影)\s*[:：]`)

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
// exactly these keys. Published is RFC 3339 with the page's own offset
// (converting to UTC can move the day), or "" when no date was found;
// PublishedSource says which evidence won and PublishedConfidence how sure
// it is (0 to 1). Fallback is true when no article was found and Text is
// the page's visible text.
type Output struct {
	Title               string     `json:"title"`
	Text                string     `json:"text"`
	Published           string     `json:"published"`
	PublishedSource     DateSource `json:"published_source"`
	PublishedConfidence float64    `json:"published_confidence"`
	Modified            string     `json:"modified"`
	Authors             []string   `json:"authors"`
	CanonicalURL        string     `json:"canonical_url"`
	Language            string     `json:"language"`
	Fallback            bool       `json:"fallback"`
	FallbackReason      string     `json:"fallback_reason,omitempty"`
}

// Write prints an article for people ("text") or programs ("json", the
// Output shape).
func Write(w io.Writer, a *Article, format string) error {
	switch format {
	case "json":
		out := Output{Title: a.Title, Text: a.Text, Authors: a.Authors, CanonicalURL: a.CanonicalURL, Language: a.Language,
			PublishedSource: a.PublishedSource, PublishedConfidence: a.PublishedConfidence,
			Fallback: a.Fallback, FallbackReason: a.FallbackReason}
		if out.Authors == nil {
			out.Authors = []string{}
		}
		if !a.Published.IsZero() {
			out.Published = a.Published.Format(time.RFC3339)
		}
		if !a.Modified.IsZero() {
			out.Modified = a.Modified.Format(time.RFC3339)
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
		if a.Fallback {
			fmt.Fprintf(&b, "Fallback:  %s; the text is the page's visible text\n", a.FallbackReason)
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
