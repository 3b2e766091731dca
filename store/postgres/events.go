package postgres

import (
	"bytes"
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

// lockEvents serialises every writer of events (the clusterer on the leader,
// editors on any node): their cursor and state checks are then atomic with
// what they write, as BEGIN IMMEDIATE makes them in SQLite.
func lockEvents(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('watchline events ' || current_schema(), 0))"); err != nil {
		return fmt.Errorf("lock events: %w", err)
	}
	return nil
}

// ApplyEvents writes ch in one transaction. With ch.Cursor set it fails with
// store.ErrConflict if the cursor is no longer at ch.From.
func (s *Store) ApplyEvents(ctx context.Context, ch store.EventChanges) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := lockEvents(ctx, tx); err != nil {
			return err
		}
		if ch.Cursor != "" {
			var cur int64
			err := tx.QueryRow(ctx, "SELECT seq FROM cursors WHERE name = $1", ch.Cursor).Scan(&cur)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("read cursor %s: %w", ch.Cursor, err)
			}
			if cur != ch.From {
				return fmt.Errorf("cursor %s at %d, expected %d: %w", ch.Cursor, cur, ch.From, store.ErrConflict)
			}
		}
		for _, name := range sortedKeys(ch.Expect) {
			var have []byte
			err := tx.QueryRow(ctx, "SELECT value FROM cluster_state WHERE name = $1", name).Scan(&have)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("read cluster state %s: %w", name, err)
			}
			if !bytes.Equal(have, ch.Expect[name]) {
				return fmt.Errorf("cluster state %s changed: %w", name, store.ErrConflict)
			}
		}
		if len(ch.Unassigned) > 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM event_documents WHERE document_id = ANY($1)", ch.Unassigned); err != nil {
				return fmt.Errorf("unassign documents: %w", err)
			}
			if _, err := tx.Exec(ctx, "DELETE FROM document_quotes WHERE document_id = ANY($1)", ch.Unassigned); err != nil {
				return fmt.Errorf("unassign documents: %w", err)
			}
		}
		for _, m := range ch.Members {
			if m.Analysis == nil {
				m.Analysis = []byte{}
			}
			_, err := tx.Exec(ctx, `INSERT INTO event_documents(document_id, event_id, published, role, analysis)
				VALUES($1,$2,$3,$4,$5) ON CONFLICT(document_id) DO UPDATE SET event_id = excluded.event_id,
				published = excluded.published, role = excluded.role, analysis = excluded.analysis`,
				m.DocumentID, m.EventID, unix(m.Published), m.Role, m.Analysis)
			if err != nil {
				return fmt.Errorf("assign document %d to event %d: %w", m.DocumentID, m.EventID, err)
			}
		}
		for _, id := range sortedIDs(ch.Quotes) {
			if err := replaceDocumentQuotes(ctx, tx, id, ch.Quotes[id]); err != nil {
				return err
			}
		}
		// Events that change get new seqs at the end, in the order they
		// changed (the last change of an event counts).
		var changed []int64
		for _, e := range ch.Events {
			if err := upsertEvent(ctx, tx, e); err != nil {
				return err
			}
			changed = append(changed, e.ID)
		}
		for _, id := range sortedIDs(ch.Gone) {
			_, err := tx.Exec(ctx, `INSERT INTO events(id, merged_into, deleted) VALUES($1,$2,true)
				ON CONFLICT(id) DO UPDATE SET merged_into = excluded.merged_into, deleted = true`, id, ch.Gone[id])
			if err != nil {
				return fmt.Errorf("remove event %d: %w", id, err)
			}
			if _, err := tx.Exec(ctx, "DELETE FROM event_quotes WHERE event_id = $1", id); err != nil {
				return fmt.Errorf("remove event %d quotes: %w", id, err)
			}
			changed = append(changed, id)
		}
		now := unix(s.now())
		for _, doc := range sortedIDs(ch.Pins) {
			_, err := tx.Exec(ctx, `INSERT INTO event_pins(document_id, event_id, reason, pinned) VALUES($1,$2,$3,$4)
				ON CONFLICT(document_id) DO UPDATE SET event_id = excluded.event_id, pinned = excluded.pinned,
				reason = CASE WHEN excluded.reason = 'edit' AND event_pins.event_id = excluded.event_id
					THEN event_pins.reason ELSE excluded.reason END`,
				doc, ch.Pins[doc], ch.PinReason, now)
			if err != nil {
				return fmt.Errorf("pin document %d: %w", doc, err)
			}
		}
		for _, ed := range ch.Edits {
			if err := upsertEdit(ctx, tx, ed, now); err != nil {
				return err
			}
			// Consumers tailing events see the correction.
			changed = append(changed, ed.EventID)
		}
		for _, id := range sortedIDs(ch.Importance) {
			if _, err := tx.Exec(ctx, "UPDATE events SET importance = $1 WHERE id = $2", ch.Importance[id], id); err != nil {
				return fmt.Errorf("event %d importance: %w", id, err)
			}
		}
		if err := applyStories(ctx, tx, ch, now); err != nil {
			return err
		}
		for _, name := range sortedKeys(ch.State) {
			_, err := tx.Exec(ctx, `INSERT INTO cluster_state(name, value) VALUES($1,$2)
				ON CONFLICT(name) DO UPDATE SET value = excluded.value`, name, ch.State[name])
			if err != nil {
				return fmt.Errorf("save cluster state %s: %w", name, err)
			}
		}
		if ch.Cursor != "" {
			if err := setCursorTx(ctx, tx, ch.Cursor, ch.To); err != nil {
				return err
			}
		}
		return s.setEventSeqs(ctx, tx, changed)
	})
	if err != nil {
		return fmt.Errorf("apply events: %w", err)
	}
	return nil
}

