package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/timeline"
)

// maxTimelineEntries caps the events one timeline page lists; the chart
// counts all of them and the exports stream all of them.
const maxTimelineEntries = 500

func (s *Server) timelineRoutes(m *http.ServeMux) {
	h, a := s.html, s.api
	m.Handle("GET /timeline", h(s.handleTimeline))
	m.Handle("GET /events/{id}", h(s.handleEvent))
	m.Handle("POST /events/{id}/edit", h(s.handleEventEdit))
	m.Handle("POST /events/{id}/merge", h(s.handleEventMerge))
	m.Handle("POST /events/{id}/split", h(s.handleEventSplit))

	m.Handle("GET /api/timeline", a(s.apiTimeline))
	m.Handle("GET /api/events", a(s.apiEvents))
	m.Handle("GET /api/events/{id}", a(s.apiEvent))
	m.Handle("PATCH /api/events/{id}", a(s.apiEventEdit))
	m.Handle("POST /api/events/{id}/merge", a(s.apiEventMerge))
	m.Handle("POST /api/events/{id}/split", a(s.apiEventSplit))
}

// timeline returns the timeline reader, matching queries with the index.
func (s *Server) timeline() *timeline.Timeline {
	var m timeline.Matcher
	if ix := s.opts.Index; ix != nil {
		m = timeline.MatcherFunc(ix.QueryIDs)
	}
	return timeline.New(s.st, m)
}

// exportTypes are the content type and file extension of each export format.
var exportTypes = map[string]struct{ ContentType, Ext, Label string }{
	"json":       {"application/json; charset=utf-8", "json", "JSON"},
	"csv":        {"text/csv; charset=utf-8", "csv", "CSV"},
	"ndjson":     {"application/x-ndjson", "ndjson", "NDJSON"},
	"timelinejs": {"application/json; charset=utf-8", "timelinejs.json", "TimelineJS"},
	"ics":        {"text/calendar; charset=utf-8", "ics", "Calendar (ICS)"},
	"md":         {"text/markdown; charset=utf-8", "md", "Markdown"},
	"text":       {"text/plain; charset=utf-8", "txt", "Text"},
}

// timelineQuery reads a timeline selection from URL parameters: topic (a
// configured topic id) or q (a query), type (repeatable), from, to
// (happened, YYYY-MM-DD or RFC 3339), source (repeatable), official=true,
// and title (the export's title).
func (s *Server) timelineQuery(q url.Values) (timeline.Query, error) {
	tq := timeline.Query{Query: strings.TrimSpace(q.Get("q")), Sources: nonEmpty(q["source"])}
	if id := q.Get("topic"); id != "" {
		t, ok := s.opts.Config.Topic(id)
		switch {
		case ok:
			tq.Topic, tq.Title = t.ID, t.Title
			if tq.Query == "" {
				tq.Query = t.Query
			}
		case tq.Query != "":
			// A caller that sends the topic's query (the CLI beside a
			// server started with another feeds.yaml) names it for the record.
			tq.Topic = id
		default:
			return tq, notFoundf("no topic %q in feeds.yaml", id)
		}
	}
	if title := strings.TrimSpace(q.Get("title")); title != "" {
		if len([]rune(title)) > 300 {
			return tq, badRequestf("the title is longer than 300 characters; shorten it")
		}
		tq.Title = title
	}
	if len([]rune(tq.Query)) > maxQueryLen {
		return tq, badRequestf("the query is longer than " + strconv.Itoa(maxQueryLen) + " characters; shorten it")
	}
	if tq.Query != "" {
		if _, err := index.Parse(tq.Query); err != nil {
			return tq, err
		}
	}
	for _, t := range nonEmpty(q["type"]) {
		et, err := timeline.ParseType(t)
		if err != nil {
			return tq, err
		}
		tq.Types = append(tq.Types, et)
	}
	var err error
	if tq.From, tq.To, err = dateRange(q.Get("from"), q.Get("to")); err != nil {
		return tq, err
	}
	switch q.Get("official") {
	case "":
	case "true", "1":
		tq.Official = true
	default:
		return tq, badRequestf("official may only be true")
	}
	if v := q.Get("top"); v != "" {
		if tq.Top, err = strconv.Atoi(v); err != nil || tq.Top < 0 {
			return tq, badRequestf("top must be a number of events (0: all)")
		}
	}
	switch tq.Sort = q.Get("sort"); tq.Sort {
	case "", "happened", "importance":
	default:
		return tq, badRequestf("sort must be happened or importance")
	}
	if v := q.Get("story"); v != "" {
		if tq.Story, err = strconv.ParseInt(v, 10, 64); err != nil || tq.Story < 0 {
			return tq, badRequestf("story must be a story number")
		}
	}
	if tq.Title == "" {
		tq.Title = "All events"
		if tq.Query != "" {
			tq.Title = "Events matching " + tq.Query
		}
	}
	return tq, nil
}

