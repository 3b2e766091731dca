package crawler

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed/json"
	htmlatom "golang.org/x/net/html/atom"
	"golang.org/x/net/idna"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/watchline/watchline/extract"
)

// Feeds are read here: RSS 0.90, 0.9x, 1.0 and 2.0 and Atom 0.3 and 1.0 by
// a walker over encoding/xml's tokens, JSON Feed by gofeed's JSON parser.
// RSS and Atom have their own walker rather than gofeed's parsers because
// storing an entry faithfully needs what those give away: the type of an
// Atom text construct (without it a title is decoded once too often or
// too seldom), the rel and order of links, RSS's isPermaLink, every date
// element, xml:base resolved as RFC 3986 says, and the entries read before
// a document breaks off (gofeed fails the whole feed on a missing
// </rss>, and its reader drops the zero bytes of UTF-16 bodies).

// maxFeedDepth bounds element nesting. Real feeds stay under 30 levels; a
// document nested deeper is refused from the entry that does it on, which
// also bounds the decoder's own stack.
const maxFeedDepth = 256

// parseFeed reads the body of a feed fetched from feedURL, with the
// response's header (Content-Type's charset chooses the encoding,
// Content-Location sets the base for relative links), and returns its
// entries as items: at most maxItems, links resolved, one per document URL.
//
// An entry without a usable link is kept as a feed-only item (FeedOnly)
// under a stable URL below the feed's ("<feed URL>#entry-<hash of its id>").
//
// The error wraps ErrNotFeed for a body that is no feed at all, and
// ErrFeedParse for a feed that could not be read; both come with no items.
// A feed that breaks off or goes wrong after some complete entries returns
// those entries and an error wrapping ErrFeedPartial saying what was lost.
func parseFeed(body []byte, feedURL string, header http.Header) ([]item, error) {
	contentType := header.Get("Content-Type")
	text := decodeFeed(body, contentType)
	base := documentBase(feedURL, header.Get("Content-Location"))
	key := feedKey(feedURL)

	var (
		entries []rawEntry
		err     error
	)
	if trimmed := strings.TrimLeft(text, " \t\r\n"); strings.HasPrefix(trimmed, "{") {
		entries, err = readJSONFeed(trimmed, base)
	} else {
		entries, err = readXMLFeed(text, base, contentType)
	}
	if err != nil && len(entries) == 0 {
		return nil, err
	}

	var items []item
	seen := map[string]string{} // URL -> id of the entry that has it
	for i := range entries {
		e := &entries[i]
		it, ok := e.item(base, key)
		if !ok {
			continue
		}
		if first, dup := seen[it.URL]; dup {
			// A second entry for the same page is a repeat, unless it is
			// another entry: its link differs by the #fragment (one page
			// holding several statements) or it has an id of its own (a
			// live page with an entry per update). That entry is then its
			// own document, like an entry without a link.
			switch {
			case it.FeedOnly:
				continue
			case e.fragment != "":
				it.URL = key + "#entry-" + shortHash("link:"+it.URL+"#"+e.fragment)
			case e.id != "" && e.id != first:
				it.URL = key + "#entry-" + shortHash("id:"+e.id)
			default:
				continue
			}
			it.FeedOnly = true
			if _, dup := seen[it.URL]; dup {
				continue
			}
		}
		seen[it.URL] = e.id
		items = append(items, it)
		if len(items) >= maxItems {
			break
		}
	}
	switch {
	case err != nil && len(items) == 0: // the entries read before had nothing in them
		return nil, fmt.Errorf("%w: %v", ErrFeedParse, err)
	case err != nil:
		return items, fmt.Errorf("%w: %v; kept the %d entries before it", ErrFeedPartial, err, len(items))
	}
	return items, nil
}

