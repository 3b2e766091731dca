package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

const storiesUsage = `list|show|merge|move|edit ...

  stories list [--sort activity|importance|events] [--since YYYY-MM-DD] [--min-docs N] [--limit N] [--format text|json]
  stories show ID [--top N] [--format text|json]   (the story and its events, or its N key moments)
  stories merge A B            (B's events join story A; B is gone)
  stories move EVENT STORY     (move an event to another story; STORY "new" starts one)
  stories edit ID --title T    (rename a story)

Corrections are kept when events are rebuilt.`

// runStories lists, shows and corrects stories.
func runStories(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(a.stderr, "usage: watchline stories %s\n", storiesUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: missing subcommand", errUsage)
		}
		return nil
	}
	sub, rest, ok := subcommand(args, "list", "ls", "show", "merge", "move", "edit")
	if !ok {
		return fmt.Errorf("%w: no subcommand in %q; use list, show, merge, move or edit", errUsage, strings.Join(args, " "))
	}
	switch sub {
	case "list", "ls":
		return storiesList(ctx, a, rest)
	case "show":
		return storiesShow(ctx, a, rest)
	case "merge":
		return storiesMerge(ctx, a, rest)
	case "move":
		return storiesMove(ctx, a, rest)
	default: // "edit"
		return storiesEdit(ctx, a, rest)
	}
}

func storyID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: %q is not a story id (see `watchline stories list`)", errUsage, s)
	}
	return id, nil
}

func storiesList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("stories list", "[--sort activity|importance|events] [--since D] [--min-docs N] [--limit N] [--format text|json]")
	sortBy := fs.String("sort", "activity", "order: activity (latest document first), importance or events")
	since := fs.String("since", "", "only stories with a document published on or after `date`")
	minDocs := fs.Int("min-docs", 0, "only stories of at least `N` documents")
	limit := fs.Int("limit", 50, "at most `N` stories (0 = all)")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	switch *sortBy {
	case "activity", "importance", "events":
	default:
		return fmt.Errorf("%w: --sort must be activity, importance or events", errUsage)
	}
	f := store.StoryFilter{Sort: *sortBy, MinDocs: *minDocs, Limit: *limit}
	var err error
	if f.Since, err = parseDay(*since, false); err != nil {
		return err
	}
	st, err := a.eventStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	stories, err := timeline.New(st, nil).Stories(ctx, f)
	if err != nil {
		return err
	}
	if *format == "json" {
		return a.printJSON(stories)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFROM\tTO\tEVENTS\tDOCS\tIMPORTANCE\tLAST ACTIVITY\tTITLE")
	for _, s := range stories {
		title := s.Title
		if s.Edited {
			title += " [edited]"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%.1f\t%s\t%s\n", s.ID, dayOf(s.First), dayOf(s.Last), s.Events, s.Documents,
			s.Importance, dayOf(s.LastActivity), title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "%d stor%s\n", len(stories), map[bool]string{true: "y", false: "ies"}[len(stories) == 1])
	return nil
}

func dayOf(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

// storyDetail is `watchline stories show --format json`.
type storyDetail struct {
	Story  any              `json:"story"`
	Events []timeline.Entry `json:"events"`
}

func storiesShow(ctx context.Context, a *app, args []string) error {
	fs := a.flags("stories show", "ID [--top N] [--format text|json]")
	top := fs.Int("top", 0, "only its `N` most important events (key moments)")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give one story id", errUsage)
	}
	id, err := storyID(fs.Arg(0))
	if err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	st, err := a.eventStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	tl := timeline.New(st, nil)
	s, err := tl.Story(ctx, id)
	if err != nil {
		return err
	}
	var events []timeline.Entry
	err = tl.Each(ctx, timeline.Query{Story: s.ID, Top: *top}, func(e timeline.Entry) error {
		events = append(events, e)
		return nil
	})
	if err != nil {
		return err
	}
	if *format == "json" {
		return a.printJSON(storyDetail{Story: s, Events: events})
	}
	w := a.stdout
	fmt.Fprintf(w, "Story %d: %s\n", s.ID, s.Title)
	fmt.Fprintf(w, "%d event(s), %d document(s), %s to %s, last activity %s, importance %.1f\n", s.Events, s.Documents,
		dayOf(s.First), dayOf(s.Last), dayOf(s.LastActivity), s.Importance)
	if s.Edited {
		fmt.Fprintln(w, "Corrected by an editor.")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT\tHAPPENED\tTYPE\tDOCS\tIMPORTANCE\tTITLE")
	for _, e := range events {
		title := e.Title
		if e.RespondsTo != 0 {
			title += fmt.Sprintf(" (responds to %d)", e.RespondsTo)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%.1f\t%s\n", e.ID, timeline.DateString(e.Happened, e.Precision), e.Type,
			len(e.DocumentIDs), e.Importance, title)
	}
	return tw.Flush()
}

func storiesMerge(ctx context.Context, a *app, args []string) error {
	return mergeTwo(ctx, a, args, "stories merge", "story", storyID, (*timeline.Editor).MergeStories)
}

func storiesMove(ctx context.Context, a *app, args []string) error {
	fs := a.flags("stories move", "EVENT STORY|new")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("%w: give an event id and a story id (or new)", errUsage)
	}
	ev, err := eventID(fs.Arg(0))
	if err != nil {
		return err
	}
	var to int64
	if fs.Arg(1) != "new" {
		if to, err = storyID(fs.Arg(1)); err != nil {
			return err
		}
	}
	st, err := a.eventStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	now, err := timeline.NewEditor(st).MoveEvent(ctx, ev, to)
	if err := editErr(err); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "moved event %d to story %d\n", ev, now)
	return nil
}

func storiesEdit(ctx context.Context, a *app, args []string) error {
	fs := a.flags("stories edit", "ID --title T")
	title := fs.String("title", "", "new `title`")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give one story id", errUsage)
	}
	id, err := storyID(fs.Arg(0))
	if err != nil {
		return err
	}
	st, err := a.eventStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := editErr(timeline.NewEditor(st).RenameStory(ctx, id, *title)); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "renamed story %d\n", id)
	return nil
}
