package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// This file removes the boilerplate that the article extractor keeps:
// picture captions and credits, "read more" links between paragraphs,
// newsletter and subscription boxes, bylines, advertising labels, hidden
// elements, copyright lines. It works on the paragraphs of the extractor's
// output, and judges each one by where the same text sits in the original
// page (a <figcaption>, a hidden element, a small box whose class says
// "related" or "newsletter", the page's navigation) and by a few phrases
// that only ever label boilerplate. It only removes: text the extractor
// dropped is never added back, and when it would remove more than
// maxCleanShare of the text it keeps the extractor's output as it was.

// maxCleanShare is the largest share of the extracted text the cleaner may
// remove. Above it the page is unusual (an article that is mostly a
// caption, a box mistaken for noise) and the extractor is trusted.
const maxCleanShare = 0.4

// boxShare: an element whose class says "related", "share", "comment"...
// is a box, not the article, only while it holds less than this share of
// the page's text (WordPress marks whole articles "comments-open").
const boxShare = 0.3

// maxBoxShare is the largest share of the extracted text that one box,
// chrome or hidden element may account for and still be taken out; an
// element above it holds the article. Set on go-trafilatura's evaluation
// pages (TestDevText), where boxes over it were articles (see clean).
const maxBoxShare = 0.4

// blockFlags say what kind of place a block of text sits in.
type blockFlags uint8

const (
	flagContent  blockFlags = 1 << iota // ordinary text
	flagCaption                         // <figcaption>, photo credit
	flagHidden                          // hidden, aria-hidden, display:none
	flagChrome                          // navigation, page header, footer, aside, form
	flagBox                             // a small box classed as related links, sharing, newsletter, ads...
	flagByline                          // a short block classed as byline, author, date
	flagLinkOnly                        // a block whose every word is a link
	flagHeading                         // a heading (<h2> to <h6>)
)

const flagsBoilerplate = flagCaption | flagHidden | flagChrome | flagBox | flagByline

var (
	rxHiddenStyle = regexp.MustCompile(`(?i)display\s*:\s*none|visibility\s*:\s*hidden`)
)

// pageBlocks records, for the text of every block in the original page,
// the kinds of place it was found in.
type pageBlocks struct {
	flags map[string]blockFlags
	// from is, for a block in a box, chrome or hidden element, the
	// innermost such element (see clean: a box that gave the extractor
	// most of its text is the article).
	from   map[string]*html.Node
	titles []string           // the headline as the page gives it (h1, og:title, <title>)
	sizes  map[*html.Node]int // bytes of text under each element
	total  int                // bytes of text in the page
	// marked holds the elements that make their text boilerplate: boxes,
	// captions, bylines, chrome and hidden elements.
	marked map[*html.Node]bool
}

