package extract

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// ErrUnknownCharset is returned by Decode when a declared charset is not one
// the WHATWG encoding standard knows and the body is not valid UTF-8 either.
var ErrUnknownCharset = errors.New("unknown charset")

// metaScanLimit is how far into the body we look for <meta charset>. The HTML
// standard says 1024 bytes; real pages often put the declaration after a long
// block of comments or scripts, so we look further.
const metaScanLimit = 4096

var (
	rxMetaCharset   = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)`)
	rxXMLEncoding   = regexp.MustCompile(`(?i)^<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_:.\-]+)`)
	htmlMetaComment = regexp.MustCompile(`(?s)<!--.*?-->`)
)

// Decode converts an HTML body to UTF-8. The encoding is chosen in this order:
// a byte-order mark (which is unambiguous, so it wins as the WHATWG standard
// says), a body that is valid UTF-8 and not plain ASCII (see
// chooseEncoding), the charset parameter of the HTTP Content-Type, a <meta
// charset> or http-equiv declaration (or XML declaration) near the top of
// the body, and finally statistical sniffing. The returned encoding is the
// WHATWG name ("utf-8", "windows-1252", "gbk", "shift_jis", ...).
func Decode(body []byte, contentType string) (text string, enc string, err error) {
	e, name := chooseEncoding(body, contentType)
	if e == nil {
		return "", "", fmt.Errorf("decode: %w %q", ErrUnknownCharset, name)
	}
	if name == "utf-8" {
		body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
		if utf8.Valid(body) {
			return string(body), name, nil
		}
		// Invalid sequences become U+FFFD rather than failing the page.
		return strings.ToValidUTF8(string(body), "\uFFFD"), name, nil
	}
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		return "", name, fmt.Errorf("decode %s: %w", name, err)
	}
	return string(bytes.TrimPrefix(out, []byte("\xef\xbb\xbf"))), name, nil
}

// chooseEncoding returns the encoding and its canonical name. A nil encoding
// with a name means the name was declared but is unknown and the body is not
// UTF-8, so there is no safe way to read it.
func chooseEncoding(body []byte, contentType string) (encoding.Encoding, string) {
	switch {
	case bytes.HasPrefix(body, []byte("\xef\xbb\xbf")):
		return unicode.UTF8, "utf-8"
	case bytes.HasPrefix(body, []byte("\xfe\xff")):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be"
	case bytes.HasPrefix(body, []byte("\xff\xfe")):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le"
	}
	// A body that is valid UTF-8 and has non-ASCII bytes is UTF-8 whatever
	// it declares: text in a legacy charset (windows-1252 accents, GBK,
	// Shift_JIS, cp1251) is almost never valid UTF-8 by chance, while pages
	// re-saved as UTF-8 with their old <meta charset> kept, and servers that
	// label every page ISO-8859-1, are common. Python trafilatura decides the
	// same way (UTF-8 first). Found on go-readability's test pages: a Chinese
	// page saved as UTF-8 that still says gb2312 came out as mojibake (text
	// shingle F1 0 -> 0.9). Pure ASCII keeps its declaration (ISO-2022-JP
	// is written in ASCII bytes).
	if !isASCII(body) && utf8.Valid(body) {
		return unicode.UTF8, "utf-8"
	}
	var declared string
	if contentType != "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			declared = params["charset"]
		}
	}
	if declared == "" {
		declared = metaCharset(body)
	}
	if declared != "" {
		if e, name, ok := lookupEncoding(declared); ok {
			return e, name
		}
		if utf8.Valid(body) {
			return unicode.UTF8, "utf-8"
		}
		return nil, declared
	}
	if utf8.Valid(body) {
		return unicode.UTF8, "utf-8"
	}
	if e, name, ok := sniffEncoding(body); ok {
		return e, name
	}
	e, _ := htmlindex.Get("windows-1252")
	return e, "windows-1252"
}

// isASCII reports whether every byte of b is below 0x80.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func lookupEncoding(label string) (encoding.Encoding, string, bool) {
	e, err := htmlindex.Get(strings.TrimSpace(label))
	if err != nil {
		return nil, "", false
	}
	name, err := htmlindex.Name(e)
	if err != nil {
		return nil, "", false
	}
	// A page cannot declare itself UTF-16 in ASCII-compatible markup; the
	// standard says to treat that declaration as UTF-8.
	if strings.HasPrefix(name, "utf-16") {
		return unicode.UTF8, "utf-8", true
	}
	if name == "utf-8" {
		return unicode.UTF8, name, true
	}
	return e, name, true
}

// metaCharset finds a charset declared in the first few kilobytes of markup.
func metaCharset(body []byte) string {
	head := body
	if len(head) > metaScanLimit {
		head = head[:metaScanLimit]
	}
	if m := rxXMLEncoding.FindSubmatch(head); m != nil {
		return string(m[1])
	}
	head = htmlMetaComment.ReplaceAll(head, nil)
	if m := rxMetaCharset.FindSubmatch(head); m != nil {
		return string(m[1])
	}
	return ""
}

// sniffEncoding guesses the charset of an undeclared, non-UTF-8 body. The
// detector runs its recognisers concurrently, so results of equal
// confidence arrive in any order; ties go to windows-1252 (the WHATWG
// default for undeclared pages), then to the alphabetically first name,
// so that the same page always decodes the same way.
func sniffEncoding(body []byte) (encoding.Encoding, string, bool) {
	sample := body
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
	}
	results, err := chardet.NewHtmlDetector().DetectAll(sample)
	if err != nil || len(results) == 0 {
		return nil, "", false
	}
	best := results[0]
	for _, r := range results[1:] {
		if r.Confidence > best.Confidence || (r.Confidence == best.Confidence && preferCharset(r.Charset, best.Charset)) {
			best = r
		}
	}
	if best.Confidence < 30 {
		return nil, "", false
	}
	return lookupEncoding(best.Charset)
}

// preferCharset orders charsets of equal confidence.
func preferCharset(a, b string) bool {
	western := func(s string) bool { return strings.EqualFold(s, "windows-1252") || strings.EqualFold(s, "ISO-8859-1") }
	if western(a) != western(b) {
		return western(a)
	}
	return a < b
}