// decodeFeed turns the body into UTF-8 text an XML decoder accepts. The
// encoding is chosen in this order: a byte-order mark; UTF-16 or UTF-32
// recognised from the zero bytes around the first "<" (a body the header or
// declaration calls UTF-16 but that is plain ASCII is read as what it is);
// the charset of the HTTP Content-Type; the XML declaration's encoding;
// UTF-8, XML's default. This is RFC 3023's order, except that a text/xml
// body without a charset is not forced to US-ASCII: its declaration is
// believed, as every feed reader does. Only an undeclared body that reads as
// no UTF-8 at all (several bytes invalid as UTF-8, none valid beyond ASCII)
// is taken for a legacy encoding and identified statistically.
//
// Bytes invalid in the chosen encoding become U+FFFD rather than failing
// the feed, characters XML forbids (C0 controls, U+FFFE) are dropped, and
// character references to them are replaced, so one bad byte or reference
// loses one character, not the feed.
func decodeFeed(body []byte, contentType string) string {
	var text string
	if enc := wideUnicode(body); enc != nil {
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			out = []byte(strings.ToValidUTF8(string(out), "\uFFFD"))
		}
		text = string(out)
	} else if !declaresCharset(body, contentType) && !utf8.Valid(body) && !legacyBytes(body) {
		text = strings.ToValidUTF8(string(body), "\uFFFD")
	} else {
		var err error
		text, _, err = extract.Decode(body, contentType)
		if err != nil {
			// A charset nobody knows: read the bytes as UTF-8, which keeps
			// the markup and loses only the odd character.
			text = strings.ToValidUTF8(string(body), "\uFFFD")
		}
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	text = strings.Map(func(r rune) rune {
		if xmlChar(r) {
			return r
		}
		return -1
	}, text)
	return rxCharRef.ReplaceAllStringFunc(text, fixCharRef)
}

var rxXMLDeclEncoding = regexp.MustCompile(`^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']`)

// declaresCharset says whether the Content-Type or the XML declaration
// names the body's encoding.
func declaresCharset(body []byte, contentType string) bool {
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
		return true
	}
	head := body[:min(len(body), 512)]
	return rxXMLDeclEncoding.Match(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")))
}

// legacyBytes says whether a body that is not valid UTF-8 looks written in
// a single-byte or legacy multi-byte encoding: more than one byte invalid as
// UTF-8 and not one valid UTF-8 character beyond ASCII. One stray byte in a
// UTF-8 feed is a damaged UTF-8 feed.
func legacyBytes(b []byte) bool {
	invalid := 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n == 1:
			invalid++
		case n > 1:
			return false
		}
		b = b[n:]
	}
	return invalid > 1
}

// wideUnicode recognises UTF-16 and UTF-32 bodies by their byte-order mark
// or, without one, by the zero bytes around the first character, which in
// a feed is "<" or white space.
func wideUnicode(b []byte) encoding.Encoding {
	switch {
	case bytes.HasPrefix(b, []byte{0, 0, 0xfe, 0xff}):
		return utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0xff, 0xfe, 0, 0}):
		return utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case len(b) < 4:
		return nil
	case b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0:
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)
	case b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0:
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)
	case b[0] == 0 && b[1] != 0 && b[2] == 0:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	}
	return nil
}

// xmlChar says whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
		return false
	}
	return r <= 0x10ffff
}

var rxCharRef = regexp.MustCompile(`&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));`)

// fixCharRef rewrites a character reference the XML decoder would reject
// (&#0;, &#xD800;) as U+FFFD, and one to a C1 control (&#150;), which is
// always a windows-1252 character written by mistake, as that character,
// as browsers do.
func fixCharRef(ref string) string {
	m := rxCharRef.FindStringSubmatch(ref)
	var n uint64
	var err error
	if m[1] != "" {
		n, err = strconv.ParseUint(m[1], 16, 32)
	} else {
		n, err = strconv.ParseUint(m[2], 10, 32)
	}
	r := rune(n)
	switch {
	case err != nil || n > 0x10ffff || !xmlChar(r):
		return "&#xFFFD;"
	case r >= 0x80 && r <= 0x9f:
		if w := windows1252C1[r-0x80]; w != 0 {
			return "&#" + strconv.Itoa(int(w)) + ";"
		}
	}
	return ref
}

