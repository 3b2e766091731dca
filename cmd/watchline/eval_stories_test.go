package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvalClusteringAndTimeline runs both evaluations on tiny labelled sets
// written for this test, in the formats of the shared evaluation data.
func TestEvalClusteringAndTimeline(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i, r := range contractRows {
		cluster := map[int]int{0: 1, 1: 1, 2: 1, 3: 1, 7: 1, 4: 2, 5: 2, 6: 2, 8: 3, 9: 3}[i]
		row, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("%03d", i), "cluster": cluster, "text": strings.ToLower(r.title)})
		b.Write(row)
		b.WriteByte('\n')
	}
	stream := filepath.Join(dir, "stream.jsonl")
	if err := os.WriteFile(stream, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "clustering.json")
	code, stdout, errs := runCLI(t, "eval", "clustering", "--set", stream, "--batches", "2", "--out", out)
	if code != 0 {
		t.Fatalf("eval clustering exit %d: %s", code, errs)
	}
	var res []clusteringResult
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Docs != len(contractRows) || res[0].Gold != 3 || res[0].Batches != 2 ||
		res[0].Stories.Clusters == 0 || res[0].Stories.BCubed.Precision <= 0 || !strings.Contains(stdout, "stories as assigned") {
		t.Errorf("eval clustering = %+v\n%s", res, stdout)
	}

	// Timeline: two days of reports of a flood, its gold timeline naming
	// both days.
	t17 := filepath.Join(dir, "t17")
	os.MkdirAll(t17, 0o755)
	arts := []map[string]string{
		{"topic": "flood", "corpus": "flood_news", "id": "1", "published": "2021-07-14", "title": "River bursts its banks",
			"text": "River bursts its banks\nThe river burst its banks on Wednesday and flooded the old town.\n"},
		{"topic": "flood", "corpus": "flood_news", "id": "2", "published": "2021-07-14", "title": "Old town under water",
			"text": "Old town under water\nResidents left their homes as the river rose.\n"},
		{"topic": "flood", "corpus": "flood_news", "id": "3", "published": "2021-07-16", "title": "Clean-up begins",
			"text": "Clean-up begins\nThe clean-up of the old town began on Friday as the water fell.\n"},
		{"topic": "flood", "corpus": "flood_news", "id": "4", "published": "2021-07-20", "title": "", "text": ""},
	}
	var ab strings.Builder
	for _, a := range arts {
		row, _ := json.Marshal(a)
		ab.Write(row)
		ab.WriteByte('\n')
	}
	os.WriteFile(filepath.Join(t17, "articles.jsonl"), []byte(ab.String()), 0o644)
	tl, _ := json.Marshal(map[string]any{"topic": "flood", "corpus": "flood_news", "timeline_file": "gold.txt",
		"entries": []map[string]any{{"date": "2021-07-14", "sentences": []string{"The river burst its banks."}},
			{"date": "2021-07-16", "sentences": []string{"The clean-up began."}}}})
	os.WriteFile(filepath.Join(t17, "timelines.jsonl"), append(tl, '\n'), 0o644)
	code, stdout, errs = runCLI(t, "eval", "timeline", "--set", t17)
	if code != 0 {
		t.Fatalf("eval timeline exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "P 1.000 R 1.000") || !strings.Contains(stdout, "PubCount baseline") {
		t.Errorf("eval timeline did not find both days:\n%s", stdout)
	}

	if code, _, _ := runCLI(t, "eval", "clustering"); code != 2 {
		t.Errorf("eval clustering without --set: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "eval", "poetry", "--set", dir); code != 2 {
		t.Errorf("unknown evaluation: exit %d, want 2", code)
	}
}
