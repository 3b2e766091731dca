package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, must return
// either a config or an Errors, and a config it accepts must validate and have
// every source's defaults filled in.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.yaml")
	seeds = append(seeds, "../feeds.yaml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("sources: [{id: a, url: 'https://example.org/a', <<: {kind: page}}]"))
	f.Add([]byte("a: &a\n  b: *a\nsources: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %T %v is not a non-empty Errors", err, err)
			}
			if c != nil {
				t.Fatal("config returned with an error")
			}
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("accepted config fails Validate: %v", verr)
		}
		if len(c.Sources) == 0 {
			t.Fatal("accepted a config with no sources")
		}
		for _, s := range c.Sources {
			if s.Interval <= 0 || s.Delay <= 0 || s.UserAgent == "" || s.MaxBody <= 0 {
				t.Fatalf("source %q missing defaults: %+v", s.ID, s)
			}
		}
	})
}
