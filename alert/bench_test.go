package alert

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/internal/cputime"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/synth"
)

// benchCorpus stores n synthetic documents and returns them as the store has
// them (IDs and seqs set).
func benchCorpus(b *testing.B, n int) (*store.Store, []model.Document) {
	b.Helper()
	st := openStore(b, b.TempDir())
	ctx := context.Background()
	err := synth.Generate(7, n, func(d model.Document) error {
		_, err := st.PutDocument(ctx, &d, store.Raw{})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	docs, err := st.DocumentsAfter(ctx, 0, n)
	if err != nil {
		b.Fatal(err)
	}
	return st, docs
}

// benchSubs makes count subscriptions with queries drawn from the corpus's
// titles. Specific ones are like the names and phrases analysts subscribe to
// (a phrase from a title: a few matches per pass); broad ones OR and AND
// unrelated mid-frequency words (a few per cent of all documents each).
func benchSubs(docs []model.Document, count int, broad bool) []*model.Subscription {
	long := func(title string) []string {
		var ws []string
		for _, w := range strings.Fields(strings.ToLower(title)) {
			if len(w) >= 6 && strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) < 0 {
				ws = append(ws, w)
			}
		}
		return ws
	}
	var pool []string
	seen := map[string]bool{}
	for _, d := range docs {
		for _, w := range long(d.Title) {
			if !seen[w] {
				seen[w] = true
				pool = append(pool, w)
			}
		}
	}
	var subs []*model.Subscription
	for i := range count {
		a, c := pool[(i*7919)%len(pool)], pool[(i*104729+13)%len(pool)]
		q := a + " " + c
		if !broad {
			// A phrase from a title, like "official secrets": it matches the
			// document it came from, its wire copies and few others.
			for j := i; ; j++ {
				ws := strings.Fields(strings.ToLower(docs[(j*7)%len(docs)].Title))
				if k := (i % 3) + 1; len(ws) > k && len(ws[k-1]) >= 6 && len(ws[k]) >= 6 {
					q = `"` + ws[k-1] + " " + ws[k] + `"`
					break
				}
			}
		}
		switch {
		case broad && i%5 <= 1:
			q = a + " OR " + c
		case broad && i%5 == 2:
			q = a + " -" + c
		}
		s := &model.Subscription{ID: int64(i + 1), Query: q, Level: model.LevelArticle}
		if i%4 == 0 {
			s.Official = true
		}
		subs = append(subs, s)
	}
	return subs
}

// BenchmarkMatch measures matching throughput: documents per second through
// one in-memory batch of 1,000 new documents evaluated against 100 or 1,000
// subscriptions (one Match pass without the store write).
func BenchmarkMatch(b *testing.B) {
	_, docs := benchCorpus(b, 1000)
	for _, c := range []struct {
		subs  int
		broad bool
	}{{100, false}, {1000, false}, {100, true}, {1000, true}} {
		kind := "specific"
		if c.broad {
			kind = "broad"
		}
		b.Run(fmt.Sprintf("%s/subs=%d", kind, c.subs), func(b *testing.B) {
			svc := New(nil, Options{Matcher: IndexMatcher()})
			subs := benchSubs(docs, c.subs, c.broad)
			end := docs[len(docs)-1].Seq
			var matches int
			c0 := cputime.Used()
			for b.Loop() {
				found, err := svc.matchBatch(subs, docs, end, time.Time{})
				if err != nil {
					b.Fatal(err)
				}
				matches = 0
				for _, f := range found {
					matches += len(f.Matches)
				}
			}
			b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "docs/s")
			b.ReportMetric(float64((cputime.Used()-c0).Milliseconds())/float64(b.N), "cpu-ms/pass")
			b.ReportMetric(float64(matches), "matches/pass")
		})
	}
}

// BenchmarkMatchRecord measures a whole Match pass as `run` makes it: 1,000
// new documents against 1,000 broad subscriptions, the matches recorded in
// the store with the advanced cursors.
func BenchmarkMatchRecord(b *testing.B) {
	st, docs := benchCorpus(b, 1000)
	ctx := context.Background()
	svc := New(st, Options{Matcher: IndexMatcher()})
	subs := benchSubs(docs, 1000, true)
	var matches, round int
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		// Fresh subscriptions, then 1,000 documents they have not seen.
		old, _ := st.Subscriptions(ctx)
		for _, o := range old {
			if err := svc.Remove(ctx, o.ID); err != nil {
				b.Fatal(err)
			}
		}
		for _, sub := range subs {
			s := *sub
			s.ID, s.Atom = 0, true
			if _, err := svc.Add(ctx, s, AddOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		round++
		err := synth.Generate(int64(100+round), len(docs), func(d model.Document) error {
			d.URL = strings.Replace(d.URL, ".example/", fmt.Sprintf(".example/r%d/", round), 1)
			d.CanonicalURL = d.URL
			_, err := st.PutDocument(ctx, &d, store.Raw{})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c0 := cputime.Used()
		n, err := svc.Match(ctx)
		if err != nil {
			b.Fatal(err)
		}
		cpu += cputime.Used() - c0
		matches = n
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "docs/s")
	// On a shared machine wall time says more about the neighbours than
	// about the code; CPU time per pass does not.
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/pass")
	b.ReportMetric(float64(matches), "matches/pass")
}

// BenchmarkWebhookDelivery measures the latency of one immediate alert from
// a recorded match to the receiver's acknowledgement being stored: schedule,
// sign, POST over loopback, mark delivered.
func BenchmarkWebhookDelivery(b *testing.B) {
	ctx := context.Background()
	st := openStore(b, b.TempDir())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	svc := New(st, Options{Matcher: IndexMatcher(), AllowPrivate: true}) // receiver on loopback
	sub, err := svc.Add(ctx, model.Subscription{Query: "spy", Webhook: srv.URL}, AddOptions{})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		_, err := st.RecordMatches(ctx, []store.SubscriptionMatches{{SubscriptionID: sub.ID, Cursor: 0,
			Matches: []store.NewMatch{{DocumentID: int64(i), RootID: int64(i), Seq: int64(i), Reason: []byte(`{"title":"x"}`)}}}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if n, err := svc.Deliver(ctx); n != 1 || err != nil {
			b.Fatalf("Deliver = %d, %v", n, err)
		}
	}
}

// BenchmarkMatchTrickle measures the steady state: a pass over the few
// documents a crawl adds (10) against 1,000 subscriptions. Its time is the
// matching part of the delay between a document arriving and its alert.
func BenchmarkMatchTrickle(b *testing.B) {
	_, docs := benchCorpus(b, 1000)
	svc := New(nil, Options{Matcher: IndexMatcher()})
	subs := benchSubs(docs, 1000, false)
	i := 0
	for b.Loop() {
		batch := docs[(i*10)%len(docs):][:10]
		i++
		if _, err := svc.matchBatch(subs, batch, batch[len(batch)-1].Seq, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10*b.N)/b.Elapsed().Seconds(), "docs/s")
}
