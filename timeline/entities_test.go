package timeline

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/synth"
)

// wordTokensRef is wordTokens as first written, without its fast paths.
func wordTokensRef(text string) []token {
	var out []token
	start := -1
	flush := func(end int) {
		w := text[start:end]
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

func TestWordTokens(t *testing.T) {
	texts := []string{
		"", "MI5's alert", "the Home Office’s ‘review’ – 3.5 per cent... U.S. -- co-operate '90s Ng’s",
		"Café Zoë naïve Müller-Lüdenscheidt 习近平会见 Li Qiang-led", "...'-’", "end.",
	}
	for _, l := range append(demoCorpus(t), fixtureCorpus(t)...) {
		texts = append(texts, l.Title, l.Text)
	}
	synth.Generate(5, 200, func(d model.Document) error {
		texts = append(texts, d.Text)
		return nil
	})
	for _, text := range texts {
		if got, want := wordTokens(text), wordTokensRef(text); !reflect.DeepEqual(got, want) {
			t.Errorf("%.60q: tokens differ:\n got %v\nwant %v", text, got, want)
		}
	}
}

// FuzzOffices: the one walk over the text finds what looking for each title
// all along it and keeping the leftmost, longest, non-overlapping finds do.
func FuzzOffices(f *testing.F) {
	r := newAnalyzer(f).rec
	for _, s := range []string{"The Prime Minister and the prime ministers; shadow home secretary, home secretary.",
		"DPP-led: director of public prosecutions\nforeign secretaryforeign secretary", "xhome secretary home secretary_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		low := asciiLower(text)
		var want [][2]int
		for _, ti := range r.titles {
			for i := 0; i < len(low); {
				j := strings.Index(low[i:], ti)
				if j < 0 {
					break
				}
				s, e := i+j, i+j+len(ti)
				if (s == 0 || !isASCIIWord(low[s-1])) && (e == len(low) || !isASCIIWord(low[e])) {
					want = append(want, [2]int{s, e})
				}
				i = s + 1
			}
		}
		sort.Slice(want, func(i, j int) bool {
			return want[i][0] < want[j][0] || want[i][0] == want[j][0] && want[i][1] > want[j][1]
		})
		kept, end := want[:0], -1
		for _, l := range want {
			if l[0] >= end {
				kept, end = append(kept, l), l[1]
			}
		}
		if got := r.offices(low); len(got) != len(kept) || len(got) > 0 && !reflect.DeepEqual(got, kept) {
			t.Fatalf("%q: %v, want %v", text, got, kept)
		}
	})
}
