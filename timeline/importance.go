package timeline

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Importance ranks events for "key moments" and stories for the stories
// page. An event's score adds, each on a log scale so no one signal drowns
// the others:
//
//   - coverage: how many documents report it (wire copies left out), and
//     how many independent sources;
//   - official involvement: an official statement among them;
//   - voices: how many different people or bodies are quoted in their own
//     words (direct quotes; reported speech — "officials said" — is in
//     nearly every report and says little: on the Timeline17 dev topics
//     counting it too lowered Date-F1 from 0.722 to 0.704);
//   - spread over time: how many days its reports span (follow-up coverage);
//   - references: how many documents of its story refer to its day — were
//     published on it, say something happened on it, or mention it — the
//     signal DATEWISE (Tran et al. 2015, as used by news-tls) ranks timeline
//     dates by.
//
// An event known only to the month or year counts less, since a key moment
// is a day. A story's score is its documents (log) plus its most important
// event's score. Weights were set on the Timeline17 dev topics (Date-F1 of
// the top events, see `watchline eval timeline`) and checked on the demo.
const (
	impDocs     = 1.0  // per doubling of the documents reporting it
	impSources  = 1.0  // per doubling of the independent sources
	impOfficial = 0.5  // an official statement among them
	impSpeakers = 0.25 // per doubling of the voices quoted
	impSpread   = 0.25 // per doubling of the days its reports span
	impRefs     = 1.0  // per doubling of the story's documents referring to its day
	// impAllRefs: per doubling of all documents referring to its day. The
	// DATEWISE signal, so it weighs twice a doubling of coverage: on the
	// Timeline17 dev topics Date-F1 0.728 at 1, 0.738 at 1.5, 2 and 3 (MJ
	// 15 → 17 of 37 gold dates, the other four timelines unchanged), 0.691
	// at 0; halving impDocs instead gives the same 0.738.
	impAllRefs   = 2.0
	impMonthDate = 1.0 // factor for an event dated to the month only
	impYearDate  = 0.4 // factor for an event dated to the year only
)

// dayIndex numbers days since 1970 (UTC).
func dayIndex(t time.Time) int32 { return int32(t.UTC().Unix() / 86400) }

