package index

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/watchline/watchline/model"
)

// A Batch matches many saved queries (alerts) against a few new documents.
// It is a percolator rather than an index: each document is analysed once,
// with the analysers of the index mapping, into a small inverted index of
// the batch (per field: term → documents and token positions), and each
// query is evaluated over it as sets of documents, following the same rules
// as the compiler (compile.go): a term is an analysed term in a field, a
// phrase consecutive positions, a prefix every term it starts, each language
// family searched with its own analysis of the query. (Building a bleve
// index of the batch and running one bleve search per query made alert
// matching 5–10 times slower: BenchmarkBatchMatch, alert's BenchmarkMatch.)
// Snippets are snippet.go's, with the spans found in the postings instead of
// by analysing the text again for every query that matches it.
// batch_test.go checks, over the demo and synthetic corpora, that a Batch
// matches exactly the documents a bleve index of them does. Only scores
// differ: see Match.
type Batch struct {
	m       *mapping.IndexMappingImpl
	docs    []*model.Document // live documents, one per ID; bit i of a set is docs[i]
	fams    []string          // families present, in families order
	famDocs map[string]docSet
	fields  map[string]*batchField
	all     docSet
	// official are the official documents; dated those whose publication
	// time the index can represent, published[i] that time in nanoseconds.
	official, dated docSet
	published       []int64
	// offsets[i] are the byte offsets of document i's title and text
	// tokens, by position, for snippets; unordered[i] says its analyser
	// gave two tokens one position, so its snippets analyse its text.
	offsets   [][2][]tokenSpan
	unordered docSet
	// ids[i] is document i's bleve id, which breaks ties when sorting
	// (made once: a pass sorts the hits of a thousand queries).
	ids []string
}

// tokenSpan is where a token is in its field's text.
type tokenSpan struct{ start, end int32 }

// batchField is one field's terms in a batch.
type batchField struct {
	terms  map[string]*postings
	sorted []string // the terms in order, for prefixes
}

// postings are the documents (ascending) a term occurs in and, for text
// fields, its positions in each.
type postings struct {
	docs []int32
	pos  [][]int32
}

