package timeline

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/watchline/watchline/model"
)

// Analyzer reads one document: its terms, named entities, happened date,
// mentioned dates, event type, actors and quotes. It is built from the
// embedded lexicon and gazetteer and is safe for concurrent use.
type Analyzer struct {
	rec    *recogniser
	typer  *typer
	quotes *quoteExtractor
}

// NewAnalyzer builds an analyzer from the embedded data files.
func NewAnalyzer() (*Analyzer, error) {
	rec, err := newRecogniser(gazetteerJSON)
	if err != nil {
		return nil, err
	}
	ty, err := newTyper(lexiconJSON)
	if err != nil {
		return nil, err
	}
	return &Analyzer{rec: rec, typer: ty, quotes: newQuoteExtractor(rec)}, nil
}

// Quotes returns the attributed quotations in a document's text.
func (a *Analyzer) Quotes(d model.Document) []model.Quote {
	return a.quotesWith(d, nil)
}

// quotesWith extracts d's quotes. Speakers are recognised in the title and
// the text together (a headline may give a name the text uses alone); all
// is the recogniser's answer for d.Title+"\n\n"+d.Text when the caller has
// it already, else nil.
func (a *Analyzer) quotesWith(d model.Document, all []mention) []model.Quote {
	prefix := len(d.Title) + 2
	if all == nil {
		all = a.rec.find(d.Title+"\n\n"+d.Text, d.Published)
	}
	var ms []mention
	for _, m := range all {
		if m.offset >= prefix {
			m.offset -= prefix
			m.end -= prefix
			ms = append(ms, m)
		}
	}
	qs := a.quotes.extract(d.Text, metaOf(d), ms)
	for i := range qs {
		qs[i].DocumentID = d.ID
	}
	return qs
}

// quotesOrNone is quotesWith for the clusterer. The quote rules index into
// the text's words by many computed offsets; if one is ever wrong on some
// text, that document goes without quotes rather than stopping clustering
// at it for good (it would stop at the same document after every restart).
// Analyzer.Quotes, which FuzzQuotes drives, still panics, so fuzzing finds
// such texts.
func (a *Analyzer) quotesOrNone(d model.Document, all []mention) (qs []model.Quote) {
	defer func() {
		if recover() != nil {
			qs = nil
		}
	}()
	return a.quotesWith(d, all)
}

// Actors returns the people, organisations, countries, places and laws a text
// names, most mentioned first.
func (a *Analyzer) Actors(text string, published time.Time) []model.Actor {
	return actors(known(a.rec.find(text, published)))
}

// Classify returns a text's event type, the phrase that decided it and a
// confidence.
func (a *Analyzer) Classify(title, text string) (model.EventType, string, float64) {
	t := a.typer.classify(title, text)
	return t.Type, t.Evidence, t.Confidence
}

// Happened returns the date the event a document reports took place, and the
// other dates it mentions.
func (a *Analyzer) Happened(title, text string, published time.Time) (model.DateFound, []model.DateFound) {
	t := a.typer.classify(title, text)
	return happenedDate(title, analysisText(text), published, t.triggers, false, t.Type == model.TypeStatement)
}

func metaOf(d model.Document) docMeta {
	m := docMeta{Official: d.Official, Published: d.Published}
	if d.Official {
		if len(d.Authors) > 0 {
			m.Author = d.Authors[0]
		} else {
			m.Author = d.SourceID
		}
	}
	return m
}