// windows1252C1 maps 0x80–0x9F to the characters windows-1252 puts there
// (0 where it has none).
var windows1252C1 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// documentBase is the base for the feed's relative links: the
// Content-Location header, resolved against the feed URL, when it is an
// http(s) URL; else the feed URL itself.
func documentBase(feedURL, contentLocation string) *url.URL {
	base, err := url.Parse(feedURL)
	if err != nil {
		base = &url.URL{}
	}
	if cl := strings.TrimSpace(contentLocation); cl != "" {
		if u, err := base.Parse(cl); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return u
		}
	}
	return base
}

// docURL is the document's own URL, fragment dropped as resolveLink does.
func docURL(base *url.URL) string {
	u := *base
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// feedKey is the normalised feed URL under which feed-only entries live.
func feedKey(feedURL string) string {
	if n, err := extract.NormalizeURL(feedURL); err == nil {
		return n
	}
	return feedURL
}

// shortHash is 16 hex digits of SHA-256: a fragment that is stable, safe in
// any URL and never a path.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// rawEntry is one entry as the feed wrote it, before it becomes an item.
type rawEntry struct {
	title     textValue
	links     []string  // candidate page links in preference order, resolved
	fragment  string    // the #fragment of links[0], if any
	permalink string    // an RSS guid that is a permalink, resolved
	id        string    // atom:id, the RSS guid or rdf:about
	full      textValue // content, content:encoded, xhtml:body
	summary   textValue // summary or description, else dc:description
	// Dates by kind, the raw strings in document order.
	published, created, updated []string
	authors                     []string
}

// textValue is the value of a text element and what it is.
type textValue struct {
	value string
	kind  textKind
}

type textKind int

const (
	kindNone    textKind = iota
	kindText             // plain text
	kindHTML             // HTML markup (escaped in the feed, or inline XHTML)
	kindUnknown          // RSS text: HTML if it looks like HTML
)

func (v textValue) set() bool { return v.kind != kindNone }

// plain is the value as plain text, paragraphs separated by blank lines.
func (v textValue) plain() string {
	switch v.kind {
	case kindHTML:
		return htmlText(v.value)
	case kindUnknown:
		if looksLikeHTML(v.value) {
			return htmlText(v.value)
		}
	}
	return paragraphs(v.value)
}

// markup is the value as HTML.
func (v textValue) markup() string {
	switch v.kind {
	case kindHTML, kindUnknown:
		return v.value
	case kindText:
		var b strings.Builder
		for _, p := range strings.Split(paragraphs(v.value), "\n\n") {
			b.WriteString("<p>" + html.EscapeString(p) + "</p>")
		}
		return b.String()
	}
	return ""
}

var (
	rxHTMLTag    = regexp.MustCompile(`</?([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>`)
	rxHTMLEntity = regexp.MustCompile(`&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});`)
)

// looksLikeHTML says whether RSS text, which may be plain text or HTML
// without saying which, is HTML: it holds a tag of an HTML element or an
// entity or character reference. "AT&T" and "x < y" stay text; "&lt;b&gt;"
// (double-escaped markup) and "<b>Bold</b>" are HTML.
func looksLikeHTML(s string) bool {
	if !strings.ContainsAny(s, "<&") {
		return false
	}
	for _, m := range rxHTMLTag.FindAllStringSubmatch(s, 20) {
		if htmlatom.Lookup([]byte(strings.ToLower(m[1]))) != 0 {
			return true
		}
	}
	for _, e := range rxHTMLEntity.FindAllString(s, 20) {
		if html.UnescapeString(e) != e {
			return true
		}
	}
	return false
}

// item turns the entry into an item; ok is false for an entry with nothing
// in it.
func (e *rawEntry) item(base *url.URL, feedKey string) (item, bool) {
	it := item{Title: strings.Join(strings.Fields(e.title.plain()), " ")}
	body := e.full
	if strings.TrimSpace(body.value) == "" {
		body = e.summary
	}
	it.Content = body.markup()
	it.Text = body.plain()
	it.Published = firstDate(e.published, e.created, e.updated)
	it.Modified = firstDate(e.updated)
	it.Authors = e.authors
	for _, l := range append(e.links, e.permalink) {
		// An empty <link/> resolves to the feed itself, which is no
		// entry's page.
		if l != "" && l != docURL(base) {
			it.URL = l
			break
		}
	}
	if it.URL != "" {
		return it, true
	}
	// An entry with nothing at all in it is no record of anything. One whose
	// title or body holds only markup (an image) still is.
	if e.id == "" && strings.TrimSpace(e.title.value) == "" && strings.TrimSpace(body.value) == "" && it.Published.IsZero() {
		return item{}, false
	}
	// No link: the entry is its own document, under the feed's URL. Its id
	// makes the URL stable across crawls; without one, what it says does.
	identity := "id:" + e.id
	if e.id == "" {
		identity = "entry:" + e.title.value + "\x00" + body.value + "\x00" + it.Published.Format(time.RFC3339)
	}
	it.URL, it.FeedOnly = feedKey+"#entry-"+shortHash(identity), true
	return it, true
}

// firstDate is the first date that parses, taking the lists in order.
func firstDate(lists ...[]string) time.Time {
	for _, l := range lists {
		for _, s := range l {
			if t, ok := parseFeedDate(s); ok {
				return t
			}
		}
	}
	return time.Time{}
}

// Namespaces the walker knows. Elements in any other namespace are
// extensions and ignored, so a "title" of some other vocabulary never
// stands in for the entry's.
const (
	nsAtom10  = "http://www.w3.org/2005/Atom"
	nsAtom03  = "http://purl.org/atom/ns#"
	nsRSS10   = "http://purl.org/rss/1.0/"
	nsRSS090  = "http://my.netscape.com/rdf/simple/0.9/"
	nsRDF     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsDCTerms = "http://purl.org/dc/terms/"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsXHTML   = "http://www.w3.org/1999/xhtml"
	nsXML     = "http://www.w3.org/XML/1998/namespace"
)

// spaces maps a namespace, or an undeclared prefix used as one, to the
// prefix element keys carry ("" for RSS and Atom themselves).
var spaces = map[string]string{
	"": "", nsAtom10: "", nsAtom03: "", nsRSS10: "", nsRSS090: "",
	"http://backend.userland.com/rss2": "", "http://backend.userland.com/rss": "", "atom": "",
	nsDC: "dc:", "dc": "dc:", nsDCTerms: "dcterms:", "dcterms": "dcterms:",
	nsContent: "content:", "content": "content:", nsXHTML: "xhtml:", "xhtml": "xhtml:",
	nsRDF: "rdf:", "rdf": "rdf:",
}

// key names an element for the walker ("title", "dc:date",
// "content:encoded"), or "" for one it ignores. Besides the namespaces in
// spaces, the root element's own (and, under an RDF root, the channel's)
// is the feed's vocabulary: drafts of Atom used several namespaces, and
// CDF and some RSS dialects use their own.
func (r *xmlReader) key(n xml.Name) string {
	prefix, ok := spaces[n.Space]
	if !ok {
		if n.Space != r.vocabulary {
			return ""
		}
		prefix = ""
	}
	return prefix + strings.ToLower(n.Local)
}

func attr(s xml.StartElement, local string) (string, bool) {
	for _, a := range s.Attr {
		if strings.EqualFold(a.Name.Local, local) && a.Name.Space != "xmlns" && (a.Name.Space == "" || a.Name.Space == nsRDF || a.Name.Space == "rdf") {
			return a.Value, true
		}
	}
	return "", false
}

// xmlReader walks one feed document.
type xmlReader struct {
	d       *xml.Decoder
	depth   int
	atom    bool // the root is an Atom feed or entry: untyped text is text
	inEntry bool // an entry is being read
	// vocabulary is the namespace of the root element (or of the channel
	// under an RDF root): the feed's own elements.
	vocabulary string
	entries    []rawEntry
}

// errTooDeep stops the walk at an element nested beyond maxFeedDepth.
var errTooDeep = fmt.Errorf("elements nested deeper than %d levels", maxFeedDepth)

func readXMLFeed(text string, base *url.URL, contentType string) ([]rawEntry, error) {
	d := xml.NewDecoder(strings.NewReader(text))
	d.Strict = false
	d.Entity = map[string]string{}
	for k, v := range xml.HTMLEntity {
		d.Entity[k] = v
	}
	// The text is UTF-8 already, whatever the declaration says.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	r := &xmlReader{d: d}

	notFeed := func(what string) error {
		got := mediaType(contentType)
		if got == "" {
			got = "an unknown format"
		}
		return fmt.Errorf("%w: got %s (%s)", ErrNotFeed, got, what)
	}
	for {
		tok, err := r.token()
		if err != nil {
			return nil, notFeed("no XML element in it")
		}
		switch t := tok.(type) {
		case xml.Directive:
			defineEntities(d.Entity, t, text)
		case xml.StartElement:
			r.vocabulary = t.Name.Space
			switch strings.ToLower(t.Name.Local) {
			case "rss", "rdf", "channel", "feed":
				r.atom = t.Name.Local == "feed"
				err = r.container(baseOf(base, t))
			case "entry":
				r.atom = true
				err = r.entry(t, baseOf(base, t))
			default:
				return nil, notFeed("the root element is <" + t.Name.Local + ">")
			}
			if len(r.entries) >= maxItems {
				err = nil
			}
			if err != nil {
				switch {
				case r.inEntry:
					err = fmt.Errorf("entry %d is unreadable: %w", len(r.entries)+1, err)
				case len(r.entries) == 0:
					err = fmt.Errorf("the document breaks off before its first entry: %w", err)
				default:
					err = fmt.Errorf("the document breaks off after entry %d: %w", len(r.entries), err)
				}
				if len(r.entries) == 0 {
					return nil, fmt.Errorf("%w: %v", ErrFeedParse, err)
				}
				return r.entries, err
			}
			return r.entries, nil
		}
	}
}

// token is the decoder's next token, with the nesting depth kept and
// bounded and character data copied.
func (r *xmlReader) token() (xml.Token, error) {
	tok, err := r.d.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		r.depth++
		if r.depth > maxFeedDepth {
			return nil, errTooDeep
		}
	case xml.EndElement:
		r.depth--
	case xml.CharData:
		return t.Copy(), nil
	case xml.Directive:
		return t.Copy(), nil
	}
	return tok, nil
}

