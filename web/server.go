// Package web owns watchline's HTTP interface: a JSON API under /api/ that
// mirrors the CLI, an HTML UI (search with facets and highlighted snippets,
// timelines, event and document pages, source health, subscriptions) rendered
// server-side with html/template so it works without JavaScript, the auth and
// CSRF checks that guard writes, and /healthz and /metrics.
//
// It is the only package that knows HTTP status codes: every handler returns
// an error and errors.go maps it to a status in one place.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/timeline"
)

// DefaultAddr is where the server listens unless told otherwise: loopback
// only, because writes are guarded by a single shared token.
const DefaultAddr = "127.0.0.1:8080"

// Limits on what one request may ask for, so no client can make the server do
// unbounded work.
const (
	maxBodyBytes   = 1 << 20 // form and JSON bodies
	maxHeaderBytes = 64 << 10
	maxQueryLen    = 1000 // characters of a search query
	maxPageSize    = 100  // hits per page
	maxOffset      = 10000
	defaultPage    = 20
)

// Options are what a Server is built from. Store is required; the others may
// be nil, and the pages that need them say so instead of failing.
type Options struct {
	Store Store
	// DataDir is where web-created Atom subscriptions write their files.
	DataDir string
	// Index answers searches. The bleve index allows one opener process, so
	// the process serving the web UI (serve or run) is the one that owns it.
	Index  *index.Index
	Alerts *alert.Service
	Config *config.Config
	// Token is the API token writes need (usually $WATCHLINE_TOKEN, from
	// Config.Web.Token). Empty disables writes.
	Token  string
	Logger *slog.Logger
	// Metrics collects counters and latencies; New makes one when nil. Pass
	// the same one to the background loops so /metrics shows them all.
	Metrics *Metrics
	// Now is the clock (tests pass a fixed one); time.Now when nil.
	Now func() time.Time
	// PreviewDays is how far back testing a subscription looks (7 when
	// zero); the demo sets it to cover its whole corpus.
	PreviewDays int
}

// Server is watchline's HTTP server: New builds it, Handler returns its
// routes, ListenAndServe runs it until its context ends. It does no
// background work: package pipeline keeps the index, events and alerts it
// shows up to date.
type Server struct {
	opts    Options
	st      Store
	log     *slog.Logger
	metrics *Metrics
	pages   *pages
	now     func() time.Time
	mux     *http.ServeMux

	anOnce sync.Once
	an     *timeline.Analyzer
	anErr  error

	timelines timelineCache // the timeline page's events, per selection and data state
}

// New builds a server from opts.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("web: a store is required")
	}
	if opts.Config == nil {
		opts.Config = &config.Config{}
	}
	if opts.DataDir == "" {
		opts.DataDir = storeDir(opts.Store)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Token == "" {
		opts.Logger.Info("writes are disabled: set " + config.EnvToken + " to enable editing and subscriptions")
	}
	p, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{opts: opts, st: opts.Store, log: opts.Logger, metrics: opts.Metrics, pages: p, now: opts.Now}
	s.mux = s.routes()
	return s, nil
}

// Metrics returns the server's metrics, for the loops running beside it.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Handler returns the server's routes wrapped in its middleware: security
// headers, body limits, panic recovery and request metrics.
func (s *Server) Handler() http.Handler {
	return s.middleware(s.mux)
}

// ListenAndServe listens on addr (DefaultAddr when empty) and serves until
// ctx ends, then stops taking connections and waits up to ten seconds for the
// requests in flight. ready, if not nil, is called with the URL once the
// listener is open.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(url string)) error {
	ln, err := Listen(addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln, ready)
}

// Listen opens the listener a server will serve on (DefaultAddr when addr is
// empty). Commands listen before opening the data directory, so a bad or
// busy address fails at once, not after a long index rebuild.
func Listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (is another watchline running? pass --addr to choose another)", addr, err)
	}
	return ln, nil
}

// Serve serves on ln until ctx ends, like ListenAndServe.
func (s *Server) Serve(ctx context.Context, ln net.Listener, ready func(url string)) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Commands run beside this server on the same data directory (search,
	// timeline) find it here and ask it, since it holds the index.
	if remove, err := recordServer(s.opts.DataDir, ln.Addr(), s.now()); err != nil {
		s.log.Warn("other commands will not find this server", "err", err)
	} else {
		defer remove()
	}
	if ready != nil {
		ready("http://" + ln.Addr().String() + "/")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	return nil
}

// storeDir is the directory of an embedded store ("" for a server's).
func storeDir(st Store) string {
	if d, ok := st.(interface{ Dir() string }); ok {
		return d.Dir()
	}
	return ""
}
