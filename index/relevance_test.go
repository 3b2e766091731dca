package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// relevanceCase is one line of testdata/relevance.json: a query over the demo
// corpus, the documents that must be in its top K and those that must not.
type relevanceCase struct {
	Query    string   `json:"query"`
	K        int      `json:"k"`
	Must     []string `json:"must"`
	MustNot  []string `json:"must_not"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	Sources  []string `json:"sources"`
	Official bool     `json:"official"`
}

// loadDemo puts the demo corpus into st the way the crawler would, wire
// copies marked as near-duplicates of their originals, and returns the store
// id of every demo article id.
func loadDemo(t testing.TB, st *store.Store) map[string]int64 {
	t.Helper()
	arts, err := demo.Articles()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	// Originals first, so a wire copy can point at its original.
	slices.SortStableFunc(arts, func(a, b demo.Article) int {
		return boolInt(a.WireOf != "") - boolInt(b.WireOf != "")
	})
	for _, a := range arts {
		sum := sha256.Sum256([]byte(a.Text))
		d := model.Document{
			CanonicalURL: "https://" + a.Source + ".demo.invalid" + a.Path,
			SourceID:     a.Source, Title: a.Title, Text: a.Text, Authors: a.Authors, Language: a.Language,
			Official: a.Official, Published: a.Published, Fetched: a.Published.Add(time.Hour),
			ContentHash: hex.EncodeToString(sum[:]), DuplicateOf: ids[a.WireOf],
		}
		if a.WireOf != "" && d.DuplicateOf == 0 {
			t.Fatalf("%s: wire copy of unknown %s", a.ID, a.WireOf)
		}
		if _, err := st.PutDocument(context.Background(), &d, store.Raw{}); err != nil {
			t.Fatal(err)
		}
		ids[a.ID] = d.ID
	}
	return ids
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestRelevance(t *testing.T) {
	b, err := os.ReadFile("testdata/relevance.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []relevanceCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("testdata/relevance.json: %v", err)
	}
	if len(cases) < 40 {
		t.Errorf("only %d relevance cases", len(cases))
	}
	st, dir := openStore(t)
	ids := loadDemo(t, st)
	names := map[int64]string{}
	for name, id := range ids {
		names[id] = name
	}
	ix := openIndex(t, dir)
	mustSync(t, ix, st)
	for i, c := range cases {
		t.Run(fmt.Sprintf("%02d %s", i+1, c.Query), func(t *testing.T) {
			r := Request{Query: c.Query, Limit: c.K, NoCollapse: true, Sources: c.Sources, Official: c.Official}
			if c.From != "" {
				r.From = day(c.From)
			}
			if c.To != "" {
				r.To = day(c.To).Add(24*time.Hour - 1)
			}
			res := mustSearch(t, ix, st, r)
			var top []string
			for _, h := range res.Hits {
				top = append(top, names[h.ID])
			}
			for _, want := range c.Must {
				if _, ok := ids[want]; !ok {
					t.Fatalf("unknown demo id %s", want)
				}
				if !slices.Contains(top, want) {
					t.Errorf("%s not in the top %d: %v", want, c.K, top)
				}
			}
			for _, not := range c.MustNot {
				if _, ok := ids[not]; !ok {
					t.Fatalf("unknown demo id %s", not)
				}
				if slices.Contains(top, not) {
					t.Errorf("%s is in the top %d: %v", not, c.K, top)
				}
			}
		})
	}
}