// skip consumes the rest of the element just started.
func (r *xmlReader) skip() error {
	for depth := 1; depth > 0; {
		tok, err := r.token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// baseOf is the base URL inside element s: its xml:base resolved against
// the parent's base.
func baseOf(parent *url.URL, s xml.StartElement) *url.URL {
	for _, a := range s.Attr {
		if a.Name.Local == "base" && (a.Name.Space == nsXML || a.Name.Space == "xml") {
			if u, err := parent.Parse(strings.TrimSpace(a.Value)); err == nil {
				return u
			}
		}
	}
	return parent
}

// container walks a feed, channel or RDF element: its entries are read,
// channels inside it walked, everything else skipped.
func (r *xmlReader) container(base *url.URL) error {
	for {
		tok, err := r.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if strings.EqualFold(t.Name.Local, "channel") && r.vocabulary == nsRDF {
				r.vocabulary = t.Name.Space
			}
			switch r.key(t.Name) {
			case "item", "entry":
				err = r.entry(t, baseOf(base, t))
			case "channel", "feed":
				err = r.container(baseOf(base, t))
			default:
				err = r.skip()
			}
			if err != nil || len(r.entries) >= maxItems {
				return err
			}
		}
	}
}

// entry reads one item or entry; only its direct children count, so the
// <link> of a <textInput> inside an item is not the item's link.
func (r *xmlReader) entry(start xml.StartElement, base *url.URL) error {
	r.inEntry = true
	var e rawEntry
	if about, ok := attr(start, "about"); ok {
		e.id = strings.TrimSpace(about)
	}
	type link struct{ url, fragment string }
	var rssLinks, altLinks []link
	// CDF puts an item's link and date in attributes.
	if href, ok := attr(start, "href"); ok {
		if u, frag, ok := resolveLink(base, href); ok {
			rssLinks = append(rssLinks, link{u, frag})
		}
	}
	if lastmod, ok := attr(start, "lastmod"); ok {
		e.updated = append(e.updated, lastmod)
	}
	var guid string
	var coreTitle, dcSummary bool
	var dcDescription textValue
	for {
		tok, err := r.token()
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.EndElement); ok {
			break
		}
		c, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		cb := baseOf(base, c)
		key := r.key(c.Name)
		switch key {
		case "title", "dc:title":
			v, err := r.text(c)
			if err != nil {
				return err
			}
			// The entry's own title wins over Dublin Core's, whatever the order.
			if (key == "title" && !coreTitle) || !e.title.set() {
				e.title = v
				coreTitle = coreTitle || key == "title"
			}
		case "link":
			href, hasHref := attr(c, "href")
			rel, _ := attr(c, "rel")
			v, err := r.text(c)
			if err != nil {
				return err
			}
			if !hasHref {
				href = v.value // <link>url</link>, RSS and some Atom
			}
			rel = strings.ToLower(strings.TrimSpace(rel))
			if u, frag, ok := resolveLink(cb, href); ok {
				switch {
				case rel == "" && !hasHref:
					rssLinks = append(rssLinks, link{u, frag})
				case rel == "" || rel == "alternate":
					altLinks = append(altLinks, link{u, frag})
				}
			}
		case "guid":
			perma, _ := attr(c, "isPermaLink")
			v, err := r.text(c)
			if err != nil {
				return err
			}
			guid = strings.TrimSpace(v.value)
			// A guid is a permalink unless it says otherwise, but only an
			// absolute http(s) URL is trusted as one: "12345" is not a page.
			if !strings.EqualFold(strings.TrimSpace(perma), "false") {
				if u, err := url.Parse(guid); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
					if l, _, ok := resolveLink(cb, guid); ok {
						e.permalink = l
					}
				}
			}
		case "id":
			v, err := r.text(c)
			if err != nil {
				return err
			}
			if e.id == "" {
				e.id = strings.TrimSpace(v.value)
			}
		case "content", "content:encoded", "xhtml:body", "fullitem":
			if src, ok := attr(c, "src"); ok && src != "" {
				if err := r.skip(); err != nil { // out-of-line content: nothing here
					return err
				}
				continue
			}
			v, err := r.text(c)
			if err != nil {
				return err
			}
			if key == "content:encoded" && v.kind == kindUnknown {
				v.kind = kindHTML
			}
			if !e.full.set() || strings.TrimSpace(e.full.value) == "" {
				e.full = v
			}
		case "summary", "description", "dc:description", "abstract":
			v, err := r.text(c)
			if err != nil {
				return err
			}
			if v.kind == kindUnknown {
				v.kind = kindHTML // RSS descriptions are HTML
			}
			switch {
			case key == "dc:description" || key == "abstract":
				if !dcSummary {
					dcDescription, dcSummary = v, true
				}
			case !e.summary.set() || strings.TrimSpace(e.summary.value) == "":
				e.summary = v
			}
		case "pubdate", "published", "issued", "dc:date", "dcterms:issued", "dcterms:available":
			v, err := r.text(c)
			if err != nil {
				return err
			}
			e.published = append(e.published, v.value)
		case "created", "dcterms:created":
			v, err := r.text(c)
			if err != nil {
				return err
			}
			e.created = append(e.created, v.value)
		case "updated", "modified", "dcterms:modified":
			v, err := r.text(c)
			if err != nil {
				return err
			}
			e.updated = append(e.updated, v.value)
		case "author", "dc:creator", "dc:author":
			name, err := r.person(c)
			if err != nil {
				return err
			}
			if name != "" {
				e.authors = append(e.authors, name)
			}
		default:
			if err := r.skip(); err != nil {
				return err
			}
		}
	}
	if e.id == "" {
		e.id = guid
	}
	if !e.summary.set() || strings.TrimSpace(e.summary.value) == "" {
		e.summary = dcDescription
	}
	// Atom's alternate links come first, then RSS's <link>; a guid that is
	// a permalink is the last resort.
	for i, l := range append(altLinks, rssLinks...) {
		if i == 0 {
			e.fragment = l.fragment
		}
		e.links = append(e.links, l.url)
	}
	r.entries = append(r.entries, e)
	r.inEntry = false
	return nil
}

