package extract

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// This file puts back article text that the extractor dropped from the
// middle of an article: prose written straight into a <div> between
// headings, lists and tables (blog engines do this), quotations and other
// blocks the extractor's tag rules do not keep. It walks the page's visible
// text in reading order, finds the extracted paragraphs in it, and takes in
// a block that lies between two of them when it reads like prose: long
// enough, with a sentence in it, not mostly links, said once on the page,
// outside navigation, noise boxes, hidden elements and figures, and no
// deeper in the page's structure than the paragraphs beside it (see near).
// Before the first extracted paragraph it takes only the prose right above
// it, with no other block between (the lead or first paragraph set apart
// from the rest); after the last it takes nothing: that is where bylines,
// teasers and comment threads sit. The thresholds below were set on
// go-readability's test pages (TestDevReadability: recall 0.944 -> 0.948,
// precision 0.948 unchanged, F1 0.946 -> 0.948, both halves up) and checked
// on go-trafilatura's evaluation pages (TestDevText: F1 0.921 -> 0.923,
// both halves up; the once-on-the-page and nesting tests took out 8
// unwanted snippets for 5 wanted ones; the prose above the first paragraph
// found 7 more wanted snippets and no unwanted one) and on our own corpus
// (unchanged).

// flowBlock is one block of a page's visible text in reading order.
type flowBlock struct {
	text string
	key  string // blockKey(text)
	link int    // bytes of the text inside links
	// node is the innermost block element the text is in: the paragraph,
	// or the container it is written straight into.
	node *html.Node
	// media: a picture, video or embed comes right before the block; a
	// short block there is its caption.
	media bool
}

// gapMinBytes is the shortest block put back (in bytes, see gapProse):
// shorter blocks between paragraphs are labels, credits and buttons more
// often than text.
const gapMinBytes = 60

// gapCaptionBytes: a block under this length right after a picture is
// taken for its caption.
const gapCaptionBytes = 200

// maxGapShare bounds what fillGaps adds, as a share of the extracted text.
const maxGapShare = 0.5

// pageFlow lists the visible blocks of the page under n in reading order
// (table cells joined as renderBlocks does), without figures, the elements
// scanBlocks marked (boxes, captions, bylines, chrome, hidden), and small
// noise-classed elements.
func (pb *pageBlocks) pageFlow(n *html.Node) []flowBlock {
	var out []flowBlock
	var cur strings.Builder
	link := 0
	media := false
	var open []*html.Node // the block elements walked into
	flush := func() {
		if t := strings.TrimSpace(cleanLines(cur.String())); t != "" {
			b := flowBlock{text: t, key: blockKey(t), link: link, media: media}
			if len(open) > 0 {
				b.node = open[len(open)-1]
			}
			out = append(out, b)
			media = false
		}
		cur.Reset()
		link = 0
	}
	inLink := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			t := strings.Map(func(r rune) rune {
				if r == '\n' || r == '\r' || r == '\t' || r == '\f' {
					return ' '
				}
				return r
			}, n.Data)
			cur.WriteString(t)
			if inLink > 0 {
				link += len(strings.TrimSpace(t))
			}
			return
		case html.ElementNode:
			switch n.Data {
			case "img", "picture", "video", "iframe", "figure", "object", "embed":
				flush()
				media = true
				return
			case "script", "style", "noscript", "template", "svg", "head", "figcaption",
				"audio", "select", "textarea", "input", "annotation":
				return
			case "br":
				cur.WriteString("\n")
				return
			case "td", "th":
				cur.WriteString(" ")
			}
			// Chrome and noise boxes, unless they hold most of the page
			// (an ASP.NET <form> around everything, a blog's main
			// "widget"; see scanBlocks). A paragraph is not a box: its
			// noise-like class or id is a generated one ("NavzzU" on a
			// go-readability test page, recall 0.957 -> 0.994; the set's
			// half 0 F1 0.965 -> 0.966, TestDevText unchanged).
			small := float64(pb.sizes[n]) < boxShare*float64(pb.total)
			if pb.marked[n] || hiddenElement(n) || small && (chromeTags[n.Data] || n.Data != "p" && isNoiseElement(n)) {
				flush()
				return
			}
		}
		block := n.Type == html.ElementNode && paragraphTags[n.Data]
		if block {
			flush()
			open = append(open, n)
		}
		isLink := n.Type == html.ElementNode && n.Data == "a" && hasAttr(n, "href")
		if isLink {
			inLink++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if isLink {
			inLink--
		}
		if block {
			flush()
			open = open[:len(open)-1]
		}
	}
	walk(n)
	flush()
	return out
}

