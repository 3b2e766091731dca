package alert

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Item is one alert: a matched document and why it matched.
type Item struct {
	MatchID    int64     `json:"match_id,omitempty"`
	DocumentID int64     `json:"document_id"`
	URL        string    `json:"url"`
	Title      string    `json:"title"`
	Source     string    `json:"source"`
	Published  time.Time `json:"published,omitzero"`
	Official   bool      `json:"official,omitempty"`
	Language   string    `json:"language,omitempty"`
	Terms      []string  `json:"matched_terms"`
	Rule       string    `json:"rule"`              // the query and the filters it passed
	Snippet    string    `json:"snippet,omitempty"` // plain text around the matched terms
	EventID    int64     `json:"event_id,omitempty"`
	EventTitle string    `json:"event_title,omitempty"`
	EventType  string    `json:"event_type,omitempty"`
	// Development is, for event-level alerts, what is new: "new" (an event
	// not seen before), "type" (it gained a type), "official" (its first
	// official statement).
	Development string `json:"development,omitempty"`
	Similar     int    `json:"similar"` // wire copies folded into this alert ("+N similar")
	// Version is, when above 1, the number of the text that matched: the
	// document was edited after it was first seen (an official statement
	// changed silently), and this alert is about the edited text.
	Version int `json:"version,omitempty"`
}

// Match runs one matching pass: every article-level subscription is evaluated
// against the documents added after its cursor, in batches of the new seq
// range only, and the new matches are recorded with the advanced cursors in
// one transaction per batch. It returns how many new matches were recorded.
func (s *Service) Match(ctx context.Context) (int, error) {
	all, err := s.st.Subscriptions(ctx)
	if err != nil {
		return 0, err
	}
	var subs, eventSubs []*model.Subscription
	from := int64(-1)
	for i := range all {
		if all[i].Level == model.LevelEvent {
			eventSubs = append(eventSubs, &all[i])
			continue
		}
		subs = append(subs, &all[i])
		if from < 0 || all[i].Cursor < from {
			from = all[i].Cursor
		}
	}
	if len(subs)+len(eventSubs) == 0 {
		return 0, nil
	}
	if s.opts.Matcher == nil {
		return 0, ErrNoMatcher
	}
	total, err := s.matchEvents(ctx, eventSubs)
	if err != nil {
		return total, err
	}
	if len(subs) == 0 {
		return total, nil
	}
	// Matching a batch is CPU work and recording it is store work, so the
	// next batch is matched while the last one is written: two stages with a
	// one-batch queue between them. Each batch commits its matches with the
	// cursors it advanced, so a crash replays from the last committed batch.
	type result struct {
		found []store.SubscriptionMatches
		err   error // matching errors: reported, the batch still commits
	}
	size := s.batchSize(len(subs))
	batches := make(chan result, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- func() error {
			for {
				if err := ctx.Err(); err != nil {
					return err
				}
				docs, err := s.st.DocumentsAfter(ctx, from, size)
				if err != nil {
					return err
				}
				if len(docs) == 0 {
					return nil
				}
				end := docs[len(docs)-1].Seq
				found, err := s.matchBatch(subs, docs, end, time.Time{})
				for _, sub := range subs {
					sub.Cursor = max(sub.Cursor, end)
				}
				from = end
				select {
				case batches <- result{found, err}:
				case <-ctx.Done():
					return ctx.Err()
				}
				if len(docs) < size {
					return nil
				}
			}
		}()
	}()
	var errs []error
	for b := range batches {
		if b.err != nil {
			errs = append(errs, b.err)
		}
		n, err := s.st.RecordMatches(ctx, b.found)
		if err != nil {
			cancel()
			for range batches {
			}
			<-readErr
			return total, err
		}
		total += n
	}
	if err := <-readErr; err != nil {
		return total, err
	}
	return total, errors.Join(errs...)
}

// batchSize is how many documents a matching batch holds for subs
// subscriptions (see Options.BatchSize).
func (s *Service) batchSize(subs int) int {
	if s.opts.BatchSize > 0 {
		return s.opts.BatchSize
	}
	return max(50, min(250, 100_000/max(subs, 1)))
}

