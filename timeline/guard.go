package timeline

import (
	"iter"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/watchline/watchline/internal/litfilter"
)

// literalRegexp is a regular expression with the literals one of which every
// match contains and the longest a match can be, so that matches are looked
// for only around where those literals occur instead of all along a text.
// The matches found are the regular expression's own, in full.
type literalRegexp struct {
	re   *regexp.Regexp
	need []string // lower case, ASCII; nil: not known, so the whole text is read
	most int      // the longest match in runes; < 0: unbounded
	// stop: with most < 0 and need set, the ASCII non-word characters no
	// match holds. A match lies within the run of other characters around
	// an occurrence of a needed literal, and \b reads the same there as in
	// the whole text (a stop is a non-word character, as a text's edge is).
	stop *[128]bool
	// lits: the expression is \b(?:one of these)\b, case-insensitive, and
	// these are every string it matches in the order it prefers them, so
	// its matches are found without running it (see findLits).
	lits []string
}

func newLiteralRegexp(re *regexp.Regexp) literalRegexp {
	l := literalRegexp{re: re, most: -1}
	p, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return l
	}
	p = p.Simplify()
	most, ok := maxLen(p)
	need := litfilter.Required(p, true)
	for _, s := range need {
		if !isASCII(s) {
			need = nil
			break
		}
	}
	switch {
	case ok && need != nil:
		l.need, l.most = need, most
		l.lits = boundedLiterals(p)
	case need != nil:
		var in [128]bool
		if alphabet(p, &in) {
			stop := new([128]bool)
			for c := range stop {
				stop[c] = !in[c] && !syntax.IsWordChar(rune(c))
			}
			l.need, l.stop = need, stop
		}
	}
	return l
}

// alphabet marks in the ASCII characters a match of re may hold (false: any
// character, or an anchor other than \b whose meaning a shorter text would
// change). (?i) classes hold every case already; a folded literal's cases
// are added.
func alphabet(re *syntax.Regexp, in *[128]bool) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpNoMatch, syntax.OpWordBoundary:
		return true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			for f := r; ; {
				if f < utf8.RuneSelf {
					in[f] = true
				}
				if f = unicode.SimpleFold(f); f == r || re.Flags&syntax.FoldCase == 0 {
					break
				}
			}
		}
		return true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= min(re.Rune[i+1], utf8.RuneSelf-1); r++ {
				in[r] = true
			}
		}
		return true
	case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat,
		syntax.OpConcat, syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !alphabet(sub, in) {
				return false
			}
		}
		return true
	}
	return false
}

// boundedLiterals lists, most preferred first, the strings a pattern of the
// form \b(?:X)\b matches when X is a small case-insensitive finite set of
// ASCII strings (nil otherwise). Most lexicon patterns are: "arrested",
// "arrests?", "(?:been|were|was) charged".
func boundedLiterals(re *syntax.Regexp) []string {
	if re.Op != syntax.OpConcat || len(re.Sub) < 3 || re.Sub[0].Op != syntax.OpWordBoundary ||
		re.Sub[len(re.Sub)-1].Op != syntax.OpWordBoundary {
		return nil
	}
	inner := &syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[1 : len(re.Sub)-1]}
	if !foldedASCII(inner) {
		return nil
	}
	all, ok := litfilter.Expand(inner, true)
	if !ok {
		return nil
	}
	for _, s := range all {
		if s == "" || !isASCII(s) {
			return nil
		}
	}
	return all
}

