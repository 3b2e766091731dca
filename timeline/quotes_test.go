package timeline

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
)

// checkOffsets fails unless every quote's rune offsets select its text.
func checkOffsets(t *testing.T, text string, qs []model.Quote) {
	t.Helper()
	r := []rune(text)
	for i, q := range qs {
		if q.Start < 0 || q.End > len(r) || q.Start >= q.End || string(r[q.Start:q.End]) != q.Text {
			t.Errorf("quote %d %q: runes [%d:%d] of the text are not its text", i, q.Text, q.Start, q.End)
		}
	}
}

func TestQuotes(t *testing.T) {
	an, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2025, 10, 7, 12, 0, 0, 0, time.UTC)
	const (
		direct   = model.QuoteDirect
		indirect = model.QuoteIndirect
	)
	type q struct {
		text, speaker, role string
		kind                model.QuoteKind
	}
	tests := []struct {
		name     string
		text     string
		official bool
		author   string
		want     []q
	}{
		// Direct speech.
		{"said X after", `"We will appeal," said Ruth Abara, the defence solicitor.`, false, "",
			[]q{{"We will appeal", "Ruth Abara", "defence solicitor", direct}}},
		// A participle cue right after the text's first word (this crashed
		// the clusterer: the name before the cue ran off the text's start).
		{"participle after the first word", "Structure questioning the deal, the union said.", false, "",
			[]q{{"Structure questioning the deal", "union", "", indirect}}},
		{"X said before", `Ruth Abara said: "We will appeal against this ruling."`, false, "",
			[]q{{"We will appeal against this ruling.", "Ruth Abara", "", direct}}},
		{"X said after", `"The evidence was not there," Ruth Abara said.`, false, "",
			[]q{{"The evidence was not there", "Ruth Abara", "", direct}}},
		{"curly quotes and pronoun", "Stephen Parkinson, the Director of Public Prosecutions, spoke outside court. “This is a deeply frustrating outcome,” he said.", false, "",
			[]q{{"This is a deeply frustrating outcome", "Stephen Parkinson", "Director of Public Prosecutions", direct}}},
		{"pronoun is the last subject, not the last name", "The Prime Minister met Li Qiang at the summit. “I raised my concerns with him directly,” he told reporters.", false, "",
			[]q{{"I raised my concerns with him directly", "Keir Starmer", "", direct}}},
		{"a pronoun follows gender", "Ana Ruiz met Tom Field on Monday. Field said he had listened. “We disagree on almost everything,” she said.", false, "",
			[]q{{"he had listened", "Tom Field", "", indirect}, {"We disagree on almost everything", "Ana Ruiz", "", direct}}},
		{"office holder on the publication date", `"We will protect our democracy," the Prime Minister said.`, false, "",
			[]q{{"We will protect our democracy", "Keir Starmer", "Prime Minister", direct}}},
		{"role named earlier", "The Director of Public Prosecutions, Stephen Parkinson, issued a statement. \"We could not obtain the evidence,\" the Director said.", false, "",
			[]q{{"We could not obtain the evidence", "Stephen Parkinson", "Director of Public Prosecutions", direct}}},
		{"spokesperson for an organisation", `The Metropolitan Police confirmed the arrests. "Two men were detained," a force spokesperson said.`, false, "",
			[]q{{"Two men were detained", "Metropolitan Police spokesperson", "", direct}}},
		{"embassy calling: the quotation is the words", `China's embassy in London dismissed the reports, calling them "pure fabrication".`, false, "",
			[]q{{"the reports", "Chinese embassy", "", indirect}, {"pure fabrication", "Chinese embassy", "", direct}}},
		{"official statement speaks for its author", `The accusation is "pure fabrication" and "malicious slander".`, true, "Embassy Spokesperson",
			[]q{{"pure fabrication", "Embassy Spokesperson", "", direct}, {"malicious slander", "Embassy Spokesperson", "", direct}}},
		{"quote over two paragraphs keeps the break", "“Most approaches are polite and patient.\n\n“That is what makes them dangerous,” said Dr Hannah Price.", false, "",
			[]q{{"Most approaches are polite and patient.\n\n“That is what makes them dangerous", "Hannah Price", "", direct}}},
		{"a quotation after a tag in one paragraph is one quote", "“We are disappointed,” said Ruth Abara. “We will appeal.”", false, "",
			[]q{{"We are disappointed,” said Ruth Abara. “We will appeal.", "Ruth Abara", "", direct}}},
		{"the same speaker goes on in the next paragraph", "“We are disappointed,” said Ruth Abara.\n\n“We will appeal against the ruling.”", false, "",
			[]q{{"We are disappointed", "Ruth Abara", "", direct}, {"We will appeal against the ruling.", "Ruth Abara", "", direct}}},
		{"possessive is not the speaker", `"We will fight this," Holloway's solicitor Ruth Abara told reporters.`, false, "",
			[]q{{"We will fight this", "Ruth Abara", "", direct}}},
		{"a judge", `"You betrayed your country," Mrs Justice Carmody told him.`, false, "",
			[]q{{"You betrayed your country", "Justice Carmody", "", direct}}},
		{"a byline in Chinese is the spokesperson of the organisation it names", `The spokesperson called the claims "pure fabrication".`, true, "驻英国使馆发言人",
			[]q{{"pure fabrication", "Chinese embassy spokesperson", "", direct}}},
		{"a document speaks for who issued it", "MI5's guidance went to every MP. \"Check who you are talking to,\" the guidance says.", false, "",
			[]q{{"Check who you are talking to", "MI5", "", direct}}},
		{"a document with no issuer named speaks as itself", `Posters went up. "Check who you are talking to," the guidance says.`, false, "",
			[]q{{"Check who you are talking to", "guidance", "", direct}}},
		{"a question tag", "“Who decided this?” asked Ann Cole, a councillor.", false, "",
			[]q{{"Who decided this?", "Ann Cole", "councillor", direct}}},
		{"a quoted question does not end the sentence before its tag", "“Who would have guessed it?” Ann Cole said, smiling.", false, "",
			[]q{{"Who would have guessed it?", "Ann Cole", "", direct}}},
		{"dash attribution", "“Patience is the whole craft.” — Ann Cole", false, "",
			[]q{{"Patience is the whole craft.", "Ann Cole", "", direct}}},
		{"transcript lines", "COLE: We never saw the file.\n\nREYES: Then who did?", false, "",
			[]q{{"We never saw the file", "COLE", "", direct}, {"Then who did?", "REYES", "", direct}}},
		{"a press conference transcript", "Foreign Ministry Spokesperson Mao Ning: The accusation has no basis in fact.\n\nQ: Will China respond?\n\nA: We will take the measures we need.", true, "Foreign Ministry",
			[]q{{"The accusation has no basis in fact", "Mao Ning", "Foreign Ministry Spokesperson", direct},
				{"We will take the measures we need", "Foreign Ministry", "", direct}}},
		{"guillemets", "« Nous ne céderons pas », a déclaré le ministre. Ann Cole said: «We will not yield to pressure.»", false, "",
			[]q{{"We will not yield to pressure.", "Ann Cole", "", direct}}},
		{"German marks", "Ann Cole said: „Wir werden nicht nachgeben.“", false, "",
			[]q{{"Wir werden nicht nachgeben.", "Ann Cole", "", direct}}},
		{"corner brackets", "Ann Cole said: 「我们不会让步。」", false, "",
			[]q{{"我们不会让步。", "Ann Cole", "", direct}}},
		{"British single quotes", "‘We will not give up,’ Ann Cole said.", false, "",
			[]q{{"We will not give up", "Ann Cole", "", direct}}},
		{"apostrophes are not quotation marks", "Ann Cole's lawyers said the court's ruling didn't end the case.", false, "",
			[]q{{"the court's ruling didn't end the case", "Ann Cole's lawyers", "", indirect}}},

		// Reported speech.
		{"said that", "Ann Cole said that the council would appeal the decision.", false, "",
			[]q{{"the council would appeal the decision", "Ann Cole", "", indirect}}},
		{"said without that, with a time word", "Ann Cole said Monday the council would appeal.", false, "",
			[]q{{"the council would appeal", "Ann Cole", "", indirect}}},
		{"content first", "The council will appeal the decision, Ann Cole said on Tuesday.", false, "",
			[]q{{"The council will appeal the decision", "Ann Cole", "", indirect}}},
		{"content first, inverted", "The council will appeal, said Ann Cole, the council leader.", false, "",
			[]q{{"The council will appeal", "Ann Cole", "council leader", indirect}}},
		{"tag in the middle", "The ruling, Ann Cole said, was a mistake that the council would fight.", false, "",
			[]q{{"The ruling, Ann Cole said, was a mistake that the council would fight", "Ann Cole", "", indirect}}},
		{"told a listener", "Ann Cole told reporters at the town hall that the budget was safe.", false, "",
			[]q{{"the budget was safe", "Ann Cole", "", indirect}}},
		{"according to after", "The budget is safe for now, according to the finance ministry.", false, "",
			[]q{{"The budget is safe for now", "finance ministry", "", indirect}}},
		{"according to before", "According to two officials, the talks collapsed late on Sunday.", false, "",
			[]q{{"the talks collapsed late on Sunday", "two officials", "", indirect}}},
		{"apposition and party", "Tom Field, a Republican from Ohio, said the bill would pass easily.", false, "",
			[]q{{"the bill would pass easily", "Tom Field", "Republican from Ohio", indirect}}},
		{"participle continues the speaker", "Ann Cole said the vote was fair, adding that she would accept the result.", false, "",
			[]q{{"the vote was fair", "Ann Cole", "", indirect}, {"she would accept the result", "Ann Cole", "", indirect}}},
		{"coordinated speakers", "Ann Cole said the plan would work, but Tom Field said it would fail.", false, "",
			[]q{{"the plan would work", "Ann Cole", "", indirect}, {"it would fail", "Tom Field", "", indirect}}},
		{"relative clause speaker", "Tom Field, who said the plan would fail, voted against it.", false, "",
			[]q{{"the plan would fail", "Tom Field", "", indirect}}},
		{"spokesperson of a named organisation", "A Home Office spokesperson said the rules had not changed.", false, "",
			[]q{{"the rules had not changed", "Home Office spokesperson", "", indirect}}},
		{"a poll finds", "A new poll found that most voters oppose the plan.", false, "",
			[]q{{"most voters oppose the plan", "new poll", "", indirect}}},
		{"partial quote in reported speech is direct", "Ann Cole said the plan was “a disaster waiting to happen” for the town.", false, "",
			[]q{{"the plan was “a disaster waiting to happen” for the town", "Ann Cole", "", direct}}},
		{"a dateline is not the speaker", "LONDON (Wire) - The Chinese embassy said the claims were false.", false, "",
			[]q{{"the claims were false", "Chinese embassy", "", indirect}}},
		{"a report's delayed identification", "A young researcher has denied any wrongdoing, saying he is innocent.\n\nTom Field released the statement on Monday.", false, "",
			[]q{{"he is innocent", "Tom Field", "", indirect}}},

		// Not quotes.
		{"scare quotes without a speaker are left out", `Ministers would not call China a "threat" in the papers.`, false, "", nil},
		{"a denied verb reports nothing", "Ann Cole did not say whether the council would appeal.", false, "", nil},
		{"a passive reports nobody", "The tower is said to be the oldest in the county.", false, "", nil},
		{"a noun is not a verb", "The report was published on Monday after a long delay.", false, "", nil},
		{"a judging verb with an object reports a position", "The embassy dismissed the reports of spying in London.", false, "",
			[]q{{"the reports of spying in London", "embassy", "", indirect}}},
		{"a position's object ends before an afterthought", "The senator praised the ruling on Tuesday, which surprised nobody.", false, "",
			[]q{{"the ruling", "senator", "", indirect}}},
		{"intentions are reported positions", "The governor has vowed to close the plant, and the union plans to strike.", false, "",
			[]q{{"to close the plant", "governor", "", indirect}, {"to strike", "union", "", indirect}}},
		{"a second verb of the same subject ends the content", `Ruth Abara said the ruling was "absurd" and urged the court to reconsider.`, false, "",
			[]q{{"the ruling was \"absurd\"", "Ruth Abara", "", direct}, {"the court to reconsider", "Ruth Abara", "", indirect}}},
		{"a noun cue: the owner's claim", "Ruth Abara rejected the ruling. The court heard Ruth Abara's claim that the evidence was planted.", false, "",
			[]q{{"the ruling", "Ruth Abara", "", indirect}, {"the evidence was planted", "Ruth Abara", "", indirect}}},
		{"a noun cue owned by a pronoun ends at a new clause", "Tom Field spoke. Contrary to his claim that voters would \"learn nothing,\" the files were useful.", false, "",
			[]q{{"voters would \"learn nothing,\"", "Tom Field", "", direct}}},
		{"a poll's share speaks", "The poll was published on Monday. However, 63 percent said the council was right to wait.", false, "",
			[]q{{"the council was right to wait", "63 percent", "", indirect}}},
		{"a group described by those close to someone", "Those close to the mayor say that, in the end, she will stand again.", false, "",
			[]q{{"she will stand again", "Those close to the mayor", "", indirect}}},
		{"a home town is not a role", "Dan Reyes, of Leeds, Yorks., said he had waited for years.", false, "",
			[]q{{"he had waited for years", "Dan Reyes", "", indirect}}},
		{"a party and state in brackets before an apposition", "Sen. Ann Ruiz (D-Ore.), chair of the panel, said the bill would pass.", false, "",
			[]q{{"the bill would pass", "Ann Ruiz", "chair of the panel", indirect}}},
		{"a question quoted after asked and a comma", "Ann Cole asked, “Wait, is it really that high? Interesting.”", false, "",
			[]q{{"Wait, is it really that high? Interesting.", "Ann Cole", "", direct}}},
		{"said after an adjunct, then the clause", "Tom Field said after the meeting he would not stand again.", false, "",
			[]q{{"he would not stand again", "Tom Field", "", indirect}}},
		{"a described speaker named in the next sentence with a matching role",
			"The country's most senior prosecutor said the evidence was not there. Stephen Parkinson, the Director of Public Prosecutions, spoke after ministers refused to act.", false, "",
			[]q{{"the evidence was not there", "Stephen Parkinson", "country's most senior prosecutor", indirect}}},
		{"a definite role alone refers back, not forward", "Ann Cole met the press. The senator said the bill would fail. Tom Field, a lawyer, disagreed.", false, "",
			[]q{{"the bill would fail", "senator", "", indirect}}},
		{"people who share a surname: Mr. is the one called he", "Tom Field spoke first; he was brief. Ann Field spoke next; she was angry. \"We will win,\" Mr. Field said.", false, "",
			[]q{{"We will win", "Tom Field", "", direct}}},
		{"a name before a role word before a name: the later name speaks", "Cole spokesman Dan Reyes said the report was false.", false, "",
			[]q{{"the report was false", "Dan Reyes", "Cole spokesman", indirect}}},
		{"a verb that reports its topic after a particle", "Tom Field spoke about the closure of the mine. Later he talked for an hour.", false, "",
			[]q{{"the closure of the mine", "Tom Field", "", indirect}}},
		{"pointed out that", "The council has pointed out that the bridge was never safe.", false, "",
			[]q{{"the bridge was never safe", "council", "", indirect}}},
		{"a finding shown by a document", "Another chart shows that rents rose by half. An hourlong show that aired on Monday was light on detail.", false, "",
			[]q{{"rents rose by half", "Another chart", "", indirect}}},
		{"protesters continued to call for something", "Protesters continued to call for more information about the shooting.", false, "",
			[]q{{"more information about the shooting", "Protesters", "", indirect}}},
		{"one name as the object of a position", "Senator Ann Ruiz endorses Field. Prosecutors charged two men with fraud. The shop charged fees.", false, "",
			[]q{{"Field", "Ann Ruiz", "", indirect}, {"two men with fraud", "Prosecutors", "", indirect}}},
		{"a vote to do something", "The committee voted 9-6 to hold the aide in contempt.", false, "",
			[]q{{"to hold the aide in contempt", "committee", "", indirect}}},
		{"a quotation resumes after the tag's afterthought", "“Every time you say that,” Tom Field said, referring to the excuse, “you make it worse.”", false, "",
			[]q{{"Every time you say that,” Tom Field said, referring to the excuse, “you make it worse.", "Tom Field", "", direct}}},
		{"past a participle's attribution the quotation goes on", "“You cannot change what you do not know,” Ann Cole said, stressing that the past matters. “We need to look back first.”", false, "",
			[]q{{"You cannot change what you do not know", "Ann Cole", "", direct}, {"the past matters", "Ann Cole", "", indirect},
				{"We need to look back first.", "Ann Cole", "", direct}}},
		{"several quotations of a naming verb are one quote", `Tom Field called him a "lying bully," a "coward" and "plainly unfit."`, false, "",
			[]q{{`"lying bully," a "coward" and "plainly unfit."`, "Tom Field", "", direct}}},
		{"the writer's contrast ends reported speech", "Ann Cole called for a lower rate, but the council would keep it at 35 percent.", false, "",
			[]q{{"a lower rate", "Ann Cole", "", indirect}}},
		{"a position's object ends before its occasion", "The ministry rejected the accusations at its regular news briefing. The likely fault line is clear.", false, "",
			[]q{{"the accusations", "ministry", "", indirect}}},
		{"a speech tag after a quotation, whatever follows it", `"We will appeal," she said of the verdict, which came late. Ruth Abara had spoken first.`, false, "",
			[]q{{"We will appeal", "Ruth Abara", "", direct}}},
		{"wars and places do not speak", "The World War ended in 1945. It said nothing about Staten Island.", false, "", nil},
		{"a pronoun is not resolved to a war", "The World War ended in 1945. It said that peace had come.", false, "",
			[]q{{"peace had come", "It", "", indirect}}},
		{"unclosed quote is reported speech without the stray mark", "He said \"this never closes\n\nNew paragraph.", false, "",
			[]q{{"this never closes", "He", "", indirect}}},
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
				if g.Text != w.text || g.Speaker != w.speaker || (w.role != "" && g.Role != w.role) || g.Kind != w.kind {
					t.Errorf("quote %d = %q by %q (%q, %s), want %q by %q (%q, %s)", i, g.Text, g.Speaker, g.Role, g.Kind, w.text, w.speaker, w.role, w.kind)
				}
				if g.DocumentID != 7 {
					t.Errorf("quote %d document = %d, want 7", i, g.DocumentID)
				}
			}
			checkOffsets(t, tt.text, got)
		})
	}
}

