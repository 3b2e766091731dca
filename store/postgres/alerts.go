package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

const subColumns = `id, COALESCE(key, ''), name, query, sources, tags, official, languages, types, level,
	webhook, email, atom, atom_token, digest, time_zone, secret, created, start_seq, cursor, next_digest, event_seq`

func scanSubscription(row pgx.Row) (model.Subscription, error) {
	var sub model.Subscription
	var sources, tags, langs, types, level string
	var created, next int64
	err := row.Scan(&sub.ID, &sub.Key, &sub.Name, &sub.Query, &sources, &tags, &sub.Official, &langs, &types, &level,
		&sub.Webhook, &sub.Email, &sub.Atom, &sub.AtomToken, &sub.Digest, &sub.TimeZone, &sub.Secret, &created, &sub.StartSeq,
		&sub.Cursor, &next, &sub.EventCursor)
	if err != nil {
		return sub, err
	}
	json.Unmarshal([]byte(sources), &sub.Sources)
	json.Unmarshal([]byte(tags), &sub.Tags)
	json.Unmarshal([]byte(langs), &sub.Languages)
	json.Unmarshal([]byte(types), &sub.Types)
	sub.Level = model.SubscriptionLevel(level)
	sub.Created, sub.NextDigest = fromUnix(created), fromUnix(next)
	return sub, nil
}

func typeList(ts []model.EventType) string {
	ss := make([]string, len(ts))
	for i, t := range ts {
		ss[i] = string(t)
	}
	return jsonList(ss)
}

func nullKey(k string) *string {
	if k == "" {
		return nil
	}
	return &k
}

// AddSubscription stores a new subscription and sets sub.ID.
func (s *Store) AddSubscription(ctx context.Context, sub *model.Subscription) error {
	if sub.AtomToken == "" {
		sub.AtomToken = store.NewToken()
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO subscriptions(key, name, query, sources, tags, official, languages,
			types, level, webhook, email, atom, atom_token, digest, time_zone, secret, created, start_seq, cursor,
			next_digest, event_seq) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)
			RETURNING id`,
			nullKey(sub.Key), sub.Name, sub.Query, jsonList(sub.Sources), jsonList(sub.Tags), sub.Official,
			jsonList(sub.Languages), typeList(sub.Types), string(sub.Level), sub.Webhook, sub.Email, sub.Atom, sub.AtomToken,
			sub.Digest, sub.TimeZone, sub.Secret, unix(sub.Created), sub.StartSeq, sub.Cursor, unix(sub.NextDigest),
			sub.EventCursor).Scan(&sub.ID)
		if isUniqueViolation(err) {
			return fmt.Errorf("key %q: %w", sub.Key, store.ErrDuplicateKey)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("add subscription: %w", err)
	}
	return nil
}

// UpdateSubscription rewrites what a subscription matches and where it
// delivers, keeping its id, secret, cursor and history.
func (s *Store) UpdateSubscription(ctx context.Context, sub model.Subscription) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE subscriptions SET name = $1, query = $2, sources = $3, tags = $4,
			official = $5, languages = $6, types = $7, level = $8, webhook = $9, email = $10, atom = $11, digest = $12,
			time_zone = $13, next_digest = $14 WHERE id = $15`,
			sub.Name, sub.Query, jsonList(sub.Sources), jsonList(sub.Tags), sub.Official, jsonList(sub.Languages),
			typeList(sub.Types), string(sub.Level), sub.Webhook, sub.Email, sub.Atom, sub.Digest, sub.TimeZone,
			unix(sub.NextDigest), sub.ID)
		if err != nil {
			return fmt.Errorf("update subscription %d: %w", sub.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("update subscription %d: %w", sub.ID, store.ErrNotFound)
		}
		return nil
	})
}