// foldedASCII says whether every literal and class of re is ASCII and
// case-insensitive, and every ? greedy: then litfilter.Expand lists re's strings in
// the order leftmost-first matching prefers them, lower-cased.
func foldedASCII(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return re.Flags&syntax.FoldCase != 0 && isASCII(string(re.Rune))
	case syntax.OpCharClass: // bar the long s and Kelvin sign (see litfilter.Expand)
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if lo, hi := re.Rune[i], re.Rune[i+1]; hi >= utf8.RuneSelf && !(lo == hi && (lo == '\u017f' || lo == '\u212a')) {
				return false
			}
			for r := re.Rune[i]; r <= min(re.Rune[i+1], utf8.RuneSelf-1); r++ { // (?i) classes hold both cases
				if lo, up := unicode.ToLower(r), unicode.ToUpper(r); !inClass(re.Rune, lo) || !inClass(re.Rune, up) {
					return false
				}
			}
		}
		return true
	case syntax.OpQuest:
		return re.Flags&syntax.NonGreedy == 0 && foldedASCII(re.Sub[0])
	case syntax.OpEmptyMatch:
		return true
	case syntax.OpCapture, syntax.OpAlternate, syntax.OpConcat:
		for _, sub := range re.Sub {
			if !foldedASCII(sub) {
				return false
			}
		}
		return true
	}
	return false
}

func inClass(ranges []rune, r rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] <= r && r <= ranges[i+1] {
			return true
		}
	}
	return false
}

// findLits finds l.lits in lower (text with its ASCII letters lower-cased)
// as the expression would: at the leftmost position where one of them
// stands between word boundaries, the most preferred one, then on from its
// end.
func (l literalRegexp) findLits(text, lower string) [][]int {
	type hit struct{ at, pref int }
	var hits []hit
	for pref, s := range l.lits {
		for at := range occurrences(lower, s) {
			if wordBoundary(text, at) && wordBoundary(text, at+len(s)) {
				hits = append(hits, hit{at, pref})
			}
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		return hits[i].at < hits[j].at || hits[i].at == hits[j].at && hits[i].pref < hits[j].pref
	})
	var out [][]int
	end := 0
	for i, h := range hits {
		if h.at < end || i > 0 && hits[i-1].at == h.at {
			continue
		}
		end = h.at + len(l.lits[h.pref])
		out = append(out, []int{h.at, end})
	}
	return out
}

// occurrences yields every position of s in text, overlapping ones too.
func occurrences(text, s string) iter.Seq[int] {
	return func(yield func(int) bool) {
		for from := 0; from <= len(text); {
			i := strings.Index(text[from:], s)
			if i < 0 || !yield(from+i) {
				return
			}
			from += i + 1
		}
	}
}

// wordBoundary is \b at byte i of s: an ASCII word character on one side
// only (as Go's regexp reads \b).
func wordBoundary(s string, i int) bool {
	before := i > 0 && syntax.IsWordChar(rune(s[i-1]))
	after := i < len(s) && syntax.IsWordChar(rune(s[i]))
	return before != after
}

// maxLen is the most runes a match of re can have (false: unbounded, or an
// anchor other than a word boundary, whose meaning a window would change).
func maxLen(re *syntax.Regexp) (int, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpNoMatch, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, true
	case syntax.OpLiteral:
		return len(re.Rune), true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1, true
	case syntax.OpCapture, syntax.OpQuest:
		return maxLen(re.Sub[0])
	case syntax.OpRepeat:
		n, ok := maxLen(re.Sub[0])
		return n * re.Max, ok && re.Max >= 0
	case syntax.OpConcat, syntax.OpAlternate:
		total := 0
		for _, s := range re.Sub {
			n, ok := maxLen(s)
			if !ok {
				return 0, false
			}
			if re.Op == syntax.OpConcat {
				total += n
			} else {
				total = max(total, n)
			}
		}
		return total, true
	}
	return 0, false // star, plus, line and text anchors
}