// TestQuoteMention: the words that named the speaker are kept beside the
// resolved speaker.
func TestQuoteMention(t *testing.T) {
	an, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	text := "Ann Cole, the council leader, spoke first. “We will appeal,” she said."
	qs := an.Quotes(model.Document{Text: text})
	if len(qs) != 1 || qs[0].Speaker != "Ann Cole" || qs[0].Mention != "she" || qs[0].Role != "council leader" {
		t.Fatalf("quotes = %+v, want one by Ann Cole named as “she”, council leader", qs)
	}
}

// TestQuoteCue: each quote says what it attributes, so that a reader can
// keep to speech; the display marks reported beliefs, intentions and
// positions as such.
func TestQuoteCue(t *testing.T) {
	an, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text    string
		cue     model.QuoteCue
		display string
	}{
		{`"We will appeal," said Ann Cole.`, model.CueSay, "“We will appeal”"},
		{"Ann Cole told reporters that the council would appeal.", model.CueSay, "the council would appeal (reported)"},
		{"Ann Cole believes the council will lose the appeal.", model.CueThink, "the council will lose the appeal (reported belief)"},
		{"Ann Cole wants to close the old depot by spring.", model.CueIntend, "to close the old depot by spring (reported intention)"},
		{"Ann Cole criticized the ruling of the planning court.", model.CueStance, "the ruling of the planning court (reported position)"},
		{"A council survey found that most residents back the plan.", model.CueFind, "most residents back the plan (reported finding)"},
	}
	for _, tt := range tests {
		qs := an.Quotes(model.Document{Text: tt.text})
		if len(qs) != 1 || qs[0].Cue != tt.cue || qs[0].Display() != tt.display {
			t.Errorf("%q: quotes = %+v, want one %s quote shown as %q", tt.text, qs, tt.cue, tt.display)
		}
	}
}

