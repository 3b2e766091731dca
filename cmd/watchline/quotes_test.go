package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// importRows are two made-up reports, written for this test.
const importRows = `{"url":"https://example.org/a","title":"Council to appeal","source":"example","published":"2025-03-04T10:00:00Z","text":"Ann Cole, the council leader, said on Monday that the council would appeal the ruling.\n\n“We are as disappointed as anyone,” she told reporters. “But we will keep going.”"}
{"url":"https://example.org/b","title":"Zoë Hart on prices","source":"example","published":"2025-03-05T10:00:00Z","text":"Prices will rise again next month, according to Zoë Hart, the café’s owner.\u00a0“Nobody likes it,” Zoë Hart said."}
`

type quoteRow struct {
	Text        string `json:"text"`
	Speaker     string `json:"speaker"`
	SpeakerRole string `json:"speaker_role"`
	Kind        string `json:"kind"`
	Start       int    `json:"start"`
	End         int    `json:"end"`
}

// TestDocsShowQuotes: an imported document lists its quotes at once (read
// from its text), and the same ones once the clusterer has stored them; the
// rune offsets select each quote's text.
func TestDocsShowQuotes(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "rows.ndjson")
	if err := os.WriteFile(file, []byte(importRows), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "import", file, "--data", data); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	show := func(id string) (string, []quoteRow) {
		t.Helper()
		code, out, errOut := runCLI(t, "docs", "show", id, "--format", "json", "--data", data)
		if code != 0 {
			t.Fatalf("docs show %s: exit %d\n%s", id, code, errOut)
		}
		var d struct {
			Text   string     `json:"text"`
			Quotes []quoteRow `json:"quotes"`
		}
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("docs show %s: %v\n%s", id, err, out)
		}
		r := []rune(d.Text)
		for _, q := range d.Quotes {
			if q.Start < 0 || q.End > len(r) || q.Start >= q.End || string(r[q.Start:q.End]) != q.Text {
				t.Errorf("document %s quote %q: runes [%d:%d] of the text are not its text", id, q.Text, q.Start, q.End)
			}
		}
		return out, d.Quotes
	}
	out, before := show("1")
	if !strings.Contains(out, `"speaker_role"`) || !strings.Contains(out, `"kind"`) {
		t.Errorf("docs show json lacks quote fields:\n%s", out)
	}
	want := []quoteRow{
		{Text: "the council would appeal the ruling", Speaker: "Ann Cole", SpeakerRole: "council leader", Kind: "indirect"},
		{Text: "We are as disappointed as anyone,” she told reporters. “But we will keep going.", Speaker: "Ann Cole", SpeakerRole: "council leader", Kind: "direct"},
	}
	if len(before) != len(want) {
		t.Fatalf("document 1 quotes = %+v, want %+v", before, want)
	}
	for i, w := range want {
		g := before[i]
		if g.Text != w.Text || g.Speaker != w.Speaker || g.SpeakerRole != w.SpeakerRole || g.Kind != w.Kind {
			t.Errorf("quote %d = %+v, want %+v", i, g, w)
		}
	}
	_, hart := show("2")
	if len(hart) != 2 || hart[0].Speaker != "Zoë Hart" || hart[1].Text != "Nobody likes it" {
		t.Errorf("document 2 quotes = %+v", hart)
	}

	// The timeline builds events, storing each document's quotes with its
	// cursor; docs show then reads them and says the same.
	if code, _, errOut := runCLI(t, "timeline", "--format", "json", "--data", data); code != 0 {
		t.Fatalf("timeline: exit %d\n%s", code, errOut)
	}
	_, after := show("1")
	if len(after) != len(before) {
		t.Fatalf("stored quotes %+v differ from the extracted ones %+v", after, before)
	}
	for i := range after {
		if after[i] != before[i] {
			t.Errorf("stored quote %d = %+v, extracted %+v", i, after[i], before[i])
		}
	}
	if code, out, _ := runCLI(t, "docs", "show", "1", "--data", data); code != 0 || !strings.Contains(out, "— Ann Cole, council leader") {
		t.Errorf("docs show text: exit %d\n%s", code, out)
	}
}

// TestEvalQuotes scores a hand-made labelled set and writes the report.
func TestEvalQuotes(t *testing.T) {
	dir := t.TempDir()
	set := filepath.Join(dir, "set")
	if err := os.Mkdir(set, 0o755); err != nil {
		t.Fatal(err)
	}
	text := "Ann Cole said the bridge would reopen in May. “It is safe,” she said."
	article := map[string]any{"article": "a1", "publication_date": "2025-03-04", "text": text,
		"attributions": []map[string]any{
			{"type": "Attribution", "source": map[string]any{"text": "Ann Cole"}, "cue": map[string]any{"text": "said"},
				"content": map[string]any{"text": "the bridge would reopen in May"}, "direct": false},
			{"type": "Attribution", "source": map[string]any{"text": "she"}, "cue": map[string]any{"text": "said"},
				"content": map[string]any{"text": "“It is safe,”"}, "direct": true},
			{"type": "Attribution-no-source", "cue": map[string]any{"text": "expected"},
				"content": map[string]any{"text": "traffic to double"}, "direct": false},
		}}
	b, _ := json.Marshal(article)
	if err := os.WriteFile(filepath.Join(set, "a.jsonl"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "report.json")
	code, out, errOut := runCLI(t, "eval", "quotes", "--set", set, "--out", report)
	if code != 0 {
		t.Fatalf("eval quotes: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"3 gold attributions (1 direct), 2 predicted, 2 matched", "all attributions   P 1.000  R 0.667",
		"direct quotes      P 1.000  R 1.000", "speaker or mention  all 1.000 (2/2)"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval quotes output lacks %q:\n%s", want, out)
		}
	}
	var rep struct {
		Matched int `json:"matched"`
		Details []struct {
			Missed []any `json:"missed"`
		} `json:"details"`
	}
	if b, err := os.ReadFile(report); err != nil || json.Unmarshal(b, &rep) != nil || rep.Matched != 2 || len(rep.Details) != 1 || len(rep.Details[0].Missed) != 1 {
		t.Errorf("report %s: %+v, %v", report, rep, err)
	}
	if code, _, errOut := runCLI(t, "eval", "quotes", "--set", filepath.Join(dir, "none")); code != 1 || !strings.Contains(errOut, "read set") {
		t.Errorf("eval on a missing set: exit %d, %s", code, errOut)
	}
	if code, _, _ := runCLI(t, "eval", "quotes"); code != 2 {
		t.Errorf("eval without --set: exit %d, want 2", code)
	}
}
