package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzReadJSON feeds arbitrary bodies to the API's JSON request decoding
// for the request types the API accepts: it must never panic, and a body it
// rejects must map to a 400 with a message, never a 500.
func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"query":"MI5 AND (LinkedIn OR recruit*)","webhook":"https://example.org/hook","digest":"daily@08:00","time_zone":"Europe/London"}`))
	f.Add([]byte(`{"query":"spy","sources":["a","b"],"official":true,"days":7,"backfill":"168h"}`))
	f.Add([]byte(`{"title":"Case dropped","type":"discontinued","happened":"2025-09-15"}`))
	f.Add([]byte(`{"query":"x","unknown_field":1}`))
	f.Add([]byte(`{"query":`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte(`{"days":1e400}`))
	f.Add([]byte("\xff\xfe{}"))
	f.Add([]byte(`{"sources":[` + string(bytes.Repeat([]byte(`"s",`), 1000)) + `"s"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []any{&apiSubscriptionIn{}, &apiEventEditIn{}, &struct {
			IDs []int64 `json:"ids"`
		}{}} {
			r := httptest.NewRequest(http.MethodPost, "/api/subscriptions", bytes.NewReader(body))
			err := readJSON(r, v)
			if err == nil {
				in, ok := v.(*apiSubscriptionIn)
				if !ok {
					continue
				}
				if _, err = in.subscription(); err == nil {
					continue
				}
			}
			if status, _ := statusOf(err); status != http.StatusBadRequest {
				t.Fatalf("body %q: error %v maps to HTTP %d, want 400", body, err, status)
			}
			if err.Error() == "" {
				t.Fatalf("body %q: empty error message", body)
			}
		}
	})
}
