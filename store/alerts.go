package store

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
)

// ErrDuplicateKey is returned when a subscription is added with the key of
// another one.
var ErrDuplicateKey = errors.New("duplicate key")

// ErrScheduled is returned by EnqueueDelivery when a match is already in
// another delivery: another process scheduled it first.
var ErrScheduled = errors.New("match already scheduled in another delivery")

const subColumns = `id, COALESCE(key, ''), name, query, sources, tags, official, languages, types, level,
	webhook, email, atom, atom_token, digest, time_zone, secret, created, start_seq, cursor, next_digest, event_seq`

func scanSubscription(sc scanner) (model.Subscription, error) {
	var sub model.Subscription
	var sources, tags, langs, types, level string
	var created, next int64
	err := sc.Scan(&sub.ID, &sub.Key, &sub.Name, &sub.Query, &sources, &tags, &sub.Official, &langs, &types, &level,
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

func nullKey(k string) any {
	if k == "" {
		return nil
	}
	return k
}

// AddSubscription stores a new subscription and sets sub.ID. Its cursor starts
// at sub.Cursor (callers set it to the newest seq so it starts from now).
func (s *Store) AddSubscription(ctx context.Context, sub *model.Subscription) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if sub.Key != "" {
			var one int
			err := tx.QueryRowContext(ctx, "SELECT 1 FROM subscriptions WHERE key = ?", sub.Key).Scan(&one)
			if err == nil {
				return fmt.Errorf("key %q: %w", sub.Key, ErrDuplicateKey)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if sub.AtomToken == "" {
			sub.AtomToken = NewToken()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO subscriptions(key, name, query, sources, tags, official, languages,
			types, level, webhook, email, atom, atom_token, digest, time_zone, secret, created, start_seq, cursor,
			next_digest, event_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			nullKey(sub.Key), sub.Name, sub.Query, jsonList(sub.Sources), jsonList(sub.Tags), sub.Official,
			jsonList(sub.Languages), typeList(sub.Types), string(sub.Level), sub.Webhook, sub.Email, sub.Atom, sub.AtomToken,
			sub.Digest, sub.TimeZone, sub.Secret, unix(sub.Created), sub.StartSeq, sub.Cursor, unix(sub.NextDigest),
			sub.EventCursor)
		if err != nil {
			return err
		}
		sub.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("add subscription: %w", err)
	}
	return nil
}

// UpdateSubscription rewrites what a subscription matches and where it
// delivers (the query, filters, level, channel and schedule), keeping its id,
// secret, cursor and history. It is how feeds.yaml alerts are re-applied.
func (s *Store) UpdateSubscription(ctx context.Context, sub model.Subscription) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET name = ?, query = ?, sources = ?, tags = ?,
			official = ?, languages = ?, types = ?, level = ?, webhook = ?, email = ?, atom = ?, digest = ?,
			time_zone = ?, next_digest = ? WHERE id = ?`,
			sub.Name, sub.Query, jsonList(sub.Sources), jsonList(sub.Tags), sub.Official, jsonList(sub.Languages),
			typeList(sub.Types), string(sub.Level), sub.Webhook, sub.Email, sub.Atom, sub.Digest, sub.TimeZone,
			unix(sub.NextDigest), sub.ID)
		if err != nil {
			return fmt.Errorf("update subscription %d: %w", sub.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("update subscription %d: %w", sub.ID, ErrNotFound)
		}
		return nil
	})
}

// Subscription returns the subscription with id.
func (s *Store) Subscription(ctx context.Context, id int64) (model.Subscription, error) {
	sub, err := scanSubscription(s.queryRow(ctx, "SELECT "+subColumns+" FROM subscriptions WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fmt.Errorf("subscription %d: %w", id, ErrNotFound)
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
		return model.Subscription{}, fmt.Errorf("subscription feed: %w", ErrNotFound)
	}
	sub, err := scanSubscription(s.queryRow(ctx, "SELECT "+subColumns+" FROM subscriptions WHERE atom_token = ?", token))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fmt.Errorf("subscription feed: %w", ErrNotFound)
	}
	if err != nil {
		return sub, fmt.Errorf("subscription feed: %w", err)
	}
	return sub, nil
}

// NewToken returns 128 random bits in hex: an unguessable capability.
func NewToken() string {
	b := make([]byte, 16)
	crand.Read(b)
	return hex.EncodeToString(b)
}

// SubscriptionByKey returns the subscription made from feeds.yaml alert key.
func (s *Store) SubscriptionByKey(ctx context.Context, key string) (model.Subscription, error) {
	sub, err := scanSubscription(s.queryRow(ctx, "SELECT "+subColumns+" FROM subscriptions WHERE key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fmt.Errorf("subscription %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return sub, fmt.Errorf("subscription %q: %w", key, err)
	}
	return sub, nil
}

// Subscriptions returns every subscription, oldest first.
func (s *Store) Subscriptions(ctx context.Context) ([]model.Subscription, error) {
	rows, err := s.query(ctx, "SELECT "+subColumns+" FROM subscriptions ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	defer rows.Close()
	var subs []model.Subscription
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("subscriptions: %w", err)
		}
		subs = append(subs, sub)
	}
	return subs, rows.Err()
}

// RemoveSubscription deletes a subscription with its matches and outbox.
func (s *Store) RemoveSubscription(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{"DELETE FROM alert_matches WHERE subscription_id = ?",
			"DELETE FROM alert_event_state WHERE subscription_id = ?",
			"DELETE FROM deliveries WHERE subscription_id = ?"} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("remove subscription %d: %w", id, err)
			}
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM subscriptions WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("remove subscription %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("remove subscription %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// NewMatch is one document a subscription's query matched.
type NewMatch struct {
	DocumentID int64
	RootID     int64 // the document's DuplicateOf, or its own id
	EventID    int64
	Seq        int64
	Published  time.Time
	Reason     []byte // JSON, opaque to the store
}

// SubscriptionMatches is what one matching pass found for one subscription:
// its new matches and the seq it has now been matched up to.
type SubscriptionMatches struct {
	SubscriptionID int64
	Cursor         int64
	Matches        []NewMatch
}

// AlertMatch is a recorded match.
type AlertMatch struct {
	ID             int64
	SubscriptionID int64
	DocumentID     int64
	RootID         int64
	EventID        int64
	Seq            int64
	Published      time.Time
	Reason         []byte
	Similar        []int64 // wire copies folded into this match
	DeliveryID     int64   // 0 while undelivered
	Created        time.Time
}

// RecordMatches records the matches of one pass and advances every listed
// subscription's cursor, all in one transaction, so a crash either keeps both
// or neither. A match whose root (the story it is a copy of) already matched
// the subscription is not a new alert: it is added to that match's similar
// list. A document matched before (a new version of it) is ignored. It returns
// how many new matches were recorded (see RecordNewMatches).
func (s *Store) RecordMatches(ctx context.Context, found []SubscriptionMatches) (int, error) {
	var added int
	now := unix(s.now())
	err := s.batch(ctx, func(c *stmts) error {
		var err error
		added, err = RecordNewMatches(sqliteMatches{c, now}, found, matchInsertRows)
		if err != nil {
			return err
		}
		return advanceCursors(c, found)
	})
	if err != nil {
		return 0, fmt.Errorf("record matches: %w", err)
	}
	return added, nil
}

// MatchRow is one new match of a subscription, as RecordNewMatches hands it
// to a store's MatchSteps.
type MatchRow struct {
	Sub int64
	M   NewMatch
}

// MatchSteps are the statements one store records matches with, inside its
// write transaction; RecordNewMatches is the algorithm every store shares.
type MatchSteps interface {
	// MatchedBefore returns the (subscription, document) pairs of docs that
	// already have an article-level match.
	MatchedBefore(docs []int64) (map[[2]int64]bool, error)
	// InsertMatches inserts rows in one statement, in order, leaving any
	// whose (subscription, root) is taken (by an earlier match, or an
	// earlier row of the same statement) to the unique constraint, and
	// returns the document each (subscription, root) it inserted holds.
	InsertMatches(rows []MatchRow) (map[[2]int64]int64, error)
	// MatchOf reads the article-level match holding (sub, root).
	MatchOf(sub, root int64) (id, docID int64, similar string, err error)
	// SetSimilar replaces match id's similar list (JSON).
	SetSimilar(id int64, similar string) error
}

// RecordNewMatches records found through steps, chunk rows per insert: a
// document matched before by the subscription (a new version) is passed
// over, each (subscription, root) gets one match, and a later document of a
// story the subscription matched already (a wire copy) is folded into that
// match's similar list once. It returns how many new matches it recorded.
//
// A pass of 1,000 subscriptions over 1,000 documents records about a hundred
// thousand matches, so the work is done in bulk: one query for the documents
// matched before, multi-row inserts that leave (subscription, root)
// conflicts to the unique index, and the few conflicts folded afterwards.
func RecordNewMatches(steps MatchSteps, found []SubscriptionMatches, chunk int) (int, error) {
	var docs []int64
	seenDoc := map[int64]bool{}
	for _, f := range found {
		for _, m := range f.Matches {
			if !seenDoc[m.DocumentID] {
				seenDoc[m.DocumentID] = true
				docs = append(docs, m.DocumentID)
			}
		}
	}
	if len(docs) == 0 {
		return 0, nil
	}
	matched, err := steps.MatchedBefore(docs)
	if err != nil {
		return 0, fmt.Errorf("matched before: %w", err)
	}
	var rows []MatchRow
	for _, f := range found {
		for _, m := range f.Matches {
			if m.RootID == 0 {
				m.RootID = m.DocumentID
			}
			k := [2]int64{f.SubscriptionID, m.DocumentID}
			if matched[k] {
				continue // a new version of a document already matched
			}
			matched[k] = true
			rows = append(rows, MatchRow{f.SubscriptionID, m})
		}
	}
	added := 0
	var folded []MatchRow // (subscription, root) taken: fold into that match
	for len(rows) > 0 {
		n := min(len(rows), chunk)
		ins, err := steps.InsertMatches(rows[:n])
		if err != nil {
			return 0, fmt.Errorf("insert matches: %w", err)
		}
		for _, r := range rows[:n] {
			if ins[[2]int64{r.Sub, r.M.RootID}] == r.M.DocumentID {
				added++
			} else {
				folded = append(folded, r)
			}
		}
		rows = rows[n:]
	}
	return added, foldSimilar(steps, folded)
}

// foldSimilar adds each row's document to the similar list of the match
// holding its (subscription, root): each document once, never the match's
// own.
func foldSimilar(steps MatchSteps, rows []MatchRow) error {
	byKey := map[[2]int64][]int64{}
	var keys [][2]int64
	for _, r := range rows {
		k := [2]int64{r.Sub, r.M.RootID}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], r.M.DocumentID)
	}
	for _, k := range keys {
		id, docID, similar, err := steps.MatchOf(k[0], k[1])
		if err != nil {
			return fmt.Errorf("fold into match of subscription %d, story %d: %w", k[0], k[1], err)
		}
		var ids []int64
		json.Unmarshal([]byte(similar), &ids)
		changed := false
		for _, d := range byKey[k] {
			if d != docID && !slices.Contains(ids, d) {
				ids = append(ids, d)
				changed = true
			}
		}
		if !changed {
			continue
		}
		b, _ := json.Marshal(ids)
		if err := steps.SetSimilar(id, string(b)); err != nil {
			return fmt.Errorf("fold into match %d: %w", id, err)
		}
	}
	return nil
}

// sqliteMatches are the embedded store's MatchSteps.
type sqliteMatches struct {
	c   *stmts
	now int64
}

func (m sqliteMatches) MatchedBefore(docs []int64) (map[[2]int64]bool, error) {
	out := map[[2]int64]bool{}
	for len(docs) > 0 {
		n := min(len(docs), 500)
		args := make([]any, n)
		for i, d := range docs[:n] {
			args[i] = d
		}
		rows, err := m.c.query("SELECT subscription_id, document_id FROM alert_matches WHERE document_id IN (?"+
			strings.Repeat(",?", n-1)+") AND development = ''", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var sub, doc int64
			if err := rows.Scan(&sub, &doc); err != nil {
				rows.Close()
				return nil, err
			}
			out[[2]int64{sub, doc}] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		docs = docs[n:]
	}
	return out, nil
}

// matchInsertRows is how many matches one INSERT statement writes: 8
// parameters each, well under SQLite's limit of 32,766.
const matchInsertRows = 400

func (m sqliteMatches) InsertMatches(rows []MatchRow) (map[[2]int64]int64, error) {
	q := "INSERT INTO alert_matches(subscription_id, document_id, root_id, event_id, seq, published, reason, created) VALUES (?,?,?,?,?,?,?,?)" +
		strings.Repeat(",(?,?,?,?,?,?,?,?)", len(rows)-1) +
		" ON CONFLICT(subscription_id, root_id, development) DO NOTHING RETURNING subscription_id, root_id, document_id"
	args := make([]any, 0, 8*len(rows))
	for _, r := range rows {
		args = append(args, r.Sub, r.M.DocumentID, r.M.RootID, r.M.EventID, r.M.Seq, unix(r.M.Published), string(r.M.Reason), m.now)
	}
	res, err := m.c.query(q, args...)
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

func (m sqliteMatches) MatchOf(sub, root int64) (id, docID int64, similar string, err error) {
	err = m.c.queryRow("SELECT id, document_id, similar FROM alert_matches WHERE subscription_id = ? AND root_id = ? AND development = ''",
		sub, root).Scan(&id, &docID, &similar)
	return id, docID, similar, err
}

func (m sqliteMatches) SetSimilar(id int64, similar string) error {
	_, err := m.c.exec("UPDATE alert_matches SET similar = ? WHERE id = ?", similar, id)
	return err
}

// advanceCursors moves every listed subscription's cursor forward, one
// statement per distinct cursor (a pass usually moves all to the same seq).
func advanceCursors(c *stmts, found []SubscriptionMatches) error {
	bySeq := map[int64][]any{}
	var seqs []int64
	for _, f := range found {
		if _, ok := bySeq[f.Cursor]; !ok {
			seqs = append(seqs, f.Cursor)
		}
		bySeq[f.Cursor] = append(bySeq[f.Cursor], f.SubscriptionID)
	}
	for _, seq := range seqs {
		ids := bySeq[seq]
		for len(ids) > 0 {
			n := min(len(ids), 500)
			args := append([]any{seq}, ids[:n]...)
			if _, err := c.exec("UPDATE subscriptions SET cursor = MAX(cursor, ?) WHERE id IN (?"+strings.Repeat(",?", n-1)+")", args...); err != nil {
				return fmt.Errorf("advance subscription cursors: %w", err)
			}
			ids = ids[n:]
		}
	}
	return nil
}

const matchColumns = `id, subscription_id, document_id, root_id, event_id, seq, published, reason, similar,
	COALESCE(delivery_id, 0), created`

func scanMatches(rows *sql.Rows) ([]AlertMatch, error) {
	defer rows.Close()
	var ms []AlertMatch
	for rows.Next() {
		var m AlertMatch
		var published, created int64
		var reason, similar string
		if err := rows.Scan(&m.ID, &m.SubscriptionID, &m.DocumentID, &m.RootID, &m.EventID, &m.Seq, &published,
			&reason, &similar, &m.DeliveryID, &created); err != nil {
			return nil, err
		}
		m.Published, m.Created = fromUnix(published), fromUnix(created)
		m.Reason = []byte(reason)
		json.Unmarshal([]byte(similar), &m.Similar)
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// PendingMatches returns every match not yet put in an outbox entry, by
// subscription then id. They are read through the partial index of
// undelivered matches and sorted: without statistics SQLite would rather
// scan every match in subscription order than sort the few pending ones.
func (s *Store) PendingMatches(ctx context.Context) ([]AlertMatch, error) {
	rows, err := s.query(ctx, "SELECT "+matchColumns+
		" FROM alert_matches INDEXED BY alert_matches_undelivered WHERE delivery_id IS NULL ORDER BY subscription_id, id")
	if err != nil {
		return nil, fmt.Errorf("pending matches: %w", err)
	}
	ms, err := scanMatches(rows)
	if err != nil {
		return nil, fmt.Errorf("pending matches: %w", err)
	}
	return ms, nil
}

// RecentMatches returns up to limit of a subscription's matches, newest first.
func (s *Store) RecentMatches(ctx context.Context, subID int64, limit int) ([]AlertMatch, error) {
	rows, err := s.query(ctx, "SELECT "+matchColumns+
		" FROM alert_matches WHERE subscription_id = ? ORDER BY id DESC LIMIT ?", subID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent matches of %d: %w", subID, err)
	}
	ms, err := scanMatches(rows)
	if err != nil {
		return nil, fmt.Errorf("recent matches of %d: %w", subID, err)
	}
	return ms, nil
}

// EnqueueDelivery puts d in the outbox carrying matchIDs, and sets the
// subscription's next digest time, in one transaction. d.ID is set on return.
// Matches already carried by another delivery are an error: scheduling must
// not send a match twice.
func (s *Store) EnqueueDelivery(ctx context.Context, d *model.Delivery, matchIDs []int64, nextDigest time.Time) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO deliveries(subscription_id, idempotency_key, channel, state, matches,
			created, next_attempt, payload) VALUES(?,?,?,?,?,?,?,?)`,
			d.SubscriptionID, d.IdempotencyKey, d.Channel, string(model.DeliveryPending), len(matchIDs),
			unix(d.Created), unix(d.NextAttempt), d.Payload)
		if err != nil {
			return err
		}
		if d.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, id := range matchIDs {
			res, err := tx.ExecContext(ctx, "UPDATE alert_matches SET delivery_id = ? WHERE id = ? AND delivery_id IS NULL", d.ID, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("match %d: %w", id, ErrScheduled)
			}
		}
		_, err = tx.ExecContext(ctx, "UPDATE subscriptions SET next_digest = ? WHERE id = ?", unix(nextDigest), d.SubscriptionID)
		return err
	})
	if err != nil {
		return fmt.Errorf("enqueue delivery for subscription %d: %w", d.SubscriptionID, err)
	}
	d.State, d.Matches = model.DeliveryPending, len(matchIDs)
	return nil
}

