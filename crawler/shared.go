package crawler

import (
	"context"
	"time"

	"github.com/watchline/watchline/store"
)

// Crawlers on any number of machines can share one store (PostgreSQL): each
// claims due sources with a lease before crawling them, so every source is
// crawled by one of them; a crawler that dies leaves its leases to end, and
// its sources are due again for the others. With Options.SharedHosts the
// per-host politeness gate holds across them too, through host leases, and
// robots.txt is fetched once per origin and day for all of them.

// hostLeaseMargin is how much longer than the request timeout a turn at a
// host is held: a crawler that dies mid-request blocks the host that long.
const hostLeaseMargin = 5 * time.Second

// hostWaitPoll bounds how long a crawler waiting for another's turn at a
// host sleeps before asking again: the holder usually finishes long before
// its lease would end.
const hostWaitPoll = 200 * time.Millisecond

// hostLeaser is the part of the store that keeps turns at hosts.
type hostLeaser interface {
	AcquireHost(ctx context.Context, host, owner string, now, until time.Time, stale func(owner string) bool) (bool, time.Time, error)
	ReleaseHost(ctx context.Context, host, owner string, notBefore time.Time) error
}

// sharedGate takes this crawler's turn at host across every crawler of the
// store; the returned release ends the turn and holds the host for delay.
func sharedGate(ctx context.Context, l hostLeaser, owner, host string, delay, timeout time.Duration) (func(), error) {
	for {
		now := time.Now()
		// The lease outlives the longest request (timeout) so that only a
		// crawler that died leaves it to expire.
		ok, retry, err := l.AcquireHost(ctx, host, owner, now, now.Add(timeout+delay+hostLeaseMargin), store.DeadHere)
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
		if err := sleep(ctx, min(time.Until(retry), hostWaitPoll)); err != nil {
			return nil, err
		}
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		l.ReleaseHost(ctx, host, owner, time.Now().Add(delay))
	}, nil
}

// robotsStore is the part of the store that caches robots.txt.
type robotsStore interface {
	RobotsTxt(ctx context.Context, origin string) (store.RobotsTxt, bool, error)
	SaveRobotsTxt(ctx context.Context, origin string, r store.RobotsTxt) error
}

// claim leases source id to this crawler if it is still due (or forced)
// and no other crawler holds it, and reports whether it did. A source asked
// for by name that another crawler holds is reported on Progress.
func (c *Crawler) claim(ctx context.Context, id string, forced bool) bool {
	now := c.opts.Now()
	got, err := c.st.ClaimSources(ctx, c.opts.Owner, []string{id}, now, now.Add(c.opts.LeaseFor), forced, store.DeadHere)
	switch {
	case err != nil:
		c.progress("%s: %v", id, err)
	case len(got) == 1:
		return true
	case forced:
		c.progress("%s: skipped: another crawler is crawling it now", id)
	}
	return false
}

// release gives a source back once its health (with the next due time) is
// saved, or its crawl was cancelled.
func (c *Crawler) release(ctx context.Context, id string) {
	if err := c.st.ReleaseSource(context.WithoutCancel(ctx), id, c.opts.Owner); err != nil {
		c.progress("%s: %v", id, err)
	}
}
