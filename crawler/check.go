package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/extract"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Verdicts of a source check.
const (
	VerdictOK      = "ok"      // the source lists documents watchline can read
	VerdictWarning = "warning" // it works, but something should be changed
	VerdictFailing = "failing" // watchline gets nothing from it as configured
)

// CheckResult is what one visit to a source's URL found: the contract of
// `watchline sources check --format json`.
type CheckResult struct {
	Source      string    `json:"source"`
	Kind        string    `json:"kind"`
	URL         string    `json:"url"`
	FinalURL    string    `json:"final_url,omitempty"` // where redirects led, if elsewhere
	Status      int       `json:"status"`              // HTTP status of the last response; 0 if none
	ContentType string    `json:"content_type,omitempty"`
	Items       int       `json:"items"`           // feed items, sitemap URLs or links the selector picked
	Newest      time.Time `json:"newest,omitzero"` // the newest item's date, when the listing gives dates
	Examples    []string  `json:"examples,omitempty"`
	Verdict     string    `json:"verdict"` // ok, warning or failing
	Advice      string    `json:"advice"`  // one line: what was found and what to do
	Error       string    `json:"error,omitempty"`
	TookMS      int64     `json:"took_ms"`
}

// CheckOptions tune Check; the zero value is production behaviour.
type CheckOptions struct {
	// Now is the clock stale listings are judged by.
	Now func() time.Time
	// Stale is how old the newest item may be before a listing counts as
	// stale (default 180 days: official pages on this beat publish a few
	// times a year at least).
	Stale time.Duration
}

// Check visits each of srcs once, as a crawl would (robots.txt, the User-Agent,
// the per-host delay, the address guard, one request at a time per host),
// reads its listing and says whether it works, without storing anything.
// Results come in the order of srcs.
func Check(ctx context.Context, cfg *config.Config, srcs []model.Source, opts CheckOptions) []CheckResult {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Stale <= 0 {
		opts.Stale = 180 * 24 * time.Hour
	}
	// One attempt: a check reports what the site answers now.
	f := newFetcher(cfg.Defaults.Timeout, RetryPolicy{Attempts: 1}, opts.Now)
	out := make([]CheckResult, len(srcs))
	byHost := map[string][]int{}
	var hosts []string
	for i, s := range srcs {
		h := hostOf(s.URL)
		if _, ok := byHost[h]; !ok {
			hosts = append(hosts, h)
		}
		byHost[h] = append(byHost[h], i)
	}
	workers := min(max(cfg.Defaults.Workers, 1), max(len(hosts), 1))
	jobs := make(chan []int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for group := range jobs {
				for _, i := range group {
					out[i] = checkSource(ctx, f, srcs[i], opts)
				}
			}
		}()
	}
	for _, h := range hosts {
		jobs <- byHost[h]
	}
	close(jobs)
	wg.Wait()
	return out
}

func checkSource(ctx context.Context, f *fetcher, src model.Source, opts CheckOptions) (r CheckResult) {
	start := time.Now()
	r = CheckResult{Source: src.ID, Kind: string(src.Kind), URL: src.URL}
	defer func() { r.TookMS = time.Since(start).Milliseconds() }()
	resp, err := f.get(ctx, src, src.URL, store.Validators{}) // never conditional
	if err != nil {
		r.Error = err.Error()
		r.Verdict, r.Advice = VerdictFailing, fetchAdvice(src, err)
		var he *HTTPError
		if errors.As(err, &he) {
			r.Status = he.Status
		}
		return r
	}
	r.Status, r.ContentType = resp.Status, resp.ContentType
	if resp.URL != src.URL {
		r.FinalURL = resp.URL
	}
	var items []item
	switch src.Kind {
	case model.KindPage:
		items, err = parseListing(resp.Body, resp.ContentType, resp.URL, src.Links)
	case model.KindSitemap:
		items, err = f.sitemap(ctx, src, resp) // an index's child sitemaps too
	default:
		items, err = parseFeed(resp.Body, resp.URL, resp.Header)
	}
	partial := errors.Is(err, ErrFeedPartial) // the entries before the break are read
	if partial {
		r.Error = err.Error()
		err = nil
	}
	if err != nil {
		r.Error = err.Error()
		r.Verdict, r.Advice = VerdictFailing, parseAdvice(src, resp, err)
		return r
	}
	r.Items = len(items)
	for i, it := range items {
		if i < 3 {
			r.Examples = append(r.Examples, it.URL)
		}
		if it.Published.After(r.Newest) {
			r.Newest = it.Published
		}
	}
	r.Verdict, r.Advice = listingVerdict(src, resp, items, opts)
	if partial {
		if r.Verdict == VerdictOK {
			r.Verdict = VerdictWarning
		}
		r.Advice += "; the feed breaks off or goes wrong part-way, so entries after the break are lost until the site fixes it"
	}
	if r.FinalURL != "" {
		if r.Verdict == VerdictOK {
			r.Verdict = VerdictWarning
		}
		r.Advice += fmt.Sprintf("; the URL redirects to %s: put that in feeds.yaml", r.FinalURL)
	}
	return r
}

