package crawler

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/watchline/watchline/crawler/crawlertest"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

func TestImport(t *testing.T) {
	long := crawlertest.PlainArticle.Text()
	other := crawlertest.ArrestArticle.Text()
	ndjson := `{"url":"https://example.org/a?utm_source=x","title":"A","text":` + quote(long) + `,"published":"2025-04-10T11:00:00Z","source":"archive"}
{"url":"https://example.org/b","title":"B","text":` + quote(other) + `,"published":"2025-03-04"}

{"url":"ftp://example.org/c","text":"some text"}
{"url":"https://example.org/d","text":""}
not json at all
{"url":"https://example.org/e","text":"words words","published":"last Tuesday"}
{"url":"https://example.org/a-copy","title":"A again","text":` + quote(long) + `}
`
	csv := "url,title,text,published,source\n" +
		"https://example.org/x,X," + csvQuote(long) + ",2025-04-10,csvsrc\n" +
		"https://example.org/y,Y,too,few\n" +
		",Z,no url,,\n" +
		"https://example.org/w,W,\"multi\nline text that goes on for a while\",2025-01-02,\n" +
		"https://example.org/v,V,\"unterminated,2025-01-02,\n"
	tests := []struct {
		name, format, input string
		wantNew, wantDup    int
		wantBad             []int // line numbers
	}{
		{"ndjson", "ndjson", ndjson, 2, 1, []int{4, 5, 6, 7}},
		{"ndjson detected", "", ndjson, 2, 1, []int{4, 5, 6, 7}},
		// The first row's text spans lines 2–6 (its paragraphs are separated by
		// blank lines), so the bad rows are on lines 7, 8 and 11.
		{"csv", "csv", csv, 2, 0, []int{7, 8, 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			rep, err := Import(ctx, st, strings.NewReader(tt.input), tt.format)
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, b := range rep.Bad {
				lines = append(lines, b.Line)
			}
			if rep.New != tt.wantNew || rep.Duplicates != tt.wantDup || !equalInts(lines, tt.wantBad) {
				t.Errorf("report %+v; bad lines %v, want %d new, %d duplicate, bad %v", rep, lines, tt.wantNew, tt.wantDup, tt.wantBad)
			}
			for _, b := range rep.Bad {
				if b.Reason == "" {
					t.Errorf("line %d has no reason", b.Line)
				}
			}
			var docs []model.Document
			st.EachDocument(ctx, store.DocFilter{}, func(d model.Document) error { docs = append(docs, d); return nil })
			for _, d := range docs {
				if d.ContentHash != ContentHash(d.Text) || d.PublishedSource != "import" || d.Published.IsZero() {
					t.Errorf("%s: hash %q, published %v (%s)", d.URL, d.ContentHash, d.Published, d.PublishedSource)
				}
			}
			if tt.format != "csv" {
				d, err := st.DocumentByURL(ctx, "https://example.org/a")
				if err != nil || d.SourceID != "archive" || len(d.URLs) != 2 {
					t.Errorf("doc a = %+v, %v; want source archive and the copy's URL as an alias", d, err)
				}
			}
		})
	}
	t.Run("csv without header columns", func(t *testing.T) {
		st, _ := store.Open(context.Background(), t.TempDir())
		defer st.Close()
		_, err := Import(context.Background(), st, strings.NewReader("https://example.org/x,X,text\n"), "csv")
		if err == nil || !strings.Contains(err.Error(), "header") {
			t.Errorf("err = %v, want a header error", err)
		}
	})
}

func TestDetectFormat(t *testing.T) {
	tests := []struct{ name, head, want string }{
		{"a.csv", "{", "csv"}, {"a.ndjson", "url", "ndjson"}, {"a.jsonl", "", "ndjson"},
		{"a.txt", "  {\"url\"", "ndjson"}, {"a", "url,title", "csv"}, {"-", "\ufeff{", "ndjson"},
	}
	for _, tt := range tests {
		if got := DetectFormat(tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("DetectFormat(%q, %q) = %q, want %q", tt.name, tt.head, got, tt.want)
		}
	}
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func csvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func newTestReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }

// TestImportCSVRecovers: a 10,000-row CSV whose row 5,000 opens a quote it
// never closes (issue 17) used to lose every row after it into one "bad
// row". Reading recovers at the next line that parses as a record, reports
// the skipped line range, and never reports fewer bad rows than it lost.
func TestImportCSVRecovers(t *testing.T) {
	const rows = 10000
	var b strings.Builder
	b.WriteString("url,title,text,published,source\n")
	for i := 1; i <= rows; i++ {
		title := fmt.Sprintf("Row %d", i)
		if i%10 == 0 {
			title = fmt.Sprintf(`"Row %d, with a comma"`, i) // quotes later in the file
		}
		text := fmt.Sprintf("Report %d on the registry: filing %d was reviewed by clerk %d.", i, i*7919, i%97)
		if i == 5000 {
			text = `"` + text // opened, never closed
		}
		fmt.Fprintf(&b, "https://example.org/r/%d,%s,%s,2025-01-02,csv\n", i, title, text)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := Import(ctx, st, strings.NewReader(b.String()), "csv")
	if err != nil {
		t.Fatal(err)
	}
	// Row 5,000 is on line 5,001 (the header is line 1).
	if rep.New != rows-1 || len(rep.Bad) != 1 || rep.Bad[0].Line != 5001 || rep.Bad[0].End() != 5001 {
		t.Fatalf("imported %d new (want %d), bad %+v (want line 5001 alone)", rep.New, rows-1, rep.Bad)
	}
	if lost := rows - rep.New; rep.BadRows() < lost {
		t.Errorf("%d rows lost but %d reported bad", lost, rep.BadRows())
	}
	if _, err := st.DocumentByURL(ctx, "https://example.org/r/5001"); err != nil {
		t.Errorf("the row after the broken one: %v", err)
	}
	if _, err := st.DocumentByURL(ctx, "https://example.org/r/10000"); err != nil {
		t.Errorf("the last row: %v", err)
	}

	// A second broken row whose stray quote closes the first one's: the
	// lines between are records of their own, not one long text field.
	var c strings.Builder
	c.WriteString("url,title,text,published,source\n")
	for i := 1; i <= 20; i++ {
		text := fmt.Sprintf("Report %d on the registry.", i)
		switch i {
		case 5:
			text = `"` + text
		case 15:
			text += `"`
		}
		fmt.Fprintf(&c, "https://example.org/s/%d,Row %d,%s,2025-01-02,csv\n", i, i, text)
	}
	st2, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	rep, err = Import(ctx, st2, strings.NewReader(c.String()), "csv")
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, bad := range rep.Bad {
		lines = append(lines, bad.Line)
	}
	if rep.New != 18 || !equalInts(lines, []int{6, 16}) || rep.BadRows() < 20-rep.New {
		t.Errorf("imported %d new (want 18), bad %+v (want lines 6 and 16)", rep.New, rep.Bad)
	}
}

func TestImportReportCounts(t *testing.T) {
	in := "url,title,text\nhttps://example.org/1,A,one text\nhttps://example.org/2,B\n\"oops,x,y\nhttps://example.org/3,C,three text\n"
	st, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := Import(context.Background(), st, strings.NewReader(in), "csv")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 4 || rep.New != 2 || rep.BadRows() != 2 {
		t.Errorf("report %+v: want 4 rows, 2 new, 2 bad", rep)
	}
}
