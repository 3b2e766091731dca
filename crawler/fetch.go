package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/netguard"
	"github.com/watchline/watchline/store"
)

// maxRedirects is how many hops one fetch follows.
const maxRedirects = 10

// RetryPolicy bounds how one request is retried after a network error, a
// timeout, a 429 or a 5xx, and how long one visit waits for a host. Other
// 4xx answers are never retried.
//
// 429, 503 and timeouts are the host saying it is overloaded, so they back
// off the host, not the request: nothing more is asked of it until the wait
// is over, whichever source or item asks. A wait up to Max is waited out
// within the visit; a longer one (a Retry-After of two minutes, say) is
// honoured by leaving the host alone: the visit stops there and the source's
// next visit comes after the wait.
type RetryPolicy struct {
	Attempts int           // total tries of one request; default 3
	Base     time.Duration // first backoff, doubled per retry with jitter; default 2s
	Max      time.Duration // longest wait within a visit; default 10s
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 3
	}
	if p.Base <= 0 {
		p.Base = 2 * time.Second
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Second
	}
	return p
}

// maxHostWait caps how long a host may ask to be left alone (a Retry-After
// date a year away is a mistake, not a plan).
const maxHostWait = 24 * time.Hour

// wait returns how long to wait before retry number n (1-based): exponential
// from Base with jitter, at most Max.
func (p RetryPolicy) wait(n int, jitter float64) time.Duration {
	return min(p.backoff(n, jitter), p.Max)
}

// backoff is Base doubled n-1 times, jittered into [d/2, d*1.5), at most
// maxHostWait.
func (p RetryPolicy) backoff(n int, jitter float64) time.Duration {
	d := p.Base << (n - 1)
	if d <= 0 || d > maxHostWait || n > 40 { // <= 0: shifted past int64
		d = maxHostWait
	}
	// Full jitter in [d/2, d*1.5) keeps many crawlers from retrying in step.
	return min(time.Duration(float64(d)*(0.5+jitter)), maxHostWait)
}

// hostWait is how long a host that answered 429/503 or timed out for the
// strikes-th time in a row is left alone: what its Retry-After says, else
// an exponential backoff.
func (p RetryPolicy) hostWait(strikes int, retryAfter string, now time.Time, jitter float64) (time.Duration, bool) {
	if d, ok := parseRetryAfter(retryAfter, now); ok {
		return min(d, maxHostWait), true
	}
	return p.backoff(strikes, jitter), false
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int(maxHostWait/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// response is one fetched URL after redirects.
type response struct {
	URL         string // final URL
	Status      int
	Header      http.Header
	ContentType string
	Body        []byte
	NotModified bool // 304 to a conditional GET
}

// Validators returns what the response says about itself for the next
// conditional GET.
func (r *response) validators() store.Validators {
	return store.Validators{ETag: r.Header.Get("ETag"), LastModified: r.Header.Get("Last-Modified")}
}

// fetcher does every HTTP request of a crawler.
type fetcher struct {
	timeout time.Duration
	retry   RetryPolicy
	now     func() time.Time
	guarded *http.Client // refuses private addresses at dial time
	open    *http.Client // for sources with allow_private
	gate    hostGate
	robots  robotsCache
	// owner and hosts, when hosts is set, hold the per-host gate across
	// every crawler sharing the store; robotsDB shares robots.txt.
	owner    string
	hosts    hostLeaser
	robotsDB robotsStore
	mu       sync.Mutex
	rng      *rand.Rand
}

func newFetcher(timeout time.Duration, retry RetryPolicy, now func() time.Time) *fetcher {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return &fetcher{
		timeout: timeout,
		retry:   retry.withDefaults(),
		now:     now,
		guarded: newClient(timeout, false),
		open:    newClient(timeout, true),
		rng:     rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x5eed)),
	}
}

