package timeline

import (
	"testing"
	"time"

	"github.com/watchline/watchline/model"
)

// FuzzAnalyze reads arbitrary titles and texts the way the clusterer does
// (event type, dates, actors, quotes, role, terms): it must never panic,
// since a document that crashes the reader would stop clustering at it, and
// what it finds must point into the document.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"Structure questioning deals to a lake and that GCHQ would fail.",
		"On Monday, 8 October 2025, prosecutors said the case against Christopher Cash had collapsed.",
		"Last updated at 11:24 GMT, Tuesday, 27 September 2011\n\nThe court heard on Monday that …",
		"09:15 The minister arrives.\n10:30 Questions begin.\n\nLive: the debate",
		"“We will appeal,” said Ruth Abara. He said: „Nein.“ 外交部发言人表示，这是纯属捏造。",
		"3 days ago, in 2023, last week, yesterday: the embassy said nothing.", "", "\x00\xff\xfe",
	} {
		f.Add("Spy case", s, false)
		f.Add(s, s, true)
	}
	an, err := NewAnalyzer()
	if err != nil {
		f.Fatal(err)
	}
	pub := time.Date(2025, 10, 8, 9, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, title, text string, official bool) {
		d := model.Document{ID: 1, Title: title, Text: text, Official: official, SourceID: "src", Published: pub}
		info := an.analyze(d, newDF())
		if info.ID != 1 {
			t.Fatalf("analysis of document 1 is for %d", info.ID)
		}
		r := []rune(text)
		for _, q := range info.Quotes {
			if q.Start < 0 || q.End > len(r) || q.Start > q.End {
				t.Fatalf("quote %q at runes [%d:%d] of a %d-rune text", q.Text, q.Start, q.End, len(r))
			}
		}
	})
}
