package timeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// CursorName is the timeline's cursor in the store's seq log.
const CursorName = "timeline"

const (
	dfStateName = "timeline.df"
	// editsStateName changes whenever an editor changes events, so a
	// long-running clusterer knows its cache is stale.
	editsStateName = "timeline.edits"
)

// Options tune the clusterer. Zero values take the defaults.
type Options struct {
	// Window: only events with a document published within Window of a new
	// document are candidates for it (default 10 days). It bounds the open
	// state, so throughput does not fall as the archive grows.
	Window time.Duration
	// Threshold is the similarity a document needs to join an event (default
	// 0.32); below it, it starts a new event.
	Threshold float64
	// Batch is how many documents are applied per transaction (default 500).
	Batch int
	// MaxOpen caps the events kept in memory (default 20000); older ones are
	// dropped and reloaded from the store if a late document needs them.
	MaxOpen int
}

func (o *Options) defaults() {
	if o.Window <= 0 {
		o.Window = 10 * 24 * time.Hour
	}
	if o.Threshold <= 0 {
		o.Threshold = 0.32
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.MaxOpen <= 0 {
		o.MaxOpen = 20000
	}
}

// Clusterer is the online event clusterer: it tails the store by seq and puts
// each document into an existing event or a new one, committing its output and
// its cursor together. One Clusterer must not be used from two goroutines at
// once; two processes are safe (the store detects the race and the loser
// reloads).
type Clusterer struct {
	st   Store
	an   *Analyzer
	opts Options

	cursor int64
	gen    []byte // editsStateName as last seen
	df     *dfTable
	nextID int64
	ready  bool

	events   map[int64]*openEvent
	docEvent map[int64]int64 // documents of cached events
	// Every stored event whose first document was published within one of
	// covered's intervals is cached (and the cache is up to date: all
	// changes go through it).
	covered []span
	// weeks indexes cached events by the week of their first document.
	weeks map[int64][]*openEvent
}

// span is an interval of publication times.
type span struct{ a, b time.Time }

// lookback is how long before a document's window an event may have started
// and still be a candidate: long-running events beyond it start anew.
const lookback = 120 * 24 * time.Hour

func weekOf(t time.Time) int64 { return t.Unix() / (7 * 24 * 3600) }

// openEvent is a cached event with its members' analyses.
type openEvent struct {
	id       int64
	members  []*docInfo
	centroid map[uint32]float64
	cnorm    float64
	ents     map[string]int
	// principals are who the members' titles name and who they quote.
	principals map[string]int
	sides      map[string]int // political camps of the principals
	first      time.Time
	last       time.Time
	happened   model.DateFound
	typ        model.EventType
	typConf    float64
	week       int64 // where the clusterer's week index has it
	indexed    bool
}

// NewClusterer returns a clusterer over st.
func NewClusterer(st Store, an *Analyzer, opts Options) *Clusterer {
	opts.defaults()
	return &Clusterer{st: st, an: an, opts: opts}
}

// load (re)reads the cursor and state from the store and empties the cache.
func (c *Clusterer) load(ctx context.Context) error {
	cur, err := c.st.Cursor(ctx, CursorName)
	if err != nil {
		return err
	}
	b, err := c.st.ClusterState(ctx, dfStateName)
	if err != nil {
		return err
	}
	gen, err := c.st.ClusterState(ctx, editsStateName)
	if err != nil {
		return err
	}
	maxID, err := c.st.MaxEventID(ctx)
	if err != nil {
		return err
	}
	c.cursor, c.df, c.nextID, c.gen = cur, unmarshalDF(b), maxID+1, gen
	c.events, c.docEvent = map[int64]*openEvent{}, map[int64]int64{}
	c.covered, c.weeks = nil, map[int64][]*openEvent{}
	c.ready = true
	return nil
}

// Run applies every document the store has beyond the cursor and returns how
// many it applied.
func (c *Clusterer) Run(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := c.Step(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// Step applies one batch of documents beyond the cursor (0 when caught up).
func (c *Clusterer) Step(ctx context.Context) (int, error) {
	if !c.ready {
		if err := c.load(ctx); err != nil {
			return 0, fmt.Errorf("cluster: %w", err)
		}
	}
	docs, err := c.st.DocumentsAfter(ctx, c.cursor, c.opts.Batch)
	if err != nil || len(docs) == 0 {
		return 0, err
	}
	n, err := c.apply(ctx, docs)
	if errors.Is(err, store.ErrConflict) {
		// Another process applied this part of the log first: reload its
		// output and carry on from its cursor.
		if err := c.load(ctx); err != nil {
			return 0, fmt.Errorf("cluster: %w", err)
		}
		return c.Step(ctx)
	}
	if err != nil {
		c.ready = false // the cache may hold uncommitted changes
		return 0, fmt.Errorf("cluster: %w", err)
	}
	return n, nil
}

// batchState collects what one batch changed.
type batchState struct {
	touched    map[int64]bool
	gone       map[int64]int64
	unassigned []int64
	members    map[int64]*docInfo // document -> analysis, for assigned docs
}

func (c *Clusterer) apply(ctx context.Context, docs []model.Document) (int, error) {
	ids := make([]int64, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	pins, err := c.st.Pins(ctx, ids)
	if err != nil {
		return 0, err
	}
	assigned, err := c.st.EventsOfDocuments(ctx, ids)
	if err != nil {
		return 0, err
	}
	bs := &batchState{touched: map[int64]bool{}, gone: map[int64]int64{}, members: map[int64]*docInfo{}}
	for _, d := range docs {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		// A document already in an event (a new version, a deletion, a replay)
		// leaves it first and is evaluated again.
		if ev, ok := assigned[d.ID]; ok {
			if err := c.removeDoc(ctx, d.ID, ev, bs); err != nil {
				return 0, err
			}
		}
		if d.Deleted {
			bs.unassigned = append(bs.unassigned, d.ID)
			delete(bs.members, d.ID)
			continue
		}
		info := c.an.analyze(d, c.df)
		target, err := c.choose(ctx, info, pins)
		if err != nil {
			return 0, err
		}
		c.addDoc(target, info)
		bs.touched[target.id] = true
		delete(bs.gone, target.id)
		bs.members[d.ID] = info
	}
	ch := store.EventChanges{
		Gone:       bs.gone,
		Unassigned: bs.unassigned,
		State:      map[string][]byte{dfStateName: c.df.marshal()},
		Expect:     map[string][]byte{editsStateName: c.gen},
		Cursor:     CursorName,
		From:       c.cursor,
		To:         docs[len(docs)-1].Seq,
	}
	// Each document's quotes are stored with it, committed with the cursor.
	ch.Quotes = make(map[int64][]model.Quote, len(bs.members))
	for _, id := range sortedIDs(bs.members) {
		info := bs.members[id]
		ch.Quotes[id] = info.Quotes
		b, err := json.Marshal(info)
		if err != nil {
			return 0, err
		}
		ch.Members = append(ch.Members, store.EventMember{DocumentID: id, EventID: c.docEvent[id], Published: info.Published, Analysis: b})
	}
	for _, id := range sortedIDs(bs.touched) {
		if ev := c.events[id]; ev != nil && len(ev.members) > 0 {
			ch.Events = append(ch.Events, ev.event())
		}
	}
	if err := c.st.ApplyEvents(ctx, ch); err != nil {
		return 0, err
	}
	c.cursor = ch.To
	c.evict(bs.touched)
	return len(docs), nil
}

// removeDoc takes a document out of its event (loading the event if needed).
func (c *Clusterer) removeDoc(ctx context.Context, docID, evID int64, bs *batchState) error {
	ev, err := c.event(ctx, evID)
	if err != nil {
		return err
	}
	if ev == nil {
		return nil
	}
	for i, m := range ev.members {
		if m.ID == docID {
			ev.members = append(ev.members[:i], ev.members[i+1:]...)
			break
		}
	}
	delete(c.docEvent, docID)
	ev.recompute(c.df)
	c.index(ev)
	if len(ev.members) == 0 {
		bs.gone[ev.id] = 0
		delete(bs.touched, ev.id)
		delete(c.events, ev.id)
	} else {
		bs.touched[ev.id] = true
	}
	return nil
}

// event returns cached event id, loading it from the store if needed (nil if
// it does not exist).
func (c *Clusterer) event(ctx context.Context, id int64) (*openEvent, error) {
	if ev := c.events[id]; ev != nil {
		return ev, nil
	}
	ms, err := c.st.EventMembers(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, nil
	}
	return c.cacheMembers(ms)[0], nil
}

// index puts a cached event in the week of its first document (again, if
// that moved).
func (c *Clusterer) index(ev *openEvent) {
	c.unindex(ev)
	if len(ev.members) == 0 {
		return
	}
	ev.week = weekOf(ev.first)
	ev.indexed = true
	c.weeks[ev.week] = append(c.weeks[ev.week], ev)
}

func (c *Clusterer) unindex(ev *openEvent) {
	if !ev.indexed {
		return
	}
	list := c.weeks[ev.week]
	for i, x := range list {
		if x == ev {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(c.weeks, ev.week)
	} else {
		c.weeks[ev.week] = list
	}
	ev.indexed = false
}

// cacheMembers builds events from stored members (grouped by event) and
// caches those not cached yet.
func (c *Clusterer) cacheMembers(ms []store.EventMember) []*openEvent {
	var out []*openEvent
	var cur *openEvent
	for _, m := range ms {
		if _, cached := c.events[m.EventID]; cached && (cur == nil || cur.id != m.EventID) {
			continue
		}
		if cur == nil || cur.id != m.EventID {
			cur = &openEvent{id: m.EventID}
			c.events[m.EventID] = cur
			out = append(out, cur)
		}
		var info docInfo
		if err := json.Unmarshal(m.Analysis, &info); err != nil || info.ID == 0 {
			info = docInfo{ID: m.DocumentID, Published: m.Published}
		}
		cur.members = append(cur.members, &info)
		c.docEvent[m.DocumentID] = m.EventID
	}
	for _, ev := range out {
		ev.recompute(c.df)
		c.index(ev)
	}
	return out
}

// ensureWindow makes sure every stored event whose first document was
// published in [a, b] is cached, loading only what is not covered yet (with
// some slack, so documents arriving in order rarely query).
func (c *Clusterer) ensureWindow(ctx context.Context, a, b time.Time) error {
	if len(gaps(c.covered, a, b)) == 0 {
		return nil
	}
	const slack = 30 * 24 * time.Hour
	a, b = a.Add(-slack), b.Add(slack)
	for _, g := range gaps(c.covered, a, b) {
		ms, err := c.st.EventMembersStarted(ctx, g.a, g.b)
		if err != nil {
			return err
		}
		c.cacheMembers(ms)
	}
	c.covered = addSpan(c.covered, span{a, b})
	return nil
}

// gaps returns the parts of [a, b] no interval of covered (sorted, disjoint)
// contains.
func gaps(covered []span, a, b time.Time) []span {
	var out []span
	cur := a
	for _, s := range covered {
		if s.b.Before(cur) {
			continue
		}
		if s.a.After(b) {
			break
		}
		if s.a.After(cur) {
			out = append(out, span{cur, s.a})
		}
		if s.b.After(cur) {
			cur = s.b
		}
	}
	if cur.Before(b) || (len(out) == 0 && cur.Equal(a) && !covers(covered, a)) {
		out = append(out, span{cur, b})
	}
	return out
}

func covers(covered []span, t time.Time) bool {
	for _, s := range covered {
		if !t.Before(s.a) && !t.After(s.b) {
			return true
		}
	}
	return false
}

// addSpan adds s to covered, keeping it sorted and merged.
func addSpan(covered []span, s span) []span {
	out := make([]span, 0, len(covered)+1)
	placed := false
	for _, x := range covered {
		switch {
		case x.b.Before(s.a):
			out = append(out, x)
		case s.b.Before(x.a):
			if !placed {
				out = append(out, s)
				placed = true
			}
			out = append(out, x)
		default:
			if x.a.Before(s.a) {
				s.a = x.a
			}
			if x.b.After(s.b) {
				s.b = x.b
			}
		}
	}
	if !placed {
		out = append(out, s)
	}
	return out
}

// evict empties the cache when it holds more than MaxOpen events, keeping
// the events this batch touched; what is needed again is reloaded.
func (c *Clusterer) evict(keep map[int64]bool) {
	if len(c.events) <= c.opts.MaxOpen {
		return
	}
	for id, ev := range c.events {
		if keep[id] {
			continue
		}
		c.unindex(ev)
		for _, m := range ev.members {
			delete(c.docEvent, m.ID)
		}
		delete(c.events, id)
	}
	c.covered = nil
}

// choose finds the event for a document: a pinned one, its original's (for a
// wire copy or near-duplicate), the most similar open one, or a new one.
func (c *Clusterer) choose(ctx context.Context, info *docInfo, pins map[int64]int64) (*openEvent, error) {
	if id, ok := pins[info.ID]; ok {
		ev, err := c.event(ctx, id)
		if err != nil {
			return nil, err
		}
		if ev == nil {
			ev = &openEvent{id: id}
			c.events[id] = ev
		}
		return ev, nil
	}
	if info.DuplicateOf != 0 {
		evID, ok := c.docEvent[info.DuplicateOf]
		if !ok {
			m, err := c.st.EventsOfDocuments(ctx, []int64{info.DuplicateOf})
			if err != nil {
				return nil, err
			}
			evID, ok = m[info.DuplicateOf]
		}
		if ok {
			ev, err := c.event(ctx, evID)
			if err != nil {
				return nil, err
			}
			if ev != nil {
				return ev, nil
			}
		}
	}
	pub := info.Published
	if err := c.ensureWindow(ctx, pub.Add(-c.opts.Window-lookback), pub.Add(c.opts.Window)); err != nil {
		return nil, err
	}
	var best *openEvent
	bestScore := c.opts.Threshold
	for _, ev := range c.candidates(pub) {
		s := c.score(info, ev)
		if s > bestScore || (s == bestScore && best != nil && ev.id < best.id) {
			best, bestScore = ev, s
		}
	}
	if best != nil {
		return best, nil
	}
	ev := &openEvent{id: c.nextID}
	c.nextID++
	c.events[ev.id] = ev
	return ev, nil
}

// candidates are the cached events that started at most lookback before
// pub's window and have a document within Window of pub, in id order.
func (c *Clusterer) candidates(pub time.Time) []*openEvent {
	a, b := pub.Add(-c.opts.Window), pub.Add(c.opts.Window)
	start := a.Add(-lookback)
	var out []*openEvent
	for w := weekOf(start); w <= weekOf(b); w++ {
		for _, ev := range c.weeks[w] {
			if len(ev.members) > 0 && !ev.last.Before(a) && !ev.first.After(b) && !ev.first.Before(start) {
				out = append(out, ev)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// score is how well a document fits an event, 0..1: text similarity of
// title and lead, shared named entities, closeness in publication and
// agreement of the happened dates. Reports of the same hearing agree on the
// day; hearings a month apart do not, however alike their words.
func (c *Clusterer) score(d *docInfo, ev *openEvent) float64 {
	// Cosine of the document with the event's centroid.
	dot := 0.0
	for i, t := range d.TermIDs {
		dot += float64(d.TermW[i]) * ev.centroid[t]
	}
	// Average link: the mean similarity to the members, which, unlike the
	// cosine with the centroid, does not grow as an event sprawls.
	cos := 0.0
	if n := len(ev.members); n > 0 {
		cos = dot / float64(n)
	}
	// Shared entities, weighted by rarity.
	ent, entTotal := 0.0, 0.0
	for _, e := range d.Entities {
		w := c.df.entityIDF(e)
		entTotal += w
		if ev.ents[e] > 0 {
			ent += w
		}
	}
	if entTotal > 0 {
		ent /= entTotal
	}
	// Publication closeness to the event's first report: news of an event
	// comes in the first days.
	dt := math.Abs(d.Published.Sub(ev.first).Hours() / 24)
	pubScore := math.Exp(-dt / 2)
	h, clash := dateAgreement(d.Happened, ev.happened)
	s := 0.5*cos + 0.25*ent + 0.1*pubScore + 0.15*h
	// An official publisher's statement in another language (or a second
	// version) on the same day is the same statement.
	if d.Official && dt < 1 {
		for _, m := range ev.members {
			if m.Official && m.Source == d.Source && m.Type == d.Type && math.Abs(m.Published.Sub(d.Published).Hours()) < 24 {
				s += 0.3
				break
			}
		}
	}
	if clash {
		s *= 0.4
	}
	if d.Type != ev.typ && d.TypeConfidence >= 0.4 && ev.typConf >= 0.4 && d.Type != model.TypeOther && ev.typ != model.TypeOther {
		s *= 0.65
	}
	// Statements by different people are different events, however alike
	// their subject; those by opposing camps (a minister and the opposition
	// answering him) all the more. People of one camp speaking on one
	// matter over a few days make one event.
	if d.Type == model.TypeStatement && ev.typ == model.TypeStatement {
		same := sharesPrincipal(d.Principals, ev.principals) || sharesKey(d.Sides, ev.sides)
		switch {
		case same:
		case len(d.Sides) > 0 && len(ev.sides) > 0:
			s *= 0.5
		case len(d.Principals) > 0 && len(ev.principals) > 0:
			s *= 0.7
		}
	}
	return s
}

// sharesPrincipal: some principal of ps names one of the event's, allowing
// for how differently reports name the same speaker ("Embassy Spokesperson",
// "Chinese embassy"): one name's content words contain the other's.
func sharesPrincipal(ps []string, of map[string]int) bool {
	for _, p := range ps {
		if of[p] > 0 {
			return true
		}
	}
	for _, p := range ps {
		wp := nameWords(p)
		for q, n := range of {
			if n > 0 && wordsNest(wp, nameWords(q)) {
				return true
			}
		}
	}
	return false
}

func sharesKey(keys []string, of map[string]int) bool {
	for _, k := range keys {
		if of[k] > 0 {
			return true
		}
	}
	return false
}

// roleNouns say what a speaker is, not who: they do not identify one.
var roleNouns = toSet("the a an of for in at on spokesperson spokesman spokeswoman press office source sources official officials")

// nameWords are the lower-case words of a name that identify its bearer.
func nameWords(name string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !roleNouns[w] {
			out = append(out, w)
		}
	}
	return out
}

// wordsNest: every word of the shorter list is in the longer one.
func wordsNest(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	for _, w := range a {
		found := false
		for _, x := range b {
			if x == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// dateAgreement compares two happened dates: 1 for the same day, less for
// near ones, and clash when both are confident and plainly different.
func dateAgreement(a, b model.DateFound) (float64, bool) {
	if a.Date.IsZero() || b.Date.IsZero() {
		return 0.5, false
	}
	confident := a.Confidence >= 0.45 && b.Confidence >= 0.45
	if a.Precision == model.PrecisionDay && b.Precision == model.PrecisionDay {
		days := math.Abs(a.Date.Sub(b.Date).Hours() / 24)
		sure := a.Confidence >= 0.6 && b.Confidence >= 0.6
		switch {
		case days < 0.5:
			return 1, false
		case days <= 2:
			return 0.6, sure
		case days <= 7:
			return 0.2, sure
		}
		return 0, confident
	}
	if a.Precision == model.PrecisionYear || b.Precision == model.PrecisionYear {
		if a.Date.Year() == b.Date.Year() {
			return 0.5, false
		}
		return 0, confident
	}
	if a.Date.Year() == b.Date.Year() && a.Date.Month() == b.Date.Month() {
		return 0.7, false
	}
	months := math.Abs(float64((a.Date.Year()-b.Date.Year())*12 + int(a.Date.Month()) - int(b.Date.Month())))
	if months <= 1 {
		return 0.3, false
	}
	return 0, confident
}

func (c *Clusterer) addDoc(ev *openEvent, info *docInfo) {
	ev.members = append(ev.members, info)
	c.docEvent[info.ID] = ev.id
	ev.recompute(c.df)
	c.index(ev)
}

// recompute refreshes an event's features from its members.
func (ev *openEvent) recompute(df *dfTable) {
	sort.SliceStable(ev.members, func(i, j int) bool {
		a, b := ev.members[i], ev.members[j]
		if !a.Published.Equal(b.Published) {
			return a.Published.Before(b.Published)
		}
		return a.ID < b.ID
	})
	ev.centroid = map[uint32]float64{}
	ev.ents = map[string]int{}
	ev.principals = map[string]int{}
	ev.sides = map[string]int{}
	var votes []dateVote
	for _, m := range ev.members {
		for i, t := range m.TermIDs {
			ev.centroid[t] += float64(m.TermW[i])
		}
		for _, e := range m.Entities {
			ev.ents[e]++
		}
		for _, p := range m.Principals {
			ev.principals[p]++
		}
		for _, x := range m.Sides {
			ev.sides[x]++
		}
		votes = append(votes, dateVote{m.Happened, m.voteWeight()})
	}
	norm := 0.0
	for _, w := range ev.centroid {
		norm += w * w
	}
	ev.cnorm = math.Sqrt(norm)
	if len(ev.members) > 0 {
		ev.first, ev.last = ev.members[0].Published, ev.members[len(ev.members)-1].Published
	}
	ev.happened = voteDate(votes)
	ev.typ, _, ev.typConf = voteType(ev.members)
}

// voteWeight is how much a document's date counts: its confidence, doubled
// for official documents, halved for copies.
func (d *docInfo) voteWeight() float64 {
	w := d.Happened.Confidence
	if d.Official {
		w *= 2
	}
	if d.DuplicateOf != 0 {
		w *= 0.5
	}
	return w
}

// event builds the stored event from the members.
func (ev *openEvent) event() model.Event {
	e := model.Event{ID: ev.id}
	e.Happened, e.Precision, e.DateConfidence, e.DatePhrase = ev.happened.Date, ev.happened.Precision,
		ev.happened.Confidence, ev.happened.Phrase
	e.Type, e.TypeEvidence, e.TypeConfidence = voteType(ev.members)
	var titleDoc *docInfo
	actorCount := map[model.Actor]int{}
	seenDate := map[string]bool{}
	for _, m := range ev.members {
		e.DocumentIDs = append(e.DocumentIDs, m.ID)
		if m.Official {
			e.PrimaryDocumentIDs = append(e.PrimaryDocumentIDs, m.ID)
			if titleDoc == nil || !titleDoc.Official {
				titleDoc = m
			}
		}
		if titleDoc == nil && m.DuplicateOf == 0 {
			titleDoc = m
		}
		for _, a := range m.Actors {
			actorCount[model.Actor{Name: a.Name, Kind: a.Kind}] += a.Mentions
		}
		e.Quotes = append(e.Quotes, m.Quotes...)
		for _, d := range m.Mentioned {
			k := d.Date.Format("2006-01-02") + string(d.Precision)
			if !seenDate[k] && len(e.Mentioned) < 20 {
				seenDate[k] = true
				e.Mentioned = append(e.Mentioned, d)
			}
		}
	}
	e.Quotes = foldQuotes(e.Quotes)
	if titleDoc == nil {
		titleDoc = ev.members[0]
	}
	e.Title = titleDoc.Title
	e.FirstDocumentID = firstReporter(ev.members).ID
	for a, n := range actorCount {
		a.Mentions = n
		e.Actors = append(e.Actors, a)
	}
	sortActors(e.Actors)
	if len(e.Actors) > 25 {
		e.Actors = e.Actors[:25]
	}
	sort.SliceStable(e.Mentioned, func(i, j int) bool { return e.Mentioned[i].Date.Before(e.Mentioned[j].Date) })
	return e
}

// firstReporter is the member that reported the event first: the earliest by
// the latest time its date allows (model.LatestPublished), and never a copy of
// another member — a wire reprint dated only to the day does not beat the
// wire story it copies.
func firstReporter(members []*docInfo) *docInfo {
	in := make(map[int64]bool, len(members))
	for _, m := range members {
		in[m.ID] = true
	}
	var first *docInfo
	for _, m := range members { // in published order, so ties keep the earlier
		if m.DuplicateOf != 0 && in[m.DuplicateOf] {
			continue
		}
		if first == nil || model.LatestPublished(m.Published).Before(model.LatestPublished(first.Published)) {
			first = m
		}
	}
	if first == nil {
		first = members[0]
	}
	return first
}

func sortedIDs[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
