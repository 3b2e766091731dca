package timeline

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// resolved is who an attribution's speaker phrase refers to.
type resolved struct {
	name    string // the speaker, resolved ("Hillary Clinton", "Metropolitan Police spokesperson")
	role    string
	mention string // the words that named the speaker here ("she", "the senator")
	kind    string // person, organisation, group or "" when only the phrase is known
	at      int    // where the speaker was named
}

// resolve finds who speaks in attribution i, given the speakers resolved
// before it.
func (ta *textAnalysis) resolve(i int, before []resolved) resolved {
	f := ta.out[i]
	for j := i - 1; j >= 0; j-- {
		// A quotation that continues an earlier one keeps its speaker.
		if !f.spk.empty() && ta.out[j].spk == f.spk && before[j].name != "" {
			return before[j]
		}
	}
	if f.spk.empty() {
		// The subject of the sentence, or of the attribution before it in
		// the sentence ("…, adding that …"), or an official document's
		// author.
		if !f.lead {
			for j := i - 1; j >= 0; j-- {
				if ta.out[j].sentence == f.sentence && before[j].name != "" {
					return before[j]
				}
			}
		}
		if lead := ta.leadingSubject(f.sentence); !lead.empty() && (f.lead || !ta.meta.Official) {
			r := ta.resolvePhrase(lead, "", before)
			if r.name != "" {
				return r
			}
		}
		if ta.meta.Official && ta.meta.Author != "" {
			return resolved{name: ta.meta.Author, kind: "organisation", at: f.cStart}
		}
		for j := i - 1; j >= 0; j-- {
			if ta.out[j].sentence == f.sentence && before[j].name != "" {
				return before[j]
			}
		}
		return resolved{}
	}
	return ta.resolvePhrase(f.spk, f.role, before)
}

