package index

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortOldest    = "oldest"
)

const (
	// DefaultLimit is the page size of Search when Request.Limit is 0.
	DefaultLimit = 20
	// MaxLimit caps one Search page; Each streams any number of hits.
	MaxLimit = 1000
	eachPage = 500
)

// Request is one search: a query in the query language (see Parse) and
// filters that every hit must pass.
type Request struct {
	Query    string
	From, To time.Time // published range, inclusive; zero = open

	Sources, Tags, Languages, Types []string // any of each list
	Official                        bool     // only official documents

	Sort          string // "relevance" (default) | "newest" | "oldest"
	Limit, Offset int    // Limit 0: DefaultLimit for Search, everything for Each
	NoCollapse    bool   // keep near-duplicates as separate hits
	Facets        bool   // count source, tag, official, language, year, month
}

// Snippet is a passage of a hit's text around its matches.
type Snippet struct {
	Text    string   `json:"text"`
	Marked  string   `json:"marked"`  // Text with every match as [[match]]
	Offsets [][2]int `json:"offsets"` // byte offsets of matches in Text
}

// Hit is one matching document.
type Hit struct {
	ID         int64     `json:"id"`
	URL        string    `json:"url"`
	Title      string    `json:"title"`
	Source     string    `json:"source"`
	Published  time.Time `json:"published"`
	Official   bool      `json:"official"`
	Language   string    `json:"language"`
	Score      float64   `json:"score"`
	Snippet    Snippet   `json:"snippet"`
	Similar    int       `json:"similar"`               // near-duplicates folded under this hit
	SimilarIDs []int64   `json:"similar_ids,omitempty"` // their ids
	Matched    []string  `json:"matched,omitempty"`     // query terms found in the title or text
}

