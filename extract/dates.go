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

	"github.com/watchline/watchline/internal/litfilter"
)

// DateSource says where a Published date was found.
type DateSource string

// Date sources, from the most to the least trustworthy in general. "fetched"
// and "import" are set by the crawler and the importer, never by HTML.
const (
	SourceJSONLD   DateSource = "json-ld"
	SourceMeta     DateSource = "meta"
	SourceTime     DateSource = "time"
	SourceURL      DateSource = "url"
	SourceText     DateSource = "text"
	SourceHTMLDate DateSource = "htmldate" // go-htmldate's whole-page search
	SourceFeed     DateSource = "feed"
	SourceUpdated  DateSource = "updated" // only a "last updated" date was found
	SourceFetched  DateSource = "fetched"
	SourceImport   DateSource = "import"
)

// Confidence of each kind of evidence before cross-checking.
const (
	confJSONLD     = 0.95
	confMeta       = 0.9
	confTimePub    = 0.85 // <time> or itemprop marked as the publication date
	confURLDay     = 0.8
	confJSONLDPage = 0.8  // datePublished of a WebPage or other non-article object
	confMarkupPub  = 0.75 // a short element whose class says "published"/"date"
	confTimeFirst  = 0.7  // first <time> in the article, unmarked
	confHTMLDate   = 0.5  // go-htmldate alone, when nothing of ours agrees
	confUpdated    = 0.3  // only a modification date: the article is at least that old
	confText       = 0.6  // visible date in the byline near the title
	confURLMonth   = 0.55
	confFeed       = 0.5

	// Agreement between independent kinds of evidence adds to the winner's
	// confidence (capped at confAgreeMax).
	bonusAgree   = 0.05
	confAgreeMax = 0.98

	// Penalties when independent evidence disagrees by more than disagreeAfter.
	penaltyURL    = 0.25
	penaltyFeed   = 0.1
	penaltyOther  = 0.1 // structured or visible evidence for another day
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
	// dayOnly marks a date written without a time of day (midnight UTC).
	dayOnly bool
	// weight is the evidence's vote in choosePublished.
	weight float64
}

// dateResult is what the date layer found in one page.
type dateResult struct {
	published dateEvidence
	modified  time.Time
	cands     []dateEvidence // every piece of publication evidence, strongest kinds first
}

// publishedMeta lists <meta> names/properties/itemprops that carry the
// publication date, lower-cased. Collected from the meta vocabularies in use
// (Open Graph, Dublin Core, schema.org microdata, Parse.ly, Sailthru, the
// common CMS defaults, GOV.UK, Highwire/Google Scholar citation tags).
var publishedMeta = map[string]bool{
	"article:published_time": true, "og:published_time": true, "og:article:published_time": true,
	"article:published": true, "dc.date.issued": true, "dcterms.issued": true, "dc.date.created": true,
	"dcterms.created": true, "dc.date": true, "dcterms.date": true, "pubdate": true, "publishdate": true,
	"publish-date": true, "publish_date": true, "publication_date": true, "publication-date": true,
	"date": true, "parsely-pub-date": true, "sailthru.date": true, "datepublished": true,
	"article.published": true, "published-date": true, "published_time": true, "cxenseparse:recs:publishtime": true,
	"original-publish-date": true, "citation_publication_date": true, "citation_date": true,
	"govuk:first-published-at": true, "article:published_date": true, "article_date_original": true,
	"originalpublicationdate": true, "og:pubdate": true, "pub_date": true, "pubdate_utc": true,
	"article.created": true, "article_published_time": true, "date_published": true, "datecreated": true,
	"dc.created": true, "dcterms.available": true, "rnews:datepublished": true, "bt:pubdate": true,
	"citation_online_date": true, "prism.publicationdate": true, "article:post_date": true,
	"og:release_date": true, "release_date": true, "creation_date": true, "created": true,
	"published": true, "publication-time": true, "article.published_time": true, "dc.date.published": true,
	"ptime": true, "weibo:article:create_at": true, "videoobject:uploaddate": true,
}

// genericMeta are the publication metas that name no event: Dublin Core's
// "date" is "a point or period of time associated with an event in the
// lifecycle of the resource", and CMSs (TYPO3 among them) fill it with the
// page record's last change.
var genericMeta = map[string]bool{"date": true, "dc.date": true, "dcterms.date": true}

var modifiedMeta = map[string]bool{
	"article:modified_time": true, "og:updated_time": true, "og:modified_time": true,
	"article:modified": true, "dc.date.modified": true, "dcterms.modified": true, "datemodified": true,
	"last-modified": true, "lastmod": true, "modified-date": true, "updated_time": true,
	"article.updated": true, "parsely-updated": true, "article:updated_time": true,
	"govuk:updated-at": true, "govuk:public-updated-at": true, "last-updated": true, "lastupdated": true,
	"dateupdated": true, "revised": true, "utime": true,
}

// articleTypes are JSON-LD @types whose datePublished is the page's own.
var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "blogposting": true, "reportagenews": true,
	"analysisnewsarticle": true, "opinionnewsarticle": true, "reviewnewsarticle": true,
	"backgroundnewsarticle": true, "askpublicnewsarticle": true, "scholarlyarticle": true,
	"techarticle": true, "report": true, "liveblogposting": true, "socialmediaposting": true,
	"pressrelease": true, "posting": true, "discussionforumposting": true, "blog": false,
}

var noiseTags = map[string]bool{"aside": true, "footer": true, "nav": true, "form": true}

