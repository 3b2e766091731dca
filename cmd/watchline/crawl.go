package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

func runCrawl(ctx context.Context, a *app, args []string) error {
	fs := a.flags("crawl", "[--once] [--source ID]...")
	once := fs.Bool("once", false, "visit every due source once (all of them on the first run) and exit")
	var sources multiFlag
	fs.Var(&sources, "source", "crawl source `ID` now, due or not, then exit (repeatable)")
	tick := fs.Duration("tick", time.Minute, "how often to look for due sources (without --once)")
	lease := fs.Duration("lease", 0,
		"how long a source stays this crawler's if it dies mid-crawl; crawlers sharing a --store take over after it (0: the longest visit_budget plus 5m; a shorter lease lets another crawler take a source mid-visit)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	cfg, err := a.config()
	if err != nil {
		return err
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := crawler.New(ctx, st, cfg, crawler.Options{Progress: a.stderr, SharedHosts: a.shared(), Tick: *tick, LeaseFor: *lease})
	if err != nil {
		return err
	}
	// --source means "crawl these now": one pass, like --once.
	if *once || len(sources) > 0 {
		sum, err := c.Once(ctx, sources)
		if len(sum.Sources) > 0 || err == nil {
			fmt.Fprintln(a.stderr, sum)
		}
		return err
	}
	fmt.Fprintf(a.stderr, "crawling %d sources into %s; Ctrl-C to stop\n", len(cfg.Sources), a.dataDir)
	return c.Run(ctx, nil)
}

// sourceRow is the contract of `watchline sources --format json`.
type sourceRow struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	URL         string `json:"url"`
	Official    bool   `json:"official"`
	LastAttempt string `json:"last_attempt"`
	LastSuccess string `json:"last_success"`
	LastError   string `json:"last_error"`
	LastErrorAt string `json:"last_error_at"`
	Failures    int    `json:"failures"`
	ItemsSeen   int64  `json:"items_seen"`
	ItemsNew    int64  `json:"items_new"`
	Documents   int64  `json:"documents"`
	NextDue     string `json:"next_due"`
	Interval    string `json:"interval"`
}

func runSources(ctx context.Context, a *app, args []string) error {
	if _, rest, ok := subcommand(args, "check"); ok {
		return runSourcesCheck(ctx, a, rest)
	}
	fs := a.flags("sources", "[--format text|json]  |  sources check [--source ID]... [--format text|json]")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: unknown format %q; use text or json", errUsage, *format)
	}
	cfg, err := a.config()
	if err != nil {
		return err
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	status, err := crawler.Status(ctx, st, cfg)
	if err != nil {
		return err
	}
	rows := make([]sourceRow, 0, len(status))
	for _, s := range status {
		h := s.Health
		rows = append(rows, sourceRow{ID: s.Source.ID, Title: s.Source.Title, Kind: string(s.Source.Kind), URL: s.Source.URL,
			Official: s.Source.Official, LastAttempt: docTime(h.LastAttempt), LastSuccess: docTime(h.LastSuccess),
			LastError: h.LastError, LastErrorAt: docTime(h.LastErrorAt), Failures: h.ConsecutiveFailures,
			ItemsSeen: h.ItemsSeen, ItemsNew: h.ItemsNew, Documents: h.TotalDocuments, NextDue: docTime(h.NextDue),
			Interval: intervalText(h.Interval)})
	}
	if *format == "json" {
		return a.printJSON(rows)
	}
	tw := newTable(a.stdout, "ID", "KIND", "OFFICIAL", "LAST SUCCESS", "FAILURES", "ITEMS (NEW)", "DOCS", "NEXT DUE", "LAST ERROR")
	for _, r := range rows {
		official := ""
		if r.Official {
			official = "yes"
		}
		tw.row(r.ID, r.Kind, official, dashEmpty(r.LastSuccess), strconv.Itoa(r.Failures), fmt.Sprintf("%d (%d)", r.ItemsSeen, r.ItemsNew),
			strconv.FormatInt(r.Documents, 10), dashEmpty(r.NextDue), clipText(r.LastError, 100))
	}
	return tw.flush()
}

// runSourcesCheck visits each configured source once, as a crawl would, and
// says whether it works and what to change. It stores nothing.
func runSourcesCheck(ctx context.Context, a *app, args []string) error {
	fs := a.flags("sources check", "[--source ID]... [--format text|json]\n\n"+
		"Visits each source's URL once (robots.txt, User-Agent, per-host delay and the address\n"+
		"guard as in a crawl), reads its feed, page or sitemap, and reports the HTTP status, what it\n"+
		"lists, the newest item and a verdict with advice. Nothing is stored. Exit status 1 if a\n"+
		"source is failing.")
	var ids multiFlag
	fs.Var(&ids, "source", "check only source `ID` (repeatable)")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (name sources with --source ID)", errUsage, fs.Arg(0))
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: unknown format %q; use text or json", errUsage, *format)
	}
	cfg, err := a.config()
	if err != nil {
		return err
	}
	srcs := cfg.Sources
	if len(ids) > 0 {
		srcs = nil
		for _, id := range ids {
			s, ok := cfg.Source(id)
			if !ok {
				return fmt.Errorf("%w: no source %q in %s", errUsage, id, a.configPath)
			}
			srcs = append(srcs, s)
		}
	}
	if *format == "text" {
		fmt.Fprintf(a.stderr, "checking %d sources from %s (one request at a time per host, with its delay) ...\n", len(srcs), a.configPath)
	}
	results := crawler.Check(ctx, cfg, srcs, crawler.CheckOptions{})
	if err := ctx.Err(); err != nil {
		return err
	}
	failing := 0
	for _, r := range results {
		if r.Verdict == crawler.VerdictFailing {
			failing++
		}
	}
	if *format == "json" {
		if err := a.printJSON(results); err != nil {
			return err
		}
	} else {
		tw := newTable(a.stdout, "ID", "VERDICT", "STATUS", "TYPE", "ITEMS", "NEWEST")
		for _, r := range results {
			status, newest := "-", "-"
			if r.Status != 0 {
				status = strconv.Itoa(r.Status)
			}
			if !r.Newest.IsZero() {
				newest = r.Newest.UTC().Format(time.DateOnly)
			}
			tw.row(r.Source, string(r.Verdict), status, dashEmpty(mediaTypeOf(r.ContentType)), strconv.Itoa(r.Items), newest)
		}
		if err := tw.flush(); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout)
		for _, r := range results {
			fmt.Fprintf(a.stdout, "%s (%s): %s\n", r.Source, r.Verdict, printable(r.Advice))
		}
	}
	if failing > 0 {
		return fmt.Errorf("%d of %d sources failing; fix them in %s (advice above)", failing, len(results), a.configPath)
	}
	return nil
}

