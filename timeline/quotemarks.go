package timeline

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// quoteSpan is one quotation in a text, in byte offsets: [open, close) is the
// quotation with its marks, [start, end) the words inside (a quotation
// continued over paragraphs runs over the breaks and the reopening marks).
type quoteSpan struct {
	open, start, end, close int
}

// closers maps an opening quotation mark to the marks that may close it.
// The conventions of the languages watchline reads: English “…” and ‘…’,
// German „…“ and »…«, French and Russian «…», Swedish ”…”, Chinese and
// Japanese 「…」 and 『…』, typewriter "…" and '…', and the “…” and ”…”
// of plain-text news archives.
var closers = map[string][]string{
	"“":  {"”", "“", `"`}, // mistyped closing marks happen
	"„":  {"“", "”"},
	"«":  {"»"},
	"»":  {"«"},
	"”":  {"”"},
	"「":  {"」"},
	"『":  {"』"},
	`"`:  {`"`, "”"},
	"``": {"''"},
	"''": {"''"},
	"‘":  {"’"},
	"'":  {"'"},
}

// isSingleMark reports whether a mark is a single quotation mark, which is
// also the apostrophe and so needs stricter context.
func isSingleMark(m string) bool { return m == "‘" || m == "'" || m == "’" }

// markAt returns the quotation mark starting at text[i] ("" if none). Two
// apostrophes or backticks count as one double mark.
func markAt(text string, i int) string {
	switch c := text[i]; {
	case c == '"':
		return `"`
	case c == '`' && i+1 < len(text) && text[i+1] == '`':
		return "``"
	case c == '\'':
		if i+1 < len(text) && text[i+1] == '\'' {
			return "''"
		}
		return "'"
	case c < 0x80:
		return ""
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	switch r {
	case '“', '”', '„', '«', '»', '「', '」', '『', '』', '‘', '’':
		return text[i : i+size]
	}
	return ""
}

// prevRune and nextRune are the runes around [i, j) (0 at the ends).
func prevRune(text string, i int) rune {
	if i <= 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return r
}

func nextRune(text string, j int) rune {
	if j >= len(text) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(text[j:])
	return r
}

func isWordRune(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// canOpen says whether the mark at [i, j) can open a quotation: it starts a
// word (after a space, a bracket, a dash or the start of a paragraph) and
// the next character is not a space. CJK and guillemet marks need no space
// before them.
func canOpen(text string, i, j int, m string) bool {
	p, n := prevRune(text, i), nextRune(text, j)
	if n == 0 || n == '\n' || (unicode.IsSpace(n) && m != "«" && m != "»") {
		return false
	}
	switch m {
	case "「", "『", "«", "„":
		return true
	}
	if isSingleMark(m) && !isWordRune(n) {
		return false
	}
	return p == 0 || unicode.IsSpace(p) || strings.ContainsRune("([{—–-/:;", p) ||
		(!isSingleMark(m) && strings.ContainsRune("‘'", p))
}

// canClose says whether the mark at [i, j) can close a quotation: it ends a
// word. A single mark between letters is an apostrophe ("don’t").
func canClose(text string, i, j int, m string) bool {
	p, n := prevRune(text, i), nextRune(text, j)
	if p == 0 || unicode.IsSpace(p) && m != "»" && m != "«" {
		return false
	}
	if isSingleMark(m) && isWordRune(n) {
		return false
	}
	return true
}

// maxQuoteParagraphs bounds how many paragraphs one quotation may run over,
// so a stray mark cannot swallow an article.
const maxQuoteParagraphs = 8

// findQuoteSpans pairs quotation marks. A quotation left open at the end of a
// paragraph continues if the next paragraph opens with a quotation mark (the
// typographic convention for quotations over several paragraphs); otherwise
// it is dropped. Single marks (‘…’, '…') only count outside double ones.
func findQuoteSpans(text string) []quoteSpan {
	var spans []quoteSpan
	open, start, paras := -1, 0, 0
	var want []string // marks that close the open quotation
	single := false
	for i := 0; i < len(text); {
		c := text[i]
		if c == '\n' {
			if open >= 0 {
				j := i
				for j < len(text) && (text[j] == '\n' || text[j] == ' ' || text[j] == '\r' || text[j] == '\t') {
					j++
				}
				if m := markAtSafe(text, j); m != "" && !isSingleMark(m) && !single && paras < maxQuoteParagraphs {
					// The quotation goes on in the next paragraph.
					paras++
					i = j + len(m)
					continue
				}
				open = -1
			}
			i++
			continue
		}
		m := markAt(text, i)
		if m == "" {
			i++
			continue
		}
		j := i + len(m)
		switch {
		case open >= 0 && slices.Contains(want, m) && canClose(text, i, j, m):
			if i > start {
				spans = append(spans, quoteSpan{open: open, start: start, end: i, close: j})
			}
			open = -1
		case open < 0 && closers[m] != nil && canOpen(text, i, j, m):
			open, start, paras, want, single = i, j, 0, closers[m], isSingleMark(m)
		case open >= 0 && single && !isSingleMark(m) && closers[m] != nil && canOpen(text, i, j, m):
			// A double mark inside a single-quoted stretch: the single mark
			// was an apostrophe after all.
			open, start, paras, want, single = i, j, 0, closers[m], false
		}
		i = j
	}
	return spans
}

func markAtSafe(text string, i int) string {
	if i >= len(text) {
		return ""
	}
	return markAt(text, i)
}

// sentence is a stretch of text [start, end) in byte offsets, ending after
// its final punctuation (and closing marks). Quotations are never split.
type sentence struct {
	start, end int
	para       int // index of the paragraph
	paraStart  bool
}

// abbreviations end with a full stop that does not end a sentence (lower
// case; single letters are initials and count too). English titles and
// short forms common in news.
var abbreviations = toSet(`mr mrs ms dr st jr sr sen rep gov gen lt col capt cmdr sgt maj adm prof rev hon pres
supt insp det atty dept corp inc ltd co bros no nos vs etc al jan feb mar apr jun jul aug sep sept oct nov dec mt ft
ave blvd u.s u.k u.n e.u d.c a.m p.m i.e e.g ph.d s.a u.s.a`)

func abbrevAt(text string, dot int) bool {
	start := dot
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:start])
		if !(isWordRune(r) || r == '.') {
			break
		}
		start -= size
	}
	w := strings.ToLower(text[start:dot])
	if w == "" {
		return false
	}
	if utf8.RuneCountInString(w) == 1 && unicode.IsLetter([]rune(w)[0]) {
		return true // an initial: "J. Smith"
	}
	return abbreviations[w]
}

