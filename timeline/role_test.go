package timeline

import (
	"testing"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/synth"
)

// TestLineOpeners: ruling texts out by how their lines open gives what
// running the structure patterns on every text gives.
func TestLineOpeners(t *testing.T) {
	full := func(text string) (bool, bool) {
		return len(datedLines.FindAllStringIndex(text, analysisStructure)) >= analysisStructure,
			len(liveLines.FindAllStringIndex(text, analysisStructure+1)) > analysisStructure
	}
	texts := []string{
		"", "March 2023: a\nApril 2023 - b\n  May 2023 – c\n", "MARCH 1: a\nmar 2 - b\nMar. 3: c",
		"  \n\t2019 – one\n\n2020 — two\r\n 2021: three",
		"10:32 GMT Ministers\n\n10:45 - more\n11.05 Police\n12:00\nx",
		"ſeptember 2023: a\nſeptember 2024: b\nſeptember 2025: c", // the long s folds to s
		"Reports said 12:30 GMT and March 2023: x\nbut lines open with words",
	}
	for _, l := range append(demoCorpus(t), fixtureCorpus(t)...) {
		texts = append(texts, l.Text)
	}
	synth.Generate(3, 300, func(d model.Document) error {
		texts = append(texts, d.Text)
		return nil
	})
	matched := 0
	for _, text := range texts {
		dated, live := full(text)
		if dated || live {
			matched++
		}
		digit, letter := lineOpeners(text)
		if dated && !digit && !letter || live && !digit {
			t.Errorf("%.60q: dated %v live %v, but lines open with digit %v letter %v", text, dated, live, digit, letter)
		}
	}
	if matched < 4 {
		t.Errorf("only %d texts have dated or timed lines", matched)
	}
}