// Subscription returns the subscription with id.
func (s *Store) Subscription(ctx context.Context, id int64) (model.Subscription, error) {
	sub, err := scanSubscription(s.pool.QueryRow(ctx, "SELECT "+subColumns+" FROM subscriptions WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return sub, fmt.Errorf("subscription %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return sub, fmt.Errorf("subscription %d: %w", id, err)
	}
	return sub, nil
}

// SubscriptionByAtomToken returns the subscription whose feed's capability
// token is token.
func (s *Store) SubscriptionByAtomToken(ctx context.Context, token string) (model.Subscription, error) {
	if token == "" {
		return model.Subscription{}, fmt.Errorf("subscription feed: %w", store.ErrNotFound)
	}
	sub, err := scanSubscription(s.pool.QueryRow(ctx, "SELECT "+subColumns+" FROM subscriptions WHERE atom_token = $1", token))
	if errors.Is(err, pgx.ErrNoRows) {
		return sub, fmt.Errorf("subscription feed: %w", store.ErrNotFound)
	}
	if err != nil {
		return sub, fmt.Errorf("subscription feed: %w", err)
	}
	return sub, nil
}

// SubscriptionByKey returns the subscription made from feeds.yaml alert key.
func (s *Store) SubscriptionByKey(ctx context.Context, key string) (model.Subscription, error) {
	sub, err := scanSubscription(s.pool.QueryRow(ctx, "SELECT "+subColumns+" FROM subscriptions WHERE key = $1", key))
	if errors.Is(err, pgx.ErrNoRows) {
		return sub, fmt.Errorf("subscription %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return sub, fmt.Errorf("subscription %q: %w", key, err)
	}
	return sub, nil
}

// Subscriptions returns every subscription, oldest first.
func (s *Store) Subscriptions(ctx context.Context) ([]model.Subscription, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+subColumns+" FROM subscriptions ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	subs, err := collect(rows, func(r pgx.CollectableRow) (model.Subscription, error) { return scanSubscription(r) })
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return subs, nil
}

// RemoveSubscription deletes a subscription with its matches and outbox.
func (s *Store) RemoveSubscription(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		for _, q := range []string{"DELETE FROM alert_matches WHERE subscription_id = $1",
			"DELETE FROM alert_event_state WHERE subscription_id = $1",
			"DELETE FROM deliveries WHERE subscription_id = $1"} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return fmt.Errorf("remove subscription %d: %w", id, err)
			}
		}
		tag, err := tx.Exec(ctx, "DELETE FROM subscriptions WHERE id = $1", id)
		if err != nil {
			return fmt.Errorf("remove subscription %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("remove subscription %d: %w", id, store.ErrNotFound)
		}
		return nil
	})
}

// lockSubscriptions takes the row locks of subscriptions ids, in id order,
// so that two matchers recording for the same subscriptions take turns: the
// second then sees the first's matches and records nothing twice.
func lockSubscriptions(ctx context.Context, tx pgx.Tx, ids []int64) error {
	slices.Sort(ids)
	_, err := tx.Exec(ctx, "SELECT 1 FROM subscriptions WHERE id = ANY($1) ORDER BY id FOR UPDATE", ids)
	if err != nil {
		return fmt.Errorf("lock subscriptions: %w", err)
	}
	return nil
}

