package timeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// textMatcher is a tiny real matcher: documents whose title or text contains
// the query, case-insensitively. The search index does this properly; the
// timeline only needs ids.
type textMatcher struct{ st *store.Store }

func (m textMatcher) IDs(ctx context.Context, q string) ([]int64, error) {
	var ids []int64
	q = strings.ToLower(q)
	err := m.st.EachDocument(ctx, store.DocFilter{}, func(d model.Document) error {
		if strings.Contains(strings.ToLower(d.Title+" "+d.Text), q) {
			ids = append(ids, d.ID)
		}
		return nil
	})
	return ids, err
}

func fixtureTimeline(t *testing.T) (*Timeline, *store.Store, map[string]int64) {
	t.Helper()
	st, ids := loadCorpus(t, fixtureCorpus(t))
	if _, err := NewClusterer(st, newAnalyzer(t), Options{}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return New(st, textMatcher{st}), st, ids
}

func titles(t *testing.T, tl *Timeline, q Query) []string {
	t.Helper()
	var out []string
	err := tl.Each(context.Background(), q, func(e Entry) error {
		out = append(out, DateString(e.Happened, e.Precision)+" "+string(e.Type))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTimelineQuery(t *testing.T) {
	tl, _, _ := fixtureTimeline(t)
	day := func(s string) time.Time { d, _, _ := ParseDate(s); return d }
	tests := []struct {
		name string
		q    Query
		want string
	}{
		{"query, in happened order", Query{Query: "Holloway"}, "2024-02-12 hearing,2024-03-11 hearing"},
		{"type filter", Query{Types: []model.EventType{model.TypeVerdict, model.TypeSentencing}}, "2024-07-19 verdict,2024-09-13 sentencing"},
		{"date range", Query{From: day("2024-06-01"), To: day("2024-07-31")}, "2024-06-03 warning,2024-07-19 verdict"},
		{"source filter", Query{Sources: []string{"doj"}}, "2024-11-20 charge"},
		{"official filter and query", Query{Query: "sanctions", Official: true}, "2024-10-03 policy"},
		{"no match", Query{Query: "lighthouse"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(titles(t, tl, tt.q), ","); got != tt.want {
				t.Errorf("timeline = %q, want %q", got, tt.want)
			}
		})
	}
	if err := New(tl.st, nil).Each(context.Background(), Query{Query: "x"}, func(Entry) error { return nil }); err != ErrNoMatcher {
		t.Errorf("query without a matcher: err = %v, want ErrNoMatcher", err)
	}
}

func TestEventSources(t *testing.T) {
	tl, st, ids := fixtureTimeline(t)
	e, err := tl.Event(context.Background(), eventOf(t, st, ids["c1-wire"]))
	if err != nil {
		t.Fatal(err)
	}
	// The official release came first, then the wire, then the paper.
	if e.FirstDocumentID != ids["c1-doj"] {
		t.Errorf("first document = %d, want the DOJ release %d", e.FirstDocumentID, ids["c1-doj"])
	}
	if len(e.PrimaryDocumentIDs) != 1 || e.PrimaryDocumentIDs[0] != ids["c1-doj"] {
		t.Errorf("primary documents = %v, want [%d]", e.PrimaryDocumentIDs, ids["c1-doj"])
	}
	var order []int64
	for _, s := range e.Sources {
		order = append(order, s.DocumentID)
	}
	want := []int64{ids["c1-doj"], ids["c1-wire"], ids["c1-gazette"]}
	if len(order) != 3 || order[0] != want[0] || order[1] != want[1] || order[2] != want[2] {
		t.Errorf("sources in order %v, want %v", order, want)
	}
	if len(e.Quotes) < 2 {
		t.Errorf("quotes = %+v, want the lawyer's and the official's", e.Quotes)
	}
	if e.Type != model.TypeCharge || e.TypeEvidence == "" {
		t.Errorf("type = %s (%q), want charge with evidence", e.Type, e.TypeEvidence)
	}
	found := false
	for _, a := range e.Actors {
		if a.Name == "Priya Lendl" && a.Kind == "person" && a.Mentions >= 2 {
			found = true
		}
	}
	if !found {
		t.Errorf("actors = %+v, want Priya Lendl with her mentions", e.Actors)
	}
}

func TestExportGolden(t *testing.T) {
	tl, _, _ := fixtureTimeline(t)
	ctx := context.Background()
	seq, err := tl.Seq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := Query{Title: "Espionage cases (fixtures)"}
	h := Header{Title: q.Title, Query: q, Generated: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), StoreSeq: seq}
	var count int
	tl.Each(ctx, q, func(Entry) error { count++; return nil })
	ext := map[string]string{"text": "txt", "csv": "csv", "json": "json", "ndjson": "ndjson", "timelinejs": "timeline.json", "ics": "ics", "md": "md"}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := Export(ctx, tl, q, h, format, &buf)
			if err != nil {
				t.Fatal(err)
			}
			if n != count {
				t.Errorf("exported %d events, want %d", n, count)
			}
			checkFormat(t, format, buf.Bytes(), count, seq)
			checkGolden(t, filepath.Join("testdata", "golden", "fixtures."+ext[format]), buf.Bytes())
		})
	}
	if _, err := NewWriter("pdf", &bytes.Buffer{}); err == nil {
		t.Errorf("unknown format accepted")
	}
}

