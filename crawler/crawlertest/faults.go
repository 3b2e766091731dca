package crawlertest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// Fault paths, served by every Server besides those listed on Server:
//
//	/slowloris        headers, then one byte every 100ms until the client leaves
//	                  (also /slowloris/ANY, so a feed can link many of them)
//	/storm/ANY        429 Too Many Requests with Retry-After: 120, always
//	/bomb             a gzip bomb: ~1 MiB on the wire, 1 GiB decompressed
//	/reset            a response cut off mid-body by a TCP reset
//	/feeds/many/N     an RSS feed of N full-text items, generated as it is sent
//	/feeds/linked/N/P an RSS feed of N full-text items linking /P/0 … /P/N-1
const (
	bombMember = 1 << 20 // decompressed bytes per gzip member
	bombCount  = 1024    // members: 1 GiB in all
)

// bombOnce holds one gzip member of zeros; the bomb repeats it (Go's gzip
// reader, like most, reads concatenated members as one stream).
var bombOnce = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(make([]byte, bombMember))
	zw.Close()
	return buf.Bytes()
})

// serveFault answers the fault paths; it reports whether path was one.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request) bool {
	path := r.URL.Path
	switch {
	case path == "/slowloris" || strings.HasPrefix(path, "/slowloris/"):
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(http.StatusOK)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if _, err := w.Write([]byte("<")); err != nil {
				return true
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return true
			case <-s.done:
				return true
			case <-t.C:
			}
		}
	case strings.HasPrefix(path, "/storm/"):
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return true
	case path == "/bomb":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusOK)
		m := bombOnce()
		for range bombCount {
			if _, err := w.Write(m); err != nil {
				return true
			}
		}
		return true
	case path == "/reset":
		serveReset(w)
		return true
	case strings.HasPrefix(path, "/feeds/many/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(path, "/feeds/many/"))
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(http.StatusOK)
		WriteManyItems(w, s.URL(), n)
		return true
	case strings.HasPrefix(path, "/feeds/linked/"):
		nStr, prefix, _ := strings.Cut(strings.TrimPrefix(path, "/feeds/linked/"), "/")
		n, _ := strconv.Atoi(nStr)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(http.StatusOK)
		writeItems(w, s.URL(), "/"+prefix+"/", n)
		return true
	}
	return false
}

// serveReset promises a long body, sends part of it and resets the
// connection, as an overloaded proxy or a crashing backend does.
func serveReset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n")
	fmt.Fprint(buf, `<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><item><title>Half`)
	buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // close with RST, not FIN
	}
}

// ManyItemText is the text of item i of /feeds/many/N: distinct per item, so
// none is an exact duplicate of another.
func ManyItemText(i int) string {
	return fmt.Sprintf("Bulletin number %d of the generated archive: the registry recorded filing %d, reviewed by clerk %d, in ledger %x.", i, i*7919, i%97, i*2654435761)
}

// WriteManyItems writes an RSS feed of n full-text items whose links point
// at pages the server does not have.
func WriteManyItems(w interface{ Write([]byte) (int, error) }, base string, n int) {
	writeItems(w, base, "/many/", n)
}

