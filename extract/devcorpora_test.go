package extract

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	htmldate "github.com/markusmobius/go-htmldate"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// devEntry is one page of a library's own evaluation set with its gold values.
type devEntry struct {
	URL, File, Date string
	With, Without   []string
}

// loadLiteralEntries reads the composite literals of a Go data file (the
// libraries keep their evaluation gold as Go source) without compiling it.
func loadLiteralEntries(t testing.TB, path string) []devEntry {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Skipf("parse %s: %v", path, err)
	}
	str := func(e ast.Expr) string {
		if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
			s, _ := strconv.Unquote(bl.Value)
			return s
		}
		return ""
	}
	strs := func(e ast.Expr) []string {
		var out []string
		if cl, ok := e.(*ast.CompositeLit); ok {
			for _, el := range cl.Elts {
				out = append(out, str(el))
			}
		}
		return out
	}
	var out []devEntry
	ast.Inspect(f, func(n ast.Node) bool {
		var key string
		var cl *ast.CompositeLit
		switch x := n.(type) {
		case *ast.KeyValueExpr:
			if c, ok := x.Value.(*ast.CompositeLit); ok {
				key, cl = str(x.Key), c
			}
		case *ast.CompositeLit:
			cl = x
		}
		if cl == nil {
			return true
		}
		var e devEntry
		e.URL = key
		found := false
		for _, el := range cl.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			id, ok := kv.Key.(*ast.Ident)
			if !ok {
				continue
			}
			switch id.Name {
			case "URL":
				e.URL = str(kv.Value)
			case "File":
				e.File, found = str(kv.Value), true
			case "Date":
				e.Date = str(kv.Value)
			case "With":
				e.With = strs(kv.Value)
			case "Without":
				e.Without = strs(kv.Value)
			}
		}
		if found {
			out = append(out, e)
			return false
		}
		return true
	})
	return out
}

func modDir(t testing.TB, mod string) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod).Output()
	if err != nil {
		t.Skipf("module %s: %v", mod, err)
	}
	return strings.TrimSpace(string(out))
}

// TestDevDates scores publication dates on go-htmldate's own evaluation
// pages, beside go-htmldate alone. Development only: WATCHLINE_DEV=1.
func TestDevDates(t *testing.T) {
	if os.Getenv("WATCHLINE_DEV") == "" {
		t.Skip("set WATCHLINE_DEV=1")
	}
	dir := modDir(t, "github.com/markusmobius/go-htmldate")
	var entries []devEntry
	for _, f := range []string{"data-mediacloud.go", "data-default.go"} {
		entries = append(entries, loadLiteralEntries(t, filepath.Join(dir, "scripts", "comparison", f))...)
	}
	withURL := os.Getenv("WATCHLINE_DEV_URL") != ""
	var n, ours, lib, oursMissing, libMissing int
	var oursTime, libTime time.Duration
	var halfOurs, halfLib, halfN [2]int
	for _, e := range entries {
		var body []byte
		var err error
		for _, sub := range []string{"mediacloud", "comparison", "mock"} {
			if body, err = os.ReadFile(filepath.Join(dir, "test-files", sub, e.File)); err == nil {
				break
			}
		}
		if err != nil {
			continue
		}
		n++
		u := ""
		if withURL {
			u = e.URL
		}
		t0 := time.Now()
		art, err := HTML(context.Background(), body, "", Options{URL: u, AnyText: true})
		oursTime += time.Since(t0)
		got := ""
		if art != nil && !art.Published.IsZero() {
			got = art.Published.Format(time.DateOnly)
		}
		if got == "" {
			oursMissing++
		}
		if got == e.Date {
			ours++
		}
		t0 = time.Now()
		doc, _ := html.Parse(strings.NewReader(string(body)))
		lr, _ := htmldate.FromDocument(doc, htmldate.Options{UseOriginalDate: true, URL: u})
		libTime += time.Since(t0)
		lgot := ""
		if !lr.IsZero() {
			lgot = lr.Format(time.DateOnly)
		}
		if lgot == "" {
			libMissing++
		}
		if lgot == e.Date {
			lib++
			halfLib[n%2]++
		}
		if got == e.Date {
			halfOurs[n%2]++
		}
		halfN[n%2]++
		if got != e.Date && os.Getenv("WATCHLINE_DEV_V") != "" {
			src := ""
			if art != nil {
				src = string(art.PublishedSource)
			}
			t.Logf("%s want %s got %s (%s) lib %s err=%v", e.File, e.Date, got, src, lgot, err)
		}
	}
	t.Logf("pages %d: watchline %.3f (%d missing), go-htmldate %.3f (%d missing); time watchline (all of extraction) %v, go-htmldate alone %v",
		n, float64(ours)/float64(n), oursMissing, float64(lib)/float64(n), libMissing, oursTime, libTime)
	for h := range 2 {
		t.Logf("half %d (%d pages): watchline %.3f, go-htmldate %.3f", h, halfN[h], float64(halfOurs[h])/float64(halfN[h]), float64(halfLib[h])/float64(halfN[h]))
	}
}

