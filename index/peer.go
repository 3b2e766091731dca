package index

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/watchline/watchline/model"
)

// DefaultPeer is plain bleve with its default mapping, the yardstick `watchline
// bench` compares the index against: every field dynamic, analysed with the
// standard analyser, stored, with term vectors and doc values, and copied into
// _all. It lives here because only this package may import bleve; nothing in
// watchline uses it for real work.
type DefaultPeer struct {
	bi bleve.Index
}

// OpenDefaultPeer creates a new plain bleve index with the default mapping in
// dir, which must not exist yet.
func OpenDefaultPeer(dir string) (*DefaultPeer, error) {
	bi, err := bleve.New(dir, bleve.NewIndexMapping())
	if err != nil {
		return nil, fmt.Errorf("create default bleve peer %s: %w", dir, err)
	}
	return &DefaultPeer{bi: bi}, nil
}

// Add indexes docs in one bleve batch, with the fields a naive user would
// hand bleve: url, title, text, source, tags, language, official and
// published.
func (p *DefaultPeer) Add(docs []model.Document) error {
	b := p.bi.NewBatch()
	for i := range docs {
		d := &docs[i]
		doc := map[string]any{
			"url":       d.CanonicalURL,
			"title":     d.Title,
			"text":      d.Text,
			"source":    d.SourceID,
			"language":  d.Language,
			"official":  d.Official,
			"published": d.Published.UTC(),
		}
		if len(d.Tags) > 0 {
			doc["tags"] = d.Tags
		}
		if err := b.Index(docID(d.ID), doc); err != nil {
			return fmt.Errorf("default bleve peer: document %d: %w", d.ID, err)
		}
	}
	if err := p.bi.Batch(b); err != nil {
		return fmt.Errorf("default bleve peer: write batch: %w", err)
	}
	return nil
}

// PeerQuery is a query for DefaultPeer, built the way a bleve user would:
// every word must match (Must), at least one of Should (when any), none of
// Not, an exact Phrase, and optional source and published-range filters.
type PeerQuery struct {
	Must, Should, Not []string
	Phrase            string
	Source            string
	From, To          time.Time
	Offset, Size      int
	Facets            bool // count source, tags and published year, as bleve users do
	// Page asks for what a results page shows, the way a bleve user gets it:
	// the stored url, title, source and published fields of every hit and
	// highlighted fragments of its text (bleve's html highlighter).
	Page bool
}

// PeerHit is one hit of DefaultPeer.Search; with PeerQuery.Page its stored
// fields and highlighted fragments are filled in.
type PeerHit struct {
	ID        string
	URL       string
	Title     string
	Source    string
	Published string
	Fragments []string
}

// Search runs q and returns the number of matching documents and one page
// of hits, by relevance: their ids, and with q.Page their fields and
// highlighted text.
func (p *DefaultPeer) Search(ctx context.Context, q PeerQuery) (uint64, []PeerHit, error) {
	var must []query.Query
	for _, w := range q.Must {
		must = append(must, bleve.NewMatchQuery(w))
	}
	if q.Phrase != "" {
		must = append(must, bleve.NewMatchPhraseQuery(q.Phrase))
	}
	if len(q.Should) > 0 {
		var should []query.Query
		for _, w := range q.Should {
			should = append(should, bleve.NewMatchQuery(w))
		}
		must = append(must, bleve.NewDisjunctionQuery(should...))
	}
	if q.Source != "" {
		// The default mapping analyses the source id like text
		// ("coastal-gazette" is two tokens), so a term query would miss.
		sq := bleve.NewMatchPhraseQuery(q.Source)
		sq.SetField("source")
		must = append(must, sq)
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		incl := true
		rq := bleve.NewDateRangeInclusiveQuery(q.From, q.To, &incl, &incl)
		rq.SetField("published")
		must = append(must, rq)
	}
	bq := bleve.NewBooleanQuery()
	if len(must) == 0 {
		bq.AddMust(bleve.NewMatchAllQuery())
	} else {
		bq.AddMust(must...)
	}
	for _, w := range q.Not {
		bq.AddMustNot(bleve.NewMatchQuery(w))
	}
	size := q.Size
	if size <= 0 {
		size = DefaultLimit
	}
	req := bleve.NewSearchRequestOptions(bq, size, q.Offset, false)
	if q.Page {
		req.Fields = []string{"url", "title", "source", "published"}
		req.Highlight = bleve.NewHighlightWithStyle("html")
		req.Highlight.AddField("text")
	}
	if q.Facets {
		req.AddFacet("source", bleve.NewFacetRequest("source", 10))
		req.AddFacet("tags", bleve.NewFacetRequest("tags", 10))
		req.AddFacet("language", bleve.NewFacetRequest("language", 10))
		years := bleve.NewFacetRequest("published", 20)
		for y := 2010; y <= 2030; y++ {
			from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			to := from.AddDate(1, 0, 0)
			years.AddDateTimeRange(fmt.Sprint(y), from, to)
		}
		req.AddFacet("year", years)
	}
	res, err := p.bi.SearchInContext(ctx, req)
	if err != nil {
		return 0, nil, fmt.Errorf("default bleve peer: search: %w", err)
	}
	hits := make([]PeerHit, len(res.Hits))
	for i, h := range res.Hits {
		hits[i] = PeerHit{ID: h.ID}
		if !q.Page {
			continue
		}
		str := func(f string) string { v, _ := h.Fields[f].(string); return v }
		hits[i].URL, hits[i].Title, hits[i].Source, hits[i].Published = str("url"), str("title"), str("source"), str("published")
		hits[i].Fragments = h.Fragments["text"]
	}
	return res.Total, hits, nil
}

// Close closes the peer index.
func (p *DefaultPeer) Close() error { return p.bi.Close() }