// NewBatch prepares docs for matching. Each document needs its store ID;
// deleted ones are skipped, and of two with the same ID the later counts.
func NewBatch(docs []model.Document) (*Batch, error) {
	m, err := sharedMapping()
	if err != nil {
		return nil, fmt.Errorf("batch index: %w", err)
	}
	b := &Batch{m: m, famDocs: map[string]docSet{}, fields: map[string]*batchField{}}
	at := map[int64]int{}
	for i := range docs {
		d := &docs[i]
		if d.Deleted {
			continue
		}
		if d.ID == 0 {
			return nil, errors.New("batch index: a document has no ID; store it first")
		}
		if j, ok := at[d.ID]; ok {
			b.docs[j] = d
			continue
		}
		at[d.ID] = len(b.docs)
		b.docs = append(b.docs, d)
	}
	n := len(b.docs)
	b.all = newDocSet(n)
	b.official, b.dated = newDocSet(n), newDocSet(n)
	b.published = make([]int64, n)
	b.offsets = make([][2][]tokenSpan, n)
	b.unordered = newDocSet(n)
	kw := m.AnalyzerNamed(keywordAnalyzer)
	if kw == nil {
		return nil, errors.New("batch index: no keyword analyser")
	}
	for _, f := range families {
		if m.AnalyzerNamed(f.analyzer) == nil {
			return nil, fmt.Errorf("batch index: no analyser for %s", f.name)
		}
	}
	// Analysis is most of the cost: a few workers analyse a chunk of
	// documents while the postings are added one document after another.
	workers := runtime.GOMAXPROCS(0)
	chunk := make([][2]analysis.TokenStream, 16*workers)
	memos := make([]map[string]filtered, workers)
	for w := range memos {
		memos[w] = map[string]filtered{}
	}
	for from := 0; from < n; from += len(chunk) {
		to := min(from+len(chunk), n)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := from + w; i < to; i += workers {
					d := b.docs[i]
					name := analyzerOf(familyOf(d.Language))
					an, memo := m.AnalyzerNamed(name), memos[w]
					if name != en.AnalyzerName {
						memo = nil
					}
					chunk[i-from] = [2]analysis.TokenStream{analyzeWords(an, memo, d.Title), analyzeWords(an, memo, d.Text)}
				}
			})
		}
		wg.Wait()
		for i := from; i < to; i++ {
			fam := familyOf(b.docs[i].Language)
			for k, field := range [2]string{titleField(fam), textField(fam)} {
				toks := chunk[i-from][k]
				b.addTokens(field, i, toks, true)
				b.offsets[i][k] = b.tokenSpans(i, toks)
			}
			chunk[i-from] = [2]analysis.TokenStream{}
		}
	}
	b.ids = make([]string, n)
	for i, d := range b.docs {
		b.ids[i] = bleveID(d)
		b.all.add(i)
		fam := familyOf(d.Language)
		fd, ok := b.famDocs[fam]
		if !ok {
			fd = newDocSet(n)
			b.famDocs[fam] = fd
		}
		fd.add(i)
		// Keyword fields get the index's keyword analysis (whole value,
		// lower-cased) of exactly what indexable gives the index.
		b.addTokens(fieldSource, i, kw.Analyze([]byte(d.SourceID)), false)
		for _, t := range d.Tags {
			b.addTokens(fieldTags, i, kw.Analyze([]byte(t)), false)
		}
		b.addTokens(fieldLanguage, i, kw.Analyze([]byte(langCode(d.Language))), false)
		b.addTokens(fieldType, i, kw.Analyze([]byte(docType(d))), false)
		if d.Official {
			b.official.add(i)
		}
		pub := d.Published
		if pub.IsZero() {
			pub = d.Fetched
		}
		// The index leaves out a date it cannot hold as nanoseconds.
		if !pub.Before(document.MinTimeRepresentable) && !pub.After(document.MaxTimeRepresentable) {
			b.dated.add(i)
			b.published[i] = pub.UnixNano()
		}
	}
	for _, f := range families {
		if _, ok := b.famDocs[f.name]; ok {
			b.fams = append(b.fams, f.name)
		}
	}
	if len(b.fams) == 0 {
		b.fams = []string{"en"}
	}
	for _, f := range b.fields {
		f.sorted = make([]string, 0, len(f.terms))
		for t := range f.terms {
			f.sorted = append(f.sorted, t)
		}
		sort.Strings(f.sorted)
	}
	return b, nil
}

// filtered is what an analyser's token filters made of one word.
type filtered struct {
	term []byte
	kept bool
}

// analyzeWords is an.Analyze(text), filtering each distinct word once when
// given a memo: for analysers like English's, whose filters (possessive,
// lower case, stop words, stemmer) each turn one token into at most one by
// its term alone, a word always ends the same, and stemming is most of the
// cost of analysis. Anything else is analysed as usual.
func analyzeWords(an analysis.Analyzer, memo map[string]filtered, text string) analysis.TokenStream {
	a, ok := an.(*analysis.DefaultAnalyzer)
	if memo == nil || !ok || len(a.CharFilters) > 0 {
		return an.Analyze([]byte(text))
	}
	toks := a.Tokenizer.Tokenize([]byte(text))
	out := toks[:0]
	one := make(analysis.TokenStream, 1)
	for _, t := range toks {
		f, ok := memo[string(t.Term)]
		if !ok {
			word := string(t.Term)
			one = one[:1]
			one[0] = t
			res := analysis.TokenStream(one)
			for _, tf := range a.TokenFilters {
				res = tf.Filter(res)
			}
			if len(res) > 1 || (len(res) == 1 && res[0] != t) {
				return an.Analyze([]byte(text)) // not a filter chain this fits
			}
			f = filtered{kept: len(res) == 1}
			if f.kept {
				f.term = t.Term
			}
			memo[word] = f
		}
		if f.kept {
			t.Term = f.term
			out = append(out, t)
		}
	}
	return out
}