// header is the reproducibility header of an export.
func (s *Server) header(ctx context.Context, tq timeline.Query) (timeline.Header, error) {
	seq, err := s.st.MaxSeq(ctx)
	if err != nil {
		return timeline.Header{}, err
	}
	return timeline.Header{Title: tq.Title, Query: tq, Generated: s.now().UTC(), StoreSeq: seq}, nil
}

// apiTimeline exports a timeline in any format (json by default), streaming,
// with the content type and a download file name.
func (s *Server) apiTimeline(w http.ResponseWriter, r *http.Request) error {
	tq, err := s.timelineQuery(r.URL.Query())
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	ct, ok := exportTypes[format]
	if !ok {
		return badRequestf("format must be one of " + strings.Join(timeline.Formats, ", "))
	}
	h, err := s.header(r.Context(), tq)
	if err != nil {
		return err
	}
	name := "watchline-timeline"
	if tq.Topic != "" {
		name += "-" + safeFileName(tq.Topic)
	}
	w.Header().Set("Content-Type", ct.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, ct.Ext))
	if _, err := timeline.Export(r.Context(), s.timeline(), tq, h, format, w); err != nil {
		// Headers are sent; the file is cut short. Log it.
		s.log.Error("timeline export stopped", "format", format, "err", err)
	}
	return nil
}

// safeFileName keeps letters, digits, '-' and '_' (a topic id in a header).
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}

// apiEvents lists events as JSON (one page: limit, offset).
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) error {
	tq, err := s.timelineQuery(r.URL.Query())
	if err != nil {
		return err
	}
	limit, offset, err := pageParams(r.URL.Query().Get("limit"), r.URL.Query().Get("offset"))
	if err != nil {
		return err
	}
	out := []timeline.Entry{}
	n := 0
	errDone := errors.New("done")
	err = s.timeline().Each(r.Context(), tq, func(e timeline.Entry) error {
		n++
		if n <= offset {
			return nil
		}
		if len(out) == limit {
			return errDone
		}
		out = append(out, e)
		return nil
	})
	if err != nil && !errors.Is(err, errDone) {
		return err
	}
	return writeJSON(w, map[string]any{"events": out, "offset": offset, "more": errors.Is(err, errDone)})
}

func (s *Server) apiEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := s.timeline().Event(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, e)
}

// chartBar is one month of the events-per-month chart.
type chartBar struct {
	X, Y, W, H float64
	CX         float64 // the bar's middle, where its count is written
	Count      int
	Label      string // "Apr 2024: 3 events"
	Tick       string // year label under January (or the first bar)
	URL        string // the timeline narrowed to this month (months with events)
}

type chart struct {
	Width, Height float64
	Bars          []chartBar
	Max           int
}

// Months are the chart's months that have events, for the list under it.
func (c *chart) Months() []chartBar {
	var out []chartBar
	for _, b := range c.Bars {
		if b.Count > 0 {
			out = append(out, b)
		}
	}
	return out
}

