package extract

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// DateSource says where a Published date was found.
type DateSource string

// Date sources, from the most to the least trustworthy in general. "fetched"
// and "import" are set by the crawler and the importer, never by HTML.
const (
	SourceJSONLD  DateSource = "json-ld"
	SourceMeta    DateSource = "meta"
	SourceTime    DateSource = "time"
	SourceURL     DateSource = "url"
	SourceText    DateSource = "text"
	SourceFeed    DateSource = "feed"
	SourceFetched DateSource = "fetched"
	SourceImport  DateSource = "import"
)

// Confidence of each kind of evidence before cross-checking.
const (
	confJSONLD    = 0.95
	confMeta      = 0.9
	confTimePub   = 0.85 // <time> marked as the publication date
	confURLDay    = 0.75
	confTimeFirst = 0.7 // first <time> in the article, unmarked
	confText      = 0.6 // visible date in the byline near the title
	confURLMonth  = 0.55
	confFeed      = 0.5

	// Penalties when independent evidence disagrees by more than disagreeAfter.
	penaltyURL    = 0.25
	penaltyFeed   = 0.1
	disagreeAfter = 3 * 24 * time.Hour
)

// Dates outside [minDate, now+maxAhead] are typos, placeholders or countdowns.
var minDate = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)

const maxAhead = 48 * time.Hour

type dateEvidence struct {
	t    time.Time
	src  DateSource
	conf float64
	// monthOnly marks a URL like /2024/04/ that says nothing about the day.
	monthOnly bool
}

// dateResult is what the date layer found in one page.
type dateResult struct {
	published dateEvidence
	modified  time.Time
}

// publishedMeta lists <meta> names/properties/itemprops that carry the
// publication date, lower-cased.
var publishedMeta = map[string]bool{
	"article:published_time": true, "og:published_time": true, "og:article:published_time": true,
	"article:published": true, "dc.date.issued": true, "dcterms.issued": true, "dc.date.created": true,
	"dcterms.created": true, "dc.date": true, "dcterms.date": true, "pubdate": true, "publishdate": true,
	"publish-date": true, "publish_date": true, "publication_date": true, "publication-date": true,
	"date": true, "parsely-pub-date": true, "sailthru.date": true, "datepublished": true,
	"article.published": true, "published-date": true, "published_time": true, "cxenseparse:recs:publishtime": true,
	"original-publish-date": true, "citation_publication_date": true, "citation_date": true,
	"govuk:first-published-at": true,
}

var modifiedMeta = map[string]bool{
	"article:modified_time": true, "og:updated_time": true, "og:modified_time": true,
	"article:modified": true, "dc.date.modified": true, "dcterms.modified": true, "datemodified": true,
	"last-modified": true, "lastmod": true, "modified-date": true, "updated_time": true,
	"article.updated": true, "parsely-updated": true,
	"govuk:updated-at": true, "govuk:public-updated-at": true,
}

// articleTypes are JSON-LD @types whose datePublished is the page's own.
var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "blogposting": true, "reportagenews": true,
	"analysisnewsarticle": true, "opinionnewsarticle": true, "reviewnewsarticle": true,
	"backgroundnewsarticle": true, "askpublicnewsarticle": true, "scholarlyarticle": true,
	"techarticle": true, "report": true, "liveblogposting": true, "socialmediaposting": true,
	"pressrelease": true,
}

// rxNoise matches class/id values of boxes whose dates are not the page's:
// related stories, sidebars, comments, footers, navigation, promos.
var rxNoise = regexp.MustCompile(`(?i)related|sidebar|comment|footer|(^|[^a-z])nav|menu|recommend|more-?(stories|news|from)|most-?(read|popular|viewed)|trending|promo|newsletter|share|social|widget|teaser|also-?read|read-?more|outbrain|taboola|breadcrumb|masthead|site-?header|reply|respond|disqus|popular|latest|ticker|cookie|banner|advert`)

var noiseTags = map[string]bool{"aside": true, "footer": true, "nav": true, "form": true}

