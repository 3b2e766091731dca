package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/watchline/watchline/config"
	"github.com/watchline/watchline/extract"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Options tune a Crawler; the zero value is production behaviour.
type Options struct {
	// Progress receives one line per source crawled; nil means silent.
	Progress io.Writer
	// Now is the clock for fetched times, health and scheduling.
	Now func() time.Time
	// Retry bounds retries of one request (tests make the waits tiny).
	Retry RetryPolicy
	// Tick is how often Run looks for due sources (besides whenever a visit
	// ends); default one minute.
	Tick time.Duration
	// Owner names this crawler in the store's source and host leases
	// (default: host name, process id and a random suffix).
	Owner string
	// LeaseFor is how long a claimed source stays this crawler's if it dies
	// mid-crawl (default: the longest visit budget plus five minutes, so a
	// live crawler's visit always ends inside its lease).
	LeaseFor time.Duration
	// SharedHosts makes the per-host politeness gate hold across every
	// crawler of the store (host leases), for several crawlers sharing one
	// PostgreSQL store; alone, the in-process gate is enough.
	SharedHosts bool
}

// Crawler fetches configured sources into a store. It is safe to use from one
// goroutine at a time; it runs its own bounded pool of workers.
type Crawler struct {
	st     Store
	cfg    *config.Config
	opts   Options
	fetch  *fetcher
	dedupe *dedupe
	outMu  sync.Mutex
}

// New returns a crawler for cfg's sources writing into st. It loads the
// near-duplicate fingerprints of the stored documents.
func New(ctx context.Context, st Store, cfg *config.Config, opts Options) (*Crawler, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Minute
	}
	if opts.Owner == "" {
		opts.Owner = store.LeaseOwner()
	}
	if opts.LeaseFor <= 0 {
		longest := time.Duration(0)
		for _, s := range cfg.Sources {
			longest = max(longest, visitBudget(s))
		}
		opts.LeaseFor = longest + 5*time.Minute
	}
	d, err := newDedupe(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("new crawler: %w", err)
	}
	f := newFetcher(cfg.Defaults.Timeout, opts.Retry, opts.Now)
	f.owner, f.robotsDB = opts.Owner, st
	if opts.SharedHosts {
		f.hosts = st
	}
	return &Crawler{
		st:     st,
		cfg:    cfg,
		opts:   opts,
		fetch:  f,
		dedupe: d,
	}, nil
}

// SourceResult is what one crawl of one source did.
type SourceResult struct {
	Source         string        `json:"source"`
	Listed         int           `json:"listed"`          // items in the feed, listing or sitemap
	Fetched        int           `json:"fetched"`         // pages downloaded
	New            int           `json:"new"`             // documents stored for the first time
	NearDuplicates int           `json:"near_duplicates"` // linked to an earlier original (new ones, or older ones relinked)
	Updated        int           `json:"updated"`         // known documents with a new version
	Duplicates     int           `json:"duplicates"`      // same text under another URL (aliased)
	Unchanged      int           `json:"unchanged"`       // known and unchanged (incl. 304s and skipped known URLs)
	Skipped        int           `json:"skipped"`         // disallowed by robots.txt
	Failed         int           `json:"failed"`          // items that could not be stored
	Deferred       int           `json:"deferred"`        // items left for the next visit (budget used up, host backing off)
	Err            error         `json:"-"`               // the source itself failed
	ItemErr        error         `json:"-"`               // the last item error, if any
	DeferErr       error         `json:"-"`               // why items were deferred
	Took           time.Duration `json:"took"`

	queued      []*queued // documents stored but not yet committed, counted when they are
	pageMissing int       // items kept from the feed alone whose page is asked for again next visit
}

func (r SourceResult) String() string {
	if r.Err != nil {
		return fmt.Sprintf("%s: FAILED: %v", r.Source, r.Err)
	}
	s := fmt.Sprintf("%s: %d listed, %d fetched, %d new (%d near-duplicate), %d updated, %d duplicate, %d unchanged, %d skipped, %d failed (%s)",
		r.Source, r.Listed, r.Fetched, r.New, r.NearDuplicates, r.Updated, r.Duplicates, r.Unchanged, r.Skipped, r.Failed,
		r.Took.Round(time.Millisecond))
	if r.ItemErr != nil {
		s += "; last error: " + r.ItemErr.Error()
	}
	if r.Deferred > 0 {
		s += fmt.Sprintf("; %d items left for the next visit: %v", r.Deferred, r.DeferErr)
	}
	return s
}

