package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// routes registers every page and API endpoint.
func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	h, a := s.html, s.api

	m.Handle("GET /static/", serveStatic())
	m.HandleFunc("GET /healthz", s.handleHealthz)
	m.Handle("GET /metrics", a(s.handleMetrics))
	m.Handle("GET /{$}", h(s.handleHome))
	m.Handle("GET /login", h(s.handleLoginPage))
	m.Handle("POST /login", h(s.handleLogin))
	m.Handle("POST /logout", h(s.handleLogout))

	m.Handle("GET /sources", h(s.handleSources))
	m.Handle("GET /documents/{id}", h(s.handleDocument))
	m.Handle("GET /documents/{id}/original", h(s.handleRawPage))

	m.Handle("GET /api/sources", a(s.apiSources))
	m.Handle("GET /api/documents", a(s.apiDocuments))
	m.Handle("GET /api/documents/{id}", a(s.apiDocument))

	s.searchRoutes(m)
	s.timelineRoutes(m)
	s.storyRoutes(m)
	s.subscriptionRoutes(m)

	m.Handle("GET /api/{$}", a(func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, map[string]any{"endpoints": apiEndpoints})
	}))
	// Anything else under /api/ answers in JSON, not with the HTML 404 page.
	m.Handle("/api/", a(func(w http.ResponseWriter, r *http.Request) error {
		return notFoundf("no API endpoint %s %s; GET /api/ lists them", r.Method, r.URL.Path)
	}))
	m.Handle("/", h(func(w http.ResponseWriter, r *http.Request) error {
		return notFoundf("no page at %s", r.URL.Path)
	}))
	return m
}

// apiEndpoints is what GET /api/ answers: every endpoint, one line each.
var apiEndpoints = []string{
	"GET /api/search?q=&from=&to=&source=&tag=&lang=&official=true&year=&sort=relevance|newest|oldest&limit=&offset=&all=1",
	"GET /api/search/export?format=csv|ndjson&q=… (every hit, streamed)",
	"GET /api/timeline?topic=|q=&type=&from=&to=&source=&official=true&title=&format=json|csv|ndjson|timelinejs|ics|md|text",
	"GET /api/events?topic=|q=&type=&from=&to=&limit=&offset=",
	"GET /api/events/{id}",
	"PATCH /api/events/{id} {title, happened, type} (token)",
	"POST /api/events/{id}/merge {from} (token)",
	"POST /api/events/{id}/split {documents: [ids]} (token)",
	"GET /api/documents?source=&from=&to=&limit=&offset=",
	"GET /api/documents/{id}",
	"GET /api/sources",
	"GET /api/subscriptions (token)",
	"GET /api/subscriptions/{id} (token)",
	"POST /api/subscriptions {query, level, sources, official, types, webhook|email|atom: true, digest, backfill} (token)",
	"POST /api/subscriptions/test {query, …, days}",
	"DELETE /api/subscriptions/{id} (token)",
	"GET /api/subscriptions/{id}/atom (token)",
	"GET /atom/{token} (a subscription's feed; the atom_url of the subscription is the capability)",
	"GET /healthz, GET /metrics",
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if _, err := s.st.MaxSeq(r.Context()); err != nil {
		s.log.Error("health check", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]string{"status": "unhealthy", "error": "the store cannot be read"})
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
}

type loginPage struct{ Next string }

func (*loginPage) pageTitle() (string, string) { return "Sign in", "" }

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "login", &loginPage{Next: localRedirect(r.URL.Query().Get("next"))})
	return nil
}

// writeJSON writes v as indented JSON with status 200.
func writeJSON(w http.ResponseWriter, v any) error {
	return writeJSONStatus(w, http.StatusOK, v)
}

// writeJSONStatus writes v as indented JSON. The API answers
// application/json, never HTML, so &, < and > stay as they are: URLs with
// query strings read as URLs (not \u0026) in every client.
func writeJSONStatus(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// readJSON decodes a JSON request body into v, rejecting unknown fields so a
// typo is an error rather than silently ignored.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return badRequestf("could not read the JSON body: " + err.Error())
	}
	return nil
}

// notFound is a 404 for a path that names nothing.
type notFound struct{ msg string }

func (e *notFound) Error() string { return e.msg }

func notFoundf(format string, args ...any) error {
	return &notFound{msg: fmt.Sprintf(format, args...)}
}

// pageParams reads limit and offset, keeping them within the server's limits.
func pageParams(limitS, offsetS string) (limit, offset int, err error) {
	limit = defaultPage
	if limitS != "" {
		if limit, err = strconv.Atoi(limitS); err != nil || limit < 1 {
			return 0, 0, badRequestf("limit must be a positive number")
		}
		limit = min(limit, maxPageSize)
	}
	if offsetS != "" {
		if offset, err = strconv.Atoi(offsetS); err != nil || offset < 0 {
			return 0, 0, badRequestf("offset must be zero or a positive number")
		}
		if offset > maxOffset {
			return 0, 0, badRequestf("offset may be at most " + strconv.Itoa(maxOffset) + "; narrow the query or use the export to read everything")
		}
	}
	return limit, offset, nil
}

// dateRange reads from/to as YYYY-MM-DD (to is inclusive: the end of that
// day) or as RFC 3339 times, taken as they are.
func dateRange(fromS, toS string) (from, to time.Time, err error) {
	if fromS = strings.TrimSpace(fromS); fromS != "" {
		if from, err = parseDateParam(fromS); err != nil {
			return from, to, badRequestf("from must be a date like 2025-10-14, got " + strconv.Quote(fromS))
		}
	}
	if toS = strings.TrimSpace(toS); toS != "" {
		if to, err = parseDateParam(toS); err != nil {
			return from, to, badRequestf("to must be a date like 2025-10-14, got " + strconv.Quote(toS))
		}
		if len(toS) == len(time.DateOnly) {
			to = to.Add(24*time.Hour - time.Second)
		}
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return from, to, badRequestf("the date range ends before it starts")
	}
	return from, to, nil
}

func parseDateParam(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// withParam returns u's path and query with key set to value (removed when
// value is empty) and the page offset reset unless key is the offset.
func withParam(u *url.URL, key, value string) string {
	q := u.Query()
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	if key != "offset" {
		q.Del("offset")
	}
	return u.Path + "?" + q.Encode()
}

type homePage struct {
	Sources      int
	Documents    int64
	Failing      int
	Topics       []model.Topic
	Latest       []model.Document
	SourceTitles map[string]string
}

func (*homePage) pageTitle() (string, string) { return "", "" }

// handleHome shows what is being watched, the topics and the newest documents.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rows, err := s.sourceRows(ctx)
	if err != nil {
		return err
	}
	p := &homePage{Sources: len(rows), Topics: s.opts.Config.Topics, SourceTitles: s.sourceTitles()}
	for _, row := range rows {
		if row.Status == "failing" {
			p.Failing++
		}
	}
	if p.Documents, err = s.st.CountDocuments(ctx, storeAllDocs); err != nil {
		return err
	}
	err = s.st.EachDocument(ctx, store.DocFilter{Limit: 15}, func(d model.Document) error {
		d.Text = ""
		p.Latest = append(p.Latest, d)
		return nil
	})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "home", p)
	return nil
}
