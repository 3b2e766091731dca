package crawler

import (
	"errors"
	"fmt"
)

// Errors callers (and tests) branch on. They are wrapped with detail such as
// the URL, so use errors.Is.
var (
	// ErrPrivateAddress: a URL resolved to a loopback, private, link-local,
	// unspecified or multicast address and the source does not set
	// allow_private.
	ErrPrivateAddress = errors.New("refusing to connect to a private address (set allow_private on the source if this is intended)")
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
