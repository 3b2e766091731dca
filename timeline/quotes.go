package timeline

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/watchline/watchline/model"
)

// quoteSpan is one quotation in a text: [start, end) is the words inside the
// marks (possibly running over paragraphs), open and close the marks' offsets.
type quoteSpan struct {
	start, end  int // inner text
	open, close int // the marks; close is the offset after the closing mark
	text        string
}

// findQuoteSpans pairs quotation marks: curly “ ” and straight ". A quote left
// open at the end of a paragraph continues if the next paragraph opens with a
// quotation mark (the typographic convention for multi-paragraph quotes);
// otherwise it is dropped.
func findQuoteSpans(text string) []quoteSpan {
	var spans []quoteSpan
	open, openSize := -1, 0
	var parts []string
	partStart := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			if open >= 0 {
				// Does the quote continue in the next paragraph?
				j := i
				for j < len(text) && (text[j] == '\n' || text[j] == ' ' || text[j] == '\r' || text[j] == '\t') {
					j++
				}
				nr, nsize := utf8.DecodeRuneInString(text[j:])
				if j < len(text) && (nr == '“' || nr == '"') {
					parts = append(parts, text[partStart:i])
					partStart = j + nsize
					i = j + nsize
					continue
				}
				open, parts = -1, nil
			}
		case r == '“' || (r == '"' && open < 0):
			open, openSize, parts, partStart = i, size, nil, i+size
		case r == '”' || r == '"':
			if open >= 0 {
				parts = append(parts, text[partStart:i])
				inner := strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
				// The comma before "he said" is reporting, not the speaker's.
				inner = strings.TrimRight(inner, ", ")
				spans = append(spans, quoteSpan{start: open + openSize, end: i, open: open, close: i + size, text: inner})
				open, parts = -1, nil
			}
		}
		i += size
	}
	return spans
}

// Attribution patterns. A speaker phrase is up to eight words; verbs are the
// ways reports say someone spoke.
const (
	speechVerbs = `said|says|added|adds|told|tells|stated|warned|warns|insisted|explained|argued|claimed|wrote|declared|replied|commented|noted|continued|urged|posted|answered|concluded|announced|acknowledged|admitted|confirmed|maintained`
	speakerRe   = `((?:[\p{L}\p{N}'’\.\-]+,? ){0,10}?[\p{L}\p{N}'’\.\-]+)`
)

var (
	// "…," he said / "…," said Frank Ferguson, Head of … / "…," a spokesperson said
	rightPronounRe = regexp.MustCompile(`^[\s,]*(?i:(he|she|they|it|we|i))\s+(?:` + speechVerbs + `)\b`)
	rightVerbFirst = regexp.MustCompile(`^[\s,]*(?:` + speechVerbs + `)\s+` + speakerRe + `\s*(?:[.;:!?]|$)`)
	rightSpeaker   = regexp.MustCompile(`^[\s,]*` + speakerRe + `,?\s+(?:(?:has|had|have|also|later|then|previously) )?(?:` + speechVerbs + `)\b`)
	rightAccording = regexp.MustCompile(`^[\s,]*according to\s+` + speakerRe + `\s*(?:[.;:!?]|$)`)
	// Christopher Cash said: "…" / The ministry said in a statement that "…"
	leftSpeaker   = regexp.MustCompile(speakerRe + `\s+(?:(?:has|had|have|also|later|then|previously|once) )?(?:` + speechVerbs + `)(?:\s+(?:in a statement|in a post|on \w+|on social media|to reporters|reporters|the House|MPs|the court|the jury|journalists|that|it was|it is|he was|she was|they were))*\s*[:,]?\s*(?:that\s+)?(?:it was\s+|it is\s+|the\s+\w+\s+(?:was|is)\s+)?$`)
	leftAccording = regexp.MustCompile(`(?i)according to\s+` + speakerRe + `,?\s*$`)
	// Weaker cues: a sentence whose subject called something "…".
	sentenceCue = regexp.MustCompile(`(?i)\b(?:calling|called|calls|describing|described|dismissed|dismissing|denied|denying|rejected|rejecting|saying|accused|branded|condemned|urged|insisted|warned|said|says|told)\b`)
	genericOrg  = regexp.MustCompile(`(?i)\b(embassy|ministry|force|police|government|department|office|service|prosecutors?|court|agency|party|company|commission|council)\b`)
	spokesRe    = regexp.MustCompile(`(?i)\bspokes(?:person|man|woman)\b|\bspokespeople\b`)
)