// resolveLink resolves a link against base and keeps it if it is an
// absolute http(s) URL; the fragment is returned apart.
func resolveLink(base *url.URL, ref string) (link, fragment string, ok bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" && base.Host == "" {
		return "", "", false
	}
	u, err := base.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", false
	}
	fragment = u.Fragment
	u.Fragment, u.RawFragment = "", ""
	if host := u.Hostname(); !isASCII(host) {
		// An IRI's host: its ASCII (punycode) form is the one that resolves;
		// url.URL would percent-encode it instead.
		ascii, err := idna.Lookup.ToASCII(host)
		if err != nil {
			return "", "", false
		}
		if port := u.Port(); port != "" {
			ascii += ":" + port
		}
		u.Host = ascii
	}
	return u.String(), fragment, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// person reads an author: an Atom person construct's name (or its e-mail
// when it has no name), or RSS's "address (Name)" text.
func (r *xmlReader) person(start xml.StartElement) (string, error) {
	var name, email, text strings.Builder
	for depth := 1; depth > 0; {
		tok, err := r.token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				switch strings.ToLower(t.Name.Local) {
				case "name":
					v, err := r.text(t)
					if err != nil {
						return "", err
					}
					depth--
					name.WriteString(v.value)
				case "email":
					v, err := r.text(t)
					if err != nil {
						return "", err
					}
					depth--
					email.WriteString(v.value)
				}
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 1 {
				text.Write(t)
			}
		}
	}
	if n := strings.Join(strings.Fields(name.String()), " "); n != "" {
		return n, nil
	}
	if t := strings.Join(strings.Fields(text.String()), " "); t != "" {
		return rssAuthor(t), nil
	}
	return strings.TrimSpace(email.String()), nil
}