// fetchAdvice says what to do about a source whose URL could not be fetched.
func fetchAdvice(src model.Source, err error) string {
	var he *HTTPError
	switch {
	case errors.Is(err, ErrRobotsDisallowed):
		return "robots.txt forbids this URL to our User-Agent, so watchline will not fetch it; ask the site, or use another of its listings (a feed or a sitemap)"
	case errors.Is(err, ErrRobotsUnavailable):
		return "robots.txt could not be read (the host is skipped while it fails); try again later"
	case errors.Is(err, ErrPrivateAddress):
		return "the URL leads to a private or loopback address, which watchline refuses; use the site's public address (allow_private is only for local test servers)"
	case errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrRedirectLoop):
		return "the URL redirects without end; open it in a browser and use the address it settles on"
	case errors.Is(err, ErrTimeout):
		return "the site did not answer in time; try again later, or raise defaults.timeout"
	case errors.Is(err, ErrBodyTooLarge):
		return "the response is larger than max_body; raise max_body for this source if the size is expected"
	case errors.Is(err, errTLS):
		return "the site's TLS certificate is not trusted here; check the address (https vs http, www or not)"
	case errors.As(err, &he):
		switch {
		case he.Status == http.StatusForbidden || he.Status == http.StatusUnauthorized:
			return fmt.Sprintf("HTTP %d: the site refuses this request; some sites refuse unknown bots: set defaults.contact in feeds.yaml and ask the site to allow watchline, or use another of its feeds", he.Status)
		case he.Status == http.StatusNotFound || he.Status == http.StatusGone:
			return fmt.Sprintf("HTTP %d: nothing is at this URL any more; find the site's current news page or feed (often linked as RSS in the page footer)", he.Status)
		case he.Status == http.StatusTooManyRequests:
			return "HTTP 429: the site asks us to slow down; raise this source's delay and interval"
		case he.Status >= 500:
			return fmt.Sprintf("HTTP %d: the site failed; try again later", he.Status)
		}
		return fmt.Sprintf("HTTP %d: the site does not serve this URL to watchline", he.Status)
	}
	return "the URL could not be fetched: " + err.Error()
}

// parseAdvice says what to do about a listing watchline fetched but cannot
// read as its kind.
func parseAdvice(src model.Source, resp *response, err error) string {
	mt := mediaType(resp.ContentType)
	switch {
	case src.Kind == model.KindFeed && strings.Contains(mt, "html"):
		if feed := feedLink(resp); feed != "" {
			return fmt.Sprintf("expected a feed but got an HTML page; the page names its feed: use url: %s", feed)
		}
		if sel, n, _ := suggestSelector(resp.Body, resp.ContentType, resp.URL); sel != "" {
			return fmt.Sprintf("expected a feed but got an HTML page; make it kind: page with links: %q (%d article links)", sel, n)
		}
		return "expected a feed but got an HTML page that names no feed; find the site's RSS or Atom address, or make it kind: page with a links selector"
	case src.Kind == model.KindFeed:
		return "the feed could not be read (" + err.Error() + "); check the URL in a browser"
	case src.Kind == model.KindSitemap:
		return "not a sitemap (" + err.Error() + "); sitemaps are usually listed in the site's robots.txt"
	}
	return "the page could not be read: " + err.Error()
}

