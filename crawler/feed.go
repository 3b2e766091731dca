package crawler

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"
	"github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"
	htmlatom "golang.org/x/net/html/atom"
	"golang.org/x/net/idna"

	"github.com/watchline/watchline/extract"
)

// Feeds are read by gofeed: RSS 0.90 to 2.0 and RSS 1.0 by its rss.Parser,
// Atom 0.3 and 1.0 by its atom.Parser, JSON Feed by its json.Parser. The
// format parsers are used rather than gofeed's universal one because they
// keep what the translation to gofeed.Item gives away: an RSS guid's
// isPermaLink, every Atom link with its rel, the Atom content's type and
// src, and the extension elements (dc:date, dcterms:modified,
// content:encoded, atom:link inside RSS).
//
// What gofeed cannot do happens around it. Before it (feedprep.go): the
// bytes become UTF-8 XML text whatever their encoding, and one pass over
// the tokens cuts a document that breaks off back to its last complete
// entry, bounds nesting, substitutes DOCTYPE entities, wraps a lone Atom
// entry or CDF channel, and notes per entry the facts gofeed drops (Atom
// text types, xml:base, Atom 0.3's <created>, CDF attributes). After it
// (here): titles and bodies become plain text decoded exactly once (the
// Atom type says whether gofeed's string is text or HTML; RSS text is HTML
// when it looks like HTML), links are chosen (Atom alternate, RSS <link>,
// then a guid that is a permalink) and resolved against xml:base and the
// Content-Location header as RFC 3986 says, an entry without a link gets a
// stable key from its id, and dates are read by gofeed or, where it has
// none or reads one wrongly, by feeddate.go.

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

// readXMLFeed reads an RSS or Atom document: prepareXML makes it ready,
// gofeed parses it, and the entries take in the facts gofeed dropped.
func readXMLFeed(text string, base *url.URL, contentType string) ([]rawEntry, error) {
	p, err := prepareXML(text, base, contentType)
	if err != nil {
		return nil, err
	}
	if p.atom {
		f, err := (&atom.Parser{}).Parse(strings.NewReader(p.text))
		if err != nil {
			return nil, fmt.Errorf("%w: Atom: %v", ErrFeedParse, err)
		}
		return atomEntries(f.Entries, p.entries, base), p.partial
	}
	f, err := (&rss.Parser{}).Parse(strings.NewReader(p.text))
	if err != nil {
		return nil, fmt.Errorf("%w: RSS: %v", ErrFeedParse, err)
	}
	return rssEntries(f.Items, p.entries, base), p.partial
}

// factsOf is the facts of entry i of n. They line up with gofeed's entries
// because prepareXML picks entries by gofeed's rules; should the counts
// ever differ, no entry gets another's facts: each gets none beyond the
// document's base.
func factsOf(facts []entryFacts, i, n int, base *url.URL) entryFacts {
	if len(facts) == n {
		return facts[i]
	}
	return entryFacts{base: base}
}

// link is the facts of the entry's j-th link element, whose href gofeed
// read as href.
func (f *entryFacts) link(links []linkFacts, j int, href string) linkFacts {
	if j < len(links) {
		return links[j]
	}
	return linkFacts{base: f.base, href: href != ""}
}