// analysisText bounds how much of a long text dates and entities are read
// from; what a report is about is said early.
func analysisText(text string) string {
	const limit = 4000
	if len(text) <= limit {
		return text
	}
	cut := limit
	for cut > 0 && !utf8Start(text[cut]) {
		cut--
	}
	return text[:cut]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// docInfo is the analysis of one document, kept with its event membership so
// the clusterer can reload open events without re-reading texts.
type docInfo struct {
	ID             int64                       `json:"id"`
	Published      time.Time                   `json:"pub"`
	Official       bool                        `json:"off,omitempty"`
	Source         string                      `json:"src"`
	Title          string                      `json:"title"`
	DuplicateOf    int64                       `json:"dup,omitempty"`
	TermIDs        []uint32                    `json:"t"`
	TermW          []float32                   `json:"w"`
	Entities       []string                    `json:"e,omitempty"`
	Happened       model.DateFound             `json:"hap"`
	Mentioned      []model.DateFound           `json:"men,omitempty"`
	Type           model.EventType             `json:"type"`
	TypeEvidence   string                      `json:"tev,omitempty"`
	TypeConfidence float64                     `json:"tconf"`
	TypeScores     map[model.EventType]float64 `json:"ts,omitempty"`
	Actors         []model.Actor               `json:"act,omitempty"`
	Principals     []string                    `json:"pr,omitempty"`
	Sides          []string                    `json:"sd,omitempty"`
	Quotes         []model.Quote               `json:"q,omitempty"`
	// Role is what the document is to its event (report, statement,
	// analysis, wire copy).
	Role model.DocumentRole `json:"role,omitempty"`
	// StoryTerms are the words the story model reads (title, lead and
	// names, hashed), with their counts.
	StoryTerms  []uint32 `json:"st,omitempty"`
	StoryCounts []uint16 `json:"sc,omitempty"`
}

// maxTerms is how many of a document's heaviest terms it keeps.
const maxTerms = 40

// analyze reads d, counting its terms and entities into df (the clusterer's
// document frequencies) before weighting them.
func (a *Analyzer) analyze(d model.Document, df *dfTable) *docInfo {
	return a.read(d).weigh(df)
}

// reading is a document's analysis before its terms are weighted: all of it
// but what depends on the documents read before it (their frequencies).
type reading struct {
	info *docInfo
	tf   map[uint32]float64 // the title's and lead's terms, title counted twice
}

// read is the part of analyze that needs only d, so the documents of a
// batch can be read at once; weigh must then follow in their order.
func (a *Analyzer) read(d model.Document) reading {
	text := analysisText(d.Text)
	ty := a.typer.classify(d.Title, text)
	hap, mentioned := happenedDate(d.Title, text, d.Published, ty.triggers, d.Official, ty.Type == model.TypeStatement)
	// The names are found once, in the whole text, for the quotes; the
	// actors and entities are those named within the analysed lead. (This
	// ran the recogniser a second time, on the lead alone, for every text
	// longer than analysisText's bound: 37% of the recogniser's time on the
	// bench's synthetic corpus, and most real articles are that long.)
	all := a.rec.find(d.Title+"\n\n"+d.Text, d.Published)
	lead := all
	if end := len(d.Title) + 2 + len(text); len(text) < len(d.Text) {
		lead = all[:sort.Search(len(all), func(i int) bool { return all[i].offset >= end })]
	}
	ms := known(lead)
	info := &docInfo{
		ID: d.ID, Published: d.Published, Official: d.Official, Source: d.SourceID, Title: d.Title,
		DuplicateOf: d.DuplicateOf, Happened: hap, Mentioned: mentioned,
		Type: ty.Type, TypeEvidence: ty.Evidence, TypeConfidence: ty.Confidence, TypeScores: ty.Scores,
		Actors: actors(ms), Quotes: a.quotesOrNone(d, all), Role: documentRole(d, text),
	}
	if len(info.Actors) > 30 {
		info.Actors = info.Actors[:30]
	}
	seen := map[string]bool{}
	for _, m := range ms {
		if m.actor.Kind != "country" && !seen[m.actor.Name] {
			seen[m.actor.Name] = true
			info.Entities = append(info.Entities, m.actor.Name)
		}
	}
	sort.Strings(info.Entities)
	// Principals: who the title is about (its first person or organisation)
	// and the speakers quoted.
	pr := map[string]bool{}
	for _, m := range ms {
		if m.offset >= len(d.Title) {
			break
		}
		if m.actor.Kind == "person" || m.actor.Kind == "organisation" {
			pr[m.actor.Name] = true
			break
		}
	}
	for _, q := range info.Quotes {
		if q.Kind == model.QuoteDirect {
			pr[q.Speaker] = true
		}
	}
	// An official document speaks for its author (the press office, the
	// spokesperson, the department): the one whose statement it is.
	if a := metaOf(d).Author; d.Official && a != "" {
		pr[a] = true
	}
	sides := map[string]bool{}
	for p := range pr {
		info.Principals = append(info.Principals, p)
		if s := a.rec.sideOf(p, d.Published); s != "" {
			sides[s] = true
		}
	}
	sort.Strings(info.Principals)
	// Sides: the political camps the principals speak for, so a minister's
	// statement and the opposition's reply to it stay apart.
	for s := range sides {
		info.Sides = append(info.Sides, s)
	}
	sort.Strings(info.Sides)

	// Terms of the title (counted twice) and lead.
	titleToks, leadToks := tokens(d.Title), tokens(leadOnly(d.Title, text))
	tf := map[uint32]float64{}
	for _, w := range titleToks {
		tf[termID(w)] += 2
	}
	for _, w := range leadToks {
		tf[termID(w)]++
	}
	info.StoryTerms, info.StoryCounts = storyTerms(titleToks, leadToks, info.Entities)
	info.detach()
	return reading{info: info, tf: tf}
}

// detach copies the strings the analysis sliced out of the document's text
// (date phrases, names, quotes), so a cached analysis does not keep the
// whole text alive: at 30,000 synthetic documents the open events held
// 102 MB of document text this way, beside 130 MB of their own state.
func (info *docInfo) detach() {
	info.Title = strings.Clone(info.Title)
	info.TypeEvidence = strings.Clone(info.TypeEvidence)
	info.Happened.Phrase = strings.Clone(info.Happened.Phrase)
	for i := range info.Mentioned {
		info.Mentioned[i].Phrase = strings.Clone(info.Mentioned[i].Phrase)
	}
	if len(info.Entities) > 0 { // into a slice sized exactly: cached events keep it (see member)
		es := make([]string, len(info.Entities))
		for i, e := range info.Entities {
			es[i] = strings.Clone(e)
		}
		info.Entities = es
	}
	for i := range info.Actors {
		info.Actors[i].Name = strings.Clone(info.Actors[i].Name)
	}
	for i := range info.Principals {
		info.Principals[i] = strings.Clone(info.Principals[i])
	}
	for i := range info.Quotes {
		q := &info.Quotes[i]
		q.Text, q.Speaker, q.Role, q.Mention = strings.Clone(q.Text), strings.Clone(q.Speaker), strings.Clone(q.Role), strings.Clone(q.Mention)
	}
}

// weigh counts r's terms and entities into df and then weights its terms by
// their inverse document frequency, keeping the heaviest.
func (r reading) weigh(df *dfTable) *docInfo {
	info, tf := r.info, r.tf
	if df != nil {
		terms := make([]uint32, 0, len(tf))
		for t := range tf {
			terms = append(terms, t)
		}
		for _, e := range info.Entities {
			terms = append(terms, termID("\x00"+e))
		}
		df.add(terms)
	}
	type tw struct {
		t uint32
		w float64
	}
	var ws []tw
	norm := 0.0
	for t, n := range tf {
		w := (1 + math.Log(n)) * df.idf(t)
		ws = append(ws, tw{t, w})
		norm += w * w
	}
	sort.Slice(ws, func(i, j int) bool {
		if ws[i].w != ws[j].w {
			return ws[i].w > ws[j].w
		}
		return ws[i].t < ws[j].t
	})
	if len(ws) > maxTerms {
		ws = ws[:maxTerms]
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].t < ws[j].t })
	norm = math.Sqrt(norm)
	if len(ws) > 0 { // sized exactly: cached events keep them (see member)
		info.TermIDs, info.TermW = make([]uint32, 0, len(ws)), make([]float32, 0, len(ws))
	}
	for _, x := range ws {
		info.TermIDs = append(info.TermIDs, x.t)
		info.TermW = append(info.TermW, float32(x.w/norm))
	}
	return info
}

