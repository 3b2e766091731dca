package web

import (
	"context"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

// Store is the part of the store web uses: what it hands to the index,
// the timeline and the alert service, and what its pages read directly.
type Store interface {
	index.Store
	timeline.Store
	alert.Store
	Document(ctx context.Context, id int64) (model.Document, error)
	Duplicates(ctx context.Context, id int64) ([]int64, error)
	RawPage(ctx context.Context, id int64, version int) (store.Raw, error)
	SourceHealths(ctx context.Context) ([]model.SourceHealth, error)
	SubscriptionByAtomToken(ctx context.Context, token string) (model.Subscription, error)
	Versions(ctx context.Context, id int64) ([]model.DocumentVersion, error)
}