// checkGolden compares got with the golden file at path, or rewrites the file
// under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended)", path)
	}
}

// checkFormat checks what each format promises, whatever the golden file says.
func checkFormat(t *testing.T, format string, b []byte, events int, seq int64) {
	t.Helper()
	s := string(b)
	switch format {
	case "csv":
		if !strings.Contains(s, "\r\n") {
			t.Errorf("CSV lines must end in CRLF")
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("CSV does not parse: %v", err)
		}
		if len(rows) != events+1 || rows[0][0] != "id" {
			t.Errorf("CSV has %d rows (header %v), want a header and %d events", len(rows), rows[0], events)
		}
	case "json":
		var v struct {
			StoreSeq int64             `json:"store_seq"`
			Events   []json.RawMessage `json:"events"`
			Count    int               `json:"count"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("JSON does not parse: %v", err)
		}
		if len(v.Events) != events || v.Count != events || v.StoreSeq != seq {
			t.Errorf("JSON has %d events, count %d, seq %d; want %d, %d, %d", len(v.Events), v.Count, v.StoreSeq, events, events, seq)
		}
	case "ndjson":
		lines := strings.Split(strings.TrimSpace(s), "\n")
		if len(lines) != events+1 {
			t.Errorf("NDJSON has %d lines, want a header and %d events", len(lines), events)
		}
		for i, l := range lines {
			if !json.Valid([]byte(l)) {
				t.Errorf("NDJSON line %d is not JSON", i+1)
			}
		}
	case "timelinejs":
		var v struct {
			Title struct {
				Text struct{ Headline string } `json:"text"`
			} `json:"title"`
			Events []struct {
				StartDate struct{ Year, Month, Day string } `json:"start_date"`
				Text      struct{ Headline, Text string }   `json:"text"`
				Media     *struct{ URL, Caption, Credit string }
				Group     string `json:"group"`
				UniqueID  string `json:"unique_id"`
			} `json:"events"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("TimelineJS does not parse: %v", err)
		}
		seen := map[string]bool{}
		for _, e := range v.Events {
			if e.StartDate.Year == "" || e.Text.Headline == "" || e.UniqueID == "" || e.Group == "" || !strings.Contains(e.Text.Text, "First reported by <a href=") {
				t.Errorf("TimelineJS event incomplete: %+v", e)
			}
			if e.Media != nil {
				// TimelineJS loads media.url as an image or embed; an article
				// page is neither, and shows as a broken image.
				t.Errorf("TimelineJS event %s has media %q; the link belongs in the text", e.UniqueID, e.Media.URL)
			}
			if seen[e.UniqueID] {
				t.Errorf("unique_id %s repeated", e.UniqueID)
			}
			seen[e.UniqueID] = true
		}
		if len(v.Events) != events || v.Title.Text.Headline == "" {
			t.Errorf("TimelineJS has %d events and title %q", len(v.Events), v.Title.Text.Headline)
		}
	case "ics":
		if !strings.HasSuffix(s, "END:VCALENDAR\r\n") {
			t.Errorf("ICS does not end with END:VCALENDAR CRLF")
		}
		for i, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
			if len(line) > 75 {
				t.Errorf("ICS line %d is %d octets, over 75", i+1, len(line))
			}
			if strings.Contains(line, "\n") {
				t.Errorf("ICS line %d has a bare LF", i+1)
			}
		}
		if n := strings.Count(s, "BEGIN:VEVENT\r\n"); n != events {
			t.Errorf("ICS has %d events, want %d", n, events)
		}
		for _, must := range []string{"VERSION:2.0\r\n", "PRODID:", "DTSTAMP:20250102T030405Z", "DTSTART;VALUE=DATE:", "UID:event-"} {
			if !strings.Contains(s, must) {
				t.Errorf("ICS lacks %q", must)
			}
		}
	}
}

