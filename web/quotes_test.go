package web

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// TestDocumentQuotes: the document API lists the document's quotes with
// rune offsets into its text, and the document page shows them escaped.
func TestDocumentQuotes(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := &model.Document{CanonicalURL: "https://courier.example/q", SourceID: "courier", Title: "Council will appeal",
		Text:      "Ann Cole said on Monday that the café rules would change.\n\n“<b>Nobody</b> wins this way,” Ann Cole said.",
		Published: time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC), ContentHash: "q1", Language: "en"}
	if _, err := st.PutDocument(ctx, d, store.Raw{}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Store: st, Config: testConfig(), Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	f := &fixture{st: st, srv: srv, ts: ts}

	_, body := f.get(t, "/api/documents/1")
	var got struct {
		Document model.Document
		Quotes   []model.Quote
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if len(got.Quotes) != 2 || got.Quotes[0].Kind != model.QuoteIndirect || got.Quotes[1].Kind != model.QuoteDirect ||
		got.Quotes[1].Speaker != "Ann Cole" {
		t.Fatalf("quotes = %+v", got.Quotes)
	}
	r := []rune(got.Document.Text)
	for _, q := range got.Quotes {
		if string(r[q.Start:q.End]) != q.Text {
			t.Errorf("quote %q: runes [%d:%d] are %q", q.Text, q.Start, q.End, string(r[q.Start:q.End]))
		}
	}
	_, page := f.get(t, "/documents/1")
	if !strings.Contains(page, `id="quotes-h"`) || !strings.Contains(page, "&lt;b&gt;Nobody&lt;/b&gt; wins this way") ||
		strings.Contains(page, "<b>Nobody</b>") {
		t.Errorf("document page quotes missing or unescaped:\n%s", page)
	}
}