// quoteExtractor finds quotations and who said them.
type quoteExtractor struct {
	rec *recogniser
}

// docMeta is what attribution needs to know about the document.
type docMeta struct {
	Official  bool
	Author    string // for an official document, who speaks in it
	Published time.Time
}

// attribution is what extraction knows about a text's people.
type attribution struct {
	text     string
	ms       []mention
	subjects []bool            // ms[i] is the first person named in its sentence
	roles    map[string]string // person -> role or institution
	meta     docMeta
}

// extract returns the attributed quotations in text. Quotes nobody can be
// found for are left out, except in official documents, where the document's
// author speaks.
func (qe *quoteExtractor) extract(text string, meta docMeta) []model.Quote {
	spans := findQuoteSpans(text)
	if len(spans) == 0 {
		return nil
	}
	meta.Author = qe.authorSpeaker(meta.Author, meta.Published)
	at := &attribution{text: text, ms: qe.rec.find(text, meta.Published), meta: meta}
	at.roles = appositionRoles(text, at.ms)
	at.subjects = make([]bool, len(at.ms))
	lastSentence := -1
	for i, m := range at.ms {
		if m.actor.Kind != "person" {
			continue
		}
		if s := sentenceStart(text, m.offset); s != lastSentence {
			at.subjects[i], lastSentence = true, s
		}
	}
	var out []model.Quote
	prevSpeaker, prevRole, prevEnd := "", "", -1
	for _, q := range spans {
		if len(strings.Fields(q.text)) < 2 || q.end <= q.start {
			continue
		}
		sStart := sentenceStart(text, q.open)
		sEnd := sentenceEnd(text, q.close)
		left := text[sStart:q.open]
		right := text[q.close:sEnd]
		speaker, role := "", ""
		try := func(phrase string, pos int) bool {
			if speaker != "" || !plausibleSpeaker(phrase) {
				return false
			}
			speaker, role = qe.resolveSpeaker(at, phrase, pos, q.open)
			return speaker != ""
		}
		if m := rightPronounRe.FindStringSubmatchIndex(right); m != nil {
			try(right[m[2]:m[3]], q.close+m[2])
		}
		if m := rightVerbFirst.FindStringSubmatchIndex(right); m != nil {
			try(right[m[2]:m[3]], q.close+m[2])
		}
		if m := rightAccording.FindStringSubmatchIndex(right); m != nil {
			try(right[m[2]:m[3]], q.close+m[2])
		}
		if m := rightSpeaker.FindStringSubmatchIndex(right); m != nil {
			try(right[m[2]:m[3]], q.close+m[2])
		}
		if m := leftAccording.FindStringSubmatchIndex(left); m != nil {
			try(left[m[2]:m[3]], sStart+m[2])
		}
		if m := leftSpeaker.FindStringSubmatchIndex(left); m != nil {
			p := trimToSubject(left[m[2]:m[3]])
			try(p, sStart+m[3]-len(p))
		}
		if speaker == "" && prevSpeaker != "" && onlySpaceOrStop(text[prevEnd:q.open]) {
			speaker, role = prevSpeaker, prevRole // the same speaker goes on
		}
		if speaker == "" && (sentenceCue.MatchString(left) || sentenceCue.MatchString(right)) {
			speaker, role = qe.subjectOf(at, sStart, q.open)
		}
		if speaker == "" && meta.Official && meta.Author != "" {
			speaker = meta.Author
		}
		if speaker == "" {
			prevSpeaker = ""
			continue
		}
		out = append(out, model.Quote{Text: q.text, Speaker: speaker, Role: role, Offset: q.start})
		prevSpeaker, prevRole, prevEnd = speaker, role, sEnd
	}
	return out
}