var (
	rxUpdated   = regexp.MustCompile(`(?i)(last\s+)?(updated|modified|amended|revised)|mis\s+à\s+jour|actualisé|aktualisiert|geändert|actualizado|aggiornato|atualizado|bijgewerkt|更新`)
	rxPublished = regexp.MustCompile(`(?i)^\s*(published|posted|first published|publié|veröffentlicht|publicado|pubblicato|gepubliceerd|发布|公開|発表)`)
	rxPubBefore = regexp.MustCompile(`(?i)(published|posted|publié|veröffentlicht|publicado|pubblicato)(\s+(on|le|am|el|il))?[\s:]*$`)
	rxPubClass  = regexp.MustCompile(`(?i)pubdate|published|publish|posted|date-?pub|created`)
	rxModClass  = regexp.MustCompile(`(?i)updated|modified|lastmod`)
)

// findDates gathers date evidence from a parsed page and picks the
// publication date. main is the article's root (or the body).
func findDates(doc *goquery.Document, main *goquery.Selection, pageURL string, feed, now time.Time) dateResult {
	var cands []dateEvidence
	var modified []time.Time
	ok := func(t time.Time) bool {
		return !t.IsZero() && !t.Before(minDate) && !t.After(now.Add(maxAhead))
	}
	add := func(t time.Time, src DateSource, conf float64, monthOnly bool) {
		if ok(t) {
			cands = append(cands, dateEvidence{t: t, src: src, conf: conf, monthOnly: monthOnly})
		}
	}
	addMod := func(t time.Time) {
		if ok(t) {
			modified = append(modified, t)
		}
	}

	// JSON-LD.
	if pub, mod := jsonLDDates(doc); !pub.IsZero() || !mod.IsZero() {
		add(pub, SourceJSONLD, confJSONLD, false)
		addMod(mod)
	}

	// <meta>: the first publication meta wins; pages often repeat it.
	var metaPub, metaMod time.Time
	doc.Find("meta").Each(func(_ int, s *goquery.Selection) {
		key := ""
		for _, a := range []string{"property", "name", "itemprop", "http-equiv"} {
			if v, has := s.Attr(a); has && v != "" {
				key = strings.ToLower(strings.TrimSpace(v))
				break
			}
		}
		if key == "" {
			return
		}
		content, _ := s.Attr("content")
		switch {
		case publishedMeta[key] && metaPub.IsZero():
			if isNoise(s.Nodes[0]) {
				return
			}
			if t, good := parseDate(content); good && ok(t) {
				metaPub = t
			}
		case modifiedMeta[key] && metaMod.IsZero():
			if t, good := parseDate(content); good && ok(t) {
				metaMod = t
			}
		}
	})
	add(metaPub, SourceMeta, confMeta, false)
	addMod(metaMod)

	// <time> elements outside noise boxes: a marked publication time first,
	// else the first unmarked one inside the article.
	var timePub, timeFirst time.Time
	doc.Find("time, [itemprop=datePublished], [itemprop=dateModified]").Each(func(_ int, s *goquery.Selection) {
		n := s.Nodes[0]
		if n.Data == "meta" || isNoise(n) {
			return
		}
		raw, has := s.Attr("datetime")
		if !has {
			raw, has = s.Attr("content")
		}
		if !has {
			raw = s.Text()
		}
		t, good := parseDate(raw)
		if !good {
			t, good = parseTextDate(raw)
		}
		if !good || !ok(t) {
			return
		}
		switch timeRole(s, n) {
		case roleModified:
			addMod(t)
		case rolePublished:
			if timePub.IsZero() {
				timePub = t
			}
		default:
			if n.Data == "time" && timeFirst.IsZero() && contains(main, n) {
				timeFirst = t
			}
		}
	})
	add(timePub, SourceTime, confTimePub, false)
	add(timeFirst, SourceTime, confTimeFirst, false)

	// The URL path.
	if t, monthOnly, good := urlDate(pageURL); good {
		if monthOnly {
			add(t, SourceURL, confURLMonth, true)
		} else {
			add(t, SourceURL, confURLDay, false)
		}
	}

	// A visible byline date near the title.
	if pub, mod := bylineDates(main); !pub.IsZero() || !mod.IsZero() {
		add(pub, SourceText, confText, false)
		addMod(mod)
	}

	add(feed, SourceFeed, confFeed, false)

	var res dateResult
	for _, c := range cands {
		if c.conf > res.published.conf {
			res.published = c
		}
	}
	res.published = crossCheck(refineTime(res.published, cands), cands)
	for _, m := range modified {
		if m.After(res.modified) {
			res.modified = m
		}
	}
	// A "modified" date at or before publication is the CMS repeating itself.
	if !res.published.t.IsZero() && !res.modified.After(res.published.t) {
		res.modified = time.Time{}
	}
	return res
}

