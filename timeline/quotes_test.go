package timeline

import (
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
)

func TestQuotes(t *testing.T) {
	an, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2025, 10, 7, 12, 0, 0, 0, time.UTC)
	type q struct{ text, speaker, role string }
	tests := []struct {
		name     string
		text     string
		official bool
		author   string
		want     []q
	}{
		{"said X after", `"We will appeal," said Ruth Abara, the defence solicitor.`, false, "",
			[]q{{"We will appeal", "Ruth Abara", "defence solicitor"}}},
		{"X said before", `Ruth Abara said: "We will appeal against this ruling."`, false, "",
			[]q{{"We will appeal against this ruling.", "Ruth Abara", ""}}},
		{"X said after", `"The evidence was not there," Ruth Abara said.`, false, "",
			[]q{{"The evidence was not there", "Ruth Abara", ""}}},
		{"curly quotes and pronoun", "Stephen Parkinson, the Director of Public Prosecutions, spoke outside court. “This is a deeply frustrating outcome,” he said.", false, "",
			[]q{{"This is a deeply frustrating outcome", "Stephen Parkinson", "Director of Public Prosecutions"}}},
		{"pronoun is the last subject, not the last name", "The Prime Minister met Li Qiang at the summit. “I raised my concerns with him directly,” he told reporters.", false, "",
			[]q{{"I raised my concerns with him directly", "Keir Starmer", ""}}},
		{"office holder on the publication date", `"We will protect our democracy," the Prime Minister said.`, false, "",
			[]q{{"We will protect our democracy", "Keir Starmer", "Prime Minister"}}},
		{"role named earlier", "The Director of Public Prosecutions, Stephen Parkinson, issued a statement. \"We could not obtain the evidence,\" the Director said.", false, "",
			[]q{{"We could not obtain the evidence", "Stephen Parkinson", "Director of Public Prosecutions"}}},
		{"according to", `The suspect was "a trusted insider", according to Detective Inspector Kate Moss.`, false, "",
			[]q{{"a trusted insider", "Kate Moss", ""}}},
		{"spokesperson for an organisation", `The Metropolitan Police confirmed the arrests. "Two men were detained," a force spokesperson said.`, false, "",
			[]q{{"Two men were detained", "Metropolitan Police spokesperson", ""}}},
		{"embassy calling", `China's embassy in London dismissed the reports, calling them "pure fabrication".`, false, "",
			[]q{{"pure fabrication", "Chinese embassy", ""}}},
		{"official statement speaks for its author", `The accusation is "pure fabrication" and "malicious slander".`, true, "Embassy Spokesperson",
			[]q{{"pure fabrication", "Embassy Spokesperson", ""}, {"malicious slander", "Embassy Spokesperson", ""}}},
		{"quote over two paragraphs", "“Most approaches are polite and patient.\n\n“That is what makes them dangerous,” said Dr Hannah Price.", false, "",
			[]q{{"Most approaches are polite and patient. That is what makes them dangerous", "Hannah Price", ""}}},
		{"the same speaker goes on", "“We are disappointed,” said Ruth Abara. “We will appeal.”", false, "",
			[]q{{"We are disappointed", "Ruth Abara", ""}, {"We will appeal.", "Ruth Abara", ""}}},
		{"possessive is not the speaker", `"We will fight this," Holloway's solicitor Ruth Abara told reporters.`, false, "",
			[]q{{"We will fight this", "Ruth Abara", ""}}},
		{"a judge", `"You betrayed your country," Mrs Justice Carmody told him.`, false, "",
			[]q{{"You betrayed your country", "Justice Carmody", ""}}},
		{"a byline in Chinese is the spokesperson of the organisation it names", `The spokesperson called the claims "pure fabrication".`, true, "驻英国使馆发言人",
			[]q{{"pure fabrication", "Chinese embassy spokesperson", ""}}},
		{"a document speaks for who issued it", "MI5's guidance went to every MP. \"Check who you are talking to,\" the guidance says.", false, "",
			[]q{{"Check who you are talking to", "MI5", ""}}},
		{"a document with no issuer named is left out", `Posters went up. "Check who you are talking to," the guidance says.`, false, "", nil},
		{"scare quotes without a speaker are left out", `Ministers would not call China a "threat" in the papers.`, false, "", nil},
		{"unclosed quote is dropped", "He said \"this never closes\n\nNew paragraph.", false, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := model.Document{ID: 7, Text: tt.text, Official: tt.official, Published: pub}
			if tt.author != "" {
				d.Authors = []string{tt.author}
			}
			got := an.Quotes(d)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d quotes %+v, want %d %+v", len(got), got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Text != w.text || g.Speaker != w.speaker || (w.role != "" && g.Role != w.role) {
					t.Errorf("quote %d = %q by %q (%q), want %q by %q (%q)", i, g.Text, g.Speaker, g.Role, w.text, w.speaker, w.role)
				}
				if g.DocumentID != 7 {
					t.Errorf("quote %d document = %d, want 7", i, g.DocumentID)
				}
				first := strings.Fields(w.text)[0]
				if !strings.HasPrefix(tt.text[g.Offset:], first) {
					t.Errorf("quote %d offset %d points at %q, want the start of the quote", i, g.Offset, tt.text[g.Offset:min(len(tt.text), g.Offset+20)])
				}
			}
		})
	}
}

func FuzzQuotes(f *testing.F) {
	for _, s := range []string{
		`"We will appeal," said Ruth Abara, the defence solicitor.`,
		"“Most approaches are polite.\n\n“That is what makes them dangerous,” she added.",
		`He said "unbalanced`, `""""`, "“”“”", `"a" "b" said X`, "\"\n\"\n\"", "said said said \"x y\" he said",
	} {
		f.Add(s, true)
	}
	an, err := NewAnalyzer()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string, official bool) {
		d := model.Document{ID: 1, Text: text, Official: official, Authors: []string{"Press Office"},
			Published: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		for _, q := range an.Quotes(d) {
			if q.Offset < 0 || q.Offset > len(text) {
				t.Fatalf("offset %d out of range", q.Offset)
			}
			if q.Speaker == "" {
				t.Fatalf("quote %q without a speaker", q.Text)
			}
			if q.Text == "" {
				t.Fatalf("empty quote")
			}
		}
	})
}
