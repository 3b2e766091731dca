package crawler

import (
	"errors"
	"fmt"
	"time"

	"github.com/watchline/watchline/netguard"
)

// Errors callers (and tests) branch on. They are wrapped with detail such as
// the URL, so use errors.Is.
var (
	// ErrPrivateAddress: a URL resolved to an address that is not global
	// unicast (loopback, private, link-local, reserved, documentation,
	// multicast, or IPv6 carrying such an IPv4 address; see netguard) and
	// the source does not set allow_private.
	ErrPrivateAddress = netguard.ErrRefused
	// ErrRobotsDisallowed: robots.txt forbids the path for our User-Agent.
	ErrRobotsDisallowed = errors.New("robots.txt disallows")
	// ErrRobotsUnavailable: robots.txt answered 5xx or could not be fetched;
	// the host is treated as fully disallowed for this run.
	ErrRobotsUnavailable = errors.New("robots.txt unavailable, host skipped for this run")
	// ErrBodyTooLarge: the response body is larger than the source's cap.
	ErrBodyTooLarge = errors.New("body exceeds limit")
	// ErrTooManyRedirects: more than maxRedirects hops.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrRedirectLoop: a redirect chain came back to a URL it had visited.
	ErrRedirectLoop = errors.New("redirect loop")
	// ErrHostBackoff: the host answered 429/503 or timed out and asked (or
	// was given) a wait longer than one visit waits; nothing is requested
	// from it until then. The error is a *BackoffError.
	ErrHostBackoff = errors.New("host is backing off")
	// ErrTimeout: the server did not answer (or finish the body) in time.
	ErrTimeout = errors.New("timed out")
	// ErrNotFeed: the body of a feed source is not RSS, Atom or JSON Feed.
	ErrNotFeed = errors.New("not a feed")
	// ErrFeedParse: the body looks like a feed but is malformed.
	ErrFeedParse = errors.New("feed parse")
	// ErrFeedPartial: a feed broke off or went wrong after some complete
	// entries; they are kept, the rest is lost until the next crawl.
	ErrFeedPartial = errors.New("feed partly unreadable")
	// ErrNotSitemap: the body of a sitemap source is not a sitemap.
	ErrNotSitemap = errors.New("not a sitemap")
)

// HTTPError is a response status the crawler does not accept.
type HTTPError struct {
	Status int
	Text   string // e.g. "404 Not Found"
}

func (e *HTTPError) Error() string { return "HTTP " + e.Text }

// BackoffError is ErrHostBackoff with the host, until when, and why.
type BackoffError struct {
	Host       string
	Until      time.Time     // on the crawler's clock
	Wait       time.Duration // how long from when it was decided
	RetryAfter bool          // the host asked for the wait itself
	Err        error         // the answer that started it; nil when the host was already backing off
}

func (e *BackoffError) Error() string {
	why := "backing off"
	if e.RetryAfter {
		why = "the host asked to wait (Retry-After)"
	}
	msg := fmt.Sprintf("%s: %s %s; nothing more is requested from it before %s", e.Host, why,
		e.Wait.Round(time.Second), e.Until.UTC().Format(time.RFC3339))
	if e.Err != nil {
		msg = e.Err.Error() + "; " + msg
	}
	return msg
}

func (e *BackoffError) Is(target error) bool { return target == ErrHostBackoff }
func (e *BackoffError) Unwrap() error        { return e.Err }

// limitError is ErrBodyTooLarge with a readable limit ("body exceeds 10 MiB
// limit").
type limitError struct{ limit int64 }

func (e *limitError) Error() string        { return "body exceeds " + humanBytes(e.limit) + " limit" }
func (e *limitError) Is(target error) bool { return target == ErrBodyTooLarge }

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
