package eval

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/internal/cputime"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/timeline"
)

// quoteDevSet finds the quote dev set of the shared evaluation data
// (WATCHLINE_EVAL, else ../shared/eval beside the repository or its
// worktree), or "".
func quoteDevSet() string {
	dirs := []string{filepath.Join(os.Getenv("WATCHLINE_EVAL"), "quotes-dev"), "../../shared/eval/quotes-dev", "../../../shared/eval/quotes-dev"}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "polnear-dev.jsonl.gz")); err == nil {
			return d
		}
	}
	return ""
}

// BenchmarkQuotes measures quote extraction per document (direct and
// reported speech, speakers resolved): on the demo corpus, and on real news
// text when the quote dev set is present (read from its path, never
// copied). timeline's BenchmarkAnalyze, which includes it, is the peer.
//
//	go test ./eval -run XXX -bench BenchmarkQuotes
func BenchmarkQuotes(b *testing.B) {
	an, err := timeline.NewAnalyzer()
	if err != nil {
		b.Fatal(err)
	}
	arts, err := demo.Articles()
	if err != nil {
		b.Fatal(err)
	}
	sets := map[string][]model.Document{}
	for _, a := range arts {
		sets["demo"] = append(sets["demo"], model.Document{ID: 1, Title: a.Title, Text: a.Text, Published: a.Published,
			Official: a.Official, Authors: a.Authors})
	}
	if dir := quoteDevSet(); dir != "" {
		set, err := ReadQuoteSet(dir)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range set {
			sets["polnear-dev"] = append(sets["polnear-dev"], model.Document{ID: 1, Title: a.Title, Text: a.Text, Published: a.Published()})
		}
	}
	for _, name := range []string{"demo", "polnear-dev"} {
		docs := sets[name]
		if len(docs) == 0 {
			continue
		}
		b.Run(name, func(b *testing.B) {
			size := 0
			for _, d := range docs {
				size += len(d.Text)
			}
			b.SetBytes(int64(size / len(docs)))
			b.ResetTimer()
			cpu0 := cputime.Used()
			for i := 0; i < b.N; i++ {
				an.Quotes(docs[i%len(docs)])
			}
			if cpu := cputime.Used() - cpu0; cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu.Seconds(), "docs/cpu-s")
			}
		})
	}
}