// leadOnly is the lead of text without the title when the text repeats it
// (headline-only rows imported with the title as their text, feeds whose
// summary starts with the headline), so those words are not counted twice.
func leadOnly(title, text string) string {
	lead := leadText(text)
	t := strings.TrimSpace(title)
	if t == "" {
		return lead
	}
	if rest, ok := strings.CutPrefix(strings.TrimSpace(lead), t); ok {
		return rest
	}
	return lead
}

// storyWords: the story model reads a document's title and names; a title of
// fewer words than this (a page without a headline) is made up from the
// lead. A story is named by headline words and the names involved; the
// lead's words are mostly the particulars of the day, and the mixture model,
// made for short texts, turns forty words into forty-fold sharp evidence that
// two reports of one case are different stories. On the demo corpus's
// stories: BCubed F1 0.832 reading titles and names (also when titles of
// up to 5 words are made up from the lead), 0.660 making every title up to
// 8 words, 0.768 with 10 lead words more, 0.640 with 20, 0.570 with 40
// (α 1, β 0.02); counting names twice did worse too (0.685).
const storyWords = 3

// storyTerms are the words the story model reads: the title's (made up to
// storyWords from the lead when it is short), and the names the document
// mentions (its Entities: countries are left out there, being too common to
// tell stories apart).
func storyTerms(title, lead []string, entities []string) ([]uint32, []uint16) {
	count := map[uint32]int{}
	for _, w := range title {
		count[termID(w)]++
	}
	for i := 0; i < len(lead) && len(title)+i < storyWords; i++ {
		count[termID(lead[i])]++
	}
	for _, e := range entities {
		count[termID("\x00"+e)]++
	}
	terms := make([]uint32, 0, len(count))
	for t := range count {
		terms = append(terms, t)
	}
	sort.Slice(terms, func(i, j int) bool { return terms[i] < terms[j] })
	counts := make([]uint16, len(terms))
	for i, t := range terms {
		counts[i] = uint16(min(count[t], math.MaxUint16))
	}
	return terms, counts
}

