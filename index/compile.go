package index

import (
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
)

// titleBoost weighs a match in the title above one in the body.
const titleBoost = 3.0

// compiler turns a parsed query into a bleve query for one index: it knows
// which language families the index holds and checks prefix expansion against
// the index's term dictionaries.
type compiler struct {
	m    mapping.IndexMapping
	bi   bleve.Index
	fams []string
	q    string
}

// familyBoost keeps the family filter out of the ranking: its idf differs
// between families and would otherwise favour rare languages.
const familyBoost = 1e-6

// compileRoot compiles the whole query. With documents in several language
// families, the query is compiled once per family, each branch limited to
// that family's documents, so a word that is a stop word in one language
// (and dropped there) still counts in another, and NOT excludes within the
// document's own language. It returns nil when every branch is empty.
func (c *compiler) compileRoot(root *node) (query.Query, error) {
	fams := c.fams
	if len(fams) <= 1 || !hasText(root) {
		return c.compile(root)
	}
	defer func() { c.fams = fams }()
	var branches []query.Query
	for _, f := range fams {
		c.fams = []string{f}
		q, err := c.compile(root)
		if err != nil {
			return nil, err
		}
		if q == nil {
			continue
		}
		fq := query.NewTermQuery(f)
		fq.SetField(fieldFamily)
		fq.SetBoost(familyBoost)
		branches = append(branches, query.NewConjunctionQuery([]query.Query{fq, q}))
	}
	if len(branches) == 0 {
		return nil, nil
	}
	return disjunction(branches), nil
}

// hasText reports whether n searches titles or text anywhere.
func hasText(n *node) bool {
	switch n.kind {
	case nodeTerm, nodePhrase, nodePrefix:
		return n.field == "" || n.field == "title"
	case nodeAnd, nodeOr, nodeNot:
		for _, k := range n.kids {
			if hasText(k) {
				return true
			}
		}
	}
	return false
}

// compile returns the query for n, or nil when n matches nothing specific
// (only stop words) and should be left out of its parent.
func (c *compiler) compile(n *node) (query.Query, error) {
	switch n.kind {
	case nodeAll:
		return query.NewMatchAllQuery(), nil
	case nodeTerm, nodePhrase, nodePrefix:
		return c.leaf(n)
	case nodeNot:
		kid, err := c.compile(n.kids[0])
		if err != nil || kid == nil {
			return nil, err
		}
		return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{kid}), nil
	case nodeOr:
		var qs []query.Query
		for _, k := range n.kids {
			q, err := c.compile(k)
			if err != nil {
				return nil, err
			}
			if q != nil {
				qs = append(qs, q)
			}
		}
		switch len(qs) {
		case 0:
			return nil, nil
		case 1:
			return qs[0], nil
		}
		return query.NewDisjunctionQuery(qs), nil
	case nodeAnd:
		var must, mustNot []query.Query
		for _, k := range n.kids {
			target := &must
			if k.kind == nodeNot {
				target, k = &mustNot, k.kids[0]
			}
			q, err := c.compile(k)
			if err != nil {
				return nil, err
			}
			if q != nil {
				*target = append(*target, q)
			}
		}
		if len(must) == 0 && len(mustNot) == 0 {
			return nil, nil
		}
		if len(mustNot) == 0 {
			if len(must) == 1 {
				return must[0], nil
			}
			return query.NewConjunctionQuery(must), nil
		}
		if len(must) == 0 {
			must = []query.Query{query.NewMatchAllQuery()}
		}
		return query.NewBooleanQuery(must, nil, mustNot), nil
	}
	return nil, fmt.Errorf("compile query: unknown node kind %d", n.kind)
}

func (c *compiler) leaf(n *node) (query.Query, error) {
	switch n.field {
	case "", "title":
		return c.text(n, n.field == "")
	case fieldOfficial:
		q := query.NewBoolFieldQuery(n.text == "true")
		q.SetField(fieldOfficial)
		return q, nil
	}
	// Keyword fields: the whole value, lower-cased.
	v := strings.ToLower(n.text)
	if n.field == fieldLanguage {
		v = langCode(v)
	}
	if n.kind == nodePrefix {
		if err := c.checkExpansion(n, []string{n.field}, v); err != nil {
			return nil, err
		}
		q := query.NewPrefixQuery(v)
		q.SetField(n.field)
		return q, nil
	}
	q := query.NewTermQuery(v)
	q.SetField(n.field)
	return q, nil
}

// text searches the title (and, when withText, the text) fields of every
// language family in the index, each analysing the words its own way.
func (c *compiler) text(n *node, withText bool) (query.Query, error) {
	var fields []string
	for _, f := range c.fams {
		fields = append(fields, titleField(f))
		if withText {
			fields = append(fields, textField(f))
		}
	}
	if n.kind == nodePrefix {
		pre := strings.ToLower(n.text)
		if err := c.checkExpansion(n, fields, pre); err != nil {
			return nil, err
		}
		var qs []query.Query
		for _, f := range fields {
			q := query.NewPrefixQuery(pre)
			q.SetField(f)
			if strings.HasPrefix(f, "title_") {
				q.SetBoost(titleBoost)
			}
			qs = append(qs, q)
		}
		return disjunction(qs), nil
	}
	var qs []query.Query
	for _, fam := range c.fams {
		an := analyzerOf(fam)
		toks := analyze(c.m, an, n.text)
		if len(toks) == 0 {
			continue // only stop words in this language
		}
		for _, f := range []string{titleField(fam), textField(fam)} {
			if f == textField(fam) && !withText {
				continue
			}
			var q query.Query
			if len(toks) == 1 && n.kind == nodeTerm {
				tq := query.NewTermQuery(string(toks[0].Term))
				tq.SetField(f)
				q = tq
			} else {
				pq := query.NewMatchPhraseQuery(n.text)
				pq.SetField(f)
				pq.Analyzer = an
				q = pq
			}
			if f == titleField(fam) {
				q.(query.BoostableQuery).SetBoost(titleBoost)
			}
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		return nil, nil
	}
	return disjunction(qs), nil
}

func disjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// checkExpansion refuses a prefix that stands for more than MaxExpansion
// terms in the index, counting through the term dictionaries.
func (c *compiler) checkExpansion(n *node, fields []string, prefix string) error {
	if c.bi == nil {
		return nil
	}
	total := 0
	for _, f := range fields {
		d, err := c.bi.FieldDictPrefix(f, []byte(prefix))
		if err != nil {
			return fmt.Errorf("expand %s*: %w", prefix, err)
		}
		for {
			e, err := d.Next()
			if err != nil {
				d.Close()
				return fmt.Errorf("expand %s*: %w", prefix, err)
			}
			if e == nil {
				break
			}
			total++
			if total > MaxExpansion {
				d.Close()
				return &QueryError{Query: c.q, Pos: n.pos, Msg: fmt.Sprintf(
					"prefix %s* matches more than %d different words; make it longer", n.text, MaxExpansion)}
			}
		}
		d.Close()
	}
	return nil
}

// langCode is the base language of a code: "en-GB" → "en".
func langCode(l string) string {
	l = strings.ToLower(l)
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	if l == "" {
		return "und"
	}
	return l
}
