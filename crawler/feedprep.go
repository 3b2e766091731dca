package crawler

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/watchline/watchline/extract"
)

// What a feed's bytes go through before gofeed parses them, and the one
// pass over its tokens that finds what gofeed would fail on or drop.
//
// gofeed reads a document whole or not at all, in the encoding its XML
// declaration names, and drops a few facts an entry needs. So before it
// sees a feed:
//
//   - decodeFeed makes the body UTF-8 (byte-order mark, UTF-16/32 without
//     one, the HTTP charset, the declaration, a statistical guess for
//     undeclared legacy bytes) and valid XML text (a bad byte becomes
//     U+FFFD, a forbidden character or a reference to one is dropped);
//   - prepareXML walks the tokens once, with the decoder settings gofeed
//     uses, and hands gofeed the root element only: the prolog goes (its
//     encoding no longer holds; the plain-text entities of its DOCTYPE are
//     substituted, bounded, since gofeed reads no DTD), a lone Atom entry
//     or a CDF channel is wrapped in the element gofeed expects, a root in
//     a namespace gofeed would take for an extension's has its declaration
//     hidden. It bounds nesting at maxFeedDepth, and where the document
//     breaks off it cuts it after the last complete entry and closes the
//     elements still open, so gofeed reads the complete entries and the
//     caller learns what was lost.
//
// On the way it notes, per entry, the facts gofeed drops (entryFacts): the
// type and mode of Atom text constructs (without them gofeed's string
// cannot be told text from HTML), the xml:base in scope of each link,
// whether a link has an href, a URL written as a link's text, Atom 0.3's
// <created>, RSS 1.0's rdf:about, CDF's href and lastmod attributes. It
// keeps no text beyond those (maxFactText each): titles, bodies, links and
// dates are gofeed's. The entries are picked by gofeed's rules, so the
// facts line up with gofeed's entries; FuzzParseFeed and
// TestPreparedFixtures hold the two to that.
//
// xml:base is resolved here as RFC 3986 says and hidden from gofeed, whose
// resolver treats every base as a directory ("/dir/index.html" and "page"
// give "/dir/index.html/page"): gofeed then returns links as the feed wrote
// them, and feed.go resolves them against the bases noted here.

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

// maxFeedDepth bounds element nesting. Real feeds stay under 30 levels; a
// document nested deeper is cut before the entry that does it, which also
// bounds gofeed, whose parser copies the namespace scope per level and
// reads extension elements recursively.
const maxFeedDepth = 256

// maxFactText bounds the text the walk keeps of one element (a link's URL,
// a date).
const maxFactText = 2048

// errTooDeep stops the walk at an element nested beyond maxFeedDepth.
var errTooDeep = fmt.Errorf("elements nested deeper than %d levels", maxFeedDepth)

// Namespaces gofeed's RSS and Atom parsers read as their own; an element in
// any other is an extension to them.
const (
	nsAtom10 = "http://www.w3.org/2005/Atom"
	nsAtom03 = "http://purl.org/atom/ns#"
	nsRDF    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsRSS10  = "http://purl.org/rss/1.0/"
	nsRSS09  = "http://channel.netscape.com/rdf/simple/0.9/"
	nsRSS09b = "http://my.netscape.com/rdf/simple/0.9/"
	nsXML    = "http://www.w3.org/XML/1998/namespace"
)

// prepared is a feed document made ready for gofeed, with the facts gofeed
// drops.
type prepared struct {
	text string // the document gofeed reads
	atom bool   // read with gofeed's Atom parser, else with its RSS parser
	// entries holds the facts of each entry in the order gofeed returns
	// the entries: an RSS channel's items before items outside it.
	entries []entryFacts
	partial error // why the document was cut after its last complete entry
}

// entryFacts are what gofeed drops about one entry.
type entryFacts struct {
	base      *url.URL    // xml:base in scope at the entry, resolved: the base of its guid
	links     []linkFacts // the entry's own link elements, in order (gofeed's Links)
	atomLinks []linkFacts // RSS: the entry's atom:link elements, in order
	// Atom text constructs: what says whether the string gofeed returns
	// is text or HTML.
	title, summary, content textType
	created                 []string // Atom 0.3's <created>, which gofeed skips
	about                   string   // rdf:about: an RSS 1.0 item's id
	href, lastmod           string   // CDF puts an item's link and date in attributes
}

