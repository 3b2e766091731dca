package index

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/watchline/watchline/internal/cputime"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/synth"
)

// Benchmarks compare watchline's mapping with plain bleve (its default
// mapping) on the same synthetic corpus read from the same store:
//
//	go test -run XXX -bench . -benchtime 1x ./index/              # 10,000 documents
//	WATCHLINE_BENCH_DOCS=100000 go test -run XXX -bench . -benchtime 1x -timeout 2h ./index/
//
// Indexing reports docs/s and index bytes/doc; queries report the mean and
// p99 latency over a fixed set of runs.

var benchDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

type benchCorpus struct {
	once sync.Once
	st   *store.Store
	dir  string
	n    int
	err  error
}

var corpus benchCorpus

// benchStore returns a store holding the synthetic corpus, built once per run.
func benchStore(b *testing.B) (*store.Store, int) {
	corpus.once.Do(func() {
		corpus.n = 10000
		if s := os.Getenv("WATCHLINE_BENCH_DOCS"); s != "" {
			corpus.n, corpus.err = strconv.Atoi(s)
			if corpus.err != nil {
				return
			}
		}
		benchDir, corpus.err = os.MkdirTemp("", "watchline-bench-")
		if corpus.err != nil {
			return
		}
		corpus.dir = filepath.Join(benchDir, "store")
		ctx := context.Background()
		corpus.st, corpus.err = store.Open(ctx, corpus.dir)
		if corpus.err != nil {
			return
		}
		corpus.err = synth.Generate(1, corpus.n, func(d model.Document) error {
			_, err := corpus.st.PutDocument(ctx, &d, store.Raw{})
			return err
		})
	})
	if corpus.err != nil {
		b.Fatal(corpus.err)
	}
	return corpus.st, corpus.n
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// plainDoc is what plain bleve indexes: the same fields, default mapping.
type plainDoc struct {
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Source    string    `json:"source"`
	Tags      []string  `json:"tags"`
	Language  string    `json:"language"`
	Published time.Time `json:"published"`
	Official  bool      `json:"official"`
}

// indexPlain builds a default-mapping bleve index of the store at dir.
func indexPlain(b *testing.B, st *store.Store, dir string) {
	bi, err := bleve.NewUsing(dir, bleve.NewIndexMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		b.Fatal(err)
	}
	var cursor int64
	for {
		docs, err := st.DocumentsAfter(context.Background(), cursor, syncBatch)
		if err != nil {
			b.Fatal(err)
		}
		if len(docs) == 0 {
			break
		}
		batch := bi.NewBatch()
		for _, d := range docs {
			batch.Index(docID(d.ID), plainDoc{d.Title, d.Text, d.SourceID, d.Tags, d.Language, d.Published, d.Official})
		}
		cursor = docs[len(docs)-1].Seq
		batch.SetInternal(keyCursor, encodeCursor(cursor))
		if err := bi.Batch(batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := bi.Close(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkIndex(b *testing.B) {
	st, n := benchStore(b)
	run := func(b *testing.B, build func(dir string)) {
		var size int64
		var took, cpu time.Duration
		for i := 0; b.Loop(); i++ {
			dir := filepath.Join(b.TempDir(), "index")
			start, cpu0 := time.Now(), cputime.Used()
			build(dir)
			took += time.Since(start)
			cpu += cputime.Used() - cpu0
			size = dirSize(dir)
		}
		// On a shared machine wall time depends on the neighbours; CPU time
		// (all goroutines, including bleve's persister and merger) less so.
		b.ReportMetric(float64(n)*float64(b.N)/took.Seconds(), "docs/s")
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "docs/cpu-s")
		b.ReportMetric(float64(size)/float64(n), "bytes/doc")
	}
	b.Run("watchline", func(b *testing.B) {
		run(b, func(dir string) {
			ix, err := Open(filepath.Dir(dir))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ix.Sync(context.Background(), st); err != nil {
				b.Fatal(err)
			}
			ix.Close()
		})
	})
	b.Run("watchline-no-term-vectors", func(b *testing.B) {
		run(b, func(dir string) {
			m, err := newMapping()
			if err != nil {
				b.Fatal(err)
			}
			for _, f := range families {
				for _, name := range []string{titleField(f.name), textField(f.name)} {
					m.DefaultMapping.Properties[name].Fields[0].IncludeTermVectors = false
				}
			}
			bi, err := bleve.NewUsing(dir, m, scorch.Name, scorch.Name, nil)
			if err != nil {
				b.Fatal(err)
			}
			var cursor int64
			for {
				docs, err := st.DocumentsAfter(context.Background(), cursor, syncBatch)
				if err != nil {
					b.Fatal(err)
				}
				if len(docs) == 0 {
					break
				}
				batch := bi.NewBatch()
				for i := range docs {
					batch.Index(docID(docs[i].ID), indexable(&docs[i]))
				}
				cursor = docs[len(docs)-1].Seq
				batch.SetInternal(keyCursor, encodeCursor(cursor))
				if err := bi.Batch(batch); err != nil {
					b.Fatal(err)
				}
			}
			bi.Close()
		})
	})
	b.Run("bleve-default", func(b *testing.B) {
		run(b, func(dir string) { indexPlain(b, st, dir) })
	})
}

// benchIndexes builds both indexes once for the query benchmarks.
var benchIndexes struct {
	once  sync.Once
	ix    *Index
	plain bleve.Index
}

func queryIndexes(b *testing.B) (*store.Store, *Index, bleve.Index) {
	st, _ := benchStore(b)
	benchIndexes.once.Do(func() {
		dir := filepath.Join(benchDir, "watchline")
		ix, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ix.Sync(context.Background(), st); err != nil {
			b.Fatal(err)
		}
		benchIndexes.ix = ix
		pdir := filepath.Join(benchDir, "plain")
		indexPlain(b, st, pdir)
		benchIndexes.plain, err = bleve.Open(pdir)
		if err != nil {
			b.Fatal(err)
		}
	})
	return st, benchIndexes.ix, benchIndexes.plain
}

// latency runs fn many times and reports mean and p99 in milliseconds.
func latency(b *testing.B, fn func()) {
	const runs = 200
	fn() // warm up
	var ds []time.Duration
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		for range runs {
			start, cpu0 := time.Now(), cputime.Used()
			fn()
			ds = append(ds, time.Since(start))
			cpu += cputime.Used() - cpu0
		}
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(ds))/1000, "cpu-ms")
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	b.ReportMetric(float64(sum.Microseconds())/float64(len(ds))/1000, "mean-ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// Queries over the synthetic corpus. Synthetic story keywords and people are
// what a journalist would search for; the filters cut by date and source.
var (
	benchFrom = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	benchTo   = time.Date(2022, 12, 31, 0, 0, 0, 0, time.UTC)
	benchSrcs = []string{"daily-ledger", "gov-press", "metro-record", "evening-times", "capital-sentinel"}
)

func BenchmarkQuery(b *testing.B) {
	st, ix, plain := queryIndexes(b)
	ctx := context.Background()
	cases := []struct {
		name  string
		r     Request
		plain func() *bleve.SearchRequest
	}{
		{"term", Request{Query: "espionage", Limit: 20}, func() *bleve.SearchRequest {
			q := query.NewMatchQuery("espionage")
			q.SetField("text")
			return bleve.NewSearchRequestOptions(q, 10, 0, false)
		}},
		{"phrase", Request{Query: `"national security"`, Limit: 10}, func() *bleve.SearchRequest {
			q := query.NewMatchPhraseQuery("national security")
			q.SetField("text")
			return bleve.NewSearchRequestOptions(q, 10, 0, false)
		}},
		{"boolean+date+source", Request{Query: "(espionage OR surveillance) AND embassy -sanctions", From: benchFrom, To: benchTo, Sources: benchSrcs, Limit: 10},
			func() *bleve.SearchRequest {
				t := func(s string) query.Query { q := query.NewMatchQuery(s); q.SetField("text"); return q }
				yes := true
				dr := query.NewDateRangeInclusiveQuery(benchFrom, benchTo, &yes, &yes)
				dr.SetField("published")
				var srcs []query.Query
				for _, s := range benchSrcs {
					tq := query.NewTermQuery(s)
					tq.SetField("source")
					srcs = append(srcs, tq)
				}
				q := query.NewBooleanQuery([]query.Query{query.NewDisjunctionQuery([]query.Query{t("espionage"), t("surveillance")}),
					t("embassy"), dr, query.NewDisjunctionQuery(srcs)}, nil, []query.Query{t("sanctions")})
				return bleve.NewSearchRequestOptions(q, 10, 0, false)
			}},
		{"facets", Request{Query: "security", Facets: true, Limit: 10}, func() *bleve.SearchRequest {
			q := query.NewMatchQuery("security")
			q.SetField("text")
			req := bleve.NewSearchRequestOptions(q, 10, 0, false)
			for _, f := range []string{"source", "tags", "official", "language"} {
				req.AddFacet(f, bleve.NewFacetRequest(f, 50))
			}
			return req
		}},
	}
	for _, c := range cases {
		b.Run("watchline/"+c.name, func(b *testing.B) {
			latency(b, func() {
				if _, err := ix.Search(ctx, st, c.r); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run("watchline-engine-only/"+c.name, func(b *testing.B) {
			p, err := Parse(c.r.Query)
			if err != nil {
				b.Fatal(err)
			}
			latency(b, func() {
				pr, bi, unlock, err := ix.prepare(p, c.r)
				if err != nil {
					b.Fatal(err)
				}
				req := bleve.NewSearchRequestOptions(pr.q, 10, 0, false)
				req.SortByCustom(pr.sort)
				if c.r.Facets {
					for _, name := range FacetNames {
						req.AddFacet(name, bleve.NewFacetRequest(facetFields[name].field, facetFields[name].size))
					}
				}
				if _, err := bi.Search(req); err != nil {
					b.Fatal(err)
				}
				unlock()
			})
		})
		b.Run("bleve-default/"+c.name, func(b *testing.B) {
			latency(b, func() {
				if _, err := plain.Search(c.plain()); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
