package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/pipeline"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
	"github.com/watchline/watchline/web"
)

const timelineUsage = `[--topic ID | --query Q | --story ID] [--type T]... [--from YYYY-MM-DD] [--to YYYY-MM-DD]
       [--source ID]... [--official] [--top N] [--sort happened|importance]
       [--format text|csv|json|ndjson|timelinejs|ics|md] [--out FILE]`

// runTimeline catches the clusterer up with the store and exports the
// timeline of a topic or query.
func runTimeline(ctx context.Context, a *app, args []string) error {
	fs := a.flags("timeline", timelineUsage)
	topic := fs.String("topic", "", "topic `id` from the configuration")
	query := fs.String("query", "", "search `query` selecting the events' documents")
	var types, sources multiFlag
	fs.Var(&types, "type", "event `type` (repeatable): "+typeList())
	fs.Var(&sources, "source", "only events reported by source `id` (repeatable)")
	from := fs.String("from", "", "events that happened on or after `date`")
	to := fs.String("to", "", "events that happened on or before `date`")
	official := fs.Bool("official", false, "only events with an official (primary) document")
	story := fs.Int64("story", 0, "only the events of story `id` (see `watchline stories list`)")
	top := fs.Int("top", 0, "only the `N` most important events (key moments), listed in --sort order")
	sortBy := fs.String("sort", "happened", "order: happened (when it happened) or importance (most important first)")
	format := fs.String("format", "text", "output `format`: "+strings.Join(timeline.Formats, ", "))
	out := fs.String("out", "", "write to `file` instead of standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *topic != "" && *query != "" {
		return fmt.Errorf("%w: give --topic or --query, not both", errUsage)
	}
	if *top < 0 {
		return fmt.Errorf("%w: --top must be 0 (all) or more", errUsage)
	}
	if *sortBy != "happened" && *sortBy != "importance" {
		return fmt.Errorf("%w: --sort must be happened or importance", errUsage)
	}
	q := timeline.Query{Query: *query, Sources: sources, Official: *official, Title: "Timeline", Story: *story, Top: *top, Sort: *sortBy}
	if *query != "" {
		q.Title = "Timeline: " + *query
	}
	if err := setEventFilter(&q, types, *from, *to); err != nil {
		return err
	}
	if *topic != "" {
		cfg, err := a.config()
		if err != nil {
			return err
		}
		t, ok := cfg.Topic(*topic)
		if !ok {
			return fmt.Errorf("%w: no topic %q in %s; topics are listed under topics: in the configuration", errUsage, *topic, a.configPath)
		}
		q.Topic, q.Title, q.Query = t.ID, t.Title, t.Query
	}
	if _, err := timeline.NewWriter(*format, io.Discard); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	st, err := a.eventStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	w := a.stdout
	var f *os.File
	if *out != "" {
		if f, err = os.Create(*out); err != nil {
			return fmt.Errorf("timeline: %w (check the --out path)", err)
		}
		w = f
	}
	n, err := a.exportTimeline(ctx, st, q, *format, w)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		switch {
		case err != nil:
		case n >= 0:
			fmt.Fprintf(a.stderr, "wrote %d event(s) to %s\n", n, *out)
		default:
			fmt.Fprintf(a.stderr, "wrote the running server's export to %s\n", *out)
		}
	}
	return err
}

// exportTimeline writes q's timeline in format to w and returns how many
// events it wrote (-1 when a running server wrote it: a query needs the
// index, and while `serve` or `run` holds it, that server answers).
func (a *app) exportTimeline(ctx context.Context, st store.Backend, q timeline.Query, format string, w io.Writer) (int, error) {
	var m timeline.Matcher
	if q.Query != "" {
		if c, ok := web.RunningServer(ctx, a.dataDir); ok {
			fmt.Fprintf(a.stderr, "watchline: asking the server at %s, which holds the index\n", c.URL())
			return -1, c.Timeline(ctx, q, format, w)
		}
		var closeIndex func() error
		var err error
		if m, closeIndex, err = timelineMatcher(ctx, st, a.dataDir); err != nil {
			return 0, err
		}
		defer closeIndex()
	}
	tl := timeline.New(st, m)
	seq, err := tl.Seq(ctx)
	if err != nil {
		return 0, err
	}
	return timeline.Export(ctx, tl, q, timeline.Header{Title: q.Title, Query: q, Generated: time.Now().UTC(), StoreSeq: seq}, format, w)
}