// fillGaps returns paras with the prose blocks of flow that lie between
// two of paras in the page put back in their place.
func fillGaps(flow []flowBlock, paras []string) []string {
	if len(paras) < 2 || len(flow) == 0 {
		return paras
	}
	var all strings.Builder
	ends := make([]int, len(paras)) // ends[i]: offset in all after paras[i]'s key
	for i, p := range paras {
		all.WriteString(blockKey(p))
		ends[i] = all.Len()
	}
	text := all.String()
	paraAt := func(off int) int {
		for i, e := range ends {
			if off < e {
				return i
			}
		}
		return len(paras) - 1
	}
	// Text the page repeats (a price line, a consent notice on every
	// embed) is its template, not the article.
	count := make(map[string]int, len(flow))
	for _, b := range flow {
		count[b.key]++
	}
	insert := map[int][]string{} // after paras[i]
	last := -1                   // the paragraph the last anchor block is in
	var lastNode *html.Node      // and that block's element
	var pending []flowBlock
	var lead []flowBlock // prose right above the first paragraph, no other block between
	var leadIn []string
	leadAt := -1
	var seen map[string]bool // the extracted text's word 4-grams
	between := 0             // bytes of prose found between the paragraphs
	for _, b := range flow {
		if len(b.key) < 12 {
			continue // too short to place
		}
		if off := strings.Index(text, b.key); off >= 0 {
			at := paraAt(off)
			if last < 0 {
				for _, c := range lead {
					if near(c.node, b.node, gapNesting) {
						leadAt = at
						leadIn = append(leadIn, c.text)
					}
				}
				lead = nil
			}
			if last >= 0 && at >= last {
				for _, c := range pending {
					between += len(c.text)
					// Beside the article's paragraphs in the page's
					// structure, not in a box nested below them.
					if near(c.node, lastNode, gapNesting) || near(c.node, b.node, gapNesting) {
						insert[last] = append(insert[last], c.text)
					}
				}
			}
			pending = pending[:0]
			if at >= last {
				last, lastNode = at, b.node
			}
			continue
		}
		if count[b.key] > 1 || !gapProse(b) {
			lead = nil
			continue
		}
		// Lines of the block (<br>) that the extractor has, whole or in
		// part, are not put back twice.
		if seen == nil {
			seen = wordGrams(strings.Join(paras, "\n"), nil)
		}
		var keep []string
		for _, line := range strings.Split(b.text, "\n") {
			if !extracted(line, seen) {
				keep = append(keep, line)
			}
		}
		if len(keep) == 0 {
			continue
		}
		if t := strings.Join(keep, "\n"); t != b.text {
			b.text = t
			if !gapProse(b) {
				continue
			}
		}
		if last < 0 {
			lead = append(lead, b)
			continue
		}
		pending = append(pending, b)
	}
	if len(insert) == 0 && len(leadIn) == 0 {
		return paras
	}
	// More prose between the paragraphs than half of what the extractor
	// found: the page is an index of teasers or the extractor took one
	// box of many; it is left as it was.
	if float64(between) > maxGapShare*float64(len(text)) {
		return paras
	}
	out := make([]string, 0, len(paras)+len(insert))
	for i, p := range paras {
		if i == leadAt {
			out = append(out, leadIn...)
		}
		out = append(out, p)
		out = append(out, insert[i]...)
	}
	return out
}

// gapProse reports whether a block between two extracted paragraphs reads
// like the article's prose.
func gapProse(b flowBlock) bool {
	n := len(b.text) // bytes: a CJK character (3 bytes) says about as much as three Latin letters
	if n < gapMinBytes || 2*b.link > len(b.text) || (b.media && n < gapCaptionBytes) {
		return false
	}
	if !strings.ContainsAny(b.text, ".!?:;。！？") {
		return false
	}
	return !boilerplatePhrase(b.text, false)
}

// wordGrams adds the 4-word sequences of s (lower-cased letters and digits)
// to set, and returns it.
func wordGrams(s string, set map[string]bool) map[string]bool {
	if set == nil {
		set = map[string]bool{}
	}
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for i := 0; i+4 <= len(words); i++ {
		set[strings.Join(words[i:i+4], " ")] = true
	}
	return set
}

// extracted reports whether a fifth or more of a line's 4-word sequences
// are in the extracted text: the extractor kept it, or part of it.
func extracted(line string, seen map[string]bool) bool {
	g := wordGrams(line, nil)
	hit := 0
	for k := range g {
		if seen[k] {
			hit++
		}
	}
	return hit > 0 && 5*hit >= len(g)
}

// gapNesting is how many levels apart a block put back and an extracted
// paragraph beside it may each be from their nearest common element:
// prose written into a container next to a list (container, ol, li) is
// two; a fact box's paragraph (box body, box, container) is three.
const gapNesting = 2

// near reports whether two block elements are within levels levels of
// their nearest common element.
func near(a, b *html.Node, levels int) bool {
	if a == nil || b == nil {
		return false
	}
	up := map[*html.Node]int{}
	d := 0
	for n := a; n != nil && d <= levels; n = n.Parent {
		up[n] = d
		d++
	}
	d = 0
	for n := b; n != nil && d <= levels; n = n.Parent {
		if _, ok := up[n]; ok {
			return true
		}
		d++
	}
	return false
}
