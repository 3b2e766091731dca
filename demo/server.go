package demo

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves the demo corpus on a loopback port. It starts in phase 1;
// Advance switches it to phase 2, where one official statement is silently
// edited and new articles appear.
type Server struct {
	ln     net.Listener
	srv    *http.Server
	base   string
	phase  atomic.Int32
	phases [2]map[string]response

	// The corpus's clock: each phase's "today", and when on the wall clock
	// that phase began.
	clockMu    sync.Mutex
	today      [2]time.Time
	phaseBegan time.Time
}

// NewServer starts the demo server on 127.0.0.1 with a free port.
func NewServer() (*Server, error) {
	docs, err := loadDocs()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo server: listen: %w", err)
	}
	s := &Server{ln: ln, base: "http://" + ln.Addr().String()}
	for i := range s.phases {
		if s.phases[i], err = site(s.base, docs, i+1); err != nil {
			ln.Close()
			return nil, err
		}
	}
	s.phase.Store(1)
	s.today = corpusToday(docs)
	s.phaseBegan = time.Now()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	// Serve returns http.ErrServerClosed after Close; there is no one to
	// report other errors to, and requests would fail visibly anyway.
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the server's base URL, without a trailing slash.
func (s *Server) URL() string { return s.base }

// Advance switches the server to phase 2.
func (s *Server) Advance() {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	s.phase.Store(2)
	s.phaseBegan = time.Now()
}

// Now is the corpus's clock, for running watchline on it as if it were
// live: in phase 1, a few hours after its newest article; after Advance, the
// morning after phase 2's newest; moving on with the wall clock from there.
// With it, "the last 7 days" holds the corpus's latest news, and the edited
// statement's two versions are fetched days apart, as they would be.
func (s *Server) Now() time.Time {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	return s.today[s.phase.Load()-1].Add(time.Since(s.phaseBegan))
}

// corpusToday is each phase's "today": phase 1 six hours after its newest
// article, phase 2 a day after its own newest.
func corpusToday(docs []*doc) [2]time.Time {
	var newest [2]time.Time
	for _, d := range docs {
		p := min(max(d.Phase, 1), 2) - 1
		if d.Published.After(newest[p]) {
			newest[p] = d.Published
		}
	}
	return [2]time.Time{newest[0].Add(6 * time.Hour).UTC(), newest[1].Add(24 * time.Hour).UTC()}
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	resp, ok := s.phases[s.phase.Load()-1][r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", resp.contentType)
	if resp.conditional {
		sum := sha256.Sum256(resp.body)
		etag := fmt.Sprintf(`"%x"`, sum[:8])
		h.Set("ETag", etag)
		if !resp.lastMod.IsZero() {
			h.Set("Last-Modified", resp.lastMod.UTC().Format(http.TimeFormat))
		}
		if notModified(r, etag, resp.lastMod) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Length", fmt.Sprint(len(resp.body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = bytes.NewReader(resp.body).WriteTo(w)
}

func notModified(r *http.Request, etag string, lastMod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !lastMod.IsZero() {
		if t, err := http.ParseTime(ims); err == nil {
			return !lastMod.Truncate(time.Second).After(t)
		}
	}
	return false
}
