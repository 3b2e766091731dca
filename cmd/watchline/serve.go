package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/pipeline"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/web"
)

// runServe serves a data directory's web UI and API until interrupted, and
// keeps its search index up to date with the store, whoever writes it (a
// `watchline crawl` or `import` in another process): it looks for new
// documents every --tick.
//
// The bleve index allows one opener process at a time: `serve` and `run`
// own it for as long as they run, so `watchline search` or `reindex` on the
// same data directory must wait until they stop.
func runServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve", "[--addr HOST:PORT] [--tick 2s]")
	addr := fs.String("addr", "", "listen `address` (default from feeds.yaml web.addr, else "+web.DefaultAddr+")")
	tick := fs.Duration("tick", pipeline.DefaultTick, "how often to look for documents stored by other processes (and, with --store, to cluster, match and deliver)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := a.serveConfig()
	if err != nil {
		return err
	}
	// Listen first: a bad address fails before the index is opened (which
	// may mean rebuilding it).
	ln, err := web.Listen(listenAddr(*addr, cfg))
	if err != nil {
		return err
	}
	defer ln.Close()
	popts := pipeline.Options{Tick: *tick}
	if a.shared() {
		// A node of a shared store keeps its own index up to date with what
		// the crawlers store, and takes its turn at the work that runs once
		// (events, alert matching) through the leader lease; every node
		// delivers due alerts, each delivery claimed by one.
		popts.Events, popts.Alerts, popts.LeaderLease = true, true, leaderLease
	}
	err = a.serveWith(ctx, cfg, ln, popts, func(url string) {
		fmt.Fprintf(a.stdout, "watchline is serving %s at %s (Ctrl-C to stop)\n", a.dataDir, url)
	})
	if err == nil {
		fmt.Fprintln(a.stderr, "watchline: stopped cleanly")
	}
	return err
}

// serveWith opens the store, the pipeline popts asks for and the web
// server (openWeb), and serves on ln beside the pipeline until ctx ends;
// ready is called with the server's URL once it listens.
func (a *app) serveWith(ctx context.Context, cfg *config.Config, ln net.Listener, popts pipeline.Options, ready func(url string)) error {
	srv, p, closeAll, err := a.openWeb(ctx, cfg, popts)
	if err != nil {
		return err
	}
	defer closeAll()
	return p.RunBeside(ctx, func(ctx context.Context) error { return srv.Serve(ctx, ln, ready) })
}

// leaderLease is how long the node that builds events and matches alerts
// for a shared store keeps that role after it stops renewing it (it dies).
const leaderLease = 15 * time.Second

// openWeb opens the store, a pipeline over it (which opens the index in the
// data directory) with the consumers popts asks for, and the web server
// showing them, logging to standard error. closeAll closes the index, then
// the store.
func (a *app) openWeb(ctx context.Context, cfg *config.Config, popts pipeline.Options) (*web.Server, *pipeline.Pipeline, func(), error) {
	st, err := a.store(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	popts.DataDir = a.dataDir
	srv, p, err := newWeb(ctx, st, cfg, log, popts)
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return srv, p, func() { p.Close(); st.Close() }, nil
}

// newWeb builds a pipeline over st and the web server showing its index and
// alerts, sharing one set of metrics. The caller closes the pipeline.
func newWeb(ctx context.Context, st store.Backend, cfg *config.Config, log *slog.Logger, popts pipeline.Options) (*web.Server, *pipeline.Pipeline, error) {
	metrics := web.NewMetrics()
	popts.Store, popts.Config, popts.Logger, popts.Metrics = st, cfg, log, metrics
	p, err := pipeline.Open(ctx, popts)
	if err != nil {
		return nil, nil, err
	}
	srv, err := web.New(web.Options{Store: st, DataDir: popts.DataDir, Index: p.Index(), Alerts: p.Alerts(), Config: cfg,
		Token: cfg.Web.Token(), Logger: log, Metrics: metrics})
	if err != nil {
		p.Close()
		return nil, nil, err
	}
	return srv, p, nil
}

// serveConfig loads feeds.yaml; serving an archive without one is fine (the
// source table then lists only sources crawled before).
func (a *app) serveConfig() (*config.Config, error) {
	cfg, err := a.config()
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(a.stderr, "watchline: no config at %s; serving the data directory without it\n", a.configPath)
		cfg = &config.Config{}
		cfg.ApplyDefaults()
		return cfg, nil
	}
	return cfg, err
}

func listenAddr(flagAddr string, cfg *config.Config) string {
	if flagAddr != "" {
		return flagAddr
	}
	if cfg != nil && cfg.Web.Addr != "" {
		return cfg.Web.Addr
	}
	return web.DefaultAddr
}

// runRun is the whole of watchline in one process: it crawls on schedule,
// keeps the index, events and alerts up to date, and serves the web UI. On
// SIGINT/SIGTERM it stops taking work, lets each loop reach its next commit,
// shuts the server down, then closes the index and the store.
func runRun(ctx context.Context, a *app, args []string) error {
	fs := a.flags("run", "[--addr HOST:PORT] [--tick 2s]")
	addr := fs.String("addr", "", "listen `address` (default from feeds.yaml web.addr, else "+web.DefaultAddr+")")
	tick := fs.Duration("tick", pipeline.DefaultTick, "how often to look for documents stored by other processes and for alerts due")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := a.config()
	if err != nil {
		return err
	}
	ln, err := web.Listen(listenAddr(*addr, cfg))
	if err != nil {
		return err
	}
	defer ln.Close()
	popts := pipeline.Options{Events: true, Alerts: true, Crawl: true, Tick: *tick,
		CrawlerOptions: crawler.Options{SharedHosts: a.shared()}}
	if a.shared() {
		popts.LeaderLease = leaderLease
	}
	err = a.serveWith(ctx, cfg, ln, popts, func(url string) {
		fmt.Fprintf(a.stdout, "watchline is crawling %d sources into %s and serving %s (Ctrl-C to stop)\n",
			len(cfg.Sources), a.dataDir, url)
	})
	if err == nil {
		fmt.Fprintln(a.stderr, "watchline: stopped cleanly (every loop reached a commit)")
	}
	return err
}