// Labels in front of dates. Published labels are matched at the start of a
// block; updated labels anywhere, because "Published 2 May, updated 3 May"
// carries both. rxUpdated is read through mentionsUpdate and updateLocs.
var (
	rxUpdated   = regexp.MustCompile(`(?i)(last\s+)?(updated|modified|amended|revised|edited)|mis\s+à\s+jour|actualisé|modifié|aktualisiert|geändert|letzte\s+änderung|\bstand:|actualizado|modificado|aggiornato|atualizado|bijgewerkt|обновлено|обновлен|изменено|оновлено|更新|修改`)
	rxPublished = regexp.MustCompile(`(?i)^\s*(published|posted|first published|publié|publie|mis en ligne|veröffentlicht|erschienen|erstellt|publicado|pubblicato|gepubliceerd|опубликовано|опубліковано|发布|發布|发表|發表|公開|発表|时间|時間|日期)`)
	rxPubLabel  = regexp.MustCompile(`(?i)(published|posted|publié|mis en ligne|veröffentlicht|erschienen|erstellt am|gepostet|publiziert|publicado|pubblicato|опубликовано|опубліковано|发布|發布|发表|發表)`)
	rxPubBefore = regexp.MustCompile(`(?i)(published|posted|publié|mis en ligne|veröffentlicht|erschienen|publicado|pubblicato|опубликовано|发布时间|发布|發布)(\s+(on|le|am|el|il))?[\s:：]*$`)
	rxPubClass  = regexp.MustCompile(`(?i)pubdate|published|publish|posted|date-?pub|created|entry-date|post-date|article-date|story-date|date-line|dateline`)
	rxModClass  = regexp.MustCompile(`(?i)updated|modified|lastmod`)
)

// updateFilter rules out most texts before rxUpdated runs: rxUpdated is a
// case-insensitive alternation of words in several scripts, and Go runs it
// in its backtracker at about 25 µs per 40-character string, while text
// near a date rarely holds any of its words and looking for them costs well
// under a microsecond. The words are derived from the expression itself,
// so the answers stay the regexp's (FuzzMentionsUpdate).
var updateFilter = litfilter.Of(rxUpdated)

// mentionsUpdate is rxUpdated.MatchString(s).
func mentionsUpdate(s string) bool {
	return updateFilter.MayMatch(s) && rxUpdated.MatchString(s)
}

// updateLocs is rxUpdated.FindAllStringIndex(s, n).
func updateLocs(s string, n int) [][]int {
	if !updateFilter.MayMatch(s) {
		return nil
	}
	return rxUpdated.FindAllStringIndex(s, n)
}

