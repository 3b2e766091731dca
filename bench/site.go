package bench

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
)

// site is the loopback news site the crawl benchmark fetches: article pages
// made from synthetic documents and RSS feeds listing them.
type site struct {
	srv   *httptest.Server
	mux   *http.ServeMux
	pages int
}

func newSite() *site {
	s := &site{mux: http.NewServeMux()}
	s.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
	})
	s.srv = httptest.NewServer(s.mux)
	return s
}

func (s *site) URL() string { return s.srv.URL }

func (s *site) Close() { s.srv.Close() }

// serve registers a fixed body at path.
func (s *site) serve(path, contentType string, body []byte) {
	s.mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	})
}

// article publishes d as a page and returns its path.
func (s *site) article(d model.Document) string {
	path := fmt.Sprintf("/news/%06d.html", s.pages)
	s.pages++
	pub := d.Published.UTC().Format(time.RFC3339)
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s | Bench News</title>\n", html.EscapeString(d.Title))
	fmt.Fprintf(&b, "<link rel=\"canonical\" href=\"%s%s\">\n<meta property=\"article:published_time\" content=\"%s\">\n", s.URL(), path, pub)
	b.WriteString("</head><body><header><nav><a href=\"/\">Home</a> <a href=\"/world/\">World</a></nav></header>\n")
	fmt.Fprintf(&b, "<main><article><h1>%s</h1><p class=\"byline\">By Bench Staff</p><time datetime=\"%s\"></time>\n", html.EscapeString(d.Title), pub)
	for _, p := range strings.Split(d.Text, "\n\n") {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
	}
	b.WriteString("</article></main><footer><p>Bench News is generated.</p></footer></body></html>\n")
	s.serve(path, "text/html; charset=utf-8", []byte(b.String()))
	return path
}

// feed publishes an RSS feed at path listing docs, whose pages are at paths.
func (s *site) feed(path string, docs []model.Document, paths []string) {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Bench News</title><link>%s/</link><description>Generated</description>\n", s.URL())
	for i, d := range docs {
		summary, _, _ := strings.Cut(d.Text, "\n\n")
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s%s</link><guid>%s%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			html.EscapeString(d.Title), s.URL(), paths[i], s.URL(), paths[i], d.Published.UTC().Format(time.RFC1123Z), html.EscapeString(summary))
	}
	b.WriteString("</channel></rss>\n")
	s.serve(path, "application/rss+xml; charset=utf-8", []byte(b.String()))
}
