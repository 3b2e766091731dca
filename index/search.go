package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/watchline/watchline/model"
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

// facetFields are the index fields behind the facets. Years are not
// counted by the index: they are the months added up (a century of months
// fits in the month facet), which saves visiting every hit once more.
var facetFields = map[string]struct {
	field string
	size  int
}{
	"source":   {fieldSource, 100},
	"tag":      {fieldTags, 50},
	"official": {fieldOfficial, 2},
	"language": {fieldLanguage, 30},
	"month":    {fieldMonth, 1200},
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

// Documents is what a search reads of the store: the documents of a page,
// in one go. Deleted documents and ids the store does not know are left
// out (the index can be a moment ahead of or behind the store).
type Documents interface {
	DocumentsByID(ctx context.Context, ids []int64) ([]model.Document, error)
}

// candidate is one hit of the index, before it is shown.
type candidate struct {
	id, key int64 // key: the near-duplicate group, or the id itself
	score   float64
	bid     string // the bleve id, which breaks ties of score as the index's own sort does
}

// Search runs r and returns one page of hits, each filled in from the store
// with a snippet, with near-duplicates folded under the first of their group
// unless r.NoCollapse, and facet counts if r.Facets.
//
// It reads about 1.5×(offset+limit) hits from the index, ids only (the
// group travels in the bleve id), folds them, and reads the page's
// documents from the store in one query; only when folding leaves the page
// short does it read further.
func (ix *Index) Search(ctx context.Context, st Documents, r Request) (*Result, error) {
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
	gen := ix.gen.Load() // read under the reader lock: the index searched
	limit := r.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		return nil, fmt.Errorf("search: limit %d is above %d; page with Offset, or stream every hit with Each (--limit 0)", limit, MaxLimit)
	}
	want := r.Offset + limit
	size := want + want/2 + 10
	skippedIDs := 0 // hits whose bleve id did not parse (none, unless the index is damaged)

	res := &Result{Query: r.Query, Hits: []Hit{}}
	var cands []candidate
	more := true // the index may have hits beyond cands
	// By relevance, the index ranks by score alone: breaking ties by id
	// there, as paging with search-after needs, makes it load the id of
	// every hit it ranks (40% of a term query's time). Reading on then
	// continues by offset over the same order. Ties are broken by bleve id
	// (as the index sorts _id) here,
	// over the hits read, so every replica of an index (and every run)
	// gives the same page: a page whose last hit ties with the last hit
	// read reads on until the tie is whole, and a window that is one tie
	// (a match-all query, a filter alone) is read again in id order. The
	// other orders break ties by id in the index and read on after the last
	// hit.
	byScore := r.Sort == "" || r.Sort == SortRelevance
	order := pr.sort
	if byScore {
		order = search.SortOrder{&search.SortScore{Desc: true}}
	}
	var after []string
	first := true
	read := func() error {
		req := bleve.NewSearchRequestOptions(pr.q, size, 0, false)
		req.SortByCustom(order)
		switch {
		case first:
		case byScore:
			req.From = len(cands) + skippedIDs
		case after != nil:
			req.SetSearchAfter(after)
		}
		var cacheKey string
		if first && r.Facets {
			cacheKey = facetKey(r)
			if fs, ok := ix.facets.get(cacheKey, gen); ok {
				res.Facets = fs
			} else {
				for name, f := range facetFields {
					req.AddFacet(name, bleve.NewFacetRequest(f.field, f.size))
				}
			}
		}
		sr, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return searchError(p, err)
		}
		if first {
			res.Total = sr.Total
			if r.Facets && res.Facets == nil {
				res.Facets = facets(sr.Facets)
				ix.facets.put(cacheKey, gen, res.Facets)
			}
			first = false
		}
		for _, dm := range sr.Hits {
			id, group, ok := parseID(dm.ID)
			if !ok {
				skippedIDs++
				continue
			}
			key := group
			if r.NoCollapse {
				key = id
			}
			cands = append(cands, candidate{id, key, dm.Score, dm.ID})
		}
		more = len(sr.Hits) == size
		if byScore {
			slices.SortStableFunc(cands, func(a, b candidate) int {
				if a.score != b.score {
					return cmp.Compare(b.score, a.score)
				}
				return strings.Compare(a.bid, b.bid)
			})
		}
		if len(sr.Hits) > 0 && !byScore {
			after = sortKey(sr.Hits[len(sr.Hits)-1], order)
		}
		return nil
	}
	if err := read(); err != nil {
		return nil, err
	}
	docs := map[int64]*model.Document{}
	missing := map[int64]bool{}
	for {
		page, similar := fold(cands, r.Offset, limit, missing)
		if len(page) < limit && more {
			// Folding and skipping used up the window: read on.
			if err := read(); err != nil {
				return nil, err
			}
			continue
		}
		if byScore && more && len(page) > 0 && page[len(page)-1].score <= cands[len(cands)-1].score {
			// The page ends inside a tie that goes on past what was read.
			if cands[0].score == cands[len(cands)-1].score {
				byScore, order, cands, skippedIDs = false, pr.sort, nil, 0
			}
			if err := read(); err != nil {
				return nil, err
			}
			continue
		}
		var fetch []int64
		for _, c := range page {
			if docs[c.id] == nil && !missing[c.id] {
				fetch = append(fetch, c.id)
			}
		}
		if len(fetch) > 0 {
			got, err := st.DocumentsByID(ctx, fetch)
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			for i := range got {
				docs[got[i].ID] = &got[i]
			}
			gone := false
			for _, id := range fetch {
				if docs[id] == nil {
					missing[id], gone = true, true
				}
			}
			if gone {
				continue // fold again without them
			}
		}
		pa := &pageAnalysis{}
		for i, c := range page {
			d := docs[c.id]
			h := ix.hitWith(p, pa, d, c.score)
			h.SimilarIDs = similar[i]
			h.Similar = len(similar[i])
			res.Hits = append(res.Hits, h)
		}
		break
	}
	res.Took = time.Since(start)
	return res, nil
}