func typeList() string {
	var s []string
	for _, t := range model.EventTypes {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

// parseDay reads a --from/--to date; a month or year means its first day (or,
// for --to, its last).
func parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, p, err := timeline.ParseDate(s)
	if err != nil {
		return t, fmt.Errorf("%w: %v", errUsage, err)
	}
	if end {
		switch p {
		case model.PrecisionYear:
			t = t.AddDate(1, 0, -1)
		case model.PrecisionMonth:
			t = t.AddDate(0, 1, -1)
		}
	}
	return t, nil
}

// setEventFilter puts the --type, --from and --to flags, shared by
// `timeline` and `events list`, into q.
func setEventFilter(q *timeline.Query, types []string, from, to string) error {
	for _, t := range types {
		et, err := timeline.ParseType(t)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		q.Types = append(q.Types, et)
	}
	var err error
	if q.From, err = parseDay(from, false); err != nil {
		return err
	}
	if q.To, err = parseDay(to, true); err != nil {
		return err
	}
	return nil
}

// eventStore opens the store with the clusterer caught up, so that events
// reflect every document in it.
func (a *app) eventStore(ctx context.Context) (store.Backend, error) {
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.catchUp(ctx, st); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// catchUp runs the clusterer until it has applied the whole store. On a
// shared store it does so only with the leader lease: while a serve or run
// node holds it, that node builds the events and they are read as it left
// them. (The embedded store serialises clusterers itself.)
func (a *app) catchUp(ctx context.Context, st store.Backend) error {
	if !a.shared() {
		_, err := pipeline.CatchUpEvents(ctx, st)
		return err
	}
	led, err := pipeline.Lead(ctx, st, leaderLease, func(ctx context.Context) error {
		_, err := pipeline.CatchUpEvents(ctx, st)
		return err
	})
	if err == nil && !led {
		fmt.Fprintln(a.stderr, "watchline: events come from the running node that builds them (it holds the store's leader lease); documents it has not clustered yet are not in them")
	}
	return err
}

// timelineMatcher opens the search index, brings it up to date with the
// store and returns it as the timeline's matcher, with a function that closes
// it.
func timelineMatcher(ctx context.Context, st store.Backend, dataDir string) (timeline.Matcher, func() error, error) {
	ix, err := index.Open(dataDir)
	if errors.Is(err, index.ErrLocked) {
		return nil, nil, fmt.Errorf("open search index: %w", err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open search index: %w (rebuild it with `watchline reindex`)", err)
	}
	if _, err := ix.Sync(ctx, st); err != nil {
		ix.Close()
		return nil, nil, fmt.Errorf("update search index: %w", err)
	}
	return timeline.MatcherFunc(ix.QueryIDs), ix.Close, nil
}

const eventsUsage = `list|show|merge|split|edit|rebuild ...

  events list [--type T]... [--from D] [--to D] [--format text|json]
  events show ID [--format text|json]
  events merge A B               (B's documents join A; B is gone)
  events split ID --doc DOC...   (the documents leave ID for a new event)
  events edit ID [--title T] [--date YYYY-MM-DD|YYYY-MM|YYYY] [--type T]
  events rebuild                 (re-cluster everything; corrections are kept)`

// runEvents lists, shows and corrects events.
func runEvents(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(a.stderr, "usage: watchline events %s\n", eventsUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: missing subcommand", errUsage)
		}
		return nil
	}
	sub, rest, ok := subcommand(args, "list", "ls", "show", "merge", "split", "edit", "rebuild")
	if !ok {
		return fmt.Errorf("%w: no subcommand in %q; use list, show, merge, split, edit or rebuild", errUsage, strings.Join(args, " "))
	}
	switch sub {
	case "list", "ls":
		return eventsList(ctx, a, rest)
	case "show":
		return eventsShow(ctx, a, rest)
	case "merge":
		return eventsMerge(ctx, a, rest)
	case "split":
		return eventsSplit(ctx, a, rest)
	case "edit":
		return eventsEdit(ctx, a, rest)
	case "rebuild":
		return eventsRebuild(ctx, a, rest)
	}
	return fmt.Errorf("%w: unknown subcommand %q; use list, show, merge, split, edit or rebuild", errUsage, sub)
}

func eventID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: %q is not an event id (see `watchline events list`)", errUsage, s)
	}
	return id, nil
}

