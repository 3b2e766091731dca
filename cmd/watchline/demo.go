package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/pipeline"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
	"github.com/watchline/watchline/web"
)

// demoSearches are the example searches the demo prints.
var demoSearches = []string{`"pure fabrication"`, `MI5 AND LinkedIn`, `"Official Secrets Act" AND charged`}

const demoTopic = "uk-china-spy-case"

// runDemo serves the bundled corpus on loopback, crawls it into a fresh data
// directory, shows searches, the spy-case timeline and an alert firing on a
// new article, then serves the web UI on the result.
func runDemo(ctx context.Context, a *app, args []string) error {
	fs := a.flags("demo", "[--data DIR] [--addr HOST:PORT] [--no-serve]")
	addr := fs.String("addr", web.DefaultAddr, "web UI listen `address` (another free port is used if it is taken)")
	noServe := fs.Bool("no-serve", false, "stop after showing the results instead of serving the web UI")
	if err := parse(fs, args); err != nil {
		return err
	}
	out := a.stdout
	fmt.Fprintln(out, "watchline demo: crawling a bundled corpus, then searching it, building its timeline and firing an alert (a few seconds)")
	if err := a.demoDataDir(fs); err != nil {
		return err
	}
	corpus, err := demo.NewServer()
	if err != nil {
		return err
	}
	defer corpus.Close()
	fmt.Fprintf(out, "serving the bundled corpus at %s\n", corpus.URL())
	fmt.Fprintf(out, "data directory: %s\n", a.dataDir)

	if err := os.MkdirAll(a.dataDir, 0o755); err != nil {
		return fmt.Errorf("create demo data directory: %w", err)
	}
	// The data directory keeps its own feeds.yaml: commands run on it later
	// read it without --config (see app.config).
	cfgPath := filepath.Join(a.dataDir, "feeds.yaml")
	cfgText := []byte(demo.Config(corpus.URL()))
	if err := os.WriteFile(cfgPath, cfgText, 0o644); err != nil {
		return fmt.Errorf("write demo configuration: %w", err)
	}
	cfg, err := config.Parse(cfgPath, cfgText)
	if err != nil {
		return fmt.Errorf("demo configuration: %w", err)
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// Everything runs on the corpus's clock, as if it were live in late 2025.
	st.SetClock(corpus.Now)

	section(out, "1. Crawl: %d sources (RSS, Atom, a listing page, a news sitemap, official statement pages, one broken feed)", len(cfg.Sources))
	cr, err := crawler.New(ctx, st, cfg, crawler.Options{Progress: a.stderr, Now: corpus.Now, SharedHosts: a.shared()})
	if err != nil {
		return err
	}
	sum, err := cr.Once(ctx, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, sum.String())
	if err := printFailingSources(ctx, out, st, commandPrefix()+" sources --data "+shellQuote(a.dataDir)); err != nil {
		return err
	}

	section(out, "2. Search")
	// One pipeline does the processing the demo shows (index, events,
	// alerts), and afterwards serves: `watchline run` without the crawl
	// loop, on the corpus's clock.
	p, err := pipeline.Open(ctx, pipeline.Options{Store: st, DataDir: a.dataDir, Config: cfg, Events: true, Alerts: true, Now: corpus.Now})
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.CatchUp(ctx); err != nil {
		return err
	}
	ix := p.Index()
	for _, q := range demoSearches {
		res, err := ix.Search(ctx, st, index.Request{Query: q, Limit: 3})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\nsearch %s   (%d matches)\n", q, res.Total)
		for i, h := range res.Hits {
			fmt.Fprintf(out, "  %d. %s  %-18s %s\n", i+1, h.Published.Format("2006-01-02"), h.Source, h.Title)
			if h.Snippet.Marked != "" {
				fmt.Fprintf(out, "     %s\n", h.Snippet.Marked)
			}
		}
	}

	topic, ok := cfg.Topic(demoTopic)
	if !ok {
		return fmt.Errorf("demo configuration has no topic %q", demoTopic)
	}
	section(out, "3. Timeline: %s", topic.Title)
	tl := timeline.New(st, timeline.MatcherFunc(ix.QueryIDs))
	seq, err := tl.Seq(ctx)
	if err != nil {
		return err
	}
	q := timeline.Query{Topic: topic.ID, Title: topic.Title, Query: topic.Query}
	if _, err := timeline.Export(ctx, tl, q, timeline.Header{Title: topic.Title, Query: q, Generated: corpus.Now().UTC(), StoreSeq: seq}, "text", out); err != nil {
		return err
	}

	section(out, "4. Alerts: a subscription to the topic fires when a new article arrives")
	cmd := commandPrefix()
	edited, err := demoAlert(ctx, out, st, p, cr, cfg, corpus, topic)
	if err != nil {
		return err
	}

	days, err := archiveDays(ctx, st, corpus.Now())
	if err != nil {
		return err
	}
	data := shellQuote(a.dataDir)
	if *noServe {
		fmt.Fprintf(out, "\nExplore the same data from the command line (from this directory):\n")
	} else {
		fmt.Fprintf(out, "\nWhile the web UI below runs, these work on the same data (in another terminal, from this directory):\n")
	}
	fmt.Fprintf(out, "  %s search --data %s 'Cash AND Berry'\n", cmd, data)
	fmt.Fprintf(out, "  %s timeline --data %s --topic %s --format md\n", cmd, data, demoTopic)
	if edited != 0 {
		fmt.Fprintf(out, "  %s docs --data %s show %d\n", cmd, data, edited)
	}
	fmt.Fprintf(out, "  %s alerts test --data %s --days 0 --query 'MI5 AND LinkedIn'\n", cmd, data)
	if *noServe {
		return nil
	}
	return serveDemo(ctx, a, st, cfg, p, *addr, corpus, days)
}

// commandPrefix is how the user runs this program again: `go run` builds it
// in a temporary directory and puts nothing on the PATH, so a command
// printed as "watchline …" would not run.
func commandPrefix() string {
	exe, err := os.Executable()
	if err != nil {
		return "go run ./cmd/watchline"
	}
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return "go run ./cmd/watchline"
	}
	if p, err := exec.LookPath("watchline"); err == nil && sameFile(p, exe) {
		return "watchline"
	}
	return shellQuote(exe)
}