// setEventSeqs gives the existing events among ids the next seqs of the
// event log, in the order of each one's last appearance in ids. It must be
// the transaction's last lock.
func (s *Store) setEventSeqs(ctx context.Context, tx pgx.Tx, ids []int64) error {
	order := lastOccurrences(ids)
	if len(order) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, "SELECT id FROM events WHERE id = ANY($1)", order)
	if err != nil {
		return fmt.Errorf("event seq: %w", err)
	}
	exist, err := collect(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("event seq: %w", err)
	}
	order = slices.DeleteFunc(order, func(id int64) bool { return !slices.Contains(exist, id) })
	if len(order) == 0 {
		return nil
	}
	seq, err := s.nextSeqs(ctx, tx, "events", len(order))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE events e SET seq = $2 + x.n - 1
		FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, n) WHERE e.id = x.id`, order, seq)
	if err != nil {
		return fmt.Errorf("event seq: %w", err)
	}
	return nil
}

func upsertEvent(ctx context.Context, tx pgx.Tx, e model.Event) error {
	var first, last int64
	err := tx.QueryRow(ctx, `SELECT COALESCE(MIN(published), 0), COALESCE(MAX(published), 0)
		FROM event_documents WHERE event_id = $1`, e.ID).Scan(&first, &last)
	if err != nil {
		return fmt.Errorf("event %d window: %w", e.ID, err)
	}
	typ := e.Type
	if typ == "" {
		typ = model.TypeOther
	}
	_, err = tx.Exec(ctx, `INSERT INTO events(id, title, happened, precision, date_confidence, date_phrase,
		type, type_evidence, type_confidence, actors, first_document_id, primary_document_ids, document_ids, mentioned,
		first_published, last_published, story_id, importance, responds_to, merged_into, deleted)
		VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,0,false)
		ON CONFLICT(id) DO UPDATE SET title = excluded.title, happened = excluded.happened,
		story_id = excluded.story_id, importance = excluded.importance, responds_to = excluded.responds_to,
		precision = excluded.precision, date_confidence = excluded.date_confidence, date_phrase = excluded.date_phrase,
		type = excluded.type, type_evidence = excluded.type_evidence, type_confidence = excluded.type_confidence,
		actors = excluded.actors, first_document_id = excluded.first_document_id,
		primary_document_ids = excluded.primary_document_ids, document_ids = excluded.document_ids,
		mentioned = excluded.mentioned, first_published = excluded.first_published,
		last_published = excluded.last_published, merged_into = 0, deleted = false`,
		e.ID, e.Title, unix(e.Happened), string(e.Precision), e.DateConfidence, e.DatePhrase,
		string(typ), e.TypeEvidence, e.TypeConfidence, jsonOf(e.Actors), e.FirstDocumentID,
		jsonOf(e.PrimaryDocumentIDs), jsonOf(e.DocumentIDs), jsonOf(e.Mentioned), first, last,
		e.Story.ID, e.Importance, e.RespondsTo)
	if err != nil {
		return fmt.Errorf("save event %d: %w", e.ID, err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM event_quotes WHERE event_id = $1", e.ID); err != nil {
		return fmt.Errorf("save event %d quotes: %w", e.ID, err)
	}
	for _, q := range e.Quotes {
		_, err := tx.Exec(ctx, `INSERT INTO event_quotes(event_id, document_id, "offset", "end", kind, text, speaker, role, mention, cue)
			VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING`,
			e.ID, q.DocumentID, q.Start, q.End, string(q.Kind), q.Text, q.Speaker, q.Role, q.Mention, string(q.Cue))
		if err != nil {
			return fmt.Errorf("save event %d quotes: %w", e.ID, err)
		}
	}
	return nil
}

func upsertEdit(ctx context.Context, tx pgx.Tx, ed store.EventEdit, now int64) error {
	var title, precision, typ *string
	var happened *int64
	if ed.Title != nil {
		title = ed.Title
	}
	if ed.Happened != nil {
		h := unix(*ed.Happened)
		happened = &h
	}
	if ed.Precision != nil {
		p := string(*ed.Precision)
		precision = &p
	}
	if ed.Type != nil {
		t := string(*ed.Type)
		typ = &t
	}
	_, err := tx.Exec(ctx, `INSERT INTO event_edits(event_id, title, happened, precision, type, edited)
		VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT(event_id) DO UPDATE SET
		title = COALESCE(excluded.title, event_edits.title), happened = COALESCE(excluded.happened, event_edits.happened),
		precision = COALESCE(excluded.precision, event_edits.precision), type = COALESCE(excluded.type, event_edits.type),
		edited = excluded.edited`, ed.EventID, title, happened, precision, typ, now)
	if err != nil {
		return fmt.Errorf("edit event %d: %w", ed.EventID, err)
	}
	return nil
}

// eventColumns reads an event with human edits applied over computed values.
const eventColumns = `e.id, e.seq, COALESCE(x.title, e.title), COALESCE(x.happened, e.happened),
	COALESCE(x.precision, e.precision), e.date_confidence, e.date_phrase, COALESCE(x.type, e.type),
	e.type_evidence, e.type_confidence, e.actors, e.first_document_id, e.primary_document_ids, e.document_ids,
	e.mentioned, x.event_id IS NOT NULL OR EXISTS (SELECT 1 FROM event_pins p WHERE p.event_id = e.id AND p.reason <> 'edit'),
	e.story_id, COALESCE(sx.title, st.title, ''), e.importance, e.responds_to`

const eventFrom = ` FROM events e LEFT JOIN event_edits x ON x.event_id = e.id
	LEFT JOIN stories st ON st.id = e.story_id LEFT JOIN story_edits sx ON sx.story_id = e.story_id`

func scanEvent(row pgx.Row) (model.Event, error) {
	var e model.Event
	var happened int64
	var precision, typ, actors, primary, docs, mentioned string
	err := row.Scan(&e.ID, &e.Seq, &e.Title, &happened, &precision, &e.DateConfidence, &e.DatePhrase, &typ,
		&e.TypeEvidence, &e.TypeConfidence, &actors, &e.FirstDocumentID, &primary, &docs, &mentioned, &e.Edited,
		&e.Story.ID, &e.Story.Title, &e.Importance, &e.RespondsTo)
	if err != nil {
		return e, err
	}
	e.Happened = fromUnix(happened)
	e.Precision, e.Type = model.Precision(precision), model.EventType(typ)
	json.Unmarshal([]byte(actors), &e.Actors)
	json.Unmarshal([]byte(primary), &e.PrimaryDocumentIDs)
	json.Unmarshal([]byte(docs), &e.DocumentIDs)
	json.Unmarshal([]byte(mentioned), &e.Mentioned)
	return e, nil
}

func (s *Store) queryEvents(ctx context.Context, q string, args ...any) ([]model.Event, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r pgx.CollectableRow) (model.Event, error) { return scanEvent(r) })
}

// Event returns event id with its quotes and human edits applied. A merged
// event is store.ErrNotFound; MergedInto says where it went.
func (s *Store) Event(ctx context.Context, id int64) (model.Event, error) {
	e, err := scanEvent(s.pool.QueryRow(ctx, "SELECT "+eventColumns+eventFrom+" WHERE e.id = $1 AND NOT e.deleted", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return e, fmt.Errorf("event %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("event %d: %w", id, err)
	}
	e.Quotes, err = s.eventQuotes(ctx, id)
	return e, err
}

// MergedInto returns the event that took event id's documents (0 if id was
// not merged).
func (s *Store) MergedInto(ctx context.Context, id int64) (int64, error) {
	var into int64
	err := s.pool.QueryRow(ctx, "SELECT merged_into FROM events WHERE id = $1", id).Scan(&into)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("event %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("event %d: %w", id, err)
	}
	return into, nil
}

func (s *Store) eventQuotes(ctx context.Context, id int64) ([]model.Quote, error) {
	m, err := s.eventQuotesOf(ctx, []int64{id})
	return m[id], err
}

// eventQuotesOf reads the quotes of many events in one query (a page of a
// timeline), each event's in the order eventQuotes gives.
func (s *Store) eventQuotesOf(ctx context.Context, ids []int64) (map[int64][]model.Quote, error) {
	out := make(map[int64][]model.Quote, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT q.event_id, q.text, q.speaker, q.role, q.mention, q.kind, q.cue, q.document_id,
		q."offset", q."end" FROM event_quotes q LEFT JOIN documents d ON d.id = q.document_id WHERE q.event_id = ANY($1)
		ORDER BY q.event_id, d.published NULLS FIRST, q.document_id, q."offset"`, ids)
	if err != nil {
		return nil, fmt.Errorf("quotes of events: %w", err)
	}
	qs, err := collect(rows, func(r pgx.CollectableRow) (model.Quote, error) {
		var q model.Quote
		var kind, cue string
		err := r.Scan(&q.EventID, &q.Text, &q.Speaker, &q.Role, &q.Mention, &kind, &cue, &q.DocumentID, &q.Start, &q.End)
		q.Kind, q.Cue = model.QuoteKind(kind), model.QuoteCue(cue)
		return q, err
	})
	if err != nil {
		return nil, fmt.Errorf("quotes of events: %w", err)
	}
	for _, q := range qs {
		out[q.EventID] = append(out[q.EventID], q)
	}
	return out, nil
}

