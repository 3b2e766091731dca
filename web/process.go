package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/timeline"
)

// ProcessOptions are the loops `watchline run` runs beside the server.
type ProcessOptions struct {
	// Crawler visits each source when it is due, independently of the
	// others (nil: no crawling); its Options.Tick says how often it looks.
	Crawler *crawler.Crawler
	// Clusterer builds events from new documents (nil: no clustering).
	Clusterer *timeline.Clusterer
	// Tick is how often new documents are indexed, clustered and matched
	// against subscriptions, and due alerts delivered; default 15 seconds.
	Tick time.Duration
	// LeaderLease, when set, is for nodes sharing a store: clustering and
	// alert matching run only on the node holding the store's leader lease
	// (renewed every third of LeaderLease, passed on within LeaderLease when
	// its holder dies); every node indexes for itself and delivers due alerts,
	// each delivery claimed by one node.
	LeaderLease time.Duration
}

// Process runs the crawl loop and the processing loop (index sync, event
// clustering, alert matching and delivery) until ctx ends. Each loop does one
// step at a time, so on cancellation it stops taking work, lets the step in
// flight reach its next commit (every consumer commits its output with its
// cursor, so an interrupted step is replayed, not lost), and returns. It
// returns nil after a clean stop.
//
// The server must have been built with an index (Open does this): the
// process that serves owns the index, so it is also the one that syncs it.
func (s *Server) Process(ctx context.Context, opts ProcessOptions) error {
	if s.opts.Index == nil {
		return errNoIndex
	}
	if opts.Tick <= 0 {
		opts.Tick = 15 * time.Second
	}
	// The alerts: section of feeds.yaml becomes subscriptions (updated in
	// place, keeping what they already delivered).
	if s.opts.Alerts != nil && len(s.opts.Config.Alerts) > 0 {
		if _, err := s.opts.Alerts.Sync(ctx, s.opts.Config.Alerts); err != nil {
			return fmt.Errorf("set up the alerts of %s: %w", s.opts.Config.Path, err)
		}
	}
	var lead *leader
	if opts.LeaderLease > 0 {
		lead = newLeader(s.st, opts.LeaderLease, s.log)
		lead.renew(ctx)
	}
	var wg sync.WaitGroup
	if lead != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lead.run(ctx)
		}()
	}
	if opts.Crawler != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts.Crawler.Run(ctx, s.crawled)
		}()
	}
	every(ctx, opts.Tick, func() { s.processOnce(ctx, opts.Clusterer, lead) })
	wg.Wait()
	return nil
}

// ServeAndProcess serves on ln and runs Process beside it until ctx ends:
// all of `watchline run`. If either stops with an error the other is stopped
// too, and the first error is returned.
func (s *Server) ServeAndProcess(ctx context.Context, ln net.Listener, opts ProcessOptions, ready func(url string)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	procErr := make(chan error, 1)
	go func() {
		err := s.Process(ctx, opts)
		if err != nil {
			cancel()
		}
		procErr <- err
	}()
	err := s.Serve(ctx, ln, ready)
	cancel()
	if perr := <-procErr; perr != nil && err == nil {
		err = perr
	}
	return err
}

// every calls fn now and then every d until ctx ends.
func every(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// crawled records one finished visit of one source.
func (s *Server) crawled(r crawler.SourceResult) {
	result := "ok"
	if r.Err != nil {
		result = "error"
		s.metrics.Add("watchline_crawl_source_failures_total", 1)
	}
	s.metrics.Add("watchline_crawl_runs_total", 1, "result", result)
	s.metrics.Observe("watchline_crawl_duration_seconds", r.Took)
	s.metrics.Add("watchline_crawl_documents_total", float64(r.New), "outcome", "new")
	s.metrics.Add("watchline_crawl_documents_total", float64(r.Updated), "outcome", "updated")
	s.metrics.Add("watchline_crawl_documents_total", float64(r.Failed), "outcome", "failed")
	s.metrics.Observe("watchline_crawl_source_duration_seconds", r.Took)
	s.log.Info("crawled", "source", r.String())
}

// processOnce brings every consumer up to date with the store, in the order
// their outputs depend on each other: the index first (alerts and topic
// timelines query it), then events, then alerts. With a leader, events and
// alert matching run only while this node leads.
func (s *Server) processOnce(ctx context.Context, cl *timeline.Clusterer, lead *leader) {
	leads := lead == nil || lead.leads()
	if ctx.Err() != nil {
		return
	}
	var indexed int
	err := s.metrics.Time("index_sync", func() error {
		var err error
		indexed, err = s.opts.Index.Sync(ctx, s.st)
		return err
	})
	s.metrics.Add("watchline_index_documents_total", float64(indexed))
	s.report("index sync", err)
	if cl != nil && leads && ctx.Err() == nil {
		var n int
		err := s.metrics.Time("timeline_runs", func() error {
			var err error
			n, err = cl.Run(ctx)
			return err
		})
		s.metrics.Add("watchline_timeline_documents_total", float64(n))
		s.report("cluster events", err)
	}
	if s.opts.Alerts != nil && ctx.Err() == nil {
		var matched, delivered int
		err := s.metrics.Time("alert_runs", func() error {
			var err error
			if leads {
				if matched, err = s.opts.Alerts.Match(ctx); err != nil {
					return fmt.Errorf("match: %w", err)
				}
			}
			if delivered, err = s.opts.Alerts.Deliver(ctx); err != nil {
				return fmt.Errorf("deliver: %w", err)
			}
			return nil
		})
		s.metrics.Add("watchline_alert_matches_total", float64(matched))
		s.metrics.Add("watchline_alert_deliveries_total", float64(delivered))
		s.report("alerts", err)
	}
}

// report logs a failed step unless it failed because we are stopping; the
// loop carries on at the next tick either way.
func (s *Server) report(step string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	s.log.Error(step+" failed; retrying at the next tick", "err", err)
}
