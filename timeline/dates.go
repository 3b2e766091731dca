package timeline

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/internal/litfilter"
	"github.com/watchline/watchline/model"
)

// Dates in a report are read relative to when it was published: "yesterday"
// in a report published on 16 September is 15 September; "on Monday" in a
// report published on a Tuesday is the Monday before; "in March" in a
// September report is the March just gone.

var months = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
	"sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

const (
	monthRe   = `(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?`
	weekdayRe = `(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`
)

// datePattern is one way of writing a date; resolve turns a match into a date.
type datePattern struct {
	need    []string // a match contains one of these (lower case)
	re      *regexp.Regexp
	resolve func(m []string, pub time.Time) (time.Time, model.Precision, float64, bool)
}

// dateFold is the runes that fold to a letter of datePatterns' needs but
// are not lowered to it (litfilter.FoldOnly).
var dateFold = func() string {
	var lits []string
	for _, p := range datePatterns {
		lits = append(lits, p.need...)
	}
	return litfilter.FoldOnly(lits)
}()

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// pubDay is the day of publication as the page stated it: a time keeps its
// page's offset, and "yesterday" in a report stamped 00:30 in London is the
// day before its London day, not before its UTC one.
func pubDay(pub time.Time) time.Time {
	y, m, d := pub.Date()
	return day(y, m, d)
}

// validDay builds a date only if the day exists in that month.
func validDay(y int, m time.Month, d int) (time.Time, bool) {
	t := day(y, m, d)
	return t, t.Month() == m && t.Day() == d && d > 0
}

// nearestPastYear picks the year for a day or month given without one: the
// latest occurrence not more than a few weeks after publication (reports
// mention upcoming dates too, e.g. a hearing next week).
func nearestPastYear(m time.Month, d int, pub time.Time) int {
	p := pubDay(pub)
	y := p.Year()
	if d == 0 {
		d = 1
	}
	if t := day(y, m, d); t.After(p.AddDate(0, 2, 0)) {
		return y - 1
	} else if t.Before(p.AddDate(0, -10, 0)) {
		return y + 1
	}
	return y
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// previousWeekday is the latest day on or before pub that falls on wd: "on
// Monday" in a Tuesday report is yesterday; in a Monday report it is today.
func previousWeekday(wd time.Weekday, pub time.Time) time.Time {
	p := pubDay(pub)
	back := (int(p.Weekday()) - int(wd) + 7) % 7
	return p.AddDate(0, 0, -back)
}

func nextWeekday(wd time.Weekday, pub time.Time) time.Time {
	p := pubDay(pub)
	fwd := (int(wd) - int(p.Weekday()) + 7) % 7
	if fwd == 0 {
		fwd = 7
	}
	return p.AddDate(0, 0, fwd)
}

var (
	digitNeed = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	monthNeed = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
)

var numberWords = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "several": 3, "a few": 3}

