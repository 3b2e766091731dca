package timeline

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/watchline/watchline/model"
)

// Quote extraction finds what people and organisations said in a text, in
// their own words (direct speech, in quotation marks) or reported ("the
// minister said that …", "…, according to officials"), and who said it.
//
// It works sentence by sentence. A sentence with a reporting verb (cues.go)
// is read in one of a few shapes: the content after the verb ("X said (that)
// …", "X told reporters …"), the content first and the speech tag last ("…,
// X said." / "…,” said X, the ROLE."), the tag in the middle ("…, X said,
// …"), "according to X", or a participle hanging off a clause ("…, adding
// that …"). Quotations without a verb of their own attach to the speaker of
// the quotation before them in the same paragraph or the paragraph before,
// to a dash attribution ("“…” — Name"), to a transcript label ("NAME: …"),
// or, in an official statement, to its author. The speaker phrase is then
// resolved: pronouns and "the minister", "the company" to the nearest
// compatible speaker named earlier (speakers.go).

// quoteExtractor finds quotations and who said them. It is safe for
// concurrent use.
type quoteExtractor struct {
	rec  *recogniser
	cues map[string]cueForm
}

func newQuoteExtractor(rec *recogniser) *quoteExtractor {
	return &quoteExtractor{rec: rec, cues: buildCues()}
}

// docMeta is what attribution needs to know about the document.
type docMeta struct {
	Official  bool
	Author    string // who speaks in an official document, or the byline of a report
	Published time.Time
}

// word is a word of the text with its byte offsets.
type word struct {
	start, end int
	lower      string
	quoted     bool // inside a quotation
}

// wordBufs keeps word slices for reuse: a text's words are needed only
// while its quotes are read, and making them anew for every document was a
// fifth of what the clusterer allocated (BenchmarkCluster, 30,000 synthetic
// documents), which the garbage collector then had to follow.
var wordBufs = sync.Pool{New: func() any { return new([]word) }}

// found is one attribution found in a sentence, in byte offsets.
type found struct {
	cStart, cEnd int      // content
	spk          textSpan // the speaker phrase as written (empty: see inherit)
	role         string   // role given beside the speaker phrase (apposition)
	inherit      bool     // the speaker is the subject of the sentence or attribution before
	lead         bool     // the speaker is the sentence's leading subject
	direct       bool     // the content holds a quotation
	naming       bool     // a naming or judging verb: the quotations in the content are the words said
	stance       bool     // a judging verb with an object: a position taken ("criticized the deal")
	cue          model.QuoteCue
	sentence     int
	para         int
}

type textSpan struct{ start, end int }

func (s textSpan) empty() bool { return s.end <= s.start }

// textAnalysis is one text being read.
type textAnalysis struct {
	qe     *quoteExtractor
	text   string // the text with Unicode spaces as ASCII ones
	orig   string // the text as stored
	spans  []quoteSpan
	sents  []sentence
	words  []word
	sw     [][2]int // each sentence's words [from, to)
	ms     []mention
	meta   docMeta
	roles  map[string]string // person -> role, as worked out (roleOfPerson)
	gender map[string]byte   // person -> 'm', 'f' or 0, as worked out (genderOf)
	leads  map[int]textSpan  // sentence -> its leading subject, as computed
	out    []found
}

// extract returns the attributed quotations in text, direct and reported,
// in text order. Quotations nobody can be found for are left out.
//
// ms are the actors the recogniser found in text, in text order.
func (qe *quoteExtractor) extract(text string, meta docMeta, ms []mention) []model.Quote {
	if len(text) == 0 {
		return nil
	}
	meta.Author = qe.authorSpeaker(meta.Author, meta.Published)
	// Unicode spaces become ASCII spaces of the same byte length, so the
	// rules see one kind of space and offsets stay those of the text.
	ta := &textAnalysis{qe: qe, text: asciiSpaces(text), orig: text, meta: meta}
	ta.spans = findQuoteSpans(text)
	ta.sents = splitSentences(text, ta.spans, qe.tagAfter(text))
	buf := wordBufs.Get().(*[]word)
	ta.words = (*buf)[:0]
	defer func() {
		clear(ta.words) // keep no text alive
		*buf = ta.words[:0]
		wordBufs.Put(buf)
	}()
	ta.tokenize()
	hasCue := false
	for _, w := range ta.words {
		if _, ok := qe.cues[w.lower]; ok && !w.quoted || w.lower == "according" {
			hasCue = true
			break
		}
	}
	if !hasCue && len(ta.spans) == 0 && !strings.Contains(text, ":") {
		return nil
	}
	ta.ms = ms
	for si := range ta.sents {
		ta.sentenceAttributions(si)
	}
	ta.attachBareQuotes()
	return ta.quotes()
}

// asciiSpaces replaces no-break, thin and other Unicode spaces with as many
// ASCII spaces as they take bytes.
func asciiSpaces(text string) string {
	if !strings.ContainsAny(text, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if size > 1 && unicode.IsSpace(r) {
			b.WriteString("   "[:size])
		} else {
			b.WriteString(text[i : i+size]) // invalid bytes too, as they are
		}
		i += size
	}
	return b.String()
}

// tagAfter returns a test for a speech tag right after offset i: a say verb
// within the next few words, before any punctuation ("Trump said",
// "the senator from Ohio asked").
func (qe *quoteExtractor) tagAfter(text string) func(i int) bool {
	return func(i int) bool {
		end := min(len(text), i+80)
		if k := strings.IndexAny(text[i:end], ".?!\n;:\"“”"); k >= 0 {
			end = i + k
		}
		ws := strings.FieldsFunc(text[i:end], func(r rune) bool { return !(isWordRune(r) || r == '\'' || r == '’') })
		for n, w := range ws {
			lw := strings.ToLower(w)
			if n > 5 || negations[lw] || strings.HasSuffix(lw, "n't") || verbWords[lw] {
				return false // "His wife did not comment" is a sentence of its own
			}
			if c, ok := qe.cues[lw]; ok && (c.class&cueSay != 0 || c.lemma == "ask" || c.lemma == "wonder") && !c.ing && !c.needParticle && !isCapitalised(w) {
				return len(ws)-n <= 8 // a tag is short: "Trump said on Tuesday"
			}
		}
		return false
	}
}

// tokenize splits the text into words and marks those inside quotations.
func (ta *textAnalysis) tokenize() {
	text := ta.text
	// An ASCII text is lower-cased once and its words sliced from that.
	var lower string
	if isASCII(text) {
		lower = strings.ToLower(text)
	}
	ta.words = slices.Grow(ta.words[:0], len(text)/6)
	k := 0
	start := -1
	flush := func(end int) {
		w := word{start: start, end: end}
		for w.end > w.start && strings.ContainsRune(".'’-", rune(text[w.end-1])) {
			w.end--
		}
		if w.end > w.start {
			if lower != "" {
				w.lower = lower[w.start:w.end]
			} else {
				w.lower = strings.ToLower(text[w.start:w.end])
			}
			for k < len(ta.spans) && ta.spans[k].end <= w.start {
				k++
			}
			w.quoted = k < len(ta.spans) && w.start >= ta.spans[k].start && w.start < ta.spans[k].end
			ta.words = append(ta.words, w)
		}
		start = -1
	}
	for i, r := range text {
		inWord := isWordRune(r) || (start >= 0 && (r == '\'' || r == '’' || r == '-' || r == '.') &&
			isWordRune(nextRune(text, i+utf8.RuneLen(r))))
		if r >= 0x2E80 && unicode.Is(unicode.Han, r) {
			if start >= 0 {
				flush(i)
			}
			start = i
			flush(i + utf8.RuneLen(r))
			continue
		}
		if inWord {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			flush(i)
		}
	}
	if start >= 0 {
		flush(len(text))
	}
	ta.sw = make([][2]int, len(ta.sents))
	wi := 0
	for si, s := range ta.sents {
		for wi < len(ta.words) && ta.words[wi].start < s.start {
			wi++
		}
		from := wi
		for wi < len(ta.words) && ta.words[wi].start < s.end {
			wi++
		}
		ta.sw[si] = [2]int{from, wi}
	}
}

// quoteAt returns the quotation that covers offset i, or nil.
func (ta *textAnalysis) quoteAt(i int) *quoteSpan {
	k := sort.Search(len(ta.spans), func(k int) bool { return ta.spans[k].close > i })
	if k < len(ta.spans) && ta.spans[k].open <= i {
		return &ta.spans[k]
	}
	return nil
}

// quotesIn returns the quotations that lie within [a, b).
func (ta *textAnalysis) quotesIn(a, b int) []quoteSpan {
	var out []quoteSpan
	for _, q := range ta.spans {
		if q.open >= a && q.close <= b {
			out = append(out, q)
		}
	}
	return out
}

// Words that adjust how a cue is read.
var (
	negations = toSet("not n't never no nobody neither nor declined refused refuses declines decline refuse")
	// auxiliaries and adverbs that sit between a speaker and the verb
	// ("has also said", "would later write").
	auxWords = toSet(`has have had is was were are am be been being will would could can may might must shall should
also later then earlier previously repeatedly recently publicly privately again often once first further reportedly
flatly quickly immediately separately similarly likewise specifically explicitly simply just still already even
only long frequently openly subsequently initially originally ultimately finally now since today yesterday tonight
firmly strongly loudly quietly angrily bluntly forcefully clearly directly personally formally officially
essentially basically apparently allegedly reportedly allegedly famously memorably recently subsequently did does do
went goes go on to`)
	// words before a cue that make it a noun ("the report", "his call").
	determiners = toSet("the a an his her its their our my your this that these those whose every each any no some")
	// time words that may follow a verb before the content ("said Monday").
	timeWords = toSet(`monday tuesday wednesday thursday friday saturday sunday mondays today tonight yesterday morning
afternoon evening night week weekend month year last this next earlier later recently previously on late early overnight
january february march april may june july august september october november december`)
	// prepositions that start an adjunct after a verb ("said in a statement").
	adjunctPreps = toSet(`in on at to during after before with via through from outside inside near for while
when upon over under about as by amid following ahead since`)
	objectPronouns = toSet("him her them me us you it")
	pronounWords   = toSet("he she they it we i you who which")
	// listeners a "told"/"urged" verb may take before the content.
	listenerNouns = toSet(`reporters journalists supporters voters audience crowd crowds lawmakers congress parliament
mps senators members officials investigators police prosecutors jurors jury court judge committee panel viewers
listeners readers students donors workers delegates colleagues staff aides allies followers residents interviewer
host hosts anchor network newspaper paper magazine outlet station radio television agency`)
	// participles that hang a second attribution off a clause.
)

// cueAt returns the cue of word wi, or false. "according to" and noun uses
// ("the report", "a call") are not verbs.
func (ta *textAnalysis) cueAt(wi int, from int) (cueForm, bool) {
	w := ta.words[wi]
	c, ok := ta.qe.cues[w.lower]
	if !ok || w.quoted {
		return c, false
	}
	if wi > from && !ta.words[wi-1].quoted && strings.TrimSpace(ta.text[ta.words[wi-1].end:w.start]) == "" {
		prev := ta.words[wi-1].lower
		if determiners[prev] || strings.HasSuffix(prev, "'s") || strings.HasSuffix(prev, "’s") {
			return c, false
		}
		// After a preposition a verb form is a noun ("acts of protest"),
		// unless it is a gerund ("by saying …") or an infinitive ("went
		// on to say").
		if (adjunctPreps[prev] && !(prev == "to" && w.lower == c.lemma) || prev == "of") && !strings.HasSuffix(w.lower, "ing") && !ta.gapHas(wi-1, wi, ",") {
			return c, false
		}
		// Forms that are nouns as often as verbs ("claims", "reports",
		// "calls") are verbs after a subject-like word only.
		if nounLike[w.lower] && !(pronounWords[prev] || auxWords[prev] || speakerNouns[prev] || plural(prev) ||
			findingNouns[prev] || docNouns[prev] || prev == "to" || ta.clauseAfter(wi) ||
			isCapitalised(ta.text[ta.words[wi-1].start:]) || ta.gapHas(wi-1, wi, ",") || ta.verbAfterAnd(wi)) {
			return c, false
		}
		// Passives report what someone else said ("is said to be", "were
		// first reported").
		if !strings.HasSuffix(w.lower, "ing") {
			for k := wi - 1; k >= from && k >= wi-3; k-- {
				p := ta.words[k].lower
				if beForms[p] {
					return c, false
				}
				if !auxWords[p] || ta.words[k].quoted {
					break
				}
			}
		}
	}
	// A capitalised verb in mid-sentence is a name ("Post", "Chant").
	if wi > from && unicode.IsUpper(nextRune(ta.text, w.start)) && w.lower != "said" && w.lower != "says" {
		return c, false
	}
	return c, true
}

// emptyObject says whether the object at start says nothing was said:
// "nothing", "little", "much about it", "more than that", "no comment" —
// not "more information about the shooting".
func (ta *textAnalysis) emptyObject(start, to int) bool {
	k := ta.wordAt(start, to)
	if k < 0 || k+1 >= to {
		return true
	}
	next := ta.words[k+1].lower
	switch ta.words[k].lower {
	case "nothing", "something", "anything", "everything", "little":
		return true
	case "no":
		return !ta.gapHas(k, k+1, ",") && ta.wordsIn(start, ta.sents[ta.sentenceOf(start)].end) <= 3
	}
	return adjunctPreps[next] || otherPreps[next] || next == "of" || ta.gapHas(k, k+1, ",")
}

