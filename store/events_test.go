package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
)

func TestApplyEvents(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var docs []int64
	for i, u := range []string{"https://a.example/1", "https://a.example/2"} {
		d := &model.Document{CanonicalURL: u, SourceID: "a", Title: u, Text: u, ContentHash: u,
			Published: time.Date(2024, 4, 22+i, 9, 0, 0, 0, time.UTC)}
		if _, err := s.PutDocument(ctx, d, Raw{}); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d.ID)
	}
	day := func(d int) time.Time { return time.Date(2024, 4, d, 0, 0, 0, 0, time.UTC) }
	quote := model.Quote{Text: "We will appeal", Speaker: "Ana Lima", Role: "lawyer", Mention: "she", Kind: model.QuoteDirect,
		Cue: model.CueSay, Start: 3, End: 17, DocumentID: docs[0]}
	reported := model.Quote{Text: "the ruling", Speaker: "Ana Lima", Kind: model.QuoteIndirect, Cue: model.CueStance,
		Start: 30, End: 55, DocumentID: docs[0]}
	ch := EventChanges{
		Quotes: map[int64][]model.Quote{docs[0]: {reported, quote}, docs[1]: nil},
		Events: []model.Event{
			{ID: 1, Title: "later", Happened: day(23), Precision: model.PrecisionDay, Type: model.TypeCharge, DocumentIDs: []int64{docs[0]},
				Quotes: []model.Quote{quote}},
			{ID: 2, Title: "earlier", Happened: day(22), Precision: model.PrecisionDay, Type: model.TypeStatement, DocumentIDs: []int64{docs[1]}},
		},
		Members: []EventMember{{DocumentID: docs[0], EventID: 1, Published: day(22)}, {DocumentID: docs[1], EventID: 2, Published: day(23)}},
		State:   map[string][]byte{"gen": []byte("1")},
		Cursor:  "timeline", From: 0, To: 2,
	}
	if err := s.ApplyEvents(ctx, ch); err != nil {
		t.Fatal(err)
	}

	t.Run("a moved cursor is a conflict and writes nothing", func(t *testing.T) {
		stale := EventChanges{Events: []model.Event{{ID: 9, Title: "stale"}}, Cursor: "timeline", From: 0, To: 2,
			Quotes: map[int64][]model.Quote{docs[1]: {quote}}}
		if err := s.ApplyEvents(ctx, stale); !errors.Is(err, ErrConflict) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
		if _, err := s.Event(ctx, 9); !errors.Is(err, ErrNotFound) {
			t.Errorf("event of a conflicting batch was written: %v", err)
		}
		if qs, err := s.DocumentQuotes(ctx, docs[1]); err != nil || len(qs) != 0 {
			t.Errorf("quotes of a conflicting batch were written: %+v, %v", qs, err)
		}
		if err := s.ApplyEvents(ctx, EventChanges{Expect: map[string][]byte{"gen": []byte("0")}}); !errors.Is(err, ErrConflict) {
			t.Errorf("changed state: err = %v, want ErrConflict", err)
		}
	})

	t.Run("quotes per document, in text order, until the document leaves", func(t *testing.T) {
		qs, err := s.DocumentQuotes(ctx, docs[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(qs) != 2 || qs[0] != quote || qs[1] != reported {
			t.Errorf("quotes of document %d = %+v", docs[0], qs)
		}
		if qs, err := s.DocumentQuotes(ctx, docs[1]); err != nil || qs == nil || len(qs) != 0 {
			t.Errorf("a document without quotes: %#v, %v; want an empty list", qs, err)
		}
	})

	t.Run("events in happened order, with quotes", func(t *testing.T) {
		var got []string
		err := s.EachEvent(ctx, EventFilter{}, func(e model.Event) error {
			got = append(got, e.Title)
			if e.ID == 1 && (len(e.Quotes) != 1 || e.Quotes[0] != withEvent(quote, 1)) {
				t.Errorf("quotes of event 1 = %+v", e.Quotes)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != "earlier" || got[1] != "later" {
			t.Errorf("order = %v, want earlier, later", got)
		}
	})

	t.Run("a document that leaves its event loses its quotes", func(t *testing.T) {
		if err := s.ApplyEvents(ctx, EventChanges{Unassigned: []int64{docs[0]}}); err != nil {
			t.Fatal(err)
		}
		if qs, err := s.DocumentQuotes(ctx, docs[0]); err != nil || len(qs) != 0 {
			t.Errorf("quotes of an unassigned document = %+v, %v", qs, err)
		}
		// Put it back for what follows.
		err := s.ApplyEvents(ctx, EventChanges{Members: []EventMember{{DocumentID: docs[0], EventID: 1, Published: day(22)}},
			Quotes: map[int64][]model.Quote{docs[0]: {quote}}})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("edits override and survive a reset", func(t *testing.T) {
		title, when, prec, typ := "Corrected", day(1), model.PrecisionMonth, model.TypeHearing
		err := s.ApplyEvents(ctx, EventChanges{Edits: []EventEdit{{EventID: 1, Title: &title, Happened: &when, Precision: &prec, Type: &typ}},
			Pins: map[int64]int64{docs[1]: 1}, PinReason: "merge"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ResetEvents(ctx, "timeline"); err != nil {
			t.Fatal(err)
		}
		if cur, _ := s.Cursor(ctx, "timeline"); cur != 0 {
			t.Errorf("cursor after reset = %d, want 0", cur)
		}
		if qs, _ := s.DocumentQuotes(ctx, docs[0]); len(qs) != 0 {
			t.Errorf("document quotes after reset = %+v, want none until the clusterer runs again", qs)
		}
		pins, err := s.Pins(ctx, docs)
		if err != nil || pins[docs[1]] != 1 {
			t.Errorf("pins after reset = %v, %v", pins, err)
		}
		// The clusterer writes the event again; the edit still wins.
		err = s.ApplyEvents(ctx, EventChanges{Events: []model.Event{{ID: 1, Title: "computed", Happened: day(23), Precision: model.PrecisionDay, Type: model.TypeCharge}}})
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Event(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if e.Title != "Corrected" || e.Type != model.TypeHearing || !e.Happened.Equal(when) || e.Precision != prec || !e.Edited {
			t.Errorf("event = %+v, want the edits applied", e)
		}
		fields, err := s.EditedFields(ctx, 1)
		if err != nil || len(fields) != 4 {
			t.Errorf("edited fields = %v, %v; want title, happened, type, documents", fields, err)
		}
		if id, _ := s.MaxEventID(ctx); id < 1 {
			t.Errorf("max event id = %d", id)
		}
	})
}

func withEvent(q model.Quote, id int64) model.Quote {
	q.EventID = id
	return q
}
