package extract

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// gunzip returns the body of a gzip-compressed page (saved pages and some
// misconfigured servers send them so), or body unchanged when it is not
// gzip. The result is bounded by MaxBodySize.
func gunzip(body []byte) ([]byte, error) {
	if len(body) < 3 || body[0] != 0x1f || body[1] != 0x8b || body[2] != 8 {
		return body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip body: %v", ErrNotHTML, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxBodySize+1))
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("%w: gzip body: %v", ErrNotHTML, err)
	}
	return out, nil
}

// flattenDepth is the nesting parseHTML reduces a too deeply nested page
// to, and flattenFrom the depth below which it keeps every element: real
// articles sit well under 100 levels, the parser refuses 512, and the
// wrappers that pile up in generated or hostile pages are in between.
const (
	flattenDepth = 256
	flattenFrom  = 24
)

// parseHTML parses a decoded page. golang.org/x/net/html refuses documents
// nested deeper than 512 elements (a guard against stack exhaustion); such
// pages, generated or hostile, still have text, so they are parsed again
// with the elements below flattenDepth flattened into their ancestor, and
// failing that as plain text blocks. The second result says the tree was
// rebuilt.
func parseHTML(text string) (*html.Node, bool, error) {
	root, err := html.Parse(strings.NewReader(text))
	if err == nil {
		return root, false, nil
	}
	if root, err2 := html.Parse(strings.NewReader(flattenDeep(text, flattenDepth))); err2 == nil {
		return root, true, nil
	}
	root, err2 := html.Parse(strings.NewReader(textOnlyHTML(text)))
	if err2 != nil {
		return nil, false, fmt.Errorf("parse html: %w", err)
	}
	return root, true, nil
}

// voidElements never have an end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// flattenDeep re-serialises markup whose elements nest deeper than limit
// without the start and end tags of the elements opened between depth
// flattenFrom and flattenFrom+excess, where excess is how far the page goes
// beyond limit. The wrappers in that band go; the page's outer frame and
// its innermost structure (the paragraphs of a deeply wrapped article)
// stay, and so does all text. Depth is counted on the tags as written,
// which is close to what the parser builds.
func flattenDeep(text string, limit int) string {
	depth := func(visit func(z *html.Tokenizer, tt html.TokenType, d int, drop *bool)) {
		z := html.NewTokenizer(strings.NewReader(text))
		type open struct {
			tag     string
			dropped bool
		}
		var stack []open
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			switch tt {
			case html.StartTagToken:
				name, _ := z.TagName()
				tag := string(name)
				if voidElements[tag] {
					visit(z, tt, len(stack), nil)
					continue
				}
				drop := false
				visit(z, tt, len(stack), &drop)
				stack = append(stack, open{tag, drop})
			case html.EndTagToken:
				name, _ := z.TagName()
				tag := string(name)
				drop := false
				for i := len(stack) - 1; i >= 0; i-- {
					if stack[i].tag == tag {
						drop = stack[i].dropped
						stack = stack[:i]
						break
					}
				}
				visit(z, tt, len(stack), &drop)
			default:
				visit(z, tt, len(stack), nil)
			}
		}
	}
	maxDepth := 0
	depth(func(_ *html.Tokenizer, _ html.TokenType, d int, _ *bool) { maxDepth = max(maxDepth, d) })
	excess := maxDepth - limit
	if excess <= 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	depth(func(z *html.Tokenizer, tt html.TokenType, d int, drop *bool) {
		switch {
		case tt == html.StartTagToken && drop != nil:
			if d >= flattenFrom && d < flattenFrom+excess {
				*drop = true
				return
			}
		case tt == html.EndTagToken && drop != nil && *drop:
			return
		}
		b.Write(z.Raw())
	})
	return b.String()
}

// textOnlyHTML keeps only the text of markup, one paragraph per run of text
// between block-level tags: the last resort for a page no parser accepts.
func textOnlyHTML(text string) string {
	z := html.NewTokenizer(strings.NewReader(text))
	var b strings.Builder
	b.WriteString("<html><body><div>")
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			b.WriteString("</div></body></html>")
			return b.String()
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tag := tok.Data; {
			case tag == "script" || tag == "style" || tag == "template" || tag == "noscript":
				if tok.Type == html.StartTagToken {
					skip++
				} else if tok.Type == html.EndTagToken && skip > 0 {
					skip--
				}
			case paragraphTags[tag] || tag == "br":
				b.WriteString("</p><p>")
			}
		case html.TextToken:
			if skip == 0 {
				b.WriteString(html.EscapeString(string(z.Text())))
			}
		}
	}
}

// dropRubyAnnotations removes the pronunciation guides of ruby text
// (<rt>, <rp>: the furigana of Japanese pages, pinyin or bopomofo on Chinese
// ones) and unwraps <ruby> and <rb>, so that "<ruby>子<rt>こ</rt></ruby>
// どもへの" reads "子どもへの" as the reader reads it. go-trafilatura, not
// knowing ruby, kept the guide and dropped the text after each ruby element
// ("子虐待" for "子どもへの虐待"). Only pages whose markup has "<ruby" are
// walked.
func dropRubyAnnotations(text string, root *html.Node) {
	if !strings.Contains(text, "<ruby") && !strings.Contains(text, "<RUBY") {
		return
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			if c.Type == html.ElementNode {
				switch c.Data {
				case "rt", "rp":
					n.RemoveChild(c)
				case "ruby", "rb":
					walk(c)
					for g := c.FirstChild; g != nil; g = c.FirstChild {
						c.RemoveChild(g)
						n.InsertBefore(g, c)
					}
					n.RemoveChild(c)
				default:
					walk(c)
				}
			}
			c = next
		}
	}
	walk(root)
}
