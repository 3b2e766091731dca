package extract

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// benchPage builds a ~30 KB news page from the jsonld-news fixture: the same
// head, navigation, related box and footer, with the body grown to the size
// of a long article.
func benchPage(b *testing.B) []byte {
	b.Helper()
	page, err := os.ReadFile(filepath.Join("testdata", "pages", "jsonld-news.html"))
	if err != nil {
		b.Fatal(err)
	}
	var extra bytes.Buffer
	for i := 0; extra.Len()+len(page) < 30<<10; i++ {
		fmt.Fprintf(&extra, "<p>Paragraph %d of the background section: the case turned on whether the "+
			"government would describe China as a threat to national security, a form of words the "+
			"prosecution needed under the 1911 Act, and on the evidence of officials about it.</p>\n"+
			"<div class=\"share-bar\"><a href=\"/share?i=%d\">Share</a> <a href=\"/tweet?i=%d\">Post</a></div>\n", i, i, i)
	}
	marker := []byte(`</div></article>`)
	i := bytes.Index(page, marker)
	if i < 0 {
		b.Fatal("marker not found in fixture")
	}
	out := append([]byte{}, page[:i]...)
	out = append(out, extra.Bytes()...)
	return append(out, page[i:]...)
}

// BenchmarkHTML reports pages per second on a ~30 KB article page.
func BenchmarkHTML(b *testing.B) {
	benchHTML(b, benchPage(b))
}

// benchHTML times HTML on one page.
func benchHTML(b *testing.B, page []byte) {
	ctx := context.Background()
	opt := Options{URL: "https://www.northernledger.example/uk/spy-case-collapses"}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := HTML(ctx, page, "text/html; charset=utf-8", opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkTrafilaturaAlone is the peer of BenchmarkHTML: plain
// go-trafilatura, as its benchmark runs it (fallback extractors on), on the
// same page. HTML should stay within a small factor of it.
func BenchmarkTrafilaturaAlone(b *testing.B) {
	page := benchPage(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		doc, err := html.Parse(bytes.NewReader(page))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := trafilatura.ExtractDocument(doc, trafilatura.Options{EnableFallback: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkHTMLNoMetadata is BenchmarkHTML on the same page without its
// JSON-LD and meta dates: with no date evidence at all, go-htmldate's
// extensive whole-page search runs (the worst case).
func BenchmarkHTMLNoMetadata(b *testing.B) {
	page := regexp.MustCompile(`(?s)<script type="application/ld\+json">.*?</script>|<meta[^>]+(published|modified)_time[^>]*>|<time[^>]*>`).ReplaceAll(benchPage(b), nil)
	benchHTML(b, page)
}