// Summary is what one pass over the due sources did.
type Summary struct {
	Sources []SourceResult
	Took    time.Duration
}

// Total adds up every source's counts; Source holds the number of failed
// sources as text.
func (s Summary) Total() SourceResult {
	var t SourceResult
	for _, r := range s.Sources {
		t.Listed += r.Listed
		t.Fetched += r.Fetched
		t.New += r.New
		t.NearDuplicates += r.NearDuplicates
		t.Updated += r.Updated
		t.Duplicates += r.Duplicates
		t.Unchanged += r.Unchanged
		t.Skipped += r.Skipped
		t.Failed += r.Failed
		t.Deferred += r.Deferred
	}
	t.Took = s.Took
	return t
}

// FailedSources counts sources whose crawl failed.
func (s Summary) FailedSources() int {
	n := 0
	for _, r := range s.Sources {
		if r.Err != nil {
			n++
		}
	}
	return n
}

func (s Summary) String() string {
	t := s.Total()
	return fmt.Sprintf("crawled %d sources (%d failed): %d fetched, %d new (%d near-duplicate), %d updated, %d duplicate, %d unchanged, %d skipped, %d failed items in %s",
		len(s.Sources), s.FailedSources(), t.Fetched, t.New, t.NearDuplicates, t.Updated, t.Duplicates, t.Unchanged,
		t.Skipped, t.Failed, s.Took.Round(time.Millisecond))
}

// Run visits every source whenever it is due until ctx is cancelled, then
// waits for the visits in flight to stop and returns ctx's error. Sources are
// scheduled independently: up to Workers visits run at once, each on a host
// of its own, each within its source's visit budget, and a free worker takes the most
// overdue source at once, so one slow or hostile source holds one worker and
// never the others. Due sources are looked for every Tick and whenever a
// visit ends. visited, if not nil, hears every finished visit.
func (c *Crawler) Run(ctx context.Context, visited func(SourceResult)) error {
	t := time.NewTicker(c.opts.Tick)
	defer t.Stop()
	type finished struct {
		src model.Source
		res SourceResult
	}
	done := make(chan finished)
	inFlight := map[string]bool{} // source ids
	busyHost := map[string]bool{}
	workers := c.workers()
	for {
		if ctx.Err() == nil && len(inFlight) < workers {
			srcs, err := c.dueSources(ctx, nil)
			if err != nil && ctx.Err() == nil {
				c.progress("crawl: %v", err)
			}
			for _, src := range srcs {
				h := hostOf(src.URL)
				if len(inFlight) >= workers {
					break
				}
				if inFlight[src.ID] || busyHost[h] {
					continue
				}
				// Crawlers sharing the store split the due sources: a
				// source is visited only by the one holding its lease.
				if !c.claim(ctx, src.ID, false) {
					continue
				}
				inFlight[src.ID], busyHost[h] = true, true
				go func() {
					res := c.CrawlSource(ctx, src)
					c.release(ctx, src.ID)
					done <- finished{src, res}
				}()
			}
		}
		select {
		case f := <-done:
			delete(inFlight, f.src.ID)
			delete(busyHost, hostOf(f.src.URL))
			if visited != nil && ctx.Err() == nil {
				visited(f.res)
			}
		case <-t.C:
		case <-ctx.Done():
			for range inFlight {
				<-done
			}
			return ctx.Err()
		}
	}
}

func (c *Crawler) workers() int {
	if w := c.cfg.Defaults.Workers; w > 0 {
		return w
	}
	return 4
}

