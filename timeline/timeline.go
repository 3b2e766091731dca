package timeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Matcher finds the documents that match a query. The search index provides
// it; the timeline only needs the ids.
type Matcher interface {
	IDs(ctx context.Context, query string) ([]int64, error)
}

// Query selects a timeline: the events whose documents match Query (empty:
// every event), filtered by type, happened date range, source and official.
type Query struct {
	Topic    string            `json:"topic,omitempty"` // topic id, for the record
	Title    string            `json:"title,omitempty"`
	Query    string            `json:"query,omitempty"`
	Types    []model.EventType `json:"types,omitempty"`
	From     time.Time         `json:"from,omitzero"` // happened on or after
	To       time.Time         `json:"to,omitzero"`   // happened on or before
	Sources  []string          `json:"sources,omitempty"`
	Official bool              `json:"official,omitempty"`
}

// Entry is one event as a timeline shows it: the event, which of its fields
// people corrected, and its documents in published order.
type Entry struct {
	model.Event
	EditedFields []string            `json:"edited_fields,omitempty"`
	Sources      []store.EventSource `json:"sources"`
}

// First is the document that first reported the event (zero if none).
func (e Entry) First() store.EventSource {
	for _, s := range e.Sources {
		if s.DocumentID == e.FirstDocumentID {
			return s
		}
	}
	if len(e.Sources) > 0 {
		return e.Sources[0]
	}
	return store.EventSource{}
}

// Timeline reads events from the store.
type Timeline struct {
	st Store
	m  Matcher
}

// New returns a timeline over st; m may be nil when no query is used.
func New(st Store, m Matcher) *Timeline { return &Timeline{st: st, m: m} }

// ErrNoMatcher is returned for a query when no search index is wired in.
var ErrNoMatcher = errors.New("a query needs the search index; build it with `watchline reindex`")

// Each calls fn for every event q selects, in happened order, streaming:
// there is no cap on how many.
func (t *Timeline) Each(ctx context.Context, q Query, fn func(Entry) error) error {
	f := store.EventFilter{Types: q.Types, From: q.From, To: q.To, Sources: q.Sources, Official: q.Official}
	if strings.TrimSpace(q.Query) != "" {
		if t.m == nil {
			return ErrNoMatcher
		}
		ids, err := t.m.IDs(ctx, q.Query)
		if err != nil {
			return fmt.Errorf("timeline query %q: %w", q.Query, err)
		}
		f.IDs, err = t.st.EventIDsOfDocuments(ctx, ids)
		if err != nil {
			return err
		}
		if len(f.IDs) == 0 {
			return nil
		}
	}
	return t.st.EachEvent(ctx, f, func(e model.Event) error {
		en, err := t.entry(ctx, e)
		if err != nil {
			return err
		}
		return fn(en)
	})
}

// Event returns one event with its sources and edits. A merged event's id
// resolves to the event it was merged into.
func (t *Timeline) Event(ctx context.Context, id int64) (Entry, error) {
	e, err := t.st.Event(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		if into, err2 := t.st.MergedInto(ctx, id); err2 == nil && into != 0 && into != id {
			return t.Event(ctx, into)
		}
		return Entry{}, fmt.Errorf("event %d: %w (list events with `watchline events list`)", id, store.ErrNotFound)
	}
	if err != nil {
		return Entry{}, err
	}
	return t.entry(ctx, e)
}

func (t *Timeline) entry(ctx context.Context, e model.Event) (Entry, error) {
	en := Entry{Event: e}
	var err error
	if e.Edited {
		if en.EditedFields, err = t.st.EditedFields(ctx, e.ID); err != nil {
			return en, err
		}
	}
	en.Sources, err = t.st.EventSources(ctx, e.ID)
	return en, err
}

// Seq is the store seq the timeline reflects (the clusterer's cursor).
func (t *Timeline) Seq(ctx context.Context) (int64, error) { return t.st.Cursor(ctx, CursorName) }

// MatcherFunc adapts a function to Matcher.
type MatcherFunc func(ctx context.Context, query string) ([]int64, error)

// IDs calls f.
func (f MatcherFunc) IDs(ctx context.Context, query string) ([]int64, error) { return f(ctx, query) }
