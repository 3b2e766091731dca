package crawler

import (
	"context"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
)

func TestNextInterval(t *testing.T) {
	const m = time.Minute
	tests := []struct {
		name             string
		base, current    time.Duration
		changed, private bool
		want             time.Duration
	}{
		{"first crawl, quiet", 30 * m, 0, false, false, 45 * m},
		{"first crawl, busy", 30 * m, 0, true, false, 15 * m},
		{"quiet backs off ×1.5", 30 * m, 60 * m, false, false, 90 * m},
		{"quiet stops at 8× base", 30 * m, 200 * m, false, false, 240 * m},
		{"busy halves", 30 * m, 60 * m, true, false, 30 * m},
		{"busy stops at base/4", 60 * m, 20 * m, true, false, 15 * m},
		{"public floor of five minutes", 12 * m, 12 * m, true, false, 6 * m},
		{"public floor reached", 12 * m, 6 * m, true, false, 5 * m},
		{"floor never above base", 2 * m, 2 * m, true, false, 2 * m},
		{"private may go below five minutes", 2 * m, 2 * m, true, true, 1 * m},
		{"private still bounded by base/4", 2 * m, 1 * m, true, true, 30 * time.Second},
		{"interval shrunk in config is clamped", 10 * m, 600 * m, false, false, 80 * m},
		{"zero base means 30m", 0, 0, false, false, 45 * m},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NextInterval(tt.base, tt.current, tt.changed, tt.private); got != tt.want {
				t.Errorf("NextInterval(%v, %v, %v, %v) = %v, want %v", tt.base, tt.current, tt.changed, tt.private, got, tt.want)
			}
		})
	}
}

// fakeClock is a settable clock for scheduling tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestOnceVisitsDueSources(t *testing.T) {
	e := newEnv(t, feedSource("rss", "/feeds/rss.xml", true), feedSource("atom", "/feeds/atom.xml", false))
	clock := &fakeClock{time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	e.c = e.crawler(Options{Now: clock.now})
	ctx := context.Background()

	sum, err := e.c.Once(ctx, nil)
	if err != nil || len(sum.Sources) != 2 || sum.Total().New != 5 {
		t.Fatalf("first pass: %v, %v; want both sources, 5 new", sum, err)
	}
	h := e.health("rss")
	if want := clock.t.Add(15 * time.Minute); !h.NextDue.Equal(want) || h.Interval != 15*time.Minute {
		t.Errorf("rss next due %v interval %v, want %v and 15m (it had news)", h.NextDue, h.Interval, want)
	}

	clock.t = clock.t.Add(10 * time.Minute)
	if sum, _ := e.c.Once(ctx, nil); len(sum.Sources) != 0 {
		t.Errorf("10 minutes later crawled %d sources, want none due", len(sum.Sources))
	}
	if sum, _ := e.c.Once(ctx, []string{"atom"}); len(sum.Sources) != 1 || sum.Sources[0].Source != "atom" {
		t.Errorf("forced: %v", sum)
	}
	clock.t = clock.t.Add(6 * time.Minute)
	sum, _ = e.c.Once(ctx, nil)
	if len(sum.Sources) != 1 || sum.Sources[0].Source != "rss" {
		t.Errorf("16 minutes later crawled %v, want only rss", sum.Sources)
	}
	// Nothing new this time: the interval grows again.
	if h := e.health("rss"); h.Interval != 22*time.Minute+30*time.Second {
		t.Errorf("interval after a quiet crawl = %v, want 22m30s", h.Interval)
	}
	if _, err := e.c.Once(ctx, []string{"nope"}); err == nil {
		t.Error("forcing an unknown source: no error")
	}
}

func TestCancelStopsBetweenDocuments(t *testing.T) {
	e := newEnv(t, feedSource("rss", "/feeds/rss.xml", true))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src, _ := e.cfg.Source("rss")
	res := e.c.CrawlSource(ctx, src)
	if res.New != 0 {
		t.Errorf("cancelled crawl stored %d", res.New)
	}
	if h := e.health("rss"); !h.LastAttempt.IsZero() {
		t.Errorf("cancelled crawl recorded health %+v; the source must stay due", h)
	}
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.c.Run(ctx, nil) }()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
}

func TestSetDate(t *testing.T) {
	day := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	now := day("2025-06-01T12:00:00Z")
	tests := []struct {
		name    string
		page    time.Time
		pageSrc string
		listed  time.Time
		want    time.Time
		wantSrc string
	}{
		{"page date wins", day("2025-05-01T10:00:00Z"), "json-ld", day("2025-05-02T10:00:00Z"), day("2025-05-01T10:00:00Z"), "json-ld"},
		{"day-only page date stays (extract refines it from the feed date)", day("2025-05-01T00:00:00Z"), "url", day("2025-05-01T09:30:00Z"), day("2025-05-01T00:00:00Z"), "url"},
		{"no page date: the listing's", time.Time{}, "", day("2025-05-03T09:30:00Z"), day("2025-05-03T09:30:00Z"), "feed"},
		{"nothing: fetched", time.Time{}, "", time.Time{}, now, "fetched"},
		{"listing in the future: fetched", time.Time{}, "", day("2999-01-01T10:00:00Z"), now, "fetched"},
		{"listing at the epoch: fetched", time.Time{}, "", time.Unix(0, 0), now, "fetched"},
		{"page in the future: the listing's", day("2031-01-01T10:00:00Z"), "meta", day("2025-05-03T09:30:00Z"), day("2025-05-03T09:30:00Z"), "feed"},
		{"page at the epoch: the listing's", time.Unix(0, 0), "meta", day("2025-05-03T09:30:00Z"), day("2025-05-03T09:30:00Z"), "feed"},
		{"a day ahead is time zones, kept", time.Time{}, "", day("2025-06-02T09:00:00Z"), day("2025-06-02T09:00:00Z"), "feed"},
		{"the page's own offset is kept", day("2025-05-08T00:30:00+01:00"), "json-ld", time.Time{}, day("2025-05-08T00:30:00+01:00"), "json-ld"},
		{"the listing's own offset is kept", time.Time{}, "", day("2025-05-07T20:30:00-05:00"), day("2025-05-07T20:30:00-05:00"), "feed"},
	}
	for _, tt := range tests {
		var d model.Document
		setDate(&d, tt.page, tt.pageSrc, 0.8, tt.listed, now)
		if !d.Published.Equal(tt.want) || d.PublishedSource != tt.wantSrc {
			t.Errorf("%s: got %v (%s), want %v (%s)", tt.name, d.Published, d.PublishedSource, tt.want, tt.wantSrc)
		}
		// The day is the one the page states: its offset is kept.
		if got, want := d.Published.Format(time.RFC3339), tt.want.Format(time.RFC3339); got != want {
			t.Errorf("%s: published %s, want %s (the page's own offset)", tt.name, got, want)
		}
		if tt.wantSrc == "fetched" && d.PublishedConfidence > 0.2 {
			t.Errorf("%s: fetched-time confidence %v, want low", tt.name, d.PublishedConfidence)
		}
	}
}
