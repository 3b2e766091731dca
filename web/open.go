package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/index"
)

// OpenOptions are what Open needs to serve a data directory.
type OpenOptions struct {
	Store Store
	// DataDir holds this node's search index and Atom files (with the
	// embedded store, the store's own directory).
	DataDir string
	Config  *config.Config
	Logger  *slog.Logger
	// Token overrides $WATCHLINE_TOKEN (from Config.Web.Token) when set.
	Token string
	// Metrics is shared with the processing loops of `watchline run`.
	Metrics *Metrics
	// Now is the clock of the server and the alert service (time.Now when
	// nil); the demo and tests pin it to the corpus's "today".
	Now func() time.Time
	// PreviewDays is Options.PreviewDays.
	PreviewDays int
}

// Open builds a Server over an open store: it opens the data directory's
// search index (building it from the store if it is missing or damaged, and
// bringing it up to date with the store) and the alert service. The
// returned close function closes the index; the caller still owns and closes
// the store.
//
// The bleve index allows one opener process: while a Server opened this way
// runs, `watchline search` and `reindex` on the same data directory wait or
// fail with index.ErrLocked. `serve` and `run` own the index.
func Open(ctx context.Context, opts OpenOptions) (*Server, func() error, error) {
	if opts.DataDir == "" {
		opts.DataDir = storeDir(opts.Store)
	}
	if opts.Store == nil || opts.DataDir == "" {
		return nil, nil, errors.New("web: a store and a data directory are required")
	}
	if opts.Config == nil {
		opts.Config = &config.Config{}
		opts.Config.ApplyDefaults()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	token := opts.Token
	if token == "" {
		token = opts.Config.Web.Token()
	}
	// A missing or damaged index is rebuilt from the store before serving:
	// the index is a cache, so refusing to start over it would only make the
	// user run `watchline reindex` by hand.
	ix, err := index.OpenOrRebuild(ctx, opts.DataDir, opts.Store, rebuildProgress(opts.Logger), func(msg string) {
		opts.Logger.Info(msg)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("open search index: %w", err)
	}
	if err := opts.Metrics.Time("index_sync", func() error {
		_, err := ix.Sync(ctx, opts.Store)
		return err
	}); err != nil {
		ix.Close()
		return nil, nil, fmt.Errorf("bring the search index up to date: %w (run `watchline reindex` if it persists)", err)
	}
	svc := alert.New(opts.Store, alert.Options{
		Matcher:  alert.IndexMatcher(),
		SMTP:     opts.Config.SMTP,
		Password: opts.Config.SMTP.Password(),
		DataDir:  opts.DataDir,
		Clock:    opts.Now,
		// Webhooks reach only public addresses unless feeds.yaml says.
		AllowPrivate: opts.Config.AlertsAllowPrivate,
	})
	srv, err := New(Options{
		Store:   opts.Store,
		DataDir: opts.DataDir,
		Index:   ix,
		Alerts:  svc,
		Config:  opts.Config,
		Token:   token,
		Logger:  opts.Logger,
		Metrics: opts.Metrics,
		Now:     opts.Now,

		PreviewDays: opts.PreviewDays,
	})
	if err != nil {
		ix.Close()
		return nil, nil, err
	}
	if token == "" {
		opts.Logger.Info("writes are disabled: set " + config.EnvToken + " to enable editing and subscriptions")
	}
	return srv, ix.Close, nil
}

// storeDir is the directory of an embedded store ("" for a server's), the
// data directory when none is given.
func storeDir(st Store) string {
	if d, ok := st.(interface{ Dir() string }); ok {
		return d.Dir()
	}
	return ""
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
