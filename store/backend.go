package store

import (
	"context"
	"time"

	"github.com/watchline/watchline/model"
)

// Backend is the whole method set of a watchline store: what the embedded
// SQLite Store in this package and the PostgreSQL store in store/postgres
// both implement, and what the contract suite in store/storetest checks on
// each. Consumers should declare the few methods they use on their own side;
// Backend is for the code that opens a store and hands it down (cmd) and for
// the contract suite.
//
// The contract every implementation keeps:
//   - documents and events each form a log: every change gets a seq above
//     every seq before it, and a reader that has seen seq N never later sees
//     a new row at or below N, however many processes write at once;
//   - a consumer's cursor is committed in the same transaction as its output;
//   - a write either happens whole or not at all.
type Backend interface {
	Close() error
	// SetClock replaces the store's clock (the demo and tests pin it).
	SetClock(now func() time.Time)

	// The document log.
	PutDocument(ctx context.Context, d *model.Document, raw Raw) (PutOutcome, error)
	PutDocuments(ctx context.Context, puts []Put) error
	DeleteDocument(ctx context.Context, id int64) error
	RelinkDuplicates(ctx context.Context, from, to int64, sim float64) error
	Document(ctx context.Context, id int64) (model.Document, error)
	DocumentByURL(ctx context.Context, url string) (model.Document, error)
	DocumentsByID(ctx context.Context, ids []int64) ([]model.Document, error)
	KnownURL(ctx context.Context, url string) (bool, error)
	DocumentsAfter(ctx context.Context, after int64, limit int) ([]model.Document, error)
	MaxSeq(ctx context.Context) (int64, error)
	CountDocuments(ctx context.Context, f DocFilter) (int64, error)
	EachDocument(ctx context.Context, f DocFilter, fn func(model.Document) error) error
	Versions(ctx context.Context, id int64) ([]model.DocumentVersion, error)
	RawPage(ctx context.Context, id int64, version int) (Raw, error)
	EachFingerprint(ctx context.Context, since time.Time, fn func(Fingerprint) error) error
	Duplicates(ctx context.Context, id int64) ([]int64, error)

	// Consumers' positions in the logs.
	Cursor(ctx context.Context, name string) (int64, error)
	SetCursor(ctx context.Context, name string, seq int64) error

	// Crawl state.
	SourceHealth(ctx context.Context, id string) (model.SourceHealth, error)
	SourceHealths(ctx context.Context) ([]model.SourceHealth, error)
	SaveSourceHealth(ctx context.Context, h model.SourceHealth) error
	Validators(ctx context.Context, url string) (Validators, error)
	SetValidators(ctx context.Context, url string, v Validators) error
	RobotsTxt(ctx context.Context, origin string) (RobotsTxt, bool, error)
	SaveRobotsTxt(ctx context.Context, origin string, r RobotsTxt) error

	// Sharing work between processes.
	ClaimSources(ctx context.Context, owner string, ids []string, now, until time.Time, force bool, stale func(owner string) bool) ([]string, error)
	ReleaseSource(ctx context.Context, id, owner string) error
	AcquireHost(ctx context.Context, host, owner string, now, until time.Time, stale func(owner string) bool) (bool, time.Time, error)
	ReleaseHost(ctx context.Context, host, owner string, notBefore time.Time) error
	AcquireLease(ctx context.Context, name, owner string, now, until time.Time) (bool, error)
	ReleaseLease(ctx context.Context, name, owner string) error

	// Events (timeline).
	ApplyEvents(ctx context.Context, ch EventChanges) error
	Event(ctx context.Context, id int64) (model.Event, error)
	MergedInto(ctx context.Context, id int64) (int64, error)
	EditedFields(ctx context.Context, id int64) ([]string, error)
	EachEvent(ctx context.Context, f EventFilter, fn func(model.Event) error) error
	EventsAfter(ctx context.Context, after int64, limit int) ([]model.Event, error)
	MaxEventSeq(ctx context.Context) (int64, error)
	EventIDsOfDocuments(ctx context.Context, docs []int64) (map[int64]bool, error)
	EventsOfDocuments(ctx context.Context, docs []int64) (map[int64]int64, error)
	EventMembers(ctx context.Context, id int64) ([]EventMember, error)
	EventMembersStarted(ctx context.Context, from, to time.Time) ([]EventMember, error)
	Pins(ctx context.Context, docs []int64) (map[int64]int64, error)
	MaxEventID(ctx context.Context) (int64, error)
	ClusterState(ctx context.Context, name string) ([]byte, error)
	ResetEvents(ctx context.Context, cursor string) error
	EventSources(ctx context.Context, id int64) ([]EventSource, error)
	EventSourcesOf(ctx context.Context, events []int64) (map[int64][]EventSource, error)
	DocumentQuotes(ctx context.Context, id int64) ([]model.Quote, error)
	MembersOfDocuments(ctx context.Context, docs []int64) ([]EventMember, error)
	Aliases(ctx context.Context, docs []int64) (map[int64][]string, error)

	// Stories (timeline): the clusterer's models, people's corrections, and
	// stories with their counts over live events.
	StoryModels(ctx context.Context, fn func(id int64, model []byte) error) error
	StoryModel(ctx context.Context, id int64) ([]byte, error)
	StoryMembers(ctx context.Context, id int64) ([]EventMember, error)
	MaxStoryID(ctx context.Context) (int64, error)
	StoryPins(ctx context.Context, docs []int64) (map[int64]int64, error)
	PinnedStories(ctx context.Context) (map[int64]bool, error)
	HasEvents(ctx context.Context) (bool, error)
	Story(ctx context.Context, id int64) (model.Story, error)
	MergedStoryInto(ctx context.Context, id int64) (int64, error)
	Stories(ctx context.Context, f StoryFilter) ([]model.Story, error)
	StoryDocuments(ctx context.Context, id int64) ([]int64, error)
	StorySources(ctx context.Context, id int64) ([]string, error)

	// Subscriptions, matches and the delivery outbox (alert).
	AddSubscription(ctx context.Context, sub *model.Subscription) error
	UpdateSubscription(ctx context.Context, sub model.Subscription) error
	Subscription(ctx context.Context, id int64) (model.Subscription, error)
	SubscriptionByKey(ctx context.Context, key string) (model.Subscription, error)
	SubscriptionByAtomToken(ctx context.Context, token string) (model.Subscription, error)
	Subscriptions(ctx context.Context) ([]model.Subscription, error)
	RemoveSubscription(ctx context.Context, id int64) error
	RecordMatches(ctx context.Context, found []SubscriptionMatches) (int, error)
	RecordEventMatches(ctx context.Context, found []SubscriptionEventMatches) (int, error)
	PendingMatches(ctx context.Context) ([]AlertMatch, error)
	RecentMatches(ctx context.Context, subID int64, limit int) ([]AlertMatch, error)
	EnqueueDelivery(ctx context.Context, d *model.Delivery, matchIDs []int64, nextDigest time.Time) error
	SetNextDigest(ctx context.Context, subID int64, next time.Time) error
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]model.Delivery, error)
	Deliveries(ctx context.Context, f DeliveryFilter) ([]model.Delivery, error)
	ClaimDelivery(ctx context.Context, id int64, now, until time.Time) (bool, error)
	RescheduleDelivery(ctx context.Context, id int64, next time.Time) error
	MarkDelivered(ctx context.Context, id int64, at time.Time) error
	MarkAttemptFailed(ctx context.Context, id int64, errText string, next time.Time, final bool) error
	RetryDelivery(ctx context.Context, id int64, next time.Time) error
}

// The embedded store is a Backend.
var _ Backend = (*Store)(nil)