// blockKey is how block texts are compared: letters and digits only,
// lower-cased, so that spacing and punctuation between inline elements do
// not matter. ASCII is handled byte by byte (the key of every block of a
// page is taken several times; the rune-by-rune loop was a tenth of
// extraction's CPU on a 30 KB English page).
func blockKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				b.WriteByte(c)
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// scanBlocks walks the page once and records where each block of text is.
func scanBlocks(root *html.Node, titles []string) *pageBlocks {
	pb := &pageBlocks{flags: map[string]blockFlags{}, from: map[string]*html.Node{}, titles: titles,
		marked: map[*html.Node]bool{}}
	sizes := map[*html.Node]int{}
	var size func(n *html.Node) int
	size = func(n *html.Node) int {
		if n.Type == html.TextNode {
			return len(strings.TrimSpace(n.Data))
		}
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "noscript" || n.Data == "template") {
			return 0
		}
		t := 0
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			t += size(c)
		}
		if n.Type == html.ElementNode {
			sizes[n] = t
		}
		return t
	}
	total := size(root)
	pb.sizes, pb.total = sizes, total
	// pageWrapper: a form, header or footer holding most of the page's
	// text wraps the page (ASP.NET pages put the body in one <form>; an
	// unclosed <header> takes in the article) and is not its chrome. Set
	// on go-trafilatura's evaluation pages (TestDevText), where such
	// wrappers had whole articles cut.
	pageWrapper := func(n *html.Node) bool { return total > 0 && 2*sizes[n] > total }
	classFlags := map[string]blockFlags{}
	var walk func(n *html.Node, f blockFlags, inArticle bool, src *html.Node)
	walk = func(n *html.Node, f blockFlags, inArticle bool, src *html.Node) {
		if n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return
		}
		if n.Type == html.ElementNode {
			var own blockFlags // the flags n itself gives its text
			switch n.Data {
			case "script", "style", "noscript", "template", "head":
				return
			case "article", "main":
				inArticle = true
			case "nav", "footer", "aside", "form", "menu", "button", "select":
				if !pageWrapper(n) {
					own |= flagChrome
				}
			case "header":
				if !inArticle && !pageWrapper(n) {
					own |= flagChrome
				}
			case "figcaption":
				own |= flagCaption
			}
			if hiddenElement(n) {
				own |= flagHidden
			}
			var class string
			for _, a := range n.Attr {
				switch a.Key {
				case "class", "id":
					class += " " + a.Val
				case "role":
					if a.Val == "main" {
						inArticle = true
					}
				case "itemprop":
					if strings.EqualFold(a.Val, "articleBody") {
						inArticle = true
					}
				}
			}
			if class != "" {
				// Pages repeat a few class names many times: match each once.
				cf, seen := classFlags[class]
				if !seen {
					if boxClass.match(class) {
						cf |= flagBox
					}
					if captionClass.match(class) {
						cf |= flagCaption
					}
					if bylineClass.match(class) {
						cf |= flagByline
					}
					classFlags[class] = cf
				}
				if cf&flagBox != 0 && (total == 0 || float64(sizes[n]) < boxShare*float64(total)) {
					own |= flagBox
				}
				if cf&flagCaption != 0 && sizes[n] < 400 {
					own |= flagCaption
				}
				if cf&flagByline != 0 && sizes[n] < 200 {
					own |= flagByline
				}
			}
			f |= own
			if own&(flagBox|flagChrome|flagHidden) != 0 {
				src = n
			}
			if own != 0 {
				pb.marked[n] = true
			}
			if paragraphTags[n.Data] && !hasBlockChild(n) {
				if k := blockKey(nodeText(n)); k != "" {
					if headingTags[n.Data] {
						pb.flags[k] |= flagHeading
					}
					if f&flagsBoilerplate == 0 && linkLineTags[n.Data] && linkOnly(n) {
						pb.flags[k] |= flagLinkOnly
					} else if f&flagsBoilerplate == 0 {
						pb.flags[k] |= flagContent
					} else {
						pb.flags[k] |= f
						if src != nil && pb.from[k] == nil {
							pb.from[k] = src
						}
					}
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, f, inArticle, src)
		}
	}
	walk(root, 0, false, nil)
	return pb
}

// Phrases that make up a whole paragraph only when it is boilerplate: "read
// more" link lines and the labels of link lists, advertising labels,
// sharing, rating and loading widgets, photo credits, newsletter prompts,
// copyright and editor credits. Collected from news sites in the languages
// we profile; checked on go-trafilatura's evaluation pages (TestDevText),
// where they remove boilerplate the library keeps and no wanted text.
var (
	rxReadMore       = regexp.MustCompile(`(?i)^(read more|read also|also read|read next|related|related stories|related articles|related coverage|see also|more on this story|more:|recommended|lire aussi|à lire aussi|a lire aussi|voir aussi|lesen sie auch|mehr zum thema|auch interessant|lee también|lea también|más información|te puede interesar|leia também|leggi anche|czytaj też|czytaj także|zobacz też|читайте также|по теме|смотрите также|相关阅读|相关新闻|延伸阅读|推荐阅读)\s*[:|»›>–—-]`)
	rxListLabel      = regexp.MustCompile(`(?i)^(read more|related( stories| articles| coverage| content)?|more (stories|news|from \S+( \S+)?)|recommended( for you| stories)?|you (may|might) also like|most (read|popular|viewed)|trending( now)?|popular now|further reading|weitere themen|weitere artikel|empfohlene (beiträge|artikel)|das könnte (sie|dich) auch interessieren|mehr zum thema|auch interessant|sur le même sujet|à lire aussi|les plus lus|más información|lo más leído|te puede interesar|czytaj (też|także)|dowiedz się więcej|по теме|читайте также|相关阅读|相关新闻)\s*:?$`)
	rxAdLabel        = regexp.MustCompile(`(?i)^(advertisement|advertising|sponsored|sponsored content|story continues below( advertisement)?|article continues below( advertisement)?|continue reading below|scroll to continue|publicité|la suite après cette publicité|anzeige|werbung|artikel wird unter der anzeige fortgesetzt|publicidad|continúa leyendo|реклама|продолжение после рекламы|广告)[.:]?$`)
	rxWidget         = regexp.MustCompile(`(?i)^(share( this( article| story| page)?)?( on \S+)?|share via|teilen( mit)?|artikel teilen|partager( cet article)?|compartir( en \S+)?|поделиться|分享到?|like this|gefällt mir|j'aime ça|loading\.*|wird geladen( …|\.\.\.)?|chargement…?|cargando\.*|rate this( article)?|bewerten|artikel bewerten|print( this)?( article| page)?|drucken|imprimer|imprimir|email( this)?( article)?|bild anzeigen|view (image|gallery|photos?)|zoom)\s*:?$`)
	rxPhotoCredit    = regexp.MustCompile(`(?i)^(photo(graph)?s?|pictures?|images?|credits?|crédits? photos?|photo credit|bildquelle|bild|fotos?|titelbild|beitragsbild|quelle|foto de|фото|图片来源|图)\s*[:：]`)
	rxNewsletter     = regexp.MustCompile(`(?i)newsletter|sign(ing)? up|subscribe|abonnier|anmelden|inscri|suscr|подпис`)
	rxNewsletterCall = regexp.MustCompile(`(?i)newsletter|inbox|e-?mail|free|gratis|kostenlos|gratuit`)
	rxLegal          = regexp.MustCompile(`(?i)^(©|copyright\s*(©|\(c\)|\d{4})|\(c\)\s*\d{4})|all rights reserved|版权所有|icp备|责任编辑|\(责编|（责编|【纠错】|编辑：|tous droits réservés|alle rechte vorbehalten|todos los derechos reservados|все права защищены`)
)

