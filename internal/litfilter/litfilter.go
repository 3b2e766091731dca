// Package litfilter finds strings that every match of a regular expression
// holds, so that a text holding none of them can skip the expression: a
// strings.Contains on the lower-cased text costs well under a microsecond
// where Go's backtracker can take tens of microseconds on a short string.
// The extractor's date labels and the timeline's lexicon patterns use it,
// so that nobody keeps such a list by hand beside an expression.
package litfilter

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// Filter answers "can the expression match this text?" without running it.
// Need: lower-case strings one of which every match holds (nil: none
// known, so every text may match). Fold: the runes a case-insensitive
// match takes for a letter of Need that strings.ToLower does not turn into
// that letter (the long s for s, two old Cyrillic forms for в and о); a
// text holding one must go to the expression.
type Filter struct {
	Need []string
	Fold string
}

// Of returns re's filter.
func Of(re *regexp.Regexp) Filter {
	p, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return Filter{}
	}
	need := Required(p.Simplify(), false)
	return Filter{Need: need, Fold: FoldOnly(need)}
}

// MayMatch is false only when the expression cannot match s.
func (f Filter) MayMatch(s string) bool {
	return f.Need == nil || ContainsRuneOf(s, f.Fold) || ContainsAny(strings.ToLower(s), f.Need)
}

// ContainsRuneOf reports whether s holds any rune of runes. For the few
// runes of a Fold it is faster than strings.ContainsAny, which decodes
// every rune of a text that is not ASCII: each rune here is one search
// for its bytes.
func ContainsRuneOf(s, runes string) bool {
	for _, r := range runes {
		if strings.ContainsRune(s, r) {
			return true
		}
	}
	return false
}

// Required returns strings one of which every match contains (nil: none
// known). Literals shorter than three bytes are not worth checking. With
// classes, small character classes are expanded too ("Ma[ry]", as the
// parser factors "Mar|May").
func Required(re *syntax.Regexp, classes bool) []string {
	if all, ok := Expand(re, classes); ok {
		for _, s := range all {
			if len(s) < 3 {
				return nil
			}
		}
		return all
	}
	switch re.Op {
	case syntax.OpLiteral:
		if s := strings.ToLower(string(re.Rune)); len(s) >= 3 {
			return []string{s}
		}
	case syntax.OpCapture, syntax.OpPlus:
		return Required(re.Sub[0], classes)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return Required(re.Sub[0], classes)
		}
	case syntax.OpAlternate:
		var all []string
		for _, s := range re.Sub {
			r := Required(s, classes)
			if r == nil {
				return nil
			}
			all = append(all, r...)
		}
		return all
	case syntax.OpConcat:
		var best []string
		for _, s := range re.Sub {
			if r := Required(s, classes); r != nil && (best == nil || shortest(r) > shortest(best)) {
				best = r
			}
		}
		return best
	}
	return nil
}

// Expand lists every string a small finite pattern matches, lower case.
// With classes, a class's long s and Kelvin sign (which (?i) adds to s and
// k) are left out: a caller must read a text holding either in full.
func Expand(re *syntax.Regexp, classes bool) ([]string, bool) {
	const most = 32
	switch re.Op {
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpCharClass:
		if !classes {
			return nil, false
		}
		var all []string
		seen := map[string]bool{}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if r == '\u017f' || r == '\u212a' {
					continue
				}
				if s := strings.ToLower(string(r)); !seen[s] {
					seen[s] = true
					all = append(all, s)
				}
				if len(all) > most {
					return nil, false
				}
			}
		}
		return all, true
	case syntax.OpCapture:
		return Expand(re.Sub[0], classes)
	case syntax.OpQuest:
		sub, ok := Expand(re.Sub[0], classes)
		return append(sub, ""), ok && len(sub) < most
	case syntax.OpAlternate:
		var all []string
		for _, s := range re.Sub {
			sub, ok := Expand(s, classes)
			if !ok {
				return nil, false
			}
			all = append(all, sub...)
		}
		return all, len(all) <= most
	case syntax.OpConcat:
		all := []string{""}
		for _, s := range re.Sub {
			sub, ok := Expand(s, classes)
			if !ok || len(all)*len(sub) > most {
				return nil, false
			}
			var next []string
			for _, a := range all {
				for _, b := range sub {
					next = append(next, a+b)
				}
			}
			all = next
		}
		return all, true
	}
	return nil, false
}

// FoldOnly returns the runes, in order and once each, that simple case
// folding takes to a rune of lits (lower case) but strings.ToLower does
// not lower to it: a case-insensitive expression matches them where a
// search of the lower-cased text for lits does not see them.
func FoldOnly(lits []string) string {
	var out []rune
	seen := map[rune]bool{}
	for _, s := range lits {
		for _, c := range s {
			for r := unicode.SimpleFold(c); r != c; r = unicode.SimpleFold(r) {
				if unicode.ToLower(r) != c && !seen[r] {
					seen[r] = true
					out = append(out, r)
				}
			}
		}
	}
	return string(out)
}

func shortest(xs []string) int {
	n := -1
	for _, x := range xs {
		if n < 0 || len(x) < n {
			n = len(x)
		}
	}
	return n
}

// ContainsAny reports whether s contains any of subs (true when subs is empty).
func ContainsAny(s string, subs []string) bool {
	if len(subs) == 0 {
		return true
	}
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