func TestICSFoldingAndEscaping(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter("ics", &buf)
	w.Begin(Header{Title: "T", Generated: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	long := strings.Repeat("Ünïcødé, semicolons; and back\\slashes ", 8)
	w.Event(Entry{Event: model.Event{ID: 1, Title: long, Happened: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Precision: model.PrecisionMonth}})
	w.End()
	s := buf.String()
	var unfolded strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets", i+1, len(line))
		}
		if !strings.HasPrefix(line, " ") && i > 0 {
			unfolded.WriteString("\n")
		}
		unfolded.WriteString(strings.TrimPrefix(line, " "))
	}
	want := "SUMMARY:" + strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`).Replace(long)
	if !strings.Contains(unfolded.String(), want) {
		t.Errorf("unfolded summary is not the escaped title")
	}
	if !strings.Contains(s, "DTSTART;VALUE=DATE:20240301\r\nDTEND;VALUE=DATE:20240401\r\n") {
		t.Errorf("a month-precision event should span the month:\n%s", s)
	}
}

// TestExportPrecisionAndQuery writes hand-made entries through every format:
// publication dates known only to the day, a month- and a year-precision
// event, an edited one, and a query with quotes in it. Each format must show
// a day-only date without "00:00", and the query as typed, not re-quoted with
// backslashes.
func TestExportPrecisionAndQuery(t *testing.T) {
	day := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	query := `"Priya Lendl" OR Holloway`
	h := Header{Title: "Timeline: " + query, Generated: day("2025-01-02T03:04:05Z"), StoreSeq: 42,
		Query: Query{Topic: "lendl-case", Query: query, Types: []model.EventType{model.TypeCharge, model.TypeStatement},
			From: day("2024-01-01T00:00:00Z"), Sources: []string{"wire", "ministry"}}}
	entries := []Entry{
		{Event: model.Event{ID: 7, Title: "Prosecutors drop the \"Lendl\" case", Happened: day("2025-09-01T00:00:00Z"),
			Precision: model.PrecisionMonth, DateConfidence: 0.6, Type: model.TypeDiscontinued, TypeConfidence: 0.9,
			FirstDocumentID: 71, PrimaryDocumentIDs: []int64{70}, DocumentIDs: []int64{71, 70}},
			Sources: []store.EventSource{
				{DocumentID: 71, URL: "https://wire.example/story?id=1&ref=rss", SourceID: "wire", Title: "Case dropped", Published: day("2025-09-15T16:05:00Z")},
				{DocumentID: 70, URL: "https://ministry.example/statement", SourceID: "ministry", Title: "Statement on the case", Published: day("2025-09-15T00:00:00Z"), PublishedPrecision: model.PrecisionDay, Official: true},
			}},
		{Event: model.Event{ID: 8, Title: "Embassy rejects the claims", Happened: day("2025-10-16T00:00:00Z"),
			Precision: model.PrecisionDay, DateConfidence: 0.9, DatePhrase: "on Thursday", Type: model.TypeStatement,
			TypeConfidence: 0.8, FirstDocumentID: 80, PrimaryDocumentIDs: []int64{80}, DocumentIDs: []int64{80}, Edited: true},
			EditedFields: []string{"title"},
			Sources: []store.EventSource{
				{DocumentID: 80, URL: "https://embassy.example/remarks.htm", SourceID: "embassy", Title: "Remarks", Published: day("2025-10-16T00:00:00Z"), PublishedPrecision: model.PrecisionDay, Official: true},
			}},
		{Event: model.Event{ID: 9, Title: "Review of the law begins", Happened: day("2023-01-01T00:00:00Z"),
			Precision: model.PrecisionYear, DateConfidence: 0.4, Type: model.TypePolicy, TypeConfidence: 0.5,
			FirstDocumentID: 90, DocumentIDs: []int64{90}},
			Sources: []store.EventSource{
				{DocumentID: 90, URL: "https://courier.example/review", SourceID: "courier", Title: "A review", Published: day("2023-02-03T07:30:00Z")},
			}},
	}
	ext := map[string]string{"text": "txt", "csv": "csv", "json": "json", "ndjson": "ndjson", "timelinejs": "timeline.json", "ics": "ics", "md": "md"}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(format, &buf)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Begin(h); err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if err := w.Event(e); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.End(); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			checkFormat(t, format, buf.Bytes(), len(entries), h.StoreSeq)
			switch format {
			case "json", "ndjson":
				// JSON escapes a quote once (\"); a re-quoted query would show \\\".
				if strings.Contains(out, `\\\"`) || strings.Contains(out, `\u0026`) || !strings.Contains(out, `"query":"\"Priya Lendl\" OR Holloway"`) {
					t.Errorf("%s re-quotes the query or escapes &:\n%s", format, out)
				}
				if !strings.Contains(out, `"published_precision":"day"`) {
					t.Errorf("%s does not say which publication dates are known only to the day", format)
				}
			case "timelinejs":
				if strings.Contains(out, `\\\"`) || strings.Contains(out, `\u0026`) || !strings.Contains(out, `query: \"Priya Lendl\" OR Holloway`) {
					t.Errorf("%s re-quotes the query or escapes &:\n%s", format, out)
				}
			case "csv":
				rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
				col := slices.Index(rows[0], "query")
				if got := rows[1][col]; !strings.Contains(got, `query: "Priya Lendl" OR Holloway`) || strings.Contains(got, `\`) {
					t.Errorf("CSV query column = %q, want the query as typed", got)
				}
				if col := slices.Index(rows[0], "first_published"); rows[2][col] != "2025-10-16" {
					t.Errorf("CSV first_published of a day-only date = %q, want 2025-10-16", rows[2][col])
				}
			default:
				if strings.Contains(out, `\"`) || !strings.Contains(out, `query: "Priya Lendl" OR Holloway`) {
					t.Errorf("%s does not carry the query as typed:\n%s", format, out)
				}
			}
			if format != "json" && format != "ndjson" {
				for _, midnight := range []string{"2025-09-15 00:00", "2025-09-15T00:00", "15 Sep 2025 00:00", "2025-10-16 00:00", "2025-10-16T00:00", "16 Oct 2025 00:00"} {
					if strings.Contains(out, midnight) {
						t.Errorf("%s shows a day-only date as midnight (%s):\n%s", format, midnight, out)
					}
				}
			}
			checkGolden(t, filepath.Join("testdata", "golden", "precision."+ext[format]), buf.Bytes())
		})
	}
}