// resolvePhrase resolves a speaker phrase: pronouns to the nearest
// compatible speaker named before; a phrase naming a person or organisation
// to it; an office ("the Prime Minister") to its holder on the publication
// date; a role ("the senator", "the company") to the last person or
// organisation the text gave it; anything else stays as written.
func (ta *textAnalysis) resolvePhrase(sp textSpan, appos string, before []resolved) resolved {
	text := ta.text
	phrase := strings.TrimSpace(strings.Trim(text[sp.start:sp.end], " ,;:"))
	low := strings.ToLower(phrase)
	role := cleanRole(appos)
	switch low {
	case "he", "she", "his", "her":
		g := byte('m')
		if low == "she" || low == "her" {
			g = 'f'
		}
		if p, pos := ta.personBefore(sp.start, g, before); p != "" {
			return resolved{name: p, role: ta.roleOf(p, before), mention: phrase, kind: "person", at: pos}
		}
		if p := ta.personAfter(sp.start); p != "" {
			return resolved{name: p, role: ta.roleOf(p, before), mention: phrase, kind: "person", at: sp.start}
		}
		// Nobody to resolve it to: the pronoun stays as written, so the
		// quote is kept and its speaker visibly unresolved.
		return resolved{name: phrase, mention: phrase, at: sp.start}
	case "they", "it", "their", "its":
		if o, pos := ta.groupBefore(sp.start, low == "it" || low == "its", before); o != "" {
			return resolved{name: o, mention: phrase, kind: "organisation", at: pos}
		}
		return resolved{name: phrase, mention: phrase, at: sp.start}
	case "i", "we":
		if ta.meta.Author != "" {
			return resolved{name: ta.meta.Author, mention: phrase, kind: "person", at: sp.start}
		}
		return resolved{name: "the author", mention: phrase, at: sp.start}
	case "who", "which", "that":
		// The antecedent before ", who".
		s := ta.sents[ta.sentenceOf(sp.start)]
		j := strings.LastIndex(text[s.start:sp.start], ",")
		if j < 0 {
			return resolved{}
		}
		ante := ta.clauseTail(s.start, s.start+j)
		if ante.empty() {
			return resolved{}
		}
		a := ta.resolvePhrase(ante, "", before)
		a.mention = phrase
		return a
	case "you":
		return resolved{}
	}
	// A person named in the phrase, not in the possessive and not after a
	// preposition ("a lawyer for Ms. Ruiz" is the lawyer speaking).
	spokes := spokesRe.MatchString(phrase)
	// "a spokesperson for the Russian embassy in Berlin" speaks for what
	// follows "for": an organisation named there, or the words as written.
	if i := strings.Index(low, " for "); spokes && i >= 0 && spokesRe.MatchString(phrase[:i]) {
		forStart := sp.start + strings.Index(text[sp.start:sp.end], phrase) + i + len(" for ")
		for _, m := range ta.ms {
			if m.offset >= forStart && m.end <= sp.end && m.actor.Kind == "organisation" {
				return resolved{name: m.actor.Name + " spokesperson", mention: phrase, kind: "organisation", at: sp.start}
			}
		}
		owner := trailingPlaceRe.ReplaceAllString(stripDeterminer(strings.TrimSpace(phrase[i+len(" for "):])), "")
		if owner != "" {
			return resolved{name: owner + " spokesperson", mention: phrase, kind: "organisation", at: sp.start}
		}
	}
	for _, m := range ta.ms {
		if m.offset < sp.start || m.end > sp.end || (m.actor.Kind != "person" && m.actor.Kind != "organisation" && m.actor.Kind != "country") {
			continue
		}
		pre := strings.ToLower(text[sp.start:m.offset])
		owned := possessive(text, m.end) || prepBefore(pre)
		if owned {
			if spokes && (m.actor.Kind != "person" || !ta.laterPerson(m.end, sp.end)) {
				return resolved{name: m.actor.Name + " spokesperson", mention: phrase, kind: "organisation", at: sp.start}
			}
			if m.actor.Kind != "person" && !ta.laterPerson(m.end, sp.end) && ownerOrgRe.MatchString(text[m.end:sp.end]) {
				return resolved{name: m.actor.Name, mention: phrase, kind: "organisation", at: sp.start}
			}
			continue
		}
		if ta.modifierOfLater(m, sp.end) {
			continue // "Trump lawyer Marc Kasowitz", "Clinton spokesman Nick Merrill": the later name speaks
		}
		if m.actor.Kind == "person" {
			rl := role
			if m.title != "" {
				rl = m.title
			}
			if rl == "" {
				rl = cleanRole(text[sp.start:m.offset])
			}
			if rl == "" {
				rl = ta.roleOf(m.actor.Name, before)
			}
			return resolved{name: m.actor.Name, role: rl, mention: phrase, kind: "person", at: sp.start}
		}
		name := m.actor.Name
		if spokes {
			name += " spokesperson"
		}
		return resolved{name: name, mention: phrase, kind: "organisation", at: sp.start}
	}
	title := strings.TrimSpace(stripDeterminer(low))
	at := sp.start
	tws := strings.Fields(title)
	head := ""
	if len(tws) > 0 {
		head = strings.Trim(tws[len(tws)-1], ",.;:")
	}
	// A poll, a study, a document speaks for itself ("a Bloomberg poll
	// found", "the report says"), unless its issuer is named ("MI5's
	// guidance", below).
	if findingNouns[head] && !docNouns[head] && !speakerNouns[head] || head == "poll" || head == "survey" || head == "study" {
		return resolved{name: stripDeterminer(phrase), mention: phrase, kind: "document", at: at}
	}
	// "the Director" after "The Director of Public Prosecutions, Stephen
	// Parkinson"; "the senator" after "Sen. Bernie Sanders": a word for a
	// person's role, not an organisation's name ("the IMF").
	if roleWords[head] || speakerNouns[head] && !genericOrg.MatchString(head) && strings.ToUpper(head) != head {
		if p := ta.personWithRole(title, at, before); p != "" {
			return resolved{name: p, role: ta.roleOf(p, before), mention: phrase, kind: "person", at: at}
		}
	}
	if name := ta.qe.rec.holder(title, ta.meta.Published); name != "" {
		return resolved{name: name, role: phrase, mention: phrase, kind: "person", at: at}
	}
	if spokes {
		if t := titledSpokesRe.FindString(phrase); t != "" && !strings.Contains(low, " for ") {
			return resolved{name: t, mention: phrase, kind: "organisation", at: at} // "Embassy Spokesperson", as titled
		}
		if ta.meta.Official && ta.meta.Author != "" && !strings.Contains(low, " for ") {
			return resolved{name: ta.meta.Author, mention: phrase, kind: "organisation", at: at}
		}
		if o := orgFor(ta.ms, phrase, at); o != "" {
			return resolved{name: o + " spokesperson", mention: phrase, kind: "organisation", at: at}
		}
		// As written, without where the spokesperson spoke ("an embassy
		// spokesperson in London").
		name := trailingPlaceRe.ReplaceAllString(stripDeterminer(phrase), "")
		return resolved{name: name, mention: phrase, kind: "person", at: at}
	}
	if genericOrg.MatchString(phrase) && len(strings.Fields(phrase)) <= 4 && startsLower(stripDeterminer(phrase)) {
		if o := orgFor(ta.ms, phrase, at); o != "" {
			return resolved{name: o, mention: phrase, kind: "organisation", at: at}
		}
	}
	// A document speaks for who issued it: "the guidance says" after "the
	// Security Service's alert" is MI5 speaking.
	if docNouns[title] {
		if o := ta.issuerOf(at); o != "" {
			return resolved{name: o, mention: phrase, kind: "organisation", at: at}
		}
		if ta.meta.Official && ta.meta.Author != "" {
			// "the advisory says" in the advisory itself: its author.
			return resolved{name: ta.meta.Author, mention: phrase, kind: "organisation", at: at}
		}
	}
	// A person described before being named ("A young researcher … has
	// denied …", "the country's most senior prosecutor said …", then
	// "Stephen Parkinson, the Director of Public Prosecutions, …"): the
	// delayed identification of news reports. The person named next as a
	// sentence's subject, or with a role beside the name, within the next
	// two sentences — someone the text had not named before.
	if p := ta.namedAfter(sp, low, head); p != "" {
		return resolved{name: p, role: cleanRole(phrase), mention: phrase, kind: "person", at: sp.start}
	}
	name := stripDeterminer(phrase)
	if ws := strings.Fields(name); len(ws) > 8 {
		name = strings.Join(ws[:8], " ")
	}
	// "Rep. Gregory W. Meeks": a title before a name the recogniser did not
	// read is the role, not part of the name.
	if ws := strings.Fields(name); len(ws) >= 3 && isCapitalised(ws[len(ws)-1]) {
		if r, ok := titleAbbrev[strings.TrimSuffix(ws[0], ".")]; ok {
			name = strings.Join(ws[1:], " ")
			if role == "" {
				role = r
			}
		} else if honorificTitles[strings.TrimSuffix(ws[0], ".")] {
			name = strings.Join(ws[1:], " ")
		}
	}
	kind := "group"
	if isCapitalised(name) {
		// A capitalised phrase the recogniser does not know: a surname used
		// alone ("Fowler") or an organisation ("Politifact"). Acronyms and
		// names with an organisation's head word are organisations.
		kind = "name"
		ws := strings.Fields(name)
		if len(ws) > 3 || strings.ToUpper(name) == name || orgHeads[ws[len(ws)-1]] {
			kind = "organisation"
		}
	}
	return resolved{name: name, role: role, mention: phrase, kind: kind, at: at}
}

