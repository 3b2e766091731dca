package index

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The query language:
//
//	spy China            both words (AND is the default between bare terms)
//	"official secrets"   an exact phrase
//	a AND b, a OR b      boolean operators (upper case); AND binds tighter
//	NOT a, -a            exclude documents with a
//	(a OR b) c           parentheses group
//	recruit*             prefix (at least 2 characters before the *)
//	field:value          title, source, tag, official, language, type;
//	                     title:"a phrase", tag:(uk OR us)
//	*                    every document (with the request's filters)
//
// Dates are not part of the text: they are Request.From and Request.To.

// Limits that bound what one query may cost.
const (
	MaxClauses     = 256 // terms, phrases and prefixes in one query
	MaxExpansion   = 500 // index terms one prefix may stand for
	MinPrefix      = 2   // characters before a trailing *
	maxDepth       = 64  // nesting of parentheses and NOTs
	maxQueryLength = 4096
)

// QueryError is a malformed or too costly query. Pos is the 1-based column
// (in characters) where the problem is.
type QueryError struct {
	Query string
	Pos   int
	Msg   string
}

func (e *QueryError) Error() string {
	text, _ := e.Excerpt()
	return fmt.Sprintf("query: %s at column %d: %s", e.Msg, e.Pos, text)
}

// excerptRunes bounds how much of a query an error repeats: a 100 KB query
// gets a readable window around the problem, not an echo of itself.
const excerptRunes = 30

// Excerpt returns the part of the query around the problem, with "…" where it
// was cut, and the 1-based column of the problem within that excerpt (for a
// caret under it).
func (e *QueryError) Excerpt() (string, int) {
	r := []rune(e.Query)
	pos := min(max(e.Pos-1, 0), len(r))
	from, to := max(pos-excerptRunes, 0), min(pos+excerptRunes, len(r))
	text, col := string(r[from:to]), pos-from+1
	if from > 0 {
		text, col = "…"+text, col+1
	}
	if to < len(r) {
		text += "…"
	}
	return text, col
}

// Fields are the names a query may use before a colon, with what they search.
var queryFields = map[string]string{
	"title":    "title",
	"source":   fieldSource,
	"tag":      fieldTags,
	"tags":     fieldTags,
	"official": fieldOfficial,
	"language": fieldLanguage,
	"lang":     fieldLanguage,
	"type":     fieldType,
}

const fieldList = "title, source, tag, official, language, type"

type nodeKind int

const (
	nodeTerm nodeKind = iota
	nodePhrase
	nodePrefix
	nodeAll // *
	nodeAnd
	nodeOr
	nodeNot
)

// node is one piece of a parsed query. field is "" for the title and text,
// otherwise an index field name (or "title").
type node struct {
	kind  nodeKind
	field string
	text  string
	pos   int
	kids  []*node
}

// Parsed is a syntactically valid query, ready to run against an Index or a
// Batch. Parse once, run many times.
type Parsed struct {
	query string
	root  *node
}

// String is the query in a canonical, fully parenthesised form.
func (p *Parsed) String() string { return p.root.String() }

// Query is the text the query was parsed from.
func (p *Parsed) Query() string { return p.query }