// spokesWordRe: a spokesperson, in English or Chinese (发言人).
var spokesWordRe = regexp.MustCompile(`(?i)\bspokes(?:person|man|woman)\b|发言人`)

// authorSpeaker is how quotes name an official document's author: a
// byline like "驻英国使馆发言人" (the embassy's spokesperson, in Chinese) is
// the spokesperson of the organisation it names, as an English report would
// say; other bylines stay as written.
func (qe *quoteExtractor) authorSpeaker(author string, at time.Time) string {
	if author == "" || !spokesWordRe.MatchString(author) {
		return author
	}
	for _, m := range qe.rec.find(author, at) {
		if m.actor.Kind == "organisation" {
			return m.actor.Name + " spokesperson"
		}
	}
	return author
}

// plausibleSpeaker rejects phrases that cannot name a speaker: those with
// quotation marks, or starting with a lower-case word that is not a
// determiner or a pronoun ("and malicious slander").
func plausibleSpeaker(p string) bool {
	p = strings.TrimSpace(p)
	if p == "" || strings.ContainsAny(p, "\"“”") {
		return false
	}
	if !startsLower(p) {
		return true
	}
	first := strings.ToLower(strings.Fields(p)[0])
	switch first {
	case "a", "an", "the", "his", "her", "its", "their", "our", "one", "another", "he", "she", "they", "it", "we", "i",
		"police", "prosecutors", "officials", "ministers", "detectives", "investigators", "sources", "security",
		"shadow", "former", "chinese", "british", "labour", "conservative", "foreign", "home", "justice":
		return true
	}
	return false
}