// FacetValue is one value of a facet and how many matching documents have it.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is one page of a search.
type Result struct {
	Query  string                  `json:"query"`
	Total  uint64                  `json:"total"` // matching documents, before folding near-duplicates
	Took   time.Duration           `json:"-"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetValue `json:"facets,omitempty"`
}

// Facet names, in display order.
var FacetNames = []string{"source", "tag", "official", "language", "year", "month"}

var facetFields = map[string]struct {
	field string
	size  int
}{
	"source":   {fieldSource, 100},
	"tag":      {fieldTags, 50},
	"official": {fieldOfficial, 2},
	"language": {fieldLanguage, 30},
	"year":     {fieldYear, 50},
	"month":    {fieldMonth, 600},
}

// prepared is a request turned into a bleve query.
type prepared struct {
	parsed *Parsed
	q      query.Query
	sort   search.SortOrder
}

func prepare(m mapping.IndexMapping, bi bleve.Index, fams []string, p *Parsed, r Request) (*prepared, error) {
	if r.Limit < 0 || r.Offset < 0 {
		return nil, fmt.Errorf("search: limit and offset must not be negative")
	}
	c := &compiler{m: m, bi: bi, fams: fams, q: p.query}
	q, err := c.compileRoot(p.root)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, &QueryError{Query: p.query, Pos: 1,
			Msg: "the query has only very common words (like \"the\"), which are not indexed; add a more specific word"}
	}
	must := []query.Query{q}
	if !r.From.IsZero() || !r.To.IsZero() {
		if !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From) {
			return nil, fmt.Errorf("search: the end date %s is before the start date %s", r.To.Format(time.DateOnly), r.From.Format(time.DateOnly))
		}
		yes := true
		dq := query.NewDateRangeInclusiveQuery(r.From, r.To, &yes, &yes)
		dq.SetField(fieldPublished)
		must = append(must, dq)
	}
	for _, f := range []struct {
		field string
		vals  []string
	}{{fieldSource, r.Sources}, {fieldTags, r.Tags}, {fieldLanguage, r.Languages}, {fieldType, r.Types}} {
		if len(f.vals) == 0 {
			continue
		}
		var any []query.Query
		for _, v := range f.vals {
			v = strings.ToLower(strings.TrimSpace(v))
			if f.field == fieldLanguage {
				v = langCode(v)
			}
			tq := query.NewTermQuery(v)
			tq.SetField(f.field)
			any = append(any, tq)
		}
		must = append(must, disjunction(any))
	}
	if r.Official {
		bq := query.NewBoolFieldQuery(true)
		bq.SetField(fieldOfficial)
		must = append(must, bq)
	}
	pr := &prepared{parsed: p, q: q}
	if len(must) > 1 {
		pr.q = query.NewConjunctionQuery(must)
	}
	switch r.Sort {
	case "", SortRelevance:
		pr.sort = search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}
	case SortNewest, SortOldest:
		pr.sort = search.SortOrder{
			&search.SortField{Field: fieldPublished, Type: search.SortFieldAsDate, Desc: r.Sort == SortNewest},
			&search.SortDocID{Desc: r.Sort == SortNewest},
		}
	default:
		return nil, fmt.Errorf("search: unknown sort %q: use relevance, newest or oldest", r.Sort)
	}
	return pr, nil
}

func (ix *Index) prepare(p *Parsed, r Request) (*prepared, bleve.Index, func(), error) {
	bi, fams, unlock, err := ix.reader()
	if err != nil {
		return nil, nil, nil, err
	}
	pr, err := prepare(ix.m, bi, fams, p, r)
	if err != nil {
		unlock()
		return nil, nil, nil, err
	}
	return pr, bi, unlock, nil
}

// Search runs r and returns one page of hits, each filled in from the store
// with a snippet, with near-duplicates folded under the first of their group
// unless r.NoCollapse, and facet counts if r.Facets.
func (ix *Index) Search(ctx context.Context, st Store, r Request) (*Result, error) {
	start := time.Now()
	p, err := Parse(r.Query)
	if err != nil {
		return nil, err
	}
	pr, bi, unlock, err := ix.prepare(p, r)
	if err != nil {
		return nil, err
	}
	defer unlock()
	limit := r.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		return nil, fmt.Errorf("search: limit %d is above %d; page with Offset, or stream every hit with Each (--limit 0)", limit, MaxLimit)
	}
	want := r.Offset + limit

	res := &Result{Query: r.Query, Hits: []Hit{}}
	groups := map[int64]int{} // group key → index in shown, -1 when skipped by Offset
	var shown []Hit
	skipped := 0
	// Fetch a little more than a page: folded duplicates take places.
	size := want + want/2 + 10
	var after []string
	first := true
	for {
		req := bleve.NewSearchRequestOptions(pr.q, size, 0, false)
		req.SortByCustom(pr.sort)
		if !r.NoCollapse {
			req.Fields = []string{fieldGroup}
		}
		if after != nil {
			req.SetSearchAfter(after)
		}
		if first && r.Facets {
			for _, name := range FacetNames {
				f := facetFields[name]
				req.AddFacet(name, bleve.NewFacetRequest(f.field, f.size))
			}
		}
		sr, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return nil, searchError(p, err)
		}
		if first {
			res.Total = sr.Total
			if r.Facets {
				res.Facets = facets(sr.Facets)
			}
			first = false
		}
		for _, dm := range sr.Hits {
			id, err := strconv.ParseInt(dm.ID, 10, 64)
			if err != nil {
				continue
			}
			key := id
			if g, ok := dm.Fields[fieldGroup].(float64); ok && g > 0 && !r.NoCollapse {
				key = int64(g)
			}
			if at, ok := groups[key]; ok {
				if at >= 0 {
					shown[at].Similar++
					shown[at].SimilarIDs = append(shown[at].SimilarIDs, id)
				}
				continue
			}
			if skipped < r.Offset {
				skipped++
				groups[key] = -1
				continue
			}
			if len(shown) >= limit {
				// The page is full; only keep folding into it.
				groups[key] = -1
				continue
			}
			d, err := st.Document(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue // the index is ahead of or behind the store; skip
			}
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			if d.Deleted {
				continue
			}
			groups[key] = len(shown)
			shown = append(shown, ix.hit(p, &d, dm.Score))
		}
		if len(sr.Hits) < size || (len(shown) >= limit && r.NoCollapse) {
			break
		}
		if len(shown) >= limit {
			// Folding candidates beyond this window are not looked for:
			// similar counts cover the documents ranked up to the page's end.
			break
		}
		after = sortKey(sr.Hits[len(sr.Hits)-1], pr.sort)
	}
	res.Hits = append(res.Hits, shown...)
	res.Took = time.Since(start)
	return res, nil
}

// Each calls fn for every document r matches (after r.Offset, at most r.Limit
// when it is not 0), in r.Sort order, paging through the index so memory
// stays flat. Near-duplicates are not folded: every match is one hit.
func (ix *Index) Each(ctx context.Context, st Store, r Request, fn func(Hit) error) error {
	p, err := Parse(r.Query)
	if err != nil {
		return err
	}
	n := 0
	return ix.page(ctx, p, r, false, func(dm *search.DocumentMatch, id int64) error {
		d, err := st.Document(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if d.Deleted {
			return nil
		}
		n++
		if n <= r.Offset {
			return nil
		}
		if r.Limit > 0 && n > r.Offset+r.Limit {
			return errStop
		}
		return fn(ix.hit(p, &d, dm.Score))
	})
}

// QueryIDs returns the id of every document query matches, in no particular
// order: what a timeline needs to select a topic's events
// (timeline.MatcherFunc(ix.QueryIDs)).
func (ix *Index) QueryIDs(ctx context.Context, query string) ([]int64, error) {
	return ix.IDs(ctx, Request{Query: query})
}

// IDs returns the id of every document r matches (for timeline topics): in
// r.Sort order when r.Sort, r.Offset or r.Limit is set, otherwise in no
// particular order, which is cheaper (no scoring).
func (ix *Index) IDs(ctx context.Context, r Request) ([]int64, error) {
	p, err := Parse(r.Query)
	if err != nil {
		return nil, err
	}
	var ids []int64
	n := 0
	err = ix.page(ctx, p, r, r.Sort == "" && r.Offset == 0 && r.Limit == 0, func(_ *search.DocumentMatch, id int64) error {
		n++
		if n <= r.Offset {
			return nil
		}
		if r.Limit > 0 && n > r.Offset+r.Limit {
			return errStop
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

var errStop = errors.New("stop")

// page runs r page by page with search-after, calling fn for every match.
// Unordered skips scoring and walks in id order (for IDs, which only needs
// the set).
func (ix *Index) page(ctx context.Context, p *Parsed, r Request, unordered bool, fn func(*search.DocumentMatch, int64) error) error {
	pr, bi, unlock, err := ix.prepare(p, r)
	if err != nil {
		return err
	}
	defer unlock()
	if unordered {
		pr.sort = search.SortOrder{&search.SortDocID{}}
	}
	var after []string
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		req := bleve.NewSearchRequestOptions(pr.q, eachPage, 0, false)
		req.SortByCustom(pr.sort)
		if unordered {
			req.Score = "none"
		}
		if after != nil {
			req.SetSearchAfter(after)
		}
		sr, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return searchError(p, err)
		}
		for _, dm := range sr.Hits {
			id, err := strconv.ParseInt(dm.ID, 10, 64)
			if err != nil {
				continue
			}
			if err := fn(dm, id); err != nil {
				if errors.Is(err, errStop) {
					return nil
				}
				return err
			}
		}
		if len(sr.Hits) < eachPage {
			return nil
		}
		after = sortKey(sr.Hits[len(sr.Hits)-1], pr.sort)
	}
}

// sortKey is the search-after key of a hit for sort order so.
func sortKey(dm *search.DocumentMatch, so search.SortOrder) []string {
	key := make([]string, len(so))
	for i, s := range so {
		switch s.(type) {
		case *search.SortScore:
			key[i] = strconv.FormatFloat(dm.Score, 'g', -1, 64)
		case *search.SortDocID:
			key[i] = dm.ID
		default:
			if i < len(dm.DecodedSort) {
				key[i] = dm.DecodedSort[i]
			} else if i < len(dm.Sort) {
				key[i] = dm.Sort[i]
			}
		}
	}
	return key
}

func searchError(p *Parsed, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("search %q: %w", p.query, err)
}

func (ix *Index) hit(p *Parsed, d *model.Document, score float64) Hit {
	return makeHit(ix.m, p, d, score)
}

func makeHit(m mapping.IndexMapping, p *Parsed, d *model.Document, score float64) Hit {
	sn, matched := snippet(m, p, d)
	return newHit(d, score, sn, matched)
}

// newHit is the hit for d with its score, snippet and matched terms.
func newHit(d *model.Document, score float64, sn Snippet, matched []string) Hit {
	return Hit{
		ID:        d.ID,
		URL:       d.CanonicalURL,
		Title:     d.Title,
		Source:    d.SourceID,
		Published: d.Published,
		Official:  d.Official,
		Language:  d.Language,
		Score:     score,
		Snippet:   sn,
		Matched:   matched,
	}
}

func facets(fr search.FacetResults) map[string][]FacetValue {
	out := map[string][]FacetValue{}
	for _, name := range FacetNames {
		r, ok := fr[name]
		if !ok || r == nil {
			continue
		}
		vals := []FacetValue{}
		if r.Terms != nil {
			for _, t := range r.Terms.Terms() {
				v := t.Term
				if name == "official" {
					v = map[string]string{"T": "true", "F": "false"}[v]
				}
				vals = append(vals, FacetValue{Value: v, Count: t.Count})
			}
		}
		if name == "year" || name == "month" {
			sort.Slice(vals, func(i, j int) bool { return vals[i].Value < vals[j].Value })
		}
		out[name] = vals
	}
	return out
}