// boilerplatePhrase reports whether a whole paragraph is a label that never
// belongs to an article's text.
func boilerplatePhrase(p string, nearEnd bool) bool {
	n := utf8.RuneCountInString(p)
	if n > 200 {
		return false
	}
	if rxAdLabel.MatchString(p) || rxReadMore.MatchString(p) || rxListLabel.MatchString(p) || rxWidget.MatchString(p) {
		return true
	}
	if n <= 120 && rxPhotoCredit.MatchString(p) {
		return true
	}
	if n <= 150 && rxNewsletter.MatchString(p) && rxNewsletterCall.MatchString(p) {
		return true
	}
	if strings.HasPrefix(p, "©") || (n <= 120 && strings.Contains(strings.ToLower(p), "all rights reserved")) {
		return true
	}
	return nearEnd && rxLegal.MatchString(p)
}

// clean removes the headline, bylines, datelines and boilerplate from the
// extractor's paragraphs.
func (pb *pageBlocks) clean(paras []string) []string {
	paras = dropTitle(paras, pb.titles)
	total := 0
	for _, p := range paras {
		total += len(p)
	}
	// A box, chrome or hidden element that would lose more than
	// maxBoxShare of the extracted text is where the extractor found the
	// article ("commentary", "paywall", "share-update" classes; an
	// article inside an <aside>; text shown by a script), not a box.
	fromLen := map[*html.Node]int{}
	for _, p := range paras {
		k := blockKey(p)
		if f := pb.flags[k]; f&flagContent == 0 && f&(flagBox|flagChrome|flagHidden) != 0 && pb.from[k] != nil {
			fromLen[pb.from[k]] += len(p)
		}
	}
	kept := make([]string, 0, len(paras))
	removed := 0
	for i, p := range paras {
		drop := false
		k := blockKey(p)
		if f, ok := pb.flags[k]; ok && f&flagContent == 0 {
			if src := pb.from[k]; src != nil && float64(fromLen[src]) > maxBoxShare*float64(total) {
				f &^= flagBox | flagChrome | flagHidden
			}
			// A block classed as a byline is only one if it reads like one.
			drop = f&(flagsBoilerplate&^flagByline) != 0 || (f&flagByline != 0 && looksLikeByline(p)) ||
				f&flagLinkOnly != 0
		}
		if !drop && boilerplatePhrase(p, i >= len(paras)-3) {
			drop = true
		}
		if !drop && (i < 4 || i >= len(paras)-3) && isDateline(p) {
			drop = true
		}
		if drop {
			removed += len(p)
			continue
		}
		kept = append(kept, p)
	}
	// A heading introduces what follows it; one left at the end of the
	// text introduced what was cut or never extracted (a list of other
	// stories, the comments, a newsletter box) and goes with it, unless it
	// is a sentence. Set on go-trafilatura's evaluation pages (TestDevText):
	// 4 unwanted snippets fewer, no wanted one lost, P/R/F1 0.9301/0.9288/
	// 0.9294 -> 0.9313/0.9288/0.9301, halves 0.9284 -> 0.9293 and 0.9305 ->
	// 0.9308; go-readability's test pages (TestDevReadability) unchanged.
	for len(kept) > 1 && pb.flags[blockKey(kept[len(kept)-1])]&flagHeading != 0 && !sentenceEnd(kept[len(kept)-1]) {
		removed += len(kept[len(kept)-1])
		kept = kept[:len(kept)-1]
	}
	if total > 0 && float64(removed) > maxCleanShare*float64(total) {
		return paras
	}
	return kept
}