// trimToSubject keeps the end of a left-hand speaker phrase: in "In a
// statement issued through his lawyers last night, Christopher Cash" the
// speaker is after the last comma, unless that comma closes an apposition.
func trimToSubject(p string) string {
	p = strings.TrimSpace(p)
	if i := strings.LastIndex(p, ", "); i >= 0 {
		tail := p[i+2:]
		if tail != "" && !startsLower(tail) {
			return tail
		}
		// "Frank Ferguson, Head of …," — keep the name before the apposition.
		if j := strings.Index(p, ", "); j >= 0 && j < i {
			return p[:j]
		}
	}
	return p
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

func onlySpaceOrStop(s string) bool {
	return strings.TrimLeft(s, " \n\t.!?,;:") == ""
}

// sentenceStart is where the sentence holding offset starts: after the last
// full stop, question mark or paragraph break.
func sentenceStart(text string, at int) int {
	for i := min(at, len(text)) - 1; i > 0; i-- {
		c := text[i]
		if c == '\n' {
			return i + 1
		}
		if (c == '.' || c == '?' || c == '!') && i+1 < len(text) && text[i+1] == ' ' && !abbrevBefore(text, i) {
			return i + 2
		}
	}
	return 0
}

func abbrevBefore(text string, dot int) bool {
	start := strings.LastIndexAny(text[:dot], " \n") + 1
	switch text[start:dot] {
	case "Mr", "Mrs", "Ms", "Dr", "St", "No", "U.S", "U.K", "Gen", "Col", "Lt":
		return true
	}
	return false
}

// sentenceEnd is where the sentence after a closing quote ends.
func sentenceEnd(text string, at int) int {
	for i := at; i < len(text); i++ {
		c := text[i]
		if c == '\n' || c == '"' || strings.HasPrefix(text[i:], "“") {
			return i
		}
		if (c == '.' || c == '?' || c == '!') && !abbrevBefore(text, i) {
			return i
		}
	}
	return len(text)
}

var pronouns = map[string]bool{"he": true, "she": true, "they": true, "it": true, "we": true, "i": true}

// resolveSpeaker turns a speaker phrase into a name and role: pronouns become
// the last person named as a subject; "the Prime Minister" the office holder
// on the publication date; "the Director" the person an earlier apposition
// gave that role; "a force spokesperson" the organisation last named.
func (qe *quoteExtractor) resolveSpeaker(at *attribution, phrase string, pos, quoteAt int) (string, string) {
	phrase = strings.Trim(strings.TrimSpace(phrase), ",.;:")
	low := strings.ToLower(phrase)
	before := min(pos, quoteAt)
	if pronouns[low] {
		switch low {
		case "i", "we":
			if at.meta.Official && at.meta.Author != "" {
				return at.meta.Author, ""
			}
		case "it", "they":
			if o := lastMention(at.ms, before, "organisation"); o != "" {
				return o, ""
			}
		}
		if p := at.lastSubject(before); p != "" {
			return p, at.roles[p]
		}
		if p := nextMention(at.ms, pos, "person"); p != "" {
			return p, at.roles[p]
		}
		return "", ""
	}
	// A named person (or an office holder) in the phrase; not one named in
	// the possessive ("Holloway's solicitor Ruth Abara").
	for _, m := range at.ms {
		if m.offset >= pos && m.offset < pos+len(phrase) && m.actor.Kind == "person" && !possessive(at.text, m.end) {
			role := at.roles[m.actor.Name]
			if rest := strings.TrimSpace(strings.TrimPrefix(phrase[min(len(phrase), m.end-pos):], ",")); rest != "" && role == "" && m.end-pos < len(phrase) {
				role = strings.TrimPrefix(strings.TrimSuffix(rest, ","), "the ")
			}
			if m.title != "" {
				role = m.title
			}
			if role == "" && m.end-m.offset < len(phrase) && !strings.Contains(phrase[m.offset-pos:], ",") {
				role = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(phrase[:m.offset-pos], "the "), "The "))
			}
			return m.actor.Name, role
		}
	}
	title := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(low, "the "), "a "), "an "))
	// A role an apposition gave someone: "the Director" after "The Director of
	// Public Prosecutions, Stephen Parkinson".
	if p := at.personWithRole(title, before); p != "" {
		return p, at.roles[p]
	}
	if name := qe.rec.holder(title, at.meta.Published); name != "" {
		return name, phrase
	}
	var org string
	for _, m := range at.ms {
		if m.offset >= pos && m.offset < pos+len(phrase) && m.actor.Kind == "organisation" {
			org = m.actor.Name
			break
		}
	}
	if spokesRe.MatchString(phrase) {
		if t := titledSpokesRe.FindString(phrase); org == "" && t != "" {
			return t, "" // "The Embassy Spokesperson": a title, as written
		}
		if org == "" && at.meta.Official && at.meta.Author != "" && !strings.Contains(low, " for ") {
			return at.meta.Author, ""
		}
		if org == "" {
			org = orgFor(at.ms, phrase, before)
		}
		if org != "" {
			return org + " spokesperson", ""
		}
		return phrase, ""
	}
	if org != "" {
		return org, ""
	}
	if genericOrg.MatchString(phrase) && len(strings.Fields(phrase)) <= 4 {
		if o := orgFor(at.ms, phrase, before); o != "" {
			return o, ""
		}
	}
	// A document speaks for who issued it: "the guidance says" after "the
	// Security Service's alert" is MI5 speaking.
	if docNouns[title] {
		return issuerOf(at, before), ""
	}
	if len(strings.Fields(phrase)) > 6 || startsLower(strings.TrimPrefix(strings.TrimPrefix(phrase, "the "), "a ")) && !genericOrg.MatchString(phrase) {
		return "", ""
	}
	return phrase, ""
}

