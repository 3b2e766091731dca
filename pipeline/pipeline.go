// Package pipeline owns watchline's background work: the consumers of the
// store's seq log — the search index (index sync), event clustering and alert
// matching — the delivery of alerts from the outbox, and, in `watchline run`,
// the crawl loop that feeds them. `run`, `serve`, `demo` and `bench` build
// their processing from it, so the wiring lives in one place.
//
// Each consumer keeps its own cursor and commits it with its output (the
// index inside its bleve batch, events and alert matches in the store
// transaction that writes them), so a crash or kill -9 at any moment replays
// from the cursor and loses or duplicates nothing. Run runs every consumer in
// a goroutine of its own, each on batches: documents a crawl stores are
// indexed, clustered and matched at the same time, and throughput is the
// slowest consumer's, not the sum of all. A consumer wakes when a writer in
// this process says it stored something (Notify) and every Tick otherwise, so
// a server also keeps up with a store written by another process (a separate
// `watchline crawl` or `import`).
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/timeline"
)

// DefaultTick is how often the consumers look for writes by other processes
// (and deliveries that came due) when nothing in this process woke them.
const DefaultTick = 2 * time.Second

// Metrics is where the pipeline counts and times its work; web.Metrics is
// one (it serves them on /metrics). Time runs fn and records it under name.
type Metrics interface {
	Time(name string, fn func() error) error
	Add(name string, v float64, labels ...string)
	Observe(name string, d time.Duration, labels ...string)
}

// Options say what a pipeline runs over which store.
type Options struct {
	Store Store
	// DataDir holds this node's search index and Atom files; with the
	// embedded store it is the store's own directory (the default).
	DataDir string
	Config  *config.Config // feeds.yaml: sources to crawl, alerts, SMTP; empty when nil
	Logger  *slog.Logger   // discarded when nil
	// Metrics receives counts and timings; nil discards them.
	Metrics Metrics
	// Now is the clock of the alert service (time.Now when nil); the demo
	// and tests pin it.
	Now func() time.Time

	// Consumers beyond the index, which always runs (a process that serves
	// owns the index, so it keeps it up to date).
	Events bool // cluster documents into events
	Alerts bool // match subscriptions and deliver alerts
	// Crawl runs the crawler in Run: each source visited whenever it is
	// due (crawler.Run), the consumers woken after every visit that stored
	// something. CrawlerOptions.Tick says how often it looks for due sources.
	Crawl          bool
	CrawlerOptions crawler.Options

	// Tick is how often consumers look for work nobody told them about;
	// DefaultTick when zero.
	Tick time.Duration
	// LeaderLease, when set, is for nodes sharing a store: clustering and
	// alert matching run only on the node holding the store's leader lease
	// (renewed every third of LeaderLease, passed on within LeaderLease when
	// its holder dies); every node indexes for itself and delivers due
	// alerts, each delivery claimed by one node.
	LeaderLease time.Duration
}

// Pipeline is an open set of consumers over one store and its data
// directory's index.
type Pipeline struct {
	opts   Options
	st     Store
	ix     *index.Index
	lead   *leader // nil: this node does everything
	alerts *alert.Service
	cl     *timeline.Clusterer
	cr     *crawler.Crawler
	log    *slog.Logger
	m      Metrics

	stages []*stage
	gen    atomic.Uint64 // bumped by every wake-up of all stages

	mu   sync.Mutex
	cond *sync.Cond // signalled when a stage finishes a pass
}

