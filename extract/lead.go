package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// leadClass: the standfirst (lead, intro, dek) that news pages set between
// the headline and the body, often in its own element that the article
// extractor leaves out. "perex" is the Czech and Slovak word (a
// go-readability test page: recall 0.918 -> 0.973).
var leadClass = &classWords{
	subs:  []string{"standfirst", "strapline", "chapo", "chapeau", "vorspann", "entradilla", "bajada", "perex"},
	words: []string{"lead", "lede", "intro", "dek", "sapo"},
}

// standfirst returns the page's lead paragraph when the extractor's
// paragraphs leave it out: the first element classed as a lead after the
// headline (<h1>) and before the first extracted paragraph, outside
// navigation, noise boxes and hidden elements, holding only text (see
// onlyText), 40 to 600 characters long. A standfirst written as a list
// (a live page's key points) comes back one paragraph per item.
// Benchmarks' gold text (go-trafilatura's evaluation pages among them)
// includes the lead; our own fixture gold did not.
func standfirst(root *html.Node, paras []string) []string {
	if len(paras) == 0 {
		return nil
	}
	keys := make(map[string]bool, len(paras))
	var all strings.Builder
	for _, p := range paras {
		k := blockKey(p)
		keys[k] = true
		all.WriteString(k)
	}
	var lead []string
	seenH1, done := false, false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil && !done; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.Data {
			case "script", "style", "noscript", "template", "head", "nav", "footer", "aside", "form", "figure", "figcaption":
				continue
			case "h1":
				seenH1 = true
				continue
			}
			if isNoiseElement(c) || hiddenElement(c) {
				continue
			}
			if seenH1 && lead == nil && (leadClass.match(attr(c, "class")) || leadClass.match(attr(c, "id"))) && onlyText(c) {
				t := cleanSpace(nodeText(c))
				if n := utf8.RuneCountInString(t); n >= 40 && n <= 600 {
					if k := blockKey(t); k != "" && !strings.Contains(all.String(), k) {
						lead = renderExtracted(c)
					}
				}
				continue
			}
			// The first extracted paragraph; a block without letters or
			// digits matches nothing (an empty key once matched a
			// whitespace-only <div> above the headline).
			if paragraphTags[c.Data] && !hasBlockChild(c) {
				if k := blockKey(nodeText(c)); k != "" && keys[k] {
					done = true
					return
				}
			}
			walk(c)
		}
	}
	walk(root)
	if !done {
		return nil
	}
	return lead
}

// onlyText reports whether an element holds text only: no picture, video
// or time stamp, and no caption or byline (a header block classed "lead"
// that holds the lead picture, or the standfirst with the byline, is
// looked into instead).
func onlyText(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.Data {
		case "img", "picture", "figure", "figcaption", "video", "audio", "iframe", "time", "address":
			return false
		}
		if cl := attr(c, "class"); captionClass.match(cl) || bylineClass.match(cl) {
			return false
		}
		if !onlyText(c) {
			return false
		}
	}
	return true
}