// docNouns name documents that can be quoted as if they spoke.
var docNouns = toSet("guidance alert advice advisory notice bulletin warning report letter statement memo briefing")

// issuerOf is the organisation last named as owning a document before a
// position ("MI5's alert", "the Security Service's guidance"), or "".
func issuerOf(at *attribution, before int) string {
	for i := len(at.ms) - 1; i >= 0; i-- {
		m := at.ms[i]
		if m.offset >= before || m.actor.Kind != "organisation" || !possessive(at.text, m.end) {
			continue
		}
		rest := strings.TrimLeft(at.text[m.end:], "'’s")
		if f := strings.Fields(rest); len(f) > 0 && docNouns[strings.ToLower(strings.Trim(f[0], ",.;:"))] {
			return m.actor.Name
		}
	}
	return ""
}

func possessive(text string, end int) bool {
	rest := text[end:]
	return strings.HasPrefix(rest, "'s") || strings.HasPrefix(rest, "’s")
}

// orgFor names the organisation a generic phrase ("the embassy", "a force
// spokesperson") refers to: the last one named whose name shares the noun, else
// the last organisation named.
func orgFor(ms []mention, phrase string, before int) string {
	noun := strings.ToLower(genericOrg.FindString(phrase))
	if noun != "" {
		for i := len(ms) - 1; i >= 0; i-- {
			if ms[i].offset < before && ms[i].actor.Kind == "organisation" && strings.Contains(strings.ToLower(ms[i].actor.Name), noun) {
				return ms[i].actor.Name
			}
		}
	}
	return lastMention(ms, before, "organisation")
}

// lastSubject is the last person named as the subject of a sentence before
// offset, else the last person named.
func (at *attribution) lastSubject(before int) string {
	for i := len(at.ms) - 1; i >= 0; i-- {
		if at.ms[i].offset < before && at.subjects[i] {
			return at.ms[i].actor.Name
		}
	}
	return lastMention(at.ms, before, "person")
}

// personWithRole finds the person whose role (from an apposition or title)
// begins or ends with title, preferring the one named last.
func (at *attribution) personWithRole(title string, before int) string {
	if title == "" {
		return ""
	}
	for i := len(at.ms) - 1; i >= 0; i-- {
		m := at.ms[i]
		if m.actor.Kind != "person" || m.offset >= before {
			continue
		}
		r := strings.ToLower(at.roles[m.actor.Name])
		if r != "" && (r == title || strings.HasPrefix(r, title+" ") || strings.HasSuffix(r, " "+title)) {
			return m.actor.Name
		}
	}
	return ""
}

// subjectOf finds the speaker of a sentence without an explicit "said": the
// first person or organisation named in the sentence before the quote, or a
// generic one ("the embassy called it …").
func (qe *quoteExtractor) subjectOf(at *attribution, sStart, quoteAt int) (string, string) {
	for _, m := range at.ms {
		if m.offset >= sStart && m.offset < quoteAt && (m.actor.Kind == "person" || m.actor.Kind == "organisation") {
			if m.actor.Kind == "person" {
				return m.actor.Name, at.roles[m.actor.Name]
			}
			return m.actor.Name, ""
		}
	}
	left := at.text[sStart:quoteAt]
	low := strings.ToLower(left)
	if strings.HasPrefix(low, "he ") || strings.HasPrefix(low, "she ") || strings.Contains(low, " saying he ") || strings.Contains(low, " saying she ") {
		if p := at.lastSubject(quoteAt); p != "" {
			return p, at.roles[p]
		}
		if p := nextMention(at.ms, quoteAt, "person"); p != "" {
			return p, at.roles[p]
		}
	}
	if t := titledSpokesRe.FindString(left); t != "" {
		return t, ""
	}
	if spokesRe.MatchString(left) && at.meta.Official && at.meta.Author != "" {
		return at.meta.Author, ""
	}
	if loc := genericOrg.FindStringIndex(left); loc != nil {
		if o := orgFor(at.ms, left[loc[0]:loc[1]], quoteAt); o != "" {
			return o, ""
		}
		// Name it as the text does: "Russia's foreign ministry".
		if m := nounPhraseRe.FindString(left[:loc[1]]); m != "" {
			return strings.TrimSpace(m), ""
		}
	}
	return "", ""
}

