package crawler

import (
	"context"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Store is what the crawler reads and writes: documents, crawl state,
// source and host leases, and robots.txt.
type Store interface {
	hostLeaser
	robotsStore
	ClaimSources(ctx context.Context, owner string, ids []string, now, until time.Time, force bool, stale func(owner string) bool) ([]string, error)
	Document(ctx context.Context, id int64) (model.Document, error)
	DocumentByURL(ctx context.Context, url string) (model.Document, error)
	EachDocument(ctx context.Context, f store.DocFilter, fn func(model.Document) error) error
	EachFingerprint(ctx context.Context, since time.Time, fn func(store.Fingerprint) error) error
	KnownURL(ctx context.Context, url string) (bool, error)
	PutDocument(ctx context.Context, d *model.Document, raw store.Raw) (store.PutOutcome, error)
	PutDocuments(ctx context.Context, puts []store.Put) error
	ReleaseSource(ctx context.Context, id, owner string) error
	RelinkDuplicates(ctx context.Context, from, to int64, sim float64) error
	SaveSourceHealth(ctx context.Context, h model.SourceHealth) error
	SetValidators(ctx context.Context, url string, v store.Validators) error
	SourceHealth(ctx context.Context, id string) (model.SourceHealth, error)
	Validators(ctx context.Context, url string) (store.Validators, error)
}
