package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
	"github.com/watchline/watchline/web"
)

// runServe serves a data directory's web UI and API until interrupted.
//
// The bleve index allows one opener process at a time: `serve` and `run`
// own it for as long as they run, so `watchline search` or `reindex` on the
// same data directory must wait until they stop.
func runServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve", "[--addr HOST:PORT] [--tick 15s]")
	addr := fs.String("addr", "", "listen `address` (default from feeds.yaml web.addr, else "+web.DefaultAddr+")")
	tick := fs.Duration("tick", 15*time.Second, "with --store: how often to index, cluster, match and deliver what other machines stored")
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
	srv, st, closeAll, err := a.openWeb(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeAll()
	ready := func(url string) {
		fmt.Fprintf(a.stdout, "watchline is serving %s at %s (Ctrl-C to stop)\n", a.dataDir, url)
	}
	if a.shared() {
		// A node of a shared store keeps its own index up to date with what
		// the crawlers store, and takes its turn at the work that runs once
		// (events, alert matching) through the leader lease; every node
		// delivers due alerts, each delivery claimed by one.
		an, err := timeline.NewAnalyzer()
		if err != nil {
			return err
		}
		popts := web.ProcessOptions{Clusterer: timeline.NewClusterer(st, an, timeline.Options{}), Tick: *tick,
			LeaderLease: leaderLease}
		err = srv.ServeAndProcess(ctx, ln, popts, ready)
	} else {
		err = srv.Serve(ctx, ln, ready)
	}
	if err == nil {
		fmt.Fprintln(a.stderr, "watchline: stopped cleanly")
	}
	return err
}

// leaderLease is how long the node that builds events and matches alerts
// for a shared store keeps that role after it stops renewing it (it dies).
const leaderLease = 15 * time.Second

// openWeb opens the store and the web server over it (which opens the
// index), logging to standard error. closeAll closes the index, then the store.
func (a *app) openWeb(ctx context.Context, cfg *config.Config) (srv *web.Server, st store.Backend, closeAll func(), err error) {
	st, err = a.store(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, closeIndex, err := web.Open(ctx, web.OpenOptions{Store: st, DataDir: a.dataDir, Config: cfg, Logger: log})
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return srv, st, func() { closeIndex(); st.Close() }, nil
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
	fs := a.flags("run", "[--addr HOST:PORT] [--tick 15s]")
	addr := fs.String("addr", "", "listen `address` (default from feeds.yaml web.addr, else "+web.DefaultAddr+")")
	tick := fs.Duration("tick", 15*time.Second, "how often new documents are indexed, clustered and alerted")
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
	srv, st, closeAll, err := a.openWeb(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeAll()
	cr, err := crawler.New(ctx, st, cfg, crawler.Options{SharedHosts: a.shared()})
	if err != nil {
		return err
	}
	an, err := timeline.NewAnalyzer()
	if err != nil {
		return err
	}
	cl := timeline.NewClusterer(st, an, timeline.Options{})

	popts := web.ProcessOptions{Crawler: cr, Clusterer: cl, Tick: *tick}
	if a.shared() {
		popts.LeaderLease = leaderLease
	}
	err = srv.ServeAndProcess(ctx, ln, popts, func(url string) {
		fmt.Fprintf(a.stdout, "watchline is crawling %d sources into %s and serving %s (Ctrl-C to stop)\n",
			len(cfg.Sources), a.dataDir, url)
	})
	if err == nil {
		fmt.Fprintln(a.stderr, "watchline: stopped cleanly (every loop reached a commit)")
	}
	return err
}
