package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/synth"
	"github.com/watchline/watchline/timeline"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// write stores n synthetic documents from seed in batches, as an import does.
func write(t *testing.T, st *store.Store, seed int64, n int) {
	t.Helper()
	var puts []store.Put
	flush := func() {
		if err := st.PutDocuments(context.Background(), puts); err != nil {
			t.Fatal(err)
		}
		puts = nil
	}
	err := synth.Generate(seed, n, func(d model.Document) error {
		d.URL = strings.Replace(d.URL, ".example/", fmt.Sprintf(".example/%d/", seed), 1)
		d.CanonicalURL = d.URL
		puts = append(puts, store.Put{Doc: &d})
		if len(puts) == 50 {
			flush()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	flush()
}

// caughtUp checks that the index, the clusterer and every article-level
// subscription have applied the whole log.
func caughtUp(t *testing.T, p *Pipeline, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	maxSeq, err := st.MaxSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cur, _ := p.Index().Cursor(); cur != maxSeq {
		t.Errorf("index cursor %d, log ends at %d", cur, maxSeq)
	}
	docs, _ := st.CountDocuments(ctx, store.DocFilter{})
	if n, _ := p.Index().DocCount(); int64(n) != docs {
		t.Errorf("index holds %d documents, the store %d", n, docs)
	}
	if p.cl != nil {
		if cur, _ := st.Cursor(ctx, timeline.CursorName); cur != maxSeq {
			t.Errorf("clusterer cursor %d, log ends at %d", cur, maxSeq)
		}
	}
	subs, err := st.Subscriptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if s.Level == model.LevelArticle && s.Cursor != maxSeq {
			t.Errorf("subscription %q cursor %d, log ends at %d", s.Query, s.Cursor, maxSeq)
		}
	}
}

// TestRunKeepsUpWithAWriter stores documents in batches while Run runs
// every consumer, and checks that after WaitIdle each has applied the whole
// log: the index holds every document, the clusterer and the subscriptions
// are at the end, and the subscription matched what alert.Test says it
// should.
func TestRunKeepsUpWithAWriter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := openStore(t)
	write(t, st, 1, 40) // before the pipeline opens: Open syncs the index
	p, err := Open(ctx, Options{Store: st, Events: true, Alerts: true, Tick: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sub, err := p.Alerts().Add(ctx, model.Subscription{Query: "minister OR ministry", Atom: true}, alert.AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- p.Run(ctx) }()
	for round := range 4 {
		write(t, st, int64(10+round), 60)
		p.Notify()
	}
	if err := p.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, p, st)
	matches, err := st.RecentMatches(ctx, sub.ID, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) == 0 {
		t.Error("the subscription matched nothing")
	}
	for _, s := range p.Stats() {
		if s.Name == "index" && s.Applied < 240 {
			t.Errorf("index applied %d documents while running, want the 240 written", s.Applied)
		}
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("run: %v", err)
	}
}

// TestRunTailsAnotherWriter writes through a second store handle (another
// process, as far as the pipeline can tell) without telling the pipeline:
// the tick must find the documents.
func TestRunTailsAnotherWriter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := openStore(t)
	p, err := Open(ctx, Options{Store: st, Tick: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	go p.Run(ctx)
	other, err := store.Open(ctx, st.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	write(t, other, 2, 30)
	deadline := time.Now().Add(20 * time.Second)
	for n, _ := p.Index().DocCount(); n != 30; n, _ = p.Index().DocCount() {
		if time.Now().After(deadline) {
			t.Fatalf("the index holds %d of the 30 documents another writer stored", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCatchUp brings every consumer up to date in order, and a second pass
// applies nothing.
func TestCatchUp(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	p, err := Open(ctx, Options{Store: st, Events: true, Alerts: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Alerts().Add(ctx, model.Subscription{Query: "minister", Atom: true}, alert.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	write(t, st, 3, 80)
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, p, st)
	before := p.totalApplied()
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if after := p.totalApplied(); after != before {
		t.Errorf("a second catch-up applied %d more", after-before)
	}
}

// TestPanickingStageFailsItsPass: a consumer that panics fails that pass
// with the panic in its error; the pipeline, and the process, go on.
func TestPanickingStageFailsItsPass(t *testing.T) {
	ctx := context.Background()
	p, err := Open(ctx, Options{Store: openStore(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s := &stage{name: "poison", pass: func(context.Context) (int, error) {
		var words []string
		return len(words[:1][0]), nil // an index out of range, as a rule's bad offset would be
	}}
	n, err := p.runPass(ctx, s)
	if n != 0 || err == nil || !strings.Contains(err.Error(), "panic: runtime error") {
		t.Fatalf("runPass = %d, %v; want 0 and the panic as an error", n, err)
	}
}

// TestLeadWaitsForTheLeader: a command sharing its store with a node that
// clusters (serve or run holding the leader lease) must not cluster beside
// it: Lead runs nothing while another node holds the lease, and otherwise
// runs with the lease held and gives it back after.
func TestLeadWaitsForTheLeader(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	write(t, st, 5, 30)
	now := time.Now()
	if ok, err := st.AcquireLease(ctx, LeaderLease, "serving-node", now, now.Add(time.Hour)); err != nil || !ok {
		t.Fatalf("take the lease for the serving node: %v, %v", ok, err)
	}
	catchUp := func(ctx context.Context) error { _, err := CatchUpEvents(ctx, st); return err }
	led, err := Lead(ctx, st, 15*time.Second, catchUp)
	if err != nil || led {
		t.Fatalf("Lead while another node leads = %v, %v; want false, nil", led, err)
	}
	if cur, _ := st.Cursor(ctx, timeline.CursorName); cur != 0 {
		t.Errorf("the clusterer ran (cursor %d) while another node held the leader lease", cur)
	}

	if err := st.ReleaseLease(ctx, LeaderLease, "serving-node"); err != nil {
		t.Fatal(err)
	}
	var heldInside bool
	led, err = Lead(ctx, st, 15*time.Second, func(ctx context.Context) error {
		now := time.Now()
		ok, err := st.AcquireLease(ctx, LeaderLease, "serving-node", now, now.Add(time.Hour))
		heldInside = !ok
		if err != nil {
			return err
		}
		return catchUp(ctx)
	})
	if err != nil || !led {
		t.Fatalf("Lead with the lease free = %v, %v; want true, nil", led, err)
	}
	if !heldInside {
		t.Errorf("another node could take the leader lease while Lead ran")
	}
	maxSeq, _ := st.MaxSeq(ctx)
	if cur, _ := st.Cursor(ctx, timeline.CursorName); cur != maxSeq {
		t.Errorf("after Lead the clusterer is at %d, the store at %d", cur, maxSeq)
	}
	now = time.Now()
	if ok, err := st.AcquireLease(ctx, LeaderLease, "serving-node", now, now.Add(time.Hour)); err != nil || !ok {
		t.Errorf("Lead did not give the lease back: another node cannot take it (%v, %v)", ok, err)
	}
}
