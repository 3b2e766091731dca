package timeline

import (
	"context"
	"encoding/json"
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

func (ed *Editor) members(ctx context.Context, id int64) ([]*docInfo, error) {
	ms, err := ed.st.EventMembers(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("event %d: %w (list events with `watchline events list`)", id, store.ErrNotFound)
	}
	out := make([]*docInfo, 0, len(ms))
	for _, m := range ms {
		var info docInfo
		if err := json.Unmarshal(m.Analysis, &info); err != nil || info.ID == 0 {
			info = docInfo{ID: m.DocumentID, Published: m.Published}
		}
		out = append(out, &info)
	}
	return out, nil
}

func built(id int64, ms []*docInfo) model.Event {
	ev := &openEvent{id: id, members: ms}
	ev.recompute(nil)
	return ev.event()
}

func member(id int64, d *docInfo) store.EventMember {
	b, _ := json.Marshal(d)
	return store.EventMember{DocumentID: d.ID, EventID: id, Published: d.Published, Analysis: b}
}

func newGeneration() []byte { return []byte(strconv.FormatInt(time.Now().UnixNano(), 10)) }

// Merge moves every document of event from into event into; from is gone
// afterwards (its id resolves to into). Every document of the merged event is
// pinned there.
func (ed *Editor) Merge(ctx context.Context, into, from int64) error {
	if into == from {
		return fmt.Errorf("merge %d into itself: %w: give two different events", into, ErrInvalidEdit)
	}
	a, err := ed.members(ctx, into)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	b, err := ed.members(ctx, from)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	all := append(a, b...)
	ch := store.EventChanges{
		Events:    []model.Event{built(into, all)},
		Gone:      map[int64]int64{from: into},
		Pins:      map[int64]int64{},
		PinReason: "merge",
		State:     map[string][]byte{editsStateName: newGeneration()},
	}
	for _, d := range all {
		ch.Pins[d.ID] = into
	}
	for _, d := range b {
		ch.Members = append(ch.Members, member(into, d))
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
	ms, err := ed.members(ctx, id)
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
	ch := store.EventChanges{
		Events:    []model.Event{built(id, stay), built(newID, moved)},
		Pins:      map[int64]int64{},
		PinReason: "split",
		State:     map[string][]byte{editsStateName: newGeneration()},
	}
	for _, d := range stay {
		ch.Pins[d.ID] = id
	}
	for _, d := range moved {
		ch.Pins[d.ID] = newID
		ch.Members = append(ch.Members, member(newID, d))
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
	ms, err := ed.members(ctx, id)
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