// sentenceEnd reports whether p ends as a sentence does (a full stop or
// an exclamation mark, before any closing quote).
func sentenceEnd(p string) bool {
	p = strings.TrimRight(p, "\"'”’»)")
	last, _ := utf8.DecodeLastRuneInString(p)
	return strings.ContainsRune(".!。！", last)
}

// headingTags are the section headings inside an article (the <h1> is its
// headline, see dropTitle).
var headingTags = map[string]bool{"h2": true, "h3": true, "h4": true, "h5": true, "h6": true}

// linkLineTags are the blocks that, made of one link, are a link to
// another page set between an article's paragraphs ("Read more: <a>Other
// story</a>"), not its text. List items are left alone (a list of links
// can be the article's references), and so are headings (a heading may
// link its own section). Set on go-trafilatura's evaluation pages
// (TestDevText): P/R/F1 0.923/0.910/0.917 -> 0.928/0.908/0.918, halves
// 0.916 -> 0.918 and 0.917 -> 0.918; the own corpus unchanged (0.983).
var linkLineTags = map[string]bool{"p": true, "div": true, "section": true, "blockquote": true, "dd": true}

// linkOnly reports whether a block is a link line: every letter is inside
// a link, except a short label before the first link that ends with a
// colon ("Read more:", "PUEDES VER:", "Lesen Sie auch:"). Only <a href>
// is a link: an <a name> anchor around a paragraph marks a place in the
// article, not another page. A block whose text is a web or e-mail
// address is the address the article gives its reader, not a teaser for
// another story. Set on go-trafilatura's evaluation pages (TestDevText),
// where both kinds were cut from pages whose gold keeps them.
func linkOnly(n *html.Node) bool {
	var label strings.Builder
	seenLink := false
	var walk func(n *html.Node, inLink bool) bool
	walk = func(n *html.Node, inLink bool) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				if !inLink && strings.ContainsFunc(c.Data, unicode.IsLetter) {
					if seenLink {
						return false
					}
					label.WriteString(c.Data)
				}
			case html.ElementNode:
				if c.Data == "script" || c.Data == "style" {
					continue
				}
				link := c.Data == "a" && hasAttr(c, "href")
				if link && strings.ContainsFunc(nodeText(c), unicode.IsLetter) {
					seenLink = true
				}
				if !walk(c, inLink || link) {
					return false
				}
			}
		}
		return true
	}
	if !walk(n, false) || !seenLink {
		return false
	}
	l := strings.TrimSpace(label.String())
	if l != "" && (utf8.RuneCountInString(l) > 30 || !strings.HasSuffix(l, ":")) {
		return false
	}
	return !rxAddressLine.MatchString(strings.TrimSpace(nodeText(n)))
}

// rxAddressLine matches a block that is one web or e-mail address.
var rxAddressLine = regexp.MustCompile(`^(?i:(https?://|www\.)\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+)$`)

// hasAttr reports whether an element has the attribute key.
func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// looksLikeByline: short, and either no sentence or a date or byline word.
func looksLikeByline(p string) bool {
	if strings.Contains(p, "\n") {
		return isDateline(p)
	}
	if utf8.RuneCountInString(p) > 100 {
		return false
	}
	if _, ok := parseTextDate(p); ok || rxBylineStart.MatchString(p) {
		return true
	}
	return !strings.ContainsAny(p, ".!?。！？")
}

// dropTitle removes the headline, and short labels above it ("Press
// release"), from the first paragraphs.
func dropTitle(paras, titles []string) []string {
	keys := map[string]bool{}
	for _, t := range titles {
		if k := blockKey(t); k != "" {
			keys[k] = true
		}
	}
	for i := 0; i < len(paras) && i < 3; i++ {
		if keys[blockKey(paras[i])] {
			return paras[i+1:]
		}
		if utf8.RuneCountInString(paras[i]) > 60 || strings.ContainsAny(paras[i], ".!?。！？") {
			break
		}
	}
	return paras
}

// hiddenElement reports whether an element is hidden from the reader.
func hiddenElement(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			if rxHiddenStyle.MatchString(a.Val) {
				return true
			}
		}
	}
	return false
}
