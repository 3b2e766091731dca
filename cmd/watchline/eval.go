package main

import (
	"context"
	"fmt"
	"os"
)

// evaluations are the kinds `watchline eval` runs; each reads a labelled set
// in the format of ../shared/eval and prints its protocol's figures.
var evaluations = map[string]func(ctx context.Context, a *app, args []string) error{
	"clustering": runEvalClustering,
	"timeline":   runEvalTimeline,
	"quotes":     runEvalQuotes,
}

const evalUsage = `clustering|timeline|quotes --set DIR [--out FILE.json]

  eval clustering --set DIR|FILE [--batches 16]   story grouping of a labelled stream: NMI, BCubed, clusters
  eval timeline --set DIR                          key dates of labelled timelines (Timeline17): Date-F1
  eval quotes --set DIR                            quote and speaker attribution (PolNeAR): F1, speaker accuracy`

// runEval dispatches `watchline eval KIND`: scoring watchline on labelled
// data kept outside the repository.
func runEval(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(a.stderr, "usage: watchline eval %s\n", evalUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: say what to evaluate", errUsage)
		}
		return nil
	}
	run, ok := evaluations[args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown evaluation %q; use clustering, timeline or quotes", errUsage, args[0])
	}
	return run(ctx, a, args[1:])
}

// writeEvalJSON writes an evaluation's figures to --out, if given.
func (a *app) writeEvalJSON(out string, v any) error {
	if out == "" {
		return nil
	}
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("eval: %w (check the --out path)", err)
	}
	old := a.stdout
	a.stdout = f
	err = a.printJSON(v)
	a.stdout = old
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		fmt.Fprintf(a.stderr, "wrote %s\n", out)
	}
	return err
}