// SetNextDigest records when a subscription's next digest is due.
func (s *Store) SetNextDigest(ctx context.Context, subID int64, next time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE subscriptions SET next_digest = ? WHERE id = ?", unix(next), subID); err != nil {
			return fmt.Errorf("set next digest of %d: %w", subID, err)
		}
		return nil
	})
}

const deliveryColumns = `id, subscription_id, idempotency_key, channel, state, matches, attempts, last_error,
	created, next_attempt, delivered, payload`

func scanDeliveries(rows *sql.Rows) ([]model.Delivery, error) {
	defer rows.Close()
	var ds []model.Delivery
	for rows.Next() {
		var d model.Delivery
		var state string
		var created, next, delivered int64
		if err := rows.Scan(&d.ID, &d.SubscriptionID, &d.IdempotencyKey, &d.Channel, &state, &d.Matches, &d.Attempts,
			&d.LastError, &created, &next, &delivered, &d.Payload); err != nil {
			return nil, err
		}
		d.State = model.DeliveryState(state)
		d.Created, d.NextAttempt, d.Delivered = fromUnix(created), fromUnix(next), fromUnix(delivered)
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// DueDeliveries returns up to limit pending deliveries whose next attempt is
// at or before now, oldest first.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]model.Delivery, error) {
	rows, err := s.query(ctx, "SELECT "+deliveryColumns+
		" FROM deliveries WHERE state = ? AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?",
		string(model.DeliveryPending), unix(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	ds, err := scanDeliveries(rows)
	if err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	return ds, nil
}

// DeliveryFilter selects deliveries for listing.
type DeliveryFilter struct {
	SubscriptionID int64 // 0 = all
	States         []model.DeliveryState
	Limit          int // 0 = 100
}

// Deliveries returns the deliveries f selects, newest first.
func (s *Store) Deliveries(ctx context.Context, f DeliveryFilter) ([]model.Delivery, error) {
	var conds []string
	var args []any
	if f.SubscriptionID != 0 {
		conds = append(conds, "subscription_id = ?")
		args = append(args, f.SubscriptionID)
	}
	if len(f.States) > 0 {
		conds = append(conds, "state IN (?"+strings.Repeat(",?", len(f.States)-1)+")")
		for _, st := range f.States {
			args = append(args, string(st))
		}
	}
	q := "SELECT " + deliveryColumns + " FROM deliveries"
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	ds, err := scanDeliveries(rows)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	return ds, nil
}

// MarkDelivered records that the receiver acknowledged delivery id.
func (s *Store) MarkDelivered(ctx context.Context, id int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = ?, attempts = attempts + 1, delivered = ?,
			last_error = '' WHERE id = ?`, string(model.DeliveryDelivered), unix(at), id)
		if err != nil {
			return fmt.Errorf("mark delivery %d delivered: %w", id, err)
		}
		return nil
	})
}

// MarkAttemptFailed records a failed attempt at delivery id: it is retried at
// next, or, when final, marked failed for good.
func (s *Store) MarkAttemptFailed(ctx context.Context, id int64, errText string, next time.Time, final bool) error {
	state := model.DeliveryPending
	if final {
		state = model.DeliveryFailed
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?,
			next_attempt = ? WHERE id = ?`, string(state), errText, unix(next), id)
		if err != nil {
			return fmt.Errorf("mark delivery %d attempt: %w", id, err)
		}
		return nil
	})
}