// tokenSpans are the offsets of toks by position (from 1), or nil, with i
// marked unordered, when positions do not rise token by token.
func (b *Batch) tokenSpans(i int, toks analysis.TokenStream) []tokenSpan {
	if len(toks) == 0 {
		return nil
	}
	last := 0
	for _, t := range toks {
		if t.Position <= last {
			b.unordered.add(i)
			return nil
		}
		last = t.Position
	}
	out := make([]tokenSpan, last+1)
	for _, t := range toks {
		out[t.Position] = tokenSpan{int32(t.Start), int32(t.End)}
	}
	return out
}

// addTokens records document i's tokens in field.
func (b *Batch) addTokens(field string, i int, toks analysis.TokenStream, positions bool) {
	if len(toks) == 0 {
		return
	}
	f := b.fields[field]
	if f == nil {
		f = &batchField{terms: map[string]*postings{}}
		b.fields[field] = f
	}
	for _, t := range toks {
		p := f.terms[string(t.Term)]
		if p == nil {
			p = &postings{}
			f.terms[string(t.Term)] = p
		}
		if k := len(p.docs); k == 0 || p.docs[k-1] != int32(i) {
			p.docs = append(p.docs, int32(i))
			if positions {
				p.pos = append(p.pos, nil)
			}
		}
		if positions {
			k := len(p.pos) - 1
			p.pos[k] = append(p.pos[k], int32(t.Position))
		}
	}
}

// Match returns the batch's documents that q (with r's filters; r.Query is
// ignored) matches, in r.Sort order, each with its snippet and matched terms.
// Near-duplicates are not folded. The set of documents is the one a search
// of an index holding the batch returns, and so are errors (a prefix that
// stands for too many of the batch's words, a query of stop words only);
// scores, and so the order under SortRelevance, are a simpler measure than
// the index's: the frequency of the query's terms, title matches weighing
// more.
func (b *Batch) Match(q *Parsed, r Request) ([]Hit, error) {
	if q == nil {
		return nil, errors.New("match: no query")
	}
	ev := &evaluator{b: b, q: q.query}
	var set docSet
	if len(b.fams) <= 1 || !hasText(q.root) {
		ev.fams = b.fams
		s, err := ev.eval(q.root, false)
		if err != nil {
			return nil, err
		}
		set = s
	} else {
		// As compileRoot: each family's documents answer the query as
		// analysed for that family.
		for _, f := range b.fams {
			ev.fams = []string{f}
			s, err := ev.eval(q.root, false)
			if err != nil {
				return nil, err
			}
			if s == nil {
				continue
			}
			if set == nil {
				set = newDocSet(len(b.docs))
			}
			set.orAnd(b.famDocs[f], s)
		}
	}
	if set == nil {
		return nil, &QueryError{Query: q.query, Pos: 1,
			Msg: "the query has only very common words (like \"the\"), which are not indexed; add a more specific word"}
	}
	if err := b.filter(set, q, r); err != nil {
		return nil, err
	}

	type scored struct {
		i     int
		score float64
	}
	var found []scored
	set.each(func(i int) { found = append(found, scored{i, ev.score(i)}) })
	ids := func(i int) string { return b.ids[i] }
	switch r.Sort {
	case "", SortRelevance:
		sort.Slice(found, func(x, y int) bool {
			if found[x].score != found[y].score {
				return found[x].score > found[y].score
			}
			return ids(found[x].i) < ids(found[y].i)
		})
	default: // newest, oldest (checked by filter)
		newest := r.Sort == SortNewest
		sort.Slice(found, func(x, y int) bool {
			i, j := found[x].i, found[y].i
			// Like the index's sort: documents without a date last.
			if di, dj := b.dated.has(i), b.dated.has(j); di != dj {
				return di
			}
			if pi, pj := b.published[i], b.published[j]; pi != pj {
				return (pi > pj) == newest
			}
			return (ids(i) > ids(j)) == newest
		})
	}
	hits := make([]Hit, 0, len(found))
	pats := map[string][]pattern{} // the query's patterns per analyser
	for _, f := range found {
		d := b.docs[f.i]
		an := analyzerOf(familyOf(d.Language))
		ps, ok := pats[an]
		if !ok {
			ps = patternsFor(b.m, q, an)
			pats[an] = ps
		}
		sn, matched := b.snippet(f.i, an, ps)
		hits = append(hits, newHit(d, f.score, sn, matched))
	}
	return hits, nil
}