// findAll is re.FindAllStringSubmatchIndex(text, -1) (with submatches) or
// re.FindAllStringIndex(text, -1). lower is strings.ToLower(text).
//
// A match lies within the longest match's length of an occurrence of one of
// the needed literals (ASCII, found case-insensitively: only the Kelvin sign
// and the long s fold to ASCII letters, and a text with those, or not UTF-8,
// is read in full). Those windows are merged, widened to whole runes and to
// end next to a non-word character (so \b reads the same as in the whole
// text), and the expression runs on each: every match of the whole text
// lies in one window, and a scan from a window's start finds the same
// leftmost-first matches as the scan of the whole text reaching it. An
// expression with no longest match is run on the stretches between the
// characters it cannot match (l.stop) that hold a needed literal.
func (l literalRegexp) findAll(text, lower string, submatch bool) [][]int {
	run := func(s string) [][]int {
		if submatch {
			return l.re.FindAllStringSubmatchIndex(s, -1)
		}
		return l.re.FindAllStringIndex(s, -1)
	}
	if l.need == nil {
		return run(text)
	}
	ascii := len(lower) == len(text) && isASCII(text)
	if !ascii {
		if litfilter.ContainsRuneOf(text, "\u212a\u017f") || !utf8.ValidString(text) {
			return run(text)
		}
		lower = asciiLower(text)
	}
	if l.lits != nil && !submatch {
		return l.findLits(text, lower)
	}
	var wins [][2]int
	for _, s := range l.need {
		for q := range occurrences(lower, s) {
			a, b := max(0, q-l.most), min(len(text), q+len(s)+l.most)
			if l.stop != nil { // unbounded: the run between stops
				a, b = q, q+len(s)
				for a > 0 && (text[a-1] >= utf8.RuneSelf || !l.stop[text[a-1]]) {
					a--
				}
				for b < len(text) && (text[b] >= utf8.RuneSelf || !l.stop[text[b]]) {
					b++
				}
			} else if !ascii { // as many runes, not bytes
				a, b = q, q+len(s)
				for n := 0; n < l.most && a > 0; n++ {
					_, w := utf8.DecodeLastRuneInString(text[:a])
					a -= w
				}
				for n := 0; n < l.most && b < len(text); n++ {
					_, w := utf8.DecodeRuneInString(text[b:])
					b += w
				}
			}
			wins = append(wins, [2]int{a, b})
		}
	}
	if len(wins) == 0 {
		return nil
	}
	sort.Slice(wins, func(i, j int) bool { return wins[i][0] < wins[j][0] })
	var out [][]int
	for i := 0; i < len(wins); {
		a, b := wins[i][0], wins[i][1]
		for a > 0 && (!utf8.RuneStart(text[a]) || syntax.IsWordChar(rune(text[a-1]))) {
			a--
		}
		for {
			for b < len(text) && (!utf8.RuneStart(text[b]) || syntax.IsWordChar(rune(text[b]))) {
				b++
			}
			i++
			if i == len(wins) || wins[i][0] > b {
				break
			}
			b = max(b, wins[i][1])
		}
		for _, m := range run(text[a:b]) {
			for k := range m {
				if m[k] >= 0 {
					m[k] += a
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// asciiLower lower-cases the ASCII letters of s, keeping its length (s
// itself if it has none; else one copy).
func asciiLower(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// dateFinders are datePatterns' expressions, each run around its literals
// (the same index as datePatterns; built once, never changed).
var dateFinders = func() []literalRegexp {
	out := make([]literalRegexp, len(datePatterns))
	for i, p := range datePatterns {
		out[i] = newLiteralRegexp(p.re)
	}
	return out
}()

// trigrams is a Bloom filter of the 3-byte substrings of a text, so that
// most of the literals a text lacks are ruled out without searching it.
type trigrams [1 << 10]uint64 // 65,536 bits: few false hits for a few KiB of text

func trigramBit(a, b, c byte) uint32 {
	return (uint32(a) | uint32(b)<<8 | uint32(c)<<16) * 0x9E3779B1 >> 16
}

func (t *trigrams) add(s string) {
	for i := 0; i+3 <= len(s); i++ {
		h := trigramBit(s[i], s[i+1], s[i+2])
		t[h>>6] |= 1 << (h & 63)
	}
}

// mayContain is false only when the text does not contain s.
func (t *trigrams) mayContain(s string) bool {
	for i := 0; i+3 <= len(s); i++ {
		h := trigramBit(s[i], s[i+1], s[i+2])
		if t[h>>6]&(1<<(h&63)) == 0 {
			return false
		}
	}
	return true
}

// containsAnyOf is litfilter.ContainsAny(s, subs) with s's trigrams at hand.
func containsAnyOf(s string, t *trigrams, subs []string) bool {
	if len(subs) == 0 {
		return true
	}
	for _, x := range subs {
		if t.mayContain(x) && strings.Contains(s, x) {
			return true
		}
	}
	return false
}
