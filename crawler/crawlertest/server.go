// Package crawlertest is a loopback fixture and fault server for testing the
// crawler: it serves feeds and article pages written for these tests, and on
// request misbehaves the ways real sites do — robots.txt variants, redirect
// chains and loops, 429/503 with Retry-After, slow and huge bodies, missing or
// wrong charsets, malformed XML and gzip. It records every request so tests
// can check politeness (timestamps, conditional headers).
package crawlertest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Page is what the server answers for one path.
type Page struct {
	Status      int    // default 200
	ContentType string // default "text/html; charset=utf-8"
	Body        []byte
	Location    string // for 3xx
	// Conditional serves an ETag and Last-Modified and answers matching
	// conditional requests with 304.
	Conditional bool
	// Gzip compresses the body (Content-Encoding: gzip) when the client
	// accepts it.
	Gzip bool
	// FailTimes makes the first FailTimes requests answer FailStatus with
	// RetryAfter (if set) before the page is served normally.
	FailTimes  int
	FailStatus int
	RetryAfter string
}

// Hit is one request the server received.
type Hit struct {
	Path   string
	Time   time.Time
	Header http.Header
}

// Server is the fixture server. Besides the pages set with Set, it serves:
//
//	/robots.txt       what SetRobots says (default: allow all but /private/)
//	/redirect/N       a chain of N redirects ending at /articles/plain.html
//	/loop/a, /loop/b  a redirect loop
//	/huge/N           N bytes of generated HTML, streamed without a length
//	/slow             half a page, then nothing until the client gives up
//
// and the fault paths of faults.go (slowloris, gzip bomb, connection reset,
// feeds of tens of thousands of items) and FaultPages.
type Server struct {
	srv          *httptest.Server
	mu           sync.Mutex
	pages        map[string]*Page
	served       map[string]int
	hits         []Hit
	robotsStatus int
	robotsBody   string
	robotsHang   bool
	tls          *httptest.Server
	done         chan struct{} // closed by Close, ends endless responses
	closeOnce    sync.Once
}

// NewServer starts a fixture server on 127.0.0.1 holding Fixtures(base).
// Close it when done.
func NewServer() *Server {
	s := &Server{pages: map[string]*Page{}, served: map[string]int{}, robotsStatus: 200,
		robotsBody: "User-agent: *\nDisallow: /private/\n", done: make(chan struct{})}
	s.srv = httptest.NewServer(s)
	for path, p := range Fixtures(s.URL()) {
		s.Set(path, p)
	}
	for path, p := range FaultPages(s.URL()) {
		s.Set(path, p)
	}
	return s
}

// URL is the server's base URL, without a trailing slash.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server (and its TLS twin, if started).
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	s.srv.Close()
	s.mu.Lock()
	tls := s.tls
	s.mu.Unlock()
	if tls != nil {
		tls.Close()
	}
}

// Set serves p at path (replacing what was there) and resets its failure count.
func (s *Server) Set(path string, p Page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = &p
	delete(s.served, path)
}

// SetRobots sets the robots.txt status and body.
func (s *Server) SetRobots(status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.robotsStatus, s.robotsBody = status, body
}

// Hits returns the requests received for path ("" for every request), in
// arrival order.
func (s *Server) Hits(path string) []Hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	var hs []Hit
	for _, h := range s.hits {
		if path == "" || h.Path == path {
			hs = append(hs, h)
		}
	}
	return hs
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits = append(s.hits, Hit{Path: r.URL.Path, Time: time.Now(), Header: r.Header.Clone()})
	robotsStatus, robotsBody, robotsHang := s.robotsStatus, s.robotsBody, s.robotsHang
	p, ok := s.pages[r.URL.Path]
	var fail bool
	if ok {
		s.served[r.URL.Path]++
		fail = s.served[r.URL.Path] <= p.FailTimes
	}
	s.mu.Unlock()

	path := r.URL.Path
	switch {
	case path == "/robots.txt" && robotsHang:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	case path == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(robotsStatus)
		fmt.Fprint(w, robotsBody)
		return
	case strings.HasPrefix(path, "/redirect/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(path, "/redirect/"))
		next := "/articles/plain.html"
		if n > 1 {
			next = fmt.Sprintf("/redirect/%d", n-1)
		}
		http.Redirect(w, r, next, http.StatusFound)
		return
	case path == "/loop/a":
		http.Redirect(w, r, "/loop/b", http.StatusMovedPermanently)
		return
	case path == "/loop/b":
		http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
		return
	case strings.HasPrefix(path, "/huge/"):
		n, _ := strconv.ParseInt(strings.TrimPrefix(path, "/huge/"), 10, 64)
		serveHuge(w, n)
		return
	case path == "/slow":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "<html><head><title>Slow</title></head><body><p>This page starts")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-s.done:
		case <-time.After(30 * time.Second):
		}
		return
	}
	if s.serveFault(w, r) {
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if fail {
		if p.RetryAfter != "" {
			w.Header().Set("Retry-After", p.RetryAfter)
		}
		st := p.FailStatus
		if st == 0 {
			st = http.StatusServiceUnavailable
		}
		http.Error(w, http.StatusText(st), st)
		return
	}
	h := w.Header()
	ct := p.ContentType
	if ct == "" {
		ct = "text/html; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	if p.Location != "" {
		h.Set("Location", p.Location)
	}
	if p.Conditional {
		sum := sha256.Sum256(p.Body)
		etag := fmt.Sprintf(`"%x"`, sum[:8])
		h.Set("ETag", etag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	status := p.Status
	if status == 0 {
		status = http.StatusOK
	}
	body := p.Body
	if p.Gzip && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
		body = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// serveHuge streams n bytes of HTML without a Content-Length, so only a
// reader that counts can stop it.
func serveHuge(w http.ResponseWriter, n int64) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	chunk := bytes.Repeat([]byte("<p>filler paragraph for a body that never ends.</p>\n"), 1000)
	for n > 0 {
		c := chunk
		if int64(len(c)) > n {
			c = c[:n]
		}
		if _, err := w.Write(c); err != nil {
			return
		}
		n -= int64(len(c))
	}
}
