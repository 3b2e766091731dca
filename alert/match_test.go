package alert

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

func TestAddValidates(t *testing.T) {
	st := openStore(t, t.TempDir())
	svc := newService(st, newClock(t0), Options{})
	ok := model.Subscription{Query: "china spy", Webhook: "https://example.org/hook"}
	tests := []struct {
		name string
		mod  func(*model.Subscription)
		want string // substring of the error; "" = no error
	}{
		{"valid", func(*model.Subscription) {}, ""},
		{"empty query", func(s *model.Subscription) { s.Query = " " }, "missing query"},
		{"bad query", func(s *model.Subscription) { s.Query = `"china spy` }, "unbalanced quote"},
		{"query of stop words", func(s *model.Subscription) { s.Query = `"the of"` }, "common words"},
		{"no channel", func(s *model.Subscription) { s.Webhook = "" }, "exactly one channel"},
		{"two channels", func(s *model.Subscription) { s.Email = "a@example.org" }, "exactly one channel"},
		{"bad webhook", func(s *model.Subscription) { s.Webhook = "ftp://example.org" }, "not an http(s) URL"},
		{"bad email", func(s *model.Subscription) { s.Webhook, s.Email = "", "not-an-address" }, "not an e-mail address"},
		{"bad level", func(s *model.Subscription) { s.Level = "story" }, "unknown level"},
		{"bad digest", func(s *model.Subscription) { s.Digest = "monthly" }, "not a schedule"},
		{"bad zone", func(s *model.Subscription) { s.Digest, s.TimeZone = "daily", "Europe/Atlantis" }, "time zone"},
		{"bad type", func(s *model.Subscription) { s.Types = []model.EventType{"riot"} }, "unknown event type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := ok
			tt.mod(&sub)
			got, err := svc.Add(context.Background(), sub, AddOptions{})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Add: %v", err)
			case tt.want == "" && (got.ID == 0 || len(got.Secret) != 64 || got.Level != model.LevelArticle):
				t.Errorf("Add = id %d, secret %q, level %q; want an id, a 64-hex secret and level article", got.ID, got.Secret, got.Level)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Add error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func pendingBySub(t *testing.T, st *store.Store) map[int64][]store.AlertMatch {
	t.Helper()
	ms, err := st.PendingMatches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]store.AlertMatch{}
	for _, m := range ms {
		out[m.SubscriptionID] = append(out[m.SubscriptionID], m)
	}
	return out
}

func TestMatchNewRangeFiltersAndWireCopies(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	svc := newService(st, newClock(t0), Options{BatchSize: 2}) // several batches per pass
	old := putDoc(t, st, "https://a.example/old", "wire", "China spy case opens", "An old story about the china spy case.")

	all, err := svc.Add(ctx, model.Subscription{Query: "china spy", Webhook: "https://example.org/h"}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	official, err := svc.Add(ctx, model.Subscription{Query: "china spy", Official: true, Sources: []string{"cps"},
		Webhook: "https://example.org/h"}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if all.StartSeq != old.Seq {
		t.Fatalf("StartSeq = %d, want the newest seq %d (start from now)", all.StartSeq, old.Seq)
	}

	orig := putDoc(t, st, "https://a.example/1", "wire", "China spy case dropped", "Prosecutors dropped the china spy case.")
	putDoc(t, st, "https://b.example/1", "paper", "China spy case dropped", "Prosecutors dropped the china spy case (copy).",
		func(d *model.Document) { d.DuplicateOf = orig.ID })
	putDoc(t, st, "https://c.example/1", "paper", "Weather", "Rain in London.")
	cps := putDoc(t, st, "https://cps.example/1", "cps", "Statement on the China spy case", "Our statement on the china spy case.",
		func(d *model.Document) { d.Official = true })
	putDoc(t, st, "https://d.example/1", "wire", "Another China spy story", "A second china spy report.",
		func(d *model.Document) { d.Deleted = false })

	n, err := svc.Match(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 { // all: orig, cps, another; official: cps
		t.Errorf("Match = %d new, want 4", n)
	}
	p := pendingBySub(t, st)
	var got []int64
	for _, m := range p[all.ID] {
		got = append(got, m.DocumentID)
		if m.DocumentID == orig.ID && len(m.Similar) != 1 {
			t.Errorf("wire copy not folded into match of %d: similar = %v", orig.ID, m.Similar)
		}
		if m.DocumentID == old.ID {
			t.Errorf("document from before the subscription matched")
		}
	}
	if len(got) != 3 {
		t.Errorf("subscription 'all' matched documents %v, want 3 (original, cps, another; no copy, no old doc)", got)
	}
	if len(p[official.ID]) != 1 || p[official.ID][0].DocumentID != cps.ID {
		t.Fatalf("official subscription matched %+v, want only document %d", p[official.ID], cps.ID)
	}
	// The recorded reason is why it matched; the item delivered adds what
	// the document says.
	it := itemsOf(ctx, st, p[official.ID][:1])[0]
	if !strings.Contains(it.Rule, "official source") || !strings.Contains(it.Rule, "source cps in [cps]") ||
		len(it.Terms) != 2 || it.URL != cps.CanonicalURL || it.Title != cps.Title || !it.Official {
		t.Errorf("item = %+v; want the rule to name the query, source and official filters, terms, URL and title", it)
	}

	// A second pass sees nothing new; a new version of a matched document and
	// a late wire copy do not alert again.
	if n, err := svc.Match(ctx); err != nil || n != 0 {
		t.Errorf("second Match = %d, %v; want 0", n, err)
	}
	upd := orig
	upd.Text += " Updated."
	upd.ContentHash = "changed"
	if _, err := st.PutDocument(ctx, &upd, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	putDoc(t, st, "https://e.example/1", "other", "China spy case dropped", "The china spy case was dropped (copy 2).",
		func(d *model.Document) { d.DuplicateOf = orig.ID })
	if n, err := svc.Match(ctx); err != nil || n != 0 {
		t.Errorf("Match after update and copy = %d, %v; want 0", n, err)
	}
	for _, m := range pendingBySub(t, st)[all.ID] {
		if m.DocumentID == orig.ID && len(m.Similar) != 2 {
			t.Errorf("similar = %v, want two copies", m.Similar)
		}
	}
}

func TestBackfillAndTest(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	c := newClock(t0)
	svc := newService(st, c, Options{})
	recent := putDoc(t, st, "https://a.example/recent", "wire", "MI5 warns about LinkedIn", "MI5 says recruiters on linkedin target officials.",
		func(d *model.Document) { d.Published = t0.Add(-48 * time.Hour) })
	putDoc(t, st, "https://a.example/old", "wire", "MI5 LinkedIn warning, 2023", "An older mi5 linkedin alert.",
		func(d *model.Document) { d.Published = t0.AddDate(0, 0, -30) })
	putDoc(t, st, "https://b.example/copy", "paper", "MI5 warns about LinkedIn", "MI5 says recruiters on linkedin target officials (copy).",
		func(d *model.Document) { d.Published = t0.Add(-47 * time.Hour); d.DuplicateOf = recent.ID })

	sub := model.Subscription{Query: "mi5 linkedin", Atom: true}
	items, err := svc.Test(ctx, sub, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].DocumentID != recent.ID || items[0].Similar != 1 {
		t.Errorf("Test over 7 days = %+v, want only document %d with 1 similar", items, recent.ID)
	}
	if d, _ := st.Deliveries(ctx, store.DeliveryFilter{}); len(d) != 0 {
		t.Errorf("Test scheduled %d deliveries, want none", len(d))
	}

	got, err := svc.Add(ctx, sub, AddOptions{Backfill: 7 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	p := pendingBySub(t, st)[got.ID]
	if len(p) != 1 || p[0].DocumentID != recent.ID || len(p[0].Similar) != 1 {
		t.Errorf("backfill recorded %+v, want document %d with its copy folded", p, recent.ID)
	}
}

// TestReasonEncoding checks that a match's reason is written exactly as
// json.Marshal writes it, whatever its strings hold.
func TestReasonEncoding(t *testing.T) {
	strs := []string{"", "spy", `query: "official secrets"`, `back\slash`, "a < b && c > d", "line\nbreak\ttab\r",
		"\x7f del", "caf\u00e9 \u201cquoted\u201d …", "sep\u2028arator\u2029", "bad \xff utf-8", "bell \x07", `"`, `\`,
		"日本語のテキスト", "emoji 🛰️"}
	for i, s := range strs {
		for _, r := range []matchReason{
			{Terms: []string{s}, Rule: s, Snippet: s},
			{Rule: s, Version: i},
			{Terms: []string{}, Rule: "query: x", Snippet: s, Version: -i},
			{Terms: []string{s, strs[(i+1)%len(strs)]}, Rule: strs[(i+2)%len(strs)]},
		} {
			want, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.encode(); string(got) != string(want) {
				t.Errorf("encode(%#v) = %s, want %s", r, got, want)
			}
		}
	}
}