// Terms are the words, phrases and prefixes (with their *) the query looks
// for in titles and text, outside any NOT: what a highlighter marks.
func (p *Parsed) Terms() []string {
	var out []string
	seen := map[string]bool{}
	p.eachMarked(func(n *node) {
		s := n.text
		if n.kind == nodePrefix {
			s += "*"
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	})
	return out
}

// eachMarked calls fn, in query order, for each word, phrase and prefix node
// the query looks for in titles and text, outside any NOT: the nodes that
// Terms lists and snippets highlight.
func (p *Parsed) eachMarked(fn func(n *node)) {
	var walk func(n *node, neg bool)
	walk = func(n *node, neg bool) {
		switch n.kind {
		case nodeNot:
			walk(n.kids[0], !neg)
		case nodeAnd, nodeOr:
			for _, k := range n.kids {
				walk(k, neg)
			}
		case nodeTerm, nodePhrase, nodePrefix:
			if neg || (n.field != "" && n.field != "title") {
				return
			}
			fn(n)
		}
	}
	walk(p.root, false)
}

func (n *node) String() string {
	prefix := ""
	if n.field != "" {
		prefix = n.field + ":"
		if n.field == fieldTags {
			prefix = "tag:"
		}
	}
	switch n.kind {
	case nodeTerm:
		return prefix + n.text
	case nodePhrase:
		return prefix + `"` + n.text + `"`
	case nodePrefix:
		return prefix + n.text + "*"
	case nodeAll:
		return "*"
	case nodeNot:
		return "NOT " + n.kids[0].String()
	}
	op := " AND "
	if n.kind == nodeOr {
		op = " OR "
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = k.String()
	}
	return "(" + strings.Join(parts, op) + ")"
}

// Parse checks q's syntax and returns its parsed form, or a *QueryError
// saying what is wrong and where.
func Parse(q string) (*Parsed, error) {
	if len(q) > maxQueryLength {
		return nil, &QueryError{Query: q, Pos: utf8.RuneCountInString(q[:maxQueryLength]), Msg: fmt.Sprintf("query is longer than %d bytes", maxQueryLength)}
	}
	if !utf8.ValidString(q) {
		return nil, &QueryError{Query: q, Pos: 1, Msg: "query is not valid UTF-8"}
	}
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, &QueryError{Query: q, Pos: 1, Msg: "query is empty; type some words, e.g. China spy"}
	}
	p := &parser{q: q, toks: toks}
	root, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t != nil {
		if t.kind == tokRParen {
			return nil, p.errAt(t.pos, "unbalanced parenthesis: ')' has no matching '('")
		}
		return nil, p.errAt(t.pos, fmt.Sprintf("unexpected %s", t.describe()))
	}
	if p.leaves > MaxClauses {
		return nil, p.errAt(p.overAt, fmt.Sprintf("query is too complex: more than %d terms; split it into several searches", MaxClauses))
	}
	return &Parsed{query: q, root: root}, nil
}

type tokKind int

const (
	tokWord tokKind = iota
	tokPhrase
	tokLParen
	tokRParen
	tokAnd
	tokOr
	tokNot
	tokMinus
	tokField // text is the field name; the value follows as the next token
)

type token struct {
	kind tokKind
	text string
	pos  int // 1-based column
}

func (t *token) describe() string {
	switch t.kind {
	case tokAnd:
		return "AND"
	case tokOr:
		return "OR"
	case tokNot:
		return "NOT"
	case tokLParen:
		return "'('"
	case tokRParen:
		return "')'"
	case tokMinus:
		return "'-'"
	case tokPhrase:
		return `"` + t.text + `"`
	}
	return fmt.Sprintf("%q", t.text)
}

// isFieldName reports whether s looks like a field name (letters only), so
// "10:30" stays a word while "titel:x" is reported as an unknown field.
func isFieldName(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func isSpecial(r rune) bool { return r == '(' || r == ')' || r == '"' || unicode.IsSpace(r) }

func lex(q string) ([]token, error) {
	rs := []rune(q)
	var toks []token
	for i := 0; i < len(rs); {
		r := rs[i]
		col := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(':
			toks = append(toks, token{kind: tokLParen, pos: col})
			i++
		case r == ')':
			toks = append(toks, token{kind: tokRParen, pos: col})
			i++
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			if j == len(rs) {
				return nil, &QueryError{Query: q, Pos: col, Msg: "unbalanced quote: the phrase starting here is never closed"}
			}
			text := strings.Join(strings.Fields(string(rs[i+1:j])), " ")
			if text == "" {
				return nil, &QueryError{Query: q, Pos: col, Msg: "empty phrase"}
			}
			toks = append(toks, token{kind: tokPhrase, text: text, pos: col})
			i = j + 1
		case r == '-':
			if i+1 == len(rs) || unicode.IsSpace(rs[i+1]) || rs[i+1] == ')' {
				return nil, &QueryError{Query: q, Pos: col, Msg: "dangling '-': put the word to exclude right after it, e.g. -China"}
			}
			toks = append(toks, token{kind: tokMinus, pos: col})
			i++
		default:
			j := i
			for j < len(rs) && !isSpecial(rs[j]) {
				j++
			}
			word := string(rs[i:j])
			switch word {
			case "AND", "&&":
				toks = append(toks, token{kind: tokAnd, pos: col})
			case "OR", "||":
				toks = append(toks, token{kind: tokOr, pos: col})
			case "NOT":
				toks = append(toks, token{kind: tokNot, pos: col})
			default:
				if k := strings.IndexRune(word, ':'); k > 0 && isFieldName(word[:k]) {
					name := word[:k]
					toks = append(toks, token{kind: tokField, text: name, pos: col})
					rest := word[k+1:]
					if rest == "" {
						if j == len(rs) || unicode.IsSpace(rs[j]) || rs[j] == ')' {
							return nil, &QueryError{Query: q, Pos: col, Msg: fmt.Sprintf("%s: has no value; write e.g. %s:china", name, name)}
						}
						// The value is the phrase or group that follows.
						i = j
						continue
					}
					toks = append(toks, token{kind: tokWord, text: rest, pos: col + utf8.RuneCountInString(name) + 1})
				} else {
					toks = append(toks, token{kind: tokWord, text: word, pos: col})
				}
			}
			i = j
		}
	}
	return toks, nil
}

type parser struct {
	q      string
	toks   []token
	i      int
	leaves int
	overAt int // column of the first leaf past MaxClauses
}

func (p *parser) peek() *token {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *parser) errAt(pos int, msg string) error {
	return &QueryError{Query: p.q, Pos: pos, Msg: msg}
}

func (p *parser) endCol() int { return utf8.RuneCountInString(p.q) + 1 }

// startsOperand reports whether t can begin an operand (so two operands in a
// row are joined by the default AND).
func startsOperand(t *token) bool {
	switch t.kind {
	case tokWord, tokPhrase, tokLParen, tokNot, tokMinus, tokField:
		return true
	}
	return false
}

func (p *parser) or(depth int) (*node, error) {
	left, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	kids := []*node{left}
	for {
		t := p.peek()
		if t == nil || t.kind != tokOr {
			break
		}
		p.i++
		if n := p.peek(); n == nil || n.kind == tokRParen || n.kind == tokOr || n.kind == tokAnd {
			return nil, p.errAt(t.pos, "dangling OR: it needs a term after it")
		}
		right, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, right)
	}
	if len(kids) == 1 {
		return left, nil
	}
	return &node{kind: nodeOr, kids: kids, pos: left.pos}, nil
}

