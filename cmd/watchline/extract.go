package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/watchline/watchline/extract"
)

func runExtract(ctx context.Context, a *app, args []string) error {
	fs := a.flags("extract", "[--url URL] [--format text|json] FILE|-")
	pageURL := fs.String("url", "", "the `URL` the page was fetched from (resolves its canonical link and URL dates)")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give one saved HTML file, or - to read standard input", errUsage)
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: unknown format %q; use text or json", errUsage, *format)
	}
	body, err := a.readInput(fs.Arg(0))
	if err != nil {
		return err
	}
	art, err := extract.HTML(ctx, body, "", extract.Options{URL: *pageURL, AnyText: true})
	if err != nil {
		return fmt.Errorf("extract %s: %w", fs.Arg(0), err)
	}
	return extract.Write(a.stdout, art, *format)
}

// readInput reads a named file, or standard input for "-".
func (a *app) readInput(name string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(a.stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}