// namedAfter is the person a description of one ("a young researcher",
// "the country's most senior prosecutor") turns out to be: the first
// person named after it, outside quotations, in the rest of its sentence or
// the two after, as a sentence's subject or with a role beside the name,
// and not named anywhere before the description. "" if none.
func (ta *textAnalysis) namedAfter(sp textSpan, low, head string) string {
	// An indefinite or possessive description, or a definite one that
	// says more than a role: "the senator" alone refers back to someone.
	ws := strings.Fields(low)
	if len(ws) < 2 || !(ws[0] == "a" || ws[0] == "an" || ws[0] == "the" && len(ws) >= 3 || strings.HasSuffix(ws[0], "'s") || strings.HasSuffix(ws[0], "’s")) {
		return ""
	}
	if plural(head) || orgNouns[head] || findingNouns[head] || docNouns[head] || !(speakerNouns[head] || roleWords[head] || agentNounRe.MatchString(head)) {
		return ""
	}
	si := ta.sentenceOf(sp.start)
	if si < 0 {
		return ""
	}
	// The person's role where named shares the description's head
	// ("prosecutor" … "Director of Public Prosecutions"), or, in the
	// opening paragraphs, an indefinite description is named as the next
	// subject ("A young researcher … Christopher Cash said").
	stem := head[:min(len(head), 5)]
	lede := (ws[0] == "a" || ws[0] == "an") && ta.sents[si].para <= 1
	limit := ta.sents[min(len(ta.sents)-1, si+2)].end
	for _, m := range ta.ms {
		if m.offset < sp.end || m.actor.Kind != "person" || ta.quotedAt(m.offset) {
			continue
		}
		if m.offset >= limit {
			break
		}
		if !(lede && ta.isSubject(m.offset) || strings.Contains(strings.ToLower(ta.roleOfPerson(m.actor.Name)), stem)) {
			continue
		}
		for _, e := range ta.ms {
			if e.offset >= sp.start {
				break
			}
			if e.actor.Name == m.actor.Name {
				return "" // named before: the description is someone else, or already resolved
			}
		}
		return m.actor.Name
	}
	return ""
}