// newClauseAt says whether a clause with its own subject starts at i: a
// pronoun, a name or a determiner, then a finite verb within a few words
// ("Mrs. Clinton would …", "the court has …").
func (ta *textAnalysis) newClauseAt(i, end int) bool {
	ws := strings.Fields(ta.text[i:min(end, i+60)])
	if len(ws) < 2 {
		return false
	}
	first := strings.ToLower(ws[0])
	if !(pronounWords[first] && first != "which" && first != "who" || determiners[first] || isCapitalised(ws[0])) {
		return false
	}
	for k := 1; k < len(ws) && k <= 4; k++ {
		w := strings.ToLower(strings.Trim(ws[k], ",.;:"))
		if finiteVerbs[w] || strings.HasSuffix(w, "n't") {
			return true
		}
		if c, ok := ta.qe.cues[w]; ok && w != c.lemma && !c.ing {
			return true // "but Republicans said"
		}
	}
	return false
}

// clauseAfter says whether word wi takes a clause or an object a noun
// cannot: "(another slide) shows that …", "(the video) shows him".
func (ta *textAnalysis) clauseAfter(wi int) bool {
	if wi+1 >= len(ta.words) || ta.between(ta.words[wi].end, ta.words[wi+1].start) != " " {
		return false
	}
	next := ta.words[wi+1].lower
	if next == "that" {
		// "(the slide) shows that": a verb agrees with its subject; "an
		// hourlong show that aired" is a noun and its relative clause.
		c := ta.qe.cues[ta.words[wi].lower]
		return ta.words[wi].lower != c.lemma
	}
	return objectPronouns[next] && next != "it" && next != "you"
}

// verbAfterAnd says whether word wi, after "and", "but" or "yet", is a verb
// of the subject before it: it takes an object or a clause ("and plans to
// …", "but claims that …", "and praised the ruling"), which a noun in a
// coordinated phrase ("federal and state law") does not.
func (ta *textAnalysis) verbAfterAnd(wi int) bool {
	if wi == 0 || wi+1 >= len(ta.words) {
		return false
	}
	switch ta.words[wi-1].lower {
	case "and", "but", "yet":
	default:
		return false
	}
	if !strings.HasSuffix(ta.words[wi].lower, "s") && !strings.HasSuffix(ta.words[wi].lower, "ed") {
		return false // a finite form: "plans", "claimed"
	}
	return ta.objectAfter(wi)
}

// objectAfter says whether word wi is followed by what a verb takes: a
// quotation, "that", "to", "for", a determiner, a pronoun or a name.
func (ta *textAnalysis) objectAfter(wi int) bool {
	if wi+1 >= len(ta.words) {
		return false
	}
	next := ta.words[wi+1]
	if ta.between(ta.words[wi].end, next.start) != " " {
		return markAtSafe(ta.text, ta.words[wi].end+1) != ""
	}
	return next.lower == "that" || next.lower == "to" || next.lower == "for" || determiners[next.lower] ||
		objectPronouns[next.lower] || isCapitalised(ta.text[next.start:])
}

// unsaid are modals and the infinitive marker: what follows has not been
// said ("should report", "will announce", "plans to say").
var unsaid = toSet("should must may might can could shall will 'll to")

// beForms make a following participle passive.
var beForms = toSet("is was were be been being are am 's")

// goOnWords before "to" keep a verb said: "went on to say".
var goOnWords = toSet("on went continued continues proceeded began begins started starts used")

// nounLike are forms of reporting verbs that are as often nouns.
var nounLike = toSet(`claim claims report reports call calls comment comments statement post posts attack attacks
question questions estimate estimates finding findings show shows charge charges promise promises pledge pledges vow
vows demand demands answer answers reply replies response concern hope hopes fear fears worry worries doubt doubts
project projects protest protests object objects remark remarks note notes boast boasts joke jokes signal signals
guarantee guarantees forecast forecasts warning warnings suggestion reason reasons testimony brand brands label labels
praise blast blasts slam slams counter counters answer repeat indicate urge press state states support supports favor
favors favour favours challenge challenges reference references echo echoes highlight highlights blame welcome mock
plan plans aim aims wish offer offers attack cite back backs rate rates charge charges vote votes fault faults`)

// negated says whether the words just before a cue deny it or make it
// something not (yet) said: "did not say", "declined to comment", "should
// report", "wants to announce".
func (ta *textAnalysis) negated(wi, from int) bool {
	for k := wi - 1; k >= from && k >= wi-3; k-- {
		w := ta.words[k].lower
		if negations[w] || strings.HasSuffix(w, "n't") {
			return true
		}
		if unsaid[w] && (k == wi-1 || auxWords[ta.words[wi-1].lower]) {
			// "went on to say", "continued to insist" are said all the same
			if w != "to" || k == from || !goOnWords[ta.words[k-1].lower] {
				return true
			}
		}
		if !auxWords[w] {
			return false
		}
	}
	return false
}

// sentenceAttributions finds the attributions of sentence si.
func (ta *textAnalysis) sentenceAttributions(si int) {
	s := ta.sents[si]
	from, to := ta.sw[si][0], ta.sw[si][1]
	if from == to {
		return
	}
	if ta.transcriptLine(si) {
		return
	}
	covered := s.start // content found so far ends here
	tagged := false    // a speech tag was read: only participles may follow
	var last *found
	for wi := from; wi < to; wi++ {
		w := ta.words[wi]
		if w.start < covered {
			// A coordinated clause with its own speaker ends the content
			// before it: "X agreed that …, but he said that …".
			if last == nil || w.quoted || !ta.isCue(wi) || !ta.coordinated(si, wi, last) {
				continue
			}
		}
		if w.lower == "according" && wi+1 < to && ta.words[wi+1].lower == "to" && !w.quoted {
			if f, ok := ta.accordingTo(si, wi); ok {
				ta.add(f)
				last = &ta.out[len(ta.out)-1]
				covered = max(f.cEnd, ta.words[wi+1].end)
			}
			continue
		}
		if nounCues[w.lower] != "" && !w.quoted {
			if f, ok := ta.nounCue(si, wi); ok {
				ta.add(f)
				last = &ta.out[len(ta.out)-1]
				covered = f.cEnd
				continue
			}
		}
		c, ok := ta.cueAt(wi, from)
		if !ok || ta.negated(wi, from) {
			continue
		}
		// A participle after a comma continues the attribution before it or
		// the sentence's subject: "…, adding that …".
		if c.ing && wi > from && (ta.gapHas(wi-1, wi, ",") || gerundPreps[ta.words[wi-1].lower]) {
			if f, ok := ta.contentAfter(si, wi, c); ok {
				f.inherit = true
				if last == nil {
					f.lead = true
				}
				ta.add(f)
				last = &ta.out[len(ta.out)-1]
				covered = f.cEnd
				continue
			}
		}
		if wi == from && c.class&cueSay != 0 && !listenerFirst[c.lemma] && !c.needParticle {
			// "Said Ellis: “…”" — the verb opens the sentence.
			if f, ok := ta.openingTag(si, wi); ok {
				ta.add(f)
				last = &ta.out[len(ta.out)-1]
				covered = f.cEnd
				continue
			}
		}
		if (c.class&(cueSay|cueTell) != 0 || c.lemma == "ask" || c.lemma == "wonder") && !c.needParticle {
			if f, ok := ta.speechTag(si, wi, c); ok {
				ta.add(f)
				last = &ta.out[len(ta.out)-1]
				// What follows the tag is not content; only a participle
				// may add to it (", adding …").
				covered = ta.words[wi].end
				tagged = true
				continue
			}
		}
		if tagged {
			continue
		}
		f, ok := ta.cueFirst(si, wi, c)
		if !ok {
			continue
		}
		ta.add(f)
		last = &ta.out[len(ta.out)-1]
		covered = f.cEnd
	}
}

// subordinators open a clause that ends at its comma.
var subordinators = toSet("though although when while if because since after before once unless whereas as")

// emptyContent opens a short object that says nothing was said.
var emptyContent = toSet("nothing little much something anything everything more less no")

// questionWords open a reported question.
var questionWords = toSet("whether if why what how who when where which")

// gerundPreps before an -ing cue make it a gerund that shares the
// sentence's subject ("responded by saying …").
var gerundPreps = toSet("by from after before while without in when upon")

// coordinated says whether cue wi, inside the content of last, starts a
// coordinated clause with a speaker of its own (", but he said", "; they
// said", ", while 73 percent said", "— and he noted"); if so it ends
// last's content there.
func (ta *textAnalysis) coordinated(si, wi int, last *found) bool {
	from := ta.sw[si][0]
	c, ok := ta.cueAt(wi, from)
	if !ok || ta.negated(wi, from) {
		return false
	}
	subj, _, ok := ta.subjectBefore(si, wi)
	// A finite verb: inflected ("urged", "says") or after an auxiliary
	// ("has called"); a bare form after "and" is more often a noun or an
	// infinitive ("MPs and think tanks").
	finite := ta.words[wi].lower != c.lemma || wi > from && auxWords[ta.words[wi-1].lower] || ta.objectAfter(wi)
	if ok && subj.empty() && !c.ing && finite {
		// "tweeted that … and encouraged Americans to …", "said … but
		// noted …": a second verb of the same subject ends the content
		// of the first (PolNeAR and PARC annotate each verb's content
		// apart).
		k := wi - 1
		for k > from && (auxWords[ta.words[k].lower] || mannerAdverb(ta.words[k].lower)) && !ta.gapHas(k, k+1, ",") {
			k--
		}
		if k <= from || ta.words[k].quoted || !(ta.words[k].lower == "and" || ta.words[k].lower == "but" || ta.words[k].lower == "yet") ||
			ta.words[k].start <= last.cStart {
			return false
		}
		cut := ta.words[k-1].end
		if q := ta.quoteAt(cut); q != nil && q.close <= ta.words[k].start {
			cut = q.close // past the closing mark: “absurd”
		}
		if cut <= last.cStart || ta.quotedAt(cut-1) && ta.quotedAt(ta.words[k].start) {
			return false
		}
		last.cEnd = trimEnd(ta.text, last.cStart, cut)
		last.direct = ta.holdsQuote(last.cStart, last.cEnd)
		return last.cEnd > last.cStart
	}
	if !ok || subj.empty() || subj.start <= last.cStart {
		return false
	}
	k := ta.wordAt(subj.start, ta.sw[si][1]) // the subject's first word
	if k < from+2 {
		return false
	}
	cut := -1
	switch conj := ta.words[k-1].lower; {
	case strings.ContainsAny(ta.between(ta.words[k-1].end, subj.start), ";"):
		cut = ta.words[k-1].end // "…; they said"
	case coordinators[conj] && strings.ContainsAny(ta.between(ta.words[k-2].end, ta.words[k-1].start), ",;—–-"):
		cut = ta.words[k-2].end // "…, but he said"
	case conj == "but" || conj == "while" || conj == "whereas" || conj == "though" || conj == "although":
		cut = ta.words[k-2].end
	}
	if cut <= last.cStart {
		return false
	}
	last.cEnd = trimEnd(ta.text, last.cStart, cut)
	last.direct = ta.holdsQuote(last.cStart, last.cEnd)
	return last.cEnd > last.cStart
}

// coordinators join clauses with speakers of their own.
var coordinators = toSet("and but while whereas as yet")

func (ta *textAnalysis) add(f found) {
	f.direct = f.direct || ta.holdsQuote(f.cStart, f.cEnd)
	ta.out = append(ta.out, f)
}

// holdsQuote says whether [a, b) holds (the start of) a quotation.
func (ta *textAnalysis) holdsQuote(a, b int) bool {
	for _, q := range ta.quotesIn(a, b+3) {
		if q.start < b {
			return true
		}
	}
	return false
}

// wordAt returns the index of the first word starting at or after offset
// i (before word index to), or -1.
func (ta *textAnalysis) wordAt(i, to int) int {
	k := sort.Search(len(ta.words), func(k int) bool { return ta.words[k].start >= i })
	if k >= to || k >= len(ta.words) {
		return -1
	}
	return k
}

// wordsIn counts the words in [a, b); an ideograph counts as a word.
func (ta *textAnalysis) wordsIn(a, b int) int {
	i := sort.Search(len(ta.words), func(k int) bool { return ta.words[k].start >= a })
	j := sort.Search(len(ta.words), func(k int) bool { return ta.words[k].start >= b })
	return j - i
}

// between is the text in [a, b), or "" when b is not after a.
func (ta *textAnalysis) between(a, b int) string {
	if a < 0 || b > len(ta.text) || b <= a {
		return ""
	}
	return ta.text[a:b]
}

// gapHas says whether the text between words a and b contains s.
func (ta *textAnalysis) gapHas(a, b int, s string) bool {
	return strings.Contains(ta.between(ta.words[a].end, ta.words[b].start), s)
}

