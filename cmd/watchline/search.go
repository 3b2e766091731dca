package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/web"
)

const searchUsage = `[--from DATE] [--to DATE] [--source ID]... [--tag T]... [--official] [--lang L]...
       [--type statement|article]... [--sort relevance|newest|oldest] [--limit N] [--offset N]
       [--no-collapse] [--format text|json|ndjson|csv] QUERY

QUERY is in watchline's query language:
  China spy              documents with both words (AND is the default between words)
  "official secrets"     an exact phrase
  MI5 AND (LinkedIn OR recruit*)   AND, OR, NOT (upper case), parentheses, prefix*
  China -embassy         -word or NOT word excludes
  title:"spy case" source:cps-news tag:uk official:true language:fr type:statement
  *                      every document (use with the filters)
DATE is YYYY-MM-DD or RFC 3339; --to YYYY-MM-DD includes that whole day.
--limit 0 prints every match, streamed (best with --format ndjson or csv).`

func runSearch(ctx context.Context, a *app, args []string) error {
	fs := a.flags("search", searchUsage)
	from := fs.String("from", "", "only documents published on or after `DATE`")
	to := fs.String("to", "", "only documents published on or before `DATE`")
	var sources, tags, langs, types multiFlag
	fs.Var(&sources, "source", "only this source `ID` (repeatable)")
	fs.Var(&tags, "tag", "only documents with this `tag` (repeatable)")
	fs.Var(&langs, "lang", "only this `language` code, e.g. en (repeatable)")
	fs.Var(&types, "type", "only this document `type`: statement or article (repeatable)")
	official := fs.Bool("official", false, "only official sources' own statements")
	sortBy := fs.String("sort", index.SortRelevance, "`order`: relevance, newest or oldest")
	limit := fs.Int("limit", index.DefaultLimit, "hits to show (`N`); 0 streams every match")
	offset := fs.Int("offset", 0, "skip the first `N` hits")
	noCollapse := fs.Bool("no-collapse", false, "show near-duplicates (wire copies) as separate hits")
	format := fs.String("format", "text", "output `format`: text, json, ndjson or csv")
	if err := parse(fs, args); err != nil {
		return err
	}
	q := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if q == "" {
		return fmt.Errorf("%w: give a query, e.g. watchline search 'China spy'; see watchline search -h", errUsage)
	}
	if _, err := index.Parse(q); err != nil {
		var qe *index.QueryError
		if errors.As(err, &qe) {
			text, col := qe.Excerpt()
			fmt.Fprintf(a.stderr, "  %s\n  %s^\n", text, strings.Repeat(" ", col-1))
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	switch *format {
	case "text", "json", "ndjson", "csv":
	default:
		return fmt.Errorf("%w: unknown format %q; use text, json, ndjson or csv", errUsage, *format)
	}
	if *limit < 0 || *offset < 0 {
		return fmt.Errorf("%w: --limit and --offset must not be negative", errUsage)
	}
	r := index.Request{Query: q, Sources: sources, Tags: tags, Languages: langs, Types: types,
		Official: *official, Sort: *sortBy, Limit: *limit, Offset: *offset, NoCollapse: *noCollapse}
	var err error
	if r.From, err = parseSearchDate(*from, false); err != nil {
		return err
	}
	if r.To, err = parseSearchDate(*to, true); err != nil {
		return err
	}
	switch r.Sort {
	case index.SortRelevance, index.SortNewest, index.SortOldest:
	default:
		return fmt.Errorf("%w: unknown --sort %q; use relevance, newest or oldest", errUsage, r.Sort)
	}

	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sr, closeIndex, err := a.searcher(ctx, st)
	if err != nil {
		return err
	}
	defer closeIndex()
	out := &hitWriter{w: a.stdout, format: *format, bold: isTerminal(a.stdout)}
	if r.Limit == 0 {
		return streamHits(ctx, sr, r, out)
	}
	r.Facets = *format == "text" || *format == "json"
	res, err := sr.Search(ctx, r)
	if err != nil {
		return err
	}
	return out.result(res, r)
}

// searcher answers searches: the index opened by this command, or the
// running server that holds it (web.Client).
type searcher interface {
	Search(ctx context.Context, r index.Request) (*index.Result, error)
	Each(ctx context.Context, r index.Request, fn func(index.Hit) error) error
}

// localIndex is the data directory's index opened by this command.
type localIndex struct {
	ix *index.Index
	st store.Backend
}

func (l localIndex) Search(ctx context.Context, r index.Request) (*index.Result, error) {
	return l.ix.Search(ctx, l.st, r)
}

func (l localIndex) Each(ctx context.Context, r index.Request, fn func(index.Hit) error) error {
	return l.ix.Each(ctx, l.st, r, fn)
}

// searcher opens the data directory's index, brought up to date with the
// store, or, while `serve` or `run` holds it, returns the running server
// that does: the bleve index has one opener process at a time.
func (a *app) searcher(ctx context.Context, st store.Backend) (searcher, func() error, error) {
	if c, ok := web.RunningServer(ctx, a.dataDir); ok {
		fmt.Fprintf(a.stderr, "watchline: asking the server at %s, which holds the index\n", c.URL())
		return c, func() error { return nil }, nil
	}
	ix, err := openSearchIndex(ctx, a, st)
	if err != nil {
		return nil, nil, err
	}
	if _, err := ix.Sync(ctx, st); err != nil {
		ix.Close()
		return nil, nil, err
	}
	return localIndex{ix, st}, ix.Close, nil
}

// streamHits prints every match with constant memory: the total and facets
// come from a first one-hit search, the hits from Each.
func streamHits(ctx context.Context, sr searcher, r index.Request, out *hitWriter) error {
	head := r
	head.Limit, head.Offset, head.Facets = 1, 0, out.format == "json" || out.format == "text"
	res, err := sr.Search(ctx, head)
	if err != nil {
		return err
	}
	if err := out.begin(res); err != nil {
		return err
	}
	n := r.Offset
	err = sr.Each(ctx, r, func(h index.Hit) error {
		n++
		return out.hit(n, h)
	})
	if err != nil {
		return err
	}
	return out.end(res, n-r.Offset, r.Offset)
}

// openSearchIndex opens the data directory's index; a missing or corrupt one
// is (re)built from the store first, with a message and a progress bar.
func openSearchIndex(ctx context.Context, a *app, st store.Backend) (*index.Index, error) {
	bar := newProgressBar(a.stderr, "indexing")
	rebuilt := false
	ix, err := index.OpenOrRebuild(ctx, a.dataDir, st, bar.update, func(msg string) {
		rebuilt = true
		fmt.Fprintln(a.stderr, "watchline: "+msg)
	})
	if rebuilt {
		bar.finish()
	}
	return ix, err
}

func runReindex(ctx context.Context, a *app, args []string) error {
	fs := a.flags("reindex", "\n\nRebuilds the search index from the store in a new directory and swaps it in;\na running `watchline serve` keeps searching the old index until it switches.")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: reindex takes no arguments", errUsage)
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	bar := newProgressBar(a.stderr, "indexing")
	err = index.Rebuild(ctx, a.dataDir, st, bar.update)
	bar.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "indexed %d documents in %s\n", bar.done, time.Since(start).Round(time.Millisecond))
	return nil
}

// parseSearchDate reads --from/--to: YYYY-MM-DD or RFC 3339. A bare date as
// --to means the end of that day.
func parseSearchDate(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: date %q: use YYYY-MM-DD or RFC 3339 (2024-03-05T10:00:00Z)", errUsage, s)
	}
	if end {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return t, nil
}

// jsonResult is a whole search result in the JSON output; its hits are
// index.Hit, whose JSON keys are the hit contract.
type jsonResult struct {
	Query  string                        `json:"query"`
	Total  uint64                        `json:"total"`
	TookMS float64                       `json:"took_ms"`
	Hits   []index.Hit                   `json:"hits"`
	Facets map[string][]index.FacetValue `json:"facets,omitempty"`
}

func tookMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

var csvHeader = []string{"rank", "id", "published", "source", "official", "title", "url", "score", "similar", "snippet"}

// hitWriter prints hits in one output format, either a whole result or a
// stream (begin, hit…, end).
type hitWriter struct {
	w      io.Writer
	format string
	bold   bool
	csv    *csv.Writer
	n      int
}

func (o *hitWriter) result(res *index.Result, r index.Request) error {
	if o.format == "json" {
		jr := jsonResult{Query: res.Query, Total: res.Total, TookMS: tookMS(res.Took), Hits: res.Hits, Facets: res.Facets}
		if jr.Hits == nil {
			jr.Hits = []index.Hit{} // "hits": [], never null
		}
		enc := json.NewEncoder(o.w)
		enc.SetIndent("", "  ")
		return enc.Encode(jr)
	}
	if err := o.begin(res); err != nil {
		return err
	}
	for i, h := range res.Hits {
		if err := o.hit(r.Offset+i+1, h); err != nil {
			return err
		}
	}
	return o.end(res, len(res.Hits), r.Offset)
}

func (o *hitWriter) begin(res *index.Result) error {
	switch o.format {
	case "json":
		q, _ := json.Marshal(res.Query)
		_, err := fmt.Fprintf(o.w, "{\"query\":%s,\"total\":%d,\"took_ms\":%v,\"hits\":[", q, res.Total, tookMS(res.Took))
		return err
	case "csv":
		o.csv = csv.NewWriter(o.w)
		return o.csv.Write(csvHeader)
	}
	return nil
}

func (o *hitWriter) hit(rank int, h index.Hit) error {
	o.n++
	switch o.format {
	case "json", "ndjson":
		b, err := json.Marshal(h)
		if err != nil {
			return err
		}
		if o.format == "ndjson" {
			_, err = fmt.Fprintf(o.w, "%s\n", b)
			return err
		}
		sep := "\n"
		if o.n > 1 {
			sep = ",\n"
		}
		_, err = fmt.Fprintf(o.w, "%s%s", sep, b)
		return err
	case "csv":
		return o.csv.Write([]string{strconv.Itoa(rank), strconv.FormatInt(h.ID, 10), h.Published.UTC().Format(time.RFC3339),
			h.Source, strconv.FormatBool(h.Official), h.Title, h.URL, strconv.FormatFloat(h.Score, 'f', 4, 64),
			strconv.Itoa(h.Similar), h.Snippet.Text})
	}
	date := "----------"
	if !h.Published.IsZero() {
		date = h.Published.UTC().Format(time.DateOnly)
	}
	off := ""
	if h.Official {
		off = " [official]"
	}
	fmt.Fprintf(o.w, "%3d. %s  %s%s  %s\n     %s\n", rank, date, printable(h.Source), off, printable(h.Title), printable(h.URL))
	if h.Snippet.Text != "" {
		fmt.Fprintf(o.w, "     %s\n", o.mark(h.Snippet))
	}
	if h.Similar > 0 {
		fmt.Fprintf(o.w, "     +%d similar\n", h.Similar)
	}
	_, err := fmt.Fprintln(o.w)
	return err
}

// mark shows matches as [[term]], or in bold on a terminal.
func (o *hitWriter) mark(s index.Snippet) string {
	if !o.bold {
		return printable(s.Marked)
	}
	// Our own bold escapes only: the page's text is made printable.
	var b strings.Builder
	last := 0
	for _, off := range s.Offsets {
		b.WriteString(printable(s.Text[last:off[0]]))
		b.WriteString("\x1b[1m" + printable(s.Text[off[0]:off[1]]) + "\x1b[0m")
		last = off[1]
	}
	b.WriteString(printable(s.Text[last:]))
	return b.String()
}

func (o *hitWriter) end(res *index.Result, shown, offset int) error {
	switch o.format {
	case "json":
		fmt.Fprint(o.w, "\n]")
		if len(res.Facets) > 0 {
			f, err := json.Marshal(res.Facets)
			if err != nil {
				return err
			}
			fmt.Fprintf(o.w, ",\"facets\":%s", f)
		}
		_, err := fmt.Fprintln(o.w, "}")
		return err
	case "csv":
		o.csv.Flush()
		return o.csv.Error()
	case "ndjson":
		return nil
	}
	if res.Total == 0 {
		fmt.Fprintf(o.w, "no documents match %q\n", res.Query)
		return nil
	}
	fmt.Fprintf(o.w, "%d matching documents; showing %d from %d (near-duplicates folded unless --no-collapse), %s\n",
		res.Total, shown, offset+1, res.Took.Round(time.Millisecond))
	for _, name := range index.FacetNames {
		vals := res.Facets[name]
		if len(vals) == 0 {
			continue
		}
		parts := make([]string, 0, 12)
		for i, v := range vals {
			if i == 12 {
				parts = append(parts, fmt.Sprintf("… %d more", len(vals)-12))
				break
			}
			parts = append(parts, fmt.Sprintf("%s (%d)", v.Value, v.Count))
		}
		fmt.Fprintf(o.w, "  %-9s %s\n", name+":", strings.Join(parts, ", "))
	}
	return nil
}

// isTerminal reports whether w is a terminal (for bold and progress bars).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// progressBar draws "indexing [#####.....]  50%  5000/10000" on a terminal,
// or a line per tenth elsewhere.
type progressBar struct {
	w          io.Writer
	label      string
	tty        bool
	done       int64
	lastTenth  int64
	lastRedraw time.Time
}

func newProgressBar(w io.Writer, label string) *progressBar {
	return &progressBar{w: w, label: label, tty: isTerminal(w), lastTenth: -1}
}

func (p *progressBar) update(done, total int64) {
	p.done = done
	pct := int64(100)
	if total > 0 {
		pct = done * 100 / total
	}
	if !p.tty {
		if tenth := pct / 10; tenth > p.lastTenth {
			p.lastTenth = tenth
			fmt.Fprintf(p.w, "%s: %d%% (%d/%d)\n", p.label, pct, done, total)
		}
		return
	}
	if time.Since(p.lastRedraw) < 100*time.Millisecond && done < total {
		return
	}
	p.lastRedraw = time.Now()
	const width = 30
	fill := int(pct * width / 100)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%%  %d/%d", p.label, strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, done, total)
}

func (p *progressBar) finish() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