// atomEntries turns gofeed's Atom entries into raw entries.
func atomEntries(entries []*atom.Entry, facts []entryFacts, base *url.URL) []rawEntry {
	var out []rawEntry
	for i, ae := range entries {
		if ae == nil {
			continue
		}
		f := factsOf(facts, i, len(entries), base)
		x := ae.Extensions
		e := rawEntry{id: strings.TrimSpace(ae.ID)}
		e.title = atomText(ae.Title, f.title)
		e.summary = atomText(ae.Summary, f.summary)
		if c := ae.Content; c != nil && strings.TrimSpace(c.Src) == "" { // out-of-line content is nothing here
			e.full = atomText(c.Value, textType{c.Type, f.content.mode, f.content.markup})
		}
		if blank(e.full) {
			// An extension's HTML: content:encoded in an Atom feed.
			e.full = textValue{firstValue(x, "content", "encoded"), kindHTML}
		}
		if blank(e.summary) {
			e.summary = textValue{firstValue(x, "dc", "description"), kindUnknown}
		}
		// Alternate links, then URLs written as a link's text. gofeed names
		// a link without a rel "alternate", as RFC 4287 does.
		var inText []linkFacts
		for j, l := range ae.Links {
			lf := f.link(f.links, j, l.Href)
			switch {
			case !strings.EqualFold(strings.TrimSpace(l.Rel), "alternate"):
			case lf.href:
				e.addLink(lf.base, l.Href)
			case strings.TrimSpace(lf.text) != "":
				inText = append(inText, lf)
			}
		}
		for _, lf := range inText {
			e.addLink(lf.base, lf.text)
		}
		e.published = append(dates(x, "dc", "date"), datesOf(x, "dcterms", "issued", "available")...)
		if ae.Published != "" {
			e.published = append([]dateValue{{ae.Published, ae.PublishedParsed}}, e.published...)
		}
		for _, c := range f.created {
			e.created = append(e.created, dateValue{raw: c})
		}
		e.created = append(e.created, dates(x, "dcterms", "created")...)
		if ae.Updated != "" {
			e.updated = []dateValue{{ae.Updated, ae.UpdatedParsed}}
		}
		e.updated = append(e.updated, dates(x, "dcterms", "modified")...)
		for _, p := range ae.Authors {
			if p == nil {
				continue
			}
			if name := strings.Join(strings.Fields(p.Name), " "); name != "" {
				e.authors = append(e.authors, name)
			} else if email := strings.TrimSpace(p.Email); email != "" {
				e.authors = append(e.authors, email)
			}
		}
		e.authors = append(e.authors, values(x, "dc", "creator")...)
		out = append(out, e)
	}
	return out
}

// rssEntries turns gofeed's RSS items into raw entries.
func rssEntries(items []*rss.Item, facts []entryFacts, base *url.URL) []rawEntry {
	var out []rawEntry
	for i, ri := range items {
		if ri == nil {
			continue
		}
		f := factsOf(facts, i, len(items), base)
		x := ri.Extensions
		e := rawEntry{id: strings.TrimSpace(f.about)}
		if ri.GUID != nil && e.id == "" {
			e.id = strings.TrimSpace(ri.GUID.Value)
		}
		// RSS says nothing of what its text is: HTML if it looks like HTML.
		e.title = textValue{ri.Title, kindUnknown}
		if blank(e.title) {
			e.title = textValue{firstValue(x, "dc", "title"), kindUnknown}
		}
		// content:encoded and descriptions are HTML.
		e.full = textValue{ri.Content, kindHTML}
		if blank(e.full) {
			e.full = textValue{custom(ri, "fullitem"), kindUnknown}
		}
		if blank(e.full) {
			e.full = atomInRSS(x, "content")
		}
		e.summary = textValue{ri.Description, kindHTML}
		if blank(e.summary) {
			e.summary = textValue{firstValue(x, "dc", "description"), kindHTML}
		}
		if blank(e.summary) {
			e.summary = textValue{custom(ri, "abstract"), kindHTML} // CDF
		}
		if blank(e.summary) {
			e.summary = atomInRSS(x, "summary")
		}
		// Atom links inside the item first, then CDF's href and RSS's
		// <link>; a guid that is a permalink is the last resort.
		for j, l := range x["atom"]["link"] {
			if rel := strings.ToLower(strings.TrimSpace(l.Attrs["rel"])); rel == "" || rel == "alternate" {
				e.addLink(f.link(f.atomLinks, j, l.Attrs["href"]).base, l.Attrs["href"])
			}
		}
		if f.href != "" {
			e.addLink(f.base, f.href)
		}
		for j, l := range ri.Links {
			e.addLink(f.link(f.links, j, l).base, l)
		}
		if g := ri.GUID; g != nil && !strings.EqualFold(strings.TrimSpace(g.IsPermalink), "false") {
			// A guid is a permalink unless it says otherwise, but only an
			// absolute http(s) URL is trusted as one: "12345" is not a page.
			if u, err := url.Parse(strings.TrimSpace(g.Value)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
				e.permalink, _, _ = resolveLink(f.base, g.Value)
			}
		}
		if ri.PubDate != "" {
			e.published = []dateValue{{ri.PubDate, ri.PubDateParsed}}
		}
		e.published = append(e.published, dates(x, "dc", "date")...)
		e.published = append(e.published, datesOf(x, "dcterms", "issued", "available")...)
		e.published = append(e.published, append(dates(x, "atom", "published"), dates(x, "atom03", "issued")...)...)
		e.created = append(dates(x, "dcterms", "created"), dates(x, "atom03", "created")...)
		e.updated = append(dates(x, "dcterms", "modified"), dates(x, "atom", "updated")...)
		e.updated = append(e.updated, dates(x, "atom03", "modified")...)
		if f.lastmod != "" {
			e.updated = append(e.updated, dateValue{raw: f.lastmod})
		}
		e.authors = append(values(x, "dc", "creator"), values(x, "dc", "author")...)
		if a := strings.Join(strings.Fields(ri.Author), " "); a != "" {
			e.authors = append(e.authors, rssAuthor(a))
		}
		for _, prefix := range []string{"atom", "atom03"} {
			for _, a := range x[prefix]["author"] {
				for _, n := range a.Children["name"] {
					if name := strings.Join(strings.Fields(n.Value), " "); name != "" {
						e.authors = append(e.authors, name)
					}
				}
			}
		}
		out = append(out, e)
	}
	return out
}