func sameFile(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// archiveDays is how many days before now the oldest stored document was
// published: the window that tests a subscription against the whole demo.
func archiveDays(ctx context.Context, st store.Backend, now time.Time) (int, error) {
	oldest := now
	err := st.EachDocument(ctx, store.DocFilter{}, func(d model.Document) error {
		if !d.Published.IsZero() && d.Published.Before(oldest) {
			oldest = d.Published
		}
		return nil
	})
	return int(now.Sub(oldest).Hours()/24) + 1, err
}

// demoDataDir picks the demo's data directory: the one given with --data or
// WATCHLINE_DATA if it is new or empty, else a fresh temporary one.
func (a *app) demoDataDir(fs *flag.FlagSet) error {
	given := os.Getenv("WATCHLINE_DATA") != ""
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "data" })
	if !given {
		dir, err := os.MkdirTemp("", "watchline-demo-")
		if err != nil {
			return fmt.Errorf("create a data directory for the demo: %w (pass --data DIR)", err)
		}
		a.dataDir = dir
		return nil
	}
	entries, err := os.ReadDir(a.dataDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("demo data directory %s: %w", a.dataDir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("%w: the demo needs a new or empty data directory and %s is not empty; remove it or give another --data", errUsage, a.dataDir)
	}
	return nil
}

func section(w io.Writer, format string, args ...any) {
	title := fmt.Sprintf(format, args...)
	fmt.Fprintf(w, "\n%s\n%s\n", title, strings.Repeat("=", len(title)))
}

func printFailingSources(ctx context.Context, w io.Writer, st store.Backend, hint string) error {
	hs, err := st.SourceHealths(ctx)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h.LastError != "" {
			fmt.Fprintf(w, "source %s is failing: %s (see `%s`)\n", h.SourceID, h.LastError, hint)
		}
	}
	return nil
}

// printEdited names the documents whose text changed after they were first
// stored (the silently edited statements, whose earlier versions are kept)
// and returns the last one's id.
func printEdited(ctx context.Context, w io.Writer, st store.Backend) (int64, error) {
	var id int64
	err := st.EachDocument(ctx, store.DocFilter{}, func(d model.Document) error {
		if d.Versions > 1 {
			fmt.Fprintf(w, "edited since first seen: %q (%s) now has %d versions (document %d)\n", d.Title, d.SourceID, d.Versions, d.ID)
			id = d.ID
		}
		return nil
	})
	return id, err
}