// orgNouns are words for bodies, not persons, among speakerNouns.
var orgNouns = toSet(`administration campaign committee government company firm group party court jury panel union
association organization organisation institute foundation network newspaper paper magazine bank military army navy
staff office board council commission agency department ministry embassy state people residents voters`)

// trailingPlaceRe is a place after a speaker phrase ("in London").
var trailingPlaceRe = regexp.MustCompile(`\s+(?:in|at)\s+[\p{Lu}][\p{L}'’.-]*(?:\s+[\p{Lu}][\p{L}'’.-]*)*$`)

// modifierOfLater says whether mention m only qualifies a person named
// after it in the same phrase, with nothing but lower-case role words
// between ("Trump lawyer Marc Kasowitz"), not "and" or a comma.
func (ta *textAnalysis) modifierOfLater(m mention, end int) bool {
	for _, n := range ta.ms {
		if n.offset <= m.end || n.end > end || n.actor.Kind != "person" {
			continue
		}
		between := strings.Fields(ta.text[m.end:n.offset])
		if len(between) == 0 || len(between) > 3 {
			return false
		}
		for _, w := range between {
			if !startsLower(w) || w == "and" || w == "or" || strings.ContainsAny(w, ",;") || adjunctPreps[w] || otherPreps[w] {
				return false
			}
		}
		return true
	}
	return false
}

// laterPerson says whether a person is named in [a, b) ("Clinton's
// spokesman Brian Fallon": Fallon speaks).
func (ta *textAnalysis) laterPerson(a, b int) bool {
	for _, m := range ta.ms {
		if m.offset >= a && m.end <= b && m.actor.Kind == "person" && !possessive(ta.text, m.end) {
			return true
		}
	}
	return false
}

// ownerOrgRe: what follows an organisation in the possessive when the
// organisation itself speaks through it ("the ministry's statement").
var ownerOrgRe = regexp.MustCompile(`(?i)^['’]s\s+(?:statement|office|press office|website|account|guidance|report|filing|letter|announcement|team|campaign)\s*$`)

// prepBefore says whether the words before a name end with a preposition
// ("a spokesman for", "a lawyer representing"), so the name is not the
// speaker.
func prepBefore(pre string) bool {
	for _, w := range strings.Fields(pre) {
		switch w {
		case "for", "of", "to", "at", "with", "from", "representing", "behind", "near", "close", "around", "under", "on", "by", "in":
			return true
		}
	}
	return false
}

func stripDeterminer(s string) string {
	for _, d := range []string{"the ", "a ", "an ", "The ", "A ", "An "} {
		if strings.HasPrefix(s, d) {
			return s[len(d):]
		}
	}
	return s
}

// cleanRole tidies a role phrase: no leading determiner, no trailing comma,
// no party-and-state tag, not a relative clause.
func cleanRole(r string) string {
	r = strings.TrimSpace(strings.Trim(r, " ,;:"))
	if r == "" || relativeClause(r) || partyRe.MatchString(r) {
		return ""
	}
	if ws := strings.Fields(r); len(ws) > 14 {
		return ""
	}
	r = stripDeterminer(r)
	for _, p := range []string{"his ", "her ", "their ", "its ", "His ", "Her ", "Their ", "Its "} {
		r = strings.TrimPrefix(r, p) // "Her lawyer": the lawyer
	}
	if ab, ok := titleAbbrev[strings.TrimSuffix(r, ".")]; ok {
		return ab
	}
	return r
}