// EditedFields lists which fields of event id people corrected.
func (s *Store) EditedFields(ctx context.Context, id int64) ([]string, error) {
	var title, typ *string
	var happened *int64
	var fields []string
	err := s.pool.QueryRow(ctx, "SELECT title, happened, type FROM event_edits WHERE event_id = $1", id).Scan(&title, &happened, &typ)
	switch {
	case err == nil:
		if title != nil {
			fields = append(fields, "title")
		}
		if happened != nil {
			fields = append(fields, "happened")
		}
		if typ != nil {
			fields = append(fields, "type")
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("edits of event %d: %w", id, err)
	}
	var pinned bool
	if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM event_pins WHERE event_id = $1 AND reason <> 'edit')", id).Scan(&pinned); err != nil {
		return nil, fmt.Errorf("edits of event %d: %w", id, err)
	}
	if pinned {
		fields = append(fields, "documents")
	}
	return fields, nil
}

// eventPageSize is how many events EachEvent reads per query.
const eventPageSize = 256

// EachEvent calls fn for every live event f selects, in happened order (edits
// applied), a page at a time with no result set open while fn runs.
func (s *Store) EachEvent(ctx context.Context, f store.EventFilter, fn func(model.Event) error) error {
	conds := []string{"NOT e.deleted"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Story != 0 {
		conds = append(conds, "e.story_id = "+arg(f.Story))
	}
	if len(f.Types) > 0 {
		types := make([]string, len(f.Types))
		for i, t := range f.Types {
			types[i] = string(t)
		}
		conds = append(conds, "COALESCE(x.type, e.type) = ANY("+arg(types)+")")
	}
	if !f.From.IsZero() {
		conds = append(conds, "COALESCE(x.happened, e.happened) >= "+arg(f.From.Unix()))
	}
	if !f.To.IsZero() {
		conds = append(conds, "COALESCE(x.happened, e.happened) <= "+arg(f.To.Unix()))
	}
	if len(f.Sources) > 0 {
		conds = append(conds, `EXISTS (SELECT 1 FROM event_documents ed JOIN documents d ON d.id = ed.document_id
			WHERE ed.event_id = e.id AND d.source_id = ANY(`+arg(f.Sources)+`))`)
	}
	if f.Official {
		conds = append(conds, "e.primary_document_ids <> '[]'")
	}
	if f.IDs != nil {
		ids := make([]int64, 0, len(f.IDs))
		for id, ok := range f.IDs {
			if ok {
				ids = append(ids, id)
			}
		}
		conds = append(conds, "e.id = ANY("+arg(ids)+")")
	}
	n := 0
	var afterHappened, afterID int64
	for page := 0; ; page++ {
		pageConds := conds
		pageArgs := args
		if page > 0 {
			pageConds = append(append([]string{}, conds...), fmt.Sprintf(
				"(COALESCE(x.happened, e.happened), e.id) > ($%d, $%d)", len(args)+1, len(args)+2))
			pageArgs = append(append([]any{}, args...), afterHappened, afterID)
		}
		q := "SELECT " + eventColumns + eventFrom + " WHERE " + strings.Join(pageConds, " AND ") +
			fmt.Sprintf(" ORDER BY COALESCE(x.happened, e.happened), e.id LIMIT %d", eventPageSize)
		events, err := s.queryEvents(ctx, q, pageArgs...)
		if err != nil {
			return fmt.Errorf("list events: %w", err)
		}
		// The page's quotes in one query, not one per event.
		ids := make([]int64, len(events))
		for i, e := range events {
			ids[i] = e.ID
		}
		quotes, err := s.eventQuotesOf(ctx, ids)
		if err != nil {
			return err
		}
		for _, e := range events {
			e.Quotes = quotes[e.ID]
			if err := fn(e); err != nil {
				return err
			}
			n++
			if f.Limit > 0 && n >= f.Limit {
				return nil
			}
		}
		if len(events) < eventPageSize {
			return nil
		}
		last := events[len(events)-1]
		afterHappened, afterID = unix(last.Happened), last.ID
	}
}

// EventsAfter returns up to limit events (merged or removed ones included)
// whose seq is above after, in seq order: the log of event changes.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]model.Event, error) {
	es, err := s.queryEvents(ctx, "SELECT "+eventColumns+eventFrom+" WHERE e.seq > $1 ORDER BY e.seq LIMIT $2", after, limit)
	if err != nil {
		return nil, fmt.Errorf("events after %d: %w", after, err)
	}
	return es, nil
}