var rxAuthorParen = regexp.MustCompile(`^\S+@\S+\s*\((.+)\)$`)

// rssAuthor reads "jo@example.org (Jo Bloggs)" as "Jo Bloggs".
func rssAuthor(s string) string {
	if m := rxAuthorParen.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[1])
	}
	return s
}

// text reads a text element: an Atom text construct (type text, html or
// xhtml; Atom 0.3's media types and modes, base64 included) or RSS text,
// whose kind it leaves to the caller.
func (r *xmlReader) text(start xml.StartElement) (textValue, error) {
	typ, typed := attr(start, "type")
	mode, moded := attr(start, "mode")
	typ, mode = strings.ToLower(strings.TrimSpace(typ)), strings.ToLower(strings.TrimSpace(mode))
	chars, markup, children, err := r.inner()
	if err != nil {
		return textValue{}, err
	}
	if mode == "base64" && !children {
		if b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(chars), "")); err == nil && utf8.Valid(b) {
			chars = string(b)
		}
	}
	// Atom's own elements are text unless they say otherwise; an extension's
	// (content:encoded in an Atom feed) and RSS's say nothing.
	atomElement := start.Name.Space == nsAtom10 || start.Name.Space == nsAtom03 ||
		(r.atom && (start.Name.Space == r.vocabulary || start.Name.Space == ""))
	declared := typed || moded || atomElement
	switch {
	case children:
		// Inline XHTML, Atom 0.3's mode="xml", or HTML written unescaped.
		return textValue{markup, kindHTML}, nil
	case !declared:
		return textValue{chars, kindUnknown}, nil
	case typ == "" || typ == "text" || typ == "text/plain":
		return textValue{chars, kindText}, nil
	case strings.Contains(typ, "html"):
		return textValue{chars, kindHTML}, nil
	case strings.HasPrefix(typ, "text/") || strings.Contains(typ, "xml"):
		return textValue{chars, kindText}, nil
	case mode == "base64":
		return textValue{chars, kindText}, nil
	}
	// Any other media type is Base64 (RFC 4287, 4.1.3.3). Decoded text is
	// kept, as HTML if it looks like HTML; an image or other binary is no
	// text at all.
	if b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(chars), "")); err == nil && utf8.Valid(b) {
		return textValue{string(b), kindUnknown}, nil
	}
	return textValue{"", kindText}, nil
}