// RetryDelivery puts a failed delivery back in the outbox, due at next, with
// its attempts reset.
func (s *Store) RetryDelivery(ctx context.Context, id int64, next time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = ?, attempts = 0, next_attempt = ?
			WHERE id = ? AND state = ?`, string(model.DeliveryPending), unix(next), id, string(model.DeliveryFailed))
		if err != nil {
			return fmt.Errorf("retry delivery %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("retry delivery %d: no failed delivery has that id: %w", id, ErrNotFound)
		}
		return nil
	})
}

// MaxEventSeq is the newest seq in the event log (0 when there are no events).
func (s *Store) MaxEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM events").Scan(&seq); err != nil {
		return 0, fmt.Errorf("max event seq: %w", err)
	}
	return seq, nil
}

// DocumentsByID returns the live documents among ids, in id order.
func (s *Store) DocumentsByID(ctx context.Context, ids []int64) ([]model.Document, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// The ids go in as one JSON array, so the statement is the same text
	// for any number of them and is prepared once.
	b, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT "+docColumns+" FROM documents WHERE deleted = 0 AND id IN (SELECT value FROM json_each(?)) ORDER BY id", string(b))
	if err != nil {
		return nil, fmt.Errorf("documents by id: %w", err)
	}
	defer rows.Close()
	docs := make([]model.Document, 0, len(ids))
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("documents by id: %w", err)
		}
		docs = append(docs, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("documents by id: %w", err)
	}
	return docs, nil
}

// Developments of an event that an event-level subscription is alerted about.
const (
	DevelopmentNew      = "new"      // an event it has not been told about
	DevelopmentType     = "type"     // the event gained a type it was not alerted with
	DevelopmentOfficial = "official" // the event's first official statement
)

// EventMatch is one changed event an event-level subscription's query
// matched.
type EventMatch struct {
	EventID    int64
	DocumentID int64   // the first member document that matched
	Members    []int64 // every member, to recognise an event the clusterer re-made
	Seq        int64   // the event's seq
	Published  time.Time
	Type       model.EventType
	Official   bool              // the event has a primary (official) document
	Reasons    map[string][]byte // JSON by development (DevelopmentNew, …), opaque to the store
}

// SubscriptionEventMatches is what one pass found for one event-level
// subscription, and the event seq it has been matched up to.
type SubscriptionEventMatches struct {
	SubscriptionID int64
	EventCursor    int64
	Matches        []EventMatch
}

type eventState struct {
	types    []model.EventType
	official bool
}

// RecordEventMatches records, in one transaction with the advanced event
// cursors, the developments of matched events: an event the subscription
// has not been told about (nor about an event merged into it, nor one that
// held the same alerted document) is new; a known event alerts again only
// when it gains a type other than "other" or its first official statement.
// A wire copy joining an event is no development. It returns how many alerts
// were recorded.
func (s *Store) RecordEventMatches(ctx context.Context, found []SubscriptionEventMatches) (int, error) {
	var added int
	now := unix(s.now())
	err := s.tx(ctx, func(tx *sql.Tx) error {
		added = 0
		for _, f := range found {
			for _, m := range f.Matches {
				n, err := recordEventMatch(ctx, tx, f.SubscriptionID, m, now)
				if err != nil {
					return err
				}
				added += n
			}
			if _, err := tx.ExecContext(ctx, "UPDATE subscriptions SET event_seq = MAX(event_seq, ?) WHERE id = ?",
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

func recordEventMatch(ctx context.Context, tx *sql.Tx, subID int64, m EventMatch, now int64) (int, error) {
	st, known, err := eventStateOf(ctx, tx, subID, m)
	if err != nil {
		return 0, err
	}
	var devs []string
	if !known {
		devs = append(devs, DevelopmentNew)
		st = eventState{types: []model.EventType{m.Type}, official: m.Official}
	} else {
		if m.Type != "" && m.Type != model.TypeOther && !slices.Contains(st.types, m.Type) {
			devs = append(devs, DevelopmentType)
			st.types = append(st.types, m.Type)
		}
		if m.Official && !st.official {
			devs = append(devs, DevelopmentOfficial)
			st.official = true
		}
	}
	var added int
	for _, dev := range devs {
		key := dev
		if dev == DevelopmentType {
			key += ":" + string(m.Type)
		}
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO alert_matches(subscription_id, document_id, root_id, event_id,
			development, seq, published, reason, created) VALUES(?,?,?,?,?,?,?,?,?)`,
			subID, m.DocumentID, -m.EventID, m.EventID, key, m.Seq, unix(m.Published), string(m.Reasons[dev]), now)
		if err != nil {
			return 0, fmt.Errorf("record event %d: %w", m.EventID, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			added++
		}
	}
	types := make([]string, len(st.types))
	for i, t := range st.types {
		types[i] = string(t)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO alert_event_state(subscription_id, event_id, types, official) VALUES(?,?,?,?)
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
func eventStateOf(ctx context.Context, tx *sql.Tx, subID int64, m EventMatch) (eventState, bool, error) {
	ids := []int64{m.EventID}
	rows, err := tx.QueryContext(ctx, "SELECT id FROM events WHERE merged_into = ?", m.EventID)
	if err != nil {
		return eventState{}, false, fmt.Errorf("event state %d: %w", m.EventID, err)
	}
	if ids, err = appendIDs(ids, rows); err != nil {
		return eventState{}, false, err
	}
	for i := 0; i < len(m.Members); i += 500 {
		part := m.Members[i:min(i+500, len(m.Members))]
		args := []any{subID}
		for _, d := range part {
			args = append(args, d)
		}
		rows, err := tx.QueryContext(ctx, "SELECT DISTINCT event_id FROM alert_matches WHERE subscription_id = ? AND development != '' AND document_id IN (?"+
			strings.Repeat(",?", len(part)-1)+")", args...)
		if err != nil {
			return eventState{}, false, fmt.Errorf("event state %d: %w", m.EventID, err)
		}
		if ids, err = appendIDs(ids, rows); err != nil {
			return eventState{}, false, err
		}
	}
	var st eventState
	var known bool
	for _, id := range ids {
		var types string
		var official bool
		err := tx.QueryRowContext(ctx, "SELECT types, official FROM alert_event_state WHERE subscription_id = ? AND event_id = ?",
			subID, id).Scan(&types, &official)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
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
	return st, known, nil
}

// appendIDs appends the one int64 column of rows to ids and closes rows.
func appendIDs(ids []int64, rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// ClaimDelivery leases pending delivery id to the caller until until, if it
// is still due at now, and reports whether it did. Two processes delivering
// from one store (say `watchline run` and `watchline alerts run`) thus never
// send the same entry at once; a sender that dies leaves the lease to expire,
// and the entry is sent again after it.
func (s *Store) ClaimDelivery(ctx context.Context, id int64, now, until time.Time) (bool, error) {
	var claimed bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_attempt = ? WHERE id = ? AND state = ? AND next_attempt <= ?`,
			unix(until), id, string(model.DeliveryPending), unix(now))
		if err != nil {
			return fmt.Errorf("claim delivery %d: %w", id, err)
		}
		n, _ := res.RowsAffected()
		claimed = n == 1
		return nil
	})
	return claimed, err
}

// RescheduleDelivery makes pending delivery id due at next without counting
// an attempt (a sender that stopped before finishing gives its lease back).
func (s *Store) RescheduleDelivery(ctx context.Context, id int64, next time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE deliveries SET next_attempt = ? WHERE id = ? AND state = ?",
			unix(next), id, string(model.DeliveryPending))
		if err != nil {
			return fmt.Errorf("reschedule delivery %d: %w", id, err)
		}
		return nil
	})
}