type role int

const (
	roleUnknown role = iota
	rolePublished
	roleModified
)

// timeRole decides whether a <time> (or itemprop element) is the
// publication date, the modification date, or unmarked. The element's own
// markup wins over its parent's, which wins over the words before it.
// WordPress marks an unedited post's date "published updated": that is a
// publication date.
func timeRole(s *goquery.Selection, n *html.Node) role {
	switch strings.ToLower(s.AttrOr("itemprop", "")) {
	case "datepublished":
		return rolePublished
	case "datemodified":
		return roleModified
	}
	if _, ok := s.Attr("pubdate"); ok {
		return rolePublished
	}
	for _, class := range []string{s.AttrOr("class", ""), s.Parent().AttrOr("class", "")} {
		switch {
		case rxPubClass.MatchString(class):
			return rolePublished
		case rxModClass.MatchString(class):
			return roleModified
		}
	}
	before := precedingText(n, 40)
	if rxPubBefore.MatchString(before) {
		return rolePublished
	}
	if rxUpdated.MatchString(before) {
		return roleModified
	}
	return roleUnknown
}

// refineTime gives a winner that knows only the day (a URL or a dateline:
// midnight UTC) the time of day from other evidence that agrees on the day,
// such as a <time datetime> or the feed's date; the agreement also makes it
// the more trustworthy of the two.
func refineTime(w dateEvidence, cands []dateEvidence) dateEvidence {
	if w.t.IsZero() || !dayOnly(w.t) {
		return w
	}
	for _, c := range cands {
		if c.monthOnly || c.t.IsZero() || dayOnly(c.t) {
			continue
		}
		if c.t.Format(time.DateOnly) == w.t.UTC().Format(time.DateOnly) {
			return dateEvidence{t: c.t, src: c.src, conf: max(w.conf, c.conf)}
		}
	}
	return w
}

func dayOnly(t time.Time) bool {
	t = t.UTC()
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0
}

// crossCheck lowers the confidence of the chosen date when the URL or the
// feed tells a different story. Structured data is still preferred: URL
// dates are sometimes the date a story was first filed, feeds re-date items.
func crossCheck(w dateEvidence, cands []dateEvidence) dateEvidence {
	if w.t.IsZero() {
		return w
	}
	penalised := map[DateSource]bool{}
	for _, c := range cands {
		if c.src == w.src || penalised[c.src] {
			continue
		}
		var disagree bool
		if c.monthOnly {
			y, m, _ := w.t.UTC().Date()
			cy, cm, _ := c.t.Date()
			disagree = y != cy || m != cm
		} else {
			d := w.t.Sub(c.t)
			disagree = d > disagreeAfter || d < -disagreeAfter
		}
		if !disagree {
			continue
		}
		switch c.src {
		case SourceURL:
			w.conf -= penaltyURL
			penalised[c.src] = true
		case SourceFeed:
			w.conf -= penaltyFeed
			penalised[c.src] = true
		}
	}
	if w.conf < 0.1 {
		w.conf = 0.1
	}
	w.conf = float64(int(w.conf*100+0.5)) / 100
	return w
}