// demoAlert subscribes a loopback webhook to the topic, lets the corpus
// publish its next articles, crawls again and shows what the webhook got.
// It returns the id of the statement the corpus edited.
func demoAlert(ctx context.Context, out io.Writer, st store.Backend, p *pipeline.Pipeline, cr *crawler.Crawler, cfg *config.Config, corpus *demo.Server, topic model.Topic) (int64, error) {
	got := make(chan alert.Payload, 4)
	var secret string
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if !alert.Verify(secret, body, r.Header.Get("X-Watchline-Signature")) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p alert.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		select {
		case got <- p:
		default:
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	hookSrv := &http.Server{Handler: hook, ReadHeaderTimeout: 5 * time.Second}
	go hookSrv.Serve(ln)
	defer hookSrv.Close()

	svc := p.Alerts()
	sub, err := svc.Add(ctx, model.Subscription{Name: topic.Title, Query: topic.Query, Webhook: "http://" + ln.Addr().String() + "/hook"}, alert.AddOptions{})
	if err != nil {
		return 0, err
	}
	secret = sub.Secret
	fmt.Fprintf(out, "subscribed webhook %s to: %s\n", sub.Webhook, sub.Query)

	corpus.Advance()
	fmt.Fprintln(out, "the corpus publishes new articles and silently edits an official statement; crawling again ...")
	var all []string // nothing is due again yet: ask for every source now
	for _, src := range cfg.Sources {
		all = append(all, src.ID)
	}
	sum, err := cr.Once(ctx, all)
	if err != nil {
		return 0, err
	}
	fmt.Fprintln(out, sum.String())
	edited, err := printEdited(ctx, out, st)
	if err != nil {
		return 0, err
	}
	if err := p.CatchUp(ctx); err != nil {
		return 0, err
	}
	select {
	case p := <-got:
		fmt.Fprintf(out, "webhook received %d new match(es), signature verified:\n", p.Count)
		for _, m := range p.Matches {
			edited := ""
			if m.Version > 1 {
				edited = fmt.Sprintf(" — edited since first published (version %d)", m.Version)
			}
			fmt.Fprintf(out, "  - %s  %s (%s)%s\n    matched %s\n", m.Published.Format("2006-01-02"), m.Title, m.Source, edited, strings.Join(m.Terms, ", "))
		}
	default:
		return 0, errors.New("demo alert: the webhook received nothing; run `watchline alerts deliveries` on the data directory to see why")
	}
	return edited, nil
}

// serveDemo serves the web UI on addr, or on a free loopback port if addr is
// taken, until interrupted: on the corpus's clock, with writes enabled by a
// token it prints, and subscription tests covering the whole corpus.
func serveDemo(ctx context.Context, a *app, st store.Backend, cfg *config.Config, p *pipeline.Pipeline, addr string, corpus *demo.Server, days int) error {
	token, fromEnv := os.Getenv(config.EnvToken), true
	if token == "" {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("make a token for the demo: %w", err)
		}
		token, fromEnv = hex.EncodeToString(b), false
	}
	srv, err := web.New(web.Options{Store: st, DataDir: a.dataDir, Index: p.Index(), Alerts: p.Alerts(), Config: cfg, Token: token, Now: corpus.Now, PreviewDays: days})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(a.stderr, "watchline demo: %s is taken (%v); using another port\n", addr, err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return err
		}
	}
	return p.RunBeside(ctx, func(ctx context.Context) error {
		return srv.Serve(ctx, ln, func(url string) {
			fmt.Fprintf(a.stdout, "\nThe web UI is at %s (search, timeline, events, sources, subscriptions) — Ctrl-C to stop.\n", url)
			if fromEnv {
				fmt.Fprintf(a.stdout, "To add subscriptions or correct events, sign in with the token in %s.\n", config.EnvToken)
			} else {
				fmt.Fprintf(a.stdout, "To add subscriptions or correct events, sign in with the token %s (set %s to choose your own).\n", token, config.EnvToken)
			}
			fmt.Fprintf(a.stdout, "The demo's clock is the corpus's: it is %s there, and \"Test\" on the subscriptions page looks back %d days, over the whole corpus.\n",
				corpus.Now().Format("2 January 2006"), days)
		})
	})
}
