package alert

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Payload is what one delivery carries: the JSON body of a webhook, and what
// an e-mail is rendered from. It is frozen in the outbox when the delivery is
// scheduled, so every retry sends the same bytes.
type Payload struct {
	IdempotencyKey string              `json:"idempotency_key"`
	Subscription   PayloadSubscription `json:"subscription"`
	Digest         bool                `json:"digest"`
	Created        time.Time           `json:"created"`
	Count          int                 `json:"count"`
	Matches        []Item              `json:"matches"`
}

// PayloadSubscription describes the subscription in a payload (never its
// secret).
type PayloadSubscription struct {
	ID        int64    `json:"id"`
	Key       string   `json:"key,omitempty"`
	Name      string   `json:"name,omitempty"`
	Query     string   `json:"query"`
	Level     string   `json:"level"`
	Schedule  string   `json:"schedule"`
	Sources   []string `json:"sources,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	Official  bool     `json:"official,omitempty"`
	Languages []string `json:"languages,omitempty"`
}

// Channels a delivery can go to.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
	ChannelAtom    = "atom"
)

func channelOf(sub model.Subscription) string {
	switch {
	case sub.Webhook != "":
		return ChannelWebhook
	case sub.Email != "":
		return ChannelEmail
	}
	return ChannelAtom
}

// permanentError marks a delivery failure that retrying cannot fix (a
// receiver's 4xx answer, a removed subscription).
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Schedule puts every subscription's undelivered matches into the outbox when
// they are due: at once for immediate subscriptions, at the digest time
// otherwise. It returns how many deliveries it scheduled.
func (s *Service) Schedule(ctx context.Context) (int, error) {
	now := s.opts.Clock()
	pending, err := s.st.PendingMatches(ctx)
	if err != nil {
		return 0, err
	}
	bySub := map[int64][]store.AlertMatch{}
	for _, m := range pending {
		bySub[m.SubscriptionID] = append(bySub[m.SubscriptionID], m)
	}
	subs, err := s.st.Subscriptions(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	var errs []error
	for _, sub := range subs {
		sched, err := ParseSchedule(sub.Digest, sub.TimeZone)
		if err != nil {
			// One broken subscription must not hold up the others.
			errs = append(errs, fmt.Errorf("subscription %d: %w", sub.ID, err))
			continue
		}
		ms := bySub[sub.ID]
		var next time.Time
		if !sched.Immediate() {
			if sub.NextDigest.IsZero() {
				if err := s.st.SetNextDigest(ctx, sub.ID, sched.Next(now)); err != nil {
					return n, err
				}
				continue
			}
			if now.Before(sub.NextDigest) {
				continue
			}
			next = sched.Next(now)
			if len(ms) == 0 {
				if err := s.st.SetNextDigest(ctx, sub.ID, next); err != nil {
					return n, err
				}
				continue
			}
		}
		if len(ms) == 0 {
			continue
		}
		d, ids := s.newDelivery(ctx, sub, sched, ms, now)
		if err := s.st.EnqueueDelivery(ctx, &d, ids, next); errors.Is(err, store.ErrScheduled) {
			// Another node sharing the store scheduled these matches
			// first; they are sent once, from its delivery.
			continue
		} else if err != nil {
			return n, err
		}
		n++
	}
	return n, errors.Join(errs...)
}

func (s *Service) newDelivery(ctx context.Context, sub model.Subscription, sched Schedule, ms []store.AlertMatch, now time.Time) (model.Delivery, []int64) {
	p := Payload{
		IdempotencyKey: newKey(sub.ID),
		Subscription:   describe(sub, sched),
		Digest:         !sched.Immediate(),
		Created:        now.UTC(),
		Count:          len(ms),
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	p.Matches = itemsOf(ctx, s.st, ms)
	s.addEvents(ctx, p.Matches)
	body, _ := json.Marshal(p)
	return model.Delivery{SubscriptionID: sub.ID, IdempotencyKey: p.IdempotencyKey, Channel: channelOf(sub),
		Created: now, NextAttempt: now, Payload: body}, ids
}

// addEvents names the timeline event each article belongs to, when the
// timeline has placed it, so digests can group by event. It is best effort:
// without events, digests group by source.
func (s *Service) addEvents(ctx context.Context, items []Item) {
	var ids []int64
	for _, it := range items {
		if it.EventID == 0 {
			ids = append(ids, it.DocumentID)
		}
	}
	if len(ids) == 0 {
		return
	}
	of, err := s.st.EventsOfDocuments(ctx, ids)
	if err != nil || len(of) == 0 {
		return
	}
	titles := map[int64]string{}
	for i := range items {
		ev, ok := of[items[i].DocumentID]
		if items[i].EventID != 0 || !ok {
			continue
		}
		if _, seen := titles[ev]; !seen {
			e, err := s.st.Event(ctx, ev)
			if err != nil {
				continue
			}
			titles[ev] = e.Title
		}
		items[i].EventID, items[i].EventTitle = ev, titles[ev]
	}
}

func describe(sub model.Subscription, sched Schedule) PayloadSubscription {
	return PayloadSubscription{ID: sub.ID, Key: sub.Key, Name: sub.Name, Query: sub.Query, Level: string(sub.Level),
		Schedule: sched.String(), Sources: sub.Sources, Tags: sub.Tags, Official: sub.Official, Languages: sub.Languages}
}

// newKey is an idempotency key: unique per delivery, stable across retries
// because it is stored with the payload.
func newKey(subID int64) string {
	b := make([]byte, 12)
	crand.Read(b)
	return fmt.Sprintf("wl-%d-%s", subID, hex.EncodeToString(b))
}

// Deliver schedules due matches (see Schedule) and sends every outbox entry
// that is due, at most Options.Workers at a time. A failed attempt is retried
// later with exponential backoff and jitter; after Options.MaxAttempts, or at
// once for a permanent failure, the entry is marked failed. It returns how
// many entries were delivered.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	var errs []error
	if _, err := s.Schedule(ctx); err != nil {
		errs = append(errs, err)
	}
	due, err := s.st.DueDeliveries(ctx, s.opts.Clock(), 500)
	if err != nil {
		return 0, errors.Join(append(errs, err)...)
	}
	var delivered atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, s.opts.Workers)
	for _, d := range due {
		select {
		case <-ctx.Done():
			wg.Wait()
			return int(delivered.Load()), ctx.Err()
		case sem <- struct{}{}:
		}
		wg.Add(1)
		go func(d model.Delivery) {
			defer func() { <-sem; wg.Done() }()
			ok, err := s.attempt(ctx, d)
			if ok {
				delivered.Add(1)
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}(d)
	}
	wg.Wait()
	return int(delivered.Load()), errors.Join(errs...)
}

// attempt sends d once and records the outcome. The returned error is only
// for failures to record it; a failed send is recorded, not returned.
func (s *Service) attempt(ctx context.Context, d model.Delivery) (bool, error) {
	start := s.opts.Clock()
	claimed, err := s.st.ClaimDelivery(ctx, d.ID, start, start.Add(s.opts.Lease))
	if err != nil || !claimed {
		return false, err // another sender has it
	}
	sub, err := s.st.Subscription(ctx, d.SubscriptionID)
	if err == nil {
		err = s.send(ctx, sub, d)
	} else if errors.Is(err, store.ErrNotFound) {
		err = permanentError{errors.New("subscription was removed")}
	}
	now := s.opts.Clock()
	if err == nil {
		return true, s.st.MarkDelivered(ctx, d.ID, now)
	}
	if ctx.Err() != nil {
		// Shutting down: give the lease back so the entry is sent next time.
		return false, s.st.RescheduleDelivery(context.WithoutCancel(ctx), d.ID, start)
	}
	attempts := d.Attempts + 1
	var perm permanentError
	final := attempts >= s.opts.MaxAttempts || errors.As(err, &perm)
	return false, s.st.MarkAttemptFailed(ctx, d.ID, err.Error(), now.Add(s.backoff(attempts)), final)
}

// backoff is the wait before attempt n+1: exponential from BackoffBase,
// capped at BackoffMax, with the upper half jittered so many failing
// receivers do not retry in step.
func (s *Service) backoff(n int) time.Duration {
	d := s.opts.BackoffBase
	for i := 1; i < n && d < s.opts.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.opts.BackoffMax)
	return d/2 + time.Duration(s.opts.Jitter()*float64(d/2))
}

func (s *Service) send(ctx context.Context, sub model.Subscription, d model.Delivery) error {
	switch channelOf(sub) { // the channel now, should the subscription have changed
	case ChannelWebhook:
		return s.sendWebhook(ctx, sub, d)
	case ChannelEmail:
		return s.sendEmail(ctx, sub, d)
	case ChannelAtom:
		return s.writeAtomFile(ctx, sub)
	}
	return permanentError{fmt.Errorf("unknown channel %q", d.Channel)}
}
