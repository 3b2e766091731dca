package alert

import (
	"context"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Store is what the alert service reads and writes: subscriptions, the
// document and event logs, matches and the delivery outbox.
type Store interface {
	AddSubscription(ctx context.Context, sub *model.Subscription) error
	ClaimDelivery(ctx context.Context, id int64, now, until time.Time) (bool, error)
	Deliveries(ctx context.Context, f store.DeliveryFilter) ([]model.Delivery, error)
	DocumentsAfter(ctx context.Context, after int64, limit int) ([]model.Document, error)
	DocumentsByID(ctx context.Context, ids []int64) ([]model.Document, error)
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]model.Delivery, error)
	EachDocument(ctx context.Context, f store.DocFilter, fn func(model.Document) error) error
	EnqueueDelivery(ctx context.Context, d *model.Delivery, matchIDs []int64, nextDigest time.Time) error
	Event(ctx context.Context, id int64) (model.Event, error)
	EventsAfter(ctx context.Context, after int64, limit int) ([]model.Event, error)
	EventsOfDocuments(ctx context.Context, docs []int64) (map[int64]int64, error)
	MarkAttemptFailed(ctx context.Context, id int64, errText string, next time.Time, final bool) error
	MarkDelivered(ctx context.Context, id int64, at time.Time) error
	MaxEventSeq(ctx context.Context) (int64, error)
	MaxSeq(ctx context.Context) (int64, error)
	PendingMatches(ctx context.Context) ([]store.AlertMatch, error)
	RecentMatches(ctx context.Context, subID int64, limit int) ([]store.AlertMatch, error)
	RecordEventMatches(ctx context.Context, found []store.SubscriptionEventMatches) (int, error)
	RecordMatches(ctx context.Context, found []store.SubscriptionMatches) (int, error)
	RemoveSubscription(ctx context.Context, id int64) error
	RescheduleDelivery(ctx context.Context, id int64, next time.Time) error
	RetryDelivery(ctx context.Context, id int64, next time.Time) error
	SetNextDigest(ctx context.Context, subID int64, next time.Time) error
	Subscription(ctx context.Context, id int64) (model.Subscription, error)
	SubscriptionByKey(ctx context.Context, key string) (model.Subscription, error)
	Subscriptions(ctx context.Context) ([]model.Subscription, error)
	UpdateSubscription(ctx context.Context, sub model.Subscription) error
}
