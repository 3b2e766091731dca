package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExtractJSON checks the machine-readable contract of `watchline
// extract --format json FILE`: one object with fixed keys, the published
// date with the page's own offset, a saved gzip page read as such, and a
// page with no article still printing its visible text with fallback set.
func TestExtractJSON(t *testing.T) {
	dir := t.TempDir()
	article := `<html lang="fr"><head><title>Un titre</title>
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Un titre","datePublished":"2025-03-03T23:30:00-05:00"}</script>
<link rel="canonical" href="https://www.exemple.fr/2025/03/03/un-titre"></head>
<body><article><h1>Un titre</h1><p class="byline">Par Jeanne Martin</p>
<p>Le conseil municipal a voté mardi soir un budget en hausse pour les écoles de la ville, après un long débat.</p>
<p>Les élus de l'opposition ont demandé que les travaux de rénovation commencent dès cet été dans les bâtiments les plus anciens.</p>
</article></body></html>`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(article))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "a.html.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	menu := `<html><body><ul><li><a href="/a">Home</a></li><li><a href="/b">Contact us</a></li></ul></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "menu.html"), []byte(menu), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLI(t, "extract", "--format", "json", filepath.Join(dir, "a.html.gz"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	for _, key := range []string{"title", "text", "published", "published_source", "published_confidence", "authors", "canonical_url", "language", "fallback"} {
		if _, ok := got[key]; !ok {
			t.Errorf("key %q missing from %s", key, out)
		}
	}
	if got["published"] != "2025-03-03T23:30:00-05:00" {
		t.Errorf("published = %v, want the page's own offset kept", got["published"])
	}
	if got["language"] != "fr" || got["fallback"] != false || !strings.Contains(got["text"].(string), "budget en hausse") {
		t.Errorf("language %v, fallback %v, text %q", got["language"], got["fallback"], got["text"])
	}
	if a, _ := got["authors"].([]any); len(a) != 1 || a[0] != "Jeanne Martin" {
		t.Errorf("authors = %v, want the French byline's name", got["authors"])
	}

	code, out, errOut = runCLI(t, "extract", "--format", "json", filepath.Join(dir, "menu.html"))
	if code != 0 {
		t.Fatalf("a page without an article must not fail: exit %d: %s", code, errOut)
	}
	got = nil
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got["text"].(string), "Contact us") {
		t.Errorf("text = %q, want the page's visible text", got["text"])
	}
}