// RecordMatches records the matches of one pass and advances every listed
// subscription's cursor, all in one transaction, as the embedded store does.
// A pass can record a hundred thousand matches, so it works in bulk: one
// query for the documents matched before, one INSERT … SELECT FROM unnest per
// thousand matches that leaves (subscription, root) conflicts to the unique
// index, and the few conflicts (wire copies) folded afterwards.
func (s *Store) RecordMatches(ctx context.Context, found []store.SubscriptionMatches) (int, error) {
	var added int
	now := unix(s.now())
	err := s.tx(ctx, func(tx pgx.Tx) error {
		ids := make([]int64, len(found))
		cursors := make([]int64, len(found))
		for i, f := range found {
			ids[i], cursors[i] = f.SubscriptionID, f.Cursor
		}
		if err := lockSubscriptions(ctx, tx, slices.Clone(ids)); err != nil {
			return err
		}
		var err error
		if added, err = store.RecordNewMatches(pgMatches{ctx, tx, now}, found, 1000); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE subscriptions s SET cursor = GREATEST(s.cursor, x.c)
			FROM unnest($1::bigint[], $2::bigint[]) AS x(id, c) WHERE s.id = x.id`, ids, cursors)
		if err != nil {
			return fmt.Errorf("advance cursors: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("record matches: %w", err)
	}
	return added, nil
}

// pgMatches are the PostgreSQL store's store.MatchSteps.
type pgMatches struct {
	ctx context.Context
	tx  pgx.Tx
	now int64
}

func (m pgMatches) MatchedBefore(docs []int64) (map[[2]int64]bool, error) {
	rows, err := m.tx.Query(m.ctx, `SELECT subscription_id, document_id FROM alert_matches
		WHERE document_id = ANY($1) AND development = ''`, docs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	matched := map[[2]int64]bool{}
	for rows.Next() {
		var sub, doc int64
		if err := rows.Scan(&sub, &doc); err != nil {
			return nil, err
		}
		matched[[2]int64{sub, doc}] = true
	}
	return matched, rows.Err()
}

func (m pgMatches) InsertMatches(rows []store.MatchRow) (map[[2]int64]int64, error) {
	var subs, docs, roots, events, seqs, pubs []int64
	var reasons []string
	for _, r := range rows {
		subs, docs, roots = append(subs, r.Sub), append(docs, r.M.DocumentID), append(roots, r.M.RootID)
		events, seqs, pubs = append(events, r.M.EventID), append(seqs, r.M.Seq), append(pubs, unix(r.M.Published))
		reasons = append(reasons, string(r.M.Reason))
	}
	res, err := m.tx.Query(m.ctx, `INSERT INTO alert_matches(subscription_id, document_id, root_id, event_id, seq, published, reason, created)
		SELECT sub, doc, root, ev, seq, pub, reason, $8 FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],
			$5::bigint[], $6::bigint[], $7::text[]) WITH ORDINALITY AS x(sub, doc, root, ev, seq, pub, reason, n) ORDER BY n
		ON CONFLICT (subscription_id, root_id, development) DO NOTHING RETURNING subscription_id, root_id, document_id`,
		subs, docs, roots, events, seqs, pubs, reasons, m.now)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	ins := make(map[[2]int64]int64, len(rows))
	for res.Next() {
		var sub, root, doc int64
		if err := res.Scan(&sub, &root, &doc); err != nil {
			return nil, err
		}
		ins[[2]int64{sub, root}] = doc
	}
	return ins, res.Err()
}

func (m pgMatches) MatchOf(sub, root int64) (id, docID int64, similar string, err error) {
	err = m.tx.QueryRow(m.ctx, `SELECT id, document_id, "similar" FROM alert_matches
		WHERE subscription_id = $1 AND root_id = $2 AND development = ''`, sub, root).Scan(&id, &docID, &similar)
	return id, docID, similar, err
}

func (m pgMatches) SetSimilar(id int64, similar string) error {
	_, err := m.tx.Exec(m.ctx, `UPDATE alert_matches SET "similar" = $1 WHERE id = $2`, similar, id)
	return err
}

const matchColumns = `id, subscription_id, document_id, root_id, event_id, seq, published, reason, "similar",
	COALESCE(delivery_id, 0), created`

func collectMatches(rows pgx.Rows) ([]store.AlertMatch, error) {
	return collect(rows, func(r pgx.CollectableRow) (store.AlertMatch, error) {
		var m store.AlertMatch
		var published, created int64
		var reason, similar string
		err := r.Scan(&m.ID, &m.SubscriptionID, &m.DocumentID, &m.RootID, &m.EventID, &m.Seq, &published,
			&reason, &similar, &m.DeliveryID, &created)
		m.Published, m.Created = fromUnix(published), fromUnix(created)
		m.Reason = []byte(reason)
		json.Unmarshal([]byte(similar), &m.Similar)
		return m, err
	})
}

// PendingMatches returns every match not yet put in an outbox entry, by
// subscription then id.
func (s *Store) PendingMatches(ctx context.Context) ([]store.AlertMatch, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+matchColumns+
		" FROM alert_matches WHERE delivery_id IS NULL ORDER BY subscription_id, id")
	if err != nil {
		return nil, fmt.Errorf("pending matches: %w", err)
	}
	ms, err := collectMatches(rows)
	if err != nil {
		return nil, fmt.Errorf("pending matches: %w", err)
	}
	return ms, nil
}

// RecentMatches returns up to limit of a subscription's matches, newest first.
func (s *Store) RecentMatches(ctx context.Context, subID int64, limit int) ([]store.AlertMatch, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+matchColumns+
		" FROM alert_matches WHERE subscription_id = $1 ORDER BY id DESC LIMIT $2", subID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent matches of %d: %w", subID, err)
	}
	ms, err := collectMatches(rows)
	if err != nil {
		return nil, fmt.Errorf("recent matches of %d: %w", subID, err)
	}
	return ms, nil
}

// EnqueueDelivery puts d in the outbox carrying matchIDs and sets the
// subscription's next digest time, in one transaction. Matches already
// carried by another delivery are an error, so two nodes scheduling at once
// never send a match twice: the second one's transaction rolls back.
func (s *Store) EnqueueDelivery(ctx context.Context, d *model.Delivery, matchIDs []int64, nextDigest time.Time) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO deliveries(subscription_id, idempotency_key, channel, state, matches,
			created, next_attempt, payload) VALUES($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`,
			d.SubscriptionID, d.IdempotencyKey, d.Channel, string(model.DeliveryPending), len(matchIDs),
			unix(d.Created), unix(d.NextAttempt), d.Payload).Scan(&d.ID)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, "UPDATE alert_matches SET delivery_id = $1 WHERE id = ANY($2) AND delivery_id IS NULL", d.ID, matchIDs)
		if err != nil {
			return err
		}
		if int(tag.RowsAffected()) != len(uniqueIDs(matchIDs)) {
			return fmt.Errorf("matches %v: %w", matchIDs, store.ErrScheduled)
		}
		_, err = tx.Exec(ctx, "UPDATE subscriptions SET next_digest = $1 WHERE id = $2", unix(nextDigest), d.SubscriptionID)
		return err
	})
	if err != nil {
		return fmt.Errorf("enqueue delivery for subscription %d: %w", d.SubscriptionID, err)
	}
	d.State, d.Matches = model.DeliveryPending, len(matchIDs)
	return nil
}

func uniqueIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// SetNextDigest records when a subscription's next digest is due.
func (s *Store) SetNextDigest(ctx context.Context, subID int64, next time.Time) error {
	if _, err := s.pool.Exec(ctx, "UPDATE subscriptions SET next_digest = $1 WHERE id = $2", unix(next), subID); err != nil {
		return fmt.Errorf("set next digest of %d: %w", subID, err)
	}
	return nil
}

const deliveryColumns = `id, subscription_id, idempotency_key, channel, state, matches, attempts, last_error,
	created, next_attempt, delivered, payload`

func collectDeliveries(rows pgx.Rows) ([]model.Delivery, error) {
	return collect(rows, func(r pgx.CollectableRow) (model.Delivery, error) {
		var d model.Delivery
		var state string
		var created, next, delivered int64
		err := r.Scan(&d.ID, &d.SubscriptionID, &d.IdempotencyKey, &d.Channel, &state, &d.Matches, &d.Attempts,
			&d.LastError, &created, &next, &delivered, &d.Payload)
		d.State = model.DeliveryState(state)
		d.Created, d.NextAttempt, d.Delivered = fromUnix(created), fromUnix(next), fromUnix(delivered)
		return d, err
	})
}

// DueDeliveries returns up to limit pending deliveries whose next attempt is
// at or before now, oldest first.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]model.Delivery, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+deliveryColumns+
		" FROM deliveries WHERE state = $1 AND next_attempt <= $2 ORDER BY next_attempt, id LIMIT $3",
		string(model.DeliveryPending), unix(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	ds, err := collectDeliveries(rows)
	if err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	return ds, nil
}

