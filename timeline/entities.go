package timeline

import (
	_ "embed"
	"encoding/json"
	"fmt"
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

//go:embed gazetteer.json
var gazetteerJSON []byte

// Gazetteer is the data the entity recogniser works from: named countries,
// places, organisations and laws with their aliases, and who held which
// office when.
type Gazetteer struct {
	Entities []struct {
		Name    string   `json:"name"`
		Kind    string   `json:"kind"`
		Aliases []string `json:"aliases"`
	} `json:"entities"`
	Roles []struct {
		Title   string `json:"title"`
		Country string `json:"country"`
		Name    string `json:"name"`
		From    string `json:"from"`
		To      string `json:"to"`
		// Side is the camp a political office speaks for ("government",
		// "opposition"); empty for offices outside politics.
		Side string `json:"side,omitempty"`
	} `json:"roles"`
}

// aliasEntry is one way of naming a gazetteer entity, as words.
type aliasEntry struct {
	words []string
	actor model.Actor
}

// token is a word of a text with its byte offsets; a possessive "'s" and
// trailing full stops or apostrophes are not part of the word.
type token struct {
	word       string
	start, end int
}

func isWordByte(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '\'' || r == '’' || r == '-'
}

// wordTokens splits text into words for gazetteer lookups.
func wordTokens(text string) []token {
	return appendWordTokens(nil, text)
}

// tokenBufs keeps token slices for find to reuse (see wordBufs).
var tokenBufs = sync.Pool{New: func() any { return new([]token) }}

// appendWordTokens appends text's words to out.
func appendWordTokens(out []token, text string) []token {
	start := -1
	flush := func(end int) {
		w := text[start:end]
		if plainWord(w) { // nothing to trim
			out = append(out, token{w, start, end})
			start = -1
			return
		}
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
		w = strings.TrimRight(w, ".'’-")
		w = strings.TrimLeft(w, ".'’-")
		if w != "" {
			s := start + strings.Index(text[start:end], w)
			out = append(out, token{w, s, s + len(w)})
		}
		start = -1
	}
	for i, r := range text {
		if r < utf8.RuneSelf { // ASCII: no ideographs, and a quick isWordByte
			if c := byte(r); 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '\'' || c == '-' {
				if start < 0 {
					start = i
				}
			} else if start >= 0 {
				flush(i)
			}
			continue
		}
		// Chinese and Japanese are written without spaces: each ideograph is
		// a word, so a multi-character alias matches as a run of them.
		if unicode.Is(unicode.Han, r) {
			if start >= 0 {
				flush(i)
			}
			out = append(out, token{text[i : i+utf8.RuneLen(r)], i, i + utf8.RuneLen(r)})
			continue
		}
		if isWordByte(r) {
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
	return out
}

// plainWord says whether w has none of the characters wordTokens trims
// (full stops, apostrophes, hyphens; any non-ASCII, to be safe).
func plainWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c == '.' || c == '\'' || c == '-' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// roleHolder is who held an office in a period.
type roleHolder struct {
	title    string
	name     string
	from, to time.Time
	side     string // "<country>:<side>", or empty
}

// recogniser finds actors in text. It is built once from the gazetteer and is
// safe for concurrent use.
type recogniser struct {
	byFirst map[string][]aliasEntry // first word of an alias -> aliases, longest first
	roles   []roleHolder
	titles  []string // every office title in roles, lower case, longest first
	// titlesBy: titles by their first byte, longest first
	titlesBy map[byte][]string
}

func newRecogniser(data []byte) (*recogniser, error) {
	var g Gazetteer
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("read gazetteer: %w", err)
	}
	r := &recogniser{byFirst: map[string][]aliasEntry{}}
	for _, e := range g.Entities {
		for _, a := range append([]string{e.Name}, e.Aliases...) {
			var words []string
			for _, w := range wordTokens(a) {
				words = append(words, w.word)
			}
			if len(words) == 0 {
				continue
			}
			r.byFirst[words[0]] = append(r.byFirst[words[0]], aliasEntry{words, model.Actor{Name: e.Name, Kind: e.Kind}})
		}
	}
	// Longest first, so "Official Secrets Act 1911" wins over "Official Secrets Act".
	for k, es := range r.byFirst {
		sort.SliceStable(es, func(i, j int) bool { return len(es[i].words) > len(es[j].words) })
		r.byFirst[k] = es
	}
	for _, ro := range g.Roles {
		from, err1 := time.Parse("2006-01-02", ro.From)
		to, err2 := time.Parse("2006-01-02", ro.To)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("gazetteer role %s %s: dates must be YYYY-MM-DD", ro.Title, ro.Name)
		}
		side := ""
		if ro.Side != "" {
			side = ro.Country + ":" + ro.Side
		}
		r.roles = append(r.roles, roleHolder{strings.ToLower(ro.Title), ro.Name, from, to, side})
	}
	seen := map[string]bool{}
	for _, ro := range r.roles {
		if !seen[ro.title] {
			seen[ro.title] = true
			r.titles = append(r.titles, ro.title)
		}
	}
	// Longest first, so "shadow home secretary" wins over "home secretary".
	sort.Slice(r.titles, func(i, j int) bool { return len(r.titles[i]) > len(r.titles[j]) })
	r.titlesBy = map[byte][]string{}
	for _, t := range r.titles {
		if t != "" {
			r.titlesBy[t[0]] = append(r.titlesBy[t[0]], t)
		}
	}
	return r, nil
}

// offices finds the office titles in low (a text with its ASCII letters
// lower-cased), as whole words, leftmost first and the longest at each place
// (as one alternation of the titles would), by one walk of the text: at each
// word start, the titles beginning with its byte, longest first.
func (r *recogniser) offices(low string) [][2]int {
	var locs [][2]int
	for s := 0; s < len(low); s++ {
		if s > 0 && isASCIIWord(low[s-1]) {
			continue
		}
		for _, t := range r.titlesBy[low[s]] {
			e := s + len(t)
			if strings.HasPrefix(low[s:], t) && (e == len(low) || !isASCIIWord(low[e])) {
				locs = append(locs, [2]int{s, e})
				s = e - 1
				break
			}
		}
	}
	return locs
}

func isASCIIWord(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// sideOf returns the political camp ("United Kingdom:opposition") that name
// spoke for at t through an office it held, or "" when it held none.
func (r *recogniser) sideOf(name string, t time.Time) string {
	for _, ro := range r.roles {
		if ro.side != "" && ro.name == name && !t.Before(ro.from) && t.Before(ro.to) {
			return ro.side
		}
	}
	return ""
}

// holder returns who held office title (e.g. "Prime Minister") at t.
func (r *recogniser) holder(title string, t time.Time) string {
	title = strings.ToLower(strings.TrimSpace(title))
	for _, ro := range r.roles {
		if ro.title == title && !t.Before(ro.from) && t.Before(ro.to) {
			return ro.name
		}
	}
	return ""
}

// isNameWord: a capitalised word that could be part of a person's name
// ("Cash", "McCallum", "O'Neill"), not an acronym ("MI5").
func isNameWord(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) || size >= len(w) {
		return false
	}
	r2, _ := utf8.DecodeRuneInString(w[size:])
	if !unicode.IsLower(r2) && r2 != '\'' && r2 != '’' {
		return false
	}
	for _, c := range w {
		if unicode.IsDigit(c) || c == '.' {
			return false
		}
	}
	return true
}

// judgeRe finds judges, who are named by office and surname.
var judgeRe = regexp.MustCompile(`\b(?:(?:Mr|Mrs|Ms|Lord|Lady)\.? )?((?:Justice|Judge) [A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?)\b`)

// judgeFinder runs judgeRe only on the stretches of text around "Justice"
// and "Judge" that its characters allow (see literalRegexp).
var judgeFinder = newLiteralRegexp(judgeRe)

// titledSurnames finds "Mr Cash", "Ms. Qiu": a title and one capitalised
// word. Each match is [start, end, title start, title end, surname start,
// surname end], as a regular expression's submatches would be.
func titledSurnames(text string, toks []token) [][]int {
	var out [][]int
	for i := 0; i+1 < len(toks); i++ {
		t, u := toks[i], toks[i+1]
		if !honorificTitles[t.word] || !isNameWord(u.word) {
			continue
		}
		if gap := text[t.end:u.start]; gap != " " && gap != ". " {
			continue
		}
		if t.start > 0 && isWordByte(rune(text[t.start-1])) {
			continue
		}
		out = append(out, []int{t.start, u.end, t.start, t.end, u.start, u.end})
	}
	return out
}

// honorificTitles precede a surname ("Mr Cash", "Dame Stella").
var honorificTitles = toSet("Mr Mrs Ms Miss Dr Sir Dame Lord Lady")

// notNameWords are capitalised words that start sentences, give titles and
// offices, or name things that are not people: a run of capitalised words is
// split at them, and a person's name is never made of them. General English
// (function words, numbers, days and months, titles and their abbreviations,
// government and court vocabulary), not words of any one corpus.
var notNameWords = toSet(`The A An In On At Of For From By To And But Or As If When While After Before Since Until With Without
About Against Among Between During Into Over Under Some Many Most Other Others Several Both Neither Either Each Every
All No Not This That These Those There Their They Them He She It Its We Our You Your I His Her Who What Which Where
Why How Two Three Four Five Six Seven Eight Nine Ten One First Second Third Last Next New Old Former Chinese British
English Scottish Welsh American European Russian Iranian German French Indian Prime Minister Ministers Minister's Home
Foreign Office Secretary Court Courts Police Act Acts Party House Service Services Embassy Committee Research Group
Parliament Parliamentary Street Government Department Ministry Council Commission Agency Bureau Crown Counter
Terrorism Security National Justice Public Prosecutions Director Head Chief General Deputy Senior Special Crime
Division Magistrates Magistrates' Criminal Central Bailey Royal Assent Monday Tuesday Wednesday Thursday Friday
Saturday Sunday January February March April May June July August September October November December Question Answer
Mr Mrs Ms Dr Sir Premier President Labour Conservative Conservatives Tory Tories MPs MP Westminster London Beijing
China Britain Press Statement Statements Remarks Spokesperson Spokesman Spokeswoman Embassy's Communist Data
Protection Kingdom United States Union Secrets Official Officials Meanwhile However Although Today Yesterday Earlier
Later Asked Speaking Under Following According Instead Britons Briton Hong Kong Asia Pacific Europe Legal Intelligence
Sunday's Monday's Metropolitan Met Defence Defense Investigation Bill Law Laws Lords Commons Cabinet Treasury Whitehall
Downing Number No Officers Agents Agent Spy Spies Espionage Superintendent Detective Inspector Sergeant Constable
Assistant Attorney District Officer Professor Prof Lecturer Senator Representative Governor Mayor Judge Lord Lady Dame
Baroness Colonel Captain Major Commissioner Ambassador Sen Sens Rep Reps Gov Gen Lt Col Adm Capt Sgt Cmdr Supt Insp
Det Rev Hon Atty Pres Amb Chancellor Chairman Chairwoman Chair Leader Majority Minority Speaker Whip Senate Congress
Congressman Congresswoman Vice Executive Editor Correspondent Reporter Anchor Host Founder Candidate Nominee Sheriff
Justices Republican Republicans Democrat Democrats Democratic GOP`)

// Heads of names that are not people. A run of capitalised words ending
// in orgHeads names an organisation: government and company vocabulary, and
// the words newspapers and broadcasters are conventionally named with (The
// Washington Post, the San Francisco Chronicle, the Courier-Journal, Harvard
// Business Review, Fox News, Associated Press). A run ending in thingHeads
// names an event, a law, a document or a place. A run opening with a word of
// adjectiveOpeners ("Islamic State", "World War") names no person either.
var (
	orgHeads = toSet(`House Court Courts Party Committee Council Department Ministry Agency Service Services Office
Bureau Commission Institute Institution University College School Academy Foundation Fund Bank Group Association Union
Company Corporation Corp Inc Ltd LLC PLC Organization Organisation Times Post News Journal Herald Tribune Review
Chronicle Courier Gazette Telegraph Guardian Observer Mail Express Standard Wire Press Magazine Radio Television TV
Network Channel Broadcasting Force Forces Army Navy Police Taskforce Coalition Alliance Movement Front Board Authority
Administration Government Parliament Congress Senate Assembly Cabinet Caucus Campaign Project Trust Society
Federation League Club Industries Holdings Partners Capital Media Labs Systems Technologies Airlines Motors Center
Centre Hospital Tribunal Inspectorate Directorate Secretariat Embassy Consulate Mission Delegation Watch
International Prosecutors Council Networks Brigade Guard Command Unit Squad Division Corps`)
	thingHeads = toSet(`War Wars Revolution Crisis Election Elections Olympics Games Cup Summit Conference Day Week Act
Bill Treaty Agreement Accord Plan Program Programme Initiative Strategy Doctrine Scandal Affair Festival Prize Award
Awards Convention Protocol Pact Deal Case Trial Inquiry Report Street Avenue Road Square River Island Islands
Mountain Mountains Valley City County Province Region District State States Airport Station Bridge Park Lake Sea
Ocean Bay Coast Beach Hill Hills Heights Tower Building Hall Palace Castle Cathedral Church Mosque Temple Stadium
Arena Prison Camp Base Port Harbour Harbor Canal Forest Desert Peninsula Strait Gulf Alert Alerts Notice Order Rule
Rules Code Law Laws Amendment Clause Resolution Declaration Charter Constitution Budget Fund Index Act's Matter`)
	adjectiveOpeners = toSet(`Islamic Democratic Republican National International Federal Royal United Supreme Central
Global World Civil Cold Great Holy Free Liberal Socialist Communist Catholic Christian Jewish Muslim Arab African Asian
Atlantic Pacific Northern Southern Eastern Western North South East West New Old Black White Red Green Blue Golden
Silver Grand Middle Upper Lower Greater Federal Constitutional Presidential Congressional Parliamentary Independent
Conservative Progressive Popular Patriotic Unified Joint Combined Strategic Special Secret`)
)

func toSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// mention is one actor found at an offset.
type mention struct {
	actor   model.Actor
	offset  int
	end     int
	title   string // for an office named instead of its holder: the office
	guessed bool   // an organisation known only by the shape of its name, not from the gazetteer
}

// find returns every actor mention in text, in text order. Bare surnames and
// "Mr Surname" resolve to a full name already seen in the same text.
func (r *recogniser) find(text string, at time.Time) []mention {
	var out []mention
	taken := make([]bool, len(text)+1)
	// Offices held by someone on the publication date: "the Prime Minister".
	low := asciiLower(text)
	if !at.IsZero() && len(r.titles) > 0 {
		for _, loc := range r.offices(low) {
			if name := r.holder(text[loc[0]:loc[1]], at); name != "" {
				out = append(out, mention{actor: model.Actor{Name: name, Kind: "person"}, offset: loc[0], end: loc[1], title: text[loc[0]:loc[1]]})
				for i := loc[0]; i < loc[1]; i++ {
					taken[i] = true
				}
			}
		}
	}
	buf := tokenBufs.Get().(*[]token)
	toks := appendWordTokens((*buf)[:0], text)
	defer func() {
		clear(toks) // keep no text alive
		*buf = toks[:0]
		tokenBufs.Put(buf)
	}()
	for i := 0; i < len(toks); i++ {
		for _, a := range r.byFirst[toks[i].word] {
			n := len(a.words)
			if i+n > len(toks) || taken[toks[i].start] {
				continue
			}
			ok := true
			for j := 1; j < n; j++ {
				if toks[i+j].word != a.words[j] {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			s, e := toks[i].start, toks[i+n-1].end
			out = append(out, mention{actor: a.actor, offset: s, end: e})
			for k := s; k < e; k++ {
				taken[k] = true
			}
			i += n - 1
			break
		}
	}
	// People: runs of two or three capitalised words that are not the names
	// of other things ("Christopher Cash", "Li Qiang").
	bySurname := map[string]string{}
	others := map[string][]string{} // surname -> every full name with it, in text order ("Barack Obama", "Michelle Obama")
	addName := func(words []token) {
		for len(words) >= 2 {
			n := min(3, len(words))
			if len(words) == 4 {
				n = 2
			}
			ws := make([]string, n)
			for k := range ws {
				ws[k] = words[k].word
			}
			name := strings.Join(ws, " ")
			if _, ok := bySurname[ws[n-1]]; !ok {
				// A surname alone is the first person named with it ("Cruz"
				// after "Ted Cruz", not his wife named later).
				bySurname[ws[n-1]] = name
			}
			if !slices.Contains(others[ws[n-1]], name) {
				others[ws[n-1]] = append(others[ws[n-1]], name)
			}
			s, e := words[0].start, words[n-1].end
			out = append(out, mention{actor: model.Actor{Name: name, Kind: "person"}, offset: s, end: e})
			for k := s; k < e; k++ {
				taken[k] = true
			}
			words = words[n:]
		}
	}
	headlines := titleCaseLines(text)
	for i := 0; i < len(toks); {
		if !isNameWord(toks[i].word) || taken[toks[i].start] || inRanges(headlines, toks[i].start) {
			i++
			continue
		}
		j := i + 1
		for j < len(toks) && isNameWord(toks[j].word) && !taken[toks[j].start] &&
			text[toks[j-1].end:toks[j].start] == " " {
			j++
		}
		run := toks[i:j]
		for len(run) > 1 && leadWords[run[0].word] {
			run = run[1:] // "The Washington Post"
		}
		// An organisation named by its head word: "Tulsa Police
		// Department", "Fox News".
		if last := run[len(run)-1].word; len(run) >= 2 && orgHeads[last] {
			ws := make([]string, len(run))
			for k, tk := range run {
				ws[k] = tk.word
			}
			s, e := run[0].start, run[len(run)-1].end
			out = append(out, mention{actor: model.Actor{Name: strings.Join(ws, " "), Kind: "organisation"}, offset: s, end: e, guessed: true})
			for k := s; k < e; k++ {
				taken[k] = true
			}
			i = j
			continue
		} else if thingHeads[last] {
			i = j // an event, a law or a place: "World War", "Staten Island"
			continue
		}
		var seg []token
		flush := func() {
			// Not a person: a name after an article ("the Islamic State",
			// "a Gold Star mother"), or opening with an adjective.
			if len(seg) > 0 && (adjectiveOpeners[seg[0].word] || articleBefore(text, seg[0].start)) {
				seg = seg[:0]
				return
			}
			addName(seg)
			seg = seg[:0]
		}
		for _, tk := range run {
			if notNameWords[tk.word] {
				flush()
				continue
			}
			seg = append(seg, tk)
		}
		flush()
		i = j
	}
	// Judges are named by title and surname: "Mrs Justice Carmody", "Judge Marsh".
	var judges [][]int
	if strings.Contains(text, "Justice") || strings.Contains(text, "Judge") {
		judges = judgeFinder.findAll(text, low, true)
	}
	for _, loc := range judges {
		if taken[loc[2]] {
			continue
		}
		if rest := text[loc[1]:]; len(rest) > 1 && rest[0] == ' ' && rest[1] >= 'A' && rest[1] <= 'Z' {
			continue // "Judge Ellen Marsh": the name patterns read her name
		}
		name := text[loc[2]:loc[1]]
		out = append(out, mention{actor: model.Actor{Name: name, Kind: "person"}, offset: loc[0], end: loc[1]})
		for i := loc[0]; i < loc[1]; i++ {
			taken[i] = true
		}
	}
	for _, loc := range titledSurnames(text, toks) {
		if taken[loc[4]] {
			continue
		}
		surname := text[loc[4]:loc[5]]
		if full, ok := bySurname[surname]; ok {
			if len(others[surname]) > 1 {
				// "Mr. Obama" after Barack and Michelle Obama: the one the
				// text calls he, as "Mrs. Obama" is the one it calls she.
				full = byTitleGender(text, out, others[surname], text[loc[2]:loc[3]], full)
			}
			out = append(out, mention{actor: model.Actor{Name: full, Kind: "person"}, offset: loc[0], end: loc[1]})
			for i := loc[0]; i < loc[1]; i++ {
				taken[i] = true
			}
		}
	}
	// Bare surnames of people already named ("Cash has said …").
	if len(bySurname) > 0 {
		for _, tk := range toks {
			full, ok := bySurname[tk.word]
			if !ok || taken[tk.start] {
				continue
			}
			if len(others[tk.word]) > 1 {
				full = namedMost(out, others[tk.word], tk.start, full)
			}
			out = append(out, mention{actor: model.Actor{Name: full, Kind: "person"}, offset: tk.start, end: tk.end})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].offset < out[j].offset })
	return out
}

// namedMost picks, among people who share a surname, the one a surname alone
// at offset at refers to: the one named in full most often before it, the
// latest of those on a tie ("Cruz" is Ted Cruz in a report about him that
// names his wife once). def when none is named before.
func namedMost(ms []mention, names []string, at int, def string) string {
	best, bestN, bestAt := def, 0, -1
	for _, name := range names {
		n, last := 0, -1
		for _, m := range ms {
			if m.actor.Name == name && m.offset < at {
				n++
				last = max(last, m.offset)
			}
		}
		if n > bestN || n == bestN && n > 0 && last > bestAt {
			best, bestN, bestAt = name, n, last
		}
	}
	return best
}

// byTitleGender picks, among people who share a surname, the one a title
// fits: "Mr" a man, "Mrs", "Ms", "Miss" a woman, going by the pronoun that
// follows each one's first mention. def when the text does not tell.
func byTitleGender(text string, ms []mention, names []string, title, def string) string {
	var want byte
	switch title {
	case "Mr":
		want = 'm'
	case "Mrs", "Ms", "Miss", "Dame", "Lady":
		want = 'f'
	default:
		return def
	}
	sorted := slices.Clone(ms)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].offset < sorted[j].offset })
	fits := ""
	for _, name := range names {
		for i, m := range sorted {
			if m.actor.Name != name {
				continue
			}
			if g := mentionGender(text, sorted, i); g == want {
				if fits != "" && fits != name {
					return def // both fit: the text does not tell
				}
				fits = name
			} else if g != 0 {
				break
			}
			break
		}
	}
	if fits == "" {
		return def
	}
	return fits
}