// referredDays are the days a document refers to: its publication day, the
// day it says its event happened and the days it mentions, each once.
func referredDays(info *docInfo) []int32 {
	seen := map[int32]bool{}
	var out []int32
	add := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if d := dayIndex(t); !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	add(info.Published)
	if info.Happened.Precision == model.PrecisionDay {
		add(info.Happened.Date)
	}
	for _, m := range info.Mentioned {
		if m.Precision == model.PrecisionDay {
			add(m.Date)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// eventImportance scores an event within its story (st may be nil) and the
// whole store (all: references of every story's documents, may be nil).
func eventImportance(ev *openEvent, st *story, all map[int32]int32) float64 {
	docs := 0
	sources := map[string]bool{}
	speakers := map[string]bool{}
	official := false
	for _, m := range ev.members {
		if m.Role == model.RoleWire || m.DuplicateOf != 0 {
			continue
		}
		docs++
		sources[m.Source] = true
		if m.Official || m.Role == model.RoleStatement {
			official = true
		}
		for _, s := range m.Speakers {
			speakers[s] = true
		}
	}
	imp := impDocs*math.Log2(1+float64(docs)) + impSources*math.Log2(math.Max(1, float64(len(sources)))) +
		impSpeakers*math.Log2(1+float64(len(speakers)))
	if official {
		imp += impOfficial
	}
	if !ev.first.IsZero() {
		imp += impSpread * math.Log2(1+ev.last.Sub(ev.first).Hours()/24)
	}
	// A month-precision date still carries its best day (see voteDate):
	// references count for that day.
	if !ev.happened.Date.IsZero() && ev.happened.Precision != model.PrecisionYear {
		day := dayIndex(ev.happened.Date)
		if st != nil {
			imp += impRefs * math.Log2(1+float64(st.refs[day]))
		}
		imp += impAllRefs * math.Log2(1+float64(all[day]))
	}
	switch {
	case pubGuess(ev.happened):
		// Known to the month, its day guessed from when it was reported:
		// as good a key day as a stated one (on Timeline17 dev, Date-F1
		// 0.710 unpenalised against 0.640 at the month factor).
	case ev.happened.Precision == model.PrecisionMonth:
		imp *= impMonthDate
	case ev.happened.Precision == model.PrecisionYear:
		imp *= impYearDate
	}
	return math.Round(imp*1000) / 1000
}

// storyImportance scores a story: its documents and its key event.
func storyImportance(st *story) float64 {
	top := 0.0
	for _, ev := range st.events {
		top = math.Max(top, ev.importance)
	}
	return math.Round((impDocs*math.Log2(1+float64(st.m))+top)*1000) / 1000
}

// respondWithin is how long after an event a statement by someone else
// counts as a response to it.
const respondWithin = 30 * 24 * time.Hour

// respondsTo is the earlier event of the same story a statement answers: the
// most similar one before it, within respondWithin, whose principals it does
// not share (0 if none).
//
// dated is the story's dated events in happened order (datedEvents): only
// those of the month before the statement are compared, not every event of
// a story that lasts years.
func respondsTo(ev *openEvent, dated []*openEvent) int64 {
	if ev.typ != model.TypeStatement || ev.happened.Date.IsZero() {
		return 0
	}
	var mine []string
	for p := range ev.principals {
		mine = append(mine, p)
	}
	sort.Strings(mine)
	best, bestSim := int64(0), 0.1 // below this the two have little to do with each other
	from := ev.happened.Date.Add(-respondWithin)
	i, _ := slices.BinarySearchFunc(dated, from, func(o *openEvent, t time.Time) int { return o.happened.Date.Compare(t) })
	for _, o := range dated[i:] { // ties go to the lower id, whatever the order
		if !o.happened.Date.Before(ev.happened.Date) {
			break
		}
		if o == ev || !o.first.Before(ev.first) {
			continue
		}
		if len(mine) > 0 && sharesPrincipal(mine, o.principals) {
			continue
		}
		if sim := centroidCosine(ev, o); sim > bestSim || (sim == bestSim && best != 0 && o.id < best) {
			best, bestSim = o.id, sim
		}
	}
	return best
}

// datedEvents is a story's events with a happened date, in that date's
// order.
func datedEvents(st *story) []*openEvent {
	var out []*openEvent
	for _, o := range st.events {
		if !o.happened.Date.IsZero() {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *openEvent) int { return a.happened.Date.Compare(b.happened.Date) })
	return out
}

func centroidCosine(a, b *openEvent) float64 {
	if a.cnorm == 0 || b.cnorm == 0 {
		return 0
	}
	x, y := a.centroid, b.centroid
	dot := 0.0
	for i, j := 0, 0; i < len(x.ids) && j < len(y.ids); {
		switch {
		case x.ids[i] < y.ids[j]:
			i++
		case x.ids[i] > y.ids[j]:
			j++
		default:
			dot += x.w[i] * y.w[j]
			i++
			j++
		}
	}
	return dot / (a.cnorm * b.cnorm)
}

// finalStory is the story that story id is now part of, given the
// batch's merges (batchState.goneStory): a story merged into one merged
// later in the batch ends up in the last.
func finalStory(merged map[int64]int64, id int64) int64 {
	for i := 0; i < len(merged)+1; i++ {
		into, ok := merged[id]
		if !ok {
			return id
		}
		id = into
	}
	return id
}

// finish turns what a batch changed into store changes: the touched events
// (with importance, story and response), the importance of the other events
// of changed stories, and the changed stories.
func (c *Clusterer) finish(bs *batchState, ch *store.EventChanges) {
	for id := range bs.goneStory {
		if ch.GoneStories == nil {
			ch.GoneStories = map[int64]int64{}
		}
		ch.GoneStories[id] = finalStory(bs.goneStory, id)
	}
	for id := range bs.touched {
		if ev := c.events[id]; ev != nil {
			bs.stories[ev.story] = true
		}
	}
	ch.Importance = map[int64]float64{}
	// An event's importance changes with its documents or with the
	// references to its day (its story's and all); other events keep theirs.
	for id, ev := range c.events { // order does not matter: each sets its own
		day := !ev.happened.Date.IsZero() && bs.days[dayIndex(ev.happened.Date)]
		if !bs.touched[id] && !day {
			continue
		}
		imp := eventImportance(ev, c.stories.byID[ev.story], c.stories.refs)
		if !bs.touched[id] && math.Abs(imp-ev.importance) > 0.001 {
			ch.Importance[id] = imp
		}
		ev.importance = imp
	}
	for _, id := range sortedIDs(bs.stories) {
		st := c.stories.byID[id]
		if st == nil || bs.goneStory[id] != 0 {
			continue
		}
		if st.m == 0 {
			if ch.GoneStories == nil {
				ch.GoneStories = map[int64]int64{}
			}
			ch.GoneStories[id] = 0
			bs.goneStory[id] = 0
			continue
		}
		var titled *openEvent
		for _, ev := range st.events { // ties go to the lower id, whatever the order
			if titled == nil || ev.importance > titled.importance || (ev.importance == titled.importance && ev.id < titled.id) {
				titled = ev
			}
		}
		rec := store.StoryRecord{ID: id, Importance: storyImportance(st), Model: st.marshal()}
		if titled != nil {
			rec.Title = titled.title()
		}
		ch.Stories = append(ch.Stories, rec)
	}
	dated := map[*story][]*openEvent{} // each story's, sorted once per batch
	for _, id := range sortedIDs(bs.touched) {
		ev := c.events[id]
		if ev == nil || len(ev.members) == 0 {
			continue
		}
		st := c.stories.byID[ev.story]
		ev.importance = eventImportance(ev, st, c.stories.refs)
		ev.respondsTo = 0
		if st != nil && ev.typ == model.TypeStatement {
			d, ok := dated[st]
			if !ok {
				d = datedEvents(st)
				dated[st] = d
			}
			ev.respondsTo = respondsTo(ev, d)
		}
		e := ev.event()
		e.Story.ID, e.Importance, e.RespondsTo = ev.story, ev.importance, ev.respondsTo
		ch.Events = append(ch.Events, e)
	}
}