// matchBatch evaluates subs against docs (a seq range ending at end) and
// returns, for every subscription whose cursor is before end, its matches and
// its new cursor. Documents published before since are skipped (backfill).
// A subscription whose query no longer compiles is reported and still
// advanced, so one bad query cannot stall the others.
func (s *Service) matchBatch(subs []*model.Subscription, docs []model.Document, end int64, since time.Time) ([]store.SubscriptionMatches, error) {
	live := make([]model.Document, 0, len(docs))
	byID := make(map[int64]*model.Document, len(docs))
	for _, d := range docs {
		if !d.Deleted {
			live = append(live, d)
		}
	}
	for i := range live {
		byID[live[i].ID] = &live[i]
	}
	var batch Batch
	if len(live) > 0 {
		b, err := s.opts.Matcher.NewBatch(live)
		if err != nil {
			return nil, fmt.Errorf("match: prepare batch: %w", err)
		}
		defer b.Close()
		batch = b
	}
	// Subscriptions are evaluated by a few workers at once (a batch is
	// read-only once built); found keeps their order.
	found := make([]*store.SubscriptionMatches, len(subs))
	errs := make([]error, len(subs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				found[i], errs[i] = s.matchSub(batch, subs[i], byID, end, since)
			}
		})
	}
	for i := range subs {
		next <- i
	}
	close(next)
	wg.Wait()
	out := make([]store.SubscriptionMatches, 0, len(subs))
	for _, f := range found {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, errors.Join(errs...)
}

// matchSub is one subscription's part of matchBatch: nil when its cursor is
// already at end.
func (s *Service) matchSub(batch Batch, sub *model.Subscription, byID map[int64]*model.Document, end int64, since time.Time) (*store.SubscriptionMatches, error) {
	if sub.Cursor >= end {
		return nil, nil
	}
	f := &store.SubscriptionMatches{SubscriptionID: sub.ID, Cursor: end}
	if batch == nil {
		return f, nil
	}
	items, err := s.matchOne(batch, sub, byID, since)
	if err != nil {
		err = fmt.Errorf("match subscription %d: %w", sub.ID, err)
	}
	f.Matches = make([]store.NewMatch, 0, len(items))
	for _, it := range items {
		d := byID[it.DocumentID]
		reason := matchReason{Terms: it.Terms, Rule: it.Rule, Snippet: it.Snippet, Version: it.Version}.encode()
		f.Matches = append(f.Matches, store.NewMatch{DocumentID: d.ID, RootID: rootOf(*d), Seq: d.Seq,
			Published: d.Published, Reason: reason})
	}
	return f, err
}

// matchReason is what a recorded match keeps of its Item: why it matched.
// What the document says (URL, title, source, date) is read from the store
// when the match is delivered (itemsOf): a pass of 1,000 subscriptions
// records a hundred thousand matches, and copying each document's fields into
// every one of them doubled the bytes written.
type matchReason struct {
	Terms   []string `json:"matched_terms"`
	Rule    string   `json:"rule"`
	Snippet string   `json:"snippet,omitempty"`
	Version int      `json:"version,omitempty"` // the edited text's number, as Item.Version
}

// encode is json.Marshal(r), byte for byte, without reflection: a pass
// encodes a reason for each of a hundred thousand matches.
func (r matchReason) encode() []byte {
	b := make([]byte, 0, 48+len(r.Rule)+len(r.Snippet)+16*len(r.Terms))
	b = append(b, `{"matched_terms":`...)
	if r.Terms == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, t := range r.Terms {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, t)
		}
		b = append(b, ']')
	}
	b = append(b, `,"rule":`...)
	b = appendJSONString(b, r.Rule)
	if r.Snippet != "" {
		b = append(b, `,"snippet":`...)
		b = appendJSONString(b, r.Snippet)
	}
	if r.Version != 0 {
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, int64(r.Version), 10)
	}
	return append(b, '}')
}

// appendJSONString appends s as encoding/json writes a string: between
// quotes, with its quotes and backslashes escaped, when it has nothing else
// json escapes (control characters, <, > and &, invalid UTF-8, U+2028 and
// U+2029); as json.Marshal writes it otherwise.
func appendJSONString(b []byte, s string) []byte {
	mark := len(b)
	if !utf8.ValidString(s) {
		q, _ := json.Marshal(s)
		return append(b, q...)
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		switch jsonBytes[s[i]] {
		case jsonPlain:
			continue
		case jsonQuote:
			b = append(b, s[start:i]...)
			b = append(b, '\\', s[i])
			start = i + 1
			continue
		case jsonE2: // the first byte of U+2028 and U+2029, among others
			if i+2 >= len(s) || s[i+1] != 0x80 || s[i+2] != 0xa8 && s[i+2] != 0xa9 {
				continue
			}
		}
		q, _ := json.Marshal(s)
		return append(b[:mark], q...)
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonBytes classes the bytes of a string for appendJSONString.
var jsonBytes = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = jsonOther
	}
	for _, c := range []byte{0x7f, '<', '>', '&'} {
		t[c] = jsonOther
	}
	t['"'], t['\\'] = jsonQuote, jsonQuote
	t[0xe2] = jsonE2
	return t
}()

