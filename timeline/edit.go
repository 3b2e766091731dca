package timeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Editor applies people's corrections to events. Corrections are stored apart
// from what the clusterer computes (pins of documents to events, and edited
// fields), so they survive re-clustering, and events show them as edits.
type Editor struct {
	st Store
}

// NewEditor returns an editor over st.
func NewEditor(st Store) *Editor { return &Editor{st: st} }

// ErrInvalidEdit is returned for a correction that cannot be applied.
var ErrInvalidEdit = errors.New("invalid edit")

// members returns event id's members and its story.
func (ed *Editor) members(ctx context.Context, id int64) ([]*docInfo, int64, error) {
	ms, err := ed.st.EventMembers(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if len(ms) == 0 {
		return nil, 0, fmt.Errorf("event %d: %w (list events with `watchline events list`)", id, store.ErrNotFound)
	}
	out := make([]*docInfo, 0, len(ms))
	for _, m := range ms {
		info, err := unmarshalMember(m.Analysis)
		if err != nil || info.ID == 0 {
			info = &docInfo{ID: m.DocumentID, Published: m.Published, Role: model.DocumentRole(m.Role)}
		}
		out = append(out, info)
	}
	return out, ms[0].StoryID, nil
}

// stories holds the models of the stories an edit changes.
type editStories struct {
	ed *Editor
	m  map[int64]*story
}

func (ed *Editor) newStories() *editStories { return &editStories{ed: ed, m: map[int64]*story{}} }

func (es *editStories) get(ctx context.Context, id int64) (*story, error) {
	if st := es.m[id]; st != nil {
		return st, nil
	}
	b, err := es.ed.st.StoryModel(ctx, id)
	if err != nil {
		return nil, err
	}
	st := unmarshalStory(id, b)
	es.m[id] = st
	return st, nil
}

// move takes documents' words from one story's model to another's.
func (es *editStories) move(ctx context.Context, docs []*docInfo, from, to int64) error {
	if from == to {
		return nil
	}
	a, err := es.get(ctx, from)
	if err != nil {
		return err
	}
	b, err := es.get(ctx, to)
	if err != nil {
		return err
	}
	set := newStorySet() // counts only: the vocabulary and index do not matter here
	for _, d := range docs {
		sd := newStoryDoc(d)
		if a.m > 0 {
			set.remove(a, sd)
		}
		set.add(b, sd, d.Published)
	}
	return nil
}

// records are the changed stories, for the store; an emptied story is gone.
func (es *editStories) records(ch *store.EventChanges) {
	for _, id := range sortedIDs(es.m) {
		st := es.m[id]
		if id == 0 {
			continue // events from before stories existed
		}
		if st.m == 0 {
			if ch.GoneStories == nil {
				ch.GoneStories = map[int64]int64{}
			}
			if _, ok := ch.GoneStories[id]; !ok {
				ch.GoneStories[id] = 0
			}
			continue
		}
		ch.Stories = append(ch.Stories, store.StoryRecord{ID: id, Model: st.marshal(), Importance: storyImportance(st)})
	}
}

// built computes event id of story from its members, importance included.
func (es *editStories) built(ctx context.Context, id, storyID int64, ms []*docInfo) (model.Event, error) {
	ev := &openEvent{id: id, story: storyID}
	for _, d := range ms {
		ev.members = append(ev.members, newMember(d))
	}
	ev.recompute(nil)
	st, err := es.get(ctx, storyID)
	if err != nil {
		return model.Event{}, err
	}
	e := ev.event()
	e.Story.ID, e.Importance = storyID, eventImportance(ev, st, nil)
	return e, nil
}

func memberRecord(id int64, d *docInfo) store.EventMember {
	return store.EventMember{DocumentID: d.ID, EventID: id, Published: d.Published, Role: string(d.Role), Analysis: marshalMember(d)}
}

func newGeneration() []byte { return []byte(strconv.FormatInt(time.Now().UnixNano(), 10)) }

// Merge moves every document of event from into event into; from is gone
// afterwards (its id resolves to into). Every document of the merged event is
// pinned there.
func (ed *Editor) Merge(ctx context.Context, into, from int64) error {
	if into == from {
		return fmt.Errorf("merge %d into itself: %w: give two different events", into, ErrInvalidEdit)
	}
	a, storyA, err := ed.members(ctx, into)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	b, storyB, err := ed.members(ctx, from)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	all := append(a, b...)
	es := ed.newStories()
	if err := es.move(ctx, b, storyB, storyA); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	e, err := es.built(ctx, into, storyA, all)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	ch := store.EventChanges{
		Events:    []model.Event{e},
		Gone:      map[int64]int64{from: into},
		Pins:      map[int64]int64{},
		PinReason: "merge",
		State:     map[string][]byte{editsStateName: newGeneration()},
	}
	es.records(&ch)
	for _, d := range all {
		ch.Pins[d.ID] = into
	}
	for _, d := range b {
		ch.Members = append(ch.Members, memberRecord(into, d))
	}
	if err := ed.st.ApplyEvents(ctx, ch); err != nil {
		return fmt.Errorf("merge %d into %d: %w", from, into, err)
	}
	return nil
}

// Split moves docs out of event id into a new event and returns its id. Both
// events' documents are pinned where they now are.
func (ed *Editor) Split(ctx context.Context, id int64, docs []int64) (int64, error) {
	if len(docs) == 0 {
		return 0, fmt.Errorf("split %d: %w: name the documents to move with --doc", id, ErrInvalidEdit)
	}
	ms, storyID, err := ed.members(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("split: %w", err)
	}
	move := map[int64]bool{}
	for _, d := range docs {
		move[d] = true
	}
	var stay, moved []*docInfo
	for _, m := range ms {
		if move[m.ID] {
			moved = append(moved, m)
			delete(move, m.ID)
		} else {
			stay = append(stay, m)
		}
	}
	if len(move) > 0 {
		var missing []string
		for _, d := range sortedIDs(move) {
			missing = append(missing, strconv.FormatInt(d, 10))
		}
		return 0, fmt.Errorf("split %d: %w: documents %s are not in this event (see `watchline events show %d`)",
			id, ErrInvalidEdit, strings.Join(missing, ", "), id)
	}
	if len(stay) == 0 {
		return 0, fmt.Errorf("split %d: %w: that would move every document; leave at least one", id, ErrInvalidEdit)
	}
	maxID, err := ed.st.MaxEventID(ctx)
	if err != nil {
		return 0, err
	}
	newID := maxID + 1
	es := ed.newStories()
	e1, err := es.built(ctx, id, storyID, stay)
	if err != nil {
		return 0, fmt.Errorf("split: %w", err)
	}
	e2, err := es.built(ctx, newID, storyID, moved)
	if err != nil {
		return 0, fmt.Errorf("split: %w", err)
	}
	ch := store.EventChanges{
		Events:    []model.Event{e1, e2},
		Pins:      map[int64]int64{},
		PinReason: "split",
		State:     map[string][]byte{editsStateName: newGeneration()},
	}
	for _, d := range stay {
		ch.Pins[d.ID] = id
	}
	for _, d := range moved {
		ch.Pins[d.ID] = newID
		ch.Members = append(ch.Members, memberRecord(newID, d))
	}
	if err := ed.st.ApplyEvents(ctx, ch); err != nil {
		return 0, fmt.Errorf("split %d: %w", id, err)
	}
	return newID, nil
}

// Edit is a correction of an event's fields; empty fields are left alone.
type Edit struct {
	Title    string
	Happened string // 2024-04-22, 2024-04 or 2024
	Type     string
}

// ParseDate reads a date at day, month or year precision.
func ParseDate(s string) (time.Time, model.Precision, error) {
	s = strings.TrimSpace(s)
	for _, f := range []struct {
		layout string
		p      model.Precision
	}{{"2006-01-02", model.PrecisionDay}, {"2006-01", model.PrecisionMonth}, {"2006", model.PrecisionYear}} {
		if t, err := time.Parse(f.layout, s); err == nil {
			return t, f.p, nil
		}
	}
	return time.Time{}, "", fmt.Errorf("date %q: %w: write YYYY-MM-DD, YYYY-MM or YYYY", s, ErrInvalidEdit)
}

// ParseType checks an event type name.
func ParseType(s string) (model.EventType, error) {
	for _, t := range model.EventTypes {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("type %q: %w: use one of %v", s, ErrInvalidEdit, model.EventTypes)
}

// Edit stores a correction of event id's fields.
func (ed *Editor) Edit(ctx context.Context, id int64, e Edit) error {
	if _, err := ed.st.Event(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("edit: %w (list events with `watchline events list`)", err)
		}
		return fmt.Errorf("edit: %w", err)
	}
	ee := store.EventEdit{EventID: id}
	if strings.TrimSpace(e.Title) != "" {
		t := strings.TrimSpace(e.Title)
		ee.Title = &t
	}
	if e.Happened != "" {
		t, p, err := ParseDate(e.Happened)
		if err != nil {
			return fmt.Errorf("edit %d: %w", id, err)
		}
		ee.Happened, ee.Precision = &t, &p
	}
	if e.Type != "" {
		t, err := ParseType(e.Type)
		if err != nil {
			return fmt.Errorf("edit %d: %w", id, err)
		}
		ee.Type = &t
	}
	if ee.Title == nil && ee.Happened == nil && ee.Type == nil {
		return fmt.Errorf("edit %d: %w: give --title, --date or --type", id, ErrInvalidEdit)
	}
	// Pin the event's documents too, so the event keeps its id (and so its
	// edits) when events are rebuilt.
	ms, _, err := ed.members(ctx, id)
	if err != nil {
		return fmt.Errorf("edit: %w", err)
	}
	pins := map[int64]int64{}
	for _, m := range ms {
		pins[m.ID] = id
	}
	err = ed.st.ApplyEvents(ctx, store.EventChanges{Edits: []store.EventEdit{ee}, Pins: pins, PinReason: "edit",
		State: map[string][]byte{editsStateName: newGeneration()}})
	if err != nil {
		return fmt.Errorf("edit %d: %w", id, err)
	}
	return nil
}

// MergeStories moves every event of story from into story into; from is gone
// afterwards (its id resolves to into). The documents of both are pinned to
// into, so the merge survives `events rebuild`.
func (ed *Editor) MergeStories(ctx context.Context, into, from int64) error {
	if into == from {
		return fmt.Errorf("merge story %d into itself: %w: give two different stories", into, ErrInvalidEdit)
	}
	for _, id := range []int64{into, from} {
		if _, err := ed.st.Story(ctx, id); err != nil {
			return fmt.Errorf("merge stories: %w (list stories with `watchline stories list`)", err)
		}
	}
	docsA, err := ed.st.StoryDocuments(ctx, into)
	if err != nil {
		return err
	}
	docsB, err := ed.st.StoryDocuments(ctx, from)
	if err != nil {
		return err
	}
	es := ed.newStories()
	a, err := es.get(ctx, into)
	if err != nil {
		return err
	}
	b, err := es.get(ctx, from)
	if err != nil {
		return err
	}
	set := newStorySet()
	set.mergeInto(a, b)
	ch := store.EventChanges{
		GoneStories:    map[int64]int64{from: into},
		StoryPins:      map[int64]int64{},
		StoryPinReason: "merge",
		State:          map[string][]byte{editsStateName: newGeneration()},
	}
	for _, d := range append(docsA, docsB...) {
		ch.StoryPins[d] = into
	}
	ch.Stories = append(ch.Stories, store.StoryRecord{ID: into, Model: a.marshal(), Importance: storyImportance(a)})
	if err := ed.st.ApplyEvents(ctx, ch); err != nil {
		return fmt.Errorf("merge story %d into %d: %w", from, into, err)
	}
	return nil
}

// MoveEvent moves event id into story to (0: a new story) and returns the
// story it is in now. Its documents are pinned to the story and to the event.
func (ed *Editor) MoveEvent(ctx context.Context, id, to int64) (int64, error) {
	ms, from, err := ed.members(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("move: %w", err)
	}
	if to == 0 {
		max, err := ed.st.MaxStoryID(ctx)
		if err != nil {
			return 0, err
		}
		to = max + 1
	} else if _, err := ed.st.Story(ctx, to); err != nil {
		return 0, fmt.Errorf("move event %d: %w (list stories with `watchline stories list`)", id, err)
	}
	if to == from {
		return to, nil
	}
	es := ed.newStories()
	if err := es.move(ctx, ms, from, to); err != nil {
		return 0, fmt.Errorf("move: %w", err)
	}
	e, err := es.built(ctx, id, to, ms)
	if err != nil {
		return 0, fmt.Errorf("move: %w", err)
	}
	ch := store.EventChanges{
		Events:         []model.Event{e},
		Pins:           map[int64]int64{},
		PinReason:      "edit",
		StoryPins:      map[int64]int64{},
		StoryPinReason: "move",
		State:          map[string][]byte{editsStateName: newGeneration()},
	}
	for _, d := range ms {
		ch.Pins[d.ID] = id
		ch.StoryPins[d.ID] = to
	}
	es.records(&ch)
	if err := ed.st.ApplyEvents(ctx, ch); err != nil {
		return 0, fmt.Errorf("move event %d to story %d: %w", id, to, err)
	}
	return to, nil
}

// RenameStory gives story id a title of people's choosing. Its documents are
// pinned to it, so the story keeps its id (and the title) when events are
// rebuilt.
func (ed *Editor) RenameStory(ctx context.Context, id int64, title string) error {
	title = strings.TrimSpace(title)
	if title == "" {
		return fmt.Errorf("rename story %d: %w: give --title", id, ErrInvalidEdit)
	}
	if _, err := ed.st.Story(ctx, id); err != nil {
		return fmt.Errorf("rename: %w (list stories with `watchline stories list`)", err)
	}
	docs, err := ed.st.StoryDocuments(ctx, id)
	if err != nil {
		return err
	}
	ch := store.EventChanges{
		StoryEdits:     []store.StoryEdit{{StoryID: id, Title: title}},
		StoryPins:      map[int64]int64{},
		StoryPinReason: "edit",
		State:          map[string][]byte{editsStateName: newGeneration()},
	}
	for _, d := range docs {
		ch.StoryPins[d] = id
	}
	if err := ed.st.ApplyEvents(ctx, ch); err != nil {
		return fmt.Errorf("rename story %d: %w", id, err)
	}
	return nil
}