// leadText is the first two paragraphs (at most ~1200 bytes).
func leadText(text string) string {
	paras := 0
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' && i+1 < len(text) && text[i+1] != '\n' {
			paras++
			if paras == 2 {
				return text[:i]
			}
		}
		if i > 1200 && text[i] == ' ' {
			return text[:i]
		}
	}
	return text
}

var stopwords = toSet(`the and for that with was were are but not have has had been from this they their them his her
she him its our you your who what which when where why how will would could should can may might must shall also
than then there here into onto over under about after before said says say just more most some such only other any
all each both few many much very own same out off again further once two one three new year years last first
being because while during until against between through those these said told according mr mrs ms week day days
time times made make like over report reports reported people man men woman women including`)

// tokens splits text into lower-case words of three letters or more, without
// stopwords, with a light plural/tense strip.
func tokens(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		w = strings.ToLower(w)
		if len(w) < 3 || stopwords[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

func stem(w string) string {
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		return w[:len(w)-3]
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
}

func termID(w string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(w))
	return h.Sum32()
}

// dfBuckets is the size of the hashed document-frequency table: collisions
// only blur rare terms' weights a little.
const dfBuckets = 1 << 17

// dfTable counts in how many documents each (hashed) term occurred, for IDF.
// It is part of the clusterer's state, committed with its cursor.
type dfTable struct {
	n      uint32
	counts []uint32
	vocab  int // buckets in use: the distinct terms seen, up to collisions
}

func newDF() *dfTable { return &dfTable{counts: make([]uint32, dfBuckets)} }

func (df *dfTable) add(terms []uint32) {
	df.n++
	seen := map[uint32]bool{}
	for _, t := range terms {
		b := t % dfBuckets
		if !seen[b] {
			seen[b] = true
			if df.counts[b] == 0 {
				df.vocab++
			}
			df.counts[b]++
		}
	}
}

func (df *dfTable) idf(t uint32) float64 {
	if df == nil || df.n == 0 {
		return 1
	}
	return math.Log(float64(df.n+1)/float64(df.counts[t%dfBuckets]+1)) + 1
}

func (df *dfTable) entityIDF(name string) float64 { return df.idf(termID("\x00" + name)) }

func (df *dfTable) marshal() []byte {
	b := make([]byte, 4+4*len(df.counts))
	binary.LittleEndian.PutUint32(b, df.n)
	for i, c := range df.counts {
		binary.LittleEndian.PutUint32(b[4+4*i:], c)
	}
	return b
}

func unmarshalDF(b []byte) *dfTable {
	df := newDF()
	if len(b) != 4+4*dfBuckets {
		return df
	}
	df.n = binary.LittleEndian.Uint32(b)
	for i := range df.counts {
		df.counts[i] = binary.LittleEndian.Uint32(b[4+4*i:])
		if df.counts[i] > 0 {
			df.vocab++
		}
	}
	return df
}
