package timeline

import (
	"context"
	"strings"
	"testing"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// TestEventQuotes clusters the demo corpus and checks every event's quotes
// as stored: each comes from a member document whose text its rune offsets
// select, and none repeats a longer quote of the same speaker, in whole or
// in part (the demo's "as disappointed as anyone" was listed twice).
func TestEventQuotes(t *testing.T) {
	ctx := context.Background()
	st, _ := loadCorpus(t, demoCorpus(t))
	an, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewClusterer(st, an, Options{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	texts := map[int64][]rune{}
	quotes := 0
	err = st.EachEvent(ctx, store.EventFilter{}, func(e model.Event) error {
		members := map[int64]bool{}
		for _, id := range e.DocumentIDs {
			members[id] = true
		}
		for i, q := range e.Quotes {
			quotes++
			if !members[q.DocumentID] {
				t.Errorf("event %d quote %q from document %d, not a member", e.ID, q.Text, q.DocumentID)
				continue
			}
			r, ok := texts[q.DocumentID]
			if !ok {
				d, err := st.Document(ctx, q.DocumentID)
				if err != nil {
					return err
				}
				r = []rune(d.Text)
				texts[q.DocumentID] = r
			}
			if q.Start < 0 || q.End > len(r) || q.Start >= q.End || string(r[q.Start:q.End]) != q.Text {
				t.Errorf("event %d quote %q: runes [%d:%d] of document %d are not its text", e.ID, q.Text, q.Start, q.End, q.DocumentID)
			}
			for j, o := range e.Quotes {
				if i == j || !strings.EqualFold(q.Speaker, o.Speaker) {
					continue
				}
				inner := " " + strings.Join(quoteWords(q.Text), " ") + " "
				outer := " " + strings.Join(quoteWords(o.Text), " ") + " "
				if strings.Contains(outer, inner) {
					t.Errorf("event %d lists %q and again inside %q, both by %s", e.ID, q.Text, o.Text, q.Speaker)
				}
				// Reported speech quoting only words of a longer quote.
				spans := findQuoteSpans(q.Text)
				covered := len(spans) > 0 && len(findQuoteSpans(o.Text)) == 0
				for _, sp := range spans {
					covered = covered && strings.Contains(outer, " "+strings.Join(quoteWords(q.Text[sp.start:sp.end]), " ")+" ")
				}
				if covered {
					t.Errorf("event %d lists %q, whose quoted words are all in %q by %s", e.ID, q.Text, o.Text, q.Speaker)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if quotes < 100 {
		t.Errorf("%d quotes over the demo's events; want the reported speech too (over 100)", quotes)
	}
}