// splitSentences cuts text into sentences: at a paragraph break, and after
// . ? ! (and any closing marks or brackets) when the next word starts with a
// capital, a digit or a quotation mark. Never inside a quotation.
// A quotation ending in a question or full stop does not end its sentence
// when a speech tag follows ("“… votes?” Trump said."): tagAfter tells.
func splitSentences(text string, spans []quoteSpan, tagAfter func(i int) bool) []sentence {
	var out []sentence
	para, start := 0, 0
	paraStart := true
	k := 0 // next quote span
	emit := func(end int) {
		s, e := start, end
		for s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r' || text[s] == '\n') {
			s++
		}
		for e > s && (text[e-1] == ' ' || text[e-1] == '\t' || text[e-1] == '\r' || text[e-1] == '\n') {
			e--
		}
		if e > s {
			out = append(out, sentence{start: s, end: e, para: para, paraStart: paraStart})
			paraStart = false
		}
		start = end
	}
	for i := 0; i < len(text); {
		for k < len(spans) && spans[k].close <= i {
			k++
		}
		if k < len(spans) && i >= spans[k].open && i < spans[k].close {
			// Inside a quotation: jump to its end; a quotation that ends a
			// sentence ("… end.” He") ends it there.
			q := spans[k]
			i = q.close
			if lastPunct(text[q.start:q.end]) && breakAfter(text, i) && (tagAfter == nil || !tagAfter(i)) {
				emit(i)
			}
			continue
		}
		c := text[i]
		switch {
		case c == '\n':
			emit(i)
			for i < len(text) && text[i] == '\n' {
				i++
			}
			para++
			paraStart = true
			start = i
			continue
		case c == '.' || c == '?' || c == '!':
			j := i + 1
			for j < len(text) && strings.ContainsRune(".?!)]", rune(text[j])) {
				j++
			}
			if (c != '.' || !abbrevAt(text, i)) && breakAfter(text, j) {
				emit(j)
				i = j
				continue
			}
		}
		i++
	}
	emit(len(text))
	return out
}

// lastPunct says whether s ends with sentence punctuation (spaces aside).
func lastPunct(s string) bool {
	s = strings.TrimRight(s, " ")
	return s != "" && strings.ContainsRune(".?!", rune(s[len(s)-1]))
}

// breakAfter says whether a sentence can end before text[j]: a space
// follows, then a capital, a digit or an opening mark (or the text ends).
func breakAfter(text string, j int) bool {
	if j >= len(text) {
		return true
	}
	if text[j] != ' ' && text[j] != '\n' && text[j] != '\t' {
		return false
	}
	for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
		j++
	}
	if j >= len(text) || text[j] == '\n' {
		return true
	}
	r := nextRune(text, j)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || markAt(text, j) != "" || r == '(' || r == '—'
}
