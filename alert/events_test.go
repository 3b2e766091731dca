package alert

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Event-level subscriptions alert on a new matching event and on its real
// developments (a new type, a first official statement), never on wire copies
// joining it or on the clusterer re-making it.
func TestEventLevelDevelopments(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	svc := newService(st, newClock(t0), Options{})
	all, err := svc.Add(ctx, model.Subscription{Query: "china spy", Level: model.LevelEvent, Atom: true}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dropped, err := svc.Add(ctx, model.Subscription{Query: "china spy", Level: model.LevelEvent, Atom: true,
		Types: []model.EventType{model.TypeDiscontinued}}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := putDoc(t, st, "https://wire.example/1", "wire", "Two charged in China spy case", "Two men were charged in the china spy case.")
	b := putDoc(t, st, "https://paper.example/1", "paper", "Two charged in China spy case", "Two men were charged in the china spy case (copy).",
		func(d *model.Document) { d.DuplicateOf = a.ID })
	c := putDoc(t, st, "https://cps.example/1", "cps", "CPS statement on the China spy case", "The CPS on the china spy case.",
		func(d *model.Document) { d.Official = true })
	w := putDoc(t, st, "https://paper.example/2", "paper", "Storm warning", "Heavy rain is expected.")

	ev := func(id int64, typ model.EventType, docs []int64, primary ...int64) model.Event {
		return model.Event{ID: id, Title: "Charges in the China spy case", Type: typ, DocumentIDs: docs, PrimaryDocumentIDs: primary,
			FirstDocumentID: docs[0]}
	}
	steps := []struct {
		name       string
		ch         store.EventChanges
		all, typed []string // developments alerted in this step
	}{
		{"new event", store.EventChanges{Events: []model.Event{ev(1, model.TypeCharge, []int64{a.ID})}}, []string{"new"}, nil},
		{"wire copy joins", store.EventChanges{Events: []model.Event{ev(1, model.TypeCharge, []int64{a.ID, b.ID})}}, nil, nil},
		{"official statement", store.EventChanges{Events: []model.Event{ev(1, model.TypeCharge, []int64{a.ID, b.ID, c.ID}, c.ID)}},
			[]string{"official"}, nil},
		{"same again", store.EventChanges{Events: []model.Event{ev(1, model.TypeCharge, []int64{a.ID, b.ID, c.ID}, c.ID)}}, nil, nil},
		{"case dropped", store.EventChanges{Events: []model.Event{ev(1, model.TypeDiscontinued, []int64{a.ID, b.ID, c.ID}, c.ID)}},
			[]string{"type:discontinued"}, []string{"new"}},
		{"re-clustered under a new id", store.EventChanges{Gone: map[int64]int64{1: 0},
			Events: []model.Event{ev(7, model.TypeDiscontinued, []int64{a.ID, b.ID, c.ID}, c.ID)}}, nil, nil},
		{"unrelated event", store.EventChanges{Events: []model.Event{{ID: 8, Title: "Storm", Type: model.TypeWarning, DocumentIDs: []int64{w.ID}}}},
			nil, nil},
	}
	seen := map[int64]int{}
	for _, s := range steps {
		if err := st.ApplyEvents(ctx, s.ch); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if _, err := svc.Match(ctx); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		for _, c := range []struct {
			sub  int64
			want []string
		}{{all.ID, s.all}, {dropped.ID, s.typed}} {
			ms, err := st.RecentMatches(ctx, c.sub, 100)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms[:len(ms)-seen[c.sub]] { // newest first: the ones this step added
				var it Item
				json.Unmarshal(m.Reason, &it)
				dev := it.Development
				if dev == "type" {
					dev += ":" + it.EventType
				}
				got = append(got, dev)
			}
			seen[c.sub] = len(ms)
			if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
				t.Errorf("%s: subscription %d alerted %v, want %v", s.name, c.sub, got, c.want)
			}
		}
	}
	ms, _ := st.RecentMatches(ctx, all.ID, 100)
	var it Item
	json.Unmarshal(ms[1].Reason, &it) // the official statement
	if it.URL != c.CanonicalURL || !it.Official || it.EventID != 1 {
		t.Errorf("official development = %+v; want it to point at the CPS statement", it)
	}
}
