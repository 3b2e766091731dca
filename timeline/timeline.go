package timeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
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
	Story    int64             `json:"story,omitempty"` // only this story's events
	// Top keeps only the Top most important events (0: all).
	Top int `json:"top,omitempty"`
	// Sort orders the events: "happened" (the default) or "importance"
	// (most important first, ties in happened order).
	Sort string `json:"sort,omitempty"`
}

// Sorts are the orders a timeline can be listed in.
var Sorts = []string{"happened", "importance"}

// ErrBadSort is returned for an unknown Query.Sort.
var ErrBadSort = errors.New("unknown sort: use happened or importance")

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

// Each calls fn for every event q selects, in q's order. In happened order
// without Top it streams, with no cap on how many; with Top it keeps the Top
// most important in memory and then lists them.
func (t *Timeline) Each(ctx context.Context, q Query, fn func(Entry) error) error {
	switch q.Sort {
	case "", "happened", "importance":
	default:
		return fmt.Errorf("timeline sort %q: %w", q.Sort, ErrBadSort)
	}
	f := store.EventFilter{Types: q.Types, From: q.From, To: q.To, Sources: q.Sources, Official: q.Official, Story: q.Story}
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
	if q.Top <= 0 && q.Sort != "importance" {
		return t.eachGrouped(ctx, f, fn)
	}
	// The most important first: keep the best Top (or all) while reading in
	// happened order, then list them.
	var kept []model.Event
	err := t.st.EachEvent(ctx, f, func(e model.Event) error {
		e.Quotes = nil // read again for the ones kept
		kept = append(kept, e)
		if q.Top > 0 && len(kept) >= 2*q.Top+64 {
			kept = mostImportant(kept, q.Top)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if q.Top > 0 {
		kept = mostImportant(kept, q.Top)
	}
	if q.Sort == "importance" {
		sortByImportance(kept)
	} else {
		sort.SliceStable(kept, func(i, j int) bool {
			if !kept[i].Happened.Equal(kept[j].Happened) {
				return kept[i].Happened.Before(kept[j].Happened)
			}
			return kept[i].ID < kept[j].ID
		})
	}
	for _, e := range kept {
		full, err := t.st.Event(ctx, e.ID)
		if err != nil {
			return err
		}
		en, err := t.entry(ctx, full)
		if err != nil {
			return err
		}
		if err := fn(en); err != nil {
			return err
		}
	}
	return nil
}

// sortByImportance orders events most important first; ties go to the more
// precisely dated, then the earlier.
func sortByImportance(es []model.Event) {
	rank := func(p model.Precision) int {
		switch p {
		case model.PrecisionDay:
			return 0
		case model.PrecisionMonth:
			return 1
		}
		return 2
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Importance != b.Importance {
			return a.Importance > b.Importance
		}
		if rank(a.Precision) != rank(b.Precision) {
			return rank(a.Precision) < rank(b.Precision)
		}
		if !a.Happened.Equal(b.Happened) {
			return a.Happened.Before(b.Happened)
		}
		return a.ID < b.ID
	})
}

// eachGrouped streams the events f selects in happened order. Events go out
// in small groups, so the sources of a group are one query rather than one
// per event.
func (t *Timeline) eachGrouped(ctx context.Context, f store.EventFilter, fn func(Entry) error) error {
	// Events go out in small groups, so the sources of a group are one
	// query rather than one per event.
	var group []model.Event
	flush := func() error {
		ids := make([]int64, len(group))
		for i, e := range group {
			ids[i] = e.ID
		}
		sources, err := t.st.EventSourcesOf(ctx, ids)
		if err != nil {
			return err
		}
		for _, e := range group {
			en, err := t.entryWith(ctx, e, sources[e.ID])
			if err != nil {
				return err
			}
			if err := fn(en); err != nil {
				return err
			}
		}
		group = group[:0]
		return nil
	}
	err := t.st.EachEvent(ctx, f, func(e model.Event) error {
		group = append(group, e)
		if len(group) == eachGroup {
			return flush()
		}
		return nil
	})
	if err != nil || len(group) == 0 {
		return err
	}
	return flush()
}

// eachGroup is how many events Each reads the sources of at once.
const eachGroup = 64

// mostImportant keeps the n most important of es, preferring different
// dates: key moments are days, and a second event on a day already listed
// (another angle on one day's news, often split off into a sub-story) would
// crowd out a different day. Only when there are fewer days than n do the
// next most important events of days already listed fill the list. Filter
// by story or query to see unrelated stories' events of one day. (Skipping
// also the day next to a listed one, when one of the two is dated only by
// its reports, did worse on the Timeline17 dev topics: Date-F1 0.644
// against 0.710.)
func mostImportant(es []model.Event, n int) []model.Event {
	sortByImportance(es)
	seen := map[string]bool{}
	var out, rest []model.Event
	for _, e := range es {
		k := e.Happened.Format("2006-01-02") // the best day even of a month-precision date
		if seen[k] || len(out) == n {
			rest = append(rest, e)
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	for _, e := range rest {
		if len(out) == n {
			break
		}
		out = append(out, e)
	}
	return out
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
	sources, err := t.st.EventSources(ctx, e.ID)
	if err != nil {
		return Entry{}, err
	}
	return t.entryWith(ctx, e, sources)
}

// entryWith is entry with the event's sources already read.
func (t *Timeline) entryWith(ctx context.Context, e model.Event, sources []store.EventSource) (Entry, error) {
	en := Entry{Event: e, Sources: sources}
	if e.Edited {
		var err error
		if en.EditedFields, err = t.st.EditedFields(ctx, e.ID); err != nil {
			return en, err
		}
	}
	return en, nil
}

// Seq is the store seq the timeline reflects (the clusterer's cursor).
func (t *Timeline) Seq(ctx context.Context) (int64, error) { return t.st.Cursor(ctx, CursorName) }

// MatcherFunc adapts a function to Matcher.
type MatcherFunc func(ctx context.Context, query string) ([]int64, error)

// IDs calls f.
func (f MatcherFunc) IDs(ctx context.Context, query string) ([]int64, error) { return f(ctx, query) }

// Stories lists stories (see store.StoryFilter).
func (t *Timeline) Stories(ctx context.Context, f store.StoryFilter) ([]model.Story, error) {
	return t.st.Stories(ctx, f)
}

// Story returns one story. A merged story's id resolves to the story it was
// merged into.
func (t *Timeline) Story(ctx context.Context, id int64) (model.Story, error) {
	st, err := t.st.Story(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		if into, err2 := t.st.MergedStoryInto(ctx, id); err2 == nil && into != 0 && into != id {
			return t.Story(ctx, into)
		}
		return st, fmt.Errorf("story %d: %w (list stories with `watchline stories list`)", id, store.ErrNotFound)
	}
	return st, err
}

// StorySources are the sources that reported story id, most documents first.
func (t *Timeline) StorySources(ctx context.Context, id int64) ([]string, error) {
	return t.st.StorySources(ctx, id)
}
