package bench

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	trafilatura "github.com/markusmobius/go-trafilatura"
	xhtml "golang.org/x/net/html"

	"github.com/watchline/watchline/extract"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/synth"
)

// Extract is article extraction alone, one goroutine (so per core), on
// synthetic ~30 KB news pages, beside go-trafilatura alone (its fallback
// extractors on, as its own benchmarks run it) on the same pages.
type Extract struct {
	Pages           int     `json:"pages"`
	AvgBytes        int     `json:"avg_bytes"`
	PagesPerSec     float64 `json:"pages_per_sec"`      // extract.HTML: text, dates, language, links
	PeerPagesPerSec float64 `json:"peer_pages_per_sec"` // go-trafilatura alone
}

// extractPageBytes is the size the benchmark pages are padded to: a news
// article page without its scripts and styles.
const extractPageBytes = 30 << 10

// maxExtractPages bounds the pages measured: a few hundred give a stable rate.
const maxExtractPages = 300

// extraction times extract.HTML and plain go-trafilatura over the same
// synthetic article pages, each sequentially on one goroutine.
func (e *env) extraction(ctx context.Context) (Extract, error) {
	n := min(e.cfg.CrawlPages, maxExtractPages)
	var pages [][]byte
	total := 0
	err := synth.Generate(e.cfg.Seed+77, n, func(d model.Document) error {
		p := extractPage(d, len(pages))
		pages = append(pages, p)
		total += len(p)
		return nil
	})
	if err != nil {
		return Extract{}, err
	}
	x := Extract{Pages: len(pages)}
	if len(pages) == 0 {
		return x, nil
	}
	x.AvgBytes = total / len(pages)
	e.p.phase(fmt.Sprintf("extract %d pages", len(pages)), int64(2*len(pages)))
	t0 := time.Now()
	for i, p := range pages {
		if _, err := extract.HTML(ctx, p, "text/html; charset=utf-8", extract.Options{}); err != nil {
			return x, fmt.Errorf("page %d: %w", i, err)
		}
		e.p.set(int64(i + 1))
	}
	x.PagesPerSec = float64(len(pages)) / time.Since(t0).Seconds()
	t0 = time.Now()
	for i, p := range pages {
		doc, err := xhtml.Parse(bytes.NewReader(p))
		if err != nil {
			return x, err
		}
		if _, err := trafilatura.ExtractDocument(doc, trafilatura.Options{EnableFallback: true}); err != nil {
			return x, fmt.Errorf("go-trafilatura, page %d: %w", i, err)
		}
		e.p.set(int64(len(pages) + i + 1))
	}
	x.PeerPagesPerSec = float64(len(pages)) / time.Since(t0).Seconds()
	return x, nil
}

// extractPage renders a synthetic document as a news page of about
// extractPageBytes: metadata in the head, navigation, the article with a
// byline, a picture caption and an inline "read more" link, then a related
// box, a comment thread and a footer, the article repeated as a long read
// when the document is short.
func extractPage(d model.Document, i int) []byte {
	var b strings.Builder
	esc := html.EscapeString
	pub := d.Published.UTC().Format(time.RFC3339)
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s | Bench Daily</title>\n", esc(d.Title))
	fmt.Fprintf(&b, "<link rel=\"canonical\" href=\"https://bench.example/news/%06d\">\n<meta property=\"article:published_time\" content=\"%s\">\n", i, pub)
	fmt.Fprintf(&b, "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":%q,\"datePublished\":%q}</script>\n", d.Title, pub)
	b.WriteString("</head><body><header class=\"site-header\"><nav><ul>")
	for j := 0; j < 40; j++ {
		fmt.Fprintf(&b, "<li><a href=\"/section-%d/\">Section %d</a></li>", j, j)
	}
	b.WriteString("</ul></nav></header>\n<main><article>")
	fmt.Fprintf(&b, "<h1>%s</h1><p class=\"byline\">By Bench Staff <time datetime=\"%s\">%s</time></p>\n", esc(d.Title), pub, d.Published.UTC().Format("2 January 2006"))
	fmt.Fprintf(&b, "<figure><img src=\"/p/%d.jpg\" alt=\"\"><figcaption>A picture for story %d. Photograph: Bench Agency</figcaption></figure>\n", i, i)
	paras := strings.Split(d.Text, "\n\n")
	for len(paras) < 12 {
		paras = append(paras, paras...)
	}
	for j, p := range paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
		if j == 2 {
			fmt.Fprintf(&b, "<aside class=\"read-more\"><a href=\"/news/%06d\">Read more: an earlier story</a></aside>\n", i+1)
		}
	}
	b.WriteString("</article></main>\n<section class=\"related\"><h2>More stories</h2><ul>")
	for j := 0; b.Len() < extractPageBytes*3/4; j++ {
		fmt.Fprintf(&b, "<li><a href=\"/news/%06d\">Another headline about the news of the day, number %d</a><span class=\"date\">%s</span></li>", i+j, j, d.Published.UTC().Format("2 Jan 2006"))
	}
	b.WriteString("</ul></section><section id=\"comments\"><h2>Comments</h2><ol>")
	for j := 0; b.Len() < extractPageBytes-400; j++ {
		fmt.Fprintf(&b, "<li class=\"comment\"><b>reader%d</b> <time>%s</time><p>I read this with interest and have a view on it, number %d.</p></li>", j, d.Published.UTC().Format("2 Jan 2006 15:04"), j)
	}
	b.WriteString("</ol></section><footer><p>&copy; Bench Daily. All rights reserved.</p><a href=\"/about\">About</a> <a href=\"/privacy\">Privacy</a></footer></body></html>\n")
	return []byte(b.String())
}
