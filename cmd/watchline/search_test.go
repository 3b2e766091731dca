package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

func searchFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	texts := []string{
		"Prosecutors dropped the China spy case against two men.",
		"MI5 warned that Chinese officers recruit through LinkedIn.",
		"The embassy called the spy claims pure fabrication.",
	}
	for i, text := range texts {
		sum := sha256.Sum256([]byte(text))
		d := model.Document{CanonicalURL: fmt.Sprintf("https://example.org/%d", i), SourceID: fmt.Sprintf("src%d", i),
			Title: fmt.Sprintf("Story %d", i), Text: text, Language: "en", Official: i == 2,
			Published: time.Date(2025, 9, 15+i, 0, 0, 0, 0, time.UTC), ContentHash: hex.EncodeToString(sum[:])}
		if _, err := st.PutDocument(context.Background(), &d, store.Raw{}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSearchCommand(t *testing.T) {
	dir := searchFixture(t)
	code, out, errs := runCLI(t, "search", "--data", dir, "--format", "json", "spy")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Query string `json:"query"`
		Total int    `json:"total"`
		Hits  []struct {
			ID      int64  `json:"id"`
			URL     string `json:"url"`
			Snippet struct {
				Marked  string   `json:"marked"`
				Offsets [][2]int `json:"offsets"`
			} `json:"snippet"`
			Similar int `json:"similar"`
		} `json:"hits"`
		Facets map[string][]struct {
			Value string `json:"value"`
			Count int    `json:"count"`
		} `json:"facets"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	if res.Total != 2 || len(res.Hits) != 2 || !strings.Contains(res.Hits[0].Snippet.Marked, "[[spy]]") || len(res.Facets["source"]) != 2 {
		t.Errorf("json result: %+v", res)
	}

	code, out, _ = runCLI(t, "search", "--data", dir, "--format", "ndjson", "--limit", "0", "spy OR LinkedIn")
	if lines := strings.Count(out, "\n"); code != 0 || lines != 3 {
		t.Errorf("ndjson --limit 0: exit %d, %d lines:\n%s", code, lines, out)
	}
	code, out, _ = runCLI(t, "search", "--data", dir, "--format", "csv", "--official", "spy")
	if code != 0 || !strings.HasPrefix(out, "rank,id,") || strings.Count(out, "\n") != 2 {
		t.Errorf("csv: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "search", "--data", dir, "--to", "2025-09-15", "spy")
	if code != 0 || !strings.Contains(out, "Story 0") || strings.Contains(out, "Story 2") {
		t.Errorf("text with --to: exit %d\n%s", code, out)
	}
	code, _, errs = runCLI(t, "search", "--data", dir, "(China AND spy")
	if code != 2 || !strings.Contains(errs, "unbalanced parenthesis") || !strings.Contains(errs, "^") {
		t.Errorf("bad query: exit %d, %s", code, errs)
	}
	code, out, errs = runCLI(t, "reindex", "--data", dir)
	if code != 0 || !strings.Contains(out, "indexed 3 documents") || !strings.Contains(errs, "100%") {
		t.Errorf("reindex: exit %d, %s %s", code, out, errs)
	}
}
