package alert

import (
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
)

// IndexMatcher is the Matcher of watchline's query language: queries are
// parsed by index.Parse (the language of `watchline search`) and run against
// an in-memory index.Batch of the new documents, with the same analysis as
// the archive's index. Filters are applied by this package, so the rule that
// admitted each match can be reported.
func IndexMatcher() Matcher { return indexMatcher{} }

type indexMatcher struct{}

func (indexMatcher) Compile(q string) (Query, error) {
	p, err := index.Parse(q)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (indexMatcher) NewBatch(docs []model.Document) (Batch, error) {
	b, err := index.NewBatch(docs)
	if err != nil {
		return nil, err
	}
	return indexBatch{b}, nil
}

type indexBatch struct{ b *index.Batch }

func (b indexBatch) Match(q Query, f Filters) ([]Hit, error) {
	hits, err := b.b.Match(q.(*index.Parsed), index.Request{Sources: f.Sources, Tags: f.Tags, Official: f.Official})
	if err != nil {
		return nil, err
	}
	out := make([]Hit, len(hits))
	for i, h := range hits {
		out[i] = Hit{DocumentID: h.ID, Terms: h.Matched, Snippet: h.Snippet.Text}
	}
	return out, nil
}

func (b indexBatch) Close() error { return b.b.Close() }