// listingVerdict judges a listing that was read: enough items, fresh, and
// for a page, a selector that picks articles rather than menus.
func listingVerdict(src model.Source, resp *response, items []item, opts CheckOptions) (string, string) {
	if src.Kind == model.KindPage {
		return pageVerdict(src, resp, items)
	}
	if len(items) == 0 {
		return VerdictFailing, "the listing has no items; check the URL in a browser"
	}
	summary := fmt.Sprintf("%d items", len(items))
	var newest time.Time
	for _, it := range items {
		if it.Published.After(newest) {
			newest = it.Published
		}
	}
	if newest.IsZero() {
		return VerdictOK, summary + ", undated"
	}
	summary += ", newest " + newest.Format("2006-01-02")
	if age := opts.Now().Sub(newest); age > opts.Stale {
		return VerdictWarning, fmt.Sprintf("%s: nothing new for %d days; the listing may have moved", summary, int(age.Hours()/24))
	}
	return VerdictOK, summary
}

func pageVerdict(src model.Source, resp *response, items []item) (string, string) {
	var articles, other []string
	for _, it := range items {
		if articleLike(it.URL, resp.URL) {
			articles = append(articles, it.URL)
		} else {
			other = append(other, it.URL)
		}
	}
	hint := func() string {
		if sel, n, ex := suggestSelector(resp.Body, resp.ContentType, resp.URL); sel != "" && sel != src.Links {
			return fmt.Sprintf("the page's article links look like `%s` (%d links, e.g. %s)", sel, n, ex)
		}
		return "no group of article links stands out; look at the page's HTML for the links to its articles"
	}
	switch {
	case len(items) == 0:
		return VerdictFailing, fmt.Sprintf("selector %q matched 0 links: %s", src.Links, hint())
	case len(articles) == 0:
		return VerdictFailing, fmt.Sprintf("selector %q matched %d links, none like an article (e.g. %s): %s", src.Links, len(items), other[0], hint())
	case len(other)*2 > len(items):
		return VerdictWarning, fmt.Sprintf("selector %q matched %d links, %d of them navigation (e.g. %s): narrow it; %s", src.Links, len(items), len(other), other[0], hint())
	}
	return VerdictOK, fmt.Sprintf("%d article links, e.g. %s", len(articles), articles[0])
}