// transcriptLine reads a line of a transcript or a headline in the form
// "SPEAKER: what they said": a label of one to four capitalised words at the
// start of a paragraph, then a colon. The content runs to the end of the
// paragraph.
func (ta *textAnalysis) transcriptLine(si int) bool {
	s := ta.sents[si]
	if !s.paraStart {
		return false
	}
	para := s.para
	end := s.end
	for k := si + 1; k < len(ta.sents) && ta.sents[k].para == para; k++ {
		end = ta.sents[k].end
	}
	line := ta.text[s.start:end]
	m := transcriptRe.FindStringSubmatchIndex(line)
	if m == nil {
		return false
	}
	label := line[m[2]:m[3]]
	if _, cue := ta.qe.cues[strings.ToLower(firstWord(label))]; cue {
		return false // "Said Ellis: …" is a tag, read below
	}
	if strings.Count(strings.TrimSpace(line[m[1]:]), " ") < 1 {
		return false
	}
	// In an official press-conference transcript the answers are the
	// author's ("A: …", "Answer: …"); the questions are the press's.
	answer := false
	switch strings.ToLower(label) {
	case "a", "answer":
		answer = ta.meta.Official && ta.meta.Author != ""
	}
	if notLabels[strings.ToLower(label)] && !answer {
		return false
	}
	// A person (or organisation) named as the label, or a label in capitals
	// as transcripts print them.
	ls, le := s.start+m[2], s.start+m[3]
	if !answer && (strings.ToUpper(label) != label && !ta.namesActor(ls, le) && !isNameRun(label) && strings.Contains(label, " ") ||
		ta.onlyPlaceOrDate(textSpan{ls, le}) || timeWords[strings.ToLower(label)]) {
		return false
	}
	f := found{cStart: s.start + m[1], cEnd: trimEnd(ta.text, s.start, end), spk: textSpan{s.start + m[2], s.start + m[3]},
		sentence: si, para: para}
	if answer {
		f.spk, f.inherit = textSpan{}, true
	}
	if f.cEnd-f.cStart < 8 {
		return false
	}
	f.direct = true // a transcript gives the words as spoken
	ta.out = append(ta.out, f)
	// The rest of the paragraph belongs to this line.
	for k := si + 1; k < len(ta.sents) && ta.sents[k].para == para; k++ {
		ta.sw[k][1] = ta.sw[k][0]
	}
	return true
}

var transcriptRe = regexp.MustCompile(`^["“”'‘]?\s*((?:[\p{Lu}][\p{L}'’.\-]*)(?: [\p{Lu}][\p{L}'’.\-]*){0,5})\s*:\s+`)

// notLabels are labels that introduce something other than a speaker.
var notLabels = toSet(`update updated note editor editors correction clarification disclosure related read watch photo
photos video videos image images source sources credit warning breaking exclusive analysis opinion comment live
listen see also background context timeline factbox explainer q a question answer headline subject re fw fwd
subscribe advertisement sponsored transcript more previously next contact email tel phone fax address date time
location summary key points what why how when where who`)

// isNameRun says whether s is two or three capitalised name words.
func isNameRun(s string) bool {
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 3 {
		return false
	}
	for _, w := range f {
		if !isNameWord(w) || notNameWords[w] {
			return false
		}
	}
	return true
}

// personIn says whether a person is named in [a, b).
func (ta *textAnalysis) personIn(a, b int) bool {
	for _, m := range ta.ms {
		if m.offset >= a && m.end <= b && m.actor.Kind == "person" {
			return true
		}
	}
	return false
}

// namesActor says whether a person or organisation mention lies in [a, b).
func (ta *textAnalysis) namesActor(a, b int) bool {
	for _, m := range ta.ms {
		if m.offset >= a && m.end <= b && (m.actor.Kind == "person" || m.actor.Kind == "organisation") {
			return true
		}
	}
	return false
}

// trimEnd drops trailing spaces and a final full stop from [start, end).
func trimEnd(text string, start, end int) int {
	for end > start && strings.ContainsRune(" \t\n.,;:", rune(text[end-1])) {
		end--
	}
	return end
}

// trimStart skips spaces, commas and colons.
func trimStart(text string, start, end int) int {
	for start < end && strings.ContainsRune(" \t\n,;:—–-", rune(text[start])) {
		start++
	}
	return start
}

// accordingTo reads "According to X, …" and "…, according to X".
func (ta *textAnalysis) accordingTo(si, wi int) (found, bool) {
	s := ta.sents[si]
	to := ta.words[wi+1]
	// The source runs to the next comma or the end of the sentence.
	srcEnd := s.end
	if i := strings.IndexAny(ta.text[to.end:s.end], ",;"); i >= 0 {
		srcEnd = to.end + i
	}
	src := textSpan{trimStart(ta.text, to.end, srcEnd), trimEnd(ta.text, to.end, srcEnd)}
	if src.empty() || len(strings.Fields(ta.text[src.start:src.end])) > 14 {
		return found{}, false
	}
	f := found{spk: src, sentence: si, para: s.para}
	before := strings.TrimSpace(ta.text[s.start:ta.words[wi].start])
	if onlyFronting(before) {
		f.cStart, f.cEnd = trimStart(ta.text, srcEnd, s.end), trimEnd(ta.text, srcEnd, s.end)
	} else {
		f.cStart, f.cEnd = ta.skipDateline(s.start, s.end), trimEnd(ta.text, s.start, ta.words[wi].start)
	}
	if len(strings.Fields(ta.text[f.cStart:max(f.cStart, f.cEnd)])) < 3 {
		return found{}, false
	}
	return f, true
}

// onlyFronting says whether s is nothing but a conjunction or adverb that
// can open a sentence ("But", "And yet").
func onlyFronting(s string) bool {
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if !frontWords[strings.Trim(w, ",")] {
			return false
		}
	}
	return true
}

var frontWords = toSet(`but and yet so still also meanwhile however instead now then later earlier separately similarly
indeed moreover furthermore besides thus hence or nor while as`)

// speechTag reads a sentence whose content comes first and whose last words
// say who spoke: "…, X said (on Monday)." / "“…,” said X, the ROLE." /
// "“…?” she asked." A tag in the middle ("…, he said, …") makes the whole
// sentence the content.
func (ta *textAnalysis) speechTag(si, wi int, c cueForm) (found, bool) {
	s := ta.sents[si]
	text := ta.text
	cue := ta.words[wi]
	f := found{sentence: si, para: s.para}
	// Normal order: "…, X said (adjuncts)."
	if subj, role, ok := ta.subjectBefore(si, wi); ok && !subj.empty() {
		b, ok := ta.boundaryBefore(si, subj.start)
		if !ok || b <= s.start {
			return found{}, false
		}
		rest := text[ta.skipObject(si, wi, c):ta.participleCut(si, wi)]
		f.spk, f.role = subj, role
		// After a quotation, "that" in the tail starts a relative clause
		// ("told reporters after the meeting that ended late").
		// A quotation that makes up most of what comes before the tag
		// ("“…,” he said"), not a title quoted in a fronted phrase ("On
		// “Fox News Sunday,” Pence said his …").
		quoted := false
		if q := ta.quoteAt(b - 1); q != nil {
			quoted = ta.wordsIn(s.start, q.open) <= 3 || ta.wordsIn(q.start, q.end)*2 >= ta.wordsIn(s.start, b)
		}
		if quoted && ta.resumedAfter(si, wi) {
			// "“…,” Tester said, referring to the excuse, “…”": the
			// quotation resumes after the tag's afterthought; one quote.
			f.cStart, f.cEnd = s.start, trimEnd(text, s.start, s.end)
			return f, true
		}
		if ta.adjunctOnly(rest) || quoted && ta.adjunctOnly(strings.Replace(rest, " that ", " which ", 1)) {
			f.cStart, f.cEnd = s.start, b
			return ta.tagContent(f)
		}
		// "…, he said, …": a tag in the middle, when what follows goes on
		// with the content rather than starting a clause of its own; the
		// tag may end with adjuncts ("Stumpf explained earlier in the
		// hearing, were …").
		r := strings.TrimLeft(rest, " ")
		if i := strings.IndexByte(r, ','); i > 0 && ta.adjunctOnly(r[:i]) {
			r = r[i:]
		}
		if quoted && !(strings.HasPrefix(r, ",") && markAtSafe(strings.TrimLeft(r[1:], " "), 0) != "") {
			// "“…,” she said of the election, in which …": after a
			// quotation, a subject and a say verb are a speech tag whatever
			// follows it (a place, an occasion, a clause about the
			// speaker), unless "that" or a colon opens content of its own.
			if w := strings.ToLower(firstWord(r)); w == "that" || strings.HasPrefix(r, ":") {
				return found{}, false
			}
			f.cStart, f.cEnd = s.start, b
			return ta.tagContent(f)
		}
		if !strings.HasPrefix(r, ",") {
			return found{}, false
		}
		if next := strings.ToLower(firstWord(r[1:])); (clauseConj[next] || frontWords[next]) && next != "that" ||
			strings.HasSuffix(next, "ing") {
			// "…,” she said, and …": the tag ends the content; a clause
			// of its own follows.
			f.cStart, f.cEnd = s.start, b
			return ta.tagContent(f)
		}
		f.cStart, f.cEnd = s.start, trimEnd(text, s.start, s.end)
		return f, true
	}
	// Inverted: "…,” said X, the ROLE." — a say verb right after the
	// boundary; a tell verb's next words are its listener, not its subject.
	if listenerFirst[c.lemma] {
		return found{}, false
	}
	b, ok := ta.boundaryBefore(si, cue.start)
	if !ok || b <= s.start {
		return found{}, false
	}
	subjEnd := s.end
	if i := strings.Index(text[cue.end:s.end], ","); i >= 0 {
		subjEnd = cue.end + i
	}
	subj := textSpan{trimStart(text, cue.end, subjEnd), trimEnd(text, cue.end, subjEnd)}
	if subj.empty() || !ta.plausibleSpeaker(subj) {
		return found{}, false
	}
	ws := strings.Fields(text[subj.start:subj.end])
	if len(ws) > 12 || pronounWords[strings.ToLower(ws[0])] || timeWords[strings.ToLower(ws[0])] {
		return found{}, false
	}
	f.spk = subj
	if subjEnd < s.end {
		f.role = strings.TrimSpace(strings.Trim(text[subjEnd:trimEnd(text, subjEnd, s.end)], ", "))
	}
	f.cStart, f.cEnd = s.start, b
	return ta.tagContent(f)
}

// resumedAfter says whether, after the tag verb wi of sentence si, the
// sentence goes on with a comma and a quotation, and nothing between is an
// attribution of its own ("…,” Tester said, referring to the excuse, “…”).
func (ta *textAnalysis) resumedAfter(si, wi int) bool {
	s := ta.sents[si]
	for n := wi + 1; n < ta.sw[si][1]; n++ {
		w := ta.words[n]
		if w.quoted {
			q := ta.quoteAt(w.start)
			return q != nil && strings.HasSuffix(strings.TrimRight(ta.text[ta.words[wi].end:q.open], " "), ",") && q.open < s.end
		}
		if c, ok := ta.qe.cues[w.lower]; ok && (c.class&^cueJudge != 0 || !c.ing) {
			return false // ", emphasizing why …": an attribution of its own
		}
	}
	return false
}

// listenerFirst are verbs whose next words are always the listener.
var listenerFirst = toSet("tell inform notify remind assure instruct urge press encourage beg implore advise warn")

// participleCut is where a participle after a comma starts a second
// attribution after verb wi (", adding that …"), or the sentence's end.
func (ta *textAnalysis) participleCut(si, wi int) int {
	for n := wi + 1; n < ta.sw[si][1]; n++ {
		w := ta.words[n]
		if w.quoted || !ta.gapHas(n-1, n, ",") {
			continue
		}
		if cf, ok := ta.qe.cues[w.lower]; ok && cf.ing || w.lower == "according" || strings.HasSuffix(w.lower, "ing") ||
			(clauseConj[w.lower] || frontWords[w.lower]) && w.lower != "that" {
			return ta.words[n-1].end
		}
	}
	return ta.sents[si].end
}

// skipDateline returns where content starting at a sentence's start begins
// once a dateline ("LONDON (Wire) - ") is skipped.
func (ta *textAnalysis) skipDateline(start, end int) int {
	if m := datelineRe.FindStringIndex(ta.text[start:end]); m != nil {
		return start + m[1]
	}
	return start
}

// openingTag reads a sentence that opens with its verb: "Said Ellis: …",
// "Added the minister, …".
func (ta *textAnalysis) openingTag(si, wi int) (found, bool) {
	s := ta.sents[si]
	text := ta.text
	end := ta.words[wi].end
	i := strings.IndexAny(text[end:s.end], ":,")
	if i < 0 {
		return found{}, false
	}
	subj := textSpan{trimStart(text, end, end+i), trimEnd(text, end, end+i)}
	if subj.empty() || !isCapitalised(text[subj.start:]) || !ta.plausibleSpeaker(subj) || len(strings.Fields(text[subj.start:subj.end])) > 8 {
		return found{}, false
	}
	f := found{cStart: trimStart(text, end+i, s.end), cEnd: trimEnd(text, end+i, s.end), spk: subj, sentence: si, para: s.para}
	if ta.wordsIn(f.cStart, f.cEnd) < 2 {
		return found{}, false
	}
	return f, true
}

// tagContent trims the content before a speech tag: a content that is one
// quotation is the quotation.
func (ta *textAnalysis) tagContent(f found) (found, bool) {
	f.cEnd = trimEnd(ta.text, f.cStart, f.cEnd)
	f.cStart = ta.skipDateline(f.cStart, f.cEnd)
	f.cStart = trimStart(ta.text, f.cStart, f.cEnd)
	if len(strings.Fields(ta.text[f.cStart:max(f.cStart, f.cEnd)])) < 2 {
		return found{}, false
	}
	return f, true
}

// boundaryBefore finds, just before offset at (spaces aside), the end of
// the content a tag follows: a comma, a closing quotation mark (with or
// without a comma), a dash, or the ? or ! that ends a quoted question. It
// returns the offset where the content ends.
func (ta *textAnalysis) boundaryBefore(si, at int) (int, bool) {
	s := ta.sents[si]
	i := at
	for i > s.start && (ta.text[i-1] == ' ' || ta.text[i-1] == '\t') {
		i--
	}
	if i <= s.start {
		return 0, false
	}
	if q := ta.quoteAt(i - 1); q != nil && q.close == i {
		return i, true // "“…,” he said" / "“…?” she asked"
	}
	r, size := utf8.DecodeLastRuneInString(ta.text[:i])
	switch r {
	case ',':
		j := i - size
		if q := ta.quoteAt(j - 1); q != nil && q.close == j {
			return j, true // "“…”, he said"
		}
		return j, true
	case '—', '–':
		return i - size, true
	}
	return 0, false
}

