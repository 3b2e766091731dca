package crawler

import (
	"context"
	"fmt"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/model"
)

// SourceStatus is one configured source joined with its recorded health.
type SourceStatus struct {
	Source model.Source
	Health model.SourceHealth
}

// Failing says whether the source's last crawl failed.
func (s SourceStatus) Failing() bool { return s.Health.ConsecutiveFailures > 0 }

// Status returns every configured source with its health, in config order.
// A source never crawled has a zero health (and is due now).
func Status(ctx context.Context, st Store, cfg *config.Config) ([]SourceStatus, error) {
	out := make([]SourceStatus, 0, len(cfg.Sources))
	for _, s := range cfg.Sources {
		h, err := st.SourceHealth(ctx, s.ID)
		if err != nil {
			return nil, fmt.Errorf("source status: %w", err)
		}
		out = append(out, SourceStatus{Source: s, Health: h})
	}
	return out, nil
}