// TestQuoteOffsetsInRunes: offsets count characters, not bytes, through
// multi-byte text and Unicode spaces.
func TestQuoteOffsetsInRunes(t *testing.T) {
	an, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	text := "Zoë Hart — the café’s owner — spoke.\u00a0“Prices rise again,”\u00a0Zoë Hart said.\n\nÉric Blanc said that the 北京 office would close."
	qs := an.Quotes(model.Document{Text: text})
	if len(qs) != 2 {
		t.Fatalf("quotes = %+v, want 2", qs)
	}
	checkOffsets(t, text, qs)
}

func FuzzQuotes(f *testing.F) {
	for _, s := range []string{
		`"We will appeal," said Ruth Abara, the defence solicitor.`,
		"“Most approaches are polite.\n\n“That is what makes them dangerous,” she added.",
		`He said "unbalanced`, `""""`, "“”“”", `"a" "b" said X`, "\"\n\"\n\"", "said said said \"x y\" he said",
		"Ann Cole, who said the plan, said that, according to , said",
		"According to", "COLE: x\n\nREYES:", "‘a’ b’s ‘c", "''x'' said ``y''", "« a » „b“ 「c」 『d』",
		"Tom Field (R-Ohio), said, adding that", "said that that that, told reporters that",
		"\u00a0“x\u00a0y,”\u2009he said.", "a\xffb said \"c\xfe d\"", "LONDON (Wire) - , said",
		"“Q?” — ", "A young researcher, saying", "The ruling, he said, , he said,",
		"Critics questioning the deal and that the ministry would fail.",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	an, err := NewAnalyzer()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string, official bool) {
		d := model.Document{ID: 1, Text: text, Official: official, Authors: []string{"Press Office"},
			Published: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		r := []rune(text)
		last := -1
		for _, q := range an.Quotes(d) {
			if q.Start < 0 || q.End > len(r) || q.Start >= q.End || string(r[q.Start:q.End]) != q.Text {
				t.Fatalf("quote %q: runes [%d:%d] of the text are not its text", q.Text, q.Start, q.End)
			}
			if q.Start < last {
				t.Fatalf("quote %q overlaps the one before or is out of order", q.Text)
			}
			last = q.End
			if strings.TrimSpace(q.Speaker) == "" {
				t.Fatalf("quote %q without a speaker", q.Text)
			}
			if q.Kind != model.QuoteDirect && q.Kind != model.QuoteIndirect {
				t.Fatalf("quote %q of kind %q", q.Text, q.Kind)
			}
		}
	})
}

