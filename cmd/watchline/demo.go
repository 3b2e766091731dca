package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/model"
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
	if err := a.demoDataDir(fs); err != nil {
		return err
	}
	out := a.stdout
	corpus, err := demo.NewServer()
	if err != nil {
		return err
	}
	defer corpus.Close()
	fmt.Fprintf(out, "watchline demo: serving the bundled corpus at %s\n", corpus.URL())
	fmt.Fprintf(out, "data directory: %s\n", a.dataDir)

	if err := os.MkdirAll(a.dataDir, 0o755); err != nil {
		return fmt.Errorf("create demo data directory: %w", err)
	}
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

	section(out, "1. Crawl: %d sources (RSS, Atom, a listing page, a news sitemap, official statement pages, one broken feed)", len(cfg.Sources))
	cr, err := crawler.New(ctx, st, cfg, crawler.Options{Progress: a.stderr, SharedHosts: a.shared()})
	if err != nil {
		return err
	}
	sum, err := cr.Once(ctx, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, sum.String())
	if err := printFailingSources(ctx, out, st); err != nil {
		return err
	}

	section(out, "2. Search")
	ix, err := index.Open(a.dataDir)
	if err != nil {
		return err
	}
	defer func() {
		if ix != nil {
			ix.Close()
		}
	}()
	if _, err := ix.Sync(ctx, st); err != nil {
		return err
	}
	for _, q := range demoSearches {
		res, err := ix.Search(ctx, st, index.Request{Query: q, Limit: 3})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n$ watchline search '%s'   (%d matches)\n", q, res.Total)
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
	if err := catchUp(ctx, st); err != nil {
		return err
	}
	tl := timeline.New(st, timeline.MatcherFunc(ix.QueryIDs))
	seq, err := tl.Seq(ctx)
	if err != nil {
		return err
	}
	q := timeline.Query{Topic: topic.ID, Title: topic.Title, Query: topic.Query}
	if _, err := timeline.Export(ctx, tl, q, timeline.Header{Title: topic.Title, Query: q, Generated: time.Now().UTC(), StoreSeq: seq}, "text", out); err != nil {
		return err
	}

	section(out, "4. Alerts: a subscription to the topic fires when a new article arrives")
	if err := demoAlert(ctx, out, st, a.dataDir, ix, cr, cfg, corpus, topic); err != nil {
		return err
	}

	fmt.Fprintf(out, "\nExplore the same data from the command line, e.g.:\n  watchline search --data %s --config %s 'Cash AND Berry'\n  watchline timeline --data %s --config %s --topic %s --format md\n",
		a.dataDir, cfgPath, a.dataDir, cfgPath, demoTopic)
	if *noServe {
		return nil
	}
	// The web server opens the index itself; one process may hold it once.
	if err := ix.Close(); err != nil {
		return err
	}
	ix = nil
	return serveDemo(ctx, a, st, cfg, *addr)
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

func printFailingSources(ctx context.Context, w io.Writer, st store.Backend) error {
	hs, err := st.SourceHealths(ctx)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h.LastError != "" {
			fmt.Fprintf(w, "source %s is failing: %s (see `watchline sources`)\n", h.SourceID, h.LastError)
		}
	}
	return nil
}

// printEdited names the documents whose text changed after they were first
// stored: the silently edited statements, whose earlier versions are kept.
func printEdited(ctx context.Context, w io.Writer, st store.Backend, dataDir string) error {
	return st.EachDocument(ctx, store.DocFilter{}, func(d model.Document) error {
		if d.Versions > 1 {
			fmt.Fprintf(w, "edited since first seen: %q (%s) now has %d versions; see `watchline docs show %d --data %s`\n", d.Title, d.SourceID, d.Versions, d.ID, dataDir)
		}
		return nil
	})
}

// demoAlert subscribes a loopback webhook to the topic, lets the corpus
// publish its next articles, crawls again and shows what the webhook got.
func demoAlert(ctx context.Context, out io.Writer, st store.Backend, dataDir string, ix *index.Index, cr *crawler.Crawler, cfg *config.Config, corpus *demo.Server, topic model.Topic) error {
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
		return err
	}
	hookSrv := &http.Server{Handler: hook, ReadHeaderTimeout: 5 * time.Second}
	go hookSrv.Serve(ln)
	defer hookSrv.Close()

	svc := alert.New(st, alert.Options{Matcher: alert.IndexMatcher()})
	sub, err := svc.Add(ctx, model.Subscription{Name: topic.Title, Query: topic.Query, Webhook: "http://" + ln.Addr().String() + "/hook"}, alert.AddOptions{})
	if err != nil {
		return err
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
		return err
	}
	fmt.Fprintln(out, sum.String())
	if err := printEdited(ctx, out, st, dataDir); err != nil {
		return err
	}
	if _, err := ix.Sync(ctx, st); err != nil {
		return err
	}
	if err := catchUp(ctx, st); err != nil {
		return err
	}
	if _, err := svc.Match(ctx); err != nil {
		return err
	}
	if _, err := svc.Deliver(ctx); err != nil {
		return err
	}
	select {
	case p := <-got:
		fmt.Fprintf(out, "webhook received %d new match(es), signature verified:\n", p.Count)
		for _, m := range p.Matches {
			fmt.Fprintf(out, "  - %s  %s (%s)\n    matched %s\n", m.Published.Format("2006-01-02"), m.Title, m.Source, strings.Join(m.Terms, ", "))
		}
	default:
		return errors.New("demo alert: the webhook received nothing; run `watchline alerts deliveries` on the data directory to see why")
	}
	return nil
}

// serveDemo serves the web UI on addr, or on a free loopback port if addr is
// taken, until interrupted.
func serveDemo(ctx context.Context, a *app, st store.Backend, cfg *config.Config, addr string) error {
	srv, closeIndex, err := web.Open(ctx, web.OpenOptions{Store: st, DataDir: a.dataDir, Config: cfg})
	if err != nil {
		return err
	}
	defer closeIndex()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(a.stderr, "watchline demo: %s is taken (%v); using another port\n", addr, err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return err
		}
	}
	return srv.Serve(ctx, ln, func(url string) {
		fmt.Fprintf(a.stdout, "\nThe web UI is at %s (search, timeline, events, sources) — Ctrl-C to stop.\n", url)
	})
}