// feedLink returns the feed an HTML page announces with <link rel=alternate>.
func feedLink(resp *response) string {
	text, _, err := extract.Decode(resp.Body, resp.ContentType)
	if err != nil {
		return ""
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return ""
	}
	var found string
	doc.Find(`link[rel~="alternate"][href]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		t := strings.ToLower(s.AttrOr("type", ""))
		if !strings.Contains(t, "rss") && !strings.Contains(t, "atom") && !strings.Contains(t, "feed+json") {
			return true
		}
		if u, err := resolveHTTP(resp.URL, s.AttrOr("href", "")); err == nil {
			found = u
			return false
		}
		return true
	})
	return found
}

// navigationWords are last path segments of site furniture, not articles:
// the pages every site links from its header and footer. A general list (set
// by reading the menus of the sites in the shipped feeds.yaml), not tuned to
// any corpus.
var navigationWords = map[string]bool{
	"about": true, "about-us": true, "contact": true, "contact-us": true, "privacy": true, "privacy-policy": true,
	"cookies": true, "cookie-policy": true, "accessibility": true, "terms": true, "terms-and-conditions": true,
	"search": true, "login": true, "sign-in": true, "subscribe": true, "newsletter": true, "newsletters": true,
	"careers": true, "jobs": true, "sitemap": true, "help": true, "faq": true, "feedback": true, "rss": true,
	"copyright": true, "disclaimer": true, "foi": true, "freedom-of-information": true, "publications": true,
	"news": true, "latest-news": true, "media": true, "press": true, "home": true, "index": true,
}

// articleLike says whether link looks like an article of the site listed at
// page: on the same site, not the listing itself, not site furniture, and
// with a last path segment that names one thing (a slug of several words,
// or a number such as an id or a date).
func articleLike(link, page string) bool {
	if !sameSite(link, page) {
		return false
	}
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	p, _ := url.Parse(page)
	path := strings.Trim(u.Path, "/")
	if path == "" || (p != nil && strings.Trim(p.Path, "/") == path) {
		return false
	}
	segs := strings.Split(path, "/")
	last := strings.ToLower(segs[len(segs)-1])
	last = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(last, ".html"), ".htm"), ".aspx")
	if navigationWords[last] {
		return false
	}
	digits := 0
	for _, r := range last {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return strings.Count(last, "-")+strings.Count(last, "_") >= 2 || digits >= 4 || (len(segs) >= 3 && len(last) >= 12)
}

// suggestSelector finds the links of a listing page that look like articles
// and the selector that picks them best: a class of the links themselves
// (a.card__link), a class of their parent (.teaser a), or the path they share
// (a[href*='/news/media-release/']). It returns the selector, how many
// article links it picks and one of them; "" when no group of at least three
// stands out.
func suggestSelector(body []byte, contentType, pageURL string) (sel string, n int, example string) {
	text, _, err := extract.Decode(body, contentType)
	if err != nil {
		return "", 0, ""
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return "", 0, ""
	}
	candidates := map[string]bool{}
	prefixes := map[string]int{}
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		u, err := resolveHTTP(pageURL, a.AttrOr("href", ""))
		if err != nil || !articleLike(u, pageURL) {
			return
		}
		for _, c := range strings.Fields(a.AttrOr("class", "")) {
			candidates["a."+cssIdent(c)] = true
		}
		for _, c := range strings.Fields(a.Parent().AttrOr("class", "")) {
			candidates["."+cssIdent(c)+" a"] = true
		}
		if pu, err := url.Parse(u); err == nil {
			segs := strings.Split(strings.Trim(pu.Path, "/"), "/")
			for k := 1; k < len(segs); k++ {
				prefixes["/"+strings.Join(segs[:k], "/")+"/"]++
			}
		}
	})
	for p, count := range prefixes {
		if count >= 3 {
			candidates["a[href*='"+p+"']"] = true
		}
	}
	type scored struct {
		sel        string
		good, bad  int
		firstMatch string
	}
	var best *scored
	keys := make([]string, 0, len(candidates))
	for c := range candidates {
		keys = append(keys, c)
	}
	sort.Strings(keys) // ties go to the same selector every time
	for _, c := range keys {
		s := scored{sel: c}
		seen := map[string]bool{}
		var matches *goquery.Selection
		func() {
			defer func() { recover() }() // a class that is not a valid selector
			matches = doc.Find(c)
		}()
		if matches == nil {
			continue
		}
		matches.Each(func(_ int, a *goquery.Selection) {
			u, err := resolveHTTP(pageURL, a.AttrOr("href", ""))
			if err != nil || seen[u] {
				return
			}
			seen[u] = true
			if articleLike(u, pageURL) {
				s.good++
				if s.firstMatch == "" {
					s.firstMatch = u
				}
			} else {
				s.bad++
			}
		})
		// Article links picked, minus twice the furniture picked with them.
		if s.good < 3 || s.good <= 2*s.bad {
			continue
		}
		if best == nil || s.good-2*s.bad > best.good-2*best.bad ||
			(s.good-2*s.bad == best.good-2*best.bad && selectorRank(s.sel) < selectorRank(best.sel)) {
			best = &s
		}
	}
	if best == nil {
		return "", 0, ""
	}
	return best.sel, best.good, best.firstMatch
}

// selectorRank orders equally good suggestions: the links' own class first
// (what the site names its article links), then a parent's class, then a
// shared path, which breaks when the site reorganises its URLs.
func selectorRank(sel string) int {
	switch {
	case strings.HasPrefix(sel, "a."):
		return 0
	case strings.HasSuffix(sel, " a"):
		return 1
	}
	return 2
}

// cssIdent escapes what a class name may hold that a CSS identifier may not.
func cssIdent(s string) string {
	var b strings.Builder
	for i, r := range s {
		ok := r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
