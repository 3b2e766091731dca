package timeline

import (
	"regexp/syntax"
	"strings"
)

// requiredLiteral returns lower-case strings one of which every match of a
// case-insensitive pattern must contain (nil if none is known),
// so a cheap strings.Contains on the lower-cased text can skip running the
// regular expression on most texts. Lexicon patterns are data; this keeps
// them fast without asking their authors to think about speed.
func requiredLiteral(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	return required(re.Simplify())
}

// required returns strings one of which every match contains (nil: none
// known). Literals shorter than three bytes are not worth checking.
func required(re *syntax.Regexp) []string {
	if all, ok := expand(re); ok {
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
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpAlternate:
		var all []string
		for _, s := range re.Sub {
			r := required(s)
			if r == nil {
				return nil
			}
			all = append(all, r...)
		}
		return all
	case syntax.OpConcat:
		var best []string
		for _, s := range re.Sub {
			if r := required(s); r != nil && (best == nil || shortest(r) > shortest(best)) {
				best = r
			}
		}
		return best
	}
	return nil
}

// expand lists every string a small finite pattern matches, lower case.
func expand(re *syntax.Regexp) ([]string, bool) {
	const most = 32
	switch re.Op {
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpCapture:
		return expand(re.Sub[0])
	case syntax.OpQuest:
		sub, ok := expand(re.Sub[0])
		return append(sub, ""), ok && len(sub) < most
	case syntax.OpAlternate:
		var all []string
		for _, s := range re.Sub {
			sub, ok := expand(s)
			if !ok {
				return nil, false
			}
			all = append(all, sub...)
		}
		return all, len(all) <= most
	case syntax.OpConcat:
		all := []string{""}
		for _, s := range re.Sub {
			sub, ok := expand(s)
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

func shortest(xs []string) int {
	n := -1
	for _, x := range xs {
		if n < 0 || len(x) < n {
			n = len(x)
		}
	}
	return n
}

// containsAny reports whether s contains any of subs (true when subs is empty).
func containsAny(s string, subs []string) bool {
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