// addLink resolves ref against base and adds it to the entry's candidate
// links if it is an http(s) URL, keeping the first one's #fragment.
func (e *rawEntry) addLink(base *url.URL, ref string) {
	u, fragment, ok := resolveLink(base, ref)
	if !ok {
		return
	}
	if len(e.links) == 0 {
		e.fragment = fragment
	}
	e.links = append(e.links, u)
}

func blank(v textValue) bool { return strings.TrimSpace(v.value) == "" }

// values are the trimmed, non-empty values of the extension elements
// prefix:name (gofeed keys extensions by their namespace's usual prefix).
func values(x ext.Extensions, prefix, name string) []string {
	var out []string
	for _, e := range x[prefix][name] {
		if v := strings.TrimSpace(e.Value); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func firstValue(x ext.Extensions, prefix, name string) string {
	if v := values(x, prefix, name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// dates are the extension elements prefix:name as dates.
func dates(x ext.Extensions, prefix, name string) []dateValue {
	var out []dateValue
	for _, v := range values(x, prefix, name) {
		out = append(out, dateValue{raw: v})
	}
	return out
}

func datesOf(x ext.Extensions, prefix string, names ...string) []dateValue {
	var out []dateValue
	for _, n := range names {
		out = append(out, dates(x, prefix, n)...)
	}
	return out
}

// atomInRSS is the text of an Atom text construct inside an RSS item
// (atom:content, atom:summary): gofeed keeps it as an extension, its
// character data decoded once and child elements apart.
func atomInRSS(x ext.Extensions, name string) textValue {
	for _, prefix := range []string{"atom", "atom03"} {
		for _, e := range x[prefix][name] {
			if strings.TrimSpace(e.Value) == "" {
				continue
			}
			if strings.Contains(strings.ToLower(e.Attrs["type"]), "html") {
				return textValue{e.Value, kindHTML}
			}
			return textValue{e.Value, kindText}
		}
	}
	return textValue{}
}

// custom is the text of an RSS item's element gofeed knows nothing of
// (CDF's <ABSTRACT>, <fullitem>), whatever its case.
func custom(ri *rss.Item, name string) string {
	for k, v := range ri.Custom {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// atomText is what gofeed's string for an Atom text construct of the given
// type and mode (RFC 4287 3.1, and Atom 0.3's modes) holds, and whether it
// is text or HTML. gofeed decodes the construct once but returns the
// string alone; how it decoded follows its parseAtomText (v1.4.2; the
// entities, markup and dialects cases of the conformance table fail if a
// gofeed upgrade changes it):
//
//   - type text, text/* or none (and no mode): entities decoded once;
//     base64 is left alone, so it is decoded here;
//   - xhtml: the inline markup, its wrapping <div> removed;
//   - html: entities decoded once;
//   - a binary media type or mode base64: decoded from Base64;
//   - anything else (Atom 0.3's mode="escaped" without a type, an unknown
//     media type): as written, which reads as HTML does (entities decoded
//     once, markup dropped).
//
// What it then is: HTML for html, xhtml and text/html types and for markup
// written into the feed unescaped; for a binary type, HTML if decoded text
// looks like HTML, nothing if it is no text; else plain text (Atom's
// default type, also Atom 0.3's text/plain).
func atomText(v string, t textType) textValue {
	typ, mode := strings.ToLower(strings.TrimSpace(t.typ)), strings.ToLower(strings.TrimSpace(t.mode))
	textual := typ == "" || typ == "text" || strings.HasPrefix(typ, "text/")
	isHTML := t.markup || strings.Contains(typ, "html")
	switch {
	case textual && (typ != "" || mode == ""): // decoded
		if mode == "base64" {
			v = base64Text(v)
		}
	case strings.Contains(typ, "xhtml"), typ == "html": // markup, or decoded HTML
		isHTML = true
	case mode == "base64" || binaryMediaType(typ): // decoded from Base64
		if !utf8.ValidString(v) { // an image, not text
			return textValue{"", kindText}
		}
		if !textual {
			return textValue{v, kindUnknown}
		}
	default: // as written
		isHTML = true
	}
	if isHTML {
		return textValue{v, kindHTML}
	}
	return textValue{v, kindText}
}

// base64Text is s decoded from Base64 when that gives UTF-8 text.
func base64Text(s string) string {
	if b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), "")); err == nil && utf8.Valid(b) {
		return string(b)
	}
	return s
}

// binaryMediaType says whether gofeed takes an Atom type for Base64.
func binaryMediaType(t string) bool {
	switch {
	case t == "" || strings.HasPrefix(t, "text/") || strings.Contains(t, "xml"):
		return false
	case strings.HasPrefix(t, "image/"), strings.HasPrefix(t, "audio/"), strings.HasPrefix(t, "video/"):
		return true
	}
	switch t {
	case "application/octet-stream", "application/pdf", "application/zip", "application/gzip", "application/x-gzip", "application/ogg":
		return true
	}
	return false
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
	full      textValue // content, content:encoded
	summary   textValue // summary or description, else dc:description
	// Dates by kind, in preference order.
	published, created, updated []dateValue
	authors                     []string
}

// dateValue is a date element as the feed wrote it and, for the elements
// gofeed reads as dates (pubDate, published, updated), as gofeed read it.
type dateValue struct {
	raw    string
	parsed *time.Time
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
	if blank(v) {
		return ""
	}
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

// firstDate is the first date that reads, taking the lists in order.
func firstDate(lists ...[]dateValue) time.Time {
	for _, l := range lists {
		for _, v := range l {
			if t, ok := v.date(); ok {
				return t
			}
		}
	}
	return time.Time{}
}

// date is gofeed's reading of the date, unless it has none or feeddate.go
// reads the same text as another instant: gofeed takes a zone abbreviation
// it does not know for UTC and knows no dates in other languages, ISO week
// or ordinal dates, Korean forms or military zones, which parseFeedDate
// does. Where both read a date they agree on, gofeed's stands.
func (v dateValue) date() (time.Time, bool) {
	ours, ok := parseFeedDate(v.raw)
	if v.parsed == nil || v.parsed.IsZero() || (ok && !ours.Equal(*v.parsed)) {
		return ours, ok
	}
	return v.parsed.UTC(), true
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

var rxAuthorParen = regexp.MustCompile(`^\S+@\S+\s*\((.+)\)$`)

// rssAuthor reads "jo@example.org (Jo Bloggs)" as "Jo Bloggs".
func rssAuthor(s string) string {
	if m := rxAuthorParen.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[1])
	}
	return s
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
			if strings.TrimSpace(l) != "" {
				e.addLink(base, l)
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
		e.published = []dateValue{{raw: ji.DatePublished}}
		e.updated = []dateValue{{raw: ji.DateModified}}
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
