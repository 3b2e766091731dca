package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/internal/cputime"
	"github.com/watchline/watchline/model"
)

// BenchmarkRecordMatches measures the store's part of an alert matching
// pass as alert's BenchmarkMatchRecord makes it: 1,000 broad subscriptions
// matching about 9% of 1,000 new documents each (90,000 matches, a tenth of
// them wire copies folded into their original's match), recorded in ten
// batches of 100 documents with reasons of the size alert writes (matched
// terms, rule, a 240-byte snippet).
func BenchmarkRecordMatches(b *testing.B) {
	ctx := context.Background()
	st, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var subs []int64
	for i := range 1000 {
		sub := &model.Subscription{Query: fmt.Sprintf("word%d other%d", i, i), Level: model.LevelArticle}
		if err := st.AddSubscription(ctx, sub); err != nil {
			b.Fatal(err)
		}
		subs = append(subs, sub.ID)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	snippet := strings.Repeat("the minister said on Tuesday that ", 8)[:240]
	next := int64(0) // documents (and seqs) so far
	var matches int
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		var batches [][]SubscriptionMatches
		for range 10 {
			first := next + 1
			next += 100
			var found []SubscriptionMatches
			for _, sub := range subs {
				f := SubscriptionMatches{SubscriptionID: sub, Cursor: next}
				for doc := first; doc <= next; doc++ {
					if rng.IntN(100) >= 9 {
						continue
					}
					root := doc
					if doc%10 == 0 && doc > first {
						root = doc - 1 - int64(rng.IntN(int(doc-first)))
					}
					reason := fmt.Sprintf(`{"matched_terms":["word%d","other%d"],"rule":"query \"word%d other%d\"","snippet":%q}`,
						sub, sub, sub, sub, snippet)
					f.Matches = append(f.Matches, NewMatch{DocumentID: doc, RootID: root, Seq: doc,
						Published: time.Unix(1_700_000_000+doc*60, 0), Reason: []byte(reason)})
				}
				found = append(found, f)
			}
			batches = append(batches, found)
		}
		b.StartTimer()
		c0 := cputime.Used()
		matches = 0
		for _, found := range batches {
			n, err := st.RecordMatches(ctx, found)
			if err != nil {
				b.Fatal(err)
			}
			matches += n
		}
		cpu += cputime.Used() - c0
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "docs/s")
	// On a shared machine wall time says more about the neighbours than
	// about the code; CPU time per pass does not.
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/pass")
	b.ReportMetric(float64(matches), "matches/pass")
}