// filter keeps in set the documents that pass r's filters, checking r the
// way prepare does.
func (b *Batch) filter(set docSet, q *Parsed, r Request) error {
	if !r.From.IsZero() || !r.To.IsZero() {
		if !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From) {
			return fmt.Errorf("search: the end date %s is before the start date %s", r.To.Format("2006-01-02"), r.From.Format("2006-01-02"))
		}
	}
	switch r.Sort {
	case "", SortRelevance, SortNewest, SortOldest:
	default:
		return fmt.Errorf("search: unknown sort %q: use relevance, newest or oldest", r.Sort)
	}
	if !r.From.IsZero() || !r.To.IsZero() {
		yes := true
		if err := query.NewDateRangeInclusiveQuery(r.From, r.To, &yes, &yes).Validate(); err != nil {
			return fmt.Errorf("match %q: %w", q.query, err)
		}
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		if !r.From.IsZero() {
			lo = r.From.UnixNano()
		}
		if !r.To.IsZero() {
			hi = r.To.UnixNano()
		}
		set.and(b.dated)
		set.each(func(i int) {
			if p := b.published[i]; p < lo || p > hi {
				set.remove(i)
			}
		})
	}
	for _, f := range []struct {
		field string
		vals  []string
	}{{fieldSource, r.Sources}, {fieldTags, r.Tags}, {fieldLanguage, r.Languages}, {fieldType, r.Types}} {
		if len(f.vals) == 0 {
			continue
		}
		anyOf := newDocSet(len(b.docs))
		for _, v := range f.vals {
			v = strings.ToLower(strings.TrimSpace(v))
			if f.field == fieldLanguage {
				v = langCode(v)
			}
			b.term(f.field, v, anyOf)
		}
		set.and(anyOf)
	}
	if r.Official {
		set.and(b.official)
	}
	return nil
}

// term adds the documents with term in field to out.
func (b *Batch) term(field, term string, out docSet) {
	if f := b.fields[field]; f != nil {
		if p := f.terms[term]; p != nil {
			for _, i := range p.docs {
				out.add(int(i))
			}
		}
	}
}

// prefixTerms are field's terms that start with prefix.
func (b *Batch) prefixTerms(field, prefix string) []string {
	f := b.fields[field]
	if f == nil {
		return nil
	}
	lo := sort.SearchStrings(f.sorted, prefix)
	hi := lo
	for hi < len(f.sorted) && strings.HasPrefix(f.sorted[hi], prefix) {
		hi++
	}
	return f.sorted[lo:hi]
}

// phrase adds the documents where the phrase occurs in field to out. Each
// slot of the phrase holds the terms that may stand at its position; an
// empty slot (a stop word the analyser dropped) stands for any token, as in
// bleve's phrase searcher.
func (b *Batch) phrase(field string, slots [][]string, out docSet) {
	f := b.fields[field]
	if f == nil || len(slots) == 0 {
		return
	}
	alts := make([][]*postings, len(slots))
	for k, s := range slots {
		for _, t := range s {
			if p := f.terms[t]; p != nil {
				alts[k] = append(alts[k], p)
			}
		}
		if len(s) > 0 && len(alts[k]) == 0 {
			return // a term the batch does not have
		}
	}
	for _, p0 := range alts[0] {
		for x, doc := range p0.docs {
			if out.has(int(doc)) {
				continue
			}
		starts:
			for _, start := range p0.pos[x] {
				for k := 1; k < len(slots); k++ {
					if len(slots[k]) == 0 {
						continue
					}
					if !anyAt(alts[k], doc, start+int32(k)) {
						continue starts
					}
				}
				out.add(int(doc))
				break
			}
		}
	}
}

