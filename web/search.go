package web

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/index"
)

func (s *Server) searchRoutes(m *http.ServeMux) {
	m.Handle("GET /search", s.html(s.handleSearch))
	m.Handle("GET /api/search", s.api(s.apiSearch))
	m.Handle("GET /api/search/export", s.api(s.apiSearchExport))
}

func isQueryError(err error) bool {
	var qe *index.QueryError
	return errors.As(err, &qe)
}

// facetNames are the facets the search page shows, in order, with the URL
// parameter that filters by each.
var facetNames = []struct{ Facet, Param, Label string }{
	{"source", "source", "Source"},
	{"official", "official", "Official"},
	{"year", "year", "Year"},
	{"tag", "tag", "Tag"},
	{"language", "lang", "Language"},
}

// searchRequest reads a search from URL parameters:
//
//	q       the query (see the help on the search page)
//	from,to published date range, YYYY-MM-DD, inclusive
//	source, tag, lang, type   filters (repeatable)
//	official  "true" for primary sources only
//	year    shorthand for from=YEAR-01-01&to=YEAR-12-31
//	sort    relevance (default), newest, oldest
//	limit, offset  paging
//	all     "1" to show every wire copy instead of folding them
func searchRequest(q url.Values) (index.Request, error) {
	req := index.Request{Query: strings.TrimSpace(q.Get("q"))}
	if len([]rune(req.Query)) > maxQueryLen {
		return req, badRequestf("the query is longer than " + strconv.Itoa(maxQueryLen) + " characters; shorten it")
	}
	var err error
	from, to := q.Get("from"), q.Get("to")
	if y := q.Get("year"); y != "" {
		if n, err := strconv.Atoi(y); err != nil || n < 1000 || n > 9999 {
			return req, badRequestf("year must be a four-digit year")
		}
		from, to = y+"-01-01", y+"-12-31"
	}
	if req.From, req.To, err = dateRange(from, to); err != nil {
		return req, err
	}
	req.Sources, req.Tags, req.Languages = nonEmpty(q["source"]), nonEmpty(q["tag"]), nonEmpty(q["lang"])
	req.Types = nonEmpty(q["type"])
	switch q.Get("official") {
	case "":
	case "true", "1", "yes":
		req.Official = true
	default:
		return req, badRequestf("official may only be true (primary sources only); leave it out for everything")
	}
	switch srt := q.Get("sort"); srt {
	case "", "relevance", "newest", "oldest":
		req.Sort = srt
	default:
		return req, badRequestf("sort must be relevance, newest or oldest")
	}
	if req.Limit, req.Offset, err = pageParams(q.Get("limit"), q.Get("offset")); err != nil {
		return req, err
	}
	req.NoCollapse = q.Get("all") == "1"
	req.Facets = true
	return req, nil
}

func nonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// search runs req, timing it for /metrics.
func (s *Server) search(r *http.Request, req index.Request) (*index.Result, error) {
	if s.opts.Index == nil {
		return nil, errNoIndex
	}
	start := time.Now()
	res, err := s.opts.Index.Search(r.Context(), s.st, req)
	s.metrics.Observe("watchline_search_duration_seconds", time.Since(start))
	return res, err
}

// facetGroup is one facet block of the search page.
type facetGroup struct {
	Label  string
	Values []facetLink
}

type facetLink struct {
	Value, Label, URL string
	Count             int
	Active            bool
}

type filterChip struct{ Label, URL string }

type searchPage struct {
	Q          string
	Req        index.Request
	Res        *index.Result
	Error      string // a query syntax error, shown beside the box
	Facets     []facetGroup
	Active     []filterChip
	From, To   string
	Year       string
	Sort       string
	Prev, Next string
	First      int // 1-based rank of the first hit shown
	Last       int
	ExportCSV  string
	ExportJSON string
	Sources    map[string]string // id → title
	Searched   bool
}

func (*searchPage) pageTitle() (string, string) { return "Search", "search" }

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &searchPage{Q: q.Get("q"), From: q.Get("from"), To: q.Get("to"), Year: q.Get("year"), Sort: q.Get("sort"), Sources: s.sourceTitles()}
	req, err := searchRequest(q)
	if err != nil {
		return err
	}
	p.Req = req
	status := http.StatusOK
	if req.Query != "" || len(req.Sources)+len(req.Tags)+len(req.Languages)+len(req.Types) > 0 || req.Official || q.Get("year") != "" {
		if req.Query == "" {
			req.Query = "*"
		}
		p.Searched = true
		res, err := s.search(r, req)
		switch {
		case isQueryError(err):
			// A bad query is the user's to fix: show the page with the message
			// next to the box, with status 400.
			p.Error = err.Error()
			status = http.StatusBadRequest
		case err != nil:
			return err
		default:
			p.Res = res
		}
	}
	if p.Res != nil {
		s.fillSearchPage(p, r.URL)
	}
	s.render(w, r, status, "search", p)
	return nil
}

func (s *Server) sourceTitles() map[string]string {
	m := map[string]string{}
	for _, src := range s.opts.Config.Sources {
		m[src.ID] = src.Title
	}
	return m
}