// titleAbbrev spells out English title abbreviations.
var titleAbbrev = map[string]string{"Sen": "senator", "Rep": "representative", "Gov": "governor", "Gen": "general",
	"Lt": "lieutenant", "Col": "colonel", "Adm": "admiral", "Supt": "superintendent", "Insp": "inspector",
	"Det": "detective", "Prof": "professor", "Rev": "reverend", "Atty": "attorney", "Pres": "president",
	"Sec": "secretary", "Capt": "captain", "Sgt": "sergeant", "Cmdr": "commander", "Amb": "ambassador"}

// roleOf is the role the text gives a person: from an apposition, a title
// before the name, or an earlier quote.
func (ta *textAnalysis) roleOf(name string, before []resolved) string {
	if r := ta.roleOfPerson(name); r != "" {
		return cleanRole(r)
	}
	for i := len(before) - 1; i >= 0; i-- {
		if before[i].name == name && before[i].role != "" {
			return before[i].role
		}
	}
	return ""
}

// quotedAt says whether offset i is inside a quotation.
func (ta *textAnalysis) quotedAt(i int) bool {
	q := ta.quoteAt(i)
	return q != nil && i >= q.start && i < q.end
}

// personBefore is the person a "he" or "she" at offset at refers to, of
// the pronoun's gender when it is known ('m' for he, 'f' for she): the
// nearest person before it who spoke or was the subject of a sentence
// (news reports go on about their subjects), else the nearest person named
// at all; people named inside quotations do not count.
func (ta *textAnalysis) personBefore(at int, g byte, before []resolved) (string, int) {
	fits := func(name string) bool {
		mg := ta.genderOf(name)
		return g == 0 || mg == 0 || mg == g
	}
	subject, subjectAt := "", -1
	any, anyAt := "", -1
	for i := len(ta.ms) - 1; i >= 0; i-- {
		m := ta.ms[i]
		if m.offset >= at || m.actor.Kind != "person" || ta.quotedAt(m.offset) || !fits(m.actor.Name) {
			continue
		}
		if any == "" {
			any, anyAt = m.actor.Name, m.offset
		}
		if ta.isSubject(m.offset) {
			subject, subjectAt = m.actor.Name, m.offset
			break
		}
	}
	for i := len(before) - 1; i >= 0; i-- {
		b := before[i]
		// A word for a group ("Delegates") is not a he or a she.
		if b.kind != "person" && b.kind != "name" || b.at >= at || b.at <= subjectAt || b.name == "the author" || !fits(b.name) ||
			g != 0 && groupWord(b.name) {
			continue
		}
		return b.name, b.at
	}
	if subject != "" {
		return subject, subjectAt
	}
	return any, anyAt
}

// groupWord says whether a name is one word for people in the plural
// ("Delegates", "Officials").
func groupWord(name string) bool {
	w := strings.ToLower(name)
	// "Americans", "Europeans", "Republicans": a people or a party
	nation := strings.HasSuffix(w, "icans") || strings.HasSuffix(w, "eans") || strings.HasSuffix(w, "ians")
	return !strings.Contains(w, " ") && plural(w) && (speakerNouns[w] || listenerNouns[w] || lowerSpeakerStarts[w] || nation)
}

// isSubject says whether offset i lies in the subject a sentence opens
// with.
func (ta *textAnalysis) isSubject(i int) bool {
	si := ta.sentenceOf(i)
	if si < 0 {
		return false
	}
	if ta.leads == nil {
		ta.leads = map[int]textSpan{}
	}
	lead, ok := ta.leads[si]
	if !ok {
		lead = ta.leadingSubject(si)
		ta.leads[si] = lead
	}
	return i >= lead.start && i < lead.end
}

// personAfter is the first person named after offset at, outside
// quotations (a pronoun before its name: "“…,” he said. Mr. Lee, who …").
func (ta *textAnalysis) personAfter(at int) string {
	for _, m := range ta.ms {
		if m.offset >= at && m.offset < at+300 && m.actor.Kind == "person" && !ta.quotedAt(m.offset) {
			return m.actor.Name
		}
	}
	return ""
}

