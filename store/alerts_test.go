package store

import (
	"context"
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
