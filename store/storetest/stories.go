package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// testStories: stories are written with their events, merged (their events
// following), corrected by pins and titles that survive a reset, and read
// with counts over live events; a document's other URLs are its aliases.
func testStories(t *testing.T, s store.Backend) {
	ctx := context.Background()
	var docs []int64
	for i, u := range []string{"https://a.example/1", "https://a.example/2", "https://a.example/3"} {
		d := Doc(u, "story text "+u)
		d.SourceID = []string{"wire", "wire", "paper"}[i]
		d.Published = time.Date(2025, 9, 15+i, 10, 0, 0, 0, time.UTC)
		put(t, s, d)
		docs = append(docs, d.ID)
	}
	// The third row's text again under another URL: an alias of the third.
	again := Doc("https://b.example/3-again", "story text https://a.example/3")
	if o := put(t, s, again); o != store.Aliased {
		t.Fatalf("repeated text: outcome %v, want aliased", o)
	}
	ev := func(id, story int64, docs ...int64) model.Event {
		return model.Event{ID: id, Title: "event", Happened: time.Date(2025, 9, int(10+id), 0, 0, 0, 0, time.UTC),
			Precision: model.PrecisionDay, Type: model.TypeCharge, DocumentIDs: docs, Story: model.StoryRef{ID: story},
			Importance: float64(id), RespondsTo: id - 1}
	}
	err := s.ApplyEvents(ctx, store.EventChanges{
		Members: []store.EventMember{
			{DocumentID: docs[0], EventID: 1, Published: time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC), Role: "statement", Analysis: []byte{2, 1}},
			{DocumentID: docs[1], EventID: 2, Published: time.Date(2025, 9, 16, 10, 0, 0, 0, time.UTC), Role: "report"},
			{DocumentID: docs[2], EventID: 3, Published: time.Date(2025, 9, 17, 10, 0, 0, 0, time.UTC), Role: "analysis"},
		},
		Events:  []model.Event{ev(1, 10, docs[0]), ev(2, 10, docs[1]), ev(3, 11, docs[2])},
		Stories: []store.StoryRecord{{ID: 10, Title: "Case one", Importance: 5, Model: []byte{1, 2, 3}}, {ID: 11, Title: "Case two", Model: []byte{4}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Event(ctx, 2)
	if err != nil || e.Story.ID != 10 || e.Story.Title != "Case one" || e.Importance != 2 || e.RespondsTo != 1 {
		t.Errorf("event 2 = story %+v importance %v responds to %d, %v", e.Story, e.Importance, e.RespondsTo, err)
	}
	st, err := s.Story(ctx, 10)
	if err != nil || st.Events != 2 || st.Documents != 2 || st.Title != "Case one" || st.Importance != 5 ||
		!st.First.Equal(time.Date(2025, 9, 11, 0, 0, 0, 0, time.UTC)) || !st.Last.Equal(time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("story 10 = %+v, %v", st, err)
	}
	models := map[int64][]byte{}
	if err := s.StoryModels(ctx, func(id int64, m []byte) error { models[id] = m; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(models) != 2 || !slices.Equal(models[10], []byte{1, 2, 3}) {
		t.Errorf("story models = %v", models)
	}
	if ms, err := s.StoryMembers(ctx, 10); err != nil || len(ms) != 2 || ms[0].StoryID != 10 || ms[0].Role != "statement" ||
		!slices.Equal(ms[0].Analysis, []byte{2, 1}) {
		t.Errorf("story 10 members = %+v, %v", ms, err)
	}
	if ms, err := s.MembersOfDocuments(ctx, []int64{docs[2], 999}); err != nil || len(ms) != 1 || ms[0].EventID != 3 || ms[0].StoryID != 11 {
		t.Errorf("members of documents = %+v, %v", ms, err)
	}
	if srcs, err := s.StorySources(ctx, 10); err != nil || !slices.Equal(srcs, []string{"wire"}) {
		t.Errorf("story 10 sources = %v, %v", srcs, err)
	}
	// The alias is listed right after its document, and among its aliases.
	if es, err := s.EventSources(ctx, 3); err != nil || len(es) != 2 || es[0].Alias || !es[1].Alias ||
		es[1].URL != "https://b.example/3-again" || es[0].Role != "analysis" {
		t.Errorf("event 3 sources = %+v, %v", es, err)
	}
	if al, err := s.Aliases(ctx, docs); err != nil || len(al) != 1 || !slices.Equal(al[docs[2]], []string{"https://b.example/3-again"}) {
		t.Errorf("aliases = %v, %v", al, err)
	}
	// Only story 10's events with the filter.
	n := 0
	if err := s.EachEvent(ctx, store.EventFilter{Story: 10}, func(e model.Event) error {
		n++
		if e.Story.ID != 10 {
			t.Errorf("filtered by story 10, got an event of %d", e.Story.ID)
		}
		return nil
	}); err != nil || n != 2 {
		t.Errorf("events of story 10: %d, %v", n, err)
	}

	// Merge story 11 into 10, pin its documents there, rename it.
	err = s.ApplyEvents(ctx, store.EventChanges{
		GoneStories:    map[int64]int64{11: 10},
		StoryPins:      map[int64]int64{docs[0]: 10, docs[1]: 10, docs[2]: 10},
		StoryPinReason: "merge",
		StoryEdits:     []store.StoryEdit{{StoryID: 10, Title: "Both cases"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if into, err := s.MergedStoryInto(ctx, 11); err != nil || into != 10 {
		t.Errorf("story 11 merged into %d, %v", into, err)
	}
	if _, err := s.Story(ctx, 11); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("merged story 11: err = %v, want not found", err)
	}
	if e, _ := s.Event(ctx, 3); e.Story.ID != 10 || e.Story.Title != "Both cases" {
		t.Errorf("event 3 after the merge = %+v", e.Story)
	}
	list, err := s.Stories(ctx, store.StoryFilter{Sort: "importance"})
	if err != nil || len(list) != 1 || list[0].Events != 3 || !list[0].Edited || list[0].Title != "Both cases" {
		t.Errorf("stories = %+v, %v", list, err)
	}
	if _, err := s.Stories(ctx, store.StoryFilter{Sort: "size"}); err == nil {
		t.Errorf("unknown sort: no error")
	}
	if d, err := s.StoryDocuments(ctx, 10); err != nil || len(d) != 3 {
		t.Errorf("story 10 documents = %v, %v", d, err)
	}
	if pinned, err := s.PinnedStories(ctx); err != nil || !pinned[10] || len(pinned) != 1 {
		t.Errorf("pinned stories = %v, %v", pinned, err)
	}
	if pins, err := s.StoryPins(ctx, docs); err != nil || len(pins) != 3 || pins[docs[2]] != 10 {
		t.Errorf("story pins = %v, %v", pins, err)
	}
	// A reset forgets computed stories, keeps corrections and merge records.
	if err := s.ResetEvents(ctx, "timeline"); err != nil {
		t.Fatal(err)
	}
	if has, err := s.HasEvents(ctx); err != nil || has {
		t.Errorf("after a reset: has events %v, %v", has, err)
	}
	if m, err := s.StoryModel(ctx, 10); err != nil || m != nil {
		t.Errorf("after a reset: story 10 model %v, %v", m, err)
	}
	if max, err := s.MaxStoryID(ctx); err != nil || max != 11 {
		t.Errorf("after a reset: max story id %d, %v (pins, edits and the merge record keep 11)", max, err)
	}
	if into, err := s.MergedStoryInto(ctx, 11); err != nil || into != 10 {
		t.Errorf("after a reset: story 11 merged into %d, %v", into, err)
	}
	if pins, err := s.StoryPins(ctx, docs); err != nil || len(pins) != 3 {
		t.Errorf("after a reset: story pins %v, %v", pins, err)
	}
}