// anyAt reports whether one of ps occurs in doc at pos.
func anyAt(ps []*postings, doc, pos int32) bool {
	for _, p := range ps {
		if x, ok := slices.BinarySearch(p.docs, doc); ok && slices.Contains(p.pos[x], pos) {
			return true
		}
	}
	return false
}

// snippet is document i's snippet for a query's patterns ps, and the query
// terms it has. It is what snippet.go makes from the document's whole text,
// with the spans found in the batch's postings rather than by analysing the
// text again for every query that matches it.
func (b *Batch) snippet(i int, an string, ps []pattern) (Snippet, []string) {
	d := b.docs[i]
	if len(ps) == 0 {
		return snippetOf(d.Text, ps, nil, nil)
	}
	if b.unordered.has(i) {
		return snippetOf(d.Text, ps, findSpans(analyze(b.m, an, d.Text), ps), findSpans(analyze(b.m, an, d.Title), ps))
	}
	fam := familyOf(d.Language)
	return snippetOf(d.Text, ps, b.spans(textField(fam), i, b.offsets[i][1], ps), b.spans(titleField(fam), i, b.offsets[i][0], ps))
}

// spans are where ps occur in field of document i, as findSpans finds them
// in its tokens: a prefix in every token it starts, a word or phrase where
// its tokens stand at their positions.
func (b *Batch) spans(field string, i int, offs []tokenSpan, ps []pattern) []span {
	f := b.fields[field]
	if f == nil || len(offs) == 0 {
		return nil
	}
	positions := func(term string) []int32 {
		p := f.terms[term]
		if p == nil {
			return nil
		}
		if x, ok := slices.BinarySearch(p.docs, int32(i)); ok {
			return p.pos[x]
		}
		return nil
	}
	type found struct {
		pos int32
		sp  span
	}
	var fs []found
	for pi, pt := range ps {
		if pt.prefix {
			for _, t := range b.prefixTerms(field, pt.terms[0]) {
				for _, p := range positions(t) {
					fs = append(fs, found{p, span{int(offs[p].start), int(offs[p].end), pi}})
				}
			}
			continue
		}
	starts:
		for _, p := range positions(pt.terms[0]) {
			end := offs[p].end
			for k := 1; k < len(pt.terms); k++ {
				at := int(p) + pt.gaps[k]
				if at >= len(offs) || !slices.Contains(positions(pt.terms[k]), int32(at)) {
					continue starts
				}
				end = offs[at].end
			}
			fs = append(fs, found{p, span{int(offs[p].start), int(end), pi}})
		}
	}
	if len(fs) == 0 {
		return nil
	}
	// findSpans lists spans token by token, each token's by pattern, before
	// sorting them by start; the same input gives the same order.
	sort.Slice(fs, func(x, y int) bool {
		if fs[x].pos != fs[y].pos {
			return fs[x].pos < fs[y].pos
		}
		return fs[x].sp.pat < fs[y].sp.pat
	})
	spans := make([]span, len(fs))
	for k, f := range fs {
		spans[k] = f.sp
	}
	sort.Slice(spans, func(x, y int) bool { return spans[x].start < spans[y].start })
	return spans
}

// freq is how often term occurs in field of document i.
func (b *Batch) freq(field, term string, i int) int {
	f := b.fields[field]
	if f == nil {
		return 0
	}
	p := f.terms[term]
	if p == nil {
		return 0
	}
	x, ok := slices.BinarySearch(p.docs, int32(i))
	if !ok {
		return 0
	}
	if p.pos == nil {
		return 1
	}
	return len(p.pos[x])
}

