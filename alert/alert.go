// Package alert owns subscriptions (saved queries with a channel and a
// schedule), matching new documents against them, and delivering the matches
// through a durable outbox by webhook, e-mail or Atom feed.
//
// Matching and delivery are separate steps. Match evaluates every subscription
// against the documents added since its cursor only (one in-memory batch of the
// new seq range, so the cost does not grow with the archive) and records the
// matches together with the cursor in one store transaction. Deliver gathers
// undelivered matches into outbox entries when they are due (at once, or on a
// digest schedule), each with a frozen payload and an idempotency key, and
// sends them with bounded, jittered exponential backoff. Delivery is
// at-least-once: a crash between a receiver's acknowledgement and the store
// recording it re-sends the same bytes under the same key, so a receiver that
// remembers keys sees every alert exactly once, and nothing is lost.
package alert

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/netguard"
	"github.com/watchline/watchline/store"
)

// Matcher evaluates saved queries against a batch of new documents. The
// index package's query language is the real one (see IndexMatcher); the
// interface keeps matching replaceable and lets tests of delivery run without
// building indexes.
type Matcher interface {
	// Compile parses a query; a syntax error is returned as is, for the user.
	Compile(query string) (Query, error)
	// NewBatch prepares docs for matching many queries against them.
	NewBatch(docs []model.Document) (Batch, error)
}

// Query is a compiled query, opaque to this package.
type Query any

// Batch is a set of new documents that compiled queries run against.
type Batch interface {
	// Match returns the documents q matches. f lets the matcher skip
	// documents early; the caller applies the filters again, to explain them.
	Match(q Query, f Filters) ([]Hit, error)
	Close() error
}

// Filters are a subscription's filters a matcher may apply while matching.
type Filters struct {
	Sources, Tags []string // any of each list
	Official      bool
}

func filtersOf(sub *model.Subscription) Filters {
	return Filters{Sources: sub.Sources, Tags: sub.Tags, Official: sub.Official}
}

// Hit is one document a query matched, with why.
type Hit struct {
	DocumentID int64
	Terms      []string // the query terms found in it
	Snippet    string   // a short passage around the terms, plain text
}

// Options configures a Service. Zero values get sensible defaults.
type Options struct {
	Matcher Matcher
	Clock   func() time.Time
	// WebhookTimeout bounds one webhook request; default 15 seconds.
	WebhookTimeout time.Duration
	// AllowPrivate lets webhooks reach loopback, private and other
	// non-public addresses (feeds.yaml alerts_allow_private). Without it a
	// webhook URL that resolves to one is refused when it is created, and
	// every delivery checks the address it dials again (DNS may change).
	AllowPrivate bool
	// Resolver looks webhook hosts up when a subscription is created;
	// net.DefaultResolver when nil.
	Resolver    netguard.Resolver
	SMTP        config.SMTP
	Password    string // SMTP password (from WATCHLINE_SMTP_PASSWORD)
	MaxAttempts int    // per delivery before it is marked failed; default 8
	BackoffBase time.Duration
	BackoffMax  time.Duration
	Jitter      func() float64 // uniform in [0,1); default math/rand
	// Lease is how long a delivery being sent is held from other senders;
	// it must outlast one attempt. Default 5 minutes.
	Lease time.Duration
	// BatchSize is documents per matching batch; by default about 100,000
	// document-subscription pairs (250 documents for up to 400
	// subscriptions, down to 50), so that a pass over many documents is
	// several batches and matching one overlaps writing the last.
	BatchSize int
	Workers   int // deliveries sent at once; default 4
	// UnsubscribeURL, when set, is the base of the List-Unsubscribe link in
	// e-mails (the subscription id is appended); otherwise a mailto: to From.
	UnsubscribeURL string
	// DataDir is where the Atom channel writes its files (AtomPath); by
	// default the embedded store's own directory.
	DataDir string
}

// Service runs subscriptions against one store.
type Service struct {
	st   Store
	opts Options
	http *http.Client // webhook client, guarded unless AllowPrivate

	mu       sync.Mutex
	compiled map[string]Query // by query text
}