// fillSearchPage builds the facet links, active-filter chips, paging and
// export links from a result.
func (s *Server) fillSearchPage(p *searchPage, u *url.URL) {
	q := u.Query()
	for _, f := range facetNames {
		vals := p.Res.Facets[f.Facet]
		if len(vals) == 0 {
			continue
		}
		g := facetGroup{Label: f.Label}
		active := map[string]bool{}
		for _, v := range q[f.Param] {
			active[v] = true
		}
		for _, v := range vals {
			nq := cloneValues(q)
			nq.Del("offset")
			isActive := active[v.Value]
			switch {
			case f.Param == "official" && v.Value != "true":
				// Only "primary sources only" is a filter; the other count
				// is shown without a link.
				nq = nil
			case f.Param == "official" || f.Param == "year":
				// One value, not a set.
				nq.Del(f.Param)
				if !isActive {
					nq.Set(f.Param, v.Value)
				}
			case isActive:
				nq[f.Param] = remove(nq[f.Param], v.Value)
			default:
				nq.Add(f.Param, v.Value)
			}
			label := v.Value
			switch {
			case f.Facet == "source" && p.Sources[v.Value] != "":
				label = p.Sources[v.Value]
			case f.Facet == "official" && v.Value == "true":
				label = "primary sources"
			case f.Facet == "official" && v.Value == "false":
				label = "reporting"
			}
			link := facetLink{Value: v.Value, Label: label, Count: v.Count, Active: isActive}
			if nq != nil {
				link.URL = u.Path + "?" + nq.Encode()
			}
			g.Values = append(g.Values, link)
		}
		p.Facets = append(p.Facets, g)
	}
	for _, f := range facetNames {
		for _, v := range q[f.Param] {
			nq := cloneValues(q)
			nq.Del("offset")
			nq[f.Param] = remove(nq[f.Param], v)
			p.Active = append(p.Active, filterChip{Label: f.Label + ": " + v, URL: u.Path + "?" + nq.Encode()})
		}
	}
	for _, k := range []string{"from", "to"} {
		if v := q.Get(k); v != "" {
			nq := cloneValues(q)
			nq.Del(k)
			nq.Del("offset")
			p.Active = append(p.Active, filterChip{Label: k + ": " + v, URL: u.Path + "?" + nq.Encode()})
		}
	}
	req := p.Req
	p.First = req.Offset + 1
	p.Last = req.Offset + len(p.Res.Hits)
	if req.Offset > 0 {
		p.Prev = withParam(u, "offset", strconv.Itoa(max(0, req.Offset-req.Limit)))
	}
	if int64(req.Offset+req.Limit) < int64(p.Res.Total) && req.Offset+req.Limit <= maxOffset {
		p.Next = withParam(u, "offset", strconv.Itoa(req.Offset+req.Limit))
	}
	eq := cloneValues(q)
	for _, k := range []string{"offset", "limit", "sort"} {
		eq.Del(k)
	}
	eq.Set("format", "csv")
	p.ExportCSV = "/api/search/export?" + eq.Encode()
	eq.Set("format", "ndjson")
	p.ExportJSON = "/api/search/export?" + eq.Encode()
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func remove(xs []string, x string) []string {
	var out []string
	for _, v := range xs {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	req, err := searchRequest(r.URL.Query())
	if err != nil {
		return err
	}
	if req.Query == "" {
		return badRequestf("missing q: give a search query, or q=* for everything")
	}
	res, err := s.search(r, req)
	if err != nil {
		return err
	}
	return writeJSON(w, res)
}

// exportColumns are the CSV export's columns.
var exportColumns = []string{"id", "published", "source", "official", "title", "url", "score"}

// apiSearchExport streams every hit of a search (not one page) as CSV or
// NDJSON, row by row, so memory stays flat however many there are.
func (s *Server) apiSearchExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	req, err := searchRequest(q)
	if err != nil {
		return err
	}
	if req.Query == "" {
		req.Query = "*"
	}
	req.Limit, req.Offset, req.Facets = 0, 0, false
	format := q.Get("format")
	if format == "" {
		format = "csv"
	}
	if s.opts.Index == nil {
		return errNoIndex
	}
	// Parse first: a bad query must be a 400 with a JSON body, not half a file.
	if _, err := index.Parse(req.Query); err != nil {
		return err
	}
	name := "watchline-search-" + s.now().UTC().Format("20060102-150405")
	var write func(h index.Hit) error
	var flush func()
	switch format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		cw := csv.NewWriter(w)
		cw.Write(exportColumns)
		write = func(h index.Hit) error {
			return cw.Write([]string{strconv.FormatInt(h.ID, 10), h.Published.UTC().Format(time.RFC3339), h.Source,
				strconv.FormatBool(h.Official), csvSafe(h.Title), h.URL, strconv.FormatFloat(h.Score, 'f', 4, 64)})
		}
		flush = cw.Flush
	case "ndjson":
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.ndjson"`)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		write = func(h index.Hit) error { return enc.Encode(h) }
		flush = func() {}
	default:
		return badRequestf("format must be csv or ndjson")
	}
	rc := http.NewResponseController(w)
	n := 0
	err = s.opts.Index.Each(r.Context(), s.st, req, func(h index.Hit) error {
		if err := write(h); err != nil {
			return err
		}
		if n++; n%500 == 0 {
			flush()
			rc.Flush()
		}
		return nil
	})
	flush()
	if err != nil {
		// The header is gone; all we can do is stop and log.
		s.log.Error("search export stopped", "query", req.Query, "rows", n, "err", err)
	}
	return nil
}

// csvSafe defuses cells a spreadsheet would run as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
