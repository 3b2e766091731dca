package index

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/synth"
)

// bleveBatch is the reference a Batch must agree with: the documents in an
// in-memory bleve index with the index's mapping, each query compiled and
// searched as Index.Search does (this was Batch before it evaluated queries
// itself).
type bleveBatch struct {
	m    *mapping.IndexMappingImpl
	bi   bleve.Index
	fams []string
}

func newBleveBatch(t *testing.T, docs []model.Document) *bleveBatch {
	t.Helper()
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	bi, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bi.Close() })
	have := map[string]bool{}
	bb := bi.NewBatch()
	for i := range docs {
		d := &docs[i]
		if d.Deleted {
			continue
		}
		if err := bb.Index(docID(d.ID), indexable(d)); err != nil {
			t.Fatal(err)
		}
		have[familyOf(d.Language)] = true
	}
	if err := bi.Batch(bb); err != nil {
		t.Fatal(err)
	}
	rb := &bleveBatch{m: m, bi: bi}
	for _, f := range families {
		if have[f.name] {
			rb.fams = append(rb.fams, f.name)
		}
	}
	if len(rb.fams) == 0 {
		rb.fams = []string{"en"}
	}
	return rb
}

func (rb *bleveBatch) match(q *Parsed, r Request) ([]int64, error) {
	pr, err := prepare(rb.m, rb.bi, rb.fams, q, r)
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(pr.q, 1<<20, 0, false)
	req.SortByCustom(pr.sort)
	sr, err := rb.bi.Search(req)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, dm := range sr.Hits {
		id, err := strconv.ParseInt(dm.ID, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// parserQueries are the queries of the parser's tests (TestParse) that
// parse, and more that probe the evaluator's edges: stop words, NOT alone,
// prefixes of every field, phrases with dropped words, other languages.
var parserQueries = []string{
	"spy", "China spy", "China AND spy", "China OR Russia spy", "(China OR Russia) spy",
	`"official secrets act"`, `"  official   secrets "`, "China -embassy", "China NOT embassy", "NOT embassy",
	`-"pure fabrication"`, "recruit*", `title:spy`, `title:"spy case"`, `TITLE:spy`, "source:cps-news",
	"tag:uk tags:us", "tag:(uk OR us)", "official:yes", "official:false", "language:fr lang:de", "type:statement",
	"*", "10:30 meeting", "e-mail", "a && b || c", "MI5 AND (China OR MSS) AND (LinkedIn OR recruit*)",
	`"Christopher Cash" OR "Christopher Berry" OR (China spy case)`, "间谍 中国",
	// edges
	"the", "the AND of", "the spy", `"the"`, "NOT the", "spy -the", "NOT NOT spy", "-(China OR Russia)",
	"* -China", "* official:true", `"Director of Public Prosecutions"`, `"state of the art"`, "espionage*",
	"espionag*", "co*", "title:recr*", "source:gov*", "source:(cps-news OR gov-press)", "tag:uk*", "type:article*",
	"language:en", "language:EN-gb", "lang:zh", "lang:fr espionnage", "Spionage", "шпионаж", "espionnage OR Spionage",
	`"national security" -China`, "title:(China OR Russia)", `title:("spy case" OR embassy)`, "official:true embassy",
	"fabrication*", "Cash's", "don't", "U.K.", "MI5's", "中国", "诽谤", "email", "e-mail*", "ab*", "xyzzy", "NOT xyzzy",
	"recruit* -recruitment", "(spy OR the) AND (embassy OR of)",
}

// batchCorpus is the demo corpus, synthetic articles, and a few articles in
// other languages (so several language families share a batch), with tags.
func batchCorpus(t *testing.T) []model.Document {
	t.Helper()
	arts, err := demo.Articles()
	if err != nil {
		t.Fatal(err)
	}
	var docs []model.Document
	tagSets := [][]string{nil, {"uk"}, {"UK", "Security"}, {"us", "politics"}, {"eu"}}
	for i, a := range arts {
		docs = append(docs, model.Document{ID: int64(len(docs) + 1), SourceID: a.Source, Title: a.Title, Text: a.Text,
			Language: a.Language, Official: a.Official, Published: a.Published, Fetched: a.Published.Add(time.Hour),
			Tags: tagSets[i%len(tagSets)]})
	}
	if err := synth.Generate(3, 150, func(d model.Document) error {
		d.ID = int64(len(docs) + 1)
		docs = append(docs, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2025, 10, 20, 9, 0, 0, 0, time.UTC)
	for i, td := range []testDoc{
		{source: "le-veilleur", lang: "fr", title: "Affaire d'espionnage à Londres", text: "Deux hommes accusés d'espionnage pour la Chine; le procès est abandonné. La sécurité nationale est en jeu."},
		{source: "der-waechter", lang: "de-DE", title: "Spionage im Parlament", text: "Zwei Männer wurden der Spionage für China beschuldigt. Die Anklage wurde fallen gelassen."},
		{source: "nabludatel", lang: "ru", title: "Шпионаж в Лондоне", text: "Двое мужчин обвинялись в шпионаже в пользу Китая. Дело прекращено."},
		{source: "guancha", lang: "zh-Hans", title: "间谍案撤诉", text: "英国检方撤销了对两名男子的间谍指控。中国外交部称这是恶意诽谤。"},
		{source: "vaktaren", lang: "sv", title: "Spionage och spioner", text: "Two men, espionage charges dropped; e-mail and the state of the art."},
		{source: "nolang", lang: "", title: "Espionage case: the e-mail trail", text: "Recruiters on LinkedIn approached officials; MI5's alert named the recruiters. Email records."},
	} {
		docs = append(docs, model.Document{ID: int64(len(docs) + 1), SourceID: td.source, Title: td.title, Text: td.text,
			Language: td.lang, Published: pub.Add(time.Duration(i) * time.Hour), Fetched: pub, Tags: []string{"world"}})
	}
	// A deleted document and a second copy of an ID: the later copy counts.
	docs = append(docs, model.Document{ID: 9999, SourceID: "gone", Title: "spy embassy", Text: "spy", Deleted: true, Language: "en", Published: pub})
	docs = append(docs, model.Document{ID: 1, SourceID: "replaced", Title: "Replacement about embassy drones", Text: "A spy drone over the embassy.", Language: "en", Published: pub})
	return docs
}

// TestBatchMatchesIndex runs every relevance query and parser query against
// a Batch and against a bleve index of the same documents, with several
// filters and sorts, and requires the same documents (in the same order when
// sorted by date), the same errors, and the snippets of Index.Search.
func TestBatchMatchesIndex(t *testing.T) {
	raw, err := os.ReadFile("testdata/relevance.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []relevanceCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	type qr struct {
		q string
		r Request
	}
	var runs []qr
	for _, c := range cases {
		r := Request{Sources: c.Sources, Official: c.Official}
		if c.From != "" {
			r.From = day(c.From)
		}
		if c.To != "" {
			r.To = day(c.To).Add(24*time.Hour - 1)
		}
		runs = append(runs, qr{c.Query, r}, qr{c.Query, Request{Sort: SortNewest}})
	}
	filters := []Request{
		{},
		{Sort: SortOldest, Tags: []string{"uk", "world"}},
		{Sort: SortNewest, Official: true, Types: []string{"Statement"}},
		{Languages: []string{"en-GB", "zh"}, From: day("2024-01-01"), To: day("2025-10-31")},
		{Sources: []string{" CPS-news ", "meridian-wire", "le-veilleur"}, From: day("2025-10-01")},
		{To: day("2023-12-31"), Types: []string{"article"}},
	}
	for _, q := range parserQueries {
		for _, r := range filters {
			runs = append(runs, qr{q, r})
		}
	}

	all := batchCorpus(t)
	corpora := map[string][]model.Document{
		"mixed":      all,
		"english":    slices.DeleteFunc(slices.Clone(all), func(d model.Document) bool { return familyOf(d.Language) != "en" }),
		"two-french": all[len(all)-8 : len(all)-6],
		"empty":      nil,
	}
	for name, docs := range corpora {
		t.Run(name, func(t *testing.T) {
			b, err := NewBatch(docs)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			ref := newBleveBatch(t, docs)
			byID := map[int64]*model.Document{}
			for i := range docs {
				if !docs[i].Deleted {
					byID[docs[i].ID] = &docs[i]
				}
			}
			matched, snippets, differ := 0, 0, 0
			for _, run := range runs {
				p, err := Parse(run.q)
				if err != nil {
					t.Fatalf("%s: %v", run.q, err)
				}
				want, wantErr := ref.match(p, run.r)
				hits, gotErr := b.Match(p, run.r)
				if (gotErr != nil) != (wantErr != nil) {
					t.Errorf("%s %+v: error %v, index's %v", run.q, run.r, gotErr, wantErr)
					continue
				}
				got := ids(hits)
				if run.r.Sort == "" || run.r.Sort == SortRelevance {
					slices.Sort(got)
					slices.Sort(want)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s %+v:\n got %v\nwant %v", run.q, run.r, got, want)
					continue
				}
				matched += len(got)
				// A hit's snippet is snippet.go's over the whole text (Search
				// analyses only windows around likely matches, which can
				// miss a term used many times; count how often it differs).
				for _, h := range hits[:min(len(hits), 3)] {
					d := byID[h.ID]
					an := analyzerOf(familyOf(d.Language))
					pats := patternsFor(b.m, p, an)
					sn, terms := snippetOf(d.Text, pats, findSpans(analyze(b.m, an, d.Text), pats), findSpans(analyze(b.m, an, d.Title), pats))
					if h.Snippet.Marked != sn.Marked || !slices.Equal(h.Snippet.Offsets, sn.Offsets) || !slices.Equal(h.Matched, terms) {
						t.Errorf("%s: document %d: snippet %q %v, want %q %v", run.q, h.ID, h.Snippet.Marked, h.Matched, sn.Marked, terms)
					}
					if old, oldTerms := snippetFor(b.m, analyzerOf(familyOf(d.Language)), patternsFor(b.m, p, analyzerOf(familyOf(d.Language))), d, nil); old.Marked != sn.Marked || !slices.Equal(oldTerms, terms) {
						differ++
					}
					snippets++
				}
			}
			if len(docs) > 0 && matched == 0 {
				t.Error("no query matched anything: the comparison is vacuous")
			}
			t.Logf("%d runs, %d matches; %d of %d snippets differ from Search's", len(runs), matched, differ, snippets)
		})
	}
}

func TestBatchErrors(t *testing.T) {
	docs := []model.Document{{ID: 1, Title: "spy", Text: "spy", Language: "en"}}
	b, err := NewBatch(docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		q    string
		r    Request
	}{
		{"stop words only", "the", Request{}},
		{"unknown sort", "spy", Request{Sort: "random"}},
		{"end before start", "spy", Request{From: day("2025-01-02"), To: day("2025-01-01")}},
		{"date out of range", "spy", Request{From: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(c.q)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Match(p, c.r); err == nil {
				t.Errorf("Match(%q, %+v) = nil error", c.q, c.r)
			}
		})
	}
	if _, err := b.Match(nil, Request{}); err == nil {
		t.Error("Match(nil) = nil error")
	}
	if _, err := NewBatch([]model.Document{{Title: "no id"}}); err == nil {
		t.Error("NewBatch of a document without ID = nil error")
	}
}

// TestBatchPrefixExpansion: a prefix standing for more than MaxExpansion of
// the batch's words is refused, as the index refuses it.
func TestBatchPrefixExpansion(t *testing.T) {
	var docs []model.Document
	text := ""
	for i := range MaxExpansion + 1 {
		text += fmt.Sprintf(" zq%04dx", i)
	}
	docs = append(docs, model.Document{ID: 1, Title: "t", Text: text, Language: "en"})
	b, err := NewBatch(docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    string
		fail bool
	}{{"zq*", true}, {"zq00*", false}} {
		p, err := Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Match(p, Request{})
		if (err != nil) != c.fail {
			t.Errorf("Match(%q): error %v, want failure %v", c.q, err, c.fail)
		}
	}
}

// TestAnalyzeWords: filtering each distinct word once gives the analyser's
// own tokens, for every text of the corpus.
func TestAnalyzeWords(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	memo := map[string]filtered{}
	an := m.AnalyzerNamed(analyzerOf("en"))
	for _, d := range batchCorpus(t) {
		for _, text := range []string{d.Title, d.Text} {
			got, want := analyzeWords(an, memo, text), an.Analyze([]byte(text))
			if len(got) != len(want) {
				t.Fatalf("document %d: %d tokens, want %d", d.ID, len(got), len(want))
			}
			for i := range got {
				g, w := got[i], want[i]
				if string(g.Term) != string(w.Term) || g.Position != w.Position || g.Start != w.Start || g.End != w.End {
					t.Fatalf("document %d token %d: %q@%d [%d,%d], want %q@%d [%d,%d]", d.ID, i,
						g.Term, g.Position, g.Start, g.End, w.Term, w.Position, w.Start, w.End)
				}
			}
		}
	}
	if len(memo) == 0 {
		t.Error("the memo was not used")
	}
}
