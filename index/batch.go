package index

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/watchline/watchline/model"
)

// Batch is a small in-memory index of new documents, with the same mapping
// as the index on disk, for running many saved queries (alerts) against just
// those documents.
type Batch struct {
	m    *mapping.IndexMappingImpl
	bi   bleve.Index
	fams []string
	docs map[int64]*model.Document
}

// NewBatch indexes docs in memory. Each document needs its store ID; deleted
// ones are skipped.
func NewBatch(docs []model.Document) (*Batch, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("batch index: %w", err)
	}
	// Scorch with no path keeps its segments in memory: much faster to build
	// and search than bleve.NewMemOnly (upsidedown over an in-memory KV store).
	bi, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("batch index: %w", err)
	}
	b := &Batch{m: m, bi: bi, docs: make(map[int64]*model.Document, len(docs))}
	have := map[string]bool{}
	bb := bi.NewBatch()
	for i := range docs {
		d := &docs[i]
		if d.Deleted {
			continue
		}
		if d.ID == 0 {
			bi.Close()
			return nil, errors.New("batch index: a document has no ID; store it first")
		}
		b.docs[d.ID] = d
		if err := bb.Index(docID(d.ID), indexable(d)); err != nil {
			bi.Close()
			return nil, fmt.Errorf("batch index: document %d: %w", d.ID, err)
		}
		have[familyOf(d.Language)] = true
	}
	if err := bi.Batch(bb); err != nil {
		bi.Close()
		return nil, fmt.Errorf("batch index: %w", err)
	}
	for _, f := range families {
		if have[f.name] {
			b.fams = append(b.fams, f.name)
		}
	}
	if len(b.fams) == 0 {
		b.fams = []string{"en"}
	}
	return b, nil
}

// Match returns the batch's documents that q (with r's filters; r.Query is
// ignored) matches, in r.Sort order, each with its snippet and matched terms.
// Near-duplicates are not folded.
func (b *Batch) Match(q *Parsed, r Request) ([]Hit, error) {
	if q == nil {
		return nil, errors.New("match: no query")
	}
	r.Limit, r.Offset = 0, 0
	pr, err := prepare(b.m, b.bi, b.fams, q, r)
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(pr.q, len(b.docs)+1, 0, false)
	req.SortByCustom(pr.sort)
	sr, err := b.bi.Search(req)
	if err != nil {
		return nil, fmt.Errorf("match %q: %w", q.query, err)
	}
	hits := make([]Hit, 0, len(sr.Hits))
	for _, dm := range sr.Hits {
		id, err := strconv.ParseInt(dm.ID, 10, 64)
		if err != nil {
			continue
		}
		if d, ok := b.docs[id]; ok {
			hits = append(hits, makeHit(b.m, q, d, dm.Score))
		}
	}
	return hits, nil
}

// Close frees the batch's index.
func (b *Batch) Close() error { return b.bi.Close() }
