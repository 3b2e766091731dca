package index

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/watchline/watchline/model"
)

// snippetLen is the target length of a snippet in bytes.
const snippetLen = 240

// Snippets are built from the store's text, not from index term vectors: the
// text is re-analysed with the document's analyser and every token compared
// with the query's analysed terms, so a stemmed match ("recruiting" for
// "recruit") is marked exactly where it stands. Doing this for one page of
// hits costs far less than storing offsets for every document.

// pattern is one positive query term as analysed tokens.
type pattern struct {
	surface string   // what the user typed (prefixes with their *)
	terms   []string // analysed tokens; one for a word, several for a phrase
	gaps    []int    // position of each token relative to the first
	prefix  bool
}

type span struct{ start, end, pat int }

func patternsFor(m mapping.IndexMapping, p *Parsed, analyzer string) []pattern {
	var pats []pattern
	p.eachMarked(func(n *node) {
		if n.kind == nodePrefix {
			pats = append(pats, pattern{surface: n.text + "*", terms: []string{strings.ToLower(n.text)}, gaps: []int{0}, prefix: true})
			return
		}
		toks := analyze(m, analyzer, n.text)
		if len(toks) == 0 {
			return
		}
		pt := pattern{surface: n.text}
		if n.kind == nodePhrase {
			pt.surface = `"` + n.text + `"`
		}
		for _, t := range toks {
			pt.terms = append(pt.terms, string(t.Term))
			pt.gaps = append(pt.gaps, t.Position-toks[0].Position)
		}
		pats = append(pats, pt)
	})
	return pats
}