// MaxEventSeq is the newest seq in the event log (0 when there are no events).
func (s *Store) MaxEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.pool.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM events").Scan(&seq); err != nil {
		return 0, fmt.Errorf("max event seq: %w", err)
	}
	return seq, nil
}

// EventIDsOfDocuments returns the set of live events that hold any of docs.
func (s *Store) EventIDsOfDocuments(ctx context.Context, docs []int64) (map[int64]bool, error) {
	m, err := s.EventsOfDocuments(ctx, docs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(m))
	for _, ev := range m {
		out[ev] = true
	}
	return out, nil
}

// EventsOfDocuments maps each of docs that belongs to an event to that event.
func (s *Store) EventsOfDocuments(ctx context.Context, docs []int64) (map[int64]int64, error) {
	return s.documentEvents(ctx, "events of documents", "event_documents", docs, "event_id")
}

// Pins returns the editor's pins (document -> event) for docs.
func (s *Store) Pins(ctx context.Context, docs []int64) (map[int64]int64, error) {
	return s.documentEvents(ctx, "pins", "event_pins", docs, "event_id")
}

// documentEvents maps each of docs that has a row in table (event_documents,
// event_pins or story_pins) to the value of column.
func (s *Store) documentEvents(ctx context.Context, what, table string, docs []int64, column string) (map[int64]int64, error) {
	out := make(map[int64]int64, len(docs))
	rows, err := s.pool.Query(ctx, "SELECT document_id, "+column+" FROM "+table+" WHERE document_id = ANY($1)", docs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d, e int64
		if err := rows.Scan(&d, &e); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out[d] = e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// EventMembers returns the members of event id in published order.
func (s *Store) EventMembers(ctx context.Context, id int64) ([]store.EventMember, error) {
	return s.members(ctx, "WHERE ed.event_id = $1", id)
}

// EventMembersStarted returns the members of every live event whose first
// document was published in [from, to], grouped by event.
func (s *Store) EventMembersStarted(ctx context.Context, from, to time.Time) ([]store.EventMember, error) {
	return s.members(ctx, `WHERE NOT e.deleted AND e.first_published >= $1 AND e.first_published <= $2`, unix(from), unix(to))
}

func (s *Store) members(ctx context.Context, where string, args ...any) ([]store.EventMember, error) {
	rows, err := s.pool.Query(ctx, `SELECT ed.document_id, ed.event_id, COALESCE(e.story_id, 0), ed.published, ed.role,
		ed.analysis FROM event_documents ed LEFT JOIN events e ON e.id = ed.event_id `+where+`
		ORDER BY ed.event_id, ed.published, ed.document_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("event members: %w", err)
	}
	ms, err := collect(rows, func(r pgx.CollectableRow) (store.EventMember, error) {
		var m store.EventMember
		var pub int64
		err := r.Scan(&m.DocumentID, &m.EventID, &m.StoryID, &pub, &m.Role, &m.Analysis)
		m.Published = fromUnix(pub)
		if len(m.Analysis) == 0 {
			m.Analysis = nil // as the embedded store reads an empty blob
		}
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("event members: %w", err)
	}
	return ms, nil
}

// MaxEventID is the highest event id used by events, pins or edits (0 if none).
func (s *Store) MaxEventID(ctx context.Context) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT GREATEST(COALESCE((SELECT MAX(id) FROM events), 0),
		COALESCE((SELECT MAX(event_id) FROM event_pins), 0), COALESCE((SELECT MAX(event_id) FROM event_edits), 0))`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("max event id: %w", err)
	}
	return id, nil
}

// ClusterState returns the named clusterer state (nil if none).
func (s *Store) ClusterState(ctx context.Context, name string) ([]byte, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, "SELECT value FROM cluster_state WHERE name = $1", name).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cluster state %s: %w", name, err)
	}
	return b, nil
}