// TestFoldQuotes: an event lists a statement once, however many of its
// documents quote it whole, in part, or again.
func TestFoldQuotes(t *testing.T) {
	whole := model.Quote{Text: "We are as disappointed as anyone by this outcome.", Speaker: "Ann Cole", Kind: model.QuoteDirect, DocumentID: 1}
	part := model.Quote{Text: "as disappointed as anyone", Speaker: "ann cole", Kind: model.QuoteDirect, DocumentID: 2}
	other := model.Quote{Text: "as disappointed as anyone", Speaker: "Tom Field", Kind: model.QuoteDirect, DocumentID: 2}
	again := model.Quote{Text: "We are as disappointed as anyone by this outcome", Speaker: "Ann Cole", Kind: model.QuoteDirect, DocumentID: 3}
	reported := model.Quote{Text: "she was disappointed", Speaker: "Ann Cole", Kind: model.QuoteIndirect, DocumentID: 3}
	partial := model.Quote{Text: "the council was “as disappointed as anyone” by the vote", Speaker: "Ann Cole", Kind: model.QuoteDirect, DocumentID: 4}
	got := foldQuotes([]model.Quote{part, whole, other, again, reported, partial})
	want := []model.Quote{whole, other, reported}
	if len(got) != len(want) {
		t.Fatalf("folded = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("quote %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	many := make([]model.Quote, 0, 2*maxEventQuotes)
	for i := range 2 * maxEventQuotes {
		kind := model.QuoteIndirect
		if i%2 == 1 {
			kind = model.QuoteDirect
		}
		many = append(many, model.Quote{Text: strings.Repeat("word ", i+1), Speaker: "Ann Cole", Kind: kind})
	}
	// every quote is contained in the next, longer one: one remains
	if got := foldQuotes(many); len(got) != 1 {
		t.Errorf("nested quotes fold to %d, want 1", len(got))
	}
	for i := range many {
		many[i].Text = fmt.Sprintf("statement number %d", i)
	}
	got = foldQuotes(many)
	if len(got) != maxEventQuotes || got[0].Kind != model.QuoteDirect || got[maxEventQuotes-1].Kind != model.QuoteDirect {
		t.Errorf("capped to %d quotes, first %s, last %s; want %d, the speakers' own words first", len(got), got[0].Kind, got[len(got)-1].Kind, maxEventQuotes)
	}
}

// TestQuotesSentenceOpeningCue: a sentence whose second word reads as a
// speech cue ("questioning") has no name before it to take; looking for one
// ran off the start of the text (found by BenchmarkCluster at 10k documents).
func TestQuotesSentenceOpeningCue(t *testing.T) {
	an := newAnalyzer(t)
	for _, text := range []string{"Critics questioning deals would object.", "Voters questioning the plan would agree."} {
		for _, q := range an.Quotes(model.Document{ID: 1, Text: text}) {
			if q.Start < 0 || q.End > len([]rune(text)) || q.Start >= q.End {
				t.Errorf("%q: quote %+v outside the text", text, q)
			}
		}
	}
}