// oneEventID is the event id that is a subcommand's only argument.
func oneEventID(fs *flag.FlagSet) (int64, error) {
	if fs.NArg() != 1 {
		return 0, fmt.Errorf("%w: give one event id", errUsage)
	}
	return eventID(fs.Arg(0))
}

func eventsList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("events list", "[--type T]... [--from D] [--to D] [--format text|json]")
	var types multiFlag
	fs.Var(&types, "type", "event `type` (repeatable)")
	from := fs.String("from", "", "happened on or after `date`")
	to := fs.String("to", "", "happened on or before `date`")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	q := timeline.Query{Title: "Events"}
	if err := setEventFilter(&q, types, *from, *to); err != nil {
		return err
	}
	st, err := a.eventStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	tl := timeline.New(st, nil)
	if *format == "json" {
		seq, err := tl.Seq(ctx)
		if err != nil {
			return err
		}
		_, err = timeline.Export(ctx, tl, q, timeline.Header{Title: q.Title, Query: q, Generated: time.Now().UTC(), StoreSeq: seq}, "json", a.stdout)
		return err
	}
	if *format != "text" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	tw := newTable(a.stdout, "ID", "HAPPENED", "TYPE", "DOCS", "TITLE")
	n := 0
	err = tl.Each(ctx, q, func(e timeline.Entry) error {
		n++
		title := e.Title
		if e.Edited {
			title += " [edited]"
		}
		return tw.row(strconv.FormatInt(e.ID, 10), timeline.DateString(e.Happened, e.Precision), string(e.Type), strconv.Itoa(len(e.DocumentIDs)), title)
	})
	if err != nil {
		return err
	}
	if err := tw.flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "%d event(s)\n", n)
	return nil
}

func eventsShow(ctx context.Context, a *app, args []string) error {
	fs := a.flags("events show", "ID [--format text|json]")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := oneEventID(fs)
	if err != nil {
		return err
	}
	st, err := a.eventStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	e, err := timeline.New(st, nil).Event(ctx, id)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		return a.printJSON(e)
	case "text":
	default:
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	w := a.stdout
	fmt.Fprintf(w, "Event %d: %s\n", e.ID, printable(e.Title))
	fmt.Fprintf(w, "Happened: %s (%s precision, confidence %.2f", timeline.DateString(e.Happened, e.Precision), e.Precision, e.DateConfidence)
	if e.DatePhrase != "" {
		fmt.Fprintf(w, ", from %q", e.DatePhrase)
	}
	fmt.Fprintf(w, ")\nType: %s (confidence %.2f", e.Type, e.TypeConfidence)
	if e.TypeEvidence != "" {
		fmt.Fprintf(w, ", from %q", e.TypeEvidence)
	}
	fmt.Fprintln(w, ")")
	if e.Edited {
		fmt.Fprintf(w, "Edited by hand: %s\n", strings.Join(e.EditedFields, ", "))
	}
	if len(e.Actors) > 0 {
		var as []string
		for _, ac := range e.Actors {
			as = append(as, fmt.Sprintf("%s (%s, %d)", ac.Name, ac.Kind, ac.Mentions))
		}
		fmt.Fprintf(w, "Actors: %s\n", printable(strings.Join(as, "; ")))
	}
	fmt.Fprintln(w, "\nSources, in published order:")
	for _, s := range e.Sources {
		mark := " "
		switch {
		case s.DocumentID == e.FirstDocumentID:
			mark = "1"
		case s.Official:
			mark = "*"
		}
		fmt.Fprintf(w, " %s %-16s  doc %-6d %-20s %s\n     %s\n", mark, timeline.PublishedString(s.Published), s.DocumentID, s.SourceID, printable(s.Title), printable(s.URL))
	}
	fmt.Fprintln(w, "   (1 = first report, * = official)")
	if len(e.Quotes) > 0 {
		fmt.Fprintln(w, "\nQuotes:")
		for _, q := range e.Quotes {
			role := ""
			if q.Role != "" {
				role = ", " + q.Role
			}
			fmt.Fprintf(w, "  %s\n    — %s%s (doc %d, characters %d–%d)\n", printable(q.Display()), printable(q.Speaker), printable(role), q.DocumentID, q.Start, q.End)
		}
	}
	return nil
}