// adjunctOnly says whether the words after a verb are only adjuncts, so the
// verb ends a speech tag: "", "on Monday", "in a statement", "to reporters
// at the White House", "Tuesday night".
func (ta *textAnalysis) adjunctOnly(rest string) bool {
	rest = strings.TrimSpace(rest)
	rest = strings.TrimRight(rest, ".!?;:)")
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return true
	}
	if strings.ContainsAny(rest, "“”\"«»„") || strings.HasPrefix(rest, ",") {
		return false
	}
	ws := strings.Fields(rest)
	if len(ws) > 12 {
		return false
	}
	first := strings.ToLower(strings.Trim(ws[0], ",.;:"))
	if first == "that" {
		return false
	}
	for i, w := range ws {
		lw := strings.ToLower(strings.Trim(w, ",.;:"))
		if i > 0 && determiners[strings.ToLower(ws[i-1])] {
			continue // "a question": a noun
		}
		if _, cue := ta.qe.cues[lw]; cue && !strings.HasSuffix(lw, "ing") || verbWords[lw] && lw != "to" {
			return false // a clause of its own, not an adjunct
		}
	}
	if quantityWords[first] && len(ws) > 1 {
		// "several months after her release", "two days later"
		timed := false
		for _, w := range ws[1:min(len(ws), 4)] {
			if timeNouns[strings.ToLower(strings.Trim(w, ",."))] {
				timed = true
			}
		}
		if !timed {
			return false
		}
	} else if mannerAdverb(first) {
		// "sarcastically", "bitterly on Monday": the adverb alone or before
		// an adjunct
		return len(ws) == 1 || ta.adjunctOnly(strings.Join(ws[1:], " "))
	} else if !(adjunctPreps[first] || timeWords[first] || first == "citing" || first == "speaking" || first == "referring" ||
		first == "according" || first == "adding" || first == "in" || first == "last" || first == "this") {
		return false
	}
	for _, w := range ws {
		if strings.EqualFold(strings.Trim(w, ",."), "that") {
			return false
		}
	}
	return true
}

// mannerAdverb says whether w is an adverb of manner in -ly that may follow
// a reporting verb ("said sarcastically", "complained bitterly that"), not
// a noun or name that ends so ("family", "rally", "July").
func mannerAdverb(w string) bool {
	return len(w) > 4 && strings.HasSuffix(w, "ly") && !lyNouns[w]
}

// lyNouns are common words in -ly that are not adverbs.
var lyNouns = toSet("family rally ally supply assembly reply italy july bully belly jelly folly holy only early daily weekly monthly yearly likely unlikely friendly elderly")

// quantityWords and timeNouns make time phrases ("two days later").
var (
	quantityWords = toSet("a an one two three four five six seven eight nine ten several few many some days weeks")
	timeNouns     = toSet("second seconds minute minutes hour hours day days week weeks month months year years decade decades time times")
)

// skipObject returns where the words after a verb start, past the listener
// of a tell verb: a pronoun ("told him"), a word for listeners ("told
// reporters"), a name ("told CNN", "told The Washington Post"), or a short
// noun phrase ("told the RT America audience", "told some of the miners").
func (ta *textAnalysis) skipObject(si, wi int, c cueForm) int {
	to := ta.sw[si][1]
	end := ta.words[wi].end
	if c.class&cueTell == 0 || wi+1 >= to {
		return end
	}
	k := wi + 1
	if ta.words[k].quoted || ta.gapHas(wi, k, ",") || ta.gapHas(wi, k, ":") {
		return end
	}
	// nounPhrase consumes [det] Capitalised* [noun] from n and returns the
	// index after it.
	nounPhrase := func(n int) int {
		if n < to && (determiners[ta.words[n].lower] || quantifiers[ta.words[n].lower]) {
			n++
		}
		start := n
		for n < to && n < start+5 && !ta.words[n].quoted && !ta.gapHas(n-1, n, ",") && isCapitalised(ta.text[ta.words[n].start:]) {
			n++
		}
		if n < to && !ta.words[n].quoted && !ta.gapHas(n-1, n, ",") && !isCapitalised(ta.text[ta.words[n].start:]) &&
			ta.words[n].lower != "that" && ta.words[n].lower != "of" && !adjunctPreps[ta.words[n].lower] && !ta.isCue(n) && (n == start || listenerNouns[ta.words[n].lower] || n-start < 1) {
			n++ // the head noun: "the crowd", "the RT America audience"
		}
		return n
	}
	w := ta.words[k]
	switch {
	case objectPronouns[w.lower] || listenerNouns[w.lower]:
		return w.end
	case plural(w.lower) && !isCapitalised(ta.text[w.start:]) && !ta.isCue(k) && !adjunctPreps[w.lower]:
		return w.end // "told broadcasters"
	case determiners[w.lower] || quantifiers[w.lower] || isCapitalised(ta.text[w.start:]):
		n := nounPhrase(k)
		if n < to && ta.words[n].lower == "of" && !ta.gapHas(n-1, n, ",") {
			n = nounPhrase(n + 1) // "some of the miners"
		}
		if n > k {
			return ta.words[n-1].end
		}
	}
	return end
}

// quantifiers open a noun phrase like a determiner ("some of the miners").
var quantifiers = toSet("some many several most all both few one two three four five members each")

func isCapitalised(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return strings.Trim(f[0], ",.;:")
	}
	return ""
}

