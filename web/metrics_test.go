package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

func TestMetricsText(t *testing.T) {
	m := NewMetrics()
	m.Add("watchline_crawl_runs_total", 1, "result", "ok")
	m.Add("watchline_crawl_runs_total", 2, "result", "ok")
	m.Add("watchline_crawl_runs_total", 1, "result", `err"or`)
	m.Observe("watchline_search_duration_seconds", 3*time.Millisecond)
	m.Observe("watchline_search_duration_seconds", 2*time.Second)
	var b strings.Builder
	if err := m.WriteText(&b, []Gauge{{Name: "watchline_store_seq", Help: "Newest seq.", Value: 42}}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"# TYPE watchline_crawl_runs_total counter\n",
		`watchline_crawl_runs_total{result="ok"} 3` + "\n",
		`watchline_crawl_runs_total{result="err\"or"} 1` + "\n",
		"# TYPE watchline_search_duration_seconds histogram\n",
		`watchline_search_duration_seconds_bucket{le="0.001"} 0` + "\n",
		`watchline_search_duration_seconds_bucket{le="0.005"} 1` + "\n",
		`watchline_search_duration_seconds_bucket{le="2.5"} 2` + "\n",
		`watchline_search_duration_seconds_bucket{le="+Inf"} 2` + "\n",
		"watchline_search_duration_seconds_count 2\n",
		"# TYPE watchline_store_seq gauge\nwatchline_store_seq 42\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %q:\n%s", want, got)
		}
	}
}

// TestCatchUpShows checks that one pass of the server's pipeline brings the
// index and the events up to date with a document stored after the server
// started, and counts it in the metrics the server shows.
func TestCatchUpShows(t *testing.T) {
	f, _ := loadDemo(t, testToken)
	ctx := context.Background()
	d := model.Document{CanonicalURL: "https://demo.example/new", SourceID: "thames-courier",
		Title: "Zanzibar consulate statement", Text: "The Zanzibar consulate issued a statement about the spy case.",
		Language: "en", Published: demoNow.Add(-time.Hour), ContentHash: "zanzibar"}
	if _, err := f.st.PutDocument(ctx, &d, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	_, body := f.get(t, "/api/search?q=Zanzibar")
	if !strings.Contains(body, `"total": 0`) {
		t.Fatalf("the new document is searchable before processing: %.200s", body)
	}
	if err := f.p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	_, body = f.get(t, "/api/search?q=Zanzibar")
	if !strings.Contains(body, `"total": 1`) {
		t.Errorf("after processing, search for the new document: %.300s", body)
	}
	_, body = f.get(t, "/api/events?q=Zanzibar")
	if !strings.Contains(body, "Zanzibar") {
		t.Errorf("after processing, no event holds the new document: %.300s", body)
	}
	_, body = f.get(t, "/metrics")
	for _, want := range []string{`watchline_index_sync_total{result="ok"}`, `watchline_consumer_lag{consumer="index"} 0`,
		`watchline_consumer_lag{consumer="timeline"} 0`, `watchline_timeline_runs_total{result="ok"}`, `watchline_timeline_documents_total 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestMonthChart(t *testing.T) {
	m := func(y int, mo time.Month) time.Time { return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC) }
	c := monthChart(map[time.Time]int{m(2024, 11): 1, m(2025, 2): 4}, func(mo time.Time) string { return "/timeline?from=" + mo.Format("2006-01") })
	if len(c.Bars) != 4 || c.Max != 4 {
		t.Fatalf("%d bars, max %d; want Nov, Dec, Jan, Feb and max 4", len(c.Bars), c.Max)
	}
	if c.Bars[1].H != 0 || c.Bars[3].H <= c.Bars[0].H {
		t.Errorf("bar heights %v, %v, %v: want an empty December and February tallest", c.Bars[0].H, c.Bars[1].H, c.Bars[3].H)
	}
	if c.Bars[0].Tick != "2024" || c.Bars[2].Tick != "2025" || c.Bars[1].Tick != "" {
		t.Errorf("year ticks %q %q %q", c.Bars[0].Tick, c.Bars[1].Tick, c.Bars[2].Tick)
	}
	if c.Bars[3].Count != 4 || c.Bars[3].URL != "/timeline?from=2025-02" || c.Bars[1].URL != "" || len(c.Months()) != 2 {
		t.Errorf("February: count %d, link %q; December link %q; %d months listed; want 4, a link, none, 2",
			c.Bars[3].Count, c.Bars[3].URL, c.Bars[1].URL, len(c.Months()))
	}
	if monthChart(nil, nil) != nil {
		t.Errorf("a chart for no events")
	}
}

// TestTimelinePageFollowsNewEvents: the timeline page keeps its answer for
// as long as the data is unchanged, and shows what was stored, indexed and
// clustered since, and an edit, at once.
func TestTimelinePageFollowsNewEvents(t *testing.T) {
	f, _ := loadDemo(t, testToken)
	ctx := context.Background()
	_, before := f.get(t, "/timeline?q=Zanzibar+OR+spy")
	if strings.Contains(before, "Zanzibar consulate") {
		t.Fatal("the page shows an event not stored yet")
	}
	if _, again := f.get(t, "/timeline?q=Zanzibar+OR+spy"); again != before {
		t.Error("the same page over the same data differs")
	}
	d := model.Document{CanonicalURL: "https://demo.example/new", SourceID: "thames-courier",
		Title: "Zanzibar consulate statement", Text: "The Zanzibar consulate issued a statement about the spy case.",
		Language: "en", Published: demoNow.Add(-time.Hour), ContentHash: "zanzibar"}
	if _, err := f.st.PutDocument(ctx, &d, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	if err := f.p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	_, after := f.get(t, "/timeline?q=Zanzibar+OR+spy")
	if !strings.Contains(after, "Zanzibar consulate") {
		t.Fatal("after processing, the timeline page does not show the new event")
	}
	evs, err := f.st.EventsOfDocuments(ctx, []int64{d.ID})
	if err != nil || evs[d.ID] == 0 {
		t.Fatalf("the new document is in no event: %v %v", evs, err)
	}
	auth := map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": "application/json"}
	if resp, body := f.do(t, http.DefaultClient, "PATCH", fmt.Sprintf("/api/events/%d", evs[d.ID]),
		`{"title": "Consulate of Zanzibar speaks"}`, auth); resp.StatusCode != http.StatusOK {
		t.Fatalf("edit: %d %.200s", resp.StatusCode, body)
	}
	if _, edited := f.get(t, "/timeline?q=Zanzibar+OR+spy"); !strings.Contains(edited, "Consulate of Zanzibar speaks") {
		t.Error("after an edit, the timeline page shows the old title")
	}
}
