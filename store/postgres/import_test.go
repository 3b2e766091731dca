package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/store/storetest"
)

// TestImportFromSQLite fills an embedded store through its API, copies it
// into PostgreSQL and checks that every read gives the same answer, that
// both logs and generated ids carry on after the copied ones, and that a
// second copy into the same database is refused.
func TestImportFromSQLite(t *testing.T) {
	ctx := context.Background()
	lite, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	fill(t, lite)
	pg := openTest(t)
	var copied []string
	if err := pg.ImportFrom(ctx, lite, func(table string, n int64) { copied = append(copied, table) }); err != nil {
		t.Fatal(err)
	}
	if len(copied) < 15 {
		t.Errorf("copied tables %v", copied)
	}
	if a, b := dump(t, lite), dump(t, pg); a != b {
		t.Errorf("PostgreSQL reads differently after the copy:\nsqlite:   %s\npostgres: %s", a, b)
	}
	d := storetest.Doc("https://after.example/1", "after the move")
	if _, err := pg.PutDocument(ctx, d, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	maxSeq, _ := lite.MaxSeq(ctx)
	if d.Seq != maxSeq+1 || d.ID != 4 {
		t.Errorf("first document after the copy: id %d seq %d; want id 4, seq %d", d.ID, d.Seq, maxSeq+1)
	}
	sub := model.Subscription{Query: "new", Secret: "x"}
	if err := pg.AddSubscription(ctx, &sub); err != nil || sub.ID != 2 {
		t.Errorf("first subscription after the copy: id %d, %v; want 2", sub.ID, err)
	}
	err = pg.ImportFrom(ctx, lite, nil)
	if err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Errorf("second import: %v, want a refusal", err)
	}
}

// fill writes a little of everything through the store's API.
func fill(t *testing.T, st store.Backend) {
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	for i, text := range []string{"charges announced", "embassy denies", "case dropped"} {
		d := storetest.Doc("https://f.example/"+string(rune('a'+i)), text)
		d.Official, d.Authors, d.SimHash = i == 0, []string{"Desk"}, uint64(1)<<63|uint64(i)
		_, err := st.PutDocument(ctx, d, store.Raw{ContentType: "text/html", Body: []byte("<p>" + text + "</p>")})
		must(err)
		ids = append(ids, d.ID)
	}
	_, err := st.PutDocument(ctx, storetest.Doc("https://f.example/a", "charges announced, updated"), store.Raw{Body: []byte("v2")})
	must(err)
	must(st.RelinkDuplicates(ctx, ids[2], ids[1], 0.7))
	must(st.DeleteDocument(ctx, ids[2]))
	must(st.ApplyEvents(ctx, store.EventChanges{
		Events: []model.Event{{ID: 1, Title: "Charged", Type: model.TypeCharge, Happened: time.Date(2024, 4, 22, 0, 0, 0, 0, time.UTC),
			Precision: model.PrecisionDay, DocumentIDs: ids[:2], PrimaryDocumentIDs: ids[:1],
			Quotes: []model.Quote{{Text: "no basis", Speaker: "A Spokesperson", DocumentID: ids[1], Start: 5, End: 13, Kind: model.QuoteDirect, Mention: "she"}}}},
		Members: []store.EventMember{{DocumentID: ids[0], EventID: 1, Analysis: []byte("a")}, {DocumentID: ids[1], EventID: 1}},
		Quotes:  map[int64][]model.Quote{ids[1]: {{Text: "no basis", Speaker: "A Spokesperson", Kind: model.QuoteDirect, Start: 5, End: 13}}},
		State:   map[string][]byte{"df": []byte{0, 1}},
		Cursor:  "timeline", From: 0, To: 3,
	}))
	title := "Two men charged"
	must(st.ApplyEvents(ctx, store.EventChanges{Edits: []store.EventEdit{{EventID: 1, Title: &title}}, Pins: map[int64]int64{ids[1]: 1}, PinReason: "merge"}))
	must(st.SetCursor(ctx, "index", 4))
	must(st.SaveSourceHealth(ctx, model.SourceHealth{SourceID: "src", LastError: "HTTP 500", NextDue: time.Unix(1800000000, 0)}))
	must(st.SetValidators(ctx, "https://f.example/feed", store.Validators{ETag: `"e"`}))
	must(st.SaveRobotsTxt(ctx, "https://f.example", store.RobotsTxt{Status: 200, Body: []byte("User-agent: *"), Fetched: time.Unix(1700000000, 0)}))
	_, err = st.ClaimSources(ctx, "w", []string{"src"}, time.Unix(1900000000, 0), time.Unix(1900000060, 0), false, nil)
	must(err)
	sub := model.Subscription{Key: "k", Query: "charged", Webhook: "https://h.example/", Secret: "s", Level: model.LevelArticle}
	must(st.AddSubscription(ctx, &sub))
	_, err = st.RecordMatches(ctx, []store.SubscriptionMatches{{SubscriptionID: sub.ID, Cursor: 4,
		Matches: []store.NewMatch{{DocumentID: ids[0], Seq: 1, Reason: []byte(`{"q":1}`)}, {DocumentID: ids[1], Seq: 2}}}})
	must(err)
	pending, err := st.PendingMatches(ctx)
	must(err)
	d := model.Delivery{SubscriptionID: sub.ID, IdempotencyKey: "key-1", Channel: "webhook", Payload: []byte(`{"n":1}`)}
	must(st.EnqueueDelivery(ctx, &d, []int64{pending[0].ID}, time.Time{}))
	must(st.MarkDelivered(ctx, d.ID, time.Unix(1700000100, 0)))
}

// dump reads everything fill wrote back through the API, as JSON.
func dump(t *testing.T, st store.Backend) string {
	ctx := context.Background()
	var out []any
	add := func(v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	docs, err := st.DocumentsAfter(ctx, 0, 100)
	add(docs, err)
	for _, d := range docs {
		add(st.Document(ctx, d.ID))
		add(st.Versions(ctx, d.ID))
		raw, err := st.RawPage(ctx, d.ID, 1)
		add(raw, err)
		add(st.Duplicates(ctx, d.ID))
	}
	var events []model.Event
	add(nil, st.EachEvent(ctx, store.EventFilter{}, func(e model.Event) error { events = append(events, e); return nil }))
	add(events, nil)
	add(st.EventsAfter(ctx, 0, 100))
	add(st.EventMembers(ctx, 1))
	add(st.DocumentQuotes(ctx, 2))
	add(st.EditedFields(ctx, 1))
	add(st.ClusterState(ctx, "df"))
	add(st.Cursor(ctx, "timeline"))
	add(st.Cursor(ctx, "index"))
	add(st.SourceHealths(ctx))
	add(st.Validators(ctx, "https://f.example/feed"))
	r, ok, err := st.RobotsTxt(ctx, "https://f.example")
	add([]any{r, ok}, err)
	add(st.ClaimSources(ctx, "other", []string{"src"}, time.Unix(1900000001, 0), time.Unix(1900000002, 0), true, nil))
	add(st.Subscriptions(ctx))
	add(st.RecentMatches(ctx, 1, 10))
	add(st.Deliveries(ctx, store.DeliveryFilter{}))
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