// Close releases the batch. It holds only memory, so it cannot fail.
func (b *Batch) Close() error { return nil }

// evaluator evaluates one query over a batch for the families in fams, as
// compiler compiles it for an index holding those families.
type evaluator struct {
	b    *Batch
	q    string
	fams []string
	// scoring are the positive text terms found, for score.
	scoring []scoreTerm
}

type scoreTerm struct {
	field, term string
	boost       float64
}

// eval returns the documents n matches, or nil when n matches nothing
// specific (only stop words) and is left out of its parent, like compile.
// neg says n is under a NOT, so its terms do not score.
func (ev *evaluator) eval(n *node, neg bool) (docSet, error) {
	b := ev.b
	switch n.kind {
	case nodeAll:
		return b.all.clone(), nil
	case nodeTerm, nodePhrase, nodePrefix:
		return ev.leaf(n, neg)
	case nodeNot:
		kid, err := ev.eval(n.kids[0], !neg)
		if err != nil || kid == nil {
			return nil, err
		}
		return b.all.clone().andNot(kid), nil
	case nodeOr:
		var out docSet
		for _, k := range n.kids {
			s, err := ev.eval(k, neg)
			if err != nil {
				return nil, err
			}
			if s == nil {
				continue
			}
			if out == nil {
				out = s
			} else {
				out.or(s)
			}
		}
		return out, nil
	case nodeAnd:
		var must, mustNot docSet
		some := false
		for _, k := range n.kids {
			isNot := k.kind == nodeNot
			if isNot {
				k = k.kids[0]
			}
			s, err := ev.eval(k, neg != isNot)
			if err != nil {
				return nil, err
			}
			if s == nil {
				continue
			}
			some = true
			switch {
			case isNot && mustNot == nil:
				mustNot = s
			case isNot:
				mustNot.or(s)
			case must == nil:
				must = s
			default:
				must.and(s)
			}
		}
		if !some {
			return nil, nil
		}
		if must == nil {
			must = b.all.clone()
		}
		if mustNot != nil {
			must.andNot(mustNot)
		}
		return must, nil
	}
	return nil, fmt.Errorf("match query: unknown node kind %d", n.kind)
}

func (ev *evaluator) leaf(n *node, neg bool) (docSet, error) {
	b := ev.b
	switch n.field {
	case "", "title":
		return ev.text(n, n.field == "", neg)
	case fieldOfficial:
		if n.text == "true" {
			return b.official.clone(), nil
		}
		return b.all.clone().andNot(b.official), nil
	}
	out := newDocSet(len(b.docs))
	v := strings.ToLower(n.text)
	if n.field == fieldLanguage {
		v = langCode(v)
	}
	if n.kind == nodePrefix {
		if err := ev.checkExpansion(n, []string{n.field}, v); err != nil {
			return nil, err
		}
		for _, t := range b.prefixTerms(n.field, v) {
			b.term(n.field, t, out)
		}
		return out, nil
	}
	b.term(n.field, v, out)
	return out, nil
}