// cueFirst reads "X said (that) …": the speaker before the verb, the
// content after it.
func (ta *textAnalysis) cueFirst(si, wi int, c cueForm) (found, bool) {
	subj, role, ok := ta.subjectBefore(si, wi)
	f, okc := ta.contentAfter(si, wi, c)
	if !okc {
		return found{}, false
	}
	if !ok {
		return found{}, false
	}
	if c.ing && !subj.empty() && !beForms[ta.words[wi-1].lower] && !auxWords[ta.words[wi-1].lower] {
		// "In a statement announcing the pick, the union called …": a
		// participle after a noun reports what the noun says; the content
		// ends at the comma, and the noun, not its preposition, speaks.
		for i := f.cStart; i < f.cEnd; i++ {
			if ta.text[i] == ',' && !ta.quotedAt(i) && !(i > 0 && i+1 < len(ta.text) && isDigit(ta.text[i-1]) && isDigit(ta.text[i+1])) {
				f.cEnd = trimEnd(ta.text, f.cStart, i)
				break
			}
		}
		if name := ta.nameBefore(wi-1, ta.wordAt(subj.start, wi)-1); !name.empty() && name.start > subj.start {
			subj = name // "footage of Hillary Clinton asking …": she asks
		} else if k := ta.wordAt(subj.start, wi); k >= 0 && k+1 < wi && (adjunctPreps[ta.words[k].lower] || otherPreps[ta.words[k].lower]) {
			subj.start = ta.words[k+1].start
		}
		f.direct = ta.holdsQuote(f.cStart, f.cEnd)
	}
	if subj.empty() {
		f.lead = true
		f.inherit = true
	}
	f.spk, f.role = subj, role
	// Findings are what documents and inquiries say, or a clause after
	// "that": "the police found the car" is not a finding reported.
	if c.class&^(cueFind|cueThink) == 0 && c.class&cueFind != 0 && !f.that(ta) && !ta.documentSpeaker(subj) {
		return found{}, false
	}
	if c.class&^(cueThink|cueIntend) == 0 && !f.that(ta) && !ta.clauseStart(f.cStart) &&
		!(c.class&cueIntend != 0 && ta.infinitive(f.cStart)) {
		return found{}, false
	}
	if (c.lemma == "deny" || c.lemma == "admit") && !f.that(ta) && !f.direct && !ta.holdsQuote(f.cStart, f.cEnd) {
		return found{}, false // "denied the charges": a plea, not words reported
	}
	if c.lemma == "ask" || c.lemma == "wonder" {
		// "asked (her) whether …", "asked: “…”"; "asked a question" reports
		// none.
		if markAtSafe(ta.text, f.cStart) != "" {
			return f, true
		}
		to := ta.sw[si][1]
		for n := ta.wordAt(f.cStart, to); n >= 0 && n < to && ta.words[n].start < f.cEnd && n < ta.wordAt(f.cStart, to)+6; n++ {
			if questionWords[ta.words[n].lower] {
				f.cStart = ta.words[n].start
				return f, true
			}
			if ta.words[n].lower == "to" && n > ta.wordAt(f.cStart, to) {
				return f, true // "asked the crowd to welcome …": a request
			}
		}
		return found{}, false
	}
	// "Though she called it “outrageous”, Clinton …": a subordinate
	// clause ends at its comma.
	if !subj.empty() {
		before := strings.Fields(strings.ToLower(ta.text[ta.sents[si].start:subj.start]))
		if len(before) > 0 && subordinators[strings.Trim(before[len(before)-1], ",")] {
			for i := f.cStart; i < f.cEnd; i++ {
				if ta.text[i] == ',' && !ta.quotedAt(i) && !ta.quotedAt(i-1) {
					f.cEnd = trimEnd(ta.text, f.cStart, i)
					break
				}
			}
		}
	}
	if w := strings.ToLower(ta.text[subj.start:subj.end]); w == "who" || w == "which" || w == "that" {
		// A relative clause ends at the next comma: "X, who said …, went".
		if i := strings.Index(ta.text[f.cStart:f.cEnd], ", "); i >= 0 {
			f.cEnd = f.cStart + i
		}
	}
	return f, true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// infinitive says whether a to-infinitive starts at i ("to bring back",
// not "to the voters").
func (ta *textAnalysis) infinitive(i int) bool {
	ws := strings.Fields(ta.text[i:min(len(ta.text), i+40)])
	if len(ws) < 2 || ws[0] != "to" {
		return false
	}
	next := strings.ToLower(strings.Trim(ws[1], ",.;:"))
	return !determiners[next] && !quantifiers[next] && !pronounWords[next] && !objectPronouns[next] && !isCapitalised(ws[1]) &&
		(len(next) == 0 || !unicode.IsDigit(rune(next[0])))
}

// cueOf is what a verb attributes when its content starts at start: speech
// for verbs of saying (and questions, denials and admissions), a position
// for a judging verb with an object, an intention for "wants to …", a
// belief, or a finding.
func (ta *textAnalysis) cueOf(c cueForm, stance bool, start int) model.QuoteCue {
	switch {
	case stance && strings.HasSuffix(strings.TrimRight(ta.text[max(0, start-6):start], " "), "that"):
		return model.CueSay // "charges that …", "disputes that …": a claim made
	case stance:
		return model.CueStance
	case c.class&(cueSay|cueTell|cueCall|cueJudge) != 0 || c.lemma == "ask" || c.lemma == "wonder" || c.lemma == "deny" || c.lemma == "admit":
		return model.CueSay
	case c.class&cueIntend != 0 && (ta.infinitive(start) || c.class&cueThink == 0):
		return model.CueIntend
	case c.class&cueThink != 0:
		return model.CueThink
	case c.class&cueFind != 0:
		return model.CueFind
	}
	return model.CueSay
}

// nextParagraph is the paragraph after sentence si, when si ends its own
// paragraph: the content of a tag that ends with a colon.
func (ta *textAnalysis) nextParagraph(si int) (found, bool) {
	if si+1 >= len(ta.sents) || !ta.sents[si+1].paraStart {
		return found{}, false
	}
	n := ta.sents[si+1]
	end := n.end
	for k := si + 2; k < len(ta.sents) && ta.sents[k].para == n.para; k++ {
		end = ta.sents[k].end
	}
	end = trimEnd(ta.text, n.start, end)
	if ta.wordsIn(n.start, end) < 3 {
		return found{}, false
	}
	return found{cStart: n.start, cEnd: end, sentence: si + 1, para: n.para, direct: true}, true // verbatim, if without marks
}

// objectEnd is where the object of a judging verb ends within [start,
// end): the noun phrase and its complements ("criticized Obama for not
// doing enough"), not a comma's afterthought (", which …", ", another
// example …"), a clause of time or reason ("as Pyongyang fired …") or a
// trailing time ("on Thursday"). PolNeAR's contents end there (set on its
// dev split).
func (ta *textAnalysis) objectEnd(si, start, end int) int {
	to := ta.sw[si][1]
	for n := ta.wordAt(start, to); n >= 0 && n < to && ta.words[n].start < end; n++ {
		w := ta.words[n]
		if w.quoted || w.start <= start {
			continue
		}
		// "as" ends the object before a clause ("as Pyongyang fired"),
		// not before a description ("derided the deal as toothless").
		asClause := w.lower == "as" && n+1 < to && (pronounWords[ta.words[n+1].lower] || isCapitalised(ta.text[ta.words[n+1].start:]))
		if ta.gapHas(n-1, n, ",") && commaEnders[w.lower] || objectEnders[w.lower] || asClause || ta.occasionAt(n, to) {
			end = trimEnd(ta.text, start, ta.words[n-1].end)
			break
		}
	}
	if m := trailingTimeRe.FindStringIndex(ta.text[start:end]); m != nil && m[0] > 0 {
		end = trimEnd(ta.text, start, start+m[0])
	}
	return end
}

// occasionAt says whether word n starts the occasion of what was said
// ("at its regular news briefing", "in an interview", "during the
// debate", "on Twitter"), which is not part of a position's object.
func (ta *textAnalysis) occasionAt(n, to int) bool {
	switch ta.words[n].lower {
	case "during":
		return true
	case "at", "in", "on":
	default:
		return false
	}
	for k := n + 1; k < to && k <= n+4; k++ {
		if occasionNouns[ta.words[k].lower] {
			return true
		}
	}
	return false
}

// occasionNouns are where and how things are said.
var occasionNouns = toSet(`briefing briefings conference interview interviews statement statements speech speeches rally
rallies meeting hearing debate event forum appearance tweet tweets post posts twitter facebook broadcast show program
programme op-ed column letter`)

// objectEnders start a clause after an object ("as", "while", "because");
// after a comma, commaEnders start an afterthought (", which …", ",
// another example of …").
var (
	objectEnders = toSet("while although though because whereas but yet amid")
	commaEnders  = toSet("which another even the a an")
)

// nounCues are nouns that report what their owner said or holds, with the
// cue they stand for: "Trump's claim that …", "his comment about …", "the
// union's call for …", "her promise to …". PolNeAR annotates such noun
// cues as attributions (set on its dev split).
var nounCues = func() map[string]model.QuoteCue {
	m := map[string]model.QuoteCue{}
	for cue, words := range map[model.QuoteCue]string{
		model.CueSay: `claim claims assertion assertions statement statements comment comments remark remarks allegation
allegations accusation accusations charge charges warning warnings suggestion suggestions promise promises pledge
pledges vow vows insistence admission denial answer response message argument arguments call calls demand demands
complaint complaints`,
		model.CueThink:  `view views belief beliefs theory idea ideas assessment conclusion prediction predictions estimate hope hopes fear fears concern concerns`,
		model.CueIntend: `plan plans proposal proposals decision intention wish`,
		model.CueStance: `criticism praise support opposition endorsement`,
	} {
		for _, w := range strings.Fields(words) {
			m[w] = cue
		}
	}
	return m
}()

// nounCue reads a noun cue owned by a speaker ("Donald Trump's claim that
// …", "his infamous comment about …", "Tulsa police's earlier claim that
// …"): the owner speaks; the content follows "that", "about", "of", "on",
// "for" or "to", and ends at the first comma outside quotations or the end
// of the sentence.
func (ta *textAnalysis) nounCue(si, wi int) (found, bool) {
	from, to := ta.sw[si][0], ta.sw[si][1]
	s := ta.sents[si]
	// The owner: a possessive up to two words back ("his earlier claim").
	k := wi - 1
	for k > from && wi-k <= 2 && !possessiveWord(ta.words[k].lower) && !ta.words[k].quoted && startsLower(ta.words[k].lower) &&
		!determiners[ta.words[k].lower] && !ta.gapHas(k, wi, ",") {
		k--
	}
	if k < from || ta.words[k].quoted || !possessiveWord(ta.words[k].lower) || ta.gapHas(k, wi, ",") {
		return found{}, false
	}
	var spk textSpan
	switch ta.words[k].lower {
	case "his", "her", "their", "its":
		spk = textSpan{ta.words[k].start, ta.words[k].end}
	default:
		end := ta.words[k].end - len("’s")
		if strings.HasSuffix(ta.text[ta.words[k].start:ta.words[k].end], "'s") {
			end = ta.words[k].end - 2
		}
		start := ta.words[k].start
		if isCapitalised(ta.text[start:]) {
			for n := k - 1; n >= from && n > k-4 && isCapitalised(ta.text[ta.words[n].start:]) && !ta.gapHas(n, n+1, ",") &&
				!ta.words[n].quoted && !notNameWords[ta.text[ta.words[n].start:ta.words[n].end]]; n-- {
				start = ta.words[n].start
			}
		} else if !speakerNouns[strings.TrimSuffix(strings.TrimSuffix(ta.words[k].lower, "'s"), "’s")] {
			return found{}, false // "the law's promise": not a speaker
		} else if k > from && isCapitalised(ta.text[ta.words[k-1].start:]) && !ta.gapHas(k-1, k, ",") {
			start = ta.words[k-1].start // "Tulsa police's"
		}
		spk = textSpan{start, end}
	}
	if spk.empty() || !ta.plausibleSpeaker(spk) && !possessiveWord(strings.ToLower(ta.between(spk.start, spk.end))) {
		return found{}, false
	}
	// What was claimed.
	if wi+2 >= to {
		return found{}, false
	}
	next := ta.words[wi+1]
	cue := nounCues[ta.words[wi].lower]
	switch next.lower {
	case "that":
	case "about", "of", "on", "for":
		if next.lower == "of" && cue != model.CueSay && cue != model.CueStance {
			return found{}, false // "his plan of action"
		}
	case "to":
		if !ta.infinitive(next.start) {
			return found{}, false
		}
	default:
		return found{}, false
	}
	if ta.between(ta.words[wi].end, next.start) != " " {
		return found{}, false
	}
	start := next.end
	if next.lower == "to" {
		start = next.start // "her promise to cut taxes": the infinitive is the content
	}
	start = trimStart(ta.text, start, s.end)
	if w := ta.wordAt(start, to); w >= 0 && timeWords[ta.words[w].lower] {
		return found{}, false // "her message on Saturday": no content
	}
	// The content ends at a comma (or one that closes a quotation) before
	// a new clause, not at the commas of a list ("to cut individual,
	// corporate and estate taxes").
	end := s.end
	for i := start; i < s.end; i++ {
		if ta.text[i] != ',' && ta.text[i] != ';' || i+1 < len(ta.text) && isDigit(ta.text[i-1]) && isDigit(ta.text[i+1]) {
			continue
		}
		cut := i
		if q := ta.quoteAt(i); q != nil && i >= q.start {
			if q.close-i > 4 {
				continue // a comma inside a quotation
			}
			cut = q.close // ",''": the quotation closes the content
		}
		w := ta.wordAt(cut, to)
		np := next.lower != "that" && next.lower != "to" // a noun phrase after "about", "of", "on", "for"
		if np || ta.text[i] == ';' || w < 0 || clauseOpeners[ta.words[w].lower] || isCapitalised(ta.text[ta.words[w].start:]) {
			end = cut
			break
		}
	}
	if next.lower != "that" && next.lower != "to" {
		// "his comment about the poll was …": the noun phrase ends at the
		// sentence's verb.
		for n := ta.wordAt(start, to); n >= 0 && n < to && ta.words[n].start < end; n++ {
			if (finiteVerbs[ta.words[n].lower] || verbWords[ta.words[n].lower]) && !ta.words[n].quoted {
				end = ta.words[n].start
				break
			}
		}
	}
	end = trimEnd(ta.text, start, end)
	if ta.wordsIn(start, end) < 2 {
		return found{}, false
	}
	return found{cStart: start, cEnd: end, spk: spk, sentence: si, para: s.para, cue: cue}, true
}

// clauseOpeners start a new clause or an afterthought after a comma.
var clauseOpeners = toSet("which who whom whose but and or while although though as there he she they it we i you the a an this that these those so yet because since when where")

// possessiveWord says whether w owns what follows: "his", "Trump's".
func possessiveWord(w string) bool {
	switch w {
	case "his", "her", "their", "its":
		return true
	}
	return strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s")
}

// that says whether the content was introduced by "that".
func (f found) that(ta *textAnalysis) bool {
	before := strings.TrimRight(ta.text[max(0, f.cStart-6):f.cStart], " ")
	return strings.HasSuffix(strings.ToLower(before), "that")
}

// clauseStart says whether a clause starts at i: a pronoun, a determiner, a
// name or a number, as after "believes (that)".
func (ta *textAnalysis) clauseStart(i int) bool {
	w := strings.ToLower(firstWord(ta.text[i:min(len(ta.text), i+40)]))
	if pronounWords[w] || determiners[w] || isCapitalised(ta.text[i:]) || (w != "" && unicode.IsDigit(rune(w[0]))) ||
		w == "there" || w == "if" || w == "whether" || markAtSafe(ta.text, i) != "" {
		return true
	}
	// A noun phrase and its finite verb: "believe bigotry and xenophobia
	// are acceptable", "hoped electric utilities would be able to …".
	ws := strings.Fields(strings.ToLower(ta.text[i:min(len(ta.text), i+60)]))
	for k, w := range ws {
		if k > 5 || strings.ContainsAny(w, ",;:") && !finiteVerbs[strings.Trim(w, ",;:.")] {
			break
		}
		if k > 0 && (finiteVerbs[strings.Trim(w, ",;:.")] || strings.HasSuffix(w, "n't")) {
			return true
		}
	}
	return false
}

// finiteVerbs are auxiliaries and forms of "be" that make a clause.
var finiteVerbs = toSet("is are was were will would could can should may might must has have had does do did shall")

// documentSpeaker says whether a speaker phrase names a document, an
// inquiry or a body that finds things (a poll, a study, a court).
func (ta *textAnalysis) documentSpeaker(s textSpan) bool {
	ws := strings.Fields(strings.ToLower(ta.text[s.start:s.end]))
	if len(ws) == 0 {
		return false
	}
	// The head: the last word, or the last before a preposition ("video of
	// the incident", "documents from his tax return").
	for i, w := range ws {
		if i > 0 && (adjunctPreps[w] || otherPreps[w]) {
			if findingNouns[strings.Trim(ws[i-1], ",.")] {
				return true
			}
			break
		}
	}
	return findingNouns[strings.Trim(ws[len(ws)-1], ",.")] || ta.namesActor(s.start, s.end)
}

// findingNouns are things whose findings are reported.
var findingNouns = toSet(`poll polls survey surveys study studies report reports analysis analyses review audit
averages average numbers results ratings projections tallies count counts transcript transcripts video footage
photos images emails memo memos
investigation investigations inquiry probe research researchers data figures statistics court jury panel committee
commission inspector inspectors watchdog regulator economists scientists experts analysts estimates assessment
census test tests evidence documents records filings`)

// contentAfter reads the content after a verb: past a listener, time words
// and "that", to the end of the sentence, or to a participle that starts a
// second attribution (", adding that …").
func (ta *textAnalysis) contentAfter(si, wi int, c cueForm) (found, bool) {
	s := ta.sents[si]
	from, to := ta.sw[si][0], ta.sw[si][1]
	text := ta.text
	_ = from
	k := wi + 1
	// particles of phrasal cues: "called for", "pointed out", "spoke
	// about", past a time word ("called Friday for")
	if k+1 < to && timeWords[ta.words[k].lower] && particleAfter(c.lemma, ta.words[k+1].lower) {
		k++
	}
	if k < to && particleAfter(c.lemma, ta.words[k].lower) && !ta.words[k].quoted {
		k++
		if k < to && ta.words[k-1].lower == "out" && (ta.words[k].lower == "against" || ta.words[k].lower == "about" || ta.words[k].lower == "at") {
			k++ // "spoke out against", "lashed out at"
		}
	} else if c.needParticle {
		return found{}, false // "talked", "spoke": no speech reported without its particle
	}
	start := ta.words[wi].end
	if k > wi+1 {
		start = ta.words[k-1].end
	}
	if c.lemma == "vote" {
		// "voted 19-15 along party lines to send …": past the tally
		for n := k; n < to && n < k+6 && !ta.words[n].quoted; n++ {
			if ta.words[n].lower == "to" {
				start = ta.words[n-1].end
				break
			}
		}
	}
	if c.class&cueTell != 0 {
		// "told reporters that …": the listener is not what was said; in
		// "urged Congress to act" the listener is part of the request, as
		// PolNeAR marks it (set on its dev split).
		if past := ta.skipObject(si, wi, c); !ta.infinitive(trimStart(text, past, s.end)) || past == start {
			start = max(start, past)
		}
	}
	// "says of Clinton, “…”": what follows the comma is what was said.
	if w := ta.wordAt(start, to); w >= 0 && ta.words[w].lower == "of" && c.class&(cueSay|cueTell) != 0 {
		if k := strings.IndexByte(text[start:min(s.end, start+60)], ','); k > 0 && !ta.quotedAt(start+k) &&
			markAtSafe(text, trimStart(text, start+k+1, s.end)) != "" {
			start += k + 1
		}
	}
	// A colon after a few adjunct words: "told reporters outside the court:
	// “…”".
	if c := strings.IndexByte(text[start:min(s.end, start+100)], ':'); c >= 0 && !ta.quotedAt(start+c) {
		if between := strings.TrimSpace(text[start : start+c]); between == "" || ta.adjunctOnly(between) {
			start += c + 1
		}
	}
	// "that" within a few adjunct words: "said in a statement on Monday that".
	for n := k; n < to && n < k+14; n++ {
		w := ta.words[n]
		if w.start < start {
			continue
		}
		if w.quoted {
			break
		}
		if w.lower == "that" {
			between := strings.TrimSpace(text[start:w.start])
			if between == "" || ta.adjunctOnly(between) || c.class&cueTell != 0 {
				start = w.end
			}
			break
		}
	}
	// skip time words and adverbs: "said Monday he would …"
	for n := 0; n < 3; n++ {
		k := ta.wordAt(start, to)
		if k < 0 {
			break
		}
		nw := ta.words[k].lower
		if !(timeWords[nw] && nw != "this" && nw != "may" && nw != "last" && nw != "on" && nw != "next" || nw == "repeatedly" ||
			nw == "again" || nw == "publicly" || nw == "privately" || nw == "recently") {
			break
		}
		start = ta.words[k].end
	}
	if start == ta.words[wi].end && strings.HasPrefix(strings.TrimLeft(text[start:s.end], " "), ",") {
		// "reported, the embassy said …": after a comma only a quotation
		// is what was said.
		rest := strings.TrimLeft(text[start:s.end], " ,")
		if markAtSafe(rest, 0) == "" {
			return found{}, false
		}
	}
	start = trimStart(text, start, s.end)
	if start >= s.end && strings.HasSuffix(text[s.start:s.end], ":") && c.class&(cueSay|cueTell) != 0 {
		// "The governor added:" and a paragraph of its own: the paragraph
		// is what was said (a block quotation without marks).
		if f, ok := ta.nextParagraph(si); ok {
			return f, true
		}
	}
	end := s.end
	// A semicolon outside quotations ends what was said, and so does ",
	// but" before a clause with a subject of its own (", but Mrs. Clinton
	// would …"): the writer's contrast.
	for i := start; i < end; i++ {
		if text[i] == ';' && !ta.quotedAt(i) {
			end = i
			break
		}
		if text[i] == ',' && strings.HasPrefix(text[i:], ", but ") && !ta.quotedAt(i) && ta.newClauseAt(i+len(", but "), s.end) {
			end = i
			break
		}
	}
	end = trimEnd(text, start, end)
	// A second attribution hanging off this one, or a source named after
	// the content, ends it.
	for n := k; n < to; n++ {
		w := ta.words[n]
		if w.start < start || w.quoted {
			continue
		}
		if n > k && ta.gapHas(n-1, n, ",") {
			if cf, ok := ta.qe.cues[w.lower]; ok && cf.ing || strings.HasSuffix(w.lower, "ing") && len(w.lower) > 5 {
				end = trimEnd(text, start, w.start)
				break
			}
			if w.lower == "according" {
				end = trimEnd(text, start, w.start)
				break
			}
		}
	}
	if end <= start {
		return found{}, false
	}
	content := text[start:end]
	nw := ta.wordsIn(start, end)
	minWords := 3
	if c.class&(cueCall|cueJudge|cueTell|cueIntend) != 0 {
		minWords = 2 // "to strike", "the deal"
	}
	stance := c.class&^cueJudge == 0 && !ta.holdsQuote(start, end) // "dismissed the reports": a position taken
	if stance && c.lemma == "charge" && !strings.Contains(text[start:end], " with ") &&
		!strings.HasSuffix(strings.TrimRight(text[max(0, start-6):start], " "), "that") {
		return found{}, false // "charged fees": a price, not a charge brought
	}
	if stance {
		end = ta.objectEnd(si, start, end)
		nw = ta.wordsIn(start, end)
		if nw == 1 && isCapitalised(text[start:]) && c.lemma != "back" {
			minWords = 1 // "endorsed Trump", "attacked Machado"
		}
	}
	if nw < minWords {
		return found{}, false
	}
	f := found{cStart: start, cEnd: end, sentence: si, para: s.para, stance: stance, cue: ta.cueOf(c, stance, start)}
	if c.class&(cueSay|cueTell|cueThink|cueFind) == 0 {
		// Naming in quotation marks: the quotations are the words said when
		// they make up most of what follows the verb ("calling them “pure
		// fabrication”"); otherwise the whole phrase is reported.
		quoted := 0
		for _, q := range ta.quotesIn(start-1, end+3) {
			quoted += ta.wordsIn(q.start, q.end)
		}
		f.naming = quoted > 0 && quoted*2 >= ta.wordsIn(start, end)
	}
	if f.that(ta) {
		return f, true // after "that" comes what was said, however it starts
	}
	first := strings.ToLower(firstWord(content))
	if emptyContent[first] && nw <= 6 && ta.emptyObject(start, to) {
		return found{}, false // "said nothing about it"
	}
	if (clauseConj[first] && first != "if" && first != "after" && first != "before" || frontWords[first]) &&
		!(first == "as" && c.class&(cueCall|cueJudge) != 0) {
		return found{}, false // "said, and …": a new clause, not what was said
	}
	if first == "to" && c.class&cueIntend != 0 {
		return f, true // "vowed to …", "wants to …": what is intended
	}
	if stance && (adjunctPreps[first] || otherPreps[first] || first == "of") {
		return found{}, false // "an engineer accused of …": a passive, not a position taken
	}
	if c.class&(cueCall|cueJudge|cueTell) == 0 && (first == "to" || first == "of" || first == "about" || first == "with" ||
		first == "by" || first == "for" || first == "as" || first == "from" || first == "into") {
		return found{}, false
	}
	if first == "in" || first == "on" || first == "at" || first == "during" || first == "after" || first == "before" {
		if c.class&(cueCall|cueJudge) != 0 {
			return f, true
		}
		// "said after the convention he would …": past the adjunct to the
		// clause; "said in a speech." has none.
		for n := ta.wordAt(start, to); n >= 0 && n < to && n < ta.wordAt(start, to)+10; n++ {
			if ta.gapHas(max(n-1, 0), n, ",") && n > ta.wordAt(start, to) && !pronounWords[ta.words[n].lower] {
				break
			}
			if w := ta.words[n].lower; w == "he" || w == "she" || w == "they" || w == "we" || w == "i" || w == "it" {
				f.cStart = ta.words[n].start
				if ta.wordsIn(f.cStart, f.cEnd) >= 3 {
					return f, true
				}
				break
			}
		}
		return found{}, false
	}
	return f, true
}

// subjectBefore finds the speaker phrase before verb wi: the end of the
// clause before it, past auxiliaries and adverbs ("has also said"), an
// apposition or relative clause between commas ("X, a senior aide, said";
// "X, who …, said"), a fronted phrase ("In a statement, X said") and a
// leading conjunction. An empty span means the verb shares the subject of
// the sentence ("… and said"). ok is false when what stands before the verb
// cannot be a speaker.
func (ta *textAnalysis) subjectBefore(si, wi int) (textSpan, string, bool) {
	s := ta.sents[si]
	text := ta.text
	from := ta.sw[si][0]
	k := wi - 1
	for k >= from && (auxWords[ta.words[k].lower] || mannerAdverb(ta.words[k].lower) && k > from ||
		goOnWords[ta.words[k].lower] && ta.words[k+1].lower == "to") && !ta.gapHas(k, k+1, ",") {
		k-- // "has also said", "continued to call for"
	}
	if k < from {
		if wi == from {
			return textSpan{}, "", false
		}
		return textSpan{}, "", true // "Also said …" — rare; the sentence subject
	}
	end := ta.words[k].end
	gap := text[end:ta.words[k+1].start]
	if ta.words[k].quoted || strings.ContainsAny(gap, "“”\"«»„") {
		return textSpan{}, "", false
	}
	// A bracket before the verb gives a party or an age: "Jason Chaffetz
	// (R-Utah) said".
	if g := strings.TrimSpace(gap); strings.HasPrefix(g, ")") || strings.HasPrefix(g, ".)") {
		if o := strings.LastIndex(text[s.start:end], "("); o > 0 {
			end = s.start + o
			for end > s.start && text[end-1] == ' ' {
				end--
			}
			gap = g[strings.Index(g, ")")+1:]
			if strings.HasSuffix(text[s.start:end], ",") {
				end--
				gap = "," + gap
			}
		}
	}
	// The subject ends a clause that starts after a boundary.
	left := text[s.start:end]
	role := ""
	if strings.Contains(gap, ",") {
		// "X, the ROLE, said" / "X, who …, said"
		segs := topLevelSegments(left)
		if len(segs) < 2 {
			return textSpan{}, "", false
		}
		// "Johnnie Wilson, of Springfield, Va., said": a home town and its
		// state are one apposition.
		if n := len(segs); n >= 3 && strings.HasPrefix(strings.TrimSpace(left[segs[n-2][0]:segs[n-2][1]]), "of ") &&
			isNameRun1(strings.TrimSpace(left[segs[n-1][0]:segs[n-1][1]])) {
			segs = append(segs[:n-2:n-2], [2]int{segs[n-2][0], segs[n-1][1]})
		}
		last := segs[len(segs)-1]
		appos := strings.TrimSpace(left[last[0]:last[1]])
		head := segs[len(segs)-2]
		// "The party's chairman, Phil Lovas, said": the name speaks, the
		// phrase before it is the role.
		if ls, le := s.start+last[0], s.start+last[1]; ta.personIn(ls, le) && !apposition(appos) {
			// The phrase runs from the role to the name; the name speaks.
			hs := ta.clauseTail(s.start+head[0], s.start+head[1])
			from, role := ls, ""
			if !hs.empty() {
				from, role = hs.start, strings.TrimSpace(text[hs.start:hs.end])
			}
			if sub := (textSpan{trimStart(text, from, le), trimEnd(text, ls, le)}); !sub.empty() {
				return sub, role, true
			}
			return textSpan{}, "", false
		}
		if !apposition(appos) {
			return textSpan{}, "", false
		}
		if !relativeClause(appos) && !strings.HasPrefix(appos, "of ") {
			role = appos // not a home town ("of Springfield, Va.")
		}
		// Several appositions may follow the name: "X, president of Y,
		// which represents Z, said". The head is the first segment from
		// the right that is not one.
		hi := len(segs) - 2
		for hi > 0 {
			p := strings.TrimSpace(left[segs[hi][0]:segs[hi][1]])
			if !apposition(p) || ta.personIn(s.start+segs[hi][0], s.start+segs[hi][1]) {
				break
			}
			if !relativeClause(p) {
				role = p
			}
			hi--
		}
		head = segs[hi]
		hs, he := s.start+head[0], s.start+head[1]
		sub := ta.clauseTail(hs, he)
		if sub.empty() || !ta.plausibleSpeaker(sub) {
			return textSpan{}, "", false
		}
		return sub, role, true
	}
	sub := ta.clauseTail(s.start, end)
	if sub.empty() {
		return textSpan{}, "", true
	}
	if !ta.plausibleSpeaker(sub) {
		// Two nouns joined by "and" may be one subject, when the second
		// alone cannot speak ("Companies and individuals complain").
		if whole := ta.clauseTailOpt(s.start, end, true); whole.start < sub.start && ta.plausibleSpeaker(whole) &&
			ta.wordsIn(whole.start, whole.end) <= 8 {
			return whole, "", true
		}
	}
	if !ta.plausibleSpeaker(sub) {
		// "… were the third time AROS said": the name right before the
		// verb, when the clause before it is not a speaker.
		if name := ta.nameBefore(k, ta.sw[si][0]); !name.empty() {
			return name, "", true
		}
		return textSpan{}, "", false
	}
	return sub, role, true
}

// nameBefore returns the run of capitalised words ending at word k (one to
// four, not the sentence's first word, from on), or an empty span.
func (ta *textAnalysis) nameBefore(k, from int) textSpan {
	from = max(from, 0) // "Critics questioning …": no word before the first
	if k+1 >= len(ta.words) || strings.TrimSpace(ta.between(ta.words[k].end, ta.words[k+1].start)) != "" {
		return textSpan{} // "Hulu -- told": punctuation between
	}
	n := k
	for n >= from && n > k-4 && !ta.words[n].quoted && isCapitalised(ta.text[ta.words[n].start:]) &&
		!notNameWords[ta.text[ta.words[n].start:ta.words[n].end]] && (n == k || !ta.gapHas(n, n+1, ",")) {
		n--
	}
	if n == k || n < from {
		return textSpan{} // no name, or the sentence opens with it (read as a clause already)
	}
	return textSpan{ta.words[n+1].start, ta.words[k].end}
}

// isNameRun1 says whether s is one or two capitalised words (a place, a
// state: "Va.", "New Jersey").
func isNameRun1(s string) bool {
	ws := strings.Fields(s)
	if len(ws) == 0 || len(ws) > 2 {
		return false
	}
	for _, w := range ws {
		if !isCapitalised(w) {
			return false
		}
	}
	return true
}

// topLevelSegments splits s at ", " outside brackets and quotations,
// returning [start, end) offsets within s.
func topLevelSegments(s string) [][2]int {
	var out [][2]int
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				out = append(out, [2]int{start, i})
				start = i + 1
			}
		}
	}
	out = append(out, [2]int{start, len(s)})
	return out
}

