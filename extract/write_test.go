package extract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	a := &Article{
		Title:               "Spy case collapses",
		Text:                "First paragraph.\n\nSecond paragraph.",
		Authors:             []string{"Harriet Vale", "Tom Okafor"},
		Language:            "en",
		CanonicalURL:        "https://example.com/a",
		Published:           time.Date(2025, 10, 15, 9, 30, 0, 0, time.FixedZone("", 3600)),
		PublishedSource:     SourceJSONLD,
		PublishedConfidence: 0.95,
	}

	var js bytes.Buffer
	if err := Write(&js, a, "json"); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("json output does not parse: %v", err)
	}
	want := map[string]any{
		"title": "Spy case collapses", "text": "First paragraph.\n\nSecond paragraph.",
		"published": "2025-10-15T09:30:00+01:00", "published_source": "json-ld", "published_confidence": 0.95,
		"modified": "", "authors": []any{"Harriet Vale", "Tom Okafor"},
		"canonical_url": "https://example.com/a", "language": "en", "fallback": false,
	}
	if fmt.Sprint(back) != fmt.Sprint(want) {
		t.Errorf("json = %v\nwant exactly %v", back, want)
	}
	if strings.Contains(js.String(), `"fallback_reason"`) {
		t.Errorf("empty fallback reason is written:\n%s", js.String())
	}

	var txt bytes.Buffer
	if err := Write(&txt, a, "text"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Title:     Spy case collapses", "Authors:   Harriet Vale, Tom Okafor",
		"Published: 2025-10-15T09:30:00+01:00 (from json-ld, confidence 0.95)", "\n\nFirst paragraph.\n\nSecond paragraph.\n"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, txt.String())
		}
	}

	if err := Write(&txt, a, "xml"); err == nil || !strings.Contains(err.Error(), "use text or json") {
		t.Errorf("unknown format: err = %v, want one naming the formats", err)
	}
}