// Open opens the data directory's search index (building it from the store
// if it is missing or damaged) and brings it up to date, and builds the
// consumers opts asks for. Close closes the index; the caller owns the store.
//
// The bleve index allows one opener process: while a pipeline is open,
// `watchline search` and `reindex` on the same data directory wait or fail
// with index.ErrLocked.
func Open(ctx context.Context, opts Options) (*Pipeline, error) {
	if opts.DataDir == "" {
		if d, ok := opts.Store.(interface{ Dir() string }); ok {
			opts.DataDir = d.Dir()
		}
	}
	if opts.Store == nil || opts.DataDir == "" {
		return nil, errors.New("pipeline: a store and a data directory are required")
	}
	if opts.Config == nil {
		opts.Config = &config.Config{}
		opts.Config.ApplyDefaults()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = discard{}
	}
	if opts.Tick <= 0 {
		opts.Tick = DefaultTick
	}
	p := &Pipeline{opts: opts, st: opts.Store, log: opts.Logger, m: opts.Metrics}
	p.cond = sync.NewCond(&p.mu)
	// A missing or damaged index is rebuilt from the store: the index is a
	// cache, so refusing to start over it would only make the user run
	// `watchline reindex` by hand.
	ix, err := index.OpenOrRebuild(ctx, opts.DataDir, p.st, rebuildProgress(p.log), func(msg string) { p.log.Info(msg) })
	if err != nil {
		return nil, fmt.Errorf("open search index: %w", err)
	}
	p.ix = ix
	if err := p.m.Time("index_sync", func() error { _, err := ix.Sync(ctx, p.st); return err }); err != nil {
		ix.Close()
		return nil, fmt.Errorf("bring the search index up to date: %w (run `watchline reindex` if it persists)", err)
	}
	p.alerts = alert.New(p.st, alert.Options{
		Matcher:  alert.IndexMatcher(),
		SMTP:     opts.Config.SMTP,
		Password: opts.Config.SMTP.Password(),
		DataDir:  opts.DataDir,
		Clock:    opts.Now,
		// Webhooks reach only public addresses unless feeds.yaml says.
		AllowPrivate: opts.Config.AlertsAllowPrivate,
	})
	if opts.Events {
		if p.cl, err = newClusterer(p.st); err != nil {
			ix.Close()
			return nil, err
		}
	}
	if opts.Crawl {
		if p.cr, err = crawler.New(ctx, p.st, opts.Config, opts.CrawlerOptions); err != nil {
			ix.Close()
			return nil, err
		}
	}
	if opts.LeaderLease > 0 {
		p.lead = newLeader(p.st, opts.LeaderLease, p.log)
		p.lead.renew(ctx)
	}
	p.stages = p.buildStages()
	return p, nil
}

func newClusterer(st timeline.Store) (*timeline.Clusterer, error) {
	an, err := timeline.NewAnalyzer()
	if err != nil {
		return nil, fmt.Errorf("build events: %w", err)
	}
	return timeline.NewClusterer(st, an, timeline.Options{}), nil
}

// CatchUpEvents runs event clustering until it has applied the whole store,
// without the index: for commands that read events while another process
// (serve, run) holds the index. It returns how many documents it applied.
func CatchUpEvents(ctx context.Context, st timeline.Store) (int, error) {
	cl, err := newClusterer(st)
	if err != nil {
		return 0, err
	}
	n, err := cl.Run(ctx)
	if err != nil {
		return n, fmt.Errorf("build events: %w", err)
	}
	return n, nil
}

// Index is the pipeline's search index, for the web server to search.
func (p *Pipeline) Index() *index.Index { return p.ix }

// Alerts is the alert service, for the web server's subscription pages.
func (p *Pipeline) Alerts() *alert.Service { return p.alerts }

// Close closes the index.
func (p *Pipeline) Close() error { return p.ix.Close() }

// stage is one consumer: pass applies what it consumes (all of it, or one
// batch: the loop calls it again while it applies something) and says how
// much it applied.
type stage struct {
	name    string // for logs and Stats
	metric  string // Metrics.Time name
	counter string // Metrics.Add name for what a pass applied
	pass    func(ctx context.Context) (int, error)
	next    []*stage // woken when this stage applied something
	once    bool     // with a leader lease, runs only on the node that leads
	wake    chan struct{}

	// Guarded by Pipeline.mu.
	done    uint64 // the last wake-up generation a finished pass started after
	lastErr error
	applied int64
	busy    time.Duration
}

func (p *Pipeline) buildStages() []*stage {
	ix := &stage{name: "index", metric: "index_sync", counter: "watchline_index_documents_total",
		pass: func(ctx context.Context) (int, error) { return p.ix.Sync(ctx, p.st) }}
	stages := []*stage{ix}
	var deliver *stage
	if p.opts.Alerts {
		deliver = &stage{name: "deliveries", metric: "alert_deliveries", counter: "watchline_alert_deliveries_total",
			pass: p.alerts.Deliver}
		match := &stage{name: "alerts", metric: "alert_runs", counter: "watchline_alert_matches_total",
			pass: p.alerts.Match, next: []*stage{deliver}, once: true}
		stages = append(stages, match, deliver)
		if p.cl != nil {
			// Event-level subscriptions match what clustering made.
			ev := &stage{name: "events", metric: "timeline_runs", counter: "watchline_timeline_documents_total",
				pass: p.cl.Step, next: []*stage{match}, once: true}
			stages = append(stages, ev)
		}
	} else if p.cl != nil {
		stages = append(stages, &stage{name: "events", metric: "timeline_runs", counter: "watchline_timeline_documents_total",
			pass: p.cl.Step, once: true})
	}
	for _, s := range stages {
		s.wake = make(chan struct{}, 1)
	}
	return stages
}