// ResetEvents forgets every computed event, membership, quote and clusterer
// state and moves cursor back to 0, keeping people's pins, edits and merges.
func (s *Store) ResetEvents(ctx context.Context, cursor string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := lockEvents(ctx, tx); err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM event_quotes", "DELETE FROM document_quotes", "DELETE FROM event_documents",
			"DELETE FROM events WHERE merged_into = 0", "DELETE FROM stories WHERE merged_into = 0",
			"DELETE FROM cluster_state"} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("reset events: %w", err)
			}
		}
		return setCursorTx(ctx, tx, cursor, 0)
	})
}

// EventSources returns the documents of event id in published order.
func (s *Store) EventSources(ctx context.Context, id int64) ([]store.EventSource, error) {
	m, err := s.EventSourcesOf(ctx, []int64{id})
	return m[id], err
}

// EventSourcesOf is EventSources for many events in one query: a timeline
// page shows the sources of every event on it.
func (s *Store) EventSourcesOf(ctx context.Context, events []int64) (map[int64][]store.EventSource, error) {
	out := make(map[int64][]store.EventSource, len(events))
	if len(events) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT ed.event_id, d.id, d.canonical_url, d.source_id, d.title, d.published, d.published_offset, d.official,
		ed.role, COALESCE(d.duplicate_of, 0), COALESCE(u.url, '') FROM event_documents ed
		JOIN documents d ON d.id = ed.document_id
		LEFT JOIN document_urls u ON u.document_id = d.id AND u.url <> d.canonical_url
		WHERE ed.event_id = ANY($1) ORDER BY ed.event_id, d.published, d.id, u.url`, events)
	if err != nil {
		return nil, fmt.Errorf("sources of events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev, pub int64
		var offset int32
		var es store.EventSource
		var alias string
		if err := rows.Scan(&ev, &es.DocumentID, &es.URL, &es.SourceID, &es.Title, &pub, &offset, &es.Official, &es.Role,
			&es.DuplicateOf, &alias); err != nil {
			return nil, fmt.Errorf("sources of events: %w", err)
		}
		es.Published = model.InOffset(pub, int(offset))
		list := out[ev]
		if len(list) == 0 || list[len(list)-1].DocumentID != es.DocumentID {
			list = append(list, es)
		}
		if alias != "" {
			a := es
			a.URL, a.Alias = alias, true
			list = append(list, a)
		}
		out[ev] = list
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sources of events: %w", err)
	}
	for _, srcs := range out {
		store.SortEventSources(srcs)
	}
	return out, nil
}

// replaceDocumentQuotes makes qs the stored quotes of document id.
func replaceDocumentQuotes(ctx context.Context, tx pgx.Tx, id int64, qs []model.Quote) error {
	if _, err := tx.Exec(ctx, "DELETE FROM document_quotes WHERE document_id = $1", id); err != nil {
		return fmt.Errorf("save quotes of document %d: %w", id, err)
	}
	for _, q := range qs {
		_, err := tx.Exec(ctx, `INSERT INTO document_quotes(document_id, start, "end", kind, text, speaker, role, mention, cue)
			VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT DO NOTHING`,
			id, q.Start, q.End, string(q.Kind), q.Text, q.Speaker, q.Role, q.Mention, string(q.Cue))
		if err != nil {
			return fmt.Errorf("save quotes of document %d: %w", id, err)
		}
	}
	return nil
}

// DocumentQuotes returns the stored quotes of document id in text order
// (none, as an empty list, until the clusterer has processed the document).
func (s *Store) DocumentQuotes(ctx context.Context, id int64) ([]model.Quote, error) {
	rows, err := s.pool.Query(ctx, `SELECT start, "end", kind, text, speaker, role, mention, cue
		FROM document_quotes WHERE document_id = $1 ORDER BY start, "end"`, id)
	if err != nil {
		return nil, fmt.Errorf("quotes of document %d: %w", id, err)
	}
	qs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Quote, error) {
		q := model.Quote{DocumentID: id}
		var kind, cue string
		err := r.Scan(&q.Start, &q.End, &kind, &q.Text, &q.Speaker, &q.Role, &q.Mention, &cue)
		q.Kind, q.Cue = model.QuoteKind(kind), model.QuoteCue(cue)
		return q, err
	})
	if err != nil {
		return nil, fmt.Errorf("quotes of document %d: %w", id, err)
	}
	if qs == nil {
		qs = []model.Quote{}
	}
	return qs, nil
}

func sortedIDs[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