// voidElements have no end tag in HTML.
var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// inner reads the rest of the element just started. chars is its
// character data (entities decoded once, CDATA as is); when it has child
// elements, markup is its content written back as HTML.
func (r *xmlReader) inner() (chars, markup string, children bool, err error) {
	var text, out strings.Builder
	for depth := 1; ; {
		tok, err := r.token()
		if err != nil {
			return "", "", false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			children = true
			name := strings.ToLower(t.Name.Local)
			out.WriteString("<" + name)
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" || a.Name.Space == nsXML {
					continue
				}
				out.WriteString(" " + strings.ToLower(a.Name.Local) + `="` + html.EscapeString(a.Value) + `"`)
			}
			out.WriteString(">")
		case xml.EndElement:
			depth--
			if depth == 0 {
				return text.String(), out.String(), children, nil
			}
			if name := strings.ToLower(t.Name.Local); !voidElements[name] {
				out.WriteString("</" + name + ">")
			}
		case xml.CharData:
			text.Write(t)
			out.WriteString(html.EscapeString(string(t)))
		}
	}
}

// rxEntityDecl is an internal general entity declared in a DOCTYPE.
var rxEntityDecl = regexp.MustCompile(`<!ENTITY\s+([A-Za-z_][A-Za-z0-9._-]*)\s+(?:"([^"]*)"|'([^']*)')\s*>`)