var datePatterns = []datePattern{
	// ISO 8601: 2024-04-22.
	{digitNeed, regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`), func(m []string, _ time.Time) (time.Time, model.Precision, float64, bool) {
		t, ok := validDay(atoi(m[1]), time.Month(atoi(m[2])), atoi(m[3]))
		return t, model.PrecisionDay, 0.95, ok
	}},
	// (Friday) 26 April 2024 / 26th of April, 2024.
	{digitNeed, regexp.MustCompile(`(?i)\b(?:` + weekdayRe + `,? )?(\d{1,2})(?:st|nd|rd|th)?(?: of)? ` + monthRe + `,? (\d{4})\b`),
		func(m []string, _ time.Time) (time.Time, model.Precision, float64, bool) {
			t, ok := validDay(atoi(m[4]), months[strings.ToLower(m[3])], atoi(m[2]))
			return t, model.PrecisionDay, 0.95, ok
		}},
	// (Friday,) April 26(th), 2024.
	{digitNeed, regexp.MustCompile(`(?i)\b(?:` + weekdayRe + `,? )?` + monthRe + ` (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b`),
		func(m []string, _ time.Time) (time.Time, model.Precision, float64, bool) {
			t, ok := validDay(atoi(m[4]), months[strings.ToLower(m[2])], atoi(m[3]))
			return t, model.PrecisionDay, 0.95, ok
		}},
	// (Friday) 26 April — year from publication.
	{digitNeed, regexp.MustCompile(`(?i)\b(?:` + weekdayRe + `,? )?(\d{1,2})(?:st|nd|rd|th)?(?: of)? ` + monthRe + `\b`),
		func(m []string, pub time.Time) (time.Time, model.Precision, float64, bool) {
			mo := months[strings.ToLower(m[3])]
			t, ok := validDay(nearestPastYear(mo, atoi(m[2]), pub), mo, atoi(m[2]))
			return t, model.PrecisionDay, 0.85, ok
		}},
	// (Friday,) April 26 — year from publication.
	{digitNeed, regexp.MustCompile(`(?i)\b(?:` + weekdayRe + `,? )?` + monthRe + ` (\d{1,2})(?:st|nd|rd|th)?\b`),
		func(m []string, pub time.Time) (time.Time, model.Precision, float64, bool) {
			mo := months[strings.ToLower(m[2])]
			t, ok := validDay(nearestPastYear(mo, atoi(m[3]), pub), mo, atoi(m[3]))
			return t, model.PrecisionDay, 0.85, ok
		}},
	// (in|since|until) March 2023.
	{digitNeed, regexp.MustCompile(`(?i)\b` + monthRe + `,? (\d{4})\b`),
		func(m []string, _ time.Time) (time.Time, model.Precision, float64, bool) {
			return day(atoi(m[2]), months[strings.ToLower(m[1])], 1), model.PrecisionMonth, 0.9, true
		}},
	// in March — the nearest March, normally the one just gone.
	{monthNeed, regexp.MustCompile(`\b(?i:in|since|during|by|until|from|early|late|mid|of)[ -](?i:early |late |mid-)?(January|February|March|April|May|June|July|August|September|October|November|December)\b`),
		func(m []string, pub time.Time) (time.Time, model.Precision, float64, bool) {
			mo := months[strings.ToLower(m[1])]
			return day(nearestPastYear(mo, 0, pub), mo, 1), model.PrecisionMonth, 0.75, true
		}},
	// in 2023.
	{digitNeed, regexp.MustCompile(`(?i)\b(?:in|since|during|until|from|of|early|late) (19[5-9]\d|20\d\d)\b`),
		func(m []string, _ time.Time) (time.Time, model.Precision, float64, bool) {
			return day(atoi(m[1]), 1, 1), model.PrecisionYear, 0.7, true
		}},
	// yesterday; last night.
	{[]string{"yesterday", "last night"}, regexp.MustCompile(`(?i)\b(yesterday|last night)\b`), func(_ []string, pub time.Time) (time.Time, model.Precision, float64, bool) {
		return pubDay(pub).AddDate(0, 0, -1), model.PrecisionDay, 0.9, true
	}},
	// today; this morning; tonight; earlier today.
	{[]string{"today", "this ", "tonight"}, regexp.MustCompile(`(?i)\b(today|this (?:morning|afternoon|evening)|tonight)\b`), func(_ []string, pub time.Time) (time.Time, model.Precision, float64, bool) {
		return pubDay(pub), model.PrecisionDay, 0.85, true
	}},
	// next Friday / on Friday / last Friday / Friday evening.
	{[]string{"day"}, regexp.MustCompile(`(?i)\b(next |last |this |on |late on |early on |)` + weekdayRe + `\b`),
		func(m []string, pub time.Time) (time.Time, model.Precision, float64, bool) {
			wd := weekdays[strings.ToLower(m[2])]
			switch strings.ToLower(strings.TrimSpace(m[1])) {
			case "next":
				return nextWeekday(wd, pub), model.PrecisionDay, 0.7, true
			case "last":
				t := previousWeekday(wd, pub)
				if t.Equal(pubDay(pub)) {
					t = t.AddDate(0, 0, -7)
				}
				return t, model.PrecisionDay, 0.75, true
			}
			return previousWeekday(wd, pub), model.PrecisionDay, 0.8, true
		}},
	// three days ago; a week ago.
	{[]string{" ago"}, regexp.MustCompile(`(?i)\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|a few|\d+) (day|week|month|year)s? ago\b`),
		func(m []string, pub time.Time) (time.Time, model.Precision, float64, bool) {
			n, ok := numberWords[strings.ToLower(m[1])]
			if !ok {
				n = atoi(m[1])
			}
			p := pubDay(pub)
			switch strings.ToLower(m[2]) {
			case "day":
				return p.AddDate(0, 0, -n), model.PrecisionDay, 0.8, true
			case "week":
				return p.AddDate(0, 0, -7*n), model.PrecisionDay, 0.4, true
			case "month":
				t := p.AddDate(0, -n, 0)
				return day(t.Year(), t.Month(), 1), model.PrecisionMonth, 0.6, true
			}
			return day(p.Year()-n, 1, 1), model.PrecisionYear, 0.6, true
		}},
	// last week / last month / last year / this year / earlier this month.
	{[]string{"week", "month", "year"}, regexp.MustCompile(`(?i)\b(last|this|earlier this|later this) (week|weekend|month|year)\b`),
		func(m []string, pub time.Time) (time.Time, model.Precision, float64, bool) {
			p := pubDay(pub)
			last := strings.EqualFold(m[1], "last")
			switch strings.ToLower(m[2]) {
			case "week":
				if last {
					return p.AddDate(0, 0, -7), model.PrecisionDay, 0.35, true
				}
				return p, model.PrecisionDay, 0.3, true
			case "weekend":
				sat := previousWeekday(time.Saturday, p)
				if last && sat.Equal(p) {
					sat = sat.AddDate(0, 0, -7)
				}
				return sat, model.PrecisionDay, 0.5, true
			case "month":
				if last {
					t := p.AddDate(0, -1, 0)
					return day(t.Year(), t.Month(), 1), model.PrecisionMonth, 0.7, true
				}
				return day(p.Year(), p.Month(), 1), model.PrecisionMonth, 0.6, true
			}
			if last {
				return day(p.Year()-1, 1, 1), model.PrecisionYear, 0.7, true
			}
			return day(p.Year(), 1, 1), model.PrecisionYear, 0.5, true
		}},
	// at/over the weekend.
	{[]string{"weekend"}, regexp.MustCompile(`(?i)\b(?:at|over) the weekend\b`), func(_ []string, pub time.Time) (time.Time, model.Precision, float64, bool) {
		sat := previousWeekday(time.Saturday, pub)
		if pubDay(pub).Sub(sat) < 24*time.Hour && pubDay(pub).Weekday() == time.Saturday {
			return sat, model.PrecisionDay, 0.5, true
		}
		return sat, model.PrecisionDay, 0.5, true
	}},
}

// weekdayArticle: a weekday right after an article is a name or an
// adjective ("a Tuesday paper", "the Monday deadline", "The Friday
// meeting"), not the day something happened.
var weekdayArticle = regexp.MustCompile(`(?i)\b(?:a|an|the|every|each)\s+$`)

// bareWeekday: text[a:b] is a weekday alone (no "on", "last", "next") that an
// article introduces.
func bareWeekday(text string, a, b int) bool {
	if _, ok := weekdays[strings.ToLower(text[a:b])]; !ok {
		return false
	}
	return weekdayArticle.MatchString(text[max(0, a-8):a])
}

// ResolveDates finds every date text mentions and resolves it against the
// publication time pub. Matches do not overlap: the longest, most specific
// form wins ("Friday 26 April 2024" is one date, not three). The result is in
// text order.
func ResolveDates(text string, pub time.Time) []model.DateFound {
	if pub.IsZero() {
		pub = time.Now().UTC()
	}
	type span struct {
		start, end int
		d          model.DateFound
	}
	var spans []span
	taken := make([]bool, len(text)+1)
	free := func(a, b int) bool {
		for i := a; i < b; i++ {
			if taken[i] {
				return false
			}
		}
		return true
	}
	lower := strings.ToLower(text)
	folded := litfilter.ContainsRuneOf(text, dateFold) // the long s: every pattern reads the text
	for k, p := range datePatterns {
		if !folded && !litfilter.ContainsAny(lower, p.need) {
			continue
		}
		for _, loc := range dateFinders[k].findAll(text, lower, true) {
			a, b := loc[0], loc[1]
			if !free(a, b) {
				continue
			}
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = text[loc[2*i]:loc[2*i+1]]
				}
			}
			t, prec, conf, ok := p.resolve(m, pub)
			if !ok || t.Year() < 1900 || t.Year() > 2200 {
				continue
			}
			if bareWeekday(text, a, b) {
				continue
			}
			for i := a; i < b; i++ {
				taken[i] = true
			}
			spans = append(spans, span{a, b, model.DateFound{Date: t, Precision: prec, Confidence: conf,
				Phrase: strings.TrimSpace(text[a:b]), Offset: a}})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	out := make([]model.DateFound, len(spans))
	for i, s := range spans {
		out[i] = s.d
	}
	return out
}

var futureCue = regexp.MustCompile(`(?i)\b(will|is due|are due|is expected|are expected|is set to|are set to|scheduled|next|plans? to|ahead of|adjourned (?:until|to)|until|bailed until|bail until)\b[^.]{0,60}$`)

// isFuture says whether the words before a date put it in the future
// ("will appear on Friday 26 April").
func isFuture(text string, offset int) bool {
	start := strings.LastIndexAny(text[:offset], ".!?\n")
	return futureCue.MatchString(text[start+1 : offset])
}

// docDate is the happened date a document supports, with its weight.
type docDate struct {
	model.DateFound
	score float64
}

// reportingCue: a date right after these words dates the report ("police
// confirmed on Sunday"), not necessarily the event.
var reportingCue = regexp.MustCompile(`(?i)\b(?:said|says|confirmed|announced|told|reported|revealed|disclosed|emerged|learned|statement)\s+(?:late |early )?$`)

// dateTextLimit bounds how much of a text is read for dates: when something
// happened is said early; later dates are background.
const dateTextLimit = 2500

// happenedDate picks the date a document's event happened on. Dates in the
// title and lead, attached to the words that say what happened ("arrested in
// March", "appeared in court on Friday"), and not in the future count most;
// the publication day itself is a candidate, since news reports what just
// happened. statement says the document is itself a statement: its words are
// the event, so its day is the publication day.
func happenedDate(title, text string, pub time.Time, triggers []int, official, statement bool) (model.DateFound, []model.DateFound) {
	if len(text) > dateTextLimit {
		cut := dateTextLimit
		for cut > 0 && !utf8Start(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	full := title + "\n\n" + text
	found := ResolveDates(full, pub)
	lead := len(title) + 2 + leadLength(text)
	p := pubDay(pub)
	// Without a date in the text, a news report dates its event only to the
	// month of its publication: reports say what happened that day or the
	// day before, but a day the text does not state is not a fact to show.
	// The date carried is still the publication day, the best guess within
	// that month, so a timeline sorts and ranks it by its day (most gold
	// dates of the Timeline17 dev topics are a publication day of the
	// topic's articles, see timeline17-dev/README.md); its precision says
	// only the month is known. The guess is weak (confidence 0.3, score
	// 0.6): any date the text ties to what happened beats it. An official
	// document dates its own announcement to the day (score 1.2), and an
	// official statement's words are the event, so its publication day is
	// its date whatever else it mentions.
	fallback := model.DateFound{Date: p, Precision: model.PrecisionMonth, Confidence: 0.3}
	best := docDate{fallback, 0.6}
	if official {
		best.Precision, best.Confidence, best.score = model.PrecisionDay, 0.6, 1.2
	}
	fixed := official && statement
	if fixed {
		best.Confidence = 0.9
	}
	// A date's score starts from how surely its phrase names a day (0.35
	// for "last week" up to 0.95 for "26 April 2024", see datePatterns) and
	// is weighed by where it stands: doubled in the title and lead, where
	// reports say what happened; a tenth for a date ahead of publication or
	// after "will", "is due" (what is announced, not what happened); up to
	// three times for one in the same sentence as the words that say what
	// happened, within 100 bytes ("arrested in March"); halved after
	// reporting verbs ("police confirmed on Sunday" dates the confirming);
	// and older dates count less unless tied to what happened: a quarter
	// beyond a year (background), half beyond two months. Statements are
	// reported as they are made, so a statement's dates over a month old
	// are a tenth. A score of 3 is full confidence. These were set by hand
	// on the demo corpus and our fixtures (dates_test.go holds the cases)
	// when dating was written; Timeline17's key dates (dev Date-F1 0.733)
	// use them as they are.
	var mentioned []model.DateFound
	for _, d := range found {
		if pageStamp(full, d.Offset, d.Offset+len(d.Phrase), len(title)+2) {
			// The page states its own day: the publication-day guess
			// is known to the day, and still as weak as any guess.
			if pubDay(d.Date).Equal(p) && best.Phrase == "" && best.Precision == model.PrecisionMonth {
				best.Precision = model.PrecisionDay
			}
			continue
		}
		score := d.Confidence
		if d.Offset < lead {
			score *= 2
		}
		if d.Date.After(p) || isFuture(full, d.Offset) {
			score *= 0.1
		}
		// Closeness to the words that say what happened (same sentence).
		near := 0.0
		for _, tr := range triggers {
			tr += len(title) + 2
			if tr < 0 || tr > len(full) {
				continue
			}
			dist := d.Offset - tr
			if dist < 0 {
				dist = -dist * 2 // dates usually follow the verb: one before it counts double the distance
			}
			if dist < 100 && !strings.ContainsAny(full[min(tr, d.Offset):max(tr, d.Offset)], ".!?\n") {
				near = max(near, 1-float64(dist)/120)
			}
		}
		age := p.Sub(d.Date).Hours() / 24
		switch {
		case statement && age > 30:
			score *= 0.1 // statements are reported as they are made
		case near > 0:
		case age > 365:
			score *= 0.25 // background
		case age > 60:
			score *= 0.5
		}
		if !statement && reportingCue.MatchString(full[max(0, d.Offset-30):d.Offset]) {
			score *= 0.5
		}
		score *= 1 + 2*near
		d.Offset -= len(title) + 2 // offsets are into the text; the title's are negative
		if !fixed && score > best.score {
			best = docDate{d, score}
		}
		mentioned = append(mentioned, d)
	}
	if best.Phrase != "" {
		best.Confidence = min(1, best.score/3)
	}
	return best.DateFound, mentioned
}

// stampCue marks a page's own time stamp next to a date: "Page last updated
// at 11:24 GMT, Tuesday, 27 September 2011", "Last updated: 29 June 2010",
// "Published: 5 January 2011", "16:55 UK time, Tuesday, 23 March 2010". A
// bare "published" or a clock time without its zone is prose ("the
// government published the evidence", "at 10.30 on Tuesday").
var stampCue = regexp.MustCompile(`(?i)\b(?:last updated|first published|(?:updated|published|posted)(?:\s+at\b|\s*:))|\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?\s*)?(?:GMT|BST|UTC|[ECMP][SD]T|UK time|local time)\b`)

// stampLead is how far into the text a page's time stamp stands: it heads
// the page, before or just after the headline.
const stampLead = 300

// pageStamp says whether the date at full[a:b] is the page's own time stamp
// (when it was published or last updated) rather than a date the report
// gives: it stands in the title or the first stampLead bytes of the text
// (the text starts at full[start:]), within 40 bytes of a stamp cue on the
// same line. Such a date says when the page was written, not when anything
// happened, so it must not outweigh the lead's "on Monday" as a stated date
// would (doubled for standing in the lead). Seen on the Timeline17 dev pages
// (BBC "Page last updated at …" headers): 29 of the 137 MJ pages were dated
// by their stamp; without it one takes its lead's "on Monday" (a gold date),
// 25 keep their publication day (22 now as the day the page states, three
// by their "today" or "this week"), two take a year from their lead and one
// an older date. Date-F1 of the dev topics is unchanged (0.728), as are the
// demo's dates.
func pageStamp(full string, a, b, start int) bool {
	if a > start+stampLead {
		return false
	}
	lo, hi := max(0, a-40), min(len(full), b+40)
	// The cue must be on the same line as the date.
	if i := strings.LastIndexByte(full[lo:a], '\n'); i >= 0 {
		lo += i + 1
	}
	if i := strings.IndexByte(full[b:hi], '\n'); i >= 0 {
		hi = b + i
	}
	return stampCue.MatchString(full[lo:a]) || stampCue.MatchString(full[b:hi])
}

// leadLength is the length of the first paragraph (or 400 bytes).
func leadLength(text string) int {
	if i := strings.Index(text, "\n"); i > 0 && i < 600 {
		return i
	}
	return min(len(text), 400)
}

// dateVote is one document's support for an event date.
type dateVote struct {
	model.DateFound
	weight float64
}

// voteDate picks an event's happened date from its documents' dates: the
// month with the most weighted support, then within it the best-supported day
// if days carry enough of that support.
func voteDate(votes []dateVote) model.DateFound {
	if len(votes) == 0 {
		return model.DateFound{}
	}
	type acc struct {
		w    float64
		best dateVote
	}
	monthKey := func(t time.Time) string { return t.Format("2006-01") }
	monthW := map[string]*acc{}
	dayW := map[string]*acc{}
	yearW := map[int]*acc{}
	total := 0.0
	add := func(m map[string]*acc, k string, v dateVote) {
		a := m[k]
		if a == nil {
			a = &acc{}
			m[k] = a
		}
		a.w += v.weight
		if v.weight > a.best.weight || (v.weight == a.best.weight && v.Offset < a.best.Offset) {
			a.best = v
		}
	}
	for _, v := range votes {
		total += v.weight
		a := yearW[v.Date.Year()]
		if a == nil {
			a = &acc{}
			yearW[v.Date.Year()] = a
		}
		a.w += v.weight
		if v.Precision == model.PrecisionYear {
			continue
		}
		add(monthW, monthKey(v.Date), v)
		if v.Precision == model.PrecisionDay {
			add(dayW, v.Date.Format("2006-01-02"), v)
		}
	}
	bestKey := func(m map[string]*acc) (string, *acc) {
		var bk string
		var ba *acc
		for k, a := range m {
			if ba == nil || a.w > ba.w || (a.w == ba.w && k < bk) {
				bk, ba = k, a
			}
		}
		return bk, ba
	}
	mk, ma := bestKey(monthW)
	if ma == nil {
		var by int
		var ba *acc
		for y, a := range yearW {
			if ba == nil || a.w > ba.w || (a.w == ba.w && y < by) {
				by, ba = y, a
			}
		}
		d := votes[0].DateFound
		d.Date, d.Precision, d.Confidence = day(by, 1, 1), model.PrecisionYear, min(1, ba.w/total)
		for _, v := range votes {
			if v.Date.Year() == by {
				d.Phrase = v.Phrase
				break
			}
		}
		return d
	}
	inMonth := map[string]*acc{}
	for k, a := range dayW {
		if strings.HasPrefix(k, mk) {
			inMonth[k] = a
		}
	}
	_, da := bestKey(inMonth)
	if da != nil && da.w >= 0.5*ma.w {
		d := da.best.DateFound
		d.Confidence = min(1, da.w/total)
		return d
	}
	// Known to the month: the date carried is the best-supported day in it
	// — days the texts give, and the publication days of reports that give
	// none (a month vote without a phrase) — while its precision says only
	// the month is asserted.
	d := ma.best.DateFound
	guess := map[time.Time]float64{}
	for _, v := range votes {
		if v.Date.Format("2006-01") == mk && (v.Precision == model.PrecisionDay || (v.Precision == model.PrecisionMonth && v.Phrase == "")) {
			guess[v.Date] += v.weight
		}
	}
	var bestDay time.Time
	for t, w := range guess {
		if bestDay.IsZero() || w > guess[bestDay] || (w == guess[bestDay] && t.Before(bestDay)) {
			bestDay = t
		}
	}
	if !bestDay.IsZero() {
		d.Date = bestDay
	}
	d.Precision = model.PrecisionMonth
	d.Confidence = min(1, ma.w/total)
	return d
}