const (
	jsonPlain = iota // written as it is
	jsonQuote        // '"' and '\\': backslashed
	jsonE2           // may start U+2028 or U+2029
	jsonOther        // anything else json escapes
)

// itemsOf turns recorded matches into alert items: the reason each was
// recorded with, and the document's fields from the store (matches recorded
// before reasons were trimmed carry them already).
func itemsOf(ctx context.Context, st Store, ms []store.AlertMatch) []Item {
	items := make([]Item, len(ms))
	var need []int64
	for i, m := range ms {
		json.Unmarshal(m.Reason, &items[i])
		items[i].MatchID, items[i].DocumentID, items[i].Similar = m.ID, m.DocumentID, len(m.Similar)
		if items[i].EventID == 0 {
			items[i].EventID = m.EventID
		}
		if items[i].URL == "" {
			need = append(need, m.DocumentID)
		}
	}
	if len(need) == 0 {
		return items
	}
	docs, err := st.DocumentsByID(ctx, need)
	if err != nil {
		return items // the reasons alone still say what matched
	}
	byID := make(map[int64]*model.Document, len(docs))
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	for i := range items {
		it := &items[i]
		if d := byID[it.DocumentID]; d != nil && it.URL == "" {
			it.URL, it.Title, it.Source, it.Published = d.CanonicalURL, d.Title, d.SourceID, d.Published
			it.Official, it.Language = d.Official, d.Language
		}
	}
	return items
}

// matchOne returns sub's matches in batch, in seq order, with why each
// matched.
func (s *Service) matchOne(batch Batch, sub *model.Subscription, byID map[int64]*model.Document, since time.Time) ([]Item, error) {
	q, err := s.compile(sub.Query)
	if err != nil {
		return nil, err
	}
	hits, err := batch.Match(q, filtersOf(sub))
	if err != nil {
		return nil, err
	}
	// Hits come by relevance; alerts go by seq (each document has its own,
	// so the order is total). The large items are placed once, in order.
	type at struct {
		seq int64
		hit int
	}
	order := make([]at, 0, len(hits))
	rules := make([]string, len(hits))
	for k, h := range hits {
		d, ok := byID[h.DocumentID]
		if !ok || d.Seq <= sub.Cursor || (!since.IsZero() && d.Published.Before(since)) {
			continue
		}
		rule, ok := admits(sub, d)
		if !ok {
			continue
		}
		rules[k] = rule
		order = append(order, at{d.Seq, k})
	}
	slices.SortFunc(order, func(a, b at) int { return cmp.Compare(a.seq, b.seq) })
	items := make([]Item, len(order))
	for k, o := range order {
		h, d := hits[o.hit], byID[hits[o.hit].DocumentID]
		items[k] = Item{DocumentID: d.ID, URL: d.CanonicalURL, Title: d.Title, Source: d.SourceID,
			Published: d.Published, Official: d.Official, Language: d.Language, Terms: h.Terms, Rule: rules[o.hit],
			Snippet: h.Snippet, Version: editedVersion(d)}
	}
	return items, nil
}

// editedVersion is d's version number if its text was edited after it was
// first stored, else 0.
func editedVersion(d *model.Document) int {
	if d.Versions > 1 {
		return d.Versions
	}
	return 0
}

// rootOf is the story a document belongs to: the document it is a wire copy
// of, or itself.
func rootOf(d model.Document) int64 {
	if d.DuplicateOf != 0 {
		return d.DuplicateOf
	}
	return d.ID
}