// apposition says whether a phrase between commas after a name describes
// it: a relative clause, a role ("a senior aide", "the party's leader",
// "president of the NAACP"), an age or a party and state ("R-Ky.").
func apposition(p string) bool {
	p = strings.TrimSpace(p)
	if p == "" {
		return false
	}
	if relativeClause(p) {
		return true
	}
	ws := strings.Fields(p)
	if len(ws) > 30 {
		return false
	}
	first := strings.ToLower(ws[0])
	if partyWords[first] || strings.Contains(p, " of ") && len(ws) <= 8 {
		return true // "Democrat of California", "president of the NAACP"
	}
	if unicode.IsDigit(rune(first[0])) || partyRe.MatchString(p) {
		return true
	}
	if first == "a" || first == "an" || first == "the" || first == "who" || first == "one" || first == "now" ||
		first == "himself" || first == "herself" || first == "its" || first == "his" || first == "her" || first == "their" {
		return true
	}
	if strings.HasSuffix(first, "'s") || strings.HasSuffix(first, "’s") {
		return true
	}
	// "president of the NAACP", "chief executive of …", "Trump's lawyer"
	return !isCapitalised(p) || roleHeadRe.MatchString(p)
}

var (
	partyRe    = regexp.MustCompile(`^\(?[RDI]-[A-Z][A-Za-z.]*\)?$|^\([RDI]\)$`)
	roleHeadRe = regexp.MustCompile(`(?i)^(?:former |deputy |acting |vice |assistant |senior |chief |then-)*(?:president|chair|chairman|chairwoman|director|head|leader|secretary|minister|spokes\w+|executive|founder|editor|professor|lecturer|chief|ceo|mayor|governor|senator|representative|ambassador|commissioner|general|counsel|attorney|lawyer|adviser|advisor|analyst|economist|fellow|researcher|manager|officer|member|partner|owner|author|candidate|nominee|judge)\b`)
)