// known drops the organisations guessed from the shape of their names: the
// clusterer's entities and actors come from the gazetteer and from people's
// names; guessed organisations only help quote attribution.
func known(ms []mention) []mention {
	out := ms[:0:0]
	for _, m := range ms {
		if !m.guessed {
			out = append(out, m)
		}
	}
	return out
}

// titleCaseLines returns the lines written in title case (headlines: most
// words capitalised), where capitalised runs say nothing about names.
func titleCaseLines(text string) [][2]int {
	var out [][2]int
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		words, caps := 0, 0
		for w := range strings.FieldsSeq(text[start:end]) {
			if len(w) <= 3 && startsLower(w) {
				continue // "of", "the", "in" stay lower case in titles
			}
			words++
			if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
				caps++
			}
		}
		if words >= 4 && caps*10 >= words*8 {
			out = append(out, [2]int{start, end})
		}
		start = end + 1
	}
	return out
}

func inRanges(rs [][2]int, i int) bool {
	for _, r := range rs {
		if i >= r[0] && i < r[1] {
			return true
		}
	}
	return false
}

// leadWords open a capitalised run without being part of the name.
var leadWords = toSet("The A An In On At Of For From By To And But Or As If When While After Before This That These Those")

// articleBefore says whether a lower-case article stands right before offset
// i ("the", "a", "an").
func articleBefore(text string, i int) bool {
	pre := text[max(0, i-4):i]
	return strings.HasSuffix(pre, "the ") || strings.HasSuffix(pre, " a ") || strings.HasSuffix(pre, " an ") ||
		pre == "a " || pre == "an "
}

// actors counts mentions into a sorted actor list (most mentioned first).
func actors(ms []mention) []model.Actor {
	count := map[model.Actor]int{}
	for _, m := range ms {
		count[model.Actor{Name: m.actor.Name, Kind: m.actor.Kind}]++
	}
	out := make([]model.Actor, 0, len(count))
	for a, n := range count {
		a.Mentions = n
		out = append(out, a)
	}
	sortActors(out)
	return out
}

func sortActors(as []model.Actor) {
	sort.Slice(as, func(i, j int) bool {
		if as[i].Mentions != as[j].Mentions {
			return as[i].Mentions > as[j].Mentions
		}
		return as[i].Name < as[j].Name
	})
}