// linkFacts are what gofeed drops about one link element.
type linkFacts struct {
	base *url.URL // xml:base in scope at the link, resolved
	href bool     // it has an href attribute (gofeed gives "" for an empty one and a missing one alike)
	text string   // its text: a URL some Atom feeds write there instead of in href
}

// textType is an Atom text construct's type and mode attributes, and
// whether it holds elements (markup written into the feed unescaped).
type textType struct {
	typ, mode string
	markup    bool
}

// frame is one open element of the walk.
type frame struct {
	name  string   // the qualified name as written, for closing it
	base  *url.URL // xml:base in scope
	entry bool     // an entry (item) gofeed returns
	// channel: an RSS channel whose items are entries.
	channel bool
}

// prepareXML makes text, a UTF-8 XML document, ready for gofeed: see the
// comment at the top of this file. base is the document's base URL.
//
// The error wraps ErrNotFeed for a document whose root is no feed's and
// ErrFeedParse for one that breaks off before its first complete entry. A
// document cut after some complete entries comes back with partial set.
func prepareXML(text string, base *url.URL, contentType string) (*prepared, error) {
	d := xml.NewDecoder(strings.NewReader(text))
	// gofeed's settings (non-strict, no entities beyond XML's, no automatic
	// closing), so what reads here reads there.
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // UTF-8 already

	notFeed := func(what string) error {
		got := mediaType(contentType)
		if got == "" {
			got = "an unknown format"
		}
		return fmt.Errorf("%w: got %s (%s)", ErrNotFeed, got, what)
	}
	entities := map[string]string{}
	var root xml.StartElement
	rootStart := 0
	for {
		rootStart = int(d.InputOffset())
		tok, err := d.Token()
		if err != nil {
			return nil, notFeed("no XML element in it")
		}
		if t, ok := tok.(xml.Directive); ok {
			defineEntities(entities, t, text)
		}
		if t, ok := tok.(xml.StartElement); ok {
			root = t
			break
		}
	}

	// An XML declaration inside the root would switch gofeed's decoder to
	// its encoding from there on; here it ends the document instead.
	d.CharsetReader = nil
	w := walk{text: text, d: d, entities: entities}
	p := &prepared{}
	switch strings.ToLower(root.Name.Local) {
	case "feed":
		p.atom = true
	case "entry": // an Atom entry document: gofeed reads entries only inside a feed
		p.atom, w.wrap = true, "feed"
	case "rss", "rdf":
	case "channel": // CDF, or RSS without its <rss>
		w.wrap = "rss"
	default:
		return nil, notFeed("the root element is <" + root.Name.Local + ">")
	}
	w.atom = p.atom
	if w.wrap == "" { // else gofeed's root is the wrapper, in no namespace
		w.rootSpace = root.Name.Space
	}
	if !w.nativeSpace(root.Name.Space) && !strings.Contains(w.rawName(rootStart), ":") {
		// A root in a namespace gofeed does not know as the format's own (a
		// draft Atom namespace such as http://purl.org/echo/, an RSS root
		// declaring some other vocabulary's): gofeed would take every
		// element for an extension, so the declaration is hidden and the
		// elements read as the format's.
		w.hiddenNS = root.Name.Space
	}
	err := w.run(root, rootStart, base)
	if err != nil {
		switch {
		case w.facts != nil: // in an entry
			err = fmt.Errorf("entry %d is unreadable: %w", w.complete+1, err)
		case w.complete == 0:
			err = fmt.Errorf("the document breaks off before its first entry: %w", err)
		default:
			err = fmt.Errorf("the document breaks off after entry %d: %w", w.complete, err)
		}
		if w.complete == 0 {
			return nil, fmt.Errorf("%w: %v", ErrFeedParse, err)
		}
		p.partial = err
	}
	p.text = w.document(rootStart)
	p.entries = append(w.lastChannel(), w.rootItems...)
	return p, nil
}

