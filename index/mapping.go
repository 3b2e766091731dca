package index

import (
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/watchline/watchline/model"
)

// mappingVersion is stored inside the index; an index written with another
// version is treated as corrupt and rebuilt, so changing the mapping below
// only needs this number bumped.
const mappingVersion = "6"

// A language family is one analyser and the pair of fields (title_xx, text_xx)
// analysed with it. Each document's title and text go into the fields of its
// language's family, so French text is stemmed as French; a bare query term is
// searched in every family present in the index, each analysing the term its
// own way.
type family struct {
	name     string // field suffix
	analyzer string
}

var families = []family{
	{"en", en.AnalyzerName},
	{"fr", fr.AnalyzerName},
	{"de", de.AnalyzerName},
	{"es", es.AnalyzerName},
	{"it", it.AnalyzerName},
	{"ru", ru.AnalyzerName},
	{"pt", pt.AnalyzerName},
	{"nl", nl.AnalyzerName},
	{"cjk", cjk.AnalyzerName}, // Chinese, Japanese, Korean: bigrams
	{"std", standard.Name},    // anything else: Unicode words, lower-cased
}

// familyOf picks the language family for a document's language code
// ("en", "en-GB", "zh-Hans"…). Unknown or empty languages use English, the
// language of most sources watchline follows, except scripts the standard
// analyser handles better than an English stemmer.
func familyOf(lang string) string {
	l := strings.ToLower(lang)
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	switch l {
	case "", "en":
		return "en"
	case "fr", "de", "es", "it", "ru", "pt", "nl":
		return l
	case "zh", "ja", "ko":
		return "cjk"
	}
	return "std"
}

func analyzerOf(fam string) string {
	for _, f := range families {
		if f.name == fam {
			return f.analyzer
		}
	}
	return standard.Name
}

const (
	keywordAnalyzer = "watchline_keyword" // whole value, lower-cased
	fieldSource     = "source"
	fieldTags       = "tags"
	fieldLanguage   = "language"
	fieldType       = "type"
	fieldPublished  = "published"
	fieldOfficial   = "official"
	fieldYear       = "year"
	fieldMonth      = "month"
	fieldFamily     = "family" // the language family, to keep each family's query branch to its documents
	fieldDocID      = "docid"  // the store id, indexed only: finds a document whose bleve id names an old group
)

func titleField(fam string) string { return "title_" + fam }
func textField(fam string) string  { return "text_" + fam }

// newMapping builds the index mapping. Nothing is stored: the near-duplicate
// group travels in the bleve id (see bleveID), and hits are shown from the
// store, which has the text anyway. Text fields keep term vectors because
// phrase queries need token positions (the choice and its cost are in the
// package benchmarks); keyword fields keep doc values for facets and sorting.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(keywordAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		return nil, err
	}
	dm := bleve.NewDocumentStaticMapping()
	for _, f := range families {
		for _, name := range []string{titleField(f.name), textField(f.name)} {
			fm := bleve.NewTextFieldMapping()
			fm.Analyzer = f.analyzer
			fm.Store = false
			fm.IncludeInAll = false
			fm.IncludeTermVectors = true
			fm.DocValues = false
			dm.AddFieldMappingsAt(name, fm)
		}
	}
	for _, name := range []string{fieldFamily, fieldDocID} {
		fm := bleve.NewKeywordFieldMapping()
		fm.Store, fm.IncludeInAll, fm.IncludeTermVectors, fm.DocValues = false, false, false, false
		dm.AddFieldMappingsAt(name, fm)
	}
	for _, name := range []string{fieldSource, fieldTags, fieldLanguage, fieldType, fieldYear, fieldMonth} {
		fm := bleve.NewKeywordFieldMapping()
		fm.Analyzer = keywordAnalyzer
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = true
		dm.AddFieldMappingsAt(name, fm)
	}
	pub := bleve.NewDateTimeFieldMapping()
	pub.Store, pub.IncludeInAll, pub.DocValues = false, false, true
	dm.AddFieldMappingsAt(fieldPublished, pub)
	off := bleve.NewBooleanFieldMapping()
	off.Store, off.IncludeInAll, off.DocValues = false, false, true
	dm.AddFieldMappingsAt(fieldOfficial, off)

	im.DefaultMapping = dm
	im.DefaultAnalyzer = en.AnalyzerName
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	im.IndexDynamic = false
	return im, im.Validate()
}

// sharedMapping is the mapping built once, for callers that only read it
// (Batch, which is built for every alert pass and every subscription
// check): building one costs as much as analysing a few hundred documents.
// A mapping is safe for concurrent use once validated.
var sharedMapping = sync.OnceValues(newMapping)

// docType is the document type the `type:` field and Request.Types filter on.
func docType(d *model.Document) string {
	if d.Official {
		return "statement"
	}
	return "article"
}

// group is the near-duplicate group a document belongs to: the document it
// duplicates, or itself.
func group(d *model.Document) int64 {
	if d.DuplicateOf != 0 {
		return d.DuplicateOf
	}
	return d.ID
}

// docID is the store id as the docid field holds it.
func docID(id int64) string { return strconv.FormatInt(id, 10) }

// bleveID is the bleve id of a store document: its store id, and for a
// near-duplicate "/" and the id of its group's original. A search folds
// copies under their original from the hit ids alone, without loading a
// stored field for every hit it reads (a deep page reads thousands). A
// document relinked to another group gets a new bleve id, and Sync deletes
// the old one (found through the docid field).
func bleveID(d *model.Document) string {
	if g := group(d); g != d.ID {
		return docID(d.ID) + "/" + docID(g)
	}
	return docID(d.ID)
}

// parseID splits a bleve id into the store id and the group.
func parseID(s string) (id, group int64, ok bool) {
	a, b, copy := strings.Cut(s, "/")
	id, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	group = id
	if copy {
		if group, err = strconv.ParseInt(b, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return id, group, true
}

// indexable is what the index receives for a document.
func indexable(d *model.Document) map[string]any {
	fam := familyOf(d.Language)
	published := d.Published
	if published.IsZero() {
		published = d.Fetched
	}
	lang := langCode(d.Language)
	m := map[string]any{
		titleField(fam): d.Title,
		textField(fam):  d.Text,
		fieldFamily:     fam,
		fieldDocID:      docID(d.ID),
		fieldSource:     d.SourceID,
		fieldLanguage:   lang,
		fieldType:       docType(d),
		fieldOfficial:   d.Official,
		fieldPublished:  published.UTC(),
		fieldYear:       published.UTC().Format("2006"),
		fieldMonth:      published.UTC().Format("2006-01"),
	}
	if len(d.Tags) > 0 {
		m[fieldTags] = d.Tags
	}
	return m
}

// analyze runs the named analyser of m over text.
func analyze(m mapping.IndexMapping, analyzer, text string) analysis.TokenStream {
	a := m.AnalyzerNamed(analyzer)
	if a == nil {
		return nil
	}
	return a.Analyze([]byte(text))
}