// Once crawls every due source once (every source, if none was ever
// crawled), or exactly the sources named in force, using a bounded pool of
// workers over hosts. A failing source never stops the others; the error is
// only for cancellation and unknown forced ids.
func (c *Crawler) Once(ctx context.Context, force []string) (Summary, error) {
	start := time.Now()
	srcs, err := c.dueSources(ctx, force)
	if err != nil {
		return Summary{}, err
	}
	// Sources on one host go to one worker, in order, so the per-host gate
	// does not leave other workers idle waiting on it.
	var hosts []string
	byHost := map[string][]model.Source{}
	for _, s := range srcs {
		h := hostOf(s.URL)
		if _, ok := byHost[h]; !ok {
			hosts = append(hosts, h)
		}
		byHost[h] = append(byHost[h], s)
	}
	workers := min(c.workers(), max(len(hosts), 1))
	jobs := make(chan []model.Source)
	var (
		mu      sync.Mutex
		results []SourceResult
		wg      sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for group := range jobs {
				for _, src := range group {
					if ctx.Err() != nil {
						break
					}
					// Crawlers sharing the store split the due sources:
					// each crawls a source only once it holds its lease.
					if !c.claim(ctx, src.ID, len(force) > 0) {
						continue
					}
					r := c.CrawlSource(ctx, src)
					c.release(ctx, src.ID)
					mu.Lock()
					results = append(results, r)
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for _, h := range hosts {
		select {
		case jobs <- byHost[h]:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return Summary{Sources: results, Took: time.Since(start)}, ctx.Err()
}

func (c *Crawler) dueSources(ctx context.Context, force []string) ([]model.Source, error) {
	if len(force) > 0 {
		var srcs []model.Source
		for _, id := range force {
			s, ok := c.cfg.Source(id)
			if !ok {
				return nil, fmt.Errorf("no source %q in %s; `watchline sources` lists them", id, c.cfg.Path)
			}
			srcs = append(srcs, s)
		}
		return srcs, nil
	}
	now := c.opts.Now()
	var srcs []model.Source
	next := map[string]time.Time{}
	for _, s := range c.cfg.Sources {
		h, err := c.st.SourceHealth(ctx, s.ID)
		if err != nil {
			return nil, fmt.Errorf("crawl: %w", err)
		}
		// A host backing off is not visited before its wait is over.
		if due(h.NextDue, now) && !c.fetch.hostUntil(hostOf(s.URL)).After(now) {
			srcs = append(srcs, s)
			next[s.ID] = h.NextDue
		}
	}
	// The most overdue first (never crawled, zero, before all).
	slices.SortStableFunc(srcs, func(a, b model.Source) int { return next[a.ID].Compare(next[b.ID]) })
	return srcs, nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}

func (c *Crawler) progress(format string, args ...any) {
	if c.opts.Progress == nil {
		return
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	fmt.Fprintf(c.opts.Progress, format+"\n", args...)
}

// errBudget is why a visit stopped when its time budget ran out.
var errBudget = errors.New("visit budget used up")

// visitBudget is how long one visit of src may take: its visit_budget from
// feeds.yaml, or the default for a source built in code without one.
func visitBudget(src model.Source) time.Duration {
	if src.VisitBudget > 0 {
		return src.VisitBudget
	}
	return config.DefaultVisitBudget
}

// CrawlSource crawls one source now, within its visit budget, stores what it
// finds, records the source's health and next due time, and reports on
// Progress. Items not reached (budget used up, or the host asked to be left
// alone) are counted as Deferred and come again next visit. A cancelled crawl
// records nothing about the source, so it stays due.
func (c *Crawler) CrawlSource(ctx context.Context, src model.Source) SourceResult {
	start := time.Now()
	res := SourceResult{Source: src.ID}
	budget := visitBudget(src)
	vctx, cancel := context.WithTimeoutCause(ctx, budget, fmt.Errorf("%w (%s; visit_budget in feeds.yaml)", errBudget, config.FormatDuration(budget)))
	defer cancel()
	items, commit, warn, err := c.list(vctx, src)
	if err != nil {
		res.Err = err
	}
	if warn != nil {
		// The feed broke off: its complete entries are stored, and the
		// source's health says what was lost.
		res.ItemErr = warn
	}
	res.Listed = len(items)
	backedOff := map[string]bool{} // hosts that asked to be left alone
	for _, it := range items {
		if vctx.Err() != nil || backedOff[hostOf(it.URL)] {
			res.Deferred++
			continue
		}
		if err := c.crawlItem(vctx, src, it, &res); err != nil {
			res.Deferred++
			res.DeferErr = err
			if errors.Is(err, ErrHostBackoff) {
				backedOff[hostOf(it.URL)] = true
			}
		}
		if len(res.queued) >= crawlBatch {
			c.commit(ctx, &res)
		}
	}
	// What was fetched is committed even when the crawl is being stopped: it
	// is already paid for, and a short write finishes well within a clean
	// shutdown.
	flushCtx, cancelFlush := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	c.commit(flushCtx, &res)
	cancelFlush()
	if ctx.Err() != nil {
		res.Took = time.Since(start)
		return res
	}
	if vctx.Err() != nil {
		if res.Err != nil {
			res.Err = fmt.Errorf("%w: %w", context.Cause(vctx), res.Err)
		} else if res.Deferred > 0 {
			res.DeferErr = context.Cause(vctx)
		}
	}
	if res.Err == nil && res.Failed > 0 && res.Fetched+res.New+res.Updated+res.Duplicates+res.Unchanged == 0 {
		res.Err = fmt.Errorf("every item failed; last: %w", res.ItemErr)
	}
	if res.Err == nil && res.Deferred == 0 && res.pageMissing == 0 && commit != nil {
		// Only now that every item is stored may the listing be cached: a 304
		// next time must not hide items that failed, that this visit did not
		// reach, or whose page is to be asked for again.
		if err := commit(ctx); err != nil {
			res.Err = err
		}
	}
	res.Took = time.Since(start)
	if err := c.saveHealth(ctx, src, res); err != nil && res.Err == nil {
		res.Err = err
	}
	c.progress("%s", res)
	return res
}

func (c *Crawler) saveHealth(ctx context.Context, src model.Source, res SourceResult) error {
	h, err := c.st.SourceHealth(ctx, src.ID)
	if err != nil {
		return err
	}
	now := c.opts.Now()
	h.LastAttempt = now
	switch {
	case res.Err != nil:
		h.LastError = res.Err.Error()
		h.LastErrorAt = now
		h.ConsecutiveFailures++
	default:
		h.LastSuccess = now
		h.ConsecutiveFailures = 0
		h.ItemsSeen, h.ItemsNew = int64(res.Listed), int64(res.New)
		h.LastError = ""
		if res.ItemErr != nil {
			h.LastError = fmt.Sprintf("%d of %d items failed; last: %v", res.Failed, res.Listed, res.ItemErr)
			h.LastErrorAt = now
		}
	}
	if res.Err == nil && res.Deferred > 0 {
		h.LastError = fmt.Sprintf("%d of %d items left for the next visit: %v", res.Deferred, res.Listed, res.DeferErr)
		h.LastErrorAt = now
	}
	h.Interval = NextInterval(src.Interval, h.Interval, res.New+res.Updated > 0, src.AllowPrivate)
	h.NextDue = now.Add(h.Interval)
	// A host backing off is not visited again before its wait is over.
	if until := c.fetch.hostUntil(hostOf(src.URL)); until.After(h.NextDue) {
		h.NextDue = until
	}
	return c.st.SaveSourceHealth(ctx, h)
}

// list reads a source's listing. commit, if not nil, stores the listing's
// validators for the next conditional GET. warn reports a feed that broke
// off after the items returned; its validators are not stored, so the next
// crawl reads it in full again.
func (c *Crawler) list(ctx context.Context, src model.Source) (items []item, commit func(context.Context) error, warn, err error) {
	v, err := c.st.Validators(ctx, src.URL)
	if err != nil {
		return nil, nil, nil, err
	}
	resp, err := c.fetch.get(ctx, src, src.URL, v)
	if err != nil {
		return nil, nil, nil, err
	}
	if resp.NotModified {
		items, commit, err = c.unchangedListing(ctx, src)
		return items, commit, nil, err
	}
	commit = func(ctx context.Context) error { return c.st.SetValidators(ctx, src.URL, resp.validators()) }
	switch src.Kind {
	case model.KindPage:
		items, err = parseListing(resp.Body, resp.ContentType, resp.URL, src.Links)
	case model.KindSitemap:
		items, err = c.fetch.sitemap(ctx, src, resp)
	default:
		items, err = parseFeed(resp.Body, resp.URL, resp.Header)
		if errors.Is(err, ErrFeedPartial) {
			return items, nil, fmt.Errorf("%s: %w", src.URL, err), nil
		}
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", src.URL, err)
	}
	return items, commit, nil, nil
}

// unchangedListing is what a listing that answered 304 lists. Usually
// nothing new. But an official source's pages are re-read (conditionally) on
// every visit to catch silent edits, so its listing stands for the documents
// it listed last time: the newest ones stored from it, as many as it listed.
// A feed that carries its items' text has nothing more to re-read.
func (c *Crawler) unchangedListing(ctx context.Context, src model.Source) ([]item, func(context.Context) error, error) {
	if !src.Official || (src.Kind == model.KindFeed && !src.FetchArticles) {
		return nil, nil, nil
	}
	h, err := c.st.SourceHealth(ctx, src.ID)
	if err != nil {
		return nil, nil, err
	}
	n := int(h.ItemsSeen)
	if n <= 0 || n > maxItems {
		n = maxItems
	}
	var items []item
	err = c.st.EachDocument(ctx, store.DocFilter{Sources: []string{src.ID}, Limit: n}, func(d model.Document) error {
		// A feed entry without a link (its key has a #fragment, which no
		// page URL keeps) has no page to re-read.
		if !strings.Contains(d.URL, "#") {
			items = append(items, item{URL: d.URL, Title: d.Title, Published: d.Published})
		}
		return nil
	})
	return items, nil, err
}

// sitemap reads a sitemap or sitemap index, following an index's children
// breadth-first to maxSitemapDepth levels and maxSitemaps files.
func (f *fetcher) sitemap(ctx context.Context, src model.Source, first *response) ([]item, error) {
	type pending struct {
		url   string
		depth int
	}
	var (
		items   []item
		queue   []pending
		lastErr error
		files   = 1
		seen    = map[string]bool{first.URL: true}
		resp    = first
		depth   = 0
	)
	for {
		its, children, err := parseSitemap(resp.Body, resp.URL, src.MaxBody)
		if err != nil {
			if resp == first {
				return nil, err
			}
			lastErr = err
		}
		items = append(items, its...)
		for _, ch := range children {
			if !seen[ch] && depth < maxSitemapDepth && files+len(queue) < maxSitemaps {
				seen[ch] = true
				queue = append(queue, pending{ch, depth + 1})
			}
		}
		if len(queue) == 0 || len(items) >= maxItems || ctx.Err() != nil {
			break
		}
		next := queue[0]
		queue = queue[1:]
		files++
		depth = next.depth
		r, err := f.get(ctx, src, next.url, store.Validators{})
		if err != nil {
			lastErr = err
			resp = &response{URL: next.url}
			continue
		}
		resp = r
	}
	if len(items) == 0 && lastErr != nil {
		return nil, lastErr
	}
	if len(items) > maxItems {
		items = items[:maxItems]
	}
	return items, nil
}

// crawlItem turns one listed item into a stored document. It returns an
// error only when the item is left for the next visit: its host is backing
// off (ErrHostBackoff), or ctx ended (the visit budget, or cancellation).
func (c *Crawler) crawlItem(ctx context.Context, src model.Source, it item, res *SourceResult) error {
	fail := func(err error) {
		res.Failed++
		res.ItemErr = err
	}
	norm := it.URL // a feed-only entry's key is normalised already
	if !it.FeedOnly {
		var err error
		if norm, err = extract.NormalizeURL(it.URL); err != nil {
			fail(err)
			return nil
		}
	}
	known, err := c.dedupe.known(ctx, norm)
	if err != nil {
		fail(err)
		return nil
	}
	if known && !src.Official {
		retry, err := c.retryPage(ctx, src, it, norm)
		if err != nil {
			fail(err)
			return nil
		}
		if !retry {
			res.Unchanged++
			return nil
		}
	}
	now := c.opts.Now()
	// A feed item carries its own text unless the source says to read the
	// page (summaries only) or the item has no text at all. An entry without
	// a link has no page: it is its own document.
	usePage := !it.FeedOnly && (src.Kind != model.KindFeed || src.FetchArticles || it.Text == "")
	if !usePage {
		c.store(ctx, feedDocument(src, it, norm, now), store.Raw{ContentType: "text/html; charset=utf-8", Body: []byte(it.Content)}, known, res, "", nil)
		return nil
	}
	var v store.Validators
	if known {
		if v, err = c.st.Validators(ctx, norm); err != nil {
			fail(err)
			return nil
		}
	}
	resp, err := c.fetch.get(ctx, src, it.URL, v)
	switch {
	case errors.Is(err, ErrRobotsDisallowed):
		res.Skipped++
		return nil
	case errors.Is(err, ErrHostBackoff):
		// Not this item's fault: it and the rest on its host wait.
		return err
	case err != nil && ctx.Err() != nil:
		return context.Cause(ctx)
	case err != nil && it.Text != "":
		// The page is gone or unreachable but the feed told us what it says;
		// the page is asked for again on later visits.
		c.store(ctx, c.pageMissing(src, feedDocument(src, it, norm, now), res), store.Raw{ContentType: "text/html; charset=utf-8", Body: []byte(it.Content)}, known, res, "", nil)
		return nil
	case err != nil:
		fail(err)
		return nil
	case resp.NotModified:
		res.Unchanged++
		return nil
	}
	res.Fetched++
	art, err := extract.HTML(ctx, resp.Body, resp.ContentType, extract.Options{URL: resp.URL, Language: src.Language, FeedDate: it.Published})
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		// The page is there but holds no article (a video, a paywall, a
		// script-only page): a feed entry is then kept as the feed gives
		// it, headline and date at least, with the page kept as raw.
		if it.Text != "" || src.Kind == model.KindFeed {
			c.store(ctx, c.pageMissing(src, feedDocument(src, it, norm, now), res), store.Raw{ContentType: resp.ContentType, Body: resp.Body}, known, res, norm, resp)
			return nil
		}
		fail(fmt.Errorf("%s: %w", resp.URL, err))
		return nil
	}
	c.store(ctx, articleDocument(src, it, art, norm, resp.URL, now), store.Raw{ContentType: resp.ContentType, Body: resp.Body}, known, res, norm, resp)
	return nil
}

// PageRetryFor is how long after an item's page was first missed (an error,
// or a page without an article, while the feed gave its summary) later
// visits ask for the page again, to store the article as a new version of
// the document. Three days outlast a site's outage or a redeploy, and most
// items have left their feed by then; a page still missing is let be.
const PageRetryFor = 3 * 24 * time.Hour

// retryPage says whether a known item of a non-official source (which is
// otherwise not fetched again) is to be fetched again: its document was
// stored from the feed alone less than PageRetryFor ago because its page
// could not be had. The host's backoff still applies to the request.
func (c *Crawler) retryPage(ctx context.Context, src model.Source, it item, norm string) (bool, error) {
	if it.FeedOnly || (src.Kind == model.KindFeed && !src.FetchArticles && it.Text != "") {
		return false, nil // no page to read, or the source keeps to its feed
	}
	d, err := c.st.DocumentByURL(ctx, norm)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // queued by this crawl, not stored yet
	}
	if err != nil {
		return false, err
	}
	return !d.PageMissingSince.IsZero() && c.opts.Now().Before(d.PageMissingSince.Add(PageRetryFor)), nil
}

// pageMissing marks d, built from a feed entry because its page could not
// be had, for the page to be asked for again (the store keeps the first
// time), and counts it so that the listing is not cached: a 304 must not
// hide the item from the next visit. An official source's pages are read
// again on every visit anyway.
func (c *Crawler) pageMissing(src model.Source, d model.Document, res *SourceResult) model.Document {
	d.PageMissingSince = c.opts.Now()
	if !src.Official {
		res.pageMissing++
	}
	return d
}

// crawlBatch is how many documents of a source visit are committed in one
// store transaction. Pages arrive one at a time behind the per-host delay,
// so the batch mostly saves work on fast hosts and imports of whole
// listings; a kill loses at most the batch in flight, whose pages (their
// validators are committed with them) are fetched again next time.
const crawlBatch = 50

// store puts doc through dedupe into the visit's queue with, for a fetched
// page, the validators for the next conditional GET; commit stores the queue
// and counts the outcomes. A document from a feed entry may have no text:
// its headline, date and link are still a record of what was published.
func (c *Crawler) store(ctx context.Context, doc model.Document, raw store.Raw, known bool, res *SourceResult, key string, resp *response) {
	p := store.Put{Doc: &doc, Raw: raw}
	if resp != nil && key != "" {
		if v := resp.validators(); v != (store.Validators{}) {
			p.ValidatorsURL, p.Validators = key, v
		}
	}
	q, err := c.dedupe.add(ctx, p, known)
	if err != nil {
		res.Failed++
		res.ItemErr = err
		return
	}
	res.queued = append(res.queued, q)
}

// commit stores every queued document (other visits' too: the queue is
// shared, so documents are deduplicated against each other) and counts the
// outcomes of this visit's.
func (c *Crawler) commit(ctx context.Context, res *SourceResult) {
	if len(res.queued) == 0 {
		return
	}
	c.dedupe.flush(ctx)
	for _, q := range res.queued {
		if !q.done {
			continue // the flush was cancelled before it got to it
		}
		if q.err != nil {
			res.Failed++
			res.ItemErr = q.err
			continue
		}
		countOutcome(res, q.put.Outcome, *q.put.Doc)
		res.NearDuplicates += q.put.Relinked
	}
	res.queued = nil
}

func countOutcome(res *SourceResult, outcome store.PutOutcome, doc model.Document) {
	switch outcome {
	case store.Inserted:
		res.New++
		if doc.DuplicateOf != 0 {
			res.NearDuplicates++
		}
	case store.Updated:
		res.Updated++
	case store.Unchanged:
		res.Unchanged++
	case store.Aliased:
		res.Duplicates++
	}
}

// Confidence given to dates that did not come from the page itself.
const (
	feedDateConfidence    = 0.6
	fetchedDateConfidence = 0.1
)

// feedDocument builds a document from a feed item's own content.
func feedDocument(src model.Source, it item, norm string, now time.Time) model.Document {
	d := baseDocument(src, norm, now)
	d.URLs = []string{norm}
	d.Title = it.Title
	d.Text = it.Text
	d.Authors = it.Authors
	d.Language = extract.Language(it.Text)
	if d.Language == "" {
		d.Language = src.Language
	}
	setDate(&d, time.Time{}, "", 0, it.Published, now)
	if it.Modified.After(d.Published) && plausibleDate(it.Modified, now) {
		d.Modified = it.Modified
	}
	return d
}

// articleDocument builds a document from an extracted page.
func articleDocument(src model.Source, it item, art *extract.Article, norm, finalURL string, now time.Time) model.Document {
	d := baseDocument(src, norm, now)
	if fn, err := extract.NormalizeURL(finalURL); err == nil {
		d.CanonicalURL = fn
		d.URLs = append(d.URLs, fn)
	}
	// rel=canonical is trusted only on the same site: a syndicated copy that
	// names the original's URL must not overwrite the original.
	if art.CanonicalURL != "" && sameSite(art.CanonicalURL, finalURL) {
		d.CanonicalURL = art.CanonicalURL
	}
	d.URLs = append(d.URLs, norm)
	// A feed's headline is the publisher's own and plain; a page's <title>
	// often carries the site's name or an SEO variant. A listing page's link
	// text is only a label, so there the page's title wins.
	d.Title = art.Title
	if it.Title != "" && (src.Kind == model.KindFeed || d.Title == "") {
		d.Title = it.Title
	}
	d.Text = art.Text
	d.Authors = art.Authors
	if len(d.Authors) == 0 {
		d.Authors = it.Authors
	}
	d.Language = art.Language
	if d.Language == "" {
		d.Language = src.Language
	}
	d.Modified = art.Modified
	setDate(&d, art.Published, string(art.PublishedSource), art.PublishedConfidence, it.Published, now)
	return d
}

func baseDocument(src model.Source, norm string, now time.Time) model.Document {
	return model.Document{
		URL:          norm,
		CanonicalURL: norm,
		SourceID:     src.ID,
		Tags:         src.Tags,
		Official:     src.Official,
		Fetched:      now,
	}
}

// setDate picks the publication date: the page's own evidence, else the
// listing's date, else the time we fetched it (with low confidence). A date
// keeps the offset its page or feed stated it in: 00:30 on 8 October in
// London is 7 October in UTC, and the day shown and dated from must be the
// page's own.
func setDate(d *model.Document, page time.Time, pageSource string, pageConf float64, listed, now time.Time) {
	if !plausibleDate(page, now) {
		page = time.Time{}
	}
	if !plausibleDate(listed, now) {
		listed = time.Time{}
	}
	switch {
	case !page.IsZero():
		d.Published, d.PublishedSource, d.PublishedConfidence = page, pageSource, pageConf
	case !listed.IsZero():
		d.Published, d.PublishedSource, d.PublishedConfidence = listed, "feed", feedDateConfidence
	default:
		d.Published, d.PublishedSource, d.PublishedConfidence = now.UTC(), "fetched", fetchedDateConfidence
	}
	if d.PublishedSource == "" {
		d.PublishedSource = "page"
	}
}

// plausibleDate rejects placeholders posing as dates: the Unix epoch and
// other dates from before the web existed, and dates more than a day and a
// half ahead of now (time zones aside, nothing is published in the future).
func plausibleDate(t, now time.Time) bool {
	return !t.IsZero() && t.Year() >= 1991 && !t.After(now.Add(36*time.Hour))
}