// walk is the state of prepareXML's pass over the root element.
type walk struct {
	text      string
	d         *xml.Decoder
	entities  map[string]string
	atom      bool
	wrap      string // the element gofeed needs around the root, if any
	rootSpace string
	hiddenNS  string // the root's namespace, when its declarations are hidden

	stack      []frame
	facts      *entryFacts // of the entry being read
	entryDepth int         // its depth
	chars      *string     // where the character data of the entry's child being read goes
	construct  *textType   // the entry's text construct being read
	complete   int         // entries read whole
	// The facts of complete entries, in each channel and outside any.
	channels  []channel
	rootItems []entryFacts
	end       int    // where the document handed to gofeed ends
	closers   string // end tags closing what is open at end
	hide      []hidden
	// Where the document can be cut after the last token, and how many
	// elements are open there (-1: those open now).
	cutAt, cutDepth int
}

// nativeSpace says whether gofeed's parser for the format reads elements in
// space as the format's own rather than as extensions.
func (w *walk) nativeSpace(space string) bool {
	if w.atom {
		return space == "" || space == nsAtom10 || space == nsAtom03
	}
	switch space {
	case "", "rss", "rdf", nsRDF, nsRSS10, nsRSS09, nsRSS09b:
		return true
	}
	return false
}

// native says whether gofeed reads the element of space, written raw, as
// its format's own.
func (w *walk) native(space, raw string) bool {
	switch {
	case w.nativeSpace(space):
		return true
	case w.hiddenNS != "": // unprefixed, it is in no namespace once hidden
		return space == w.hiddenNS && !strings.Contains(raw, ":")
	}
	// gofeed reads the namespace of a prefixed <rss> root as RSS's own.
	return !w.atom && space == w.rootSpace
}

// run walks the root element and what is in it, up to the root's end, the
// maxItems-th entry or the point where the document breaks off.
func (w *walk) run(root xml.StartElement, rootStart int, base *url.URL) error {
	tok, off := xml.Token(root), rootStart
	w.cutAt, w.cutDepth = int(w.d.InputOffset()), -1 // after the root's start tag
	for {
		switch t := tok.(type) {
		case xml.StartElement:
			if len(w.stack) >= maxFeedDepth {
				return errTooDeep
			}
			w.start(t, off, base)
		case xml.EndElement:
			f := w.stack[len(w.stack)-1]
			w.stack = w.stack[:len(w.stack)-1]
			w.chars = nil
			if f.entry {
				w.endEntry()
				if w.complete >= maxItems {
					return nil // the rest is not read
				}
			}
			if len(w.stack) == 0 {
				w.cut()
				return nil
			}
		case xml.CharData:
			// A link's URL or a date; past maxFactText it is neither, and
			// the bound keeps a text of many CDATA sections linear.
			if w.chars != nil && len(*w.chars)+len(t) <= maxFactText {
				*w.chars += string(t)
			}
		}
		off = int(w.d.InputOffset())
		var err error
		if tok, err = w.d.Token(); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		// Where the document could be cut after the token, if it closes an
		// entry: before an end tag, which may close several elements at
		// once when it does not match; after anything else, an empty
		// element's tag. A token made up to close an element (the end of
		// an empty element, or one of those an unmatched end tag closes)
		// reads nothing and moves nothing.
		if after := int(w.d.InputOffset()); after > off {
			if _, ok := tok.(xml.EndElement); ok {
				w.cutAt, w.cutDepth = off, len(w.stack)
			} else {
				w.cutAt, w.cutDepth = after, -1
			}
		}
	}
}

// start opens element t, which starts at offset off.
func (w *walk) start(t xml.StartElement, off int, docBase *url.URL) {
	parent := frame{base: docBase}
	if len(w.stack) > 0 {
		parent = w.stack[len(w.stack)-1]
	}
	f := frame{name: w.rawName(off), base: parent.base}
	var hide []string
	for _, a := range t.Attr {
		switch {
		case a.Name.Space == nsXML && a.Name.Local == "base":
			if u, err := f.base.Parse(strings.TrimSpace(a.Value)); err == nil {
				f.base = u
			}
			hide = append(hide, "xml:base")
		case a.Name.Space == "" && a.Name.Local == "xmlns" && w.hiddenNS != "" && a.Value == w.hiddenNS:
			hide = append(hide, "xmlns")
		}
	}
	if hide != nil {
		w.hideAttrs(off, int(w.d.InputOffset()), hide...)
	}
	depth := len(w.stack) + 1 // of t
	local := strings.ToLower(t.Name.Local)
	native := w.native(t.Name.Space, f.name)
	switch {
	case depth == 1: // inside the wrapper, if any, gofeed reads it as a child
		f.entry = w.wrap == "feed" && native
		f.channel = w.wrap == "rss" && native
	case w.facts != nil && depth == w.entryDepth+1:
		w.construct = nil
		w.child(t, local, native, f.base)
	case w.construct != nil && depth == w.entryDepth+2:
		w.construct.markup = true
	case !native:
	case w.atom:
		f.entry = depth == 2 && local == "entry"
	case local == "item":
		f.entry = parent.channel || (depth == 2 && w.wrap == "") // in a channel or the <rss> root
	case local == "channel" && depth == 2 && w.wrap == "":
		f.channel = true
	}
	if f.channel {
		w.channels = append(w.channels, channel{start: off})
	}
	if f.entry {
		w.entryDepth = depth
		w.facts = &entryFacts{base: f.base, about: attr(t, "about"), href: attr(t, "href"), lastmod: attr(t, "lastmod")}
	}
	w.stack = append(w.stack, f)
}