// New returns a Service over st.
func New(st Store, opts Options) *Service {
	if d, ok := st.(interface{ Dir() string }); ok && opts.DataDir == "" {
		opts.DataDir = d.Dir()
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.WebhookTimeout <= 0 {
		opts.WebhookTimeout = 15 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = 30 * time.Second
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 2 * time.Hour
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	if opts.Lease <= 0 {
		opts.Lease = 5 * time.Minute
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	return &Service{st: st, opts: opts, http: webhookClient(opts.WebhookTimeout, opts.AllowPrivate), compiled: map[string]Query{}}
}

// privateHint says how to let webhooks reach a non-public address.
const privateHint = "set alerts_allow_private: true in feeds.yaml if this receiver is meant to be internal"

// webhookClient dials through the same address guard as the crawler: the
// address actually dialled must be global unicast unless allowPrivate.
func webhookClient(timeout time.Duration, allowPrivate bool) *http.Client {
	d := netguard.Dialer(timeout, allowPrivate, privateHint)
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil, // a proxy would dial for us and defeat the guard
			DialContext:           d.DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		// A redirected POST becomes a GET and loses its body; report the
		// redirect instead, so the URL gets fixed (and a redirect cannot
		// lead a delivery anywhere the URL itself did not say).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// ErrNoMatcher is returned when matching is asked of a Service built without
// a Matcher.
var ErrNoMatcher = errors.New("alert: no query matcher configured")

// compile parses query once per Service.
func (s *Service) compile(query string) (Query, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.compiled[query]; ok {
		return q, nil
	}
	if s.opts.Matcher == nil {
		return nil, ErrNoMatcher
	}
	q, err := s.opts.Matcher.Compile(query)
	if err != nil {
		return nil, err
	}
	s.compiled[query] = q
	return q, nil
}

// AddOptions are the choices made once, when a subscription is created.
type AddOptions struct {
	// Backfill, when positive, also matches documents published within this
	// window before now; otherwise the subscription starts from now.
	Backfill time.Duration
}

// Validate checks a subscription's query, level, channel, schedule and filters
// and fills defaults (level article). A webhook whose host resolves to a
// non-public address is refused (wrapping netguard.ErrRefused) unless the
// service allows private targets. Errors say what to fix.
func (s *Service) Validate(ctx context.Context, sub *model.Subscription) error {
	if err := s.validateMatching(sub); err != nil {
		return err
	}
	var channels int
	if sub.Webhook != "" {
		channels++
		u, err := url.Parse(sub.Webhook)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			return fmt.Errorf("webhook %q is not an http(s) URL", sub.Webhook)
		}
		if !s.opts.AllowPrivate {
			if err := netguard.CheckHost(ctx, s.opts.Resolver, u.Hostname()); err != nil {
				return fmt.Errorf("webhook %s: %w; %s", sub.Webhook, err, privateHint)
			}
		}
	}
	if sub.Email != "" {
		channels++
		if a, err := mail.ParseAddress(sub.Email); err != nil || a.Address == "" {
			return fmt.Errorf("%q is not an e-mail address", sub.Email)
		}
	}
	if sub.Atom {
		channels++
	}
	if channels != 1 {
		return errors.New("give exactly one channel: a webhook URL, an e-mail address or the Atom feed")
	}
	if _, err := ParseSchedule(sub.Digest, sub.TimeZone); err != nil {
		return err
	}
	return nil
}

// validateMatching checks what a subscription matches: query, level and
// filters.
func (s *Service) validateMatching(sub *model.Subscription) error {
	if strings.TrimSpace(sub.Query) == "" {
		return errors.New("missing query; give --query with a search query")
	}
	if s.opts.Matcher != nil {
		q, err := s.compile(sub.Query)
		if err != nil {
			return err // the query language's errors name the query and the column
		}
		// Some queries parse but cannot run (only stop words, say): try it
		// on an empty batch so the user hears now, not at the first match.
		b, err := s.opts.Matcher.NewBatch(nil)
		if err != nil {
			return fmt.Errorf("check query: %w", err)
		}
		_, err = b.Match(q, Filters{})
		b.Close()
		if err != nil {
			return err
		}
	}
	switch sub.Level {
	case "":
		sub.Level = model.LevelArticle
	case model.LevelArticle, model.LevelEvent:
	default:
		return fmt.Errorf("unknown level %q; use article or event", sub.Level)
	}
	for _, t := range sub.Types {
		known := false
		for _, et := range model.EventTypes {
			known = known || t == et
		}
		if !known {
			return fmt.Errorf("unknown event type %q", t)
		}
	}
	return nil
}

// Add validates and stores a new subscription with a fresh webhook secret.
// It starts from now (the newest seq), or with opts.Backfill also matches
// documents published within that window. The returned subscription carries
// the secret; it is not shown again.
func (s *Service) Add(ctx context.Context, sub model.Subscription, opts AddOptions) (model.Subscription, error) {
	if err := s.Validate(ctx, &sub); err != nil {
		return sub, fmt.Errorf("add subscription: %w", err)
	}
	now := s.opts.Clock()
	max, err := s.st.MaxSeq(ctx)
	if err != nil {
		return sub, err
	}
	sched, _ := ParseSchedule(sub.Digest, sub.TimeZone)
	sub.Secret = newSecret()
	sub.Created, sub.StartSeq, sub.Cursor = now, max, max
	if sub.EventCursor, err = s.st.MaxEventSeq(ctx); err != nil {
		return sub, err
	}
	sub.NextDigest = sched.Next(now)
	if err := s.st.AddSubscription(ctx, &sub); err != nil {
		return sub, err
	}
	if opts.Backfill > 0 && sub.Level == model.LevelArticle {
		if _, err := s.backfill(ctx, sub, now.Add(-opts.Backfill), max); err != nil {
			return sub, fmt.Errorf("backfill subscription %d: %w", sub.ID, err)
		}
	}
	return sub, nil
}

// List returns every subscription (secrets included; callers showing them
// must not print Secret).
func (s *Service) List(ctx context.Context) ([]model.Subscription, error) {
	return s.st.Subscriptions(ctx)
}

// Get returns one subscription.
func (s *Service) Get(ctx context.Context, id int64) (model.Subscription, error) {
	return s.st.Subscription(ctx, id)
}

// Remove deletes a subscription, its matches and its outbox.
func (s *Service) Remove(ctx context.Context, id int64) error {
	return s.st.RemoveSubscription(ctx, id)
}

// Sync upserts the feeds.yaml alerts by id: new ones are added (starting from
// now) and existing ones updated in place, keeping their secret, cursor and
// history. It returns the subscriptions it created, with their secrets.
func (s *Service) Sync(ctx context.Context, alerts []config.Alert) ([]model.Subscription, error) {
	var created []model.Subscription
	for _, a := range alerts {
		sub := model.Subscription{Key: a.ID, Name: a.ID, Query: a.Query, Level: model.SubscriptionLevel(a.Level),
			Webhook: a.Webhook, Email: a.Email, Atom: a.Atom, Digest: a.Digest, Sources: a.Sources}
		if err := s.Validate(ctx, &sub); err != nil {
			return created, fmt.Errorf("alert %s: %w", a.ID, err)
		}
		old, err := s.st.SubscriptionByKey(ctx, a.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			sub, err = s.Add(ctx, sub, AddOptions{})
			if err != nil {
				return created, fmt.Errorf("alert %s: %w", a.ID, err)
			}
			created = append(created, sub)
			continue
		case err != nil:
			return created, err
		}
		sub.ID, sub.NextDigest = old.ID, old.NextDigest
		if sub.Digest != old.Digest || sub.TimeZone != old.TimeZone {
			sched, _ := ParseSchedule(sub.Digest, sub.TimeZone)
			sub.NextDigest = sched.Next(s.opts.Clock())
		}
		if err := s.st.UpdateSubscription(ctx, sub); err != nil {
			return created, fmt.Errorf("alert %s: %w", a.ID, err)
		}
	}
	return created, nil
}

// Deliveries lists recent outbox entries, only failed ones if failedOnly.
func (s *Service) Deliveries(ctx context.Context, failedOnly bool) ([]model.Delivery, error) {
	f := store.DeliveryFilter{Limit: 200}
	if failedOnly {
		f.States = []model.DeliveryState{model.DeliveryFailed}
	}
	return s.st.Deliveries(ctx, f)
}

// Retry puts a failed delivery back in the outbox, due now.
func (s *Service) Retry(ctx context.Context, id int64) error {
	return s.st.RetryDelivery(ctx, id, s.opts.Clock())
}

// Run matches and delivers every interval until ctx is done. A failed pass is
// reported to report (if not nil) and the loop carries on.
func (s *Service) Run(ctx context.Context, interval time.Duration, report func(error)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		_, err := s.Match(ctx)
		if err == nil {
			_, err = s.Deliver(ctx)
		}
		if err != nil && ctx.Err() == nil && report != nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func newSecret() string {
	b := make([]byte, 32)
	crand.Read(b)
	return hex.EncodeToString(b)
}