func lastMention(ms []mention, before int, kind string) string {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].offset < before && ms[i].actor.Kind == kind {
			return ms[i].actor.Name
		}
	}
	return ""
}

func nextMention(ms []mention, after int, kind string) string {
	for _, m := range ms {
		if m.offset >= after && m.actor.Kind == kind {
			return m.actor.Name
		}
	}
	return ""
}

// titledSpokesRe finds a spokesperson named by title ("Embassy Spokesperson",
// "Foreign Ministry Spokesperson").
var titledSpokesRe = regexp.MustCompile(`(?:[A-Z][\p{L}'’]*\s+){1,3}Spokes(?:person|man|woman)\b`)

// nounPhraseRe is the words before a generic organisation noun that name it.
var nounPhraseRe = regexp.MustCompile(`(?:[A-Z][\p{L}'’\-]*(?: [\p{L}'’\-]+){0,2} )?[\p{L}\-]+$`)

// appositionRe reads "NAME, the ROLE," and "NAME, ROLE of X,".
var appositionRe = regexp.MustCompile(`^,\s+((?:the |a |an )?[\p{L}'’\-]+(?: [\p{L}'’\-]+){0,12}?),`)

// roleBeforeRe reads "The ROLE, NAME" and "ROLE NAME" just before a name
// ("The Director of Public Prosecutions, Stephen Parkinson"; "security
// minister Dan Jarvis").
var (
	roleCommaBeforeRe = regexp.MustCompile(`(?:^|[\s(])[Tt]he ((?:[A-Z][\p{L}'’\-]*)(?: (?:[A-Z][\p{L}'’\-]*|of|for|and|the))*),\s*$`)
	roleBeforeRe      = regexp.MustCompile(`((?:(?:[A-Z][\p{L}'’\-]*|security|shadow|home|foreign|deputy|justice|defence|former|chief|senior|assistant|district) ){0,3}(?i:minister|secretary|premier|president|chancellor|ambassador|spokesperson|director|head|chief|leader|adviser|chair|commissioner|MP|general|attorney|prosecutor|superintendent|inspector|lawyer|solicitor|professor|lecturer|officer))\s+$`)
)

// appositionRoles maps each person to the role an apposition or a title
// before the name gives them ("Stephen Parkinson, the Director of Public
// Prosecutions, said").
func appositionRoles(text string, ms []mention) map[string]string {
	roles := map[string]string{}
	for _, m := range ms {
		if m.actor.Kind != "person" || roles[m.actor.Name] != "" {
			continue
		}
		if m.title != "" {
			roles[m.actor.Name] = m.title
			continue
		}
		rest := text[m.end:min(len(text), m.end+160)]
		if loc := appositionRe.FindStringSubmatch(rest); loc != nil {
			role := loc[1]
			first := strings.Fields(role)[0]
			if (first == "the" || first == "a" || first == "an" || !startsLower(role)) && !strings.Contains(role, " said") {
				roles[m.actor.Name] = strings.TrimPrefix(strings.TrimPrefix(role, "the "), "a ")
				continue
			}
		}
		before := text[max(0, m.offset-90):m.offset]
		if loc := roleCommaBeforeRe.FindStringSubmatch(before); loc != nil {
			roles[m.actor.Name] = loc[1]
			continue
		}
		if loc := roleBeforeRe.FindStringSubmatch(before); loc != nil {
			r := strings.TrimSpace(loc[1])
			for _, det := range []string{"the ", "The ", "a ", "A "} {
				r = strings.TrimPrefix(r, det)
			}
			roles[m.actor.Name] = r
		}
	}
	return roles
}