// TestDevText scores text on go-trafilatura's own evaluation pages (snippets
// that must and must not appear), beside go-trafilatura alone with fallback.
func TestDevText(t *testing.T) {
	if os.Getenv("WATCHLINE_DEV") == "" {
		t.Skip("set WATCHLINE_DEV=1")
	}
	dir := modDir(t, "github.com/markusmobius/go-trafilatura")
	entries := loadLiteralEntries(t, filepath.Join(dir, "scripts", "comparison", "data.go"))
	type ev struct{ tp, fn, fp, tn int }
	score := func(e devEntry, text string, s *ev) (bad []string) {
		for _, w := range e.With {
			if strings.Contains(text, w) {
				s.tp++
			} else {
				s.fn++
				bad = append(bad, "-"+w)
			}
		}
		for _, w := range e.Without {
			if strings.Contains(text, w) {
				s.fp++
				bad = append(bad, "+"+w)
			} else {
				s.tn++
			}
		}
		return bad
	}
	var ours, lib ev
	var halfOurs, halfLib [2]ev // pages split by odd and even index, to check a change helps both
	n, failed := 0, 0
	var oursTime, libTime time.Duration
	for _, e := range entries {
		var body []byte
		var err error
		for _, sub := range []string{"comparison", "mock"} {
			if body, err = os.ReadFile(filepath.Join(dir, "test-files", sub, e.File)); err == nil {
				break
			}
		}
		if err != nil {
			continue
		}
		n++
		t0 := time.Now()
		art, err := HTML(context.Background(), body, "", Options{URL: e.URL, AnyText: true})
		oursTime += time.Since(t0)
		text := ""
		if err != nil {
			failed++
			t.Logf("%s: %v", e.File, err)
		} else {
			text = art.Text
		}
		bad := score(e, text, &ours)
		score(e, text, &halfOurs[n%2])
		t0 = time.Now()
		doc, _ := html.Parse(strings.NewReader(string(body)))
		u, _ := urlParse(e.URL)
		res, lerr := trafilatura.ExtractDocument(doc, trafilatura.Options{EnableFallback: true, OriginalURL: u})
		libTime += time.Since(t0)
		ltext := ""
		if lerr == nil {
			ltext = res.ContentText
		}
		lbad := score(e, ltext, &lib)
		score(e, ltext, &halfLib[n%2])
		if v := os.Getenv("WATCHLINE_DEV_V"); (v == "1" && len(bad) > len(lbad)) || (v == "fp" && strings.Contains(fmt.Sprint(bad), "+")) {
			t.Logf("%s: ours %q lib %q err=%v", e.File, bad, lbad, err)
		}
	}
	f := func(s ev) string {
		p := float64(s.tp) / float64(s.tp+s.fp)
		r := float64(s.tp) / float64(s.tp+s.fn)
		return strconv.FormatFloat(p, 'f', 3, 64) + "/" + strconv.FormatFloat(r, 'f', 3, 64) + "/" +
			strconv.FormatFloat(2*p*r/(p+r), 'f', 3, 64)
	}
	t.Logf("pages %d (%d failed): watchline P/R/F %s, go-trafilatura+fallback %s; time watchline %v, go-trafilatura alone %v", n, failed, f(ours), f(lib), oursTime, libTime)
	for h := range 2 {
		t.Logf("half %d: watchline P/R/F %s, go-trafilatura+fallback %s", h, f(halfOurs[h]), f(halfLib[h]))
	}
}

