package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/watchline/watchline/model"
)

func collect(t *testing.T, seed int64, n int) ([]model.Document, []Truth) {
	t.Helper()
	var docs []model.Document
	var truths []Truth
	err := GenerateTruth(seed, n, func(d model.Document, tr Truth) error {
		docs = append(docs, d)
		truths = append(truths, tr)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs, truths
}

func TestDeterministic(t *testing.T) {
	a, _ := collect(t, 42, 300)
	b, _ := collect(t, 42, 300)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different documents")
	}
	c, _ := collect(t, 43, 300)
	if reflect.DeepEqual(a[0], c[0]) {
		t.Fatal("different seeds gave the same first document")
	}
	// A shorter run is a prefix of a longer one.
	short, _ := collect(t, 42, 50)
	if !reflect.DeepEqual(short, a[:50]) {
		t.Fatal("first 50 of 300 differ from a run of 50")
	}
}

func TestDocumentsAreComplete(t *testing.T) {
	docs, truths := collect(t, 7, 2000)
	urls := map[string]bool{}
	sources := map[string]bool{}
	var wires, stories, official, words int
	for i, d := range docs {
		if d.CanonicalURL == "" || urls[d.CanonicalURL] {
			t.Fatalf("doc %d: canonical URL %q empty or repeated", i, d.CanonicalURL)
		}
		urls[d.CanonicalURL] = true
		sum := sha256.Sum256([]byte(d.Text))
		if d.ContentHash != hex.EncodeToString(sum[:]) {
			t.Fatalf("doc %d: content hash is not sha256 of the text", i)
		}
		if d.Title == "" || d.SourceID == "" || d.Language != "en" || d.Published.IsZero() || d.Fetched.Before(d.Published) {
			t.Fatalf("doc %d: missing fields: %+v", i, d)
		}
		if y := d.Published.Year(); y < 2015 || y > 2026 {
			t.Fatalf("doc %d: published %v outside 2015–2026", i, d.Published)
		}
		n := len(strings.Fields(d.Text))
		if n < 100 || n > 3500 {
			t.Fatalf("doc %d: %d words", i, n)
		}
		words += n
		sources[d.SourceID] = true
		if d.Official {
			official++
		}
		if tr := truths[i]; tr.WireOf >= 0 {
			wires++
			orig := docs[tr.WireOf]
			if orig.SourceID == d.SourceID || !strings.Contains(d.Text, orig.Text) || d.Text == orig.Text {
				t.Fatalf("doc %d: wire copy of %d is not a near-identical copy from another source", i, tr.WireOf)
			}
		}
		if truths[i].Story != "" {
			stories++
		}
	}
	if wires < 50 || wires > 150 {
		t.Errorf("wire copies = %d of 2000, want about 5%%", wires)
	}
	if stories < 200 {
		t.Errorf("story documents = %d of 2000, want more", stories)
	}
	if official == 0 || official > 400 {
		t.Errorf("official documents = %d of 2000", official)
	}
	if len(sources) < 40 {
		t.Errorf("sources = %d, want about 50", len(sources))
	}
	if avg := words / len(docs); avg < 450 || avg > 800 {
		t.Errorf("average length %d words, want about 600", avg)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		Generate(1, 1000, func(model.Document) error { return nil })
	}
}
