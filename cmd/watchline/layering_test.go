package main

import (
	"os/exec"
	"strings"
	"testing"
)

// allowed lists, for each package, the watchline packages it may import:
// dependencies point down (cmd → web → pipeline → crawler/index/timeline/alert
// → store → model), as DESIGN.md draws them.
var allowed = map[string][]string{
	"model":                 {},
	"netguard":              {},
	"internal/cputime":      {},
	"internal/litfilter":    {},
	"terminal":              {},
	"store":                 {"model"},
	"store/postgres":        {"store", "model"},
	"store/postgres/pgtest": {},
	"store/storetest":       {"store", "model"},
	"config":                {"model", "netguard"},
	"extract":               {"model", "internal/litfilter"},
	"synth":                 {"model"},
	"eval":                  {"crawler", "timeline", "store", "model", "score"},
	"score":                 {},
	"demo":                  {"model"},
	"index":                 {"store", "model"},
	"crawler":               {"store", "model", "config", "extract", "netguard"},
	"crawler/crawlertest":   {"model"},
	"timeline":              {"store", "model", "terminal", "internal/litfilter"},
	"alert":                 {"index", "store", "model", "config", "netguard"},
	"pipeline":              {"crawler", "index", "timeline", "alert", "store", "model", "config"},
	"web":                   {"pipeline", "crawler", "index", "timeline", "alert", "store", "model", "config", "extract"},
	"bench":                 {"web", "pipeline", "crawler", "crawler/crawlertest", "index", "timeline", "alert", "store", "model", "config", "extract", "synth", "demo"},
}

const module = "github.com/watchline/watchline/"

func TestDependenciesPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		if strings.HasPrefix(pkg, "cmd/") {
			continue // commands wire everything together
		}
		may, known := allowed[pkg]
		if !known {
			t.Errorf("package %s is not in the layering table; add it to allowed with the packages it may import", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if strings.Contains(imp, "blevesearch/bleve") && pkg != "index" {
				t.Errorf("%s imports %s: only index may import bleve", pkg, imp)
			}
			// Only store writes SQL; bench's FTS5 peer is measuring
			// equipment with a scratch database of its own (see bench/fts5.go).
			if (imp == "database/sql" || strings.HasPrefix(imp, "modernc.org/sqlite")) && pkg != "store" && pkg != "bench" {
				t.Errorf("%s imports %s: only store writes SQL", pkg, imp)
			}
			dep, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			if !contains(may, dep) {
				t.Errorf("%s imports %s: not allowed (may import %v)", pkg, dep, may)
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
