// Command watchline monitors news outlets and official sources, keeps every
// article and statement it finds, makes them searchable and builds a timeline
// of the events they report. This package only parses flags, builds the pieces
// and calls them; see `watchline help`.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/store/postgres"
)

// A command is one `watchline NAME` subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, app *app, args []string) error
}

func commands() []command {
	return []command{
		{"crawl", "fetch due sources into the store (--once, --source ID)", runCrawl},
		{"sources", "show the health of every source; `sources check` visits each once and says what to fix", runSources},
		{"docs", "list stored documents, or `docs show ID`", runDocs},
		{"extract", "extract one saved HTML page and print what was found", runExtract},
		{"import", "import documents from an NDJSON or CSV file", runImport},
		{"alerts", "manage saved-query alerts and deliver them (add, list, rm, test, run, deliveries)", runAlerts},
		{"timeline", "build events from the store and export a topic's or query's timeline", runTimeline},
		{"events", "list, show, merge, split and edit events", runEvents},
		{"stories", "list, show, merge and rename stories, move events between them", runStories},
		{"search", "search the archive: words, \"phrases\", AND/OR/NOT, field:value, dates, facets", runSearch},
		{"reindex", "rebuild the search index from the store and swap it in", runReindex},
		{"demo", "crawl the bundled example corpus and show what watchline finds", runDemo},
		{"serve", "serve the web UI and JSON API for a data directory (--addr 127.0.0.1:8080)", runServe},
		{"run", "crawl on schedule, index, build events, deliver alerts and serve, in one process", runRun},
		{"migrate", "copy the SQLite archive in --data into PostgreSQL (--to postgres://…)", runMigrate},
		{"eval", "score watchline on labelled data: eval clustering|timeline|quotes --set DIR [--out FILE.json]", runEval},
		{"bench", "measure ingest, search, timeline, alerts and crawling on a synthetic corpus (--quick, --scale)", runBench},
	}
}

// errUsage marks errors caused by how the command was called (exit status 2).
var errUsage = errors.New("usage")

// app carries what every command shares: the output streams and the global
// options every command accepts.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	configPath     string
	dataDir        string
	// storeURL names a shared PostgreSQL store; empty means the embedded
	// store in dataDir. Never read from feeds.yaml: it can hold a password.
	storeURL string
}

// flags returns a flag set for a command with the options every command takes.
func (a *app) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	defData := os.Getenv("WATCHLINE_DATA")
	if defData == "" {
		defData = "./watchline-data"
	}
	fs.StringVar(&a.configPath, "config", "", "configuration `file` (default: the data directory's feeds.yaml if it has one, else ./feeds.yaml)")
	fs.StringVar(&a.dataDir, "data", defData, "data `directory` (also WATCHLINE_DATA); with --store, only this machine's search index")
	fs.StringVar(&a.storeURL, "store", os.Getenv("WATCHLINE_STORE"),
		"a PostgreSQL `URL` (postgres://user:password@host:port/db) shared by several machines, instead of the embedded store in --data (also WATCHLINE_STORE)")
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "usage: watchline %s %s\n\noptions:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// interleave moves flags after positional arguments to the front, so
// `watchline docs show 12 --format json` works as users expect.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") {
				if f := fs.Lookup(name); f != nil {
					if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !bf.IsBoolFlag() {
						if i+1 < len(args) {
							flags = append(flags, args[i+1])
							i++
						}
					}
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

// globalValueFlags are the options every command takes that have a value;
// subcommand skips their values when it looks for the subcommand's name.
var globalValueFlags = map[string]bool{"config": true, "data": true}

// subcommand finds the first of names among args, wherever flags put it, so
// `watchline docs --config X show 12` shows document 12 like
// `watchline docs show 12 --config X`. It returns the name and the other
// arguments in their order; ok is false when none is there. A word that is
// the value of a preceding --config or --data is not taken for a name; the
// value of another flag before the name could be, which is why the names are
// only the fixed words of one command.
func subcommand(args []string, names ...string) (name string, rest []string, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			if flag := strings.TrimLeft(a, "-"); !strings.Contains(flag, "=") && globalValueFlags[flag] {
				i++ // its value
			}
			continue
		}
		for _, n := range names {
			if a == n {
				rest = append(append(rest, args[:i]...), args[i+1:]...)
				return n, rest, true
			}
		}
	}
	return "", args, false
}

// config loads and validates the configuration file. Without --config, a
// data directory that holds its own feeds.yaml (as the demo's does) is read
// with it, so its sources are not mistaken for the shipped ones.
func (a *app) config() (*config.Config, error) {
	if a.configPath == "" {
		a.configPath = "./feeds.yaml"
		if own := filepath.Join(a.dataDir, "feeds.yaml"); fileExists(own) {
			a.configPath = own
		}
	}
	return config.Load(a.configPath)
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// store opens the store: the PostgreSQL database --store names, or else the
// embedded one in --data.
func (a *app) store(ctx context.Context) (store.Backend, error) {
	if a.storeURL == "" {
		return store.Open(ctx, a.dataDir)
	}
	if !postgres.IsURL(a.storeURL) {
		return nil, fmt.Errorf("%w: --store %s: give a postgres:// URL, or leave --store out to use the embedded store in --data",
			errUsage, postgres.Redact(a.storeURL))
	}
	// The data directory still holds this machine's search index.
	if err := os.MkdirAll(a.dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w (check the path and its permissions, or pass --data)", a.dataDir, err)
	}
	return postgres.Open(ctx, a.storeURL)
}

// shared reports whether the store is shared with other machines, so
// crawlers take turns at hosts through it.
func (a *app) shared() bool { return a.storeURL != "" }

// printJSON writes v to standard output as indented JSON.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// defaultMemoryLimit is the soft limit on the Go runtime's memory unless
// GOMEMLIMIT sets another (debug.SetMemoryLimit): near it, garbage is
// collected sooner instead of letting the heap grow to twice what is live.
// Ingest keeps about 410 MiB live at 100,000 to 300,000 synthetic documents
// (open events, bleve's batch analysis, batches in flight) and up to 500 MiB
// at 1M. With default pacing the heap peaked at 1,025 MiB at 100k; with a
// 768 MiB limit the 1M bench still peaked at 1,112 MiB resident, since the
// heap reached 725 MiB beside mapped index pages. At 640 MiB two 1M runs
// peaked at 984 and 1,003 MiB resident (heap 581-592, live 471-498). It is
// soft: a heap that needs more gets more.
const defaultMemoryLimit = 640 << 20

// applyMemoryLimit sets defaultMemoryLimit unless the GOMEMLIMIT the
// runtime already read is set.
func applyMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

func main() {
	applyMemoryLimit(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		help(stdout, cmds)
		return 0
	}
	for _, c := range cmds {
		if c.name != args[0] {
			continue
		}
		a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
		err := c.run(ctx, a, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "watchline %s: %v\n", c.name, err)
			return 2
		case errors.Is(err, context.Canceled):
			fmt.Fprintf(stderr, "watchline %s: interrupted\n", c.name)
			return 130
		default:
			fmt.Fprintf(stderr, "watchline %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "watchline: unknown command %q; run `watchline help` to see the commands\n", args[0])
	return 2
}

func help(w io.Writer, cmds []command) {
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	fmt.Fprintln(w, "watchline watches news and official sources, keeps what they publish, and builds a timeline of events.")
	fmt.Fprintln(w, "\nusage: watchline COMMAND [options]   (every command takes --config FILE and --data DIR)")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `watchline COMMAND -h` for a command's options.")
}