func (p *parser) and(depth int) (*node, error) {
	first, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	kids := []*node{first}
	for {
		t := p.peek()
		if t == nil {
			break
		}
		if t.kind == tokAnd {
			p.i++
			if n := p.peek(); n == nil || n.kind == tokRParen || n.kind == tokOr || n.kind == tokAnd {
				return nil, p.errAt(t.pos, "dangling AND: it needs a term after it")
			}
		} else if !startsOperand(t) {
			break
		}
		next, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, next)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &node{kind: nodeAnd, kids: kids, pos: first.pos}, nil
}

func (p *parser) unary(depth int) (*node, error) {
	if depth > maxDepth {
		t := p.peek()
		return nil, p.errAt(t.pos, fmt.Sprintf("query nests more than %d levels deep", maxDepth))
	}
	t := p.peek()
	if t != nil && (t.kind == tokNot || t.kind == tokMinus) {
		p.i++
		n := p.peek()
		if n == nil || n.kind == tokRParen || n.kind == tokAnd || n.kind == tokOr {
			return nil, p.errAt(t.pos, "dangling NOT: put the term to exclude after it, e.g. NOT China")
		}
		kid, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &node{kind: nodeNot, kids: []*node{kid}, pos: t.pos}, nil
	}
	return p.primary(depth, "")
}

func (p *parser) primary(depth int, field string) (*node, error) {
	t := p.peek()
	if t == nil {
		return nil, p.errAt(p.endCol(), "query ends where a term was expected")
	}
	switch t.kind {
	case tokAnd, tokOr:
		return nil, p.errAt(t.pos, fmt.Sprintf("dangling %s: it needs a term before it", t.describe()))
	case tokRParen:
		return nil, p.errAt(t.pos, "unbalanced parenthesis: ')' has no matching '('")
	case tokLParen:
		p.i++
		if n := p.peek(); n != nil && n.kind == tokRParen {
			return nil, p.errAt(t.pos, "empty parentheses")
		}
		if p.peek() == nil {
			return nil, p.errAt(t.pos, "unbalanced parenthesis: '(' is never closed")
		}
		inner, err := p.groupOr(depth+1, field)
		if err != nil {
			return nil, err
		}
		if n := p.peek(); n == nil || n.kind != tokRParen {
			return nil, p.errAt(t.pos, "unbalanced parenthesis: '(' is never closed")
		}
		p.i++
		return inner, nil
	case tokField:
		if field != "" {
			return nil, p.errAt(t.pos, "a field inside another field's value")
		}
		name := strings.ToLower(t.text)
		f, ok := queryFields[name]
		if !ok {
			return nil, p.errAt(t.pos, fmt.Sprintf("unknown field %q (fields are %s; put the text in quotes to search for it)", t.text, fieldList))
		}
		p.i++
		v := p.peek()
		if v == nil || (v.kind != tokWord && v.kind != tokPhrase && v.kind != tokLParen) {
			return nil, p.errAt(t.pos, fmt.Sprintf("%s: has no value; write e.g. %s:china", t.text, t.text))
		}
		return p.primary(depth, f)
	case tokPhrase:
		p.i++
		return p.leaf(&node{kind: nodePhrase, field: field, text: t.text, pos: t.pos})
	case tokWord:
		p.i++
		return p.word(t, field)
	case tokNot, tokMinus:
		// Only reachable inside a field group: tag:(uk -us).
		return nil, p.errAt(t.pos, "NOT inside a field's parentheses; write NOT tag:us outside them")
	}
	return nil, p.errAt(t.pos, fmt.Sprintf("unexpected %s", t.describe()))
}