// findSpans returns where the patterns occur in toks.
func findSpans(toks analysis.TokenStream, pats []pattern) []span {
	if len(pats) == 0 || len(toks) == 0 {
		return nil
	}
	byPos := make(map[int]*analysis.Token, len(toks))
	for _, t := range toks {
		if _, ok := byPos[t.Position]; !ok {
			byPos[t.Position] = t
		}
	}
	var spans []span
	for _, t := range toks {
		term := string(t.Term)
		for pi, pt := range pats {
			if pt.prefix {
				if strings.HasPrefix(term, pt.terms[0]) {
					spans = append(spans, span{t.Start, t.End, pi})
				}
				continue
			}
			if term != pt.terms[0] {
				continue
			}
			end, ok := t.End, true
			for k := 1; k < len(pt.terms); k++ {
				o, found := byPos[t.Position+pt.gaps[k]]
				if !found || string(o.Term) != pt.terms[k] {
					ok = false
					break
				}
				end = o.End
			}
			if ok {
				spans = append(spans, span{t.Start, end, pi})
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	return spans
}

// analyzeSome analyses text like the index did, but only where a match is.
// For English (an analyser that maps each word to at most one term, and
// whose stemmer changes word endings, not beginnings) it finds the words
// whose first two letters could start a pattern term (wordStarts), runs the
// token filters on those alone (stemming is the costly one, memoised per
// word in memo, which the hits of a page share; nil for a memo of this text
// alone), and keeps the first few occurrences of each pattern term. Only windows around those are tokenized properly — the Unicode
// tokenizer is most of the cost of a snippet — and filtered like the index
// does. On a long article this reads a few hundred bytes instead of tens of
// thousands. Other languages are analysed in full.
func analyzeSome(m mapping.IndexMapping, analyzer, text string, pats []pattern, memo map[string]string) analysis.TokenStream {
	a, ok := m.AnalyzerNamed(analyzer).(*analysis.DefaultAnalyzer)
	if !ok || len(a.CharFilters) > 0 || analyzer != en.AnalyzerName || len(pats) == 0 {
		return analyze(m, analyzer, text)
	}
	// The first two letters of every pattern term: a set of pairs, looked up
	// for every word of the text, so a first-letter table then a short list.
	var firsts [256]bool
	var pairs [][2]byte
	starts := func(a, b byte) bool {
		if !firsts[a] {
			return false
		}
		for _, p := range pairs {
			if p[0] == a && p[1] == b {
				return true
			}
		}
		return false
	}
	exact := map[string]bool{}
	var prefixes []string
	longest := 0
	for _, pt := range pats {
		for _, t := range pt.terms {
			if len(t) < 2 || !isASCII(t) {
				return analyze(m, analyzer, text)
			}
			firsts[t[0]] = true
			pairs = append(pairs, [2]byte{t[0], t[1]})
			if pt.prefix {
				prefixes = append(prefixes, t)
			} else {
				exact[t] = true
			}
		}
		longest = max(longest, len(pt.surface))
	}
	// Bytes of context around a match: enough to start at a word boundary
	// before it and to hold the longest phrase after it (a phrase's words
	// may be spaced out by stop words and punctuation the surface does not
	// show, hence twice its length).
	const before = 40
	after := 2*longest + 40
	// A few occurrences of each term are enough to mark the snippet and to
	// know which terms matched; a term used fifty times does not need fifty
	// windows.
	const perTerm = 4
	seen := map[string]int{}
	if memo == nil {
		memo = map[string]string{} // word → its term ("" when filtered out)
	}
	single := make(analysis.TokenStream, 1)
	termOf := func(word []byte) string {
		if t, ok := memo[string(word)]; ok {
			return t
		}
		single[0] = &analysis.Token{Term: append([]byte(nil), word...), Position: 1, Type: analysis.AlphaNumeric}
		res := analysis.TokenStream(single)
		for _, f := range a.TokenFilters {
			res = f.Filter(res)
		}
		t := ""
		if len(res) == 1 {
			t = string(res[0].Term)
		}
		memo[string(word)] = t
		return t
	}
	var wins [][2]int
	lowered := make([]byte, 0, 32)
	for _, i := range wordStarts(text, pairs) {
		j := i
		for j < len(text) && isWordByte(text[j]) {
			j++
		}
		if j-i >= 2 {
			lowered = lowered[:0]
			for k := i; k < j; k++ {
				lowered = append(lowered, lowerASCII(text[k]))
			}
			t := termOf(lowered)
			hit := t != "" && exact[t]
			for _, p := range prefixes {
				hit = hit || t != "" && strings.HasPrefix(t, p)
			}
			if hit && seen[t] < perTerm {
				seen[t]++
				wins = append(wins, [2]int{max(i-before, 0), min(j+after, len(text))})
			}
		}
	}
	if len(wins) == 0 {
		return nil
	}
	sort.Slice(wins, func(i, j int) bool { return wins[i][0] < wins[j][0] })
	merged := wins[:1]
	for _, w := range wins[1:] {
		if last := &merged[len(merged)-1]; w[0] <= last[1] {
			last[1] = max(last[1], w[1])
		} else {
			merged = append(merged, w)
		}
	}
	var out analysis.TokenStream
	one := make(analysis.TokenStream, 1)
	for wi, w := range merged {
		ws, we := wordStart(text, w[0]), wordEnd(text, w[1])
		for _, tok := range a.Tokenizer.Tokenize([]byte(text[ws:we])) {
			t := tok.Term
			if len(t) >= 2 && !starts(lowerASCII(t[0]), lowerASCII(t[1])) {
				continue
			}
			tok.Start += ws
			tok.End += ws
			// Windows are far apart in position, so no phrase spans two.
			tok.Position += (wi + 1) << 20
			one = one[:1]
			one[0] = tok
			res := analysis.TokenStream(one)
			for _, f := range a.TokenFilters {
				res = f.Filter(res)
			}
			out = append(out, res...)
		}
	}
	return out
}

// wordStarts returns, in order, where the words of text start (a word byte
// after none) whose first two bytes, lower-cased, are one of pairs. Rather
// than walking the text byte by byte, it looks for each pair as it may be
// written (any case of its letters) with strings.Index, which skips through
// the text many bytes at a time.
func wordStarts(text string, pairs [][2]byte) []int {
	var at []int
	var needles []string
	for _, p := range pairs {
		for _, a := range cases(p[0]) {
			for _, b := range cases(p[1]) {
				n := string([]byte{a, b})
				if !slices.Contains(needles, n) {
					needles = append(needles, n)
				}
			}
		}
	}
	for _, n := range needles {
		for from := 0; ; {
			k := strings.Index(text[from:], n)
			if k < 0 {
				break
			}
			i := from + k
			if isWordByte(text[i]) && (i == 0 || !isWordByte(text[i-1])) {
				at = append(at, i)
			}
			// No word starts inside this one: go on after it.
			from = i + 1
			for from < len(text) && isWordByte(text[from]) {
				from++
			}
		}
	}
	slices.Sort(at) // each start is one needle's: no repeats
	return at
}

// cases are the bytes that lowerASCII maps to c.
func cases(c byte) []byte {
	if 'a' <= c && c <= 'z' {
		return []byte{c, c - 'a' + 'A'}
	}
	if 'A' <= c && c <= 'Z' {
		return nil // lowerASCII never gives an upper-case letter
	}
	return []byte{c}
}

// isWordByte reports whether c continues a word: an ASCII letter (either
// case) or digit, an apostrophe, or any byte of a multi-byte character
// (taken for a letter, so a pattern term after one is never taken for a word
// start).
func isWordByte(c byte) bool { return wordBytes[c] }

// wordBytes is isWordByte as a table: it is asked for every byte of every
// hit's text.
var wordBytes = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= utf8.RuneSelf || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '\''
	}
	return t
}()

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// snippetFor builds d's snippet for the query whose patterns (for d's
// analyser an) are pats, and lists the query terms d matched.
//
// The title is read only for the terms it may add to those the text has.
func snippetFor(m mapping.IndexMapping, an string, pats []pattern, d *model.Document, terms map[string]string) (Snippet, []string) {
	spans := findSpans(analyzeSome(m, an, d.Text, pats, terms), pats)
	var titleSpans []span
	if !allFound(spans, len(pats)) {
		titleSpans = findSpans(analyzeSome(m, an, d.Title, pats, terms), pats)
	}
	return snippetOf(d.Text, pats, spans, titleSpans)
}

// allFound reports whether spans hold every one of n patterns.
func allFound(spans []span, n int) bool {
	found := make([]bool, n)
	k := 0
	for _, s := range spans {
		if !found[s.pat] {
			found[s.pat] = true
			k++
		}
	}
	return k == n
}

// snippetOf is the snippet of text around spans, and the surfaces of pats
// found in the text (spans) or the title (titleSpans).
func snippetOf(text string, pats []pattern, spans, titleSpans []span) (Snippet, []string) {
	found := make([]bool, len(pats))
	for _, s := range spans {
		found[s.pat] = true
	}
	for _, s := range titleSpans {
		found[s.pat] = true
	}
	var matched []string
	for i, f := range found {
		if f {
			matched = append(matched, pats[i].surface)
		}
	}
	return makeSnippet(text, spans), matched
}

// makeSnippet cuts the window of text with the most distinct matches (then
// the most matches) and marks them.
func makeSnippet(text string, spans []span) Snippet {
	ws := 0
	if len(spans) > 0 {
		// seen[p] == i+1 when pattern p was counted for the window at span
		// i: a table, not a map per window, since an alert pass makes a
		// hundred thousand snippets.
		pats := 0
		for _, s := range spans {
			pats = max(pats, s.pat+1)
		}
		seen := make([]int, pats)
		best, bestDistinct, bestCount := 0, -1, -1
		for i := range spans {
			lo := spans[i].start
			distinct, count := 0, 0
			for j := i; j < len(spans) && spans[j].end <= lo+snippetLen; j++ {
				if seen[spans[j].pat] != i+1 {
					seen[spans[j].pat] = i + 1
					distinct++
				}
				count++
			}
			if distinct > bestDistinct || (distinct == bestDistinct && count > bestCount) {
				best, bestDistinct, bestCount = i, distinct, count
			}
		}
		// Start a little before the first match, at a word boundary.
		ws = max(spans[best].start-snippetLen/5, 0)
	}
	ws = wordStart(text, ws)
	we := wordEnd(text, min(ws+snippetLen, len(text)))
	body := text[ws:we]
	pre, post := "", ""
	if ws > 0 {
		pre = "… "
	}
	if we < len(text) {
		post = " …"
	}
	out := flattenBetween(pre, body, post)
	sn := Snippet{Text: out, Offsets: [][2]int{}}
	for _, s := range spans {
		if s.start < ws || s.end > we {
			continue
		}
		a, z := s.start-ws+len(pre), s.end-ws+len(pre)
		if n := len(sn.Offsets); n > 0 && a < sn.Offsets[n-1][1] {
			// Overlaps the previous match (CJK bigrams, prefix in phrase): merge.
			sn.Offsets[n-1][1] = max(sn.Offsets[n-1][1], z)
			continue
		}
		sn.Offsets = append(sn.Offsets, [2]int{a, z})
	}
	var b strings.Builder
	b.Grow(len(out) + 4*len(sn.Offsets))
	last := 0
	for _, o := range sn.Offsets {
		b.WriteString(out[last:o[0]])
		b.WriteString("[[")
		b.WriteString(out[o[0]:o[1]])
		b.WriteString("]]")
		last = o[1]
	}
	b.WriteString(out[last:])
	sn.Marked = b.String()
	return sn
}

// flattenBetween is pre + flatten(body) + post, built in one allocation
// when body is valid UTF-8 (as stored text is): then flatten changes only
// the bytes of line breaks and tabs.
func flattenBetween(pre, body, post string) string {
	if !utf8.ValidString(body) {
		return pre + flatten(body) + post
	}
	var b strings.Builder
	b.Grow(len(pre) + len(body) + len(post))
	b.WriteString(pre)
	for len(body) > 0 {
		i := strings.IndexAny(body, "\n\r\t")
		if i < 0 {
			b.WriteString(body)
			break
		}
		b.WriteString(body[:i])
		b.WriteByte(' ')
		body = body[i+1:]
	}
	b.WriteString(post)
	return b.String()
}

// flatten turns line breaks into spaces, byte for byte, so offsets hold
// (in valid UTF-8; strings.Map replaces each invalid byte with U+FFFD).
func flatten(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
}

// wordStart moves i back to the start of the word it is in (at most 30
// bytes), always to a rune boundary.
func wordStart(s string, i int) int {
	if i <= 0 {
		return 0
	}
	for k := i; k > 0 && i-k < 30; k-- {
		if s[k-1] == ' ' || s[k-1] == '\n' {
			return k
		}
	}
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// wordEnd moves i forward to the end of the word it is in (at most 30 bytes),
// always to a rune boundary.
func wordEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	for k := i; k < len(s) && k-i < 30; k++ {
		if s[k] == ' ' || s[k] == '\n' {
			return k
		}
	}
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}
