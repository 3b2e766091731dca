package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/watchline/watchline/eval"
)

func runEvalQuotes(ctx context.Context, a *app, args []string) error {
	fs := a.flags("eval quotes", "--set DIR [--out FILE.json]")
	set := fs.String("set", "", "`directory` of *.jsonl(.gz) articles with gold attributions (PolNeAR format, rune offsets)")
	out := fs.String("out", "", "also write the figures and, per article, the matches, misses and spurious quotes to `FILE.json`")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *set == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: give the labelled set with --set DIR", errUsage)
	}
	arts, err := eval.ReadQuoteSet(*set)
	if err != nil {
		return err
	}
	// The set is imported into a throwaway store, never the data directory.
	tmp, err := os.MkdirTemp("", "watchline-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	rep, err := eval.RunQuotes(ctx, arts, tmp, *out != "")
	if err != nil {
		return err
	}
	if *out != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	w := a.stdout
	fmt.Fprintf(w, "quotes: %d articles, %d gold attributions (%d direct), %d predicted, %d matched (Dice ≥ %.1f)\n",
		rep.Articles, rep.Gold, rep.GoldDirect, rep.Predicted, rep.Matched, eval.MatchThreshold)
	fmt.Fprintf(w, "all attributions   P %.3f  R %.3f  F1 %.3f\n", rep.All.Precision, rep.All.Recall, rep.All.F1)
	fmt.Fprintf(w, "direct quotes      P %.3f  R %.3f  F1 %.3f\n", rep.Direct.Precision, rep.Direct.Recall, rep.Direct.F1)
	for _, s := range []struct {
		name string
		sc   eval.SpeakerScores
	}{{"speaker", rep.Speaker}, {"speaker or mention", rep.SpeakerOrMention}} {
		fmt.Fprintf(w, "%-18s  all %s  non-pronoun %s  direct %s  direct non-pronoun %s\n", s.name,
			acc(s.sc.All), acc(s.sc.NonPronoun), acc(s.sc.Direct), acc(s.sc.DirectNonPronoun))
	}
	return nil
}

func acc(a eval.Accuracy) string {
	return fmt.Sprintf("%.3f (%d/%d)", a.Accuracy, a.Correct, a.Total)
}