// jsonLDDates returns datePublished/dateModified of the page's own
// article-like object in JSON-LD, ignoring comments, reviews and the like.
func jsonLDDates(doc *goquery.Document) (pub, mod time.Time) {
	var fallbackPub, fallbackMod time.Time
	doc.Find(`script[type="application/ld+json"]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		var v any
		if err := json.Unmarshal([]byte(s.Text()), &v); err != nil {
			return true
		}
		for _, obj := range jsonLDObjects(v) {
			p, _ := parseDate(jsonString(obj["datePublished"]))
			if p.IsZero() {
				p, _ = parseDate(jsonString(obj["dateCreated"]))
			}
			m, _ := parseDate(jsonString(obj["dateModified"]))
			if p.IsZero() && m.IsZero() {
				continue
			}
			if isArticleType(obj["@type"]) {
				pub, mod = p, m
				return false
			}
			if fallbackPub.IsZero() && fallbackMod.IsZero() {
				fallbackPub, fallbackMod = p, m
			}
		}
		return true
	})
	if pub.IsZero() && mod.IsZero() {
		return fallbackPub, fallbackMod
	}
	return pub, mod
}

// jsonLDObjects lists the top-level objects of a JSON-LD value, including
// @graph members and mainEntity, but not nested comments or citations.
func jsonLDObjects(v any) []map[string]any {
	var out []map[string]any
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 3 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			out = append(out, x)
			if g, has := x["@graph"]; has {
				walk(g, depth+1)
			}
			if m, has := x["mainEntity"]; has {
				walk(m, depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}

func isArticleType(v any) bool {
	switch x := v.(type) {
	case string:
		return articleTypes[strings.ToLower(x)]
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && articleTypes[strings.ToLower(s)] {
				return true
			}
		}
	}
	return false
}

func jsonString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		if len(x) > 0 {
			return jsonString(x[0])
		}
	case map[string]any:
		return jsonString(x["@value"])
	}
	return ""
}

// isNoise reports whether n sits in a box whose dates are not the page's.
func isNoise(n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p.Type != html.ElementNode {
			continue
		}
		if noiseTags[p.Data] {
			return true
		}
		if p.Data == "body" || p.Data == "html" {
			return false
		}
		for _, a := range p.Attr {
			if (a.Key == "class" || a.Key == "id") && rxNoise.MatchString(a.Val) {
				return true
			}
		}
	}
	return false
}

func contains(sel *goquery.Selection, n *html.Node) bool {
	if sel == nil || len(sel.Nodes) == 0 {
		return false
	}
	root := sel.Nodes[0]
	for p := n; p != nil; p = p.Parent {
		if p == root {
			return true
		}
	}
	return false
}

// precedingText returns up to max bytes of text just before n in document
// order, so that "Updated: <time>" can be recognised.
func precedingText(n *html.Node, max int) string {
	var parts []string
	total := 0
	for cur := n; cur != nil && total < max; {
		if cur.PrevSibling != nil {
			cur = cur.PrevSibling
			t := nodeText(cur)
			parts = append([]string{t}, parts...)
			total += len(t)
			continue
		}
		cur = cur.Parent
		if cur == nil || cur.Data == "body" {
			break
		}
	}
	s := strings.Join(parts, " ")
	if len(s) > max {
		s = s[len(s)-max:]
	}
	return s
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// Machine-readable date layouts seen in meta tags, JSON-LD and datetime=.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"20060102",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	time.RFC850,
	time.ANSIC,
}

// parseDate parses a machine-readable date. A date without a time of day is
// midnight UTC; a time without a zone is taken as UTC; a given zone is kept.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// months maps month names and abbreviations in the profiled languages.
var months = func() map[string]time.Month {
	out := make(map[string]time.Month)
	for m, names := range map[time.Month][]string{
		time.January:   {"january", "jan", "janvier", "janv", "januar", "jän", "jänner", "enero", "ene", "gennaio", "gen", "janeiro", "januari"},
		time.February:  {"february", "feb", "février", "fevrier", "févr", "fév", "februar", "febrero", "febbraio", "fevereiro", "fev", "februari"},
		time.March:     {"march", "mar", "mars", "märz", "maerz", "marzo", "março", "maart", "mrt"},
		time.April:     {"april", "apr", "avril", "avr", "abril", "abr", "aprile"},
		time.May:       {"may", "mai", "mayo", "maggio", "mag", "maio", "mei"},
		time.June:      {"june", "jun", "juin", "juni", "junio", "giugno", "giu", "junho"},
		time.July:      {"july", "jul", "juillet", "juil", "juli", "julio", "luglio", "lug", "julho"},
		time.August:    {"august", "aug", "août", "aout", "agosto", "ago", "augustus"},
		time.September: {"september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro"},
		time.October:   {"october", "oct", "octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro", "out"},
		time.November:  {"november", "nov", "novembre", "noviembre", "novembro"},
		time.December:  {"december", "dec", "décembre", "decembre", "déc", "dezember", "dez", "diciembre", "dic", "dicembre", "dezembro"},
	} {
		for _, n := range names {
			out[n] = m
		}
	}
	return out
}()

var monthAlt = func() string {
	names := make([]string, 0, 128)
	for n := range months {
		names = append(names, regexp.QuoteMeta(n))
	}
	// Longest first so "september" is not matched as "sep".
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && (len(names[j]) > len(names[j-1]) || (len(names[j]) == len(names[j-1]) && names[j] < names[j-1])); j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return strings.Join(names, "|")
}()

var (
	rxDayMonthYear = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th|er|\.|º)?\s+(?:de\s+)?(` + monthAlt + `)\.?,?\s+(?:de\s+)?(\d{4})\b`)
	rxMonthDayYear = regexp.MustCompile(`(?i)\b(` + monthAlt + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	rxISODate      = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	rxNumericDate  = regexp.MustCompile(`\b(\d{1,2})([./])(\d{1,2})[./](\d{4})\b`)
	rxCJKDate      = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
)

// parseTextDate finds the first human-written calendar date in s
// ("22 April 2024", "April 22, 2024", "22. März 2024", "2024年4月22日",
// "22.04.2024"). Ambiguous numeric dates such as 04/05/2024 are skipped.
// The result is midnight UTC: bylines rarely give a usable zone.
func parseTextDate(s string) (time.Time, bool) {
	type hit struct {
		pos     int
		y, m, d int
	}
	var best *hit
	consider := func(pos, y, m, d int) {
		if m < 1 || m > 12 || d < 1 || d > 31 {
			return
		}
		if best == nil || pos < best.pos {
			best = &hit{pos, y, m, d}
		}
	}
	for _, m := range rxDayMonthYear.FindAllStringSubmatchIndex(s, 3) {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		consider(m[0], y, int(months[strings.ToLower(s[m[4]:m[5]])]), d)
	}
	for _, m := range rxMonthDayYear.FindAllStringSubmatchIndex(s, 3) {
		d, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		consider(m[0], y, int(months[strings.ToLower(s[m[2]:m[3]])]), d)
	}
	for _, m := range rxISODate.FindAllStringSubmatchIndex(s, 3) {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		d, _ := strconv.Atoi(s[m[6]:m[7]])
		consider(m[0], y, mo, d)
	}
	for _, m := range rxCJKDate.FindAllStringSubmatchIndex(s, 3) {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		d, _ := strconv.Atoi(s[m[6]:m[7]])
		consider(m[0], y, mo, d)
	}
	for _, m := range rxNumericDate.FindAllStringSubmatchIndex(s, 3) {
		a, _ := strconv.Atoi(s[m[2]:m[3]])
		b, _ := strconv.Atoi(s[m[6]:m[7]])
		y, _ := strconv.Atoi(s[m[8]:m[9]])
		sep := s[m[4]:m[5]]
		switch {
		case sep == "." || a > 12: // 22.04.2024 is always day-first
			consider(m[0], y, b, a)
		case b > 12:
			consider(m[0], y, a, b)
		}
	}
	if best == nil {
		return time.Time{}, false
	}
	t := time.Date(best.y, time.Month(best.m), best.d, 0, 0, 0, 0, time.UTC)
	if t.Day() != best.d { // 31 April
		return time.Time{}, false
	}
	return t, true
}

var (
	rxURLDay   = regexp.MustCompile(`(?:^|/)((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$|[-_.])`)
	rxURLDash  = regexp.MustCompile(`(?:^|[/_-])((?:19|20)\d{2})-(\d{2})-(\d{2})(?:[/_.-]|$)`)
	rxURLSolid = regexp.MustCompile(`/((?:19|20)\d{2})(\d{2})(\d{2})(?:/|$|[-_.])`)
	rxURLMonth = regexp.MustCompile(`(?:^|/)((?:19|20)\d{2})/(\d{1,2})(?:/|$)`)
)

// urlDate reads a date from a URL path such as /2024/04/22/slug or
// /news/2024-04-22-slug. /2024/04/ alone gives the first of the month and
// monthOnly.
func urlDate(raw string) (t time.Time, monthOnly, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return time.Time{}, false, false
	}
	p := u.Path
	for _, rx := range []*regexp.Regexp{rxURLDay, rxURLDash, rxURLSolid} {
		if m := rx.FindStringSubmatch(p); m != nil {
			y, _ := strconv.Atoi(m[1])
			mo, _ := strconv.Atoi(m[2])
			d, _ := strconv.Atoi(m[3])
			if mo >= 1 && mo <= 12 && d >= 1 && d <= 31 {
				t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
				if t.Day() == d {
					return t, false, true
				}
			}
		}
	}
	if m := rxURLMonth.FindStringSubmatch(p); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if mo >= 1 && mo <= 12 {
			return time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC), true, true
		}
	}
	return time.Time{}, false, false
}