// findDates gathers date evidence from a parsed page and picks the
// publication date. main is the article's root (or the body); order says how
// to read ambiguous numeric dates on this page.
func findDates(doc *goquery.Document, main *goquery.Selection, pageURL string, feed, now time.Time, order dateOrder) dateResult {
	var cands []dateEvidence
	var modified []time.Time
	ok := func(t time.Time) bool {
		return !t.IsZero() && !t.Before(minDate) && !t.After(now.Add(maxAhead))
	}
	add := func(t time.Time, src DateSource, conf float64, monthOnly bool, weight float64) {
		if ok(t) {
			cands = append(cands, dateEvidence{t: t, src: src, conf: conf, monthOnly: monthOnly, dayOnly: isMidnightUTC(t), weight: weight})
		}
	}
	addMod := func(t time.Time) {
		if ok(t) {
			modified = append(modified, t)
		}
	}

	// JSON-LD.
	ld := jsonLDDates(doc)
	if ld.article {
		add(ld.pub, SourceJSONLD, confJSONLD, false, voteStructured)
	} else {
		add(ld.pub, SourceJSONLD, confJSONLDPage, false, voteStructured)
	}
	addMod(ld.mod)

	// <meta>: the first publication meta wins; pages often repeat it.
	var metaPub, metaMod time.Time
	metaVote := voteStructured
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
			if t, good := parseAnyDate(content, order); good && ok(t) {
				metaPub = t
				if genericMeta[key] {
					metaVote = voteGenericMeta
				}
			}
		case modifiedMeta[key] && metaMod.IsZero():
			if t, good := parseAnyDate(content, order); good && ok(t) {
				metaMod = t
			}
		case key == "parsely-page" && metaPub.IsZero():
			// Parse.ly keeps its metadata as JSON in one meta tag.
			var pp struct {
				PubDate string `json:"pub_date"`
			}
			if json.Unmarshal([]byte(content), &pp) == nil {
				if t, good := parseDate(pp.PubDate); good && ok(t) {
					metaPub = t
				}
			}
		}
	})
	add(metaPub, SourceMeta, confMeta, false, metaVote)
	addMod(metaMod)

	// <time> elements outside noise boxes and quotations (embedded posts):
	// a marked publication time first, else the first unmarked one inside
	// the article. A marked one may sit in the article's own footer or
	// aside (see isNoiseMarked).
	var timePub, timeFirst time.Time
	doc.Find("time, [itemprop=datePublished], [itemprop=dateModified], [itemprop=dateCreated], abbr[title]").Each(func(_ int, s *goquery.Selection) {
		n := s.Nodes[0]
		if n.Data == "meta" || inBlockquote(n) {
			return
		}
		if isNoise(n) && (timeRole(s, n) != rolePublished || isNoiseMarked(n)) {
			return
		}
		if n.Data == "abbr" && !rxPubClass.MatchString(s.AttrOr("class", "")) {
			return // <abbr class="published" title="..."> is the hAtom way; other abbrs are not dates
		}
		var t time.Time
		good := false
		for _, a := range []string{"datetime", "content", "title"} {
			if raw, has := s.Attr(a); has {
				if t, good = parseAnyDate(raw, order); good {
					break
				}
			}
		}
		if !good {
			t, good = parseTextDateOrder(s.Text(), order)
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
	add(timePub, SourceTime, confTimePub, false, voteVisible)
	add(timeFirst, SourceTime, confTimeFirst, false, voteWeak)

	// The URL path: the page's own, else the address it gives itself.
	if t, monthOnly, good := urlDate(pageURL); good {
		if monthOnly {
			add(t, SourceURL, confURLMonth, true, 0)
		} else {
			add(t, SourceURL, confURLDay, false, voteVisible)
		}
	}

	// A visible byline date near the title, and short elements whose class
	// says they hold the date.
	bpub, bmod := bylineDates(main, order)
	if !bpub.IsZero() || !bmod.IsZero() {
		add(bpub, SourceText, confText, false, voteByline)
		addMod(bmod)
	}
	ct, isPub := classDate(main, order)
	if ok(ct) {
		if isPub {
			add(ct, SourceText, confMarkupPub, false, voteClassPub)
		} else {
			add(ct, SourceText, confText-0.05, false, voteClassOther)
		}
	}
	// A byline that shows only an "updated" date, on a page that shows no
	// other date near its text (no published byline, date-classed element
	// or <time>), gives the date its reader sees: that date votes as a
	// byline, against a publication date kept only in metadata or the
	// URL (a CMS's first version of a much-revised guide). Without such
	// evidence the updated date stays an upper bound (SourceUpdated). On go-htmldate's evaluation
	// pages (TestDevDates) it fired on 18 pages, took 0.905 to 0.909
	// (half 0 0.898 to 0.904, half 1 0.912 to 0.914), none lost: the
	// annotated date was the shown one.
	if len(cands) > 0 && bpub.IsZero() && !ok(ct) && timePub.IsZero() && timeFirst.IsZero() && ok(bmod) {
		add(bmod, SourceText, confText, false, voteByline)
	}

	// A page without strong evidence may still label its date somewhere
	// below the article or in a box beside it ("Erschienen am: 01.11.2023",
	// "This entry was posted on ..."). Set on go-htmldate's evaluation pages
	// (TestDevDates): such pages otherwise got go-htmldate's guess, often a
	// copyright year read as 1 January.
	strong := false
	for _, c := range cands {
		strong = strong || (c.conf >= confSkipLibrary && !c.monthOnly)
	}
	if !strong {
		pub, mod := labelledDates(doc, order, time.Time{})
		add(pub, SourceText, confText, false, voteByline)
		addMod(mod)
		// A URL naming only the month, and no day found: a labelled date
		// of that month anywhere, sidebars included (WordPress themes
		// that put the "postmetadata" line, "This entry was posted on
		// ...", in the sidebar of a single post), is the day. Set on
		// go-htmldate's evaluation pages (TestDevDates).
		if month, only := monthOnlyURL(cands); only {
			pub, _ := labelledDates(doc, order, month)
			add(pub, SourceText, confText, false, voteByline)
		}
	}

	add(feed, SourceFeed, confFeed, false, voteFeed)

	var res dateResult
	res.cands = cands
	for _, m := range modified {
		if m.After(res.modified) {
			res.modified = m
		}
	}
	return res
}

// monthOnlyURL returns the month a URL names when it is the only evidence
// of a date (no evidence names a day).
func monthOnlyURL(cands []dateEvidence) (month time.Time, only bool) {
	for _, c := range cands {
		if !c.monthOnly {
			return time.Time{}, false
		}
		month = c.t
	}
	return month, !month.IsZero()
}

// Vote weights of each kind of evidence in choosePublished. On
// go-htmldate's 1,000 evaluation pages (TestDevDates) the date a page shows
// its reader (a marked <time>, a byline, the URL) matched the annotated
// date more often than JSON-LD or meta tags did when they disagreed (CMSs
// rewrite metadata in UTC, or on every edit); the weights only order those
// kinds, a search over them did not generalise across halves of that set.
const (
	voteStructured = 1.0  // JSON-LD, meta
	voteVisible    = 1.2  // marked <time>, full URL date
	voteClassPub   = 1.1  // an element classed as the publication date
	voteByline     = 1.1  // a date in the blocks around the headline
	voteWeak       = 0.8  // the first unmarked <time>; go-htmldate
	voteEcho       = 0.15 // go-htmldate naming the day of our JSON-LD or meta: a tie-breaker
	voteClassOther = 0.9  // an element classed as some date
	voteFeed       = 0.9  // above go-htmldate's guess: feeds carry the CMS's own date
	// voteGenericMeta: a meta naming no event (genericMeta) is outvoted by
	// a date-classed element of the article (TYPO3 news pages: meta "date"
	// is the page record's change, the visible date the news item's) but
	// still beats go-htmldate's guess and, with go-htmldate echoing it,
	// JSON-LD. On go-htmldate's evaluation pages (TestDevDates) the first
	// "date" meta was the annotated day on 41 of 52 pages,
	// article:published_time on 344 of 374.
	voteGenericMeta = 0.88
	// voteNeighbour is the share of its vote a UTC timestamp with a time of
	// day gives to the adjacent day (the one local time may have been on).
	voteNeighbour = 0.5
)

// choosePublished picks the publication date from our evidence and, when
// given, go-htmldate's answer (lib, a day). Each kind of evidence votes for
// its day; the day with most votes wins, ties going to the most trustworthy
// kind. The result keeps the most precise timestamp on that day (with the
// page's own offset); its confidence is that of the best kind voting for
// it, raised by each other kind that agrees and lowered by each that does
// not. A page whose only date is a modification date gets that date, as
// an upper bound, from source "updated" and with low confidence.
func (r *dateResult) choosePublished(lib time.Time) {
	cands := r.cands
	// 1 January from go-htmldate is a bare year read as a day (a copyright
	// line) or a placeholder (a recipe's dateCreated "01/01/2004"). When
	// our own evidence does not name that day and the page states when it
	// was last modified, the modification date is the better bound: on
	// go-htmldate's evaluation pages (TestDevDates) it was the annotated
	// day.
	if !lib.IsZero() && lib.Month() == time.January && lib.Day() == 1 && !r.modified.IsZero() && !r.ownVotesFor(lib) {
		lib = time.Time{}
	}
	if !lib.IsZero() && !(sameDay(lib, r.modified) && !r.ownVotesFor(lib)) && !r.urlDay(lib) {
		// go-htmldate sometimes takes the "updated" date; it only votes for
		// that day when our own evidence says it is the publication day too.
		// It reads JSON-LD and meta tags first: naming their day, it repeats
		// them and only breaks a tie between them (with its full vote it
		// outvoted a marked visible date beside a single meta tag; on
		// go-htmldate's evaluation pages, TestDevDates, this took 0.886 to
		// 0.889, both halves up, none lost).
		w := voteWeak
		if r.structuredDay(lib) {
			w = voteEcho
		}
		cands = append(cands[:len(cands):len(cands)], dateEvidence{t: lib, src: SourceHTMLDate, conf: confHTMLDate, dayOnly: true, weight: w})
	}
	// A source votes once for a day, with its strongest kind: a byline read
	// both as a block near the headline and as a date-classed element is
	// one piece of evidence, not two.
	type sourceDay struct {
		src DateSource
		day string
	}
	type tally struct{ score, prio float64 }
	votes := map[string]*tally{}
	cast := map[sourceDay]float64{}
	for _, c := range cands {
		if c.monthOnly {
			continue
		}
		d := c.t.Format(time.DateOnly)
		v := votes[d]
		if v == nil {
			v = &tally{}
			votes[d] = v
		}
		k := sourceDay{c.src, d}
		if w := cast[k]; c.weight > w {
			v.score += c.weight - w
			cast[k] = c.weight
		}
		v.prio = max(v.prio, c.conf)
	}
	// A timestamp near midnight is next to the day a dateline or URL names.
	// One written in UTC may have been converted from local time: it lends
	// part of its vote to the neighbouring day. One written with its own
	// offset is local: neighbouring day-only evidence lends it part of its.
	for _, c := range cands {
		if c.monthOnly || c.dayOnly {
			continue
		}
		_, off := c.t.Zone()
		for _, d := range cands {
			if d.monthOnly || !d.dayOnly || d.src == c.src {
				continue
			}
			if off == 0 && localDayMayBe(c.t, d.t) {
				votes[d.t.Format(time.DateOnly)].score += voteNeighbour * c.weight
				break
			}
			if off != 0 && !sameDay(c.t, d.t) && sameDay(c.t.UTC(), d.t) {
				votes[c.t.Format(time.DateOnly)].score += voteNeighbour * d.weight
				break
			}
		}
	}
	day := ""
	for d, v := range votes {
		if w := votes[day]; day == "" || v.score > w.score || (v.score == w.score && (v.prio > w.prio || (v.prio == w.prio && d < day))) {
			day = d
		}
	}
	var w dateEvidence
	switch {
	case day != "":
		agreeing := map[DateSource]bool{} // independent sources, not kinds
		for _, c := range cands {
			if c.monthOnly || c.t.Format(time.DateOnly) != day {
				continue
			}
			agreeing[c.src] = true
			if w.t.IsZero() || c.conf > w.conf {
				keep := w
				w = c
				if c.dayOnly && !keep.t.IsZero() && !keep.dayOnly {
					w.t, w.dayOnly = keep.t, false // keep the time of day already found
				}
			} else if w.dayOnly && !c.dayOnly {
				w.t, w.dayOnly = c.t, false // a time of day from weaker evidence on the same day
			}
		}
		w.conf = min(w.conf+bonusAgree*float64(max(len(agreeing)-1, 0)), max(confAgreeMax, w.conf))
		w = crossCheck(w, cands)
	case !r.modified.IsZero():
		w = dateEvidence{t: r.modified, src: SourceUpdated, conf: confUpdated}
	default:
		// Only a month-only URL: the first of the month, with low confidence.
		for _, c := range cands {
			if c.monthOnly && c.conf > w.conf {
				w = c
			}
		}
		if w.t.IsZero() {
			return
		}
	}
	w.conf = float64(int(w.conf*100+0.5)) / 100
	r.published = w
	// A "modified" date at or before publication is the CMS repeating itself.
	if w.src != SourceUpdated && !r.modified.After(w.t) {
		r.modified = time.Time{}
	}
}

// urlDay reports whether t is the day in the page's URL: go-htmldate reads
// a full URL date before anything else, and then only repeats that
// evidence.
func (r *dateResult) urlDay(t time.Time) bool {
	for _, c := range r.cands {
		if c.src == SourceURL && !c.monthOnly && sameDay(c.t, t) {
			return true
		}
	}
	return false
}

// structuredDay reports whether JSON-LD or a meta tag names the day of t.
func (r *dateResult) structuredDay(t time.Time) bool {
	for _, c := range r.cands {
		if (c.src == SourceJSONLD || c.src == SourceMeta) && sameDay(c.t, t) {
			return true
		}
	}
	return false
}

// ownVotesFor reports whether our own evidence names the day of t.
func (r *dateResult) ownVotesFor(t time.Time) bool {
	for _, c := range r.cands {
		if !c.monthOnly && sameDay(c.t, t) {
			return true
		}
	}
	return false
}

// localDayMayBe reports whether a UTC timestamp may have been written on
// day d in some time zone (UTC-12 to UTC+14): the day before for an early
// hour, the day after for a late one.
func localDayMayBe(utc, d time.Time) bool {
	day := time.Date(utc.Year(), utc.Month(), utc.Day(), 0, 0, 0, 0, time.UTC)
	dd := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	switch dd.Sub(day) {
	case -24 * time.Hour:
		return utc.Hour() < 12
	case 24 * time.Hour:
		return utc.Hour() >= 10
	}
	return false
}

// needLibrary says whether go-htmldate should be asked: when none of our
// evidence is strong (JSON-LD of the article, a publication meta tag, a
// marked <time>, a full URL date), or when strong kinds name different
// days. On go-htmldate's evaluation pages (TestDevDates) it was right more
// often than either side of such a conflict, and skipping it elsewhere
// costs nothing measurable while saving its whole-page search.
func (r *dateResult) needLibrary() bool {
	best := 0.0
	days := map[string]bool{}
	for _, c := range r.cands {
		best = max(best, c.conf)
		if c.conf >= confSkipLibrary && !c.monthOnly {
			days[c.t.Format(time.DateOnly)] = true
		}
	}
	return best < confSkipLibrary || len(days) > 1
}

// confSkipLibrary is the confidence of the evidence that makes go-htmldate
// unnecessary when it is not contradicted.
const confSkipLibrary = 0.8

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

type role int

const (
	roleUnknown role = iota
	rolePublished
	roleModified
)

// timeRole decides whether a <time> (or itemprop element) is the
// publication date, the modification date, or unmarked. The element's own
// markup wins over its two nearest ancestors' (nearest first: a
// "meta__row--posted" row around a <p> around the <time>), which win over
// the words before it.
// WordPress marks an unedited post's date "published updated": that is a
// publication date.
func timeRole(s *goquery.Selection, n *html.Node) role {
	switch strings.ToLower(s.AttrOr("itemprop", "")) {
	case "datepublished", "datecreated":
		return rolePublished
	case "datemodified":
		return roleModified
	}
	if _, ok := s.Attr("pubdate"); ok {
		return rolePublished
	}
	depth := 0
	for p := n; p != nil && p.Type == html.ElementNode && depth < 3; p, depth = p.Parent, depth+1 {
		class := attr(p, "class")
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
	if mentionsUpdate(before) {
		return roleModified
	}
	return roleUnknown
}

func isMidnightUTC(t time.Time) bool {
	_, off := t.Zone()
	return off == 0 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0
}

// crossCheck lowers the confidence of the chosen date when other evidence
// tells a different story (by more than disagreeAfter): the URL, the feed,
// or structured and visible dates.
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
			y, m, _ := w.t.Date()
			cy, cm, _ := c.t.Date()
			disagree = y != cy || m != cm
		} else {
			d := w.t.Sub(c.t)
			disagree = d > disagreeAfter || d < -disagreeAfter
		}
		if !disagree {
			continue
		}
		switch {
		case c.src == SourceURL:
			w.conf -= penaltyURL
		case c.src == SourceFeed:
			w.conf -= penaltyFeed
		case c.weight >= voteStructured && !c.monthOnly:
			w.conf -= penaltyOther
		default:
			continue
		}
		penalised[c.src] = true
	}
	if w.conf < 0.1 {
		w.conf = 0.1
	}
	return w
}