// groupOr parses the inside of parentheses; with a field, only terms, phrases
// and AND/OR may appear, each taking the field.
func (p *parser) groupOr(depth int, field string) (*node, error) {
	if field == "" {
		return p.or(depth)
	}
	var ors []*node
	var ands []*node
	for {
		n, err := p.primary(depth, field)
		if err != nil {
			return nil, err
		}
		ands = append(ands, n)
		t := p.peek()
		switch {
		case t == nil || t.kind == tokRParen:
			ors = append(ors, joinNodes(nodeAnd, ands))
			return joinNodes(nodeOr, ors), nil
		case t.kind == tokOr:
			p.i++
			ors = append(ors, joinNodes(nodeAnd, ands))
			ands = nil
		case t.kind == tokAnd:
			p.i++
		}
		if n := p.peek(); n == nil || n.kind == tokRParen {
			return nil, p.errAt(t.pos, fmt.Sprintf("dangling %s: it needs a term after it", t.describe()))
		}
	}
}

func joinNodes(kind nodeKind, ns []*node) *node {
	if len(ns) == 1 {
		return ns[0]
	}
	return &node{kind: kind, kids: ns, pos: ns[0].pos}
}

func (p *parser) word(t *token, field string) (*node, error) {
	w := t.text
	if w == "*" && field == "" {
		return &node{kind: nodeAll, pos: t.pos}, nil
	}
	if k := strings.IndexRune(w, '?'); k >= 0 {
		return nil, p.errAt(t.pos+utf8.RuneCountInString(w[:k]), fmt.Sprintf("'?' wildcards are not supported (%s); use a trailing * for a prefix", w))
	}
	if k := strings.IndexRune(w, '*'); k >= 0 && k != len(w)-1 {
		return nil, p.errAt(t.pos+utf8.RuneCountInString(w[:k]), fmt.Sprintf("'*' is only allowed at the end of a word (%s)", w))
	}
	if field == fieldOfficial {
		switch strings.ToLower(w) {
		case "true", "yes", "1":
			w = "true"
		case "false", "no", "0":
			w = "false"
		default:
			return nil, p.errAt(t.pos, fmt.Sprintf("official: takes true or false, not %q", w))
		}
		return p.leaf(&node{kind: nodeTerm, field: field, text: w, pos: t.pos})
	}
	if field == fieldType {
		switch v := strings.ToLower(strings.TrimSuffix(w, "*")); v {
		case "statement", "article":
		default:
			return nil, p.errAt(t.pos, fmt.Sprintf("type: is statement or article, not %q", w))
		}
	}
	if strings.HasSuffix(w, "*") {
		pre := strings.TrimSuffix(w, "*")
		if utf8.RuneCountInString(pre) < MinPrefix {
			return nil, p.errAt(t.pos, fmt.Sprintf("prefix %q is too short: give at least %d characters before the *", w, MinPrefix))
		}
		return p.leaf(&node{kind: nodePrefix, field: field, text: pre, pos: t.pos})
	}
	return p.leaf(&node{kind: nodeTerm, field: field, text: w, pos: t.pos})
}

func (p *parser) leaf(n *node) (*node, error) {
	p.leaves++
	if p.leaves == MaxClauses+1 {
		p.overAt = n.pos
	}
	return n, nil
}
