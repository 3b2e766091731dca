package eval

import (
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestTokensAndDice(t *testing.T) {
	if got := strings.Join(Tokens("Clinton’s plan, “free” tuition_fees 2016!"), " "); got != "clinton s plan free tuition_fees 2016" {
		t.Errorf("Tokens = %q", got)
	}
	tests := []struct {
		a, b string
		want float64
	}{
		{"the plan will fail", "The plan will fail.", 1},
		{"the plan will fail", "that the plan will fail", 2 * 4.0 / 9},
		{"no no no", "no", 2 * 1.0 / 4}, // multisets: the minimum count is shared
		{"", "", 0},
		{"alpha", "beta", 0},
	}
	for _, tt := range tests {
		if got := Dice(tt.a, tt.b); !near(got, tt.want) {
			t.Errorf("Dice(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSpeakers(t *testing.T) {
	tests := []struct {
		pred, gold string
		same       bool
	}{
		{"Maria Lopez", "Ms. Lopez", true},
		{"the mayor's office", "The Mayor", true},
		{"Maria Lopez", "the governor", false},
		{"the", "the council", false}, // function words never match
	}
	for _, tt := range tests {
		if got := SameSpeaker(tt.pred, tt.gold); got != tt.same {
			t.Errorf("SameSpeaker(%q, %q) = %v", tt.pred, tt.gold, got)
		}
	}
	for s, want := range map[string]bool{"he": true, "She": true, "they themselves": false, "the mayor": false, "who": true} {
		if got := PronounOnly(s); got != want {
			t.Errorf("PronounOnly(%q) = %v, want %v", s, got, want)
		}
	}
}

// A hand-made article: three gold attributions (one direct, one with a
// pronoun source, one without a source) and four predictions.
func handArticle() (QuoteArticle, []PredictedQuote) {
	a := QuoteArticle{Article: "a1", Attributions: []Attribution{
		{Source: &Role{Text: "Mayor Lopez"}, Content: &Role{Text: "“We will rebuild the bridge by spring.”"}, Direct: true},
		{Source: &Role{Text: "she"}, Content: &Role{Text: "that the budget was already approved"}},
		{Content: &Role{Text: "the works would close two lanes for a month"}},
	}}
	p := []PredictedQuote{
		{Text: "We will rebuild the bridge by spring.", Speaker: "Maria Lopez", Direct: true},
		{Text: "the budget was already approved", Speaker: "Maria Lopez", Mention: "she"},
		{Text: "an unrelated sentence about the weather", Speaker: "Tom Reyes"},
		{Text: "We will rebuild the bridge", Speaker: "Maria Lopez", Direct: true}, // a second, weaker match to gold 1
	}
	return a, p
}

func TestScoreQuotes(t *testing.T) {
	a, p := handArticle()
	r := ScoreQuotes([]QuoteArticle{a}, [][]PredictedQuote{p}, true)
	if r.Gold != 3 || r.GoldDirect != 1 || r.Predicted != 4 || r.Matched != 2 || r.MatchedDirect != 1 || r.MatchedIndirect != 1 {
		t.Fatalf("counts = %+v", r)
	}
	if !near(r.All.Precision, 0.5) || !near(r.All.Recall, 2.0/3) || !near(r.All.F1, 2*0.5*(2.0/3)/(0.5+2.0/3)) {
		t.Errorf("all = %+v", r.All)
	}
	// Direct: 1 of (4 − 1 matched to indirect) predictions, 1 of 1 gold.
	if !near(r.Direct.Precision, 1.0/3) || !near(r.Direct.Recall, 1) {
		t.Errorf("direct = %+v", r.Direct)
	}
	// The pronoun source only matches through the mention.
	if r.Speaker.All != (Accuracy{1, 2, 0.5}) || r.SpeakerOrMention.All != (Accuracy{2, 2, 1}) {
		t.Errorf("speaker = %+v / %+v", r.Speaker.All, r.SpeakerOrMention.All)
	}
	if r.Speaker.NonPronoun != (Accuracy{1, 1, 1}) || r.Speaker.Direct != (Accuracy{1, 1, 1}) {
		t.Errorf("speaker non-pronoun / direct = %+v / %+v", r.Speaker.NonPronoun, r.Speaker.Direct)
	}
	d := r.Details[0]
	if len(d.Matches) != 2 || len(d.Missed) != 1 || len(d.Spurious) != 2 {
		t.Fatalf("details: %d matches, %d missed, %d spurious", len(d.Matches), len(d.Missed), len(d.Spurious))
	}
	// Greedy by Dice: the exact prediction wins gold 1, the shorter one is spurious.
	if d.Matches[0].Predicted.Text != p[0].Text || d.Spurious[1].Text != p[3].Text {
		t.Errorf("greedy matching paired %q first; spurious %q", d.Matches[0].Predicted.Text, d.Spurious[1].Text)
	}
}

func TestReadQuoteSet(t *testing.T) {
	dir := t.TempDir()
	row := `{"article":"x","publication_date":"2020-02-03","text":"Tom said it rained.","attributions":[` +
		`{"type":"Attribution","source":{"spans":[[0,3]],"text":"Tom"},"cue":{"spans":[[4,8]],"text":"said"},` +
		`"content":{"spans":[[9,18]],"text":"it rained"},"direct":false}]}`
	f, err := os.Create(filepath.Join(dir, "b.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	gz.Write([]byte(row + "\n\n"))
	gz.Close()
	f.Close()
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(strings.Replace(row, `"x"`, `"y"`, 1)+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	arts, err := ReadQuoteSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 || arts[0].Article != "y" || arts[1].Article != "x" || arts[1].Published().Day() != 3 ||
		arts[1].Attributions[0].Content.Spans[0] != [2]int{9, 18} {
		t.Errorf("read %+v", arts)
	}

	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "a.jsonl"), []byte("{\"article\":\"z\",\"attributions\":[{\"type\":\"Attribution\"}]}\n"), 0o644)
	if _, err := ReadQuoteSet(bad); err == nil || !strings.Contains(err.Error(), "a.jsonl:1") {
		t.Errorf("attribution without content: err = %v, want one naming the line", err)
	}
	if _, err := ReadQuoteSet(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no articles") {
		t.Errorf("empty set: err = %v", err)
	}
}