// order is the order CatchUp runs stages in: each after what it consumes.
var order = map[string]int{"index": 0, "events": 1, "alerts": 2, "deliveries": 3}

// CatchUp brings every consumer up to date with the store, one after
// another in the order their outputs depend on each other, and returns the
// first error. It is for commands that process and then read (demo, search
// in a fresh data directory), never beside Run.
func (p *Pipeline) CatchUp(ctx context.Context) error {
	if err := p.syncAlerts(ctx); err != nil {
		return err
	}
	for rank := range len(order) {
		for _, s := range p.stages {
			if order[s.name] != rank {
				continue
			}
			for {
				n, err := p.runPass(ctx, s)
				if err != nil {
					return fmt.Errorf("%s: %w", s.name, err)
				}
				if n == 0 {
					break
				}
			}
		}
	}
	return nil
}

// Run runs every consumer, and the crawl loop if the pipeline crawls, until
// ctx ends. On cancellation each stops taking work and lets the batch in
// flight reach its commit; Run returns nil after such a clean stop. A failed
// pass is logged and retried at the next tick.
func (p *Pipeline) Run(ctx context.Context) error {
	if err := p.syncAlerts(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	if p.lead != nil {
		wg.Go(func() { p.lead.run(ctx) })
	}
	for _, s := range p.stages {
		wg.Go(func() { p.loop(ctx, s) })
	}
	if p.cr != nil {
		wg.Go(func() { p.crawlLoop(ctx) })
	}
	wg.Wait()
	return nil
}

// RunBeside runs serve (a web server) and Run together until ctx ends: if
// either stops with an error the other is stopped too, and the first error
// is returned.
func (p *Pipeline) RunBeside(ctx context.Context, serve func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() {
		err := p.Run(ctx)
		if err != nil {
			cancel()
		}
		runErr <- err
	}()
	err := serve(ctx)
	cancel()
	if rerr := <-runErr; rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// syncAlerts turns the alerts: section of feeds.yaml into subscriptions
// (updated in place, keeping what they already delivered).
func (p *Pipeline) syncAlerts(ctx context.Context) error {
	if !p.opts.Alerts || len(p.opts.Config.Alerts) == 0 {
		return nil
	}
	if _, err := p.alerts.Sync(ctx, p.opts.Config.Alerts); err != nil {
		return fmt.Errorf("set up the alerts of %s: %w", p.opts.Config.Path, err)
	}
	return nil
}

// Notify tells every consumer that documents were stored, so they start now
// instead of at the next tick.
func (p *Pipeline) Notify() { p.wakeAll() }

func (p *Pipeline) wakeAll() uint64 {
	g := p.gen.Add(1)
	for _, s := range p.stages {
		wake(s)
	}
	return g
}

func wake(s *stage) {
	select {
	case s.wake <- struct{}{}:
	default: // already woken
	}
}

// loop runs s until ctx ends: a pass whenever woken or at every tick, again
// at once while passes find work.
func (p *Pipeline) loop(ctx context.Context, s *stage) {
	t := time.NewTicker(p.opts.Tick)
	defer t.Stop()
	for {
		g := p.gen.Load()
		n, err := p.runPass(ctx, s)
		if ctx.Err() != nil {
			p.finish(s, g, nil)
			return
		}
		if err != nil {
			p.log.Error(s.name+" failed; retrying at the next tick", "err", err)
		}
		if err != nil || n == 0 {
			p.finish(s, g, err)
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
			case <-t.C:
			}
		}
	}
}

// runPass runs one pass of s, timing and counting it. A stage that runs
// once per shared store passes while another node leads.
func (p *Pipeline) runPass(ctx context.Context, s *stage) (int, error) {
	if s.once && p.lead != nil && !p.lead.leads() {
		return 0, nil
	}
	var n int
	start := time.Now()
	err := p.m.Time(s.metric, func() (err error) {
		// A consumer that panics fails its pass (logged, retried at the
		// next tick) instead of taking the server and the other consumers
		// down with it.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		n, err = s.pass(ctx)
		return err
	})
	took := time.Since(start)
	if n > 0 {
		p.m.Add(s.counter, float64(n))
		for _, x := range s.next {
			wake(x)
		}
	}
	p.mu.Lock()
	s.applied += int64(n)
	s.busy += took
	p.mu.Unlock()
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		err = nil // stopping, not failing
	}
	return n, err
}