// partyWords open an apposition giving a politician's party.
var partyWords = toSet("democrat democrats republican republicans independent labour conservative tory liberal green")

func relativeClause(p string) bool {
	w := strings.ToLower(firstWord(p))
	return w == "who" || w == "which" || w == "whose" || w == "whom"
}

// clauseTail returns the subject phrase that ends at end: the words after
// the last clause boundary in [lo, end), without a fronted phrase or
// conjunction.
func (ta *textAnalysis) clauseTail(lo, end int) textSpan {
	return ta.clauseTailOpt(lo, end, false)
}

// clauseTailOpt is clauseTail; with keepAnd, "and" and "or" do not start a
// clause, for subjects that join two nouns ("Experts on North Korea and
// nuclear arms", "Companies and individuals").
func (ta *textAnalysis) clauseTailOpt(lo, end int, keepAnd bool) textSpan {
	text := ta.text
	seg := text[lo:end]
	start := 0
	// A party and state in brackets after a name: "Rep. Gregory Meeks
	// (D-N.Y.)".
	if t := strings.TrimRight(seg, " "); strings.HasSuffix(t, ")") {
		if o := strings.LastIndexByte(t, '('); o > 0 && partyRe.MatchString(t[o:]) {
			seg = strings.TrimRight(t[:o], " ")
			end = lo + len(seg)
		}
	}
	// A time phrase before the verb is not part of the subject: "The
	// embassy on Monday said".
	if lastIsTime(seg) {
		if m := trailingTimeRe.FindStringIndex(seg); m != nil && m[0] > 0 {
			end = lo + m[0]
			seg = seg[:m[0]]
		}
	}
	// Boundaries: punctuation (a dateline's " - " too), and conjunctions
	// that start a clause.
	if i := strings.LastIndexAny(seg, ",;:()—–"); i >= 0 {
		start = i + 1
		if seg[i] == 0xe2 { // first byte of a dash
			start = i + 3
		}
	}
	if i := strings.LastIndex(seg, " - "); i >= 0 && i+3 > start {
		start = i + 3
	}
	if i := strings.LastIndex(seg, "--"); i >= 0 && i+2 > start {
		start = i + 2 // a typewriter dash: "history -- a reader"
	}
	// After the last quotation that closes here ("“…,” he"); apostrophes
	// are not quotation marks.
	for i := len(ta.spans) - 1; i >= 0; i-- {
		if q := ta.spans[i]; q.close <= end && q.close > lo+start {
			start = q.close - lo
			break
		} else if q.close <= lo+start {
			break
		}
	}
	words := strings.Fields(seg[start:])
	// cut at a conjunction that starts a new clause
	for i := len(words) - 1; i >= 0; i-- {
		w := strings.ToLower(words[i])
		if clauseConj[w] {
			if keepAnd && (w == "and" || w == "or") {
				continue
			}
			if w == "and" || w == "or" {
				// "Immigration and Customs Enforcement" is one name; "in
				// Virginia and around the country" one phrase
				if i > 0 && i+1 < len(words) && (isCapitalised(words[i+1]) && isCapitalised(words[i-1]) ||
					adjunctPreps[strings.ToLower(words[i+1])] || otherPreps[strings.ToLower(words[i+1])]) {
					continue
				}
			}
			off := nthFieldOffset(seg[start:], i+1)
			start += off
			break
		}
	}
	// drop fronted words: "But", "On Monday", "Last week", "In 2015"
	for {
		rest := seg[start:]
		w := strings.ToLower(firstWord(rest))
		if w == "" {
			break
		}
		if frontWords[w] || (timeWords[w] && w != "may") {
			start += nthFieldOffset(rest, 1)
			continue
		}
		if m := frontPPRe.FindStringIndex(rest); m != nil {
			start += m[1]
			continue
		}
		break
	}
	s := textSpan{lo + start, end}
	for s.start < s.end && (text[s.start] == ' ' || text[s.start] == '\t' || text[s.start] == '\n') {
		s.start++
	}
	return s
}

// lastIsTime says whether s ends with a time word, before trailingTimeRe
// (anchored at the end, so it reads all of s) is tried.
func lastIsTime(s string) bool {
	i := strings.LastIndexAny(s, " \t\n")
	w := strings.ToLower(s[i+1:])
	return timeWords[w] || timeNouns[w] || w == "weekend" || w == "tonight" || w == "previously"
}

// trailingTimeRe is a time phrase at the end of a subject ("on Monday",
// "last week", "yesterday").
var trailingTimeRe = regexp.MustCompile(`(?i)\s+(?:(?:on|last|this|early|late|earlier|later)\s+)?(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+(?:morning|afternoon|evening|night))?|week|month|year|weekend|morning|night|yesterday|today|tonight|earlier|previously)\s*$`)

// frontPPRe is a fronted time or place phrase without a comma: "On Monday
// the minister said", "In 2019 he wrote".
var frontPPRe = regexp.MustCompile(`^(?i:on|in|at|during|after|before|by|last|this|early|late)\s+(?:(?:the|a|an|this|last|next|early|late)\s+)?(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|morning|afternoon|evening|night|week|weekend|month|year|\d{1,4})[\p{L}\d]*\s+)+`)

var clauseConj = toSet("and but or while as because when after before since if though although whereas so until unless that than where which")

// nthFieldOffset returns the byte offset in s where field n (0-based)
// starts, or len(s).
func nthFieldOffset(s string, n int) int {
	inField, count := false, -1
	for i, r := range s {
		sp := unicode.IsSpace(r)
		if !sp && !inField {
			count++
			if count == n {
				return i
			}
		}
		inField = !sp
	}
	return len(s)
}

// lowerSpeakerStarts are lower-case words a speaker phrase may start with.
var lowerSpeakerStarts = toSet(`the a an his her its their our my your some many most several both all other another
one two three four five six seven eight nine ten few top senior former current state federal local police officials
critics experts analysts sources aides advisers advisors lawmakers prosecutors investigators economists researchers
scientists supporters opponents democrats republicans voters residents witnesses observers diplomats protesters
leaders members people officers doctors lawyers activists organisers organizers authorities campaigners
administration government party ministers sen rep gov gen lt col dr mr mrs ms prof each either neither no more fewer
campaign company companies police representatives spokesmen spokeswomen spokespeople employees workers executives
parents students teachers families family friends colleagues rivals allies observers pollsters respondents
participants attendees demonstrators soldiers troops agents staff staffers he she they it we i you who which that`)

// plausibleSpeaker says whether a phrase can name a speaker: not too long,
// not ending in a function word, starting with a capital, a pronoun, a
// determiner or a word for people, and not a date or a place.
func (ta *textAnalysis) plausibleSpeaker(s textSpan) bool {
	p := strings.TrimSpace(ta.text[s.start:s.end])
	if p == "" || strings.ContainsAny(p, "“”\"«»„") {
		return false
	}
	ws := strings.Fields(p)
	if len(ws) > 12 {
		return false
	}
	last := strings.ToLower(strings.Trim(ws[len(ws)-1], ",.;:"))
	first := strings.ToLower(strings.Trim(ws[0], ",.;:"))
	// "Those close to him", "those who know her": a group described.
	group := first == "those" && len(ws) > 1 && groupAfterThose[strings.ToLower(ws[1])]
	if group && len(ws) <= 6 {
		return true
	}
	if determiners[last] && last != "that" || adjunctPreps[last] || otherPreps[last] || clauseConj[last] && last != "that" || objectPronouns[last] && last != "it" && last != "you" {
		return false
	}
	if timeWords[first] && !isCapitalised(ws[0]) || first == "it" && len(ws) > 1 || clauseConj[first] || notSpeakers[first] && len(ws) > 1 && !group {
		return false
	}
	// "63 percent (of voters)": the share of a poll's respondents.
	if first != "" && unicode.IsDigit(rune(first[0])) && (strings.HasSuffix(first, "%") || len(ws) > 1 && strings.ToLower(ws[1]) == "percent") {
		return true
	}
	// A phrase with a verb in it is a clause, not a speaker ("he paused to
	// make", "Republicans have been trying", "It's worth").
	for i, w := range ws {
		lw := strings.ToLower(strings.Trim(w, ",.;:"))
		if i > 0 && (verbWords[lw] || strings.HasSuffix(lw, "n't")) || strings.HasSuffix(lw, "'s") && (lw == "it's" || lw == "there's" || lw == "that's" || lw == "he's" || lw == "she's" || lw == "what's") {
			return false
		}
		// "to" before a verb ("paused to make"), not before a name or an
		// article ("advisers to Mr. Obama", "a lawyer to the family")
		if lw == "to" && i+1 < len(ws) && !isCapitalised(ws[i+1]) && !determiners[strings.ToLower(ws[i+1])] {
			return false
		}
		if c, ok := ta.qe.cues[lw]; ok && i > 0 && !c.ing && !determiners[strings.ToLower(ws[i-1])] && !nounLike[lw] {
			return false // "X says an internal review": a clause
		}
	}
	if len(ws) == 1 && (timeWords[first] || notSpeakers[first]) {
		return false
	}
	if isCapitalised(p) {
		return !ta.onlyPlaceOrDate(s)
	}
	// "retired Air Force general Lloyd Newton", "former senator Ann Ruiz"
	if lowerSpeakerStarts[first] || isCapitalised(ws[len(ws)-1]) && ta.personIn(s.start, s.end) {
		return true
	}
	// "restructuring experts", "conservative economists": a short phrase
	// ending in a word for people, with no preposition or verb in it
	// ("appeared in court" is a clause).
	if !speakerNouns[last] || len(ws) > 4 || strings.HasSuffix(first, "ed") {
		return false
	}
	for _, w := range ws {
		if lw := strings.ToLower(w); adjunctPreps[lw] || otherPreps[lw] {
			return false
		}
	}
	return true
}

// otherPreps are prepositions that cannot end a speaker phrase.
var otherPreps = toSet("of against toward towards into onto upon across despite among between beyond without within throughout like than via per including off around along behind beside besides below above beneath except")

// verbWords are auxiliaries and other verbs a speaker phrase cannot hold.
var verbWords = toSet(`is was were are am be been being have has had do does did can could will would shall should
may might must paused seemed seems appears appeared became become remains remained got gets let lets made makes went
goes came comes took takes want wants wanted need needs needed try tries tried plan plans planned hope hoped expect
expected help helps helped keep keeps kept give gives gave put puts seem appear become remain`)

// groupAfterThose follow "those" in a phrase for a group of people.
var groupAfterThose = toSet("close familiar who involved in at with around inside near on from")

// notSpeakers are capitalised words that open a sentence but never speak.
var notSpeakers = toSet("there here this that these those what which such")

// onlyPlaceOrDate says whether the phrase is only a place (not a country,
// which speaks for its government) or a date.
func (ta *textAnalysis) onlyPlaceOrDate(s textSpan) bool {
	for _, m := range ta.ms {
		if m.offset <= s.start+4 && m.end >= s.end-1 && m.actor.Kind == "place" {
			return true
		}
	}
	return false
}

// speakerNouns are nouns for people and bodies that speak.
var speakerNouns = toSet(`official officials spokesman spokeswoman spokesperson spokespeople spokesmen aide aides
adviser advisers advisor advisors source sources analyst analysts expert experts critic critics lawmaker lawmakers
senator senators minister ministers secretary president prime governor mayor lawyer lawyers attorney attorneys
prosecutor prosecutors investigator investigators police officer officers economist economists researcher
researchers scientist scientists diplomat diplomats leader leaders member members campaign committee ministry
embassy department agency government administration company firm group party court judge jury panel poll
survey study report statement office staff staffer staffers chief director executive chairman chairwoman chair
candidate nominee spokespersons people residents voters supporters opponents activists observers authorities
representative representatives commission council board union association organization organisation institute
foundation network newspaper paper magazine editorial review documents data union bank military army navy
pentagon white house kremlin state republicans democrats conservatives liberals`)