// Deliveries returns the deliveries f selects, newest first.
func (s *Store) Deliveries(ctx context.Context, f store.DeliveryFilter) ([]model.Delivery, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.SubscriptionID != 0 {
		conds = append(conds, "subscription_id = "+arg(f.SubscriptionID))
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		conds = append(conds, "state = ANY("+arg(states)+")")
	}
	q := "SELECT " + deliveryColumns + " FROM deliveries"
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += " ORDER BY id DESC LIMIT " + arg(f.Limit)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	ds, err := collectDeliveries(rows)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	return ds, nil
}

// MarkDelivered records that the receiver acknowledged delivery id.
func (s *Store) MarkDelivered(ctx context.Context, id int64, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE deliveries SET state = $1, attempts = attempts + 1, delivered = $2,
		last_error = '' WHERE id = $3`, string(model.DeliveryDelivered), unix(at), id)
	if err != nil {
		return fmt.Errorf("mark delivery %d delivered: %w", id, err)
	}
	return nil
}

// MarkAttemptFailed records a failed attempt at delivery id: it is retried at
// next, or, when final, marked failed for good.
func (s *Store) MarkAttemptFailed(ctx context.Context, id int64, errText string, next time.Time, final bool) error {
	state := model.DeliveryPending
	if final {
		state = model.DeliveryFailed
	}
	_, err := s.pool.Exec(ctx, `UPDATE deliveries SET state = $1, attempts = attempts + 1, last_error = $2,
		next_attempt = $3 WHERE id = $4`, string(state), errText, unix(next), id)
	if err != nil {
		return fmt.Errorf("mark delivery %d attempt: %w", id, err)
	}
	return nil
}

// RetryDelivery puts a failed delivery back in the outbox, due at next, with
// its attempts reset.
func (s *Store) RetryDelivery(ctx context.Context, id int64, next time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE deliveries SET state = $1, attempts = 0, next_attempt = $2
		WHERE id = $3 AND state = $4`, string(model.DeliveryPending), unix(next), id, string(model.DeliveryFailed))
	if err != nil {
		return fmt.Errorf("retry delivery %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("retry delivery %d: no failed delivery has that id: %w", id, store.ErrNotFound)
	}
	return nil
}

