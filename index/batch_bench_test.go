package index

import (
	"fmt"
	"testing"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/synth"
)

// BenchmarkBatchMatch is alert matching: one batch of new documents, many
// saved queries run against it.
func BenchmarkBatchMatch(b *testing.B) {
	var docs []model.Document
	synth.Generate(2, 200, func(d model.Document) error {
		d.ID = int64(len(docs) + 1)
		docs = append(docs, d)
		return nil
	})
	words := []string{"espionage", "embassy", "surveillance", "sanctions", "recruit*", `"national security"`, "leak", "hacking", "parliament", "drone"}
	var qs []*Parsed
	for i := range 100 {
		q := fmt.Sprintf("%s AND (%s OR %s)", words[i%10], words[(i/10)%10], words[(i+3)%10])
		p, err := Parse(q)
		if err != nil {
			b.Fatal(err)
		}
		qs = append(qs, p)
	}
	b.Run("new-batch-200", func(b *testing.B) {
		for b.Loop() {
			bt, err := NewBatch(docs)
			if err != nil {
				b.Fatal(err)
			}
			bt.Close()
		}
	})
	bt, err := NewBatch(docs)
	if err != nil {
		b.Fatal(err)
	}
	defer bt.Close()
	b.Run("match-100-queries", func(b *testing.B) {
		for b.Loop() {
			for _, q := range qs {
				if _, err := bt.Match(q, Request{}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