// attachBareQuotes gives quotations no verb accounted for a speaker: they
// continue the attributed quotation before them in the same paragraph (one
// quotation then, as in "“…,” she said. “…”") or in the paragraph before
// ("the same speaker goes on"), follow a dash attribution ("“…” — Name"), a
// sentence ending with a colon ("She said:"), or belong to the author of an
// official statement.
func (ta *textAnalysis) attachBareQuotes() {
	sort.SliceStable(ta.out, func(i, j int) bool { return ta.out[i].cStart < ta.out[j].cStart })
	var added []found
	oi := 0
	var prev *found // the last attribution before the quotation
	for qi := range ta.spans {
		q := ta.spans[qi]
		for oi < len(ta.out) && ta.out[oi].cStart <= q.open {
			prev = &ta.out[oi]
			oi++
		}
		if ta.covered(q) {
			continue
		}
		si := ta.sentenceOf(q.open)
		if si < 0 {
			continue
		}
		s := ta.sents[si]
		// Only a quotation that makes up most of its sentence speaks on its
		// own; a phrase in quotation marks inside a sentence is a title or
		// a term — except in an official statement, where its author
		// speaks ("The claim is “pure fabrication”").
		if f, ok := ta.dashAttribution(q, si); ok {
			added = append(added, f)
			continue
		}
		official := ta.meta.Official && ta.meta.Author != "" && q.end-q.start > 3
		if !official && ((q.close-q.open)*10 < (s.end-s.start)*7 || len(strings.Fields(ta.text[q.start:q.end])) < 3) {
			continue
		}
		if prev != nil && !prev.direct && prev.inherit && oi >= 2 {
			// "“…,” DuVernay said, emphasizing why …. “…”": past the
			// participle's attribution, the quotation goes on with the
			// tag's; a quote of its own, as the participle's content lies
			// between.
			if d := ta.out[oi-2]; d.direct && d.sentence == prev.sentence && !d.spk.empty() && s.para == ta.sents[d.sentence].para &&
				si <= d.sentence+1 {
				f := d
				f.cStart, f.cEnd, f.sentence, f.para = q.start, q.end, si, s.para
				added = append(added, f)
				continue
			}
		}
		if prev != nil && prev.direct && !prev.spk.empty() || prev != nil && prev.direct && prev.inherit {
			gapText := ta.text[prev.cEnd:q.open]
			samePara := !strings.Contains(gapText, "\n")
			nextPara := strings.Count(strings.TrimSpace(gapText), "\n") == 0 && strings.Contains(gapText, "\n")
			ps := ta.sents[prev.sentence]
			if samePara && s.para == ps.para {
				// one quotation with the one before it
				prev.cEnd = q.close
				continue
			}
			if nextPara && s.para == ps.para+1 && s.paraStart {
				f := *prev
				f.cStart, f.cEnd, f.sentence, f.para = q.start, q.end, si, s.para
				f.role = prev.role
				f.direct = true
				added = append(added, f)
				continue
			}
		}
		if official {
			added = append(added, found{cStart: q.start, cEnd: q.end, direct: true, sentence: si, para: s.para, inherit: true})
			continue
		}
		// "She said:" or "He made the following comment:" before it
		if si > 0 {
			ps := ta.sents[si-1]
			if strings.HasSuffix(strings.TrimSpace(ta.text[ps.start:ps.end]), ":") {
				if lead := ta.leadingSubject(si - 1); !lead.empty() {
					added = append(added, found{cStart: q.start, cEnd: q.end, spk: lead, direct: true, sentence: si, para: s.para})
					continue
				}
			}
		}
	}
	ta.out = append(ta.out, added...)
	sort.SliceStable(ta.out, func(i, j int) bool { return ta.out[i].cStart < ta.out[j].cStart })
}

// covered says whether a quotation lies inside an attribution's content.
func (ta *textAnalysis) covered(q quoteSpan) bool {
	for _, f := range ta.out {
		if q.start < f.cEnd && q.end > f.cStart {
			return true
		}
	}
	return false
}

func (ta *textAnalysis) sentenceOf(i int) int {
	k := sort.Search(len(ta.sents), func(k int) bool { return ta.sents[k].end > i })
	if k < len(ta.sents) && ta.sents[k].start <= i+3 {
		return k
	}
	return -1
}

// dashAttribution reads "“…” — Name": a quotation followed by a dash and a
// name to the end of the sentence.
func (ta *textAnalysis) dashAttribution(q quoteSpan, si int) (found, bool) {
	s := ta.sents[si]
	rest := ta.text[q.close:min(len(ta.text), s.end+120)]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	m := dashNameRe.FindStringSubmatchIndex(rest)
	if m == nil {
		return found{}, false
	}
	return found{cStart: q.start, cEnd: q.end, spk: textSpan{q.close + m[2], q.close + m[3]}, direct: true, sentence: si, para: s.para}, true
}

var dashNameRe = regexp.MustCompile(`^\s*[―—–-]\s*((?:[\p{Lu}][\p{L}'’.\-]*)(?: [\p{Lu}][\p{L}'’.\-]*){0,3})\s*(?:[.,]|$|["“”«])`)

// agentNounRe matches English nouns for people by their ending
// ("researcher", "prosecutor", "economist", "politician").
var agentNounRe = regexp.MustCompile(`^[a-z]{3,}(?:er|ers|or|ors|ist|ists|ian|ians|ant|ants|ent|ents)$`)

// datelineRe is a dateline opening a report: a place in capitals, maybe a
// date or an agency in brackets, then a dash or colon.
var datelineRe = regexp.MustCompile(`^[\p{Lu}][\p{Lu}\p{Lu} .,'’-]*(?:,\s*[\p{L}\d ,.]+)?(?:\s*\([^)]{1,40}\))?\s+[-—–:]\s+`)

// leadingSubject is the subject a sentence opens with: a pronoun, a name or
// a short noun phrase, up to the first lower-case word after it.
func (ta *textAnalysis) leadingSubject(si int) textSpan {
	from, to := ta.sw[si][0], ta.sw[si][1]
	k := from
	// A dateline is not the subject: "LONDON (Wire) - The embassy said".
	if m := datelineRe.FindStringIndex(ta.text[ta.sents[si].start:ta.sents[si].end]); m != nil {
		for k < to && ta.words[k].start < ta.sents[si].start+m[1] {
			k++
		}
	}
	for k < to && frontWords[ta.words[k].lower] {
		k++
	}
	if k < to && (adjunctPreps[ta.words[k].lower] || otherPreps[ta.words[k].lower]) {
		// "But for Donald Trump, Oz's show …": past the fronted phrase.
		n := k + 1
		for n < to && n < k+12 && !ta.gapHas(n-1, n, ",") {
			n++
		}
		if n >= to || !ta.gapHas(n-1, n, ",") {
			return textSpan{}
		}
		if n+1 < to && unicode.IsDigit(rune(ta.words[n].lower[0])) && ta.gapHas(n, n+1, ",") {
			n++ // "On July 6, 2015, Sanders": past the year
		}
		k = n
	}
	if k >= to || ta.words[k].quoted {
		return textSpan{}
	}
	w := ta.words[k]
	if pronounWords[w.lower] {
		return textSpan{w.start, w.end}
	}
	start := w.start
	n := k
	if determiners[w.lower] {
		n++
	}
	seenHead := false
	for n < to && n < k+8 && !ta.words[n].quoted {
		t := ta.words[n]
		if n > k && ta.gapHas(n-1, n, ",") {
			break
		}
		capital := isCapitalised(ta.text[t.start:])
		// "China's foreign ministry": the head comes after the owner.
		owner := possessive(ta.text, t.end) || strings.HasSuffix(t.lower, "'s") || strings.HasSuffix(t.lower, "’s")
		// "A young Westminster researcher": a noun for a person after
		// capitalised words is the head.
		agent := !capital && n > k && isCapitalised(ta.text[ta.words[n-1].start:]) && !ta.isCue(n) &&
			(speakerNouns[t.lower] || agentNounRe.MatchString(t.lower))
		if capital || agent || (!seenHead && n <= k+2 && !ta.isCue(n)) || t.lower == "of" || t.lower == "for" || t.lower == "at" {
			if (capital || !determiners[t.lower]) && !owner {
				seenHead = seenHead || capital || speakerNouns[t.lower]
			}
			n++
			continue
		}
		break
	}
	for n > k && (ta.words[n-1].lower == "of" || ta.words[n-1].lower == "for" || ta.words[n-1].lower == "at") {
		n--
	}
	if n == k {
		return textSpan{}
	}
	sp := textSpan{start, ta.words[n-1].end}
	if !ta.plausibleSpeaker(sp) {
		return textSpan{}
	}
	return sp
}

func (ta *textAnalysis) isCue(wi int) bool {
	_, ok := ta.qe.cues[ta.words[wi].lower]
	return ok
}

// quotes turns what was found into quotes: speakers resolved, texts and
// rune offsets, quotations of one speaker nested in a longer one dropped.
func (ta *textAnalysis) quotes() []model.Quote {
	type item struct {
		q          model.Quote
		start, end int
	}
	var items []item
	speakers := make([]resolved, len(ta.out))
	for i := range ta.out {
		f := &ta.out[i]
		r := ta.resolve(i, speakers[:i])
		speakers[i] = r
		if r.name == "" {
			continue
		}
		q := model.Quote{Speaker: r.name, Role: r.role, Mention: r.mention, Cue: f.cue}
		if q.Cue == "" {
			q.Cue = model.CueSay // quotations, speech tags, "according to", transcripts
		}
		if f.naming {
			// "called the ruling a “disgrace”": the speaker's words are the
			// quotation; several ("called him a “bully,” “unstable” and
			// “sick”") are one quote, from the first mark to the last.
			qs := ta.quotesIn(f.cStart-1, f.cEnd+3)
			q.Kind = model.QuoteDirect
			switch {
			case len(qs) == 1:
				items = append(items, item{q, qs[0].start, trimEnd(ta.text, qs[0].start, qs[0].end)})
			case len(qs) > 1:
				items = append(items, item{q, qs[0].open, qs[len(qs)-1].close})
			}
			continue
		}
		start, end, kind := ta.quoteText(f)
		if end <= start {
			continue
		}
		q.Kind = kind
		items = append(items, item{q, start, end})
	}
	// Offsets in runes, counted in one pass.
	var out []model.Quote
	pos, runes := 0, 0
	sort.SliceStable(items, func(i, j int) bool { return items[i].start < items[j].start })
	lastEnd := -1
	for _, it := range items {
		for it.start < it.end && !utf8.RuneStart(ta.orig[it.start]) {
			it.start++
		}
		for it.end > it.start && it.end < len(ta.orig) && !utf8.RuneStart(ta.orig[it.end]) {
			it.end--
		}
		if it.start < lastEnd || it.end <= it.start {
			continue // overlaps the quote before (univocal)
		}
		runes += utf8.RuneCountInString(ta.orig[pos:it.start])
		pos = it.start
		it.q.Start = runes
		runes += utf8.RuneCountInString(ta.orig[pos:it.end])
		pos = it.end
		it.q.End = runes
		it.q.Text = ta.orig[it.start:it.end]
		if !utf8.ValidString(it.q.Text) {
			// As []rune reads the text: each invalid byte one U+FFFD.
			it.q.Text = string([]rune(it.q.Text))
		}
		out = append(out, it.q)
		lastEnd = it.end
	}
	return out
}

// quoteText is the stretch of text a quote shows: one quotation's words
// without the marks (and without the comma before a speech tag), or the
// reported content as written.
func (ta *textAnalysis) quoteText(f *found) (int, int, model.QuoteKind) {
	text := ta.text
	start, end := f.cStart, f.cEnd
	// A content that is one quotation (with its marks, maybe a trailing
	// comma or full stop outside them) is that quotation.
	qs := ta.quotesIn(start-4, end+4)
	if len(qs) == 1 && qs[0].open <= start+1 && qs[0].close >= end-1 {
		s, e := qs[0].start, qs[0].end
		for s < e && (text[s] == ' ') {
			s++
		}
		for e > s && strings.ContainsRune(" ,", rune(text[e-1])) {
			e--
		}
		return s, e, model.QuoteDirect
	}
	// A content from one quotation to another ("“…,” she said. “…”")
	if len(qs) > 0 && qs[0].open <= start+1 && qs[len(qs)-1].close >= end-1 && qs[len(qs)-1].open > start {
		start = qs[0].start
		end = qs[len(qs)-1].end
		for end > start && strings.ContainsRune(" ,", rune(text[end-1])) {
			end--
		}
	}
	kind := model.QuoteIndirect
	if f.direct {
		kind = model.QuoteDirect
	}
	// Reported speech reads without its "that", its final stop, and a
	// quotation mark that closes nothing.
	if kind == model.QuoteIndirect {
		end = trimEnd(text, start, end)
		start = trimStart(text, start, end)
		if m := markAtSafe(text, start); m != "" && ta.quoteAt(start) == nil {
			start = trimStart(text, start+len(m), end)
		}
	}
	return start, end, kind
}

// maxEventQuotes bounds the quotes an event lists (its key quotes; each
// document keeps all of its own): the speakers' own words first, then
// reported speech, then reported beliefs, intentions, positions and
// findings, each in the order the documents came. 40 keeps the
// busiest demo and fixture events whole.
const maxEventQuotes = 40

// foldQuotes lists what an event's documents quote once: a quote whose
// words are contained in a longer quote of the same speaker (the same
// statement quoted whole by one report and in part by another) is left
// out, and so is a repeat.
func foldQuotes(qs []model.Quote) []model.Quote {
	if len(qs) == 0 {
		return nil
	}
	keys := make([]string, len(qs))
	parts := make([][]string, len(qs)) // the words in quotation marks of reported speech
	for i, q := range qs {
		keys[i] = " " + strings.Join(quoteWords(q.Text), " ") + " "
		for _, sp := range findQuoteSpans(q.Text) {
			parts[i] = append(parts[i], " "+strings.Join(quoteWords(q.Text[sp.start:sp.end]), " ")+" ")
		}
	}
	var direct, reported, positions []model.Quote
	for i, q := range qs {
		covered := false
		for j, o := range qs {
			if i == j || !strings.EqualFold(q.Speaker, o.Speaker) {
				continue
			}
			// Contained in a longer quote, or a repeat of an earlier one.
			if strings.Contains(keys[j], keys[i]) && (len(keys[j]) > len(keys[i]) || j < i) {
				covered = true
				break
			}
			// Reported speech whose quoted words all come from a longer
			// quote of the same speaker ("prosecutors were “as
			// disappointed as anyone”") adds nothing verbatim.
			if len(parts[i]) > 0 && o.Kind == model.QuoteDirect && len(parts[j]) == 0 {
				all := true
				for _, p := range parts[i] {
					all = all && strings.Contains(keys[j], p)
				}
				if all {
					covered = true
					break
				}
			}
		}
		if covered || keys[i] == "  " {
			continue
		}
		switch {
		case q.Kind == model.QuoteDirect:
			direct = append(direct, q)
		case q.Cue == model.CueSay || q.Cue == "":
			reported = append(reported, q)
		default:
			positions = append(positions, q) // beliefs, intentions, positions, findings: after speech
		}
	}
	out := append(append(direct, reported...), positions...)
	if len(out) > maxEventQuotes {
		out = out[:maxEventQuotes]
	}
	return out
}

// quoteWords are a quote's words, lower case, without punctuation.
func quoteWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWordRune(r) })
}