// TestTextExportEscapesControls: the text export goes to a terminal, so a
// hostile page's title, URL or a query cannot carry control characters or
// escape sequences into it, nor forge a line of the listing.
func TestTextExportEscapesControls(t *testing.T) {
	evil := "Spy case\x1b]0;pwned\x07\r\nforged line\u202e"
	var buf bytes.Buffer
	w, err := NewWriter("text", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Begin(Header{Title: "Timeline: " + evil, Query: Query{Query: evil}}); err != nil {
		t.Fatal(err)
	}
	err = w.Event(Entry{Event: model.Event{ID: 1, Title: evil, Type: model.TypeArrest, FirstDocumentID: 2, DocumentIDs: []int64{2}},
		Sources: []store.EventSource{{DocumentID: 2, URL: "https://x.example/a\x1b[2J", SourceID: "wire", Title: evil}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.End(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("text export carries %q:\n%q", bad, out)
		}
	}
	if got := strings.Count(out, "\n"); got != 4 { // header, two lines of the event, the count
		t.Errorf("text export has %d lines, want 4:\n%s", got, out)
	}
	if !strings.Contains(out, `Spy case\x1b]0;pwned\x07\r\nforged line\u202e`) {
		t.Errorf("text export does not show the escaped title:\n%s", out)
	}
}

// TestPublishedKeepsThePagesDay: a publication time stated with an offset is
// written on the page's own day, with its offset; UTC times as before, and a
// page's local midnight (a CMS writing a date as 00:00+02:00) is a date.
func TestPublishedKeepsThePagesDay(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	tests := []struct {
		in        time.Time
		text, iso string
	}{
		{at("2025-10-08T00:30:00+01:00"), "2025-10-08 00:30 +01:00", "2025-10-08T00:30:00+01:00"},
		{at("2025-10-07T23:30:00Z"), "2025-10-07 23:30", "2025-10-07T23:30:00Z"},
		{at("2025-10-08T00:00:00+02:00"), "2025-10-08", "2025-10-08"},
		{at("2025-10-08T00:00:00Z"), "2025-10-08", "2025-10-08"},
		{at("2025-10-08T01:00:00+01:00"), "2025-10-08 01:00 +01:00", "2025-10-08T01:00:00+01:00"},
	}
	for _, tt := range tests {
		if got := PublishedString(tt.in); got != tt.text {
			t.Errorf("PublishedString(%s) = %q, want %q", tt.in, got, tt.text)
		}
		if got := publishedRFC3339(tt.in); got != tt.iso {
			t.Errorf("publishedRFC3339(%s) = %q, want %q", tt.in, got, tt.iso)
		}
	}
}
