package litfilter

import (
	"reflect"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
)

func required(t *testing.T, pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	return Required(re.Simplify(), false)
}

func TestRequired(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{"charged with", []string{"charged with"}},
		{"arrests?", []string{"arrests", "arrest"}},
		{"(?:been|were|was) charged", []string{"been charged", "were charged", "was charged"}},
		{"says|said|insists", []string{"says", "said", "insists"}},
		{"warn(?:ed|s|ing)?", []string{"warned", "warns", "warning", "warn"}},
		{"(?:is|am) ['\"]?innocent", []string{"innocent"}},
		{"(?i)Letzte\\s+Änderung", []string{"änderung"}},
		{"a|bc", nil},
		{"\\w+", nil},
	}
	for _, tt := range tests {
		if got := required(t, tt.pattern); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Required(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}

func TestFoldOnly(t *testing.T) {
	tests := []struct {
		lits []string
		want string
	}{
		{[]string{"kelvin"}, ""},          // K (U+212A) lowers to k
		{[]string{"posted", "last"}, "ſ"}, // the long s does not lower to s
		{[]string{"обновлено"}, "ᲂᲀ"},     // old forms of о and в
		{[]string{"更新", "2024"}, ""},      // no case
		{[]string{"straße"}, "ſ"},         // ẞ lowers to ß
	}
	for _, tt := range tests {
		got := FoldOnly(tt.lits)
		for _, r := range got {
			for _, s := range tt.lits {
				if strings.Contains(s, strings.ToLower(string(r))) {
					t.Errorf("FoldOnly(%q) holds %q, which ToLower takes into the literals", tt.lits, r)
				}
			}
		}
		if got != tt.want {
			t.Errorf("FoldOnly(%q) = %q, want %q", tt.lits, got, tt.want)
		}
	}
}

// patterns are case-insensitive expressions of the kinds the extractor and
// the lexicon write: words in several scripts, optional parts, classes.
var patterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(last\s+)?(updated|modified)|mis\s+à\s+jour|geändert|\bstand:|обновлено|обновлен|更新`),
	regexp.MustCompile(`(?i)\b(?:arrests?|(?:been|were) charged|warn(?:ed|s|ing)?)\b`),
	regexp.MustCompile(`(?i)\bjustice\s+\w+`),
	regexp.MustCompile(`Kelvin|straße`),
}

// FuzzFilter: a filter never rules out a text its expression matches.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{"", "Last UPDATED", "reviſed", "обноᲀлено", "ОБНОВЛЕН", "arreſts", "\u212aelvin", "STRASSE", "Straße", "x\xffupdated", "JUSTICE  Ward"} {
		f.Add(s)
	}
	filters := make([]Filter, len(patterns))
	for i, re := range patterns {
		if filters[i] = Of(re); filters[i].Need == nil {
			f.Fatalf("%s: no literals found", re)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, re := range patterns {
			if re.MatchString(s) && !filters[i].MayMatch(s) {
				t.Fatalf("%s matches %q, but its filter %+v rules it out", re, s, filters[i])
			}
		}
	})
}
