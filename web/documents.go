package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/extract"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

// storeAllDocs selects every live document.
var storeAllDocs = store.DocFilter{}

// pathID reads the {id} path value as a positive integer.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequestf(name + " must be a positive number, got " + strconv.Quote(r.PathValue(name)))
	}
	return id, nil
}

// sourceRow is one line of the source health table.
type sourceRow struct {
	Source  model.Source
	Health  model.SourceHealth
	Status  string // ok, failing, never, unknown
	Crawled bool
}

type sourcesPage struct {
	Now     time.Time
	Rows    []sourceRow
	Failing int
}

func (*sourcesPage) pageTitle() (string, string) { return "Sources", "sources" }

// sourceRows joins the configured sources with their recorded health; sources
// crawled in the past but no longer configured are listed too, so nothing
// silently disappears.
func (s *Server) sourceRows(ctx context.Context) ([]sourceRow, error) {
	hs, err := s.st.SourceHealths(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]model.SourceHealth{}
	for _, h := range hs {
		byID[h.SourceID] = h
	}
	var rows []sourceRow
	seen := map[string]bool{}
	for _, src := range s.opts.Config.Sources {
		h, ok := byID[src.ID]
		if !ok {
			h = model.SourceHealth{SourceID: src.ID}
		}
		rows = append(rows, sourceRow{Source: src, Health: h, Crawled: ok})
		seen[src.ID] = true
	}
	for _, h := range hs {
		if !seen[h.SourceID] {
			rows = append(rows, sourceRow{Source: model.Source{ID: h.SourceID, Title: h.SourceID}, Health: h, Crawled: true})
		}
	}
	for i := range rows {
		r := &rows[i]
		if !r.Crawled {
			// Documents can arrive without a crawl (import, demo).
			n, err := s.st.CountDocuments(ctx, store.DocFilter{Sources: []string{r.Source.ID}})
			if err != nil {
				return nil, err
			}
			r.Health.TotalDocuments = n
		}
		switch {
		case !r.Crawled || r.Health.LastAttempt.IsZero():
			r.Status = "never"
		case r.Health.ConsecutiveFailures > 0:
			r.Status = "failing"
		default:
			r.Status = "ok"
		}
	}
	// Failing sources first, then by id: a broken feed is at the top.
	rank := map[string]int{"failing": 0, "never": 1, "ok": 2}
	sort.SliceStable(rows, func(i, j int) bool {
		if rank[rows[i].Status] != rank[rows[j].Status] {
			return rank[rows[i].Status] < rank[rows[j].Status]
		}
		return rows[i].Source.ID < rows[j].Source.ID
	})
	return rows, nil
}

func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.sourceRows(r.Context())
	if err != nil {
		return err
	}
	p := &sourcesPage{Now: s.now(), Rows: rows}
	for _, row := range rows {
		if row.Status == "failing" {
			p.Failing++
		}
	}
	s.render(w, r, http.StatusOK, "sources", p)
	return nil
}

// apiSource is one source in the API's /api/sources answer. Durations are
// written as feeds.yaml takes them ("30m"), not as nanoseconds.
type apiSource struct {
	model.Source
	Interval string    `json:"interval"`
	Delay    string    `json:"delay"`
	Budget   string    `json:"visit_budget"`
	Status   string    `json:"status"`
	Health   apiHealth `json:"health"`
}

type apiHealth struct {
	model.SourceHealth
	Interval string `json:"interval,omitempty"` // the current adaptive interval
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.sourceRows(r.Context())
	if err != nil {
		return err
	}
	out := make([]apiSource, 0, len(rows))
	for _, row := range rows {
		h := apiHealth{SourceHealth: row.Health}
		if row.Health.Interval > 0 {
			h.Interval = config.FormatDuration(row.Health.Interval)
		}
		out = append(out, apiSource{Source: row.Source, Interval: config.FormatDuration(row.Source.Interval),
			Delay: config.FormatDuration(row.Source.Delay), Budget: config.FormatDuration(row.Source.VisitBudget), Status: row.Status, Health: h})
	}
	return writeJSON(w, map[string]any{"sources": out})
}

// documentPage is the data of the document page.
type documentPage struct {
	Doc        model.Document
	Source     model.Source
	Versions   []model.DocumentVersion
	Labels     map[int]string // version → "20 Nov 2025 15:00 UTC", unique
	From, To   int            // the versions being compared
	Diff       []DiffPara
	Duplicates []model.Document
	Dates      []model.DateFound
	Quotes     []model.Quote
	HasRaw     bool
	Events     []timeline.Entry // the event(s) the document reports
}

// versionLabels names each version by when it was fetched, to the minute,
// or to the second where two versions share a minute, so no two versions of
// an edited statement read alike.
func versionLabels(vs []model.DocumentVersion) map[int]string {
	labels := make(map[int]string, len(vs))
	seen := map[string]int{}
	for _, v := range vs {
		seen[fmtDateTime(v.Fetched)]++
	}
	for _, v := range vs {
		l := fmtDateTime(v.Fetched)
		if seen[l] > 1 {
			l = v.Fetched.UTC().Format("2 Jan 2006 15:04:05 UTC")
		}
		labels[v.Version] = l
	}
	return labels
}

func (p *documentPage) pageTitle() (string, string) { return p.Doc.Title, "search" }