// writeItems writes an RSS feed of n full-text items linking base+prefix+i.
func writeItems(w interface{ Write([]byte) (int, error) }, base, prefix string, n int) {
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<rss version="2.0"><channel><title>Many</title><link>%s/</link><description>many items</description>`+"\n", base)
	for i := range n {
		fmt.Fprintf(w, "<item><title>Bulletin %d</title><link>%s%s%d</link><guid>many-%d</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			i, base, prefix, i, i, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), ManyItemText(i))
	}
	fmt.Fprint(w, "</channel></rss>\n")
}

// TLSURL is the base URL of a TLS twin of the server, serving the same
// pages with a certificate no client trusts unless given srv's pool.
func (s *Server) TLSURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tls == nil {
		s.tls = httptest.NewTLSServer(s)
	}
	return s.tls.URL
}

// SetRobotsHang makes /robots.txt send its headers and then nothing until
// the client gives up.
func (s *Server) SetRobotsHang(hang bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.robotsHang = hang
}

// Faulty articles: good documents served badly.
var (
	// WrongCharsetArticle is windows-1252 bytes served as charset=utf-8.
	WrongCharsetArticle = Article{
		Path:      "/faults/wrong-charset.html",
		Title:     "Café meeting logs entered as evidence",
		Published: "2025-07-01T09:00:00Z",
		Paragraphs: []string{
			"The prosecution told the court on Monday that logs kept by a café near the ministry showed the accused meeting a diplomat there on eleven occasions over a single winter.",
			"Defence counsel said the logs were unreliable, having been typed up months later by a manager who admitted under questioning that several of the entries were guesses.",
			"The judge allowed the logs to be shown to the jury but warned that their weight was a matter for them, and adjourned the hearing until the following morning.",
		},
	}
	// UnknownCharsetArticle declares a charset nobody knows.
	UnknownCharsetArticle = Article{
		Path:      "/faults/unknown-charset.html",
		Title:     "Ministry publishes guidance on approaches by foreign officials",
		Published: "2025-07-02T10:00:00Z",
		Paragraphs: []string{
			"The ministry has published short guidance for civil servants describing how officials of foreign states may try to build friendships that later turn into requests for information.",
			"It asks staff to report gifts, invitations to conferences abroad and unusual interest in their work, and says a report will not be held against anyone who makes it in good faith.",
			"Unions said they welcomed the guidance but wanted more training, arguing that a document alone would not change habits in departments where such approaches were rarely discussed.",
		},
	}
)

// FaultPages returns the pages of a fault server at base, keyed by path:
// bodies that are not feeds, feeds with odd items, and articles served with
// wrong charsets.
func FaultPages(base string) map[string]Page {
	pages := map[string]Page{}
	pages["/faults/not-xml"] = Page{ContentType: "text/plain", Body: []byte("this is a plain text file, not a feed { of any kind ]")}
	pages["/faults/html-as-rss"] = Page{ContentType: "application/rss+xml",
		Body: []byte("<!DOCTYPE html><html><head><title>Feed</title></head><body><p>Our feed has moved.</p></body></html>")}
	pages["/faults/truncated.xml"] = Page{ContentType: "application/rss+xml", Body: []byte(RSS(base, ArrestArticle, ChargeArticle)[:400])}
	wrong, err := charmap.Windows1252.NewEncoder().String(PageHTML(base, WrongCharsetArticle, ""))
	if err != nil {
		panic(err) // fixture text is fixed; this cannot happen
	}
	pages[WrongCharsetArticle.Path] = Page{ContentType: "text/html; charset=utf-8", Body: []byte(wrong)}
	pages[UnknownCharsetArticle.Path] = Page{ContentType: "text/html; charset=x-no-such-charset", Body: []byte(PageHTML(base, UnknownCharsetArticle, ""))}
	pages["/faults/charsets.xml"] = Page{ContentType: "application/rss+xml", Body: []byte(RSS(base, WrongCharsetArticle, UnknownCharsetArticle, Latin1Article))}
	pages["/faults/dup-guids.xml"] = Page{ContentType: "application/rss+xml", Body: []byte(DupGUIDFeed(base))}
	pages["/faults/odd-dates.xml"] = Page{ContentType: "application/rss+xml", Body: []byte(OddDatesFeed(base))}
	return pages
}

// DupGUIDTexts are the full texts of the items of DupGUIDFeed: three items
// share one GUID; the first two have different links, the third repeats the
// first link with different text.
var DupGUIDTexts = []string{
	"The first item under the shared identifier reports that the tribunal will sit in private for part of the espionage hearing next month.",
	"The second item under the same identifier, at a different link, says the defence will ask for the closed sessions to be kept as short as possible.",
	"A third item repeats the first link with different words, claiming the tribunal has already finished its private sessions, which no other report supports.",
}

// DupGUIDFeed is an RSS feed whose items share one GUID.
func DupGUIDFeed(base string) string {
	links := []string{"/dup/first", "/dup/second", "/dup/first"}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Dup</title><link>" + base + "/</link><description>d</description>\n")
	for i, txt := range DupGUIDTexts {
		fmt.Fprintf(&b, "<item><title>Shared guid %d</title><link>%s%s</link><guid isPermaLink=\"false\">same-guid</guid><pubDate>Mon, 07 Jul 2025 09:0%d:00 +0000</pubDate><description>%s</description></item>\n",
			i, base, links[i], i, html.EscapeString(txt))
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

// OddDatesFeed has one item dated far in the future, one at the Unix epoch
// and one with no date at all; their texts are OddDateTexts.
func OddDatesFeed(base string) string {
	dates := []string{"Tue, 01 Jan 2999 10:00:00 +0000", "Thu, 01 Jan 1970 00:00:00 +0000", ""}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Dates</title><link>" + base + "/</link><description>d</description>\n")
	for i, txt := range OddDateTexts {
		date := ""
		if dates[i] != "" {
			date = "<pubDate>" + dates[i] + "</pubDate>"
		}
		fmt.Fprintf(&b, "<item><title>Odd date %d</title><link>%s/dates/%d</link>%s<description>%s</description></item>\n",
			i, base, i, date, html.EscapeString(txt))
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

// OddDateTexts are the texts of OddDatesFeed's items: future, epoch, none.
var OddDateTexts = []string{
	"An item whose feed claims it was published in the year 2999, which a careful archive should not believe about a report on a customs seizure of radio parts.",
	"An item dated to the first second of 1970, the zero value of many systems, describing a parliamentary question about export licences for cameras.",
	"An item with no date at all, summarising a council meeting at which a councillor asked whether a twinning link with a foreign city should be reviewed.",
}