// mediaTypeOf is a Content-Type without its parameters.
func mediaTypeOf(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(mt)
}

// docRow is the contract of `watchline docs --format json|ndjson`: exactly
// these keys.
type docRow struct {
	ID              int64  `json:"id"`
	Seq             int64  `json:"seq"`
	URL             string `json:"url"`
	CanonicalURL    string `json:"canonical_url"`
	Source          string `json:"source"`
	Title           string `json:"title"`
	Published       string `json:"published"`
	PublishedSource string `json:"published_source"`
	Fetched         string `json:"fetched"`
	Official        bool   `json:"official"`
	Language        string `json:"language"`
	DuplicateOf     int64  `json:"duplicate_of"`
	Versions        int    `json:"versions"`
	// Aliases are the document's other URLs (an imported row whose text
	// repeated an earlier row's is stored as this document under its URL).
	Aliases []string `json:"aliases"`
}

func newDocRow(d model.Document) docRow {
	return docRow{ID: d.ID, Seq: d.Seq, URL: d.URL, CanonicalURL: d.CanonicalURL, Source: d.SourceID, Title: d.Title,
		Published: docTime(d.Published), PublishedSource: d.PublishedSource, Fetched: docTime(d.Fetched),
		Official: d.Official, Language: d.Language, DuplicateOf: d.DuplicateOf, Versions: d.Versions, Aliases: []string{}}
}