// bylineBlockMax is the longest text block still read as a byline; longer
// blocks are body paragraphs whose dates are about events, not the page.
const bylineBlockMax = 120

// bylineDates looks at the short text blocks just around the headline of the
// article for "Published 22 April 2024" / "Updated 23 April 2024".
func bylineDates(main *goquery.Selection) (pub, mod time.Time) {
	if main == nil || len(main.Nodes) == 0 {
		return
	}
	root := main.Nodes[0]
	var h1 *html.Node
	if h := main.Find("h1").First(); len(h.Nodes) > 0 {
		h1 = h.Nodes[0]
	}
	// Collect text blocks in document order: up to 3 before the headline (some
	// sites put the date above it) and the first 8 after it.
	var before, after []string
	seenH1 := h1 == nil
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			if n.Data == "script" || n.Data == "style" || n.Data == "noscript" || n.Data == "template" {
				return true
			}
			if n != root && isNoiseElement(n) {
				return true
			}
			if n == h1 {
				seenH1 = true
				return true
			}
			if blockTags[n.Data] || n.Data == "time" {
				if hasBlockChild(n) {
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						if !walk(c) {
							return false
						}
					}
					return true
				}
				t := strings.Join(strings.Fields(nodeText(n)), " ")
				if t == "" {
					return true
				}
				if seenH1 {
					after = append(after, t)
					return len(after) < 8
				}
				before = append(before, t)
				return true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	walk(root)
	if len(before) > 3 {
		before = before[len(before)-3:]
	}
	// A label block without a date ("Last updated" in a <dt>) applies to the
	// block that follows it (the <dd>).
	labelUpdated := false
	for _, block := range append(before, after...) {
		if utf8.RuneCountInString(block) > bylineBlockMax && !rxPublished.MatchString(block) {
			labelUpdated = false
			continue
		}
		// A block can hold both: "Published 2 May 2024, updated 3 May 2024".
		if loc := rxUpdated.FindStringIndex(block); loc != nil {
			t, ok := parseTextDate(block[loc[1]:])
			if ok && mod.IsZero() {
				mod = t
			}
			if t, ok := parseTextDate(block[:loc[0]]); ok && pub.IsZero() {
				pub = t
			}
			labelUpdated = !ok
			continue
		}
		t, ok := parseTextDate(block)
		switch {
		case !ok:
		case labelUpdated:
			if mod.IsZero() {
				mod = t
			}
		case pub.IsZero():
			pub = t
		}
		labelUpdated = false
	}
	return pub, mod
}

func isNoiseElement(n *html.Node) bool {
	if noiseTags[n.Data] {
		return true
	}
	for _, a := range n.Attr {
		if (a.Key == "class" || a.Key == "id") && rxNoise.MatchString(a.Val) {
			return true
		}
	}
	return false
}

var blockTags = map[string]bool{
	"p": true, "div": true, "section": true, "article": true, "header": true, "main": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "ul": true, "ol": true,
	"li": true, "blockquote": true, "pre": true, "table": true, "tr": true, "td": true, "th": true,
	"dl": true, "dt": true, "dd": true, "figure": true, "figcaption": true, "address": true,
	"aside": true, "footer": true, "nav": true, "hr": true, "br": true,
}

func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && blockTags[c.Data] {
			return true
		}
	}
	return false
}