// admits applies sub's filters to d and, if d passes, says which rule
// admitted it: the query and every filter it satisfied.
func admits(sub *model.Subscription, d *model.Document) (string, bool) {
	rule := []string{"query: " + sub.Query} // as typed: %q would backslash its quotes
	if len(sub.Sources) > 0 {
		if !contains(sub.Sources, d.SourceID) {
			return "", false
		}
		rule = append(rule, "source "+d.SourceID+" in ["+strings.Join(sub.Sources, ", ")+"]")
	}
	if len(sub.Tags) > 0 {
		var hit string
		for _, t := range d.Tags {
			if contains(sub.Tags, t) {
				hit = t
				break
			}
		}
		if hit == "" {
			return "", false
		}
		rule = append(rule, "tag "+hit+" in ["+strings.Join(sub.Tags, ", ")+"]")
	}
	if sub.Official {
		if !d.Official {
			return "", false
		}
		rule = append(rule, "official source")
	}
	if len(sub.Languages) > 0 {
		lang, _, _ := strings.Cut(strings.ToLower(d.Language), "-")
		ok := false
		for _, l := range sub.Languages {
			want, _, _ := strings.Cut(strings.ToLower(l), "-")
			ok = ok || want == lang
		}
		if !ok {
			return "", false
		}
		rule = append(rule, "language "+d.Language+" in ["+strings.Join(sub.Languages, ", ")+"]")
	}
	return strings.Join(rule, "; "), true
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if strings.EqualFold(x, y) {
			return true
		}
	}
	return false
}

// windowDocs returns the live documents published at or after since with seq
// at most upto, in seq order.
func (s *Service) windowDocs(ctx context.Context, since time.Time, upto int64) ([]model.Document, error) {
	var docs []model.Document
	err := s.st.EachDocument(ctx, store.DocFilter{From: since}, func(d model.Document) error {
		if upto <= 0 || d.Seq <= upto {
			docs = append(docs, d)
		}
		return nil
	})
	sort.Slice(docs, func(i, j int) bool { return docs[i].Seq < docs[j].Seq })
	return docs, err
}

// backfill records sub's matches among documents published since, up to seq
// upto (where the subscription's live matching starts).
func (s *Service) backfill(ctx context.Context, sub model.Subscription, since time.Time, upto int64) (int, error) {
	if s.opts.Matcher == nil {
		return 0, ErrNoMatcher
	}
	docs, err := s.windowDocs(ctx, since, upto)
	if err != nil {
		return 0, err
	}
	sub.Cursor = 0
	var total int
	for len(docs) > 0 {
		n := min(len(docs), s.batchSize(1))
		chunk := docs[:n]
		docs = docs[n:]
		found, err := s.matchBatch([]*model.Subscription{&sub}, chunk, upto, since)
		if err != nil {
			return total, err
		}
		added, err := s.st.RecordMatches(ctx, found)
		if err != nil {
			return total, err
		}
		total += added
	}
	return total, nil
}

// Test shows what sub would have alerted over the last days days (days <= 0:
// over the whole archive), wire copies folded, without recording or sending
// anything. sub need not be stored.
func (s *Service) Test(ctx context.Context, sub model.Subscription, days int) ([]Item, error) {
	if err := s.validateMatching(&sub); err != nil {
		return nil, err
	}
	if s.opts.Matcher == nil {
		return nil, ErrNoMatcher
	}
	var since time.Time
	if days > 0 {
		since = s.opts.Clock().AddDate(0, 0, -days)
	}
	docs, err := s.windowDocs(ctx, since, 0)
	if err != nil {
		return nil, err
	}
	sub.Cursor = 0
	var items []Item
	byRoot := map[int64]int{}
	byID := make(map[int64]model.Document, len(docs))
	for len(docs) > 0 {
		n := min(len(docs), s.batchSize(1))
		chunk := docs[:n]
		docs = docs[n:]
		batch, err := s.opts.Matcher.NewBatch(chunk)
		if err != nil {
			return items, fmt.Errorf("test: prepare batch: %w", err)
		}
		m := make(map[int64]*model.Document, len(chunk))
		for i := range chunk {
			m[chunk[i].ID] = &chunk[i]
			byID[chunk[i].ID] = chunk[i]
		}
		found, err := s.matchOne(batch, &sub, m, time.Time{})
		batch.Close()
		if err != nil {
			return items, err
		}
		for _, it := range found {
			root := rootOf(byID[it.DocumentID])
			if i, ok := byRoot[root]; ok {
				items[i].Similar++
				continue
			}
			byRoot[root] = len(items)
			items = append(items, it)
		}
	}
	return items, nil
}