// TestDevReadability scores text with the article-extraction benchmark's
// metric (4-gram shingle P/R/F1, see shingleMatch) on go-readability's test
// pages (Mozilla Readability's, real news and blog pages), beside
// go-trafilatura alone with fallback. The gold is Readability's expected
// output, not a person's: it keeps captions, headlines and "Related:" link
// lines that benchmark gold leaves out, so the figure is a check on recall
// rather than a target. Development only: WATCHLINE_DEV=1; the pages are
// read from the module cache (go-readability is an indirect dependency).
func TestDevReadability(t *testing.T) {
	if os.Getenv("WATCHLINE_DEV") == "" {
		t.Skip("set WATCHLINE_DEV=1")
	}
	dir := filepath.Join(modDir(t, "github.com/go-shiori/go-readability"), "test-pages")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("read %s: %v", dir, err)
	}
	var ours, lib []shingleScore
	var half [2][2][]shingleScore // pages split by odd and even index
	failed := 0
	for i, e := range ents {
		body, err := os.ReadFile(filepath.Join(dir, e.Name(), "source.html"))
		if err != nil {
			continue
		}
		exp, err := os.ReadFile(filepath.Join(dir, e.Name(), "expected.html"))
		if err != nil {
			continue
		}
		groot, err := html.Parse(strings.NewReader(string(exp)))
		if err != nil {
			continue
		}
		gold := strings.Join(renderBlocks(groot, false), "\n")
		text := ""
		if art, err := HTML(context.Background(), body, "", Options{AnyText: true}); err == nil {
			text = art.Text
		} else {
			failed++
			t.Logf("%s: %v", e.Name(), err)
		}
		ltext := ""
		if doc, err := html.Parse(strings.NewReader(string(body))); err == nil {
			if res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{EnableFallback: true}); err == nil {
				ltext = res.ContentText
			}
		}
		s, ls := shingleMatch(gold, text), shingleMatch(gold, ltext)
		ours, lib = append(ours, s), append(lib, ls)
		half[i%2][0] = append(half[i%2][0], s)
		half[i%2][1] = append(half[i%2][1], ls)
		if os.Getenv("WATCHLINE_DEV_V") != "" {
			t.Logf("%-40s P %.3f R %.3f | go-trafilatura P %.3f R %.3f", e.Name(), s.precision(), s.recall(), ls.precision(), ls.recall())
		}
	}
	p, r, f := shingleMeans(ours)
	lp, lr, lf := shingleMeans(lib)
	t.Logf("pages %d (%d failed): watchline P/R/F %.3f/%.3f/%.3f, go-trafilatura+fallback %.3f/%.3f/%.3f", len(ours), failed, p, r, f, lp, lr, lf)
	for h := range 2 {
		p, r, f := shingleMeans(half[h][0])
		lp, lr, lf := shingleMeans(half[h][1])
		t.Logf("half %d: watchline P/R/F %.3f/%.3f/%.3f, go-trafilatura+fallback %.3f/%.3f/%.3f", h, p, r, f, lp, lr, lf)
	}
}

func urlParse(s string) (*url.URL, error) { return url.Parse(s) }