// monthChart lays out an SVG bar chart of events per month, from the first
// month with an event to the last. Undated events are not drawn. Each bar
// with events carries its count as text (no hover needed, on a phone
// either) and links to link(month), the timeline of that month.
func monthChart(counts map[time.Time]int, link func(month time.Time) string) *chart {
	if len(counts) == 0 {
		return nil
	}
	var first, last time.Time
	maxN := 0
	for m, n := range counts {
		if first.IsZero() || m.Before(first) {
			first = m
		}
		if m.After(last) {
			last = m
		}
		maxN = max(maxN, n)
	}
	months := (last.Year()-first.Year())*12 + int(last.Month()-first.Month()) + 1
	if months > 600 {
		// Fifty years of months would be unreadable; keep the latest.
		first = last.AddDate(0, -599, 0)
		months = 600
	}
	// top leaves room for the count above the tallest bar.
	const height, plot, top = 132.0, 90.0, 18.0
	barW := max(6.0, min(24.0, 720.0/float64(months)))
	c := &chart{Width: barW*float64(months) + 2, Height: height, Max: maxN}
	for i := 0; i < months; i++ {
		m := first.AddDate(0, i, 0)
		n := counts[m]
		h := 0.0
		if n > 0 {
			h = max(2, plot*float64(n)/float64(maxN))
		}
		b := chartBar{X: 1 + float64(i)*barW, W: barW - 1, H: h, Y: top + plot - h, Count: n, CX: 1 + float64(i)*barW + (barW-1)/2,
			Label: fmt.Sprintf("%s: %d event%s", m.Format("Jan 2006"), n, plural(n))}
		if n > 0 && link != nil {
			b.URL = link(m)
		}
		if i == 0 || m.Month() == time.January {
			b.Tick = m.Format("2006")
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

type exportLink struct{ Label, URL string }

type timelinePage struct {
	Query     timeline.Query
	Top       int // key moments: only the Top most important
	Sort      string
	Q         string
	Topic     string
	Topics    []model.Topic
	Types     []model.EventType
	TypeSet   map[string]bool
	From, To  string
	Official  bool
	Entries   []timeline.Entry
	Total     int
	Truncated bool
	Chart     *chart
	Exports   []exportLink
	Sources   map[string]string
	Error     string
}

func (*timelinePage) pageTitle() (string, string) { return "Timeline", "timeline" }

func (s *Server) handleTimeline(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &timelinePage{Q: q.Get("q"), Topic: q.Get("topic"), Topics: s.opts.Config.Topics, Types: model.EventTypes, Sort: q.Get("sort"),
		TypeSet: map[string]bool{}, From: q.Get("from"), To: q.Get("to"), Official: q.Get("official") == "true",
		Sources: s.sourceTitles()}
	for _, t := range q["type"] {
		p.TypeSet[t] = true
	}
	tq, err := s.timelineQuery(q)
	status := http.StatusOK
	if isQueryError(err) {
		p.Error = err.Error()
		s.render(w, r, http.StatusBadRequest, "timeline", p)
		return nil
	}
	if err != nil {
		return err
	}
	p.Query, p.Top = tq, tq.Top
	tr, err := s.timelineEvents(r.Context(), tq)
	if err != nil {
		return err
	}
	p.Total, p.Entries, p.Truncated = tr.total, tr.entries, tr.truncated
	counts := tr.counts
	p.Chart = monthChart(counts, func(m time.Time) string {
		mq := cloneValues(q)
		mq.Set("from", m.Format(time.DateOnly))
		mq.Set("to", m.AddDate(0, 1, -1).Format(time.DateOnly))
		return "/timeline?" + mq.Encode()
	})
	eq := cloneValues(q)
	for _, f := range []string{"json", "csv", "ndjson", "timelinejs", "ics", "md", "text"} {
		eq.Set("format", f)
		p.Exports = append(p.Exports, exportLink{Label: exportTypes[f].Label, URL: "/api/timeline?" + eq.Encode()})
	}
	s.render(w, r, status, "timeline", p)
	return nil
}

// topActors is how many actors the event page names before "all N".
const topActors = 6

// eventPage is the data of the event page.
type eventPage struct {
	timeline.Entry
	// Ranked is the event's actors, most mentioned first; Top the first
	// topActors of them, the rest behind "all N actors".
	Ranked, Top   []model.Actor
	Primary       map[int64]bool
	Docs          map[int64]string // document id → title, for quotes
	Source        map[string]string
	Error         string
	Types         []model.EventType
	HappenedInput string // the date as the edit form shows it
}

func (p *eventPage) pageTitle() (string, string) { return p.Title, "timeline" }

func (s *Server) loadEventPage(r *http.Request) (*eventPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	e, err := s.timeline().Event(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := &eventPage{Entry: e, Primary: map[int64]bool{}, Docs: map[int64]string{}, Source: s.sourceTitles(),
		Types: model.EventTypes, HappenedInput: timeline.DateString(e.Happened, e.Precision)}
	for _, id := range e.PrimaryDocumentIDs {
		p.Primary[id] = true
	}
	p.Ranked = rankActors(e.Actors)
	p.Top = p.Ranked[:min(topActors, len(p.Ranked))]
	for _, src := range e.Sources {
		p.Docs[src.DocumentID] = src.Title
	}
	return p, nil
}

// rankActors orders actors by how often the event's documents mention them,
// then by kind (people first) and name, so the top few are the ones the event
// is about.
func rankActors(as []model.Actor) []model.Actor {
	out := slices.Clone(as)
	kind := map[string]int{"person": 0, "organisation": 1, "country": 2}
	rank := func(k string) int {
		if r, ok := kind[k]; ok {
			return r
		}
		return len(kind)
	}
	slices.SortStableFunc(out, func(a, b model.Actor) int {
		if a.Mentions != b.Mentions {
			return b.Mentions - a.Mentions
		}
		if ra, rb := rank(a.Kind), rank(b.Kind); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

func (s *Server) handleEvent(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadEventPage(r)
	if err != nil {
		return err
	}
	if p.ID != mustID(r) {
		// A merged event's id: send the browser to where it lives now.
		http.Redirect(w, r, "/events/"+strconv.FormatInt(p.ID, 10), http.StatusMovedPermanently)
		return nil
	}
	s.render(w, r, http.StatusOK, "event", p)
	return nil
}

func mustID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id
}

// editResult re-renders the event page with the editor's mistake, or
// redirects to the event on success.
func (s *Server) editResult(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	if err == nil {
		http.Redirect(w, r, "/events/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	}
	status, _ := statusOf(err)
	if status != http.StatusBadRequest {
		return err
	}
	p, perr := s.loadEventPage(r)
	if perr != nil {
		return perr
	}
	p.Error = err.Error()
	s.render(w, r, status, "event", p)
	return nil
}

func (s *Server) handleEventEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := s.authorizedFormID(r)
	if err != nil {
		return err
	}
	e := timeline.Edit{Title: r.PostForm.Get("title"), Happened: r.PostForm.Get("happened"), Type: r.PostForm.Get("type")}
	return s.editResult(w, r, id, timeline.NewEditor(s.st).Edit(r.Context(), id, e))
}

func (s *Server) handleEventMerge(w http.ResponseWriter, r *http.Request) error {
	id, err := s.authorizedFormID(r)
	if err != nil {
		return err
	}
	from, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("from")), 10, 64)
	if err != nil || from <= 0 {
		return s.editResult(w, r, id, badRequestf("give the number of the event to merge into this one"))
	}
	return s.editResult(w, r, id, timeline.NewEditor(s.st).Merge(r.Context(), id, from))
}

func (s *Server) handleEventSplit(w http.ResponseWriter, r *http.Request) error {
	id, err := s.authorizedFormID(r)
	if err != nil {
		return err
	}
	var docs []int64
	for _, v := range r.PostForm["doc"] {
		d, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s.editResult(w, r, id, badRequestf("document ids must be numbers"))
		}
		docs = append(docs, d)
	}
	newID, err := timeline.NewEditor(s.st).Split(r.Context(), id, docs)
	if err != nil {
		return s.editResult(w, r, id, err)
	}
	return s.editResult(w, r, newID, nil)
}

// apiEventEditIn is the body of PATCH /api/events/{id}.
type apiEventEditIn struct {
	Title    string `json:"title"`
	Happened string `json:"happened"` // YYYY-MM-DD, YYYY-MM or YYYY
	Type     string `json:"type"`
}

func (s *Server) apiEventEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := s.authorizedAPIID(r)
	if err != nil {
		return err
	}
	var in apiEventEditIn
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if err := timeline.NewEditor(s.st).Edit(r.Context(), id, timeline.Edit(in)); err != nil {
		return err
	}
	return s.apiEvent(w, r)
}

func (s *Server) apiEventMerge(w http.ResponseWriter, r *http.Request) error {
	id, err := s.authorizedAPIID(r)
	if err != nil {
		return err
	}
	var in struct {
		From int64 `json:"from"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if err := timeline.NewEditor(s.st).Merge(r.Context(), id, in.From); err != nil {
		return err
	}
	return s.apiEvent(w, r)
}

func (s *Server) apiEventSplit(w http.ResponseWriter, r *http.Request) error {
	id, err := s.authorizedAPIID(r)
	if err != nil {
		return err
	}
	var in struct {
		Documents []int64 `json:"documents"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	newID, err := timeline.NewEditor(s.st).Split(r.Context(), id, in.Documents)
	if err != nil {
		return err
	}
	e, err := s.timeline().Event(r.Context(), newID)
	if err != nil {
		return err
	}
	return writeJSONStatus(w, http.StatusCreated, e)
}

// isEditError reports whether err is an editor's mistake (a 400).
func isEditError(err error) bool { return errors.Is(err, timeline.ErrInvalidEdit) }

// timelineEvents is what the timeline page shows of a selection: the first
// maxTimelineEntries events and every event's month. The answer is kept for
// as long as the data it came from is unchanged (the search index's cursor,
// which moves with every document indexed, and the newest seq of the event
// log, which moves with every event clustered, edited, merged or split), so
// many readers of one topic's page cost one reading of its events.
func (s *Server) timelineEvents(ctx context.Context, tq timeline.Query) (*timelineResult, error) {
	var ixSeq int64
	if ix := s.opts.Index; ix != nil {
		var err error
		if ixSeq, err = ix.Cursor(); err != nil {
			return nil, err
		}
	}
	evSeq, err := s.st.MaxEventSeq(ctx)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%d/%d/%+v", ixSeq, evSeq, tq)
	if tr, ok := s.timelines.get(key); ok {
		return tr, nil
	}
	tr := &timelineResult{counts: map[time.Time]int{}}
	err = s.timeline().Each(ctx, tq, func(e timeline.Entry) error {
		tr.total++
		if !e.Happened.IsZero() {
			y, m, _ := e.Happened.UTC().Date()
			tr.counts[time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)]++
		}
		if len(tr.entries) < maxTimelineEntries {
			tr.entries = append(tr.entries, e)
		} else {
			tr.truncated = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.timelines.put(key, tr)
	return tr, nil
}

// timelineResult is one selection's events as the timeline page shows them.
// It is shared between requests: read it, never change it.
type timelineResult struct {
	total     int
	entries   []timeline.Entry
	truncated bool
	counts    map[time.Time]int // events per month
}

// timelineCache keeps the last timelineCacheSize timeline answers.
type timelineCache struct {
	mu    sync.Mutex
	m     map[string]*timelineResult
	order []string // keys, oldest first
}

// timelineCacheSize is how many selections the cache keeps: the topics of a
// feeds.yaml and a few queries people are looking at.
const timelineCacheSize = 32

func (c *timelineCache) get(key string) (*timelineResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tr, ok := c.m[key]
	return tr, ok
}

func (c *timelineCache) put(key string, tr *timelineResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*timelineResult{}
	}
	if _, ok := c.m[key]; ok {
		return
	}
	if len(c.order) >= timelineCacheSize {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[key] = tr
	c.order = append(c.order, key)
}
