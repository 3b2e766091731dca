package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
)

func TestOutboxNeverSchedulesAMatchTwice(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	sub := model.Subscription{Query: "spy", Webhook: "https://example.org/h", Secret: "s", Created: time.Unix(1, 0)}
	if err := st.AddSubscription(ctx, &sub); err != nil {
		t.Fatal(err)
	}
	n, err := st.RecordMatches(ctx, []SubscriptionMatches{{SubscriptionID: sub.ID, Cursor: 9,
		Matches: []NewMatch{{DocumentID: 1, Seq: 3}, {DocumentID: 2, RootID: 1, Seq: 4}, {DocumentID: 5, Seq: 5}}}})
	if err != nil || n != 2 {
		t.Fatalf("RecordMatches = %d, %v; want 2 (document 2 is a copy of 1)", n, err)
	}
	got, _ := st.Subscription(ctx, sub.ID)
	if got.Cursor != 9 {
		t.Errorf("cursor = %d, want 9", got.Cursor)
	}
	pending, _ := st.PendingMatches(ctx)
	if len(pending) != 2 || len(pending[0].Similar) != 1 {
		t.Fatalf("pending = %+v; want 2 matches, the first with one similar", pending)
	}
	ids := []int64{pending[0].ID, pending[1].ID}
	d1 := model.Delivery{SubscriptionID: sub.ID, IdempotencyKey: "k1", Channel: "webhook", Payload: []byte("{}")}
	if err := st.EnqueueDelivery(ctx, &d1, ids, time.Time{}); err != nil {
		t.Fatal(err)
	}
	d2 := model.Delivery{SubscriptionID: sub.ID, IdempotencyKey: "k2", Channel: "webhook", Payload: []byte("{}")}
	if err := st.EnqueueDelivery(ctx, &d2, ids[1:], time.Time{}); err == nil {
		t.Fatal("a match was put in a second delivery")
	}
	ds, _ := st.Deliveries(ctx, DeliveryFilter{})
	if len(ds) != 1 || ds[0].IdempotencyKey != "k1" || ds[0].Matches != 2 {
		t.Errorf("deliveries = %+v; want only k1 with 2 matches (the failed one rolled back)", ds)
	}
	if p, _ := st.PendingMatches(ctx); len(p) != 0 {
		t.Errorf("%d matches still pending", len(p))
	}
}

// TestRecordMatchesInBulk records, across two passes and many statements,
// what one-at-a-time recording gives: one match per (subscription, story),
// copies folded into it once each, a document matched before ignored, and
// every cursor advanced.
func TestRecordMatchesInBulk(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	var subs []int64
	for i := range 3 {
		sub := model.Subscription{Query: "q", Webhook: "https://example.org/h", Secret: "s", Created: time.Unix(int64(i+1), 0)}
		if err := st.AddSubscription(ctx, &sub); err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub.ID)
	}
	// Pass 1: 1,000 original documents (more rows than one INSERT holds),
	// each with a copy later in the same pass; subscription 3 sees only
	// the copies, whose story it has not matched.
	pass := func(from, to int64, cursor int64) []SubscriptionMatches {
		var found []SubscriptionMatches
		for k, sub := range subs {
			f := SubscriptionMatches{SubscriptionID: sub, Cursor: cursor}
			for d := from; d < to; d++ {
				if k < 2 {
					f.Matches = append(f.Matches, NewMatch{DocumentID: d, Seq: d})
				}
			}
			for d := from; d < to; d++ {
				f.Matches = append(f.Matches, NewMatch{DocumentID: d + 10000, RootID: d, Seq: d + 10000})
			}
			found = append(found, f)
		}
		return found
	}
	n, err := st.RecordMatches(ctx, pass(1, 1001, 20000))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3000 {
		t.Errorf("first pass recorded %d matches, want 3,000 (one per subscription and story)", n)
	}
	// Pass 2 replays part of pass 1 (as a new version would) and adds one
	// more copy of story 7: only that copy is new, folded into story 7.
	again := pass(1, 11, 30000)
	again[0].Matches = append(again[0].Matches, NewMatch{DocumentID: 20007, RootID: 7, Seq: 20007})
	if n, err := st.RecordMatches(ctx, again); err != nil || n != 0 {
		t.Fatalf("second pass = %d, %v; want 0 new matches", n, err)
	}
	for k, sub := range subs {
		got, _ := st.Subscription(ctx, sub)
		if got.Cursor != 30000 {
			t.Errorf("subscription %d: cursor %d, want 30000", sub, got.Cursor)
		}
		ms, err := st.RecentMatches(ctx, sub, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1000 {
			t.Fatalf("subscription %d: %d matches, want 1000", sub, len(ms))
		}
		for _, m := range ms {
			wantDoc, wantSimilar := m.RootID, []int64{m.RootID + 10000}
			if k == 2 {
				wantDoc, wantSimilar = m.RootID+10000, nil
			}
			if k == 0 && m.RootID == 7 {
				wantSimilar = append(wantSimilar, 20007)
			}
			if m.DocumentID != wantDoc || !slices.Equal(m.Similar, wantSimilar) {
				t.Errorf("subscription %d, story %d: document %d similar %v; want %d similar %v",
					sub, m.RootID, m.DocumentID, m.Similar, wantDoc, wantSimilar)
				break
			}
		}
	}
}