// ldDates is what JSON-LD says about the page's dates.
type ldDates struct {
	pub, mod time.Time
	article  bool // from an article-like object, not a WebPage or an Organization
}

// rxLDPublished and rxLDModified read dates out of JSON-LD that does not
// parse (trailing commas, raw newlines, two objects back to back: common
// in CMS templates).
var (
	rxLDPublished = regexp.MustCompile(`"datePublished"\s*:\s*"([^"]{6,40})"`)
	rxLDModified  = regexp.MustCompile(`"dateModified"\s*:\s*"([^"]{6,40})"`)
	rxLDArticle   = regexp.MustCompile(`"@type"\s*:\s*\[?\s*"(?i:(?:\w*news)?article|blogposting|reportagenews|liveblogposting|pressrelease)"`)
)

// jsonLDDates returns datePublished/dateModified of the page's own
// article-like object in JSON-LD, ignoring comments, reviews and the like;
// failing that, the dates of any other object (a WebPage), and failing that
// what a lenient scan of unparseable JSON-LD finds.
func jsonLDDates(doc *goquery.Document) ldDates {
	var res, fallback, raw ldDates
	doc.Find(`script[type="application/ld+json"], script[type="application/json+ld"]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		text := strings.TrimSpace(s.Text())
		text = strings.TrimSuffix(strings.TrimPrefix(text, "<!--"), "-->")
		text = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(text), "//<![CDATA["), "//]]>")
		var v any
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			if raw.pub.IsZero() {
				if m := rxLDPublished.FindStringSubmatch(text); m != nil {
					raw.pub, _ = parseDate(m[1])
					raw.article = rxLDArticle.MatchString(text)
				}
				if m := rxLDModified.FindStringSubmatch(text); m != nil {
					raw.mod, _ = parseDate(m[1])
				}
			}
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
				res = ldDates{pub: p, mod: m, article: true}
				return false
			}
			if fallback.pub.IsZero() && fallback.mod.IsZero() {
				fallback = ldDates{pub: p, mod: m}
			}
		}
		return true
	})
	switch {
	case res.article:
		return res
	case !raw.pub.IsZero() && raw.article:
		return raw
	case !fallback.pub.IsZero() || !fallback.mod.IsZero():
		return fallback
	}
	return raw
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
			if (a.Key == "class" || a.Key == "id") && noiseClass.match(a.Val) {
				return true
			}
		}
	}
	return false
}

// inBlockquote reports whether n is quoted content: an embedded post
// (Instagram, Twitter and Facebook embeds are blockquotes) or a quotation,
// whose dates are the quoted item's.
func inBlockquote(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "blockquote" {
			return true
		}
	}
	return false
}

// isNoiseMarked is isNoise for an element marked as the publication date:
// a footer or aside (by tag or by a "footer" class) inside an article-like
// container is that article's own metadata box ("<article>...<footer>
// Posted on <time pubdate>"), not a site footer or sidebar. On
// go-htmldate's evaluation pages (TestDevDates) such marked dates were the
// annotated date; related-story boxes keep their other noise classes.
func isNoiseMarked(n *html.Node) bool {
	soft := false
	for p := n; p != nil; p = p.Parent {
		if p.Type != html.ElementNode {
			continue
		}
		if p.Data == "body" || p.Data == "html" {
			return soft
		}
		if soft && articleContainer(p) {
			return false
		}
		switch {
		case p.Data == "footer" || p.Data == "aside":
			soft = true
			continue
		case noiseTags[p.Data]:
			return true
		}
		for _, a := range p.Attr {
			if (a.Key == "class" || a.Key == "id") && noiseClass.match(a.Val) {
				if noiseClass.match(strings.ReplaceAll(strings.ToLower(a.Val), "footer", "")) {
					return true
				}
				soft = true
			}
		}
	}
	return soft
}

// articleClass: containers of one article or post.
var articleClass = &classWords{words: []string{"article", "post", "entry", "story", "hentry"}}

func articleContainer(n *html.Node) bool {
	if n.Data == "article" {
		return true
	}
	for _, a := range n.Attr {
		if a.Key == "class" && articleClass.match(a.Val) {
			return true
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
		for len(s) > 0 && !utf8.RuneStart(s[0]) {
			s = s[1:]
		}
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
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"20060102",
	"20060102150405",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 02 Jan 2006 15:04:05 -0700",
	"Mon Jan 02 2006 15:04:05 GMT-0700",
	"Mon Jan 2 15:04:05 MST 2006",
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
	if s[0] < '0' || s[0] > '9' {
		if len(s) < 10 || !strings.ContainsAny(s[:4], "MTWFS") { // weekday-first layouts only
			return time.Time{}, false
		}
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	// "2024-04-22T10:00:00+01:00 BST", "2024-04-22 10:00:00.0" and other
	// decorated forms: the leading date is what counts.
	if len(s) > 10 && s[4] == '-' && s[7] == '-' {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseAnyDate reads a date from an attribute that should be machine-readable
// but is often written for people ("March 3, 2020", "03.03.2020") or is a
// Unix timestamp.
func parseAnyDate(s string, order dateOrder) (time.Time, bool) {
	if t, ok := parseDate(s); ok {
		return t, true
	}
	s = strings.TrimSpace(s)
	if n := len(s); (n == 10 || n == 13) && strings.Trim(s, "0123456789") == "" {
		sec, _ := strconv.ParseInt(s[:10], 10, 64)
		if sec > 788918400 { // after 1995
			return time.Unix(sec, 0).UTC(), true
		}
	}
	return parseTextDateOrder(s, order)
}

var (
	rxURLDay   = regexp.MustCompile(`(?:^|/)((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$|[-_.])`)
	rxURLDash  = regexp.MustCompile(`(?:^|[/_-])((?:19|20)\d{2})[-_](\d{2})[-_](\d{2})(?:[/_.-]|$)`)
	rxURLSolid = regexp.MustCompile(`(?:/|[-_])((?:19|20)\d{2})(\d{2})(\d{2})(?:/|$|[-_.])`)
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
			if t, ok := validDay(y, mo, d); ok {
				return t, false, true
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

// headBlocks returns the text blocks around the article's headline in
// document order: up to 3 before it (some sites put the date above it) and
// the first 8 after it, outside noise boxes. Bylines and datelines live
// there.
func headBlocks(main *goquery.Selection) (before, after []string) {
	bn, an := headBlockNodes(main)
	for _, b := range bn {
		before = append(before, b.text)
	}
	for _, b := range an {
		after = append(after, b.text)
	}
	return before, after
}

// headBlock is one text block around the headline.
type headBlock struct {
	n    *html.Node
	text string
}

// headBlockNodes is headBlocks with the blocks' elements.
func headBlockNodes(main *goquery.Selection) (before, after []headBlock) {
	if main == nil || len(main.Nodes) == 0 {
		return nil, nil
	}
	root := main.Nodes[0]
	h1 := headline(main)
	seenH1 := h1 == nil
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			if n.Data == "script" || n.Data == "style" || n.Data == "noscript" || n.Data == "template" || n.Data == "blockquote" {
				return true // quotations and embedded posts carry their own dates
			}
			// A noise-classed box that holds the headline is the
			// article's own container ("...WideBannerPlaceHolder"
			// around a CMS's story): its byline is read. On
			// go-htmldate's evaluation pages (TestDevDates) this took
			// 0.903 to 0.905 (half 0 0.894 to 0.898, half 1 unchanged
			// at 0.912), none lost.
			if n != root && isNoiseElement(n) && !isAncestor(n, h1) {
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
					after = append(after, headBlock{n, t})
					return len(after) < 8
				}
				before = append(before, headBlock{n, t})
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
	return before, after
}

// isAncestor reports whether a is n or one of n's ancestors.
func isAncestor(a, n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

// headline returns the article's headline: the first <h1> in main whose
// text is the page's title (og:title or <title>), else the first <h1>.
// Sites put their logo in an <h1> too, before or after the article's; on
// go-htmldate's evaluation pages (TestDevDates) the byline read around a
// logo was a teaser list's date.
func headline(main *goquery.Selection) *html.Node {
	h1s := main.Find("h1")
	if len(h1s.Nodes) == 0 {
		return nil
	}
	if len(h1s.Nodes) > 1 {
		titles := docTitles(main.Nodes[0])
		for _, n := range h1s.Nodes {
			if isTitle(nodeText(n), titles) {
				return n
			}
		}
	}
	return h1s.Nodes[0]
}

// docTitles returns the lower-cased og:title and <title> of the document
// n belongs to.
func docTitles(n *html.Node) []string {
	for n.Parent != nil {
		n = n.Parent
	}
	var out []string
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "body":
				return
			case "title":
				out = append(out, normTitle(nodeText(n)))
			case "meta":
				if attr(n, "property") == "og:title" {
					out = append(out, normTitle(attr(n, "content")))
				}
			}
		}
		if depth > 3 {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return out
}

func normTitle(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// isTitle reports whether heading text is one of the page titles, or at
// least half of one (a <title> carries the site's name as well).
func isTitle(text string, titles []string) bool {
	h := normTitle(text)
	if h == "" {
		return false
	}
	for _, t := range titles {
		if t == h || (strings.Contains(t, h) && 2*len(h) >= len(t)) {
			return true
		}
	}
	return false
}

// bylineDates looks at the short text blocks just around the headline of the
// article for "Published 22 April 2024" / "Updated 23 April 2024". A label
// applies to the first date after it: "Published 2 May 2024, updated 3 May
// 2024" and "Updated: 14 May 2025 | Published: 12 May 2025" both read
// right. A date without a label is the publication date.
func bylineDates(main *goquery.Selection, order dateOrder) (pub, mod time.Time) {
	before, after := headBlockNodes(main)
	// A label block without a date ("Last updated" in a <dt>) applies to the
	// block that follows it (the <dd>).
	labelUpdated := false
	for _, hb := range append(before, after...) {
		block := hb.text
		if utf8.RuneCountInString(block) > bylineBlockMax && !rxPublished.MatchString(block) {
			labelUpdated = false
			continue
		}
		if notPageDate(block) {
			labelUpdated = false
			continue
		}
		dates := textDates(block, order, 4)
		if len(dates) == 0 {
			labelUpdated = mentionsUpdate(block) && !rxPubLabel.MatchString(block)
			continue
		}
		if inDatedList(hb.n, dates[0].t, order) {
			labelUpdated = false
			continue // an item of a list of events or teasers
		}
		p, m := blockDates(block, dates, labelUpdated)
		if pub.IsZero() {
			pub = p
		}
		if mod.IsZero() {
			mod = m
		}
		labelUpdated = false
	}
	return pub, mod
}

// rxOtherDate labels dates that are not the page's: a forum member's
// registration, an event's appointment, a birth.
var rxOtherDate = regexp.MustCompile(`(?i)(registriert|registered|joined|member since|mitglied seit|inscrit le|miembro desde|termin:|geboren|born)`)

// sentenceMin is the length from which a block ending like a sentence is
// body text, not a byline.
const sentenceMin = 40

// notPageDate reports whether a short block near the headline holds dates
// that are not the page's: a labelled other date, or a sentence of the
// body ("..., died on 27 October 2023 in Shanghai."), whose dates are
// events. Bylines are fields, not sentences; a labelled one ("Published
// 3 May 2021.") still counts. Set on go-htmldate's evaluation pages
// (TestDevDates).
func notPageDate(block string) bool {
	if rxOtherDate.MatchString(block) {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(block)
	return strings.ContainsRune(".!?。！？", last) && utf8.RuneCountInString(block) >= sentenceMin &&
		!rxPubLabel.MatchString(block) && !mentionsUpdate(block)
}

// blockDates reads the dates of one short block by their labels: a label
// applies to the first date after it; a date without a label is the
// publication date, unless the block before was an "updated" label alone
// (labelUpdated).
func blockDates(block string, dates []foundDate, labelUpdated bool) (pub, mod time.Time) {
	type label struct {
		pos     int
		updated bool
	}
	var labels []label
	for _, loc := range updateLocs(block, 4) {
		labels = append(labels, label{loc[0], true})
	}
	for _, loc := range rxPubLabel.FindAllStringIndex(block, 4) {
		labels = append(labels, label{loc[0], false})
	}
	for i, d := range dates {
		from := 0
		if i > 0 {
			from = dates[i-1].pos + 1
		}
		updated, labelled, at := false, false, -1
		for _, l := range labels { // the last label before the date
			if l.pos >= from && l.pos < d.pos && l.pos > at {
				updated, labelled, at = l.updated, true, l.pos
			}
		}
		if !labelled && i == 0 {
			updated = labelUpdated
		}
		switch {
		case updated:
			if mod.IsZero() {
				mod = d.t
			}
		case pub.IsZero():
			pub = d.t
		}
	}
	return pub, mod
}

// labelledBlockMax is the longest block read by labelledDates: a
// "postmetadata" sentence ("This entry was posted on Saturday, December
// 3rd, 2011 at 10:02 am and is filed under ...") with its categories.
const labelledBlockMax = 250

// labelledDates scans the whole page, outside comment threads, related
// lists and other noise boxes (but not site footers, where "Erschienen am:"
// and the WordPress "postmetadata" line often sit), for short blocks that
// carry a publication label ("published", "posted", "veröffentlicht",
// "erstellt am", ...) and a date, and reads them like a byline. Pages whose
// date is neither in metadata nor near the headline carry it this way; it
// is only run for those (see findDates).
//
// With month set (a URL that names only a month), boxes are read too, and
// only a publication date in that month counts: the URL confirms it.
func labelledDates(doc *goquery.Document, order dateOrder, month time.Time) (pub, mod time.Time) {
	body := doc.Find("body")
	if len(body.Nodes) == 0 {
		return
	}
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		switch n.Data {
		case "script", "style", "noscript", "template", "blockquote", "nav", "form", "select", "option":
			return true
		}
		if month.IsZero() && isHardNoise(n) {
			return true
		}
		if blockTags[n.Data] && !hasBlockChild(n) {
			t := strings.Join(strings.Fields(nodeText(n)), " ")
			if len(t) > 4*labelledBlockMax || len(textDates(t, order, 1)) == 0 {
				return true // no date: the label regexp, slower, is not needed
			}
			loc := rxPubLabel.FindStringIndex(t)
			if loc == nil {
				return true
			}
			if utf8.RuneCountInString(t) > labelledBlockMax {
				// A long block: the sentence around the label.
				t = runeWindow(t, loc[0]-labelledBlockMax/2, loc[1]+labelledBlockMax/2)
			}
			dates := textDates(t, order, 4)
			if len(dates) == 0 {
				return true
			}
			p, m := blockDates(t, dates, false)
			if !month.IsZero() {
				if y, mo, _ := p.Date(); y == month.Year() && mo == month.Month() {
					pub = p
				}
				return pub.IsZero()
			}
			if pub.IsZero() {
				pub = p
			}
			if mod.IsZero() {
				mod = m
			}
			return pub.IsZero()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	walk(body.Nodes[0])
	return pub, mod
}

// runeWindow returns s[from:to] clipped to s and widened to rune boundaries.
func runeWindow(s string, from, to int) string {
	from, to = max(from, 0), min(to, len(s))
	for from > 0 && !utf8.RuneStart(s[from]) {
		from--
	}
	for to < len(s) && !utf8.RuneStart(s[to]) {
		to++
	}
	return s[from:to]
}

// isHardNoise reports whether n is a box whose dates are never the page's:
// a noise box other than a footer or an aside.
func isHardNoise(n *html.Node) bool {
	for _, a := range n.Attr {
		if (a.Key == "class" || a.Key == "id") && noiseClass.match(a.Val) &&
			noiseClass.match(strings.ReplaceAll(strings.ToLower(a.Val), "footer", "")) {
			return true
		}
	}
	return false
}

// classDateMax is the longest element text read by classDate: a date with
// its label and perhaps a time and an author.
const classDateMax = 90

// classDate finds the first short element in the article whose class or id
// says it holds a date ("post-date", "entry-meta", "article__time") and
// reads the date in it. isPub is true when the class names the publication
// date. Elements labelled as updates are skipped.
func classDate(main *goquery.Selection, order dateOrder) (t time.Time, isPub bool) {
	if main == nil || len(main.Nodes) == 0 {
		return
	}
	var walk func(n *html.Node, depth int) bool
	walk = func(n *html.Node, depth int) bool {
		if n.Type != html.ElementNode || depth > 40 {
			return true
		}
		switch n.Data {
		case "script", "style", "noscript", "template", "blockquote", "figure":
			return true
		}
		if depth > 0 && isNoiseElement(n) {
			return true
		}
		attrs := ""
		for _, a := range n.Attr {
			if a.Key == "class" || a.Key == "id" {
				attrs += " " + a.Val
			}
		}
		if attrs != "" && dateClass.match(attrs) && !rxModClass.MatchString(attrs) {
			text := strings.Join(strings.Fields(nodeText(n)), " ")
			if text != "" && utf8.RuneCountInString(text) <= classDateMax {
				if locs := updateLocs(text, 1); locs != nil {
					text = text[:locs[0][0]]
				}
				if d, ok := parseTextDateOrder(text, order); ok && !inDatedList(n, d, order) {
					t, isPub = d, rxPubClass.MatchString(attrs) || rxPublished.MatchString(text)
					return false
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c, depth+1) {
				return false
			}
		}
		return true
	}
	walk(main.Nodes[0], 0)
	return t, isPub
}

// inDatedList reports whether n, an element holding date t, is the date of
// one item of a list (teasers, events): n or one of its three nearest
// ancestors has at least two siblings of the same tag and class that hold
// an element like n with another date. A byline's fields (<li
// class="date">, <li class="author">) are siblings too, but only one of
// them is dated, and a byline's published and updated dates (<dd>17
// October</dd> ... <dd>22 October</dd>) are two, not three. Set on
// go-htmldate's evaluation pages (TestDevDates), where the first
// date-classed element of some pages was an event list's.
func inDatedList(n *html.Node, t time.Time, order dateOrder) bool {
	tag, class := n.Data, attr(n, "class")
	item := n
	for depth := 0; depth < 4 && item.Parent != nil; depth, item = depth+1, item.Parent {
		itemClass := attr(item, "class")
		others := 0
		for sib := item.Parent.FirstChild; sib != nil; sib = sib.NextSibling {
			if sib == item || sib.Type != html.ElementNode || sib.Data != item.Data || attr(sib, "class") != itemClass {
				continue
			}
			if other := findLike(sib, tag, class); other != nil {
				if d, ok := parseTextDateOrder(nodeText(other), order); ok && !sameDay(d, t) {
					if others++; others >= 2 {
						return true
					}
				}
			}
		}
	}
	return false
}

// findLike returns the first element in n's subtree (n included) with the
// given tag and class.
func findLike(n *html.Node, tag, class string) *html.Node {
	if n.Type == html.ElementNode && n.Data == tag && attr(n, "class") == class {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findLike(c, tag, class); f != nil {
			return f
		}
	}
	return nil
}

func isNoiseElement(n *html.Node) bool {
	if noiseTags[n.Data] {
		return true
	}
	for _, a := range n.Attr {
		if (a.Key == "class" || a.Key == "id") && noiseClass.match(a.Val) {
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
	"aside": true, "footer": true, "nav": true, "hr": true,
}

func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && blockTags[c.Data] {
			return true
		}
	}
	return false
}

// attr returns the value of n's attribute key, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
