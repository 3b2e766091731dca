package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"scale below smallest size", []string{"bench", "--scale", "--scale-max", "5000"}, "scale-max"},
		{"stray argument", []string{"bench", "now"}, "unexpected argument"},
		{"unknown flag", []string{"bench", "--fast"}, "fast"},
		{"bad subscription list", []string{"bench", "--subs", "100,x"}, "--subs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), &out, &errb)
			if code != 2 {
				t.Errorf("exit code = %d, want 2 (stderr %q)", code, errb.String())
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr = %q, want it to mention %q", errb.String(), tt.want)
			}
		})
	}
}

// TestBenchCommand runs the command end to end on a tiny corpus: a table on
// stdout, a progress bar on stderr and a JSON report with every section.
func TestBenchCommand(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "bench.json")
	args := []string{"bench", "--quick", "--docs", "150", "--reps", "1", "--queries", "2", "--no-peers",
		"--subs", "3", "--alert-docs", "10", "--crawl-pages", "5",
		"--work", dir, "--out", report}
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit code = %d, stderr:\n%s", code, errb.String())
	}
	for _, s := range []string{"INGEST", "SEARCH", "TARGETS"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("stdout lacks %s:\n%s", s, out.String())
		}
	}
	if !strings.Contains(errb.String(), "[#") {
		t.Errorf("stderr has no progress bar: %q", errb.String())
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Machine struct {
			CPUs int `json:"cpus"`
		} `json:"machine"`
		Runs []struct {
			Docs int `json:"docs"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report: %v", err)
	}
	if rep.Machine.CPUs <= 0 || len(rep.Runs) != 1 || rep.Runs[0].Docs != 150 {
		t.Errorf("report = %+v, want the machine and one run of 150 documents", rep)
	}
}