// maxEntityExpansion bounds how much declared entities may add to a
// document, so a feed cannot inflate itself with them.
const maxEntityExpansion = 1 << 20

// defineEntities adds a DOCTYPE's internal entities to the decoder's, when
// they are plain text: values that refer to other entities are left
// undefined, which rules out "billion laughs", and the total text they add
// to the document is bounded.
func defineEntities(entities map[string]string, d xml.Directive, doc string) {
	if !bytes.HasPrefix(bytes.TrimSpace(d), []byte("DOCTYPE")) {
		return
	}
	budget := maxEntityExpansion
	for _, m := range rxEntityDecl.FindAllSubmatch(d, 64) {
		name, value := string(m[1]), string(m[2])+string(m[3])
		if strings.ContainsAny(value, "&%<") {
			continue
		}
		budget -= strings.Count(doc, "&"+name+";") * len(value)
		if budget < 0 {
			return
		}
		entities[name] = value
	}
}

// readJSONFeed reads a JSON Feed (version 1 or 1.1) with gofeed. Relative
// URLs resolve against the feed's home page, itself resolved against base.
func readJSONFeed(text string, base *url.URL) ([]rawEntry, error) {
	f, err := (&json.Parser{}).Parse(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("%w: JSON Feed: %v", ErrFeedParse, err)
	}
	if home, err := base.Parse(strings.TrimSpace(f.HomePageURL)); err == nil && f.HomePageURL != "" {
		base = home
	}
	var entries []rawEntry
	for _, ji := range f.Items {
		if ji == nil {
			continue
		}
		e := rawEntry{id: strings.TrimSpace(ji.ID), title: textValue{ji.Title, kindText}}
		for _, l := range []string{ji.URL, ji.ExternalURL} {
			if u, _, ok := resolveLink(base, l); ok {
				e.links = append(e.links, u)
			}
		}
		switch {
		case strings.TrimSpace(ji.ContentHTML) != "":
			e.full = textValue{ji.ContentHTML, kindHTML}
		case strings.TrimSpace(ji.ContentText) != "":
			e.full = textValue{ji.ContentText, kindText}
		}
		if ji.Summary != "" {
			e.summary = textValue{ji.Summary, kindText}
		}
		e.published = []string{ji.DatePublished}
		e.updated = []string{ji.DateModified}
		if ji.Author != nil && ji.Author.Name != "" {
			e.authors = append(e.authors, strings.TrimSpace(ji.Author.Name))
		}
		if ji.Authors != nil {
			for _, a := range ji.Authors {
				if a != nil && strings.TrimSpace(a.Name) != "" {
					e.authors = append(e.authors, strings.TrimSpace(a.Name))
				}
			}
		}
		entries = append(entries, e)
		if len(entries) >= maxItems {
			break
		}
	}
	return entries, nil
}
