package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/watchline/watchline/bench"
)

const benchUsage = `[--docs N] [--seed S] [--quick] [--scale [--scale-max N]] [--reps N]
       [--queries N] [--subs 100,1000] [--alert-docs N] [--crawl-pages N]
       [--timeline-budget 10m] [--no-peers] [--out FILE] [--work DIR] [--keep] [--cpuprofile FILE] [--memprofile FILE]

Generates a deterministic synthetic corpus and measures ingest (store, index,
timeline), search latency, streaming exports, timeline exports, alert
matching and crawling on loopback, beside plain bleve (default mapping) and
SQLite FTS5 fed the same documents. A table goes to stdout, progress to
stderr, and --out writes every figure as JSON. It never touches --data.`

func runBench(ctx context.Context, a *app, args []string) error {
	fs := a.flags("bench", benchUsage)
	def := bench.Default()
	docs := fs.Int("docs", def.Docs, "corpus size in `documents`")
	seed := fs.Int64("seed", def.Seed, "corpus `seed`: the same seed and size give the same corpus")
	quick := fs.Bool("quick", false, "a small run (2,000 documents, few repetitions), about a minute")
	scale := fs.Bool("scale", false, "run at 10k and 100k documents (and 1M with --scale-max 1000000) and show how figures grow")
	scaleMax := fs.Int("scale-max", 100_000, "largest corpus of --scale, in `documents`")
	reps := fs.Int("reps", 0, "repetitions of each short measurement (`N`; default 5, 3 with --quick)")
	queries := fs.Int("queries", 0, "distinct queries per search kind (`N`)")
	subs := fs.String("subs", "", "subscription counts to match against, comma-separated (`LIST`; default 100,1000)")
	alertDocs := fs.Int("alert-docs", 0, "new documents matched per subscription count (`N`)")
	crawlPages := fs.Int("crawl-pages", 0, "pages on the loopback site (`N`)")
	budget := fs.Duration("timeline-budget", def.TimelineBudget, "stop clustering after `DURATION` and report the rate so far (0: cluster everything)")
	noPeers := fs.Bool("no-peers", false, "skip plain bleve and SQLite FTS5")
	out := fs.String("out", "", "write the full report as JSON to `FILE`")
	work := fs.String("work", "", "`directory` for the corpora (default: the system temporary directory)")
	keep := fs.Bool("keep", false, "keep the generated data directories")
	memprofile := fs.String("memprofile", "", "write a heap profile taken near the ingest's peak to `FILE` (go tool pprof -sample_index=inuse_space)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to `FILE` (read it with go tool pprof)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q; see watchline bench -h", errUsage, fs.Arg(0))
	}
	cfg := def
	if *quick {
		cfg = bench.Quick()
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "docs" {
			cfg.Docs = *docs
		}
	})
	cfg.Seed = *seed
	if *scale {
		cfg.Sizes = bench.ScaleSizes(*scaleMax)
		if len(cfg.Sizes) == 0 {
			return fmt.Errorf("%w: --scale-max %d is below the smallest scale size (10000)", errUsage, *scaleMax)
		}
	}
	if *reps > 0 {
		cfg.Reps = *reps
	}
	if *queries > 0 {
		cfg.Queries = *queries
	}
	if *subs != "" {
		cfg.Subs = nil
		for _, f := range strings.Split(*subs, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return fmt.Errorf("%w: --subs %q: give positive counts separated by commas, e.g. 100,1000", errUsage, *subs)
			}
			cfg.Subs = append(cfg.Subs, n)
		}
	}
	if *alertDocs > 0 {
		cfg.AlertDocs = *alertDocs
	}
	if *crawlPages > 0 {
		cfg.CrawlPages = *crawlPages
	}
	cfg.TimelineBudget = *budget
	cfg.Peers = !*noPeers
	cfg.Dir, cfg.Keep = *work, *keep
	cfg.HeapProfile = *memprofile
	cfg.Progress = a.stderr

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("write report: %w (check the --out path)", err)
		}
		if err := rep.WriteJSON(f); err != nil {
			f.Close()
			return fmt.Errorf("write report %s: %w", *out, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write report %s: %w", *out, err)
		}
	}
	return rep.WriteTable(a.stdout)
}