// fold walks cands in rank order and returns the page after offset (at most
// limit groups' first documents) and, for each, the later members of its
// group among cands. Ids in missing are passed over.
func fold(cands []candidate, offset, limit int, missing map[int64]bool) ([]candidate, [][]int64) {
	at := map[int64]int{} // group key → index in page, -1 when skipped or beyond the page
	var page []candidate
	var similar [][]int64
	skipped := 0
	for _, c := range cands {
		if missing[c.id] {
			continue
		}
		if i, ok := at[c.key]; ok {
			if i >= 0 {
				similar[i] = append(similar[i], c.id)
			}
			continue
		}
		switch {
		case skipped < offset:
			skipped++
			at[c.key] = -1
		case len(page) >= limit:
			// The page is full; only keep folding into it. Similar counts
			// cover the documents ranked up to the end of what was read.
			at[c.key] = -1
		default:
			at[c.key] = len(page)
			page = append(page, c)
			similar = append(similar, nil)
		}
	}
	return page, similar
}

// Each calls fn for every document r matches (after r.Offset, at most r.Limit
// when it is not 0), in r.Sort order, paging through the index so memory
// stays flat. Near-duplicates are not folded: every match is one hit. Each
// page of the index is read from the store in one query.
func (ix *Index) Each(ctx context.Context, st Documents, r Request, fn func(Hit) error) error {
	p, err := Parse(r.Query)
	if err != nil {
		return err
	}
	n := 0
	pa := &pageAnalysis{}
	return ix.page(ctx, p, r, func(ms []match) error {
		clear(pa.terms) // the words of one page, so memory stays flat
		ids := make([]int64, len(ms))
		for i, m := range ms {
			ids[i] = m.id
		}
		got, err := st.DocumentsByID(ctx, ids)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		byID := make(map[int64]*model.Document, len(got))
		for i := range got {
			byID[got[i].ID] = &got[i]
		}
		for _, m := range ms {
			d := byID[m.id]
			if d == nil {
				continue // deleted, or not in the store yet
			}
			n++
			if n <= r.Offset {
				continue
			}
			if r.Limit > 0 && n > r.Offset+r.Limit {
				return errStop
			}
			if err := fn(ix.hitWith(p, pa, d, m.score)); err != nil {
				return err
			}
		}
		return nil
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
	if r.Sort == "" && r.Offset == 0 && r.Limit == 0 {
		return ix.allIDs(ctx, p, r)
	}
	if (r.Sort == "" || r.Sort == SortRelevance) && r.Limit > 0 && r.Limit <= MaxLimit {
		return ix.pageIDs(ctx, p, r)
	}
	var ids []int64
	n := 0
	err = ix.page(ctx, p, r, func(ms []match) error {
		for _, m := range ms {
			n++
			if n <= r.Offset {
				continue
			}
			if r.Limit > 0 && n > r.Offset+r.Limit {
				return errStop
			}
			ids = append(ids, m.id)
		}
		return nil
	})
	return ids, err
}

// pageIDs is one page of ids by relevance, ordered as Search orders it
// (score alone): one request, no ids loaded beyond the page's.
func (ix *Index) pageIDs(ctx context.Context, p *Parsed, r Request) ([]int64, error) {
	pr, bi, unlock, err := ix.prepare(p, r)
	if err != nil {
		return nil, err
	}
	defer unlock()
	req := bleve.NewSearchRequestOptions(pr.q, r.Limit, r.Offset, false)
	sr, err := bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, searchError(p, err)
	}
	ids := make([]int64, 0, len(sr.Hits))
	for _, dm := range sr.Hits {
		if id, _, ok := parseID(dm.ID); ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// allIDsPage is how many ids allIDs reads per request.
const allIDsPage = 10_000

// allIDs is every id r matches, in no order: unscored, in the index's own
// order, read allIDsPage at a time by offset. (Search-after needs a sort by
// id, and sorting by id loads the id of every hit at every page: a topic's
// few thousand documents were read 500 at a time, each page scanning them
// all again.) Past the first page a concurrent Sync can shift the order, so
// later pages are deduplicated; a document added meanwhile may be missed,
// as if the call had come a moment earlier.
func (ix *Index) allIDs(ctx context.Context, p *Parsed, r Request) ([]int64, error) {
	pr, bi, unlock, err := ix.prepare(p, r)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var ids []int64
	for from := 0; ; from += allIDsPage {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		req := bleve.NewSearchRequestOptions(pr.q, allIDsPage, from, false)
		req.Score = "none"
		sr, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return nil, searchError(p, err)
		}
		for _, dm := range sr.Hits {
			if id, _, ok := parseID(dm.ID); ok {
				ids = append(ids, id)
			}
		}
		if len(sr.Hits) < allIDsPage {
			if from > 0 {
				slices.Sort(ids)
				ids = slices.Compact(ids)
			}
			return ids, nil
		}
	}
}

var errStop = errors.New("stop")

// match is one hit of page.
type match struct {
	id    int64
	score float64
}

// page runs r page by page with search-after, calling fn with the matches
// of every page.
func (ix *Index) page(ctx context.Context, p *Parsed, r Request, fn func([]match) error) error {
	pr, bi, unlock, err := ix.prepare(p, r)
	if err != nil {
		return err
	}
	defer unlock()
	var after []string
	ms := make([]match, 0, eachPage)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		req := bleve.NewSearchRequestOptions(pr.q, eachPage, 0, false)
		req.SortByCustom(pr.sort)
		if after != nil {
			req.SetSearchAfter(after)
		}
		sr, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return searchError(p, err)
		}
		ms = ms[:0]
		for _, dm := range sr.Hits {
			if id, _, ok := parseID(dm.ID); ok {
				ms = append(ms, match{id, dm.Score})
			}
		}
		if err := fn(ms); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
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

// pageAnalysis is what the hits of a page share for their snippets: the
// query's patterns per analyser (analysed once, not once per hit), and
// analyzeSome's terms of the words it looked at.
type pageAnalysis struct {
	pats  map[string][]pattern
	terms map[string]string
}

// hitWith is the hit for d, with its snippet made with pa.
func (ix *Index) hitWith(p *Parsed, pa *pageAnalysis, d *model.Document, score float64) Hit {
	an := analyzerOf(familyOf(d.Language))
	if pa.pats == nil {
		pa.pats, pa.terms = map[string][]pattern{}, map[string]string{}
	}
	ps, ok := pa.pats[an]
	if !ok {
		ps = patternsFor(ix.m, p, an)
		pa.pats[an] = ps
	}
	sn, matched := snippetFor(ix.m, an, ps, d, pa.terms)
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
		if name == "year" {
			continue // from the months, below
		}
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
		if name == "month" {
			sort.Slice(vals, func(i, j int) bool { return vals[i].Value < vals[j].Value })
		}
		out[name] = vals
	}
	if months, ok := out["month"]; ok {
		years := []FacetValue{}
		for _, m := range months { // "2025-09", in order
			y, _, _ := strings.Cut(m.Value, "-")
			if n := len(years); n > 0 && years[n-1].Value == y {
				years[n-1].Count += m.Count
			} else {
				years = append(years, FacetValue{Value: y, Count: m.Count})
			}
		}
		out["year"] = years
	}
	return out
}

// facetKey is what a request's facet counts depend on: the query and the
// filters, not the page, the sort or folding.
func facetKey(r Request) string {
	return fmt.Sprintf("%q|%d|%d|%q|%q|%q|%q|%t", r.Query, r.From.UnixNano(), r.To.UnixNano(),
		r.Sources, r.Tags, r.Languages, r.Types, r.Official)
}

// facetCache keeps the facet counts of recent searches for the index
// generation they were counted at (Sync and a rebuild's swap start a new
// one). Counting facets visits every hit of the query, which on a large
// archive costs tens of times more than the page itself; a server asked the
// same query again (the next page, a second reader, a refreshed browser)
// answers from here. Entries of an older generation are never returned.
type facetCache struct {
	mu      sync.Mutex
	size    int // entries kept; 0 turns the cache off
	gen     uint64
	entries map[string][]map[string][]FacetValue // key → one-element slice, for the LRU order below
	order   []string                             // keys, oldest first
}

func (c *facetCache) get(key string, gen uint64) (map[string][]FacetValue, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size == 0 || gen != c.gen {
		return nil, false
	}
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	return e[0], true
}

func (c *facetCache) put(key string, gen uint64, fs map[string][]FacetValue) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size == 0 || gen < c.gen {
		return
	}
	if gen != c.gen || c.entries == nil {
		c.gen, c.entries, c.order = gen, map[string][]map[string][]FacetValue{}, nil
	}
	if _, ok := c.entries[key]; ok {
		return
	}
	if len(c.order) >= c.size {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[key] = []map[string][]FacetValue{fs}
	c.order = append(c.order, key)
}

// SetFacetCache sets how many searches' facet counts the index keeps
// (DefaultFacetCache when opened; 0 turns the cache off, as a benchmark of
// the engine does).
func (ix *Index) SetFacetCache(entries int) {
	ix.facets.mu.Lock()
	defer ix.facets.mu.Unlock()
	ix.facets.size, ix.facets.entries, ix.facets.order = max(entries, 0), nil, nil
}

// DefaultFacetCache is the facet cache's size when an index is opened.
const DefaultFacetCache = 256