// groupBefore is what a "they" or "it" at offset refers to: the nearest
// organisation, or group of people speaking, named before it.
func (ta *textAnalysis) groupBefore(at int, it bool, before []resolved) (string, int) {
	best, bestAt := "", -1
	for i := len(ta.ms) - 1; i >= 0; i-- {
		m := ta.ms[i]
		if m.offset < at && m.actor.Kind == "organisation" && !ta.quotedAt(m.offset) {
			best, bestAt = m.actor.Name, m.offset
			break
		}
	}
	for i := len(before) - 1; i >= 0; i-- {
		b := before[i]
		if b.at >= at || b.at <= bestAt {
			continue
		}
		if b.kind == "organisation" || (!it && b.kind == "group" && plural(b.name)) {
			return b.name, b.at
		}
	}
	return best, bestAt
}

// plural is a rough test for a plural noun phrase ("officials", "critics").
func plural(s string) bool {
	ws := strings.Fields(strings.ToLower(s))
	if len(ws) == 0 {
		return false
	}
	w := ws[len(ws)-1]
	return strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") || w == "people" || w == "police"
}

// personWithRole finds the person whose role (from an apposition or title)
// is title or ends with it, preferring the one named last before the
// offset.
func (ta *textAnalysis) personWithRole(title string, before int, speakers []resolved) string {
	if title == "" {
		return ""
	}
	for i := len(ta.ms) - 1; i >= 0; i-- {
		m := ta.ms[i]
		if m.actor.Kind != "person" || m.offset >= before {
			continue
		}
		r := strings.ToLower(ta.roleOfPerson(m.actor.Name))
		if r == "" {
			continue
		}
		if r == title || strings.HasPrefix(r, title+" ") || strings.HasSuffix(r, " "+title) {
			return m.actor.Name
		}
	}
	for i := len(speakers) - 1; i >= 0; i-- {
		r := strings.ToLower(speakers[i].role)
		if speakers[i].kind == "person" && r != "" && (r == title || strings.HasSuffix(r, " "+title)) {
			return speakers[i].name
		}
	}
	return ""
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

var (
	genericOrg = regexp.MustCompile(`(?i)\b(embassy|ministry|force|police|government|department|office|service|prosecutors?|court|agency|party|company|commission|council|campaign|committee|administration)\b`)
	spokesRe   = regexp.MustCompile(`(?i)\bspokes(?:person|man|woman)\b|\bspokespeople\b`)
	// titledSpokesRe finds a spokesperson named by title ("Embassy
	// Spokesperson", "Foreign Ministry Spokesperson").
	titledSpokesRe = regexp.MustCompile(`(?:[A-Z][\p{L}'’]*\s+){1,3}Spokes(?:person|man|woman)\b`)
)

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r >= 'a' && r <= 'z'
}

// docNouns name documents that can be quoted as if they spoke.
var docNouns = toSet("guidance alert advice advisory notice bulletin warning letter memo briefing statement report")

// issuerOf is the organisation last named as owning a document before a
// position ("MI5's alert", "the Security Service's guidance"), or "".
func (ta *textAnalysis) issuerOf(before int) string {
	for i := len(ta.ms) - 1; i >= 0; i-- {
		m := ta.ms[i]
		if m.offset >= before || m.actor.Kind != "organisation" || !possessive(ta.text, m.end) {
			continue
		}
		rest := strings.TrimLeft(ta.text[m.end:], "'’s")
		if f := strings.Fields(rest); len(f) > 0 && docNouns[strings.ToLower(strings.Trim(f[0], ",.;:"))] {
			return m.actor.Name
		}
	}
	return ""
}

func possessive(text string, end int) bool {
	rest := text[end:]
	return strings.HasPrefix(rest, "'s") || strings.HasPrefix(rest, "’s") || strings.HasPrefix(rest, "' ") || strings.HasPrefix(rest, "’ ")
}