// child notes what gofeed drops about t, a child of the entry being read.
func (w *walk) child(t xml.StartElement, local string, native bool, base *url.URL) {
	e := w.facts
	construct := func(tt *textType) {
		*tt = textType{typ: attr(t, "type"), mode: attr(t, "mode")}
		w.construct = tt
	}
	switch {
	case local == "link" && native:
		_, href := attrOK(t, "href")
		e.links = append(e.links, linkFacts{base: base, href: href})
		if w.atom && !href {
			w.chars = &e.links[len(e.links)-1].text
		}
	case local == "link" && t.Name.Space == nsAtom10:
		e.atomLinks = append(e.atomLinks, linkFacts{base: base})
	case !w.atom || !native:
	case local == "title":
		construct(&e.title)
	case local == "summary":
		construct(&e.summary)
	case local == "content":
		construct(&e.content)
	case local == "created":
		e.created = append(e.created, "")
		w.chars = &e.created[len(e.created)-1]
	}
}

// channel is an RSS channel of the walk and the facts of its items.
type channel struct {
	start int // offset of its start tag
	items []entryFacts
}

// lastChannel is the facts of the last channel gofeed reads, the last one
// that starts before the document handed to it ends: gofeed keeps only the
// items of the last channel it meets.
func (w *walk) lastChannel() []entryFacts {
	for i := len(w.channels) - 1; i >= 0; i-- {
		if w.channels[i].start < w.end {
			return w.channels[i].items
		}
	}
	return nil
}

// endEntry completes the entry being read: the document can be cut here.
func (w *walk) endEntry() {
	w.complete++
	if len(w.stack) > 0 && w.stack[len(w.stack)-1].channel {
		c := &w.channels[len(w.channels)-1]
		c.items = append(c.items, *w.facts)
	} else {
		w.rootItems = append(w.rootItems, *w.facts)
	}
	w.facts, w.construct = nil, nil
	w.cut()
}

// cut ends the document handed to gofeed at w.cutAt, with end tags of our
// own for every element open there. gofeed thus never meets an end tag
// that does not match, after which encoding/xml may fail where it did not
// fail here (gofeed reads on to a wrapper's end).
func (w *walk) cut() {
	w.end = w.cutAt
	open := w.stack
	if w.cutDepth >= 0 {
		// Before an end tag: the elements it closed are still in the
		// stack's array, as closing only shortens the slice and nothing
		// has been opened since.
		open = w.stack[:w.cutDepth]
	}
	var b strings.Builder
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</" + open[i].name + ">")
	}
	w.closers = b.String()
}

// rawName is the qualified name of the start tag at off, as written.
func (w *walk) rawName(off int) string {
	s := w.text[off+1:]
	if i := strings.IndexAny(s, " \t\r\n/>"); i >= 0 {
		s = s[:i]
	}
	return s
}

// hidden is an attribute name to rename so gofeed ignores it.
type hidden struct {
	at   int // offset in the text
	name string
}

