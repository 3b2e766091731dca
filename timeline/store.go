package timeline

import (
	"context"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Store is what the timeline reads and writes: the document log, events,
// stories, their members and editors' corrections.
type Store interface {
	DocumentQuotes(ctx context.Context, id int64) ([]model.Quote, error)
	ApplyEvents(ctx context.Context, ch store.EventChanges) error
	ClusterState(ctx context.Context, name string) ([]byte, error)
	Cursor(ctx context.Context, name string) (int64, error)
	DocumentsAfter(ctx context.Context, after int64, limit int) ([]model.Document, error)
	EachEvent(ctx context.Context, f store.EventFilter, fn func(model.Event) error) error
	EditedFields(ctx context.Context, id int64) ([]string, error)
	Event(ctx context.Context, id int64) (model.Event, error)
	EventIDsOfDocuments(ctx context.Context, docs []int64) (map[int64]bool, error)
	EventMembers(ctx context.Context, id int64) ([]store.EventMember, error)
	EventMembersStarted(ctx context.Context, from, to time.Time) ([]store.EventMember, error)
	EventSources(ctx context.Context, id int64) ([]store.EventSource, error)
	EventSourcesOf(ctx context.Context, events []int64) (map[int64][]store.EventSource, error)
	EventsOfDocuments(ctx context.Context, docs []int64) (map[int64]int64, error)
	MaxEventID(ctx context.Context) (int64, error)
	MergedInto(ctx context.Context, id int64) (int64, error)
	Pins(ctx context.Context, docs []int64) (map[int64]int64, error)
	MembersOfDocuments(ctx context.Context, docs []int64) ([]store.EventMember, error)

	// Stories.
	StoryModels(ctx context.Context, fn func(id int64, model []byte) error) error
	StoryModel(ctx context.Context, id int64) ([]byte, error)
	StoryMembers(ctx context.Context, id int64) ([]store.EventMember, error)
	MaxStoryID(ctx context.Context) (int64, error)
	StoryPins(ctx context.Context, docs []int64) (map[int64]int64, error)
	PinnedStories(ctx context.Context) (map[int64]bool, error)
	HasEvents(ctx context.Context) (bool, error)
	Story(ctx context.Context, id int64) (model.Story, error)
	MergedStoryInto(ctx context.Context, id int64) (int64, error)
	Stories(ctx context.Context, f store.StoryFilter) ([]model.Story, error)
	StoryDocuments(ctx context.Context, id int64) ([]int64, error)
	StorySources(ctx context.Context, id int64) ([]string, error)
}
