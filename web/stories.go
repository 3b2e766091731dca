package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

// storyKeyMoments is how many of a story's most important events the stories
// page shows on each story's small timeline.
const storyKeyMoments = 5

func (s *Server) storyRoutes(m *http.ServeMux) {
	h, a := s.html, s.api
	m.Handle("GET /stories", h(s.handleStories))
	m.Handle("GET /stories/{id}", h(s.handleStory))
	m.Handle("GET /api/stories", a(s.apiStories))
	m.Handle("GET /api/stories/{id}", a(s.apiStory))
}

// storyFilter reads sort, since (YYYY-MM-DD), min_docs, limit and offset.
func storyFilter(r *http.Request) (store.StoryFilter, error) {
	q := r.URL.Query()
	f := store.StoryFilter{Sort: q.Get("sort")}
	switch f.Sort {
	case "", "activity", "importance", "events":
	default:
		return f, badRequestf("sort must be activity, importance or events")
	}
	var err error
	if f.Limit, f.Offset, err = pageParams(q.Get("limit"), q.Get("offset")); err != nil {
		return f, err
	}
	if v := q.Get("since"); v != "" {
		if f.Since, err = time.Parse("2006-01-02", v); err != nil {
			return f, badRequestf("since must be a date: YYYY-MM-DD")
		}
	}
	if v := q.Get("min_docs"); v != "" {
		if f.MinDocs, err = strconv.Atoi(v); err != nil || f.MinDocs < 0 {
			return f, badRequestf("min_docs must be a number")
		}
	}
	return f, nil
}

// storyCard is one story on the stories page: the story, its key moments
// on a small timeline and who reported it.
type storyCard struct {
	model.Story
	Moments []timeline.Entry `json:"key_moments"`
	Strip   []stripDot       `json:"-"`
	Sources []string         `json:"sources"`
}

// stripDot places one key moment on a story's small timeline (0–100%).
type stripDot struct {
	Left  float64
	Label string
	ID    int64
}

// strip lays out events between a story's first and last date.
func strip(st model.Story, es []timeline.Entry) []stripDot {
	span := st.Last.Sub(st.First)
	var out []stripDot
	for _, e := range es {
		left := 50.0
		if span > 0 {
			left = 100 * float64(e.Happened.Sub(st.First)) / float64(span)
		}
		out = append(out, stripDot{Left: max(0, min(100, left)), ID: e.ID,
			Label: timeline.DateString(e.Happened, e.Precision) + ": " + e.Title})
	}
	return out
}

func (s *Server) storyCard(r *http.Request, st model.Story, moments int) (storyCard, error) {
	c := storyCard{Story: st}
	tl := s.timeline()
	err := tl.Each(r.Context(), timeline.Query{Story: st.ID, Top: moments}, func(e timeline.Entry) error {
		c.Moments = append(c.Moments, e)
		return nil
	})
	if err != nil {
		return c, err
	}
	c.Strip = strip(st, c.Moments)
	c.Sources, err = tl.StorySources(r.Context(), st.ID)
	return c, err
}

type storiesPage struct {
	Sort    string
	Stories []storyCard
	Offset  int
	Next    int // offset of the next page, 0 if none
	Sources map[string]string
}

func (*storiesPage) pageTitle() (string, string) { return "Stories", "stories" }

func (s *Server) handleStories(w http.ResponseWriter, r *http.Request) error {
	f, err := storyFilter(r)
	if err != nil {
		return err
	}
	f.Limit = min(f.Limit, 50)
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	list, err := s.timeline().Stories(r.Context(), f)
	if err != nil {
		return err
	}
	p := &storiesPage{Sort: f.Sort, Offset: f.Offset, Sources: s.sourceTitles()}
	if len(list) > limit {
		list, p.Next = list[:limit], f.Offset+limit
	}
	for _, st := range list {
		c, err := s.storyCard(r, st, storyKeyMoments)
		if err != nil {
			return err
		}
		p.Stories = append(p.Stories, c)
	}
	s.render(w, r, http.StatusOK, "stories", p)
	return nil
}

type storyPage struct {
	storyCard
	Events       []timeline.Entry
	Key          bool // only the key moments
	SourceTitles map[string]string
}

func (p *storyPage) pageTitle() (string, string) { return p.Title, "stories" }

func (s *Server) handleStory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st, err := s.timeline().Story(r.Context(), id)
	if err != nil {
		return err
	}
	if st.ID != id {
		// A merged story's id: send the browser to where it lives now.
		http.Redirect(w, r, "/stories/"+strconv.FormatInt(st.ID, 10), http.StatusMovedPermanently)
		return nil
	}
	c, err := s.storyCard(r, st, storyKeyMoments)
	if err != nil {
		return err
	}
	p := &storyPage{storyCard: c, Key: r.URL.Query().Get("key") == "1", SourceTitles: s.sourceTitles()}
	q := timeline.Query{Story: st.ID}
	if p.Key {
		q.Top = storyKeyMoments * 2
	}
	err = s.timeline().Each(r.Context(), q, func(e timeline.Entry) error {
		if len(p.Events) < maxTimelineEntries {
			p.Events = append(p.Events, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "story", p)
	return nil
}

// apiStories lists stories as JSON, with their key moments.
func (s *Server) apiStories(w http.ResponseWriter, r *http.Request) error {
	f, err := storyFilter(r)
	if err != nil {
		return err
	}
	list, err := s.timeline().Stories(r.Context(), f)
	if err != nil {
		return err
	}
	out := []storyCard{}
	for _, st := range list {
		c, err := s.storyCard(r, st, storyKeyMoments)
		if err != nil {
			return err
		}
		out = append(out, c)
	}
	return writeJSON(w, map[string]any{"stories": out, "offset": f.Offset})
}

// apiStory is one story with all its events (top=N: its N most important).
func (s *Server) apiStory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st, err := s.timeline().Story(r.Context(), id)
	if err != nil {
		return err
	}
	q := timeline.Query{Story: st.ID}
	if v := r.URL.Query().Get("top"); v != "" {
		if q.Top, err = strconv.Atoi(v); err != nil || q.Top < 0 {
			return badRequestf("top must be a number")
		}
	}
	events := []timeline.Entry{}
	errDone := errors.New("done")
	err = s.timeline().Each(r.Context(), q, func(e timeline.Entry) error {
		if len(events) == maxTimelineEntries {
			return errDone
		}
		events = append(events, e)
		return nil
	})
	if err != nil && !errors.Is(err, errDone) {
		return err
	}
	sources, err := s.timeline().StorySources(r.Context(), st.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"story": st, "sources": sources, "events": events, "more": errors.Is(err, errDone)})
}