// finish records that s completed a pass that started at generation g.
func (p *Pipeline) finish(s *stage, g uint64, err error) {
	p.mu.Lock()
	s.done, s.lastErr = max(s.done, g), err
	p.mu.Unlock()
	p.cond.Broadcast()
}

// WaitIdle waits, while Run runs, until every consumer has caught up with
// everything stored before the call (and with each other's output: events
// matched by alerts, matches delivered), and returns the error of a
// consumer whose last pass failed.
func (p *Pipeline) WaitIdle(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer stop()
	for {
		before := p.totalApplied()
		g := p.wakeAll()
		p.mu.Lock()
		for !p.allDone(g) && ctx.Err() == nil {
			p.cond.Wait()
		}
		var errs []error
		for _, s := range p.stages {
			if s.lastErr != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.name, s.lastErr))
			}
		}
		p.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		if p.totalApplied() == before {
			return nil
		}
	}
}

func (p *Pipeline) allDone(g uint64) bool {
	for _, s := range p.stages {
		if s.done < g {
			return false
		}
	}
	return true
}

func (p *Pipeline) totalApplied() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n int64
	for _, s := range p.stages {
		n += s.applied
	}
	return n
}

// StageStats is what one consumer did since the pipeline was opened.
type StageStats struct {
	Name    string
	Applied int64         // documents, matches or deliveries
	Busy    time.Duration // time spent in passes
}

// Stats reports every consumer's work so far.
func (p *Pipeline) Stats() []StageStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]StageStats, len(p.stages))
	for i, s := range p.stages {
		out[i] = StageStats{Name: s.name, Applied: s.applied, Busy: s.busy}
	}
	return out
}

// crawlLoop runs the crawler until ctx ends: every source visited when it
// is due, independently of the others.
func (p *Pipeline) crawlLoop(ctx context.Context) {
	if err := p.cr.Run(ctx, p.crawled); err != nil && !errors.Is(err, context.Canceled) {
		p.log.Error("crawl stopped", "err", err)
	}
}

// crawled records one finished visit of one source and wakes the consumers
// if it stored anything.
func (p *Pipeline) crawled(r crawler.SourceResult) {
	result := "ok"
	if r.Err != nil {
		result = "error"
		p.m.Add("watchline_crawl_source_failures_total", 1)
	}
	p.m.Add("watchline_crawl_runs_total", 1, "result", result)
	p.m.Observe("watchline_crawl_duration_seconds", r.Took)
	p.m.Add("watchline_crawl_documents_total", float64(r.New), "outcome", "new")
	p.m.Add("watchline_crawl_documents_total", float64(r.Updated), "outcome", "updated")
	p.m.Add("watchline_crawl_documents_total", float64(r.Failed), "outcome", "failed")
	p.m.Observe("watchline_crawl_source_duration_seconds", r.Took)
	p.log.Info("crawled", "source", r.String())
	if r.New+r.Updated+r.NearDuplicates > 0 {
		p.Notify()
	}
}

// rebuildProgress logs a rebuild's progress at every tenth, so a long rebuild
// before serving is visibly moving.
func rebuildProgress(log *slog.Logger) func(done, total int64) {
	last := int64(-1)
	return func(done, total int64) {
		tenth := int64(10)
		if total > 0 {
			tenth = min(done*10/total, 10)
		}
		if tenth > last {
			last = tenth
			log.Info("rebuilding the search index", "done", done, "total", total)
		}
	}
}

// discard is the Metrics of a pipeline nobody watches.
type discard struct{}

func (discard) Time(_ string, fn func() error) error     { return fn() }
func (discard) Add(string, float64, ...string)           {}
func (discard) Observe(string, time.Duration, ...string) {}