// hideAttrs notes the attributes named names in the start tag
// text[from:to]. They are renamed in upper case ("XML:BASE", "XMLNS"): the
// same length, so no offset moves, and names no XML reader gives a meaning.
func (w *walk) hideAttrs(from, to int, names ...string) {
	tag := w.text[from:to]
	const space = " \t\r\n"
	// Step over the element's name, then attribute by attribute, so a
	// quoted value that mentions a name is never taken for it.
	i := strings.IndexAny(tag, space)
	for i >= 0 && i < len(tag) {
		for i < len(tag) && strings.IndexByte(space, tag[i]) >= 0 {
			i++
		}
		j := i
		for j < len(tag) && strings.IndexByte(space+"=/>", tag[j]) < 0 {
			j++
		}
		if j == i {
			return
		}
		for _, n := range names {
			if tag[i:j] == n {
				w.hide = append(w.hide, hidden{from + i, n})
			}
		}
		for i = j; i < len(tag) && strings.IndexByte(space, tag[i]) >= 0; i++ {
		}
		if i >= len(tag) || tag[i] != '=' {
			continue // an attribute without a value, as non-strict XML allows
		}
		for i++; i < len(tag) && strings.IndexByte(space, tag[i]) >= 0; i++ {
		}
		if i < len(tag) && (tag[i] == '"' || tag[i] == '\'') {
			k := strings.IndexByte(tag[i+1:], tag[i])
			if k < 0 {
				return
			}
			i += k + 2
		} else if k := strings.IndexAny(tag[i:], space+">"); k >= 0 {
			i += k // an unquoted value
		} else {
			return
		}
	}
}

// document is the text gofeed reads: the root element from rootStart up to
// the end of the walk, its open elements closed, wrapped if need be, with
// hidden attributes renamed and the DOCTYPE's entities substituted.
func (w *walk) document(rootStart int) string {
	text := w.text
	if len(w.hide) > 0 {
		b := []byte(text)
		for _, h := range w.hide {
			copy(b[h.at:], strings.ToUpper(h.name))
		}
		text = string(b)
	}
	doc := text[rootStart:w.end] + w.closers
	if w.wrap != "" {
		doc = "<" + w.wrap + ">" + doc + "</" + w.wrap + ">"
	}
	if len(w.entities) > 0 {
		doc = expandEntities(doc, w.entities)
	}
	return doc
}

// attr is the value of t's attribute named local (in no namespace, or
// RDF's), "" if it has none.
func attr(t xml.StartElement, local string) string {
	v, _ := attrOK(t, local)
	return v
}

func attrOK(t xml.StartElement, local string) (string, bool) {
	for _, a := range t.Attr {
		if strings.EqualFold(a.Name.Local, local) && (a.Name.Space == "" || a.Name.Space == nsRDF || a.Name.Space == "rdf") {
			return a.Value, true
		}
	}
	return "", false
}

// rxEntityDecl is an internal general entity declared in a DOCTYPE.
var rxEntityDecl = regexp.MustCompile(`<!ENTITY\s+([A-Za-z_][A-Za-z0-9._-]*)\s+(?:"([^"]*)"|'([^']*)')\s*>`)

// maxEntityExpansion bounds how much declared entities may add to a
// document, so a feed cannot inflate itself with them.
const maxEntityExpansion = 1 << 20

// defineEntities adds a DOCTYPE's internal entities to entities, when they
// are plain text: values that refer to other entities are left undefined,
// which rules out "billion laughs", and the total text they add to the
// document is bounded.
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

var (
	rxEntityRef   = regexp.MustCompile(`&([A-Za-z_][A-Za-z0-9._-]*);`)
	entityEscaper = strings.NewReplacer(`"`, "&quot;", "'", "&apos;", ">", "&gt;")
)

// expandEntities writes the declared entities' values, escaped, where doc
// refers to them outside CDATA sections. gofeed reads text as written and
// decodes only the entities HTML knows.
func expandEntities(doc string, entities map[string]string) string {
	var b strings.Builder
	for doc != "" {
		plain, rest := doc, ""
		if i := strings.Index(doc, "<![CDATA["); i >= 0 {
			plain, rest = doc[:i], doc[i:]
		}
		b.WriteString(rxEntityRef.ReplaceAllStringFunc(plain, func(ref string) string {
			if v, ok := entities[ref[1:len(ref)-1]]; ok {
				return entityEscaper.Replace(v)
			}
			return ref
		}))
		if rest == "" {
			break
		}
		end := strings.Index(rest, "]]>")
		if end < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:end+3])
		doc = rest[end+3:]
	}
	return b.String()
}