func newClient(timeout time.Duration, allowPrivate bool) *http.Client {
	// Checking the address actually dialled, not the host name, covers
	// redirects, DNS rebinding and names that resolve to 127.0.0.1.
	d := netguard.Dialer(timeout, allowPrivate, privateHint)
	t := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us and defeat the guard
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   2,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: t,
		// Redirects are followed by fetcher.get, hop by hop, so each hop is
		// checked against robots.txt and the per-host gate.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// privateHint says how a source may reach a non-public address.
const privateHint = "set allow_private: true on the source if this is intended"

// guardPrivate is the dialer Control of sources without allow_private: it
// refuses every address that is not global unicast (see netguard).
var guardPrivate = netguard.ControlHint(privateHint)

func (f *fetcher) client(src model.Source) *http.Client {
	if src.AllowPrivate {
		return f.open
	}
	return f.guarded
}

// get fetches rawURL for src, following redirects itself. Every hop obeys
// robots.txt and the per-host gate. v, if set, makes the first hop
// conditional; a 304 comes back with NotModified set.
func (f *fetcher) get(ctx context.Context, src model.Source, rawURL string, v store.Validators) (*response, error) {
	return f.getChecked(ctx, src, rawURL, v, true)
}

func (f *fetcher) getChecked(ctx context.Context, src model.Source, rawURL string, v store.Validators, checkRobots bool) (*response, error) {
	u := rawURL
	seen := map[string]bool{u: true}
	for hop := 0; ; hop++ {
		if checkRobots {
			if err := f.allowed(ctx, src, u); err != nil {
				return nil, err
			}
		}
		resp, err := f.withRetries(ctx, src, u, v)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", u, err)
		}
		if resp.Status < 300 || resp.Status >= 400 || resp.NotModified {
			resp.URL = u
			return resp, nil
		}
		loc := resp.Header.Get("Location")
		if loc == "" {
			return nil, fmt.Errorf("fetch %s: HTTP %d redirect without a Location header", u, resp.Status)
		}
		next, err := resolveHTTP(u, loc)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: redirect: %w", u, err)
		}
		if seen[next] {
			return nil, fmt.Errorf("fetch %s: %w: %s was visited twice", rawURL, ErrRedirectLoop, next)
		}
		if hop+1 >= maxRedirects {
			return nil, fmt.Errorf("fetch %s: %w: stopped after %d", rawURL, ErrTooManyRedirects, maxRedirects)
		}
		seen[next] = true
		u, v = next, store.Validators{}
	}
}

// resolveHTTP resolves ref against base and insists on http(s).
func resolveHTTP(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", err
	}
	u := b.ResolveReference(r)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute http(s) URL", u.String())
	}
	u.Fragment = ""
	return u.String(), nil
}

func (f *fetcher) withRetries(ctx context.Context, src model.Source, u string, v store.Validators) (*response, error) {
	host := hostOf(u)
	var lastErr error
	for attempt := 1; ; attempt++ {
		resp, retryAfter, err := f.once(ctx, src, u, v)
		if err == nil {
			f.gate.succeeded(host)
			return resp, nil
		}
		if errors.Is(err, ErrHostBackoff) || ctx.Err() != nil {
			return nil, err // no request was made
		}
		lastErr = err
		if overloaded(err) {
			// The host, not this URL, is in trouble: back the host off.
			wait, asked := f.retry.hostWait(f.gate.strikes(host)+1, retryAfter, f.now(), f.jitter())
			until := f.gate.strike(host, f.now().Add(wait), asked)
			if wait > f.retry.Max {
				return nil, &BackoffError{Host: host, Until: until, Wait: wait, RetryAfter: asked, Err: err}
			}
		}
		if !retryable(err) || attempt >= f.retry.Attempts {
			if attempt > 1 {
				return nil, fmt.Errorf("%w (after %d attempts)", lastErr, attempt)
			}
			return nil, lastErr
		}
		if !overloaded(err) { // an overloaded host's wait is kept by the gate
			if err := sleep(ctx, f.retry.wait(attempt, f.jitter())); err != nil {
				return nil, err
			}
		}
	}
}

func (f *fetcher) jitter() float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rng.Float64()
}

// overloaded says whether err is a host saying it is overloaded: 429, 503
// or no answer in time.
func overloaded(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status == http.StatusTooManyRequests || he.Status == http.StatusServiceUnavailable
	}
	return errors.Is(err, ErrTimeout)
}

// hostUntil is when host may be asked again (zero if now).
func (f *fetcher) hostUntil(host string) time.Time { return f.gate.until(host) }

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryable says whether trying the same request again may succeed.
func retryable(err error) bool {
	var he *HTTPError
	switch {
	case errors.As(err, &he):
		return he.Status == http.StatusTooManyRequests || he.Status == http.StatusRequestTimeout ||
			(he.Status >= 500 && he.Status != http.StatusNotImplemented)
	case errors.Is(err, context.Canceled), errors.Is(err, ErrPrivateAddress), errors.Is(err, ErrBodyTooLarge),
		errors.Is(err, errTLS):
		return false
	}
	return true // network errors and timeouts
}

var errTLS = errors.New("TLS")

