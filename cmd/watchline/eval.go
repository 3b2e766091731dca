package main

import (
	"context"
	"fmt"
)

// runEval dispatches `watchline eval KIND`: scoring watchline on labelled
// data kept outside the repository.
func runEval(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: say what to evaluate: watchline eval quotes --set DIR [--out FILE.json]", errUsage)
	}
	switch args[0] {
	case "quotes":
		return runEvalQuotes(ctx, a, args[1:])
	}
	return fmt.Errorf("%w: unknown evaluation %q; use quotes", errUsage, args[0])
}