// text matches n in the title (and, when withText, the text) fields of
// every family in ev.fams, each analysing the words its own way.
func (ev *evaluator) text(n *node, withText, neg bool) (docSet, error) {
	b := ev.b
	var fields []string
	for _, f := range ev.fams {
		fields = append(fields, titleField(f))
		if withText {
			fields = append(fields, textField(f))
		}
	}
	if n.kind == nodePrefix {
		pre := strings.ToLower(n.text)
		if err := ev.checkExpansion(n, fields, pre); err != nil {
			return nil, err
		}
		out := newDocSet(len(b.docs))
		for _, f := range fields {
			for _, t := range b.prefixTerms(f, pre) {
				b.term(f, t, out)
				ev.scores(neg, f, t)
			}
		}
		return out, nil
	}
	var out docSet
	for _, fam := range ev.fams {
		toks := analyze(b.m, analyzerOf(fam), n.text)
		if len(toks) == 0 {
			continue // only stop words in this language
		}
		if out == nil {
			out = newDocSet(len(b.docs))
		}
		fs := []string{titleField(fam)}
		if withText {
			fs = append(fs, textField(fam))
		}
		single := len(toks) == 1 && n.kind == nodeTerm
		var slots [][]string
		if !single {
			slots = tokenPhrase(toks)
		}
		for _, f := range fs {
			if single {
				b.term(f, string(toks[0].Term), out)
				ev.scores(neg, f, string(toks[0].Term))
				continue
			}
			b.phrase(f, slots, out)
			for _, t := range slots[0] {
				ev.scores(neg, f, t)
			}
		}
	}
	return out, nil
}

func (ev *evaluator) scores(neg bool, field, term string) {
	if neg {
		return
	}
	boost := 1.0
	if strings.HasPrefix(field, "title_") {
		boost = titleBoost
	}
	ev.scoring = append(ev.scoring, scoreTerm{field, term, boost})
}

// score is a simple relevance of document i: the square roots of its
// frequencies of the query's terms, title matches weighted by titleBoost.
func (ev *evaluator) score(i int) float64 {
	s := 0.0
	for _, st := range ev.scoring {
		if f := ev.b.freq(st.field, st.term, i); f > 0 {
			s += st.boost * math.Sqrt(float64(f))
		}
	}
	return s
}

// tokenPhrase turns an analysed phrase into the terms at each position, as
// bleve's match-phrase query does: positions the analyser dropped (stop
// words) are empty, tokens at one position are alternatives.
func tokenPhrase(toks analysis.TokenStream) [][]string {
	first, last := math.MaxInt, 0
	for _, t := range toks {
		first = min(first, t.Position)
		last = max(last, t.Position)
	}
	if last < first {
		return nil
	}
	slots := make([][]string, last-first+1)
	for _, t := range toks {
		slots[t.Position-first] = append(slots[t.Position-first], string(t.Term))
	}
	return slots
}

// checkExpansion refuses a prefix that stands for more than MaxExpansion
// terms of the batch, as compiler.checkExpansion does for an index.
func (ev *evaluator) checkExpansion(n *node, fields []string, prefix string) error {
	total := 0
	for _, f := range fields {
		total += len(ev.b.prefixTerms(f, prefix))
		if total > MaxExpansion {
			return &QueryError{Query: ev.q, Pos: n.pos, Msg: fmt.Sprintf(
				"prefix %s* matches more than %d different words; make it longer", n.text, MaxExpansion)}
		}
	}
	return nil
}

// docSet is a set of a batch's documents, by index.
type docSet []uint64

func newDocSet(n int) docSet    { return make(docSet, (n+63)/64) }
func (s docSet) add(i int)      { s[i/64] |= 1 << (i % 64) }
func (s docSet) remove(i int)   { s[i/64] &^= 1 << (i % 64) }
func (s docSet) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s docSet) clone() docSet  { return slices.Clone(s) }

func (s docSet) and(o docSet) docSet {
	for i := range s {
		s[i] &= o[i]
	}
	return s
}

func (s docSet) or(o docSet) docSet {
	for i := range s {
		s[i] |= o[i]
	}
	return s
}

func (s docSet) andNot(o docSet) docSet {
	for i := range s {
		s[i] &^= o[i]
	}
	return s
}

// orAnd adds the documents in both a and o.
func (s docSet) orAnd(a, o docSet) {
	for i := range s {
		s[i] |= a[i] & o[i]
	}
}

// each calls fn for every document in s, in index order.
func (s docSet) each(fn func(i int)) {
	for w, x := range s {
		for x != 0 {
			fn(w*64 + bits.TrailingZeros64(x))
			x &= x - 1
		}
	}
}
