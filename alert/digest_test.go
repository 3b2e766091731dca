package alert

import (
	"bytes"
	"context"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// A daily 08:00 Europe/London digest goes out at 08:00Z before the spring
// change (2026-03-29) and 07:00Z after it, once a day, and only when there is
// something to send.
func TestDigestAcrossDST(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	c := newClock(time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC))
	svc := newService(st, c, Options{AllowPrivate: true}) // the receiver is on loopback
	rc := &receiver{t: t}
	srv := newTestServer(t, rc)
	sub, err := svc.Add(ctx, model.Subscription{Query: "china spy", Webhook: srv, Digest: "daily@08:00", TimeZone: "Europe/London"}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rc.secret = func() string { return sub.Secret }
	if want := time.Date(2026, 3, 28, 8, 0, 0, 0, time.UTC); !sub.NextDigest.Equal(want) {
		t.Fatalf("first digest due %v, want %v", sub.NextDigest, want)
	}

	steps := []struct {
		at       string
		newDoc   bool
		sent     int // receiver's total after this step
		nextWant string
	}{
		{"2026-03-27T18:00:00Z", true, 0, "2026-03-28T08:00:00Z"},
		{"2026-03-28T07:59:00Z", false, 0, "2026-03-28T08:00:00Z"},
		{"2026-03-28T08:00:00Z", false, 1, "2026-03-29T07:00:00Z"}, // GMT digest; next one is BST
		{"2026-03-28T20:00:00Z", true, 1, "2026-03-29T07:00:00Z"},
		{"2026-03-29T06:59:00Z", false, 1, "2026-03-29T07:00:00Z"},
		{"2026-03-29T07:00:00Z", false, 2, "2026-03-30T07:00:00Z"},
		{"2026-03-30T07:00:00Z", false, 2, "2026-03-31T07:00:00Z"}, // nothing new: no empty digest
	}
	for i, s := range steps {
		at, _ := time.Parse(time.RFC3339, s.at)
		c.Set(at)
		if s.newDoc {
			putDoc(t, st, "https://a.example/"+s.at, "wire", "China spy news", "More on the china spy case.")
			if _, err := svc.Match(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
		got, _ := st.Subscription(ctx, sub.ID)
		if len(rc.keys) != s.sent || got.NextDigest.UTC().Format(time.RFC3339) != s.nextWant {
			t.Errorf("step %d at %s: %d digests sent, next due %s; want %d and %s", i, s.at, len(rc.keys),
				got.NextDigest.UTC().Format(time.RFC3339), s.sent, s.nextWant)
		}
	}
	for i, b := range rc.bodies {
		if !bytes.Contains(b, []byte(`"digest":true`)) || !bytes.Contains(b, []byte(`"schedule":"daily@08:00"`)) {
			t.Errorf("digest %d body = %s", i, b)
		}
	}
}

func TestAtomFeed(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	svc := newService(st, newClock(t0), Options{})
	sub, err := svc.Add(ctx, model.Subscription{Name: "MI5 & LinkedIn", Query: "mi5 linkedin", Atom: true}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	orig := putDoc(t, st, "https://a.example/1?x=1&y=2", "wire", "MI5 warns of <fake> recruiters", "mi5 says linkedin profiles are used.")
	putDoc(t, st, "https://b.example/1", "paper", "MI5 warns of fake recruiters", "mi5 says linkedin profiles are used (copy).",
		func(d *model.Document) { d.DuplicateOf = orig.ID })
	svc.Match(ctx)
	if n, err := svc.Deliver(ctx); n != 1 || err != nil {
		t.Fatalf("Deliver = %d, %v; want the file written", n, err)
	}
	var buf bytes.Buffer
	if err := WriteAtom(ctx, st, sub.ID, &buf); err != nil {
		t.Fatal(err)
	}
	var f struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"id"`
		Title   string   `xml:"title"`
		Updated string   `xml:"updated"`
		Author  string   `xml:"author>name"`
		Entries []struct {
			ID      string `xml:"id"`
			Title   string `xml:"title"`
			Updated string `xml:"updated"`
			Link    struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Summary string `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatalf("feed is not well-formed Atom: %v\n%s", err, buf.String())
	}
	if f.ID == "" || f.Title != "watchline: MI5 & LinkedIn" || f.Author != "watchline" {
		t.Errorf("feed id %q title %q author %q", f.ID, f.Title, f.Author)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Errorf("feed updated %q is not RFC 3339", f.Updated)
	}
	if len(f.Entries) != 1 {
		t.Fatalf("feed has %d entries, want 1 (the copy is folded in)", len(f.Entries))
	}
	e := f.Entries[0]
	if !strings.HasPrefix(e.ID, f.ID) || e.Title != "MI5 warns of <fake> recruiters" || e.Link.Href != "https://a.example/1?x=1&y=2" ||
		!strings.Contains(e.Summary, "+1 similar") || !strings.Contains(e.Summary, "why: query") {
		t.Errorf("entry = %+v", e)
	}
	file, err := readFile(AtomPath(st.Dir(), sub.ID))
	if err != nil || file != buf.String() {
		t.Errorf("atom file differs from WriteAtom (err %v)", err)
	}
	if _, err := svc.Deliveries(ctx, false); err != nil {
		t.Fatal(err)
	}
	ds, _ := st.Deliveries(ctx, store.DeliveryFilter{})
	if len(ds) != 1 || ds[0].State != model.DeliveryDelivered || ds[0].Channel != ChannelAtom {
		t.Errorf("deliveries = %+v", ds)
	}
}

// TestAtomEditedStatement: a statement matched only after it was edited is
// marked as an update of an earlier publication, and the entry says why it
// matched with the query as typed.
func TestAtomEditedStatement(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	svc := newService(st, newClock(t0), Options{})
	putDoc(t, st, "https://cps.example/statement", "cps", "Statement on the case", "The case is closed.",
		func(d *model.Document) { d.Official = true })
	sub, err := svc.Add(ctx, model.Subscription{Query: `"further evidence" OR review`, Atom: true}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	putDoc(t, st, "https://cps.example/statement", "cps", "Statement on the case",
		"The case is closed after months of trying to obtain further evidence.", func(d *model.Document) { d.Official = true })
	if n, err := svc.Match(ctx); n != 1 || err != nil {
		t.Fatalf("Match = %d, %v; want the edited text matched once", n, err)
	}
	var buf bytes.Buffer
	if err := WriteAtom(ctx, st, sub.ID, &buf); err != nil {
		t.Fatal(err)
	}
	var f struct {
		Entries []struct {
			Title      string `xml:"title"`
			Summary    string `xml:"summary"`
			Categories []struct {
				Term string `xml:"term,attr"`
			} `xml:"category"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &f); err != nil || len(f.Entries) != 1 {
		t.Fatalf("feed: %v, %d entries\n%s", err, len(f.Entries), buf.String())
	}
	e := f.Entries[0]
	var terms []string
	for _, c := range e.Categories {
		terms = append(terms, c.Term)
	}
	if !strings.HasPrefix(e.Title, "Updated: ") || !strings.Contains(e.Summary, "version 2") || !slices.Contains(terms, "updated") {
		t.Errorf("edited statement entry = %+v; want it marked as an update (title, summary, category)", e)
	}
	if !strings.Contains(e.Summary, `query: "further evidence" OR review`) || strings.Contains(e.Summary, `\"`) {
		t.Errorf("summary %q; want the query as typed, without backslashes", e.Summary)
	}
}