// eachDocRow streams the documents filter selects as rows, their aliases
// read a page of documents at a time.
func eachDocRow(ctx context.Context, st store.Backend, filter store.DocFilter, fn func(docRow) error) error {
	const page = 500
	var rows []docRow
	flush := func() error {
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		aliases, err := st.Aliases(ctx, ids)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if a := aliases[r.ID]; a != nil {
				r.Aliases = a
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		rows = rows[:0]
		return nil
	}
	err := st.EachDocument(ctx, filter, func(d model.Document) error {
		rows = append(rows, newDocRow(d))
		if len(rows) == page {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func runDocs(ctx context.Context, a *app, args []string) error {
	if _, rest, ok := subcommand(args, "show"); ok {
		return runDocsShow(ctx, a, rest)
	}
	fs := a.flags("docs", "[--source ID]... [--limit N] [--format text|json|ndjson]  |  docs show ID [--format text|json]")
	var sources multiFlag
	fs.Var(&sources, "source", "only documents of source `ID` (repeatable)")
	limit := fs.Int("limit", 50, "at most `N` documents, newest published first (0 = all)")
	format := fs.String("format", "text", "output `format`: text, json or ndjson")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (to see one document: watchline docs show ID)", errUsage, fs.Arg(0))
	}
	if *limit < 0 {
		return fmt.Errorf("%w: --limit must be 0 (all) or more", errUsage)
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	filter := store.DocFilter{Sources: sources, Limit: *limit}
	switch *format {
	case "ndjson":
		enc := json.NewEncoder(a.stdout)
		return eachDocRow(ctx, st, filter, func(r docRow) error { return enc.Encode(r) })
	case "json":
		// Streamed as an array so memory stays flat however many there are.
		n := 0
		io.WriteString(a.stdout, "[")
		err := eachDocRow(ctx, st, filter, func(r docRow) error {
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if n > 0 {
				io.WriteString(a.stdout, ",")
			}
			n++
			io.WriteString(a.stdout, "\n  ")
			_, err = a.stdout.Write(b)
			return err
		})
		io.WriteString(a.stdout, "\n]\n")
		return err
	case "text":
		tw := newTable(a.stdout, "ID", "PUBLISHED", "SOURCE", "VER", "TITLE")
		err := st.EachDocument(ctx, filter, func(d model.Document) error {
			title := clipText(d.Title, 70)
			if d.Official {
				title = "[official] " + title
			}
			if d.DuplicateOf != 0 {
				title += fmt.Sprintf(" (copy of %d)", d.DuplicateOf)
			}
			return tw.row(strconv.FormatInt(d.ID, 10), timeline.PublishedString(d.Published), d.SourceID, strconv.Itoa(d.Versions), title)
		})
		if ferr := tw.flush(); err == nil {
			err = ferr
		}
		return err
	}
	return fmt.Errorf("%w: unknown format %q; use text, json or ndjson", errUsage, *format)
}

// docDetail is `watchline docs show --format json`: the document (text and
// every URL included), its versions, oldest first, and what it quotes.
type docDetail struct {
	model.Document
	History []model.DocumentVersion `json:"history"`
	Quotes  []model.Quote           `json:"quotes"`
}

func runDocsShow(ctx context.Context, a *app, args []string) error {
	fs := a.flags("docs show", "ID [--format text|json]")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give one document id (see `watchline docs`)", errUsage)
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("%w: %q is not a document id", errUsage, fs.Arg(0))
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: unknown format %q; use text or json", errUsage, *format)
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := st.Document(ctx, id)
	if err != nil {
		return fmt.Errorf("%w (list ids with `watchline docs`)", err)
	}
	vs, err := st.Versions(ctx, id)
	if err != nil {
		return err
	}
	an, err := timeline.NewAnalyzer()
	if err != nil {
		return err
	}
	qs, err := timeline.DocumentQuotes(ctx, st, an, d)
	if err != nil {
		return err
	}
	if *format == "json" {
		return a.printJSON(docDetail{Document: d, History: vs, Quotes: qs})
	}
	w := a.stdout
	fmt.Fprintf(w, "%s\n\n", printable(d.Title))
	fmt.Fprintf(w, "id:         %d (seq %d)\n", d.ID, d.Seq)
	fmt.Fprintf(w, "source:     %s", d.SourceID)
	if d.Official {
		fmt.Fprint(w, " (official)")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "canonical:  %s\n", d.CanonicalURL)
	for _, u := range d.URLs {
		if u != d.CanonicalURL {
			fmt.Fprintf(w, "also at:    %s\n", u)
		}
	}
	fmt.Fprintf(w, "published:  %s (%s, confidence %.2f)\n", docTime(d.Published), d.PublishedSource, d.PublishedConfidence)
	if !d.Modified.IsZero() {
		fmt.Fprintf(w, "modified:   %s\n", docTime(d.Modified))
	}
	fmt.Fprintf(w, "fetched:    %s\n", docTime(d.Fetched))
	if len(d.Authors) > 0 {
		fmt.Fprintf(w, "authors:    %s\n", printable(strings.Join(d.Authors, ", ")))
	}
	fmt.Fprintf(w, "language:   %s\n", dashEmpty(d.Language))
	if len(d.Tags) > 0 {
		fmt.Fprintf(w, "tags:       %s\n", strings.Join(d.Tags, ", "))
	}
	if d.DuplicateOf != 0 {
		fmt.Fprintf(w, "copy of:    document %d (similarity %.2f)\n", d.DuplicateOf, d.Similarity)
	}
	fmt.Fprintf(w, "versions:   %d\n\n%s\n", d.Versions, d.Text)
	if len(qs) > 0 {
		fmt.Fprintln(w, "\nquotes:")
		for _, q := range qs {
			who := q.Speaker
			if q.Role != "" {
				who += ", " + q.Role
			}
			fmt.Fprintf(w, "  %s\n    — %s (characters %d–%d)\n", q.Display(), who, q.Start, q.End)
		}
	}
	if len(vs) > 1 {
		fmt.Fprintln(w, "\nversions:")
		if d.Versions > len(vs) {
			fmt.Fprintf(w, "  (%d of %d kept: the first and the newest %d; older ones are dropped)\n", len(vs), d.Versions, len(vs)-1)
		}
		for i, v := range vs {
			fmt.Fprintf(w, "  v%d  fetched %s  %s\n", v.Version, docTime(v.Fetched), v.ContentHash[:min(12, len(v.ContentHash))])
			if i > 0 {
				printDiff(w, vs[i-1], v)
			}
		}
	}
	return nil
}

// printDiff summarises what changed between two versions, paragraph by
// paragraph: removed ones with "-", added ones with "+".
func printDiff(w io.Writer, old, cur model.DocumentVersion) {
	before, after := strings.Split(old.Text, "\n\n"), strings.Split(cur.Text, "\n\n")
	had, has := map[string]bool{}, map[string]bool{}
	for _, p := range before {
		had[p] = true
	}
	for _, p := range after {
		has[p] = true
	}
	var removed, added []string
	for _, p := range before {
		if !has[p] {
			removed = append(removed, p)
		}
	}
	for _, p := range after {
		if !had[p] {
			added = append(added, p)
		}
	}
	if old.Title != cur.Title {
		fmt.Fprintf(w, "      title: %q → %q\n", old.Title, cur.Title) // %q escapes control characters
	}
	fmt.Fprintf(w, "      %d paragraph(s) removed, %d added since v%d\n", len(removed), len(added), old.Version)
	for _, p := range removed {
		fmt.Fprintf(w, "      - %s\n", clipText(p, 200))
	}
	for _, p := range added {
		fmt.Fprintf(w, "      + %s\n", clipText(p, 200))
	}
}

func runImport(ctx context.Context, a *app, args []string) error {
	fs := a.flags("import", "[--format ndjson|csv] FILE|-")
	format := fs.String("format", "", "file `format`: ndjson or csv (default: from the extension, else the content)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give one NDJSON or CSV file (columns url,title,text,published,source), or - for standard input", errUsage)
	}
	name := fs.Arg(0)
	if *format == "" {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".ndjson", ".jsonl", ".json", ".csv":
			*format = crawler.DetectFormat(name, nil)
		}
	}
	if *format != "" && *format != crawler.FormatNDJSON && *format != crawler.FormatCSV {
		return fmt.Errorf("%w: unknown format %q; use ndjson or csv", errUsage, *format)
	}
	var r io.Reader = a.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r = f
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := crawler.Import(ctx, st, r, *format)
	for _, b := range rep.Bad {
		fmt.Fprintf(a.stderr, "%s:%s: %s\n", name, b.Lines(), printable(b.Reason))
	}
	fmt.Fprintln(a.stdout, rep)
	if err != nil {
		return err
	}
	if len(rep.Bad) > 0 {
		return fmt.Errorf("%d bad rows skipped (listed above); fix them and import the file again — good rows are not duplicated", rep.BadRows())
	}
	return nil
}

// stamp formats a time for output: RFC 3339 in UTC, "" for the zero time.
func docTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func intervalText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return config.FormatDuration(d)
}

func dashEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
