package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// eventBatch is how many changed events one pass reads at a time.
const eventBatch = 500

// matchEvents runs event-level subscriptions against the events the timeline
// changed since each one's event cursor. An event matches when one of its
// documents matches the query and filters (and its type is among the
// subscription's types, if any). The store decides, with the cursor, in one
// transaction, whether a match is a development worth an alert: a new event,
// a new type, a first official statement; a wire copy joining an event is not.
func (s *Service) matchEvents(ctx context.Context, subs []*model.Subscription) (int, error) {
	if len(subs) == 0 {
		return 0, nil
	}
	from := subs[0].EventCursor
	for _, sub := range subs {
		from = min(from, sub.EventCursor)
	}
	var total int
	var errs []error
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		evs, err := s.st.EventsAfter(ctx, from, eventBatch)
		if err != nil {
			return total, err
		}
		if len(evs) == 0 {
			break
		}
		end := evs[len(evs)-1].Seq
		found, err := s.matchEventBatch(ctx, subs, evs, end)
		if err != nil {
			errs = append(errs, err)
		}
		n, err := s.st.RecordEventMatches(ctx, found)
		if err != nil {
			return total, err
		}
		total += n
		for _, sub := range subs {
			sub.EventCursor = max(sub.EventCursor, end)
		}
		from = end
		if len(evs) < eventBatch {
			break
		}
	}
	return total, errors.Join(errs...)
}

func (s *Service) matchEventBatch(ctx context.Context, subs []*model.Subscription, evs []model.Event, end int64) ([]store.SubscriptionEventMatches, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, e := range evs {
		for _, id := range e.DocumentIDs {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	docs, err := s.st.DocumentsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*model.Document, len(docs))
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	var batch Batch
	if len(docs) > 0 {
		if batch, err = s.opts.Matcher.NewBatch(docs); err != nil {
			return nil, fmt.Errorf("match events: prepare batch: %w", err)
		}
		defer batch.Close()
	}
	var found []store.SubscriptionEventMatches
	var errs []error
	for _, sub := range subs {
		if sub.EventCursor >= end {
			continue
		}
		f := store.SubscriptionEventMatches{SubscriptionID: sub.ID, EventCursor: end}
		if batch != nil {
			ms, err := s.matchEventsOne(batch, sub, evs, byID)
			if err != nil {
				errs = append(errs, fmt.Errorf("match subscription %d: %w", sub.ID, err))
			}
			f.Matches = ms
		}
		found = append(found, f)
	}
	return found, errors.Join(errs...)
}

func (s *Service) matchEventsOne(batch Batch, sub *model.Subscription, evs []model.Event, byID map[int64]*model.Document) ([]store.EventMatch, error) {
	q, err := s.compile(sub.Query)
	if err != nil {
		return nil, err
	}
	hits, err := batch.Match(q, filtersOf(sub))
	if err != nil {
		return nil, err
	}
	type admitted struct {
		hit  Hit
		rule string
	}
	ok := map[int64]admitted{}
	for _, h := range hits {
		if d, found := byID[h.DocumentID]; found {
			if rule, pass := admits(sub, d); pass {
				ok[h.DocumentID] = admitted{h, rule}
			}
		}
	}
	var out []store.EventMatch
	for _, e := range evs {
		if e.Seq <= sub.EventCursor || len(e.DocumentIDs) == 0 {
			continue // already seen, or merged away / removed
		}
		if len(sub.Types) > 0 && !slices.Contains(sub.Types, e.Type) {
			continue
		}
		var first *model.Document
		var why admitted
		for _, id := range e.DocumentIDs {
			if a, found := ok[id]; found {
				first, why = byID[id], a
				break
			}
		}
		if first == nil {
			continue
		}
		base := Item{DocumentID: first.ID, URL: first.CanonicalURL, Title: e.Title, Source: first.SourceID,
			Published: first.Published, Official: first.Official, Language: first.Language, Terms: why.hit.Terms,
			Snippet: why.hit.Snippet, EventID: e.ID, EventTitle: e.Title, EventType: string(e.Type)}
		if base.Title == "" {
			base.Title = first.Title
		}
		rule := why.rule
		if len(sub.Types) > 0 {
			rule += "; event type " + string(e.Type)
		}
		reasons := map[string][]byte{}
		it := base
		it.Development, it.Rule = store.DevelopmentNew, rule+"; new event"
		reasons[store.DevelopmentNew], _ = json.Marshal(it)
		it = base
		it.Development, it.Rule = store.DevelopmentType, rule+"; new development: the event is now a "+string(e.Type)
		reasons[store.DevelopmentType], _ = json.Marshal(it)
		it = base
		it.Development, it.Rule = store.DevelopmentOfficial, rule+"; new development: first official statement"
		if len(e.PrimaryDocumentIDs) > 0 {
			if p, found := byID[e.PrimaryDocumentIDs[0]]; found {
				it.URL, it.Source, it.Official, it.Published = p.CanonicalURL, p.SourceID, true, p.Published
				it.Rule += " (" + p.SourceID + ")"
			}
		}
		reasons[store.DevelopmentOfficial], _ = json.Marshal(it)
		out = append(out, store.EventMatch{EventID: e.ID, DocumentID: first.ID, Members: e.DocumentIDs, Seq: e.Seq,
			Published: first.Published, Type: e.Type, Official: len(e.PrimaryDocumentIDs) > 0, Reasons: reasons})
	}
	return out, nil
}