// once makes one request through the host gate. It returns the Retry-After
// header with any 429/503 error.
func (f *fetcher) once(ctx context.Context, src model.Source, u string, v store.Validators) (*response, string, error) {
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" {
		return nil, "", fmt.Errorf("bad URL %q", u)
	}
	release, err := f.gate.acquire(ctx, parsed.Host, src.Delay, f.now, f.retry.Max)
	if err != nil {
		return nil, "", err
	}
	defer release()
	if f.hosts != nil {
		releaseShared, err := sharedGate(ctx, f.hosts, f.owner, parsed.Host, src.Delay, f.timeout)
		if err != nil {
			return nil, "", err
		}
		defer releaseShared()
	}

	actx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	ua := src.UserAgent
	if ua == "" {
		ua = config.DefaultUserAgent
	}
	req.Header.Set("User-Agent", ua)
	if strings.Contains(src.Contact, "@") && !strings.Contains(src.Contact, "/") {
		req.Header.Set("From", src.Contact) // an address, not a URL
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,*/*;q=0.8")
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	// Accept-Encoding is left to the transport, which then asks for gzip and
	// decompresses transparently; the body cap below counts decompressed
	// bytes, so a gzip bomb stops at the cap too.
	hr, err := f.client(src).Do(req)
	if err != nil {
		return nil, "", f.classify(ctx, actx, err)
	}
	defer hr.Body.Close()
	resp := &response{Status: hr.StatusCode, Header: hr.Header, ContentType: hr.Header.Get("Content-Type")}
	switch {
	case hr.StatusCode == http.StatusNotModified:
		resp.NotModified = true
		return resp, "", nil
	case hr.StatusCode >= 300 && hr.StatusCode < 400:
		return resp, "", nil
	case hr.StatusCode < 200 || hr.StatusCode >= 300:
		// Drain a little so the connection can be reused.
		io.Copy(io.Discard, io.LimitReader(hr.Body, 64<<10))
		return nil, hr.Header.Get("Retry-After"), &HTTPError{Status: hr.StatusCode, Text: hr.Status}
	}
	limit := src.MaxBody
	if limit <= 0 {
		limit = 10 << 20
	}
	if hr.ContentLength > limit {
		return nil, "", &limitError{limit}
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, limit+1))
	if err != nil {
		return nil, "", f.classify(ctx, actx, fmt.Errorf("read body: %w", err))
	}
	if int64(len(body)) > limit {
		return nil, "", &limitError{limit}
	}
	resp.Body = body
	return resp, "", nil
}

// classify turns transport errors into the specific ones health reports.
func (f *fetcher) classify(ctx, actx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var (
		certErr  *tls.CertificateVerificationError
		authErr  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
	)
	switch {
	case errors.Is(err, ErrPrivateAddress):
		return err
	case actx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w after %s", ErrTimeout, f.timeout)
	case errors.As(err, &certErr), errors.As(err, &authErr), errors.As(err, &hostErr),
		errors.As(err, &invalid), errors.As(err, &recErr), errors.As(err, &alertErr):
		return fmt.Errorf("%w: %w", errTLS, err)
	}
	return err
}

// hostGate lets one request at a time reach each host, at least delay after
// the previous one finished, and keeps each host's backoff: after a 429, a
// 503 or a timeout no request reaches the host before its wait is over.
type hostGate struct {
	mu    sync.Mutex
	slots map[string]*hostSlot
}

type hostSlot struct {
	sem  chan struct{}
	last time.Time // when the last request finished (wall clock, for delay)

	// Guarded by hostGate.mu. notBefore is on the crawler's clock, the one
	// that schedules sources.
	notBefore time.Time
	asked     bool // the host set notBefore itself (Retry-After)
	strikes   int  // 429/503/timeouts in a row
}

func (g *hostGate) slot(host string) *hostSlot {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.slots == nil {
		g.slots = map[string]*hostSlot{}
	}
	s := g.slots[host]
	if s == nil {
		s = &hostSlot{sem: make(chan struct{}, 1)}
		g.slots[host] = s
	}
	return s
}

// acquire waits for host's turn. A host backing off for longer than maxWait
// is not waited for: acquire returns a *BackoffError at once.
func (g *hostGate) acquire(ctx context.Context, host string, delay time.Duration, now func() time.Time, maxWait time.Duration) (release func(), err error) {
	s := g.slot(host)
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	g.mu.Lock()
	notBefore, asked := s.notBefore, s.asked
	g.mu.Unlock()
	if wait := notBefore.Sub(now()); wait > maxWait {
		<-s.sem
		return nil, &BackoffError{Host: host, Until: notBefore, Wait: wait, RetryAfter: asked}
	} else if err := sleep(ctx, wait); err != nil {
		<-s.sem
		return nil, err
	}
	if !s.last.IsZero() {
		if err := sleep(ctx, time.Until(s.last.Add(delay))); err != nil {
			<-s.sem
			return nil, err
		}
	}
	return func() {
		s.last = time.Now()
		<-s.sem
	}, nil
}

// strike records that host is overloaded and may not be asked before until
// (asked: because it said so); it returns the (possibly later) time the host
// is backed off to.
func (g *hostGate) strike(host string, until time.Time, asked bool) time.Time {
	s := g.slot(host)
	g.mu.Lock()
	defer g.mu.Unlock()
	s.strikes++
	if until.After(s.notBefore) {
		s.notBefore, s.asked = until, asked
	}
	return s.notBefore
}

// succeeded clears host's strikes: it answered.
func (g *hostGate) succeeded(host string) {
	s := g.slot(host)
	g.mu.Lock()
	s.strikes = 0
	g.mu.Unlock()
}

func (g *hostGate) strikes(host string) int {
	s := g.slot(host)
	g.mu.Lock()
	defer g.mu.Unlock()
	return s.strikes
}

func (g *hostGate) until(host string) time.Time {
	s := g.slot(host)
	g.mu.Lock()
	defer g.mu.Unlock()
	return s.notBefore
}
