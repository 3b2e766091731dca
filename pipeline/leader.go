package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/watchline/watchline/store"
)

// LeaderLease is the name of the store lease held by the one node that
// runs the work that must run once however many nodes share a store: event
// clustering and alert matching.
const LeaderLease = "leader"

// leaseStore is the part of the store that keeps leases.
type leaseStore interface {
	AcquireLease(ctx context.Context, name, owner string, now, until time.Time) (bool, error)
	ReleaseLease(ctx context.Context, name, owner string) error
}

// leader keeps this node's claim on the leader lease: it renews it every
// third of its length while it runs, and gives it up when it stops, so
// another node takes over at once after a clean stop and within one lease
// length after a crash.
type leader struct {
	st    leaseStore
	owner string
	ttl   time.Duration
	log   *slog.Logger
	held  atomic.Bool
}

func newLeader(st leaseStore, ttl time.Duration, log *slog.Logger) *leader {
	return &leader{st: st, ttl: ttl, log: log, owner: store.LeaseOwner()}
}

// leads reports whether this node held the lease at its last renewal.
func (l *leader) leads() bool { return l.held.Load() }

// renew takes or renews the lease once and records whether it holds it.
func (l *leader) renew(ctx context.Context) {
	now := time.Now()
	ok, err := l.st.AcquireLease(ctx, LeaderLease, l.owner, now, now.Add(l.ttl))
	if err != nil {
		if ctx.Err() == nil {
			l.log.Error("leader lease", "err", err)
		}
		ok = false
	}
	if was := l.held.Swap(ok); was != ok {
		if ok {
			l.log.Info("this node now builds events and matches alerts (leader)")
		} else {
			l.log.Info("another node builds events and matches alerts now")
		}
	}
}

// run renews the lease until ctx ends, then releases it.
func (l *leader) run(ctx context.Context) {
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		l.renew(ctx)
		select {
		case <-ctx.Done():
			if l.held.Swap(false) {
				l.st.ReleaseLease(context.WithoutCancel(ctx), LeaderLease, l.owner)
			}
			return
		case <-t.C:
		}
	}
}

// Lead runs fn while this process holds the leader lease, for a command that
// shares its store with nodes that may lead (serve or run on a shared
// store) and must not do their work beside them: it takes the lease (ttl
// long, renewed every third of ttl while fn runs) and releases it when fn
// returns. led is false, and fn does not run, when another node holds the
// lease: that node does the work.
func Lead(ctx context.Context, st leaseStore, ttl time.Duration, fn func(context.Context) error) (led bool, err error) {
	l := newLeader(st, ttl, slog.New(slog.DiscardHandler))
	now := time.Now()
	ok, err := st.AcquireLease(ctx, LeaderLease, l.owner, now, now.Add(ttl))
	if err != nil {
		return false, fmt.Errorf("take the leader lease: %w", err)
	}
	if !ok {
		return false, nil
	}
	l.held.Store(true)
	lctx, stop := context.WithCancel(ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		l.run(lctx) // renews until stopped, then releases
	}()
	err = fn(lctx)
	stop()
	<-renewed
	return true, err
}