// loadDocument gathers what the document page and API show: the document, its
// versions and near-duplicates.
func (s *Server) loadDocument(r *http.Request) (*documentPage, error) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := s.st.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &documentPage{Doc: d}
	if src, ok := s.opts.Config.Source(d.SourceID); ok {
		p.Source = src
	} else {
		p.Source = model.Source{ID: d.SourceID, Title: d.SourceID}
	}
	if p.Versions, err = s.st.Versions(ctx, id); err != nil {
		return nil, err
	}
	if n := len(p.Versions); n > 1 {
		// from and to are version numbers; only the first and the newest
		// store.MaxVersions-1 are kept, so they need not be 1…n.
		p.From, p.To = p.Versions[n-2].Version, p.Versions[n-1].Version
		if v, err := strconv.Atoi(r.URL.Query().Get("from")); err == nil {
			p.From = v
		}
		if v, err := strconv.Atoi(r.URL.Query().Get("to")); err == nil {
			p.To = v
		}
		a, b := versionNumbered(p.Versions, p.From), versionNumbered(p.Versions, p.To)
		if a == nil || b == nil || p.From >= p.To {
			return nil, badRequestf(fmt.Sprintf("compare two of the document's kept versions (the first is %d, the newest %d), from before to",
				p.Versions[0].Version, p.Versions[n-1].Version))
		}
		p.Diff = diffText(a.Title+"\n"+a.Text, b.Title+"\n"+b.Text)
		p.Labels = versionLabels(p.Versions)
	}
	dups, err := s.st.Duplicates(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, did := range dups {
		dd, err := s.st.Document(ctx, did)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		dd.Text = ""
		p.Duplicates = append(p.Duplicates, dd)
	}
	p.Dates = s.datesIn(d)
	an, err := s.analyzer()
	if err != nil {
		return nil, err
	}
	if p.Quotes, err = timeline.DocumentQuotes(ctx, s.st, an, d); err != nil {
		return nil, err
	}
	_, err = s.st.RawPage(ctx, id, 0)
	p.HasRaw = err == nil
	evs, err := s.st.EventsOfDocuments(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	for _, evID := range evs {
		e, err := s.timeline().Event(ctx, evID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		p.Events = append(p.Events, e)
	}
	return p, nil
}

// versionNumbered returns the version numbered v, or nil.
func versionNumbered(vs []model.DocumentVersion, v int) *model.DocumentVersion {
	for i := range vs {
		if vs[i].Version == v {
			return &vs[i]
		}
	}
	return nil
}

func (s *Server) handleDocument(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadDocument(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "document", p)
	return nil
}

func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadDocument(r)
	if err != nil {
		return err
	}
	events := []map[string]any{}
	for _, e := range p.Events {
		events = append(events, map[string]any{"id": e.ID, "title": e.Title, "type": e.Type,
			"happened": timeline.DateString(e.Happened, e.Precision), "precision": e.Precision})
	}
	return writeJSON(w, map[string]any{
		"events":     events,
		"document":   p.Doc,
		"versions":   p.Versions,
		"diff":       p.Diff,
		"duplicates": p.Duplicates,
		"dates":      p.Dates,
		"quotes":     p.Quotes,
	})
}

// apiDocuments lists documents newest first: ?source=ID (repeatable),
// ?from=&to= (YYYY-MM-DD), ?limit=&offset=.
func (s *Server) apiDocuments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, offset, err := pageParams(q.Get("limit"), q.Get("offset"))
	if err != nil {
		return err
	}
	f := store.DocFilter{Sources: q["source"], Limit: limit, Offset: offset}
	if f.From, f.To, err = dateRange(q.Get("from"), q.Get("to")); err != nil {
		return err
	}
	total, err := s.st.CountDocuments(r.Context(), f)
	if err != nil {
		return err
	}
	docs := []model.Document{}
	err = s.st.EachDocument(r.Context(), f, func(d model.Document) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"total": total, "documents": docs})
}

// rawPage is the data of the sanitised original-page view.
type rawPage struct {
	Doc  model.Document
	HTML template.HTML
}

func (p *rawPage) pageTitle() (string, string) { return "Original page: " + p.Doc.Title, "search" }

// rawPolicy strips everything active from a stored page: scripts, styles,
// event handlers, forms, iframes; links keep their targets but get
// rel="nofollow noopener" and images are dropped (they would load from the
// outlet, which CSP forbids anyway).
func rawPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.AllowElements("article", "section", "header", "footer", "time", "figure", "figcaption")
	return p
}

func (s *Server) handleRawPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.st.Document(r.Context(), id)
	if err != nil {
		return err
	}
	raw, err := s.st.RawPage(r.Context(), id, 0)
	if err != nil {
		return err
	}
	text, _, err := extract.Decode(raw.Body, raw.ContentType)
	if err != nil {
		text = string(raw.Body)
	}
	clean := rawPolicy().Sanitize(text)
	s.render(w, r, http.StatusOK, "raw", &rawPage{Doc: d, HTML: template.HTML(clean)})
	return nil
}

// datesIn lists the dates the document's text mentions, resolved against its
// publication time, as the timeline reads them.
// analyzer is the timeline's document analyzer, built on first use (quotes
// of documents the clusterer has not reached yet are read with it).
func (s *Server) analyzer() (*timeline.Analyzer, error) {
	s.anOnce.Do(func() { s.an, s.anErr = timeline.NewAnalyzer() })
	return s.an, s.anErr
}

func (s *Server) datesIn(d model.Document) []model.DateFound {
	if d.Published.IsZero() {
		return nil
	}
	return timeline.ResolveDates(d.Text, d.Published)
}