func eventsMerge(ctx context.Context, a *app, args []string) error {
	return mergeTwo(ctx, a, args, "events merge", "event", eventID, (*timeline.Editor).Merge)
}

// mergeTwo runs the command name (`events merge`, `stories merge`): two ids
// of kind, the one to keep first, parsed by id and merged by merge.
func mergeTwo(ctx context.Context, a *app, args []string, name, kind string, id func(string) (int64, error),
	merge func(*timeline.Editor, context.Context, int64, int64) error) error {
	fs := a.flags(name, "A B")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("%w: give two %s ids: the one to keep, then the one to merge into it", errUsage, kind)
	}
	into, err := id(fs.Arg(0))
	if err != nil {
		return err
	}
	from, err := id(fs.Arg(1))
	if err != nil {
		return err
	}
	st, err := a.eventStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := editErr(merge(timeline.NewEditor(st), ctx, into, from)); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "merged %s %d into %d\n", kind, from, into)
	return nil
}

func eventsSplit(ctx context.Context, a *app, args []string) error {
	fs := a.flags("events split", "ID --doc DOC...")
	var docs multiFlag
	fs.Var(&docs, "doc", "document `id` to move to a new event (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := oneEventID(fs)
	if err != nil {
		return err
	}
	var ids []int64
	for _, d := range docs {
		for _, part := range strings.Split(d, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil {
				return fmt.Errorf("%w: --doc %q is not a document id", errUsage, part)
			}
			ids = append(ids, n)
		}
	}
	st, err := a.eventStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	newID, err := timeline.NewEditor(st).Split(ctx, id, ids)
	if err := editErr(err); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "moved %d document(s) from event %d to new event %d\n", len(ids), id, newID)
	return nil
}

func eventsEdit(ctx context.Context, a *app, args []string) error {
	fs := a.flags("events edit", "ID [--title T] [--date D] [--type T]")
	title := fs.String("title", "", "new `title`")
	date := fs.String("date", "", "when it happened: `YYYY-MM-DD`, YYYY-MM or YYYY")
	typ := fs.String("type", "", "event `type`: "+typeList())
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := oneEventID(fs)
	if err != nil {
		return err
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := editErr(timeline.NewEditor(st).Edit(ctx, id, timeline.Edit{Title: *title, Happened: *date, Type: *typ})); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "edited event %d\n", id)
	return nil
}

func eventsRebuild(ctx context.Context, a *app, args []string) error {
	fs := a.flags("events rebuild", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	rebuild := func(ctx context.Context) error {
		if err := st.ResetEvents(ctx, timeline.CursorName); err != nil {
			return err
		}
		_, err := pipeline.CatchUpEvents(ctx, st)
		return err
	}
	if !a.shared() {
		if err := rebuild(ctx); err != nil {
			return err
		}
	} else {
		// A node that builds events (it holds the leader lease) must not
		// cluster beside the rebuild.
		led, err := pipeline.Lead(ctx, st, leaderLease, rebuild)
		if err != nil {
			return err
		}
		if !led {
			return errors.New("events rebuild: a serve or run node sharing this store builds the events (it holds the leader lease); stop it, rebuild, and start it again")
		}
	}
	fmt.Fprintln(a.stdout, "events rebuilt from the store; corrections kept")
	return nil
}

// editErr turns an invalid correction into a usage error (exit status 2).
func editErr(err error) error {
	if errors.Is(err, timeline.ErrInvalidEdit) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return err
}