// ClaimDelivery leases pending delivery id to the caller until until, if it
// is still due at now, and reports whether it did. The UPDATE's row lock and
// re-check make the claim atomic across nodes: of two senders, one wins.
func (s *Store) ClaimDelivery(ctx context.Context, id int64, now, until time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE deliveries SET next_attempt = $1 WHERE id = $2 AND state = $3 AND next_attempt <= $4`,
		unix(until), id, string(model.DeliveryPending), unix(now))
	if err != nil {
		return false, fmt.Errorf("claim delivery %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// RescheduleDelivery makes pending delivery id due at next without counting
// an attempt.
func (s *Store) RescheduleDelivery(ctx context.Context, id int64, next time.Time) error {
	_, err := s.pool.Exec(ctx, "UPDATE deliveries SET next_attempt = $1 WHERE id = $2 AND state = $3",
		unix(next), id, string(model.DeliveryPending))
	if err != nil {
		return fmt.Errorf("reschedule delivery %d: %w", id, err)
	}
	return nil
}

type eventState struct {
	types    []model.EventType
	official bool
}

// RecordEventMatches records, with the advanced event cursors, the
// developments of matched events, as the embedded store does.
func (s *Store) RecordEventMatches(ctx context.Context, found []store.SubscriptionEventMatches) (int, error) {
	var added int
	now := unix(s.now())
	err := s.tx(ctx, func(tx pgx.Tx) error {
		added = 0
		ids := make([]int64, len(found))
		for i, f := range found {
			ids[i] = f.SubscriptionID
		}
		if err := lockSubscriptions(ctx, tx, ids); err != nil {
			return err
		}
		for _, f := range found {
			for _, m := range f.Matches {
				n, err := recordEventMatch(ctx, tx, f.SubscriptionID, m, now)
				if err != nil {
					return err
				}
				added += n
			}
			if _, err := tx.Exec(ctx, "UPDATE subscriptions SET event_seq = GREATEST(event_seq, $1) WHERE id = $2",
				f.EventCursor, f.SubscriptionID); err != nil {
				return fmt.Errorf("advance event cursor of subscription %d: %w", f.SubscriptionID, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("record event matches: %w", err)
	}
	return added, nil
}

func recordEventMatch(ctx context.Context, tx pgx.Tx, subID int64, m store.EventMatch, now int64) (int, error) {
	st, known, err := eventStateOf(ctx, tx, subID, m)
	if err != nil {
		return 0, err
	}
	var devs []string
	if !known {
		devs = append(devs, store.DevelopmentNew)
		st = eventState{types: []model.EventType{m.Type}, official: m.Official}
	} else {
		if m.Type != "" && m.Type != model.TypeOther && !slices.Contains(st.types, m.Type) {
			devs = append(devs, store.DevelopmentType)
			st.types = append(st.types, m.Type)
		}
		if m.Official && !st.official {
			devs = append(devs, store.DevelopmentOfficial)
			st.official = true
		}
	}
	var added int
	for _, dev := range devs {
		key := dev
		if dev == store.DevelopmentType {
			key += ":" + string(m.Type)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO alert_matches(subscription_id, document_id, root_id, event_id,
			development, seq, published, reason, created) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT DO NOTHING`,
			subID, m.DocumentID, -m.EventID, m.EventID, key, m.Seq, unix(m.Published), string(m.Reasons[dev]), now)
		if err != nil {
			return 0, fmt.Errorf("record event %d: %w", m.EventID, err)
		}
		added += int(tag.RowsAffected())
	}
	types := make([]string, len(st.types))
	for i, t := range st.types {
		types[i] = string(t)
	}
	_, err = tx.Exec(ctx, `INSERT INTO alert_event_state(subscription_id, event_id, types, official) VALUES($1,$2,$3,$4)
		ON CONFLICT(subscription_id, event_id) DO UPDATE SET types = excluded.types, official = excluded.official`,
		subID, m.EventID, jsonList(types), st.official)
	if err != nil {
		return 0, fmt.Errorf("record event %d: %w", m.EventID, err)
	}
	return added, nil
}

// eventStateOf is what subscription subID was told about event m, or about
// the events it grew from: events merged into it, and events that held a
// document already alerted as part of an event.
func eventStateOf(ctx context.Context, tx pgx.Tx, subID int64, m store.EventMatch) (eventState, bool, error) {
	rows, err := tx.Query(ctx, `SELECT types, official FROM alert_event_state WHERE subscription_id = $1 AND event_id IN (
		SELECT $2::bigint UNION SELECT id FROM events WHERE merged_into = $2
		UNION SELECT event_id FROM alert_matches WHERE subscription_id = $1 AND development <> '' AND document_id = ANY($3))
		ORDER BY event_id`, subID, m.EventID, m.Members)
	if err != nil {
		return eventState{}, false, fmt.Errorf("event state %d: %w", m.EventID, err)
	}
	defer rows.Close()
	var st eventState
	var known bool
	for rows.Next() {
		var types string
		var official bool
		if err := rows.Scan(&types, &official); err != nil {
			return eventState{}, false, fmt.Errorf("event state %d: %w", m.EventID, err)
		}
		known = true
		var ts []model.EventType
		json.Unmarshal([]byte(types), &ts)
		for _, t := range ts {
			if !slices.Contains(st.types, t) {
				st.types = append(st.types, t)
			}
		}
		st.official = st.official || official
	}
	if err := rows.Err(); err != nil {
		return eventState{}, false, fmt.Errorf("event state %d: %w", m.EventID, err)
	}
	return st, known, nil
}
