package timeline

import (
	"reflect"
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
