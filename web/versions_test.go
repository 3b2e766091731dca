package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// TestDocumentWithDroppedVersions: a page that changed more often than the
// store keeps versions for has gaps in its version numbers; the document
// page and API compare kept versions by number.
func TestDocumentWithDroppedVersions(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	n := store.MaxVersions + 5
	var id int64
	for i := 1; i <= n; i++ {
		d := model.Document{CanonicalURL: "https://cps.example/ticker", SourceID: "cps", Title: "Ticker",
			Text: fmt.Sprintf("Count %d.", i), Language: "en", ContentHash: fmt.Sprint("ticker-", i), Published: testNow}
		if _, err := f.st.PutDocument(ctx, &d, store.Raw{}); err != nil {
			t.Fatal(err)
		}
		id = d.ID
	}
	path := "/documents/" + strconv.FormatInt(id, 10)
	for _, q := range []string{"", "?from=1&to=" + strconv.Itoa(n), "?from=" + strconv.Itoa(n-1) + "&to=" + strconv.Itoa(n)} {
		resp, body := f.get(t, path+q)
		if resp.StatusCode != 200 || !strings.Contains(body, "Count "+strconv.Itoa(n)) || (q == "" && !strings.Contains(body, strconv.Itoa(store.MaxVersions)+" kept")) {
			t.Errorf("GET %s%s: %d", path, q, resp.StatusCode)
		}
	}
	if resp, body := f.get(t, "/api"+path+"?from=2&to=3"); resp.StatusCode != 400 || !strings.Contains(body, "the first is 1, the newest "+strconv.Itoa(n)) {
		t.Errorf("comparing dropped versions: %d %s", resp.StatusCode, body)
	}
}
