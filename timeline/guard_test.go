package timeline

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/watchline/watchline/internal/litfilter"
)

// TestLiteralRegexp: looking for matches only around the needed literals
// finds exactly what the regular expression finds in the whole text.
func TestLiteralRegexp(t *testing.T) {
	an := newAnalyzer(t)
	var res []*regexp.Regexp
	for _, p := range an.typer.patterns {
		res = append(res, p.re)
	}
	for _, p := range datePatterns {
		res = append(res, p.re)
	}
	res = append(res, judgeRe,
		regexp.MustCompile(`(?i)\b(?:arrest(?:ed)?)\b`),
		regexp.MustCompile(`(?i)\b(?:charged (?:\w+ ){0,2}with)\b`),
		regexp.MustCompile(`(?i)(?:jan|feb)\w?`), // no \b: windows must not cut words
		regexp.MustCompile(`(?i)^arrested`),      // an anchor: read in full
	)
	texts := []string{
		"", "arrested", "Arrested.", "rearrested arrested unarrested",
		"He was ARRESTED, arrested and arrest-ed. Arrestedly arrested", "charged them with, charged with charged us all with",
		"jan janx febfeb xjan", "26 April 2024, on Friday 26th of April, 2024 and April 26, 2024 (2024-04-22)",
		"Café arrested — “Arrested,” he said; ARRESTED’s", "26 avril 2024 – 26 April 2024 — Friday 26th of April, 2024",
		"He was arre\u017fted, ARRE\u017fTED, and in the afternoon of the same day, once again, arrested", "\u212aarrested charged \u212aith", // fold to ASCII letters: read in full
		"\xe2\x82arrested \xffarrested", // not UTF-8: read in full
	}
	for _, l := range demoCorpus(t) {
		texts = append(texts, l.Title, l.Text)
	}
	windowed, listed, stopped := 0, 0, 0
	for _, re := range res {
		l := newLiteralRegexp(re)
		if l.need != nil {
			windowed++
		}
		if l.lits != nil {
			listed++
		}
		if l.stop != nil {
			stopped++
		}
		for _, text := range texts {
			lower := strings.ToLower(text)
			if got, want := l.findAll(text, lower, true), re.FindAllStringSubmatchIndex(text, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s in %.40q: submatches %v, want %v", re, text, got, want)
			}
			if got, want := l.findAll(text, lower, false), re.FindAllStringIndex(text, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s in %.40q: matches %v, want %v", re, text, got, want)
			}
		}
	}
	if windowed < len(res)/2 {
		t.Errorf("only %d of %d expressions read around their literals", windowed, len(res))
	}
	if listed < len(an.typer.patterns)/2 {
		t.Errorf("only %d of %d expressions found as lists of strings", listed, len(res))
	}
	if stopped < 5 {
		t.Errorf("only %d of %d expressions with no longest match read between stops", stopped, len(res))
	}
}

// FuzzLiteralRegexp: every lexicon expression, every date pattern, and a few
// shaped to trip the list of strings (a shorter string preferred to a
// longer one, a string starting with a non-word character) and the stops
// of an expression with no longest match, find in any text what the
// regular expression finds.
func FuzzLiteralRegexp(f *testing.F) {
	an := newAnalyzer(f)
	var ls []literalRegexp
	for _, p := range an.typer.patterns {
		ls = append(ls, p.find)
	}
	ls = append(ls, dateFinders...)
	ls = append(ls, judgeFinder)
	for _, e := range []string{`(?i)\b(?:no(?:t|r) \w+ charged)\b`, `(?i)\b(?:said[\w' ]*court)\b`, `(?i)(?:said \w*)`, `(?i)\b(?:charges?(?: against)?)\b`, `(?i)\b(?:a a|a)\b`, `(?i)\b(?:(?:been|were|was)?charged??)\b`,
		`(?i)\b(?:x?\.gov)\b`, `(?i)\b(?:[ab]c|ac d)\b`} {
		ls = append(ls, newLiteralRegexp(regexp.MustCompile(e)))
	}
	for _, s := range []string{"He was charged against charges against them; charges.", "a a a a", "charged charge been charged wascharged",
		"x.gov .gov x.govt", "ac d bc ac dd", "He was not yet charged. Nor him charged, nor_x charged; not been\ncharged",
		"They said in court: \"said the court\" said it's court.", "Mrs. Justice O'Brien-Smith, Judge Marsh's and Lord Justice Tate-lyle; Judge judge", "He appeared before the Crown Court, appeared in court-", "ARRESTED arrested_ arrests-arrest", "arre\u017fted \u212aarrested", "\xffarrested"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 4000 {
			return
		}
		lower := strings.ToLower(text)
		for _, l := range ls {
			if got, want := l.findAll(text, lower, false), l.re.FindAllStringIndex(text, -1); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s in %q: %v, want %v", l.re, text, got, want)
			}
			if got, want := l.findAll(text, lower, true), l.re.FindAllStringSubmatchIndex(text, -1); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s in %q: submatches %v, want %v", l.re, text, got, want)
			}
		}
	})
}

// TestTrigrams: the filter never rules out a literal the text contains, and
// containsAnyOf answers as containsAny does.
func TestTrigrams(t *testing.T) {
	an := newAnalyzer(t)
	ruledOut := 0
	for _, l := range demoCorpus(t) {
		text := strings.ToLower(l.Title + "\n\n" + l.Text)
		var tri trigrams
		tri.add(text)
		for i := 0; i+3 <= len(text); i += 7 {
			if s := text[i:min(len(text), i+3+i%11)]; !tri.mayContain(s) {
				t.Fatalf("%q is in the text but ruled out", s)
			}
		}
		for _, p := range an.typer.patterns {
			if got, want := containsAnyOf(text, &tri, p.need.Need), litfilter.ContainsAny(text, p.need.Need); got != want {
				t.Errorf("%s: containsAnyOf %v, containsAny %v", p.re, got, want)
			}
			for _, s := range p.need.Need {
				if !tri.mayContain(s) {
					ruledOut++
				}
			}
		}
	}
	if ruledOut == 0 {
		t.Error("the filter ruled out nothing")
	}
}

// TestLongS: a text holding the long s (ſ, which (?i) matches as s but
// strings.ToLower keeps) is typed and dated as if no literal prefilter
// were there (litfilter.Filter.Fold).
func TestLongS(t *testing.T) {
	an := newAnalyzer(t)
	unfiltered := &typer{}
	for _, p := range an.typer.patterns {
		p.need = litfilter.Filter{}
		unfiltered.patterns = append(unfiltered.patterns, p)
	}
	texts := [][2]string{{"Man arreſted on ſuſpicion of ſpying", "Police ſaid yeſterday that a man was arreſted on Monday, and thiſ morning charged."}}
	for _, l := range demoCorpus(t)[:20] {
		texts = append(texts, [2]string{strings.ReplaceAll(l.Title, "s", "ſ"), strings.ReplaceAll(l.Text, "s", "ſ")})
	}
	for _, tt := range texts {
		if got, want := an.typer.classify(tt[0], tt[1]), unfiltered.classify(tt[0], tt[1]); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: typed %s %v, unfiltered %s %v", tt[0], got.Type, got.Scores, want.Type, want.Scores)
		}
		folded, lower := litfilter.ContainsRuneOf(tt[1], dateFold), strings.ToLower(tt[1])
		for _, p := range datePatterns {
			if p.re.MatchString(tt[1]) && !folded && !litfilter.ContainsAny(lower, p.need) {
				t.Errorf("%q: %s matches but its prefilter skips the text", tt[0], p.re)
			}
		}
	}
}