// TestDevDatesDump writes every page's date evidence, go-htmldate's answer
// and the gold date to $WATCHLINE_DEV_DUMP for offline analysis.
func TestDevDatesDump(t *testing.T) {
	out := os.Getenv("WATCHLINE_DEV_DUMP")
	if out == "" {
		t.Skip("set WATCHLINE_DEV_DUMP=file")
	}
	dir := modDir(t, "github.com/markusmobius/go-htmldate")
	var entries []devEntry
	for _, f := range []string{"data-mediacloud.go", "data-default.go"} {
		entries = append(entries, loadLiteralEntries(t, filepath.Join(dir, "scripts", "comparison", f))...)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	now := time.Now()
	for _, e := range entries {
		var body []byte
		for _, sub := range []string{"mediacloud", "comparison", "mock"} {
			if body, err = os.ReadFile(filepath.Join(dir, "test-files", sub, e.File)); err == nil {
				break
			}
		}
		if err != nil {
			continue
		}
		text, _, _ := Decode(body, "")
		root, _, err := parseHTML(text)
		if err != nil {
			continue
		}
		doc := goquery.NewDocumentFromNode(root)
		main := mainRoot(doc)
		canon := canonicalURL(doc, "")
		tag := htmlLangTag(doc)
		dr := findDates(doc, main, canon, time.Time{}, now, dateOrderFor(tag))
		lib := libraryDate(root, canon, now, true)
		type cand struct {
			Src  string  `json:"src"`
			Conf float64 `json:"conf"`
			Date string  `json:"date"`
			TS   string  `json:"ts"`
		}
		rec := struct {
			File  string `json:"file"`
			Gold  string `json:"gold"`
			Lib   string `json:"lib"`
			Canon string `json:"canon"`
			Lang  string `json:"lang"`
			Mod   string `json:"mod"`
			Cands []cand `json:"cands"`
		}{File: e.File, Gold: e.Date, Canon: canon, Lang: tag}
		if !lib.IsZero() {
			rec.Lib = lib.Format(time.DateOnly)
		}
		if !dr.modified.IsZero() {
			rec.Mod = dr.modified.Format(time.DateOnly)
		}
		for _, c := range dr.cands {
			rec.Cands = append(rec.Cands, cand{string(c.src), c.conf, c.t.Format(time.DateOnly), c.t.Format(time.RFC3339)})
		}
		enc.Encode(rec)
	}
}

// TestDevShow prints watchline's output for one corpus page: WATCHLINE_SHOW=name.
func TestDevShow(t *testing.T) {
	name := os.Getenv("WATCHLINE_SHOW")
	if name == "" {
		t.Skip("set WATCHLINE_SHOW=page")
	}
	body, err := os.ReadFile(filepath.Join("testdata", "corpus", name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	art, err := HTML(context.Background(), body, "", Options{AnyText: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("title %q date %s (%s %.2f) authors %q lang %s fallback %v\n%s", art.Title, art.Published, art.PublishedSource, art.PublishedConfidence, art.Authors, art.Language, art.Fallback, art.Text)
}

// TestDevWhy shows, for one file of go-trafilatura's evaluation pages
// (WATCHLINE_WHY=file), the paragraphs the cleaner removed.
func TestDevWhy(t *testing.T) {
	name := os.Getenv("WATCHLINE_WHY")
	if name == "" {
		t.Skip("set WATCHLINE_WHY=file")
	}
	var body []byte
	var err error
	for _, dir := range []string{
		filepath.Join(modDir(t, "github.com/markusmobius/go-trafilatura"), "test-files", "comparison"),
		filepath.Join(modDir(t, "github.com/markusmobius/go-trafilatura"), "test-files", "mock"),
		filepath.Join(modDir(t, "github.com/markusmobius/go-htmldate"), "test-files", "comparison"),
		filepath.Join(modDir(t, "github.com/markusmobius/go-htmldate"), "test-files", "mediacloud"),
		filepath.Join("testdata", "corpus"),
	} {
		if body, err = os.ReadFile(filepath.Join(dir, name)); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	text, _, _ := Decode(body, "")
	root, _, _ := parseHTML(text)
	doc := goquery.NewDocumentFromNode(root)
	pb := scanBlocks(root, pageTitles(doc))
	res, err := runTrafilatura(root, "", cjk(doc))
	if err != nil {
		t.Fatal(err)
	}
	pb.titles = append(pb.titles, res.Metadata.Title)
	raw := renderExtracted(res.ContentNode)
	kept := map[string]bool{}
	for _, p := range pb.clean(raw) {
		kept[p] = true
	}
	for i, p := range raw {
		if !kept[p] {
			f := pb.flags[blockKey(p)]
			t.Logf("removed %d (flags %06b, phrase %v, dateline %v): %q", i, f, boilerplatePhrase(p, true), isDateline(p), p)
		}
	}
}

// BenchmarkDevPages runs HTML over the first 150 of go-trafilatura's
// evaluation pages (WATCHLINE_DEV=1), for profiles on real pages.
func BenchmarkDevPages(b *testing.B) {
	if os.Getenv("WATCHLINE_DEV") == "" {
		b.Skip("set WATCHLINE_DEV=1")
	}
	dir := filepath.Join(modDir(b, "github.com/markusmobius/go-trafilatura"), "test-files", "comparison")
	files, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	var pages [][]byte
	for _, f := range files[:min(150, len(files))] {
		body, err := os.ReadFile(f)
		if err == nil {
			pages = append(pages, body)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			HTML(context.Background(), p, "", Options{AnyText: true})
		}
	}
	b.ReportMetric(float64(b.N*len(pages))/b.Elapsed().Seconds(), "pages/s")
}
