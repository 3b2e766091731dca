package crawler

import "time"

// Scheduling bounds. A source that keeps publishing is polled up to four
// times as often as configured (never more than every minPublicInterval for a
// public site); one that never changes backs off to an eighth as often.
const (
	busyFactor        = 4
	idleFactor        = 8
	minPublicInterval = 5 * time.Minute
)

// NextInterval returns a source's polling interval after a crawl: halved when
// the crawl found something new or changed, ×1.5 when it did not (or failed),
// kept within [base/4, base×8]. Private (local) sources may go below the
// five-minute floor public sites get.
func NextInterval(base, current time.Duration, changed, private bool) time.Duration {
	if base <= 0 {
		base = 30 * time.Minute
	}
	if current <= 0 {
		current = base
	}
	lo, hi := base/busyFactor, base*idleFactor
	if !private && lo < minPublicInterval {
		lo = min(minPublicInterval, base)
	}
	next := current * 3 / 2
	if changed {
		next = current / 2
	}
	return min(max(next, lo), hi)
}

// due says whether a source whose next crawl is at nextDue should be crawled
// at now; a source never crawled is always due.
func due(nextDue, now time.Time) bool {
	return nextDue.IsZero() || !now.Before(nextDue)
}