// orgFor names the organisation a generic phrase ("the embassy", "a force
// spokesperson") refers to: the last one named whose name shares the noun,
// else the last organisation named.
func orgFor(ms []mention, phrase string, before int) string {
	noun := strings.ToLower(genericOrg.FindString(phrase))
	if noun != "" {
		// "the embassy" is an embassy named before, or stays as written;
		// a police force is called "the force".
		for i := len(ms) - 1; i >= 0; i-- {
			name := strings.ToLower(ms[i].actor.Name)
			if ms[i].offset < before && ms[i].actor.Kind == "organisation" &&
				(strings.Contains(name, noun) || noun == "force" && strings.Contains(name, "police")) {
				return ms[i].actor.Name
			}
		}
		return ""
	}
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].offset < before && ms[i].actor.Kind == "organisation" && !ms[i].guessed {
			return ms[i].actor.Name
		}
	}
	return ""
}

func lastMention(ms []mention, before int, kind string) string {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].offset < before && ms[i].actor.Kind == kind {
			return ms[i].actor.Name
		}
	}
	return ""
}

// genderOf guesses whether the text refers to a person as he ('m') or she
// ('f'), 0 when it cannot tell: from a title before a name (Mr, Mrs, Ms),
// or else the first he/his/him or she/her/hers after a mention before
// another person is named. Worked out when first asked for.
func (ta *textAnalysis) genderOf(name string) byte {
	if g, ok := ta.gender[name]; ok {
		return g
	}
	if ta.gender == nil {
		ta.gender = map[string]byte{}
	}
	g := byte(0)
	// A title anywhere ("Mrs. Clinton") outweighs a pronoun after some
	// mention, which may be someone else's.
	found := false
	for _, m := range ta.ms {
		if m.actor.Kind == "person" && m.actor.Name == name {
			found = true
			if g = titleGender(ta.text, m.offset, m.end); g != 0 {
				break
			}
		}
	}
	for i, m := range ta.ms {
		if g != 0 {
			break
		}
		if m.actor.Kind == "person" && m.actor.Name == name {
			g = mentionGender(ta.text, ta.ms, i)
		}
	}
	if !found && g == 0 && name != "" {
		// A name the recogniser did not read ("Melanie", "Mr. Podesta"):
		// where the text writes it.
		for from := 0; g == 0; {
			k := strings.Index(ta.text[from:], name)
			if k < 0 {
				break
			}
			at := from + k
			from = at + len(name)
			if g = titleGender(ta.text, at, from); g == 0 {
				end := min(len(ta.text), from+300)
				for _, m := range ta.ms {
					if m.offset > from && m.actor.Kind == "person" {
						end = min(end, m.offset)
						break
					}
				}
				g = pronounGender(ta.text[from:end])
			}
		}
	}
	ta.gender[name] = g
	return g
}

// titleGender reads a title in a mention [offset, end) or just before it:
// Mr for a man, Mrs, Ms or Miss for a woman.
func titleGender(text string, offset, end int) byte {
	pre := strings.ToLower(text[max(0, offset-6):min(end, offset+5)])
	pre = strings.ReplaceAll(pre, ".", "")
	switch {
	case strings.Contains(pre, "mr "):
		return 'm'
	case strings.Contains(pre, "mrs ") || strings.Contains(pre, "ms ") || strings.Contains(pre, "miss "):
		return 'f'
	}
	return 0
}

// pronounGender is the gender of the first he/his/him or she/her/hers in
// s, 0 if none.
func pronounGender(s string) byte {
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWordRune(r) }) {
		switch w {
		case "he", "his", "him", "himself":
			return 'm'
		case "she", "her", "hers", "herself":
			return 'f'
		}
	}
	return 0
}

// mentionGender is the gender one mention shows: its title, or the first
// he or she after it before another person is named.
func mentionGender(text string, ms []mention, i int) byte {
	m := ms[i]
	if g := titleGender(text, m.offset, m.end); g != 0 {
		return g
	}
	end := min(len(text), m.end+400)
	for j := i + 1; j < len(ms); j++ {
		if ms[j].actor.Kind == "person" && ms[j].actor.Name != m.actor.Name {
			end = min(end, ms[j].offset)
			break
		}
	}
	return pronounGender(text[m.end:max(m.end, end)])
}

// appositionRe reads "NAME, the ROLE," and "NAME, ROLE of X,".
var appositionRe = regexp.MustCompile(`^,\s+((?:the |a |an )?[\p{L}'’\-]+(?: [\p{L}'’\-]+){0,12}?),`)

// roleBeforeRe reads "The ROLE, NAME" and "ROLE NAME" just before a name
// ("The Director of Public Prosecutions, Stephen Parkinson"; "security
// minister Dan Jarvis"; "Sen. Tim Kaine").
var (
	roleCommaBeforeRe = regexp.MustCompile(`(?:^|[\s(])[Tt]he ((?:[A-Z][\p{L}'’\-]*)(?: (?:[A-Z][\p{L}'’\-]*|of|for|and|the))*),\s*$`)
	roleBeforeRe      = regexp.MustCompile(`((?:(?:[A-Z][\p{L}'’\-]*|security|shadow|home|foreign|deputy|justice|defence|defense|former|chief|senior|assistant|district|state|federal|vice|presidential) ){0,3}(?i:minister|secretary|premier|president|chancellor|ambassador|spokesperson|spokesman|spokeswoman|director|head|chief|leader|adviser|advisor|chair|chairman|chairwoman|commissioner|MP|general|attorney|prosecutor|superintendent|inspector|lawyer|solicitor|professor|lecturer|officer|senator|governor|mayor|congressman|congresswoman|representative|nominee|candidate|judge|economist|analyst))\s+$`)
)

// roleOfPerson is the role the text gives a person in one of the first
// mentions that gives one: an office ("Prime Minister"), an apposition ("Stephen Parkinson,
// the Director of Public Prosecutions, said"), or a title before the name
// ("Sen. Tim Kaine", "security minister Dan Jarvis"). Worked out when first
// asked for, so only speakers' roles cost anything.
func (ta *textAnalysis) roleOfPerson(name string) string {
	if r, ok := ta.roles[name]; ok {
		return r
	}
	if ta.roles == nil {
		ta.roles = map[string]string{}
	}
	r, tried := "", 0
	for _, m := range ta.ms {
		if m.actor.Kind == "person" && m.actor.Name == name {
			if r = mentionRole(ta.text, m); r != "" || tried >= 4 {
				break // the first mentions that give a role
			}
			tried++
		}
	}
	ta.roles[name] = r
	return r
}

// mentionRole reads the role given beside one mention of a person.
func mentionRole(text string, m mention) string {
	if m.title != "" {
		return m.title
	}
	rest := text[m.end:min(len(text), m.end+160)]
	if loc := appositionRe.FindStringSubmatch(rest); loc != nil {
		role := loc[1]
		first := strings.Fields(role)[0]
		if (first == "the" || first == "a" || first == "an" || !startsLower(role)) && !strings.Contains(role, " said") &&
			!relativeClause(role) && !partyRe.MatchString(role) {
			return strings.TrimPrefix(strings.TrimPrefix(role, "the "), "a ")
		}
	}
	before := text[max(0, m.offset-90):m.offset]
	for before != "" && !utf8.RuneStart(before[0]) {
		before = before[1:]
	}
	if ws := strings.Fields(before); len(ws) > 0 {
		if r, ok := titleAbbrev[strings.TrimSuffix(ws[len(ws)-1], ".")]; ok {
			return r // "Sen. Tim Kaine"
		}
	}
	if strings.HasSuffix(strings.TrimRight(before, " "), ",") {
		if loc := roleCommaBeforeRe.FindStringSubmatch(before); loc != nil {
			return loc[1]
		}
	}
	// "ROLE NAME": only when a role word stands right before the name.
	if ws := strings.Fields(before); len(ws) > 0 && roleWords[strings.ToLower(ws[len(ws)-1])] {
		// roleBeforeRe is anchored at the end: give it only the last words.
		before = strings.Join(ws[max(0, len(ws)-5):], " ") + " "
		if loc := roleBeforeRe.FindStringSubmatch(before); loc != nil {
			r := strings.TrimSpace(loc[1])
			for _, det := range []string{"the ", "The ", "a ", "A "} {
				r = strings.TrimPrefix(r, det)
			}
			return r
		}
	}
	return ""
}

// roleWords end the roles roleBeforeRe reads.
var roleWords = toSet(`minister secretary premier president chancellor ambassador spokesperson spokesman spokeswoman
director head chief leader adviser advisor chair chairman chairwoman commissioner mp general attorney prosecutor
superintendent inspector lawyer solicitor professor lecturer officer senator governor mayor congressman
congresswoman representative nominee candidate judge economist analyst`)
