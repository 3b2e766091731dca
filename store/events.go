package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
)

// ErrConflict is returned when a consumer's cursor moved under it: another
// process applied the same part of the log first. The caller should reload its
// state and carry on from the new cursor.
var ErrConflict = errors.New("cursor moved: another process is applying the same log")

// EventMember is one document's place in an event, with the timeline's
// per-document analysis (opaque to the store).
type EventMember struct {
	DocumentID int64
	EventID    int64
	StoryID    int64 // the event's story (read only: events carry it)
	Published  time.Time
	Role       string // what the document is to the event (model.DocumentRole)
	Analysis   []byte
}

// EventEdit is a human correction of an event. Nil fields are not edited.
type EventEdit struct {
	EventID   int64
	Title     *string
	Happened  *time.Time
	Precision *model.Precision
	Type      *model.EventType
}

// EventChanges is one batch of timeline output, applied in one transaction.
type EventChanges struct {
	// Events are computed events to insert or replace; their quotes replace
	// the stored ones. Each gets a new Seq.
	Events []model.Event
	// Members are documents to assign (or re-assign) to events.
	Members []EventMember
	// Unassigned documents belong to no event any more (e.g. deleted); their
	// quotes are removed.
	Unassigned []int64
	// Quotes replace the stored quotes of these documents (an empty list
	// clears them).
	Quotes map[int64][]model.Quote
	// Gone are events that no longer exist, mapped to the event that took their
	// documents (0: dissolved).
	Gone map[int64]int64
	// Pins assign documents to events for good (an editor's decision), for
	// PinReason ("merge", "split"; "edit" keeps an edited event's identity and
	// does not count as moving documents).
	Pins      map[int64]int64
	PinReason string
	// Edits are human corrections of events' fields (merged into any earlier).
	Edits []EventEdit
	// Importance updates events' importance only (events whose documents did
	// not change but whose story did).
	Importance map[int64]float64
	// Stories are computed stories to insert or replace.
	Stories []StoryRecord
	// GoneStories are stories that no longer exist, mapped to the story that
	// took their events (0: dissolved); events still naming them move there.
	GoneStories map[int64]int64
	// StoryPins put documents' events into a story for good (an editor's
	// decision), for StoryPinReason ("merge", "move", "edit").
	StoryPins      map[int64]int64
	StoryPinReason string
	// StoryEdits are human corrections of stories' titles.
	StoryEdits []StoryEdit
	// State is named clusterer state committed with the output.
	State map[string][]byte
	// Expect, when set, names state that must still hold these values (nil:
	// absent); otherwise nothing is written and ErrConflict returned. It lets a
	// long-running clusterer notice an editor's change it has not seen.
	Expect map[string][]byte
	// Cursor, when set, must still be at From; it is moved to To with the output.
	Cursor   string
	From, To int64
}

// ApplyEvents writes ch in one transaction. With ch.Cursor set it fails with
// ErrConflict if the cursor is no longer at ch.From.
func (s *Store) ApplyEvents(ctx context.Context, ch EventChanges) error {
	err := s.batch(ctx, func(c *stmts) error {
		if ch.Cursor != "" {
			var cur int64
			err := c.queryRow("SELECT seq FROM cursors WHERE name = ?", ch.Cursor).Scan(&cur)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read cursor %s: %w", ch.Cursor, err)
			}
			if cur != ch.From {
				return fmt.Errorf("cursor %s at %d, expected %d: %w", ch.Cursor, cur, ch.From, ErrConflict)
			}
		}
		for _, name := range sortedKeys(ch.Expect) {
			var have []byte
			err := c.queryRow("SELECT value FROM cluster_state WHERE name = ?", name).Scan(&have)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read cluster state %s: %w", name, err)
			}
			if !bytes.Equal(have, ch.Expect[name]) {
				return fmt.Errorf("cluster state %s changed: %w", name, ErrConflict)
			}
		}
		var seq int64
		if err := c.queryRow("SELECT COALESCE(MAX(seq), 0) FROM events").Scan(&seq); err != nil {
			return fmt.Errorf("event seq: %w", err)
		}
		for _, id := range ch.Unassigned {
			if _, err := c.exec("DELETE FROM event_documents WHERE document_id = ?", id); err != nil {
				return fmt.Errorf("unassign document %d: %w", id, err)
			}
			if err := replaceDocumentQuotes(c, id, nil); err != nil {
				return err
			}
		}
		for _, m := range ch.Members {
			if m.Analysis == nil {
				m.Analysis = []byte{}
			}
			_, err := c.exec(`INSERT INTO event_documents(document_id, event_id, published, role, analysis)
				VALUES(?,?,?,?,?) ON CONFLICT(document_id) DO UPDATE SET event_id = excluded.event_id,
				published = excluded.published, role = excluded.role, analysis = excluded.analysis`,
				m.DocumentID, m.EventID, unix(m.Published), m.Role, m.Analysis)
			if err != nil {
				return fmt.Errorf("assign document %d to event %d: %w", m.DocumentID, m.EventID, err)
			}
		}
		for _, id := range sortedKeys(ch.Quotes) {
			if err := replaceDocumentQuotes(c, id, ch.Quotes[id]); err != nil {
				return err
			}
		}
		for _, e := range ch.Events {
			seq++
			if err := upsertEvent(c, e, seq); err != nil {
				return err
			}
		}
		for _, id := range sortedKeys(ch.Gone) {
			seq++
			_, err := c.exec(`INSERT INTO events(id, seq, merged_into, deleted) VALUES(?,?,?,1)
				ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, merged_into = excluded.merged_into, deleted = 1`,
				id, seq, ch.Gone[id])
			if err != nil {
				return fmt.Errorf("remove event %d: %w", id, err)
			}
			if _, err := c.exec("DELETE FROM event_quotes WHERE event_id = ?", id); err != nil {
				return fmt.Errorf("remove event %d quotes: %w", id, err)
			}
		}
		now := unix(s.now())
		for _, doc := range sortedKeys(ch.Pins) {
			_, err := c.exec(`INSERT INTO event_pins(document_id, event_id, reason, pinned) VALUES(?,?,?,?)
				ON CONFLICT(document_id) DO UPDATE SET event_id = excluded.event_id, pinned = excluded.pinned,
				reason = CASE WHEN excluded.reason = 'edit' AND event_pins.event_id = excluded.event_id
					THEN event_pins.reason ELSE excluded.reason END`,
				doc, ch.Pins[doc], ch.PinReason, now)
			if err != nil {
				return fmt.Errorf("pin document %d: %w", doc, err)
			}
		}
		for _, ed := range ch.Edits {
			if err := upsertEdit(c, ed, now); err != nil {
				return err
			}
		}
		for _, id := range sortedKeys(ch.Importance) {
			if _, err := c.exec("UPDATE events SET importance = ? WHERE id = ?", ch.Importance[id], id); err != nil {
				return fmt.Errorf("event %d importance: %w", id, err)
			}
		}
		if err := applyStories(c, ch, now); err != nil {
			return err
		}
		for _, name := range sortedKeys(ch.State) {
			_, err := c.exec(`INSERT INTO cluster_state(name, value) VALUES(?,?)
				ON CONFLICT(name) DO UPDATE SET value = excluded.value`, name, ch.State[name])
			if err != nil {
				return fmt.Errorf("save cluster state %s: %w", name, err)
			}
		}
		if ch.Cursor != "" {
			return setCursorTx(ctx, c.tx, ch.Cursor, ch.To)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("apply events: %w", err)
	}
	return nil
}

func upsertEvent(c *stmts, e model.Event, seq int64) error {
	var first, last int64
	err := c.queryRow(`SELECT COALESCE(MIN(published), 0), COALESCE(MAX(published), 0)
		FROM event_documents WHERE event_id = ?`, e.ID).Scan(&first, &last)
	if err != nil {
		return fmt.Errorf("event %d window: %w", e.ID, err)
	}
	typ := e.Type
	if typ == "" {
		typ = model.TypeOther
	}
	_, err = c.exec(`INSERT INTO events(id, seq, title, happened, precision, date_confidence, date_phrase,
		type, type_evidence, type_confidence, actors, first_document_id, primary_document_ids, document_ids, mentioned,
		first_published, last_published, story_id, importance, responds_to, merged_into, deleted)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,0)
		ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, title = excluded.title, happened = excluded.happened,
		story_id = excluded.story_id, importance = excluded.importance, responds_to = excluded.responds_to,
		precision = excluded.precision, date_confidence = excluded.date_confidence, date_phrase = excluded.date_phrase,
		type = excluded.type, type_evidence = excluded.type_evidence, type_confidence = excluded.type_confidence,
		actors = excluded.actors, first_document_id = excluded.first_document_id,
		primary_document_ids = excluded.primary_document_ids, document_ids = excluded.document_ids,
		mentioned = excluded.mentioned, first_published = excluded.first_published,
		last_published = excluded.last_published, merged_into = 0, deleted = 0`,
		e.ID, seq, e.Title, unix(e.Happened), string(e.Precision), e.DateConfidence, e.DatePhrase,
		string(typ), e.TypeEvidence, e.TypeConfidence, jsonOf(e.Actors), e.FirstDocumentID,
		jsonOf(e.PrimaryDocumentIDs), jsonOf(e.DocumentIDs), jsonOf(e.Mentioned), first, last,
		e.Story.ID, e.Importance, e.RespondsTo)
	if err != nil {
		return fmt.Errorf("save event %d: %w", e.ID, err)
	}
	if _, err := c.exec("DELETE FROM event_quotes WHERE event_id = ?", e.ID); err != nil {
		return fmt.Errorf("save event %d quotes: %w", e.ID, err)
	}
	for _, q := range e.Quotes {
		_, err := c.exec(`INSERT OR IGNORE INTO event_quotes(event_id, document_id, offset, "end", kind,
			text, speaker, role, mention, cue) VALUES(?,?,?,?,?,?,?,?,?,?)`,
			e.ID, q.DocumentID, q.Start, q.End, string(q.Kind), q.Text, q.Speaker, q.Role, q.Mention, string(q.Cue))
		if err != nil {
			return fmt.Errorf("save event %d quotes: %w", e.ID, err)
		}
	}
	return nil
}

func upsertEdit(c *stmts, ed EventEdit, now int64) error {
	var title, precision, typ any
	var happened any
	if ed.Title != nil {
		title = *ed.Title
	}
	if ed.Happened != nil {
		happened = unix(*ed.Happened)
	}
	if ed.Precision != nil {
		precision = string(*ed.Precision)
	}
	if ed.Type != nil {
		typ = string(*ed.Type)
	}
	_, err := c.exec(`INSERT INTO event_edits(event_id, title, happened, precision, type, edited)
		VALUES(?,?,?,?,?,?) ON CONFLICT(event_id) DO UPDATE SET
		title = COALESCE(excluded.title, title), happened = COALESCE(excluded.happened, happened),
		precision = COALESCE(excluded.precision, precision), type = COALESCE(excluded.type, type),
		edited = excluded.edited`, ed.EventID, title, happened, precision, typ, now)
	if err != nil {
		return fmt.Errorf("edit event %d: %w", ed.EventID, err)
	}
	// Bump the event's seq so consumers tailing events see the correction.
	_, err = c.exec(`UPDATE events SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM events) WHERE id = ?`, ed.EventID)
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
	e.story_id, COALESCE(sx.title, s.title, ''), e.importance, e.responds_to`

const eventFrom = ` FROM events e LEFT JOIN event_edits x ON x.event_id = e.id
	LEFT JOIN stories s ON s.id = e.story_id LEFT JOIN story_edits sx ON sx.story_id = e.story_id`

func scanEvent(sc scanner) (model.Event, error) {
	var e model.Event
	var happened int64
	var precision, typ, actors, primary, docs, mentioned string
	err := sc.Scan(&e.ID, &e.Seq, &e.Title, &happened, &precision, &e.DateConfidence, &e.DatePhrase, &typ,
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

// Event returns event id with its quotes and human edits applied. A merged
// event is ErrNotFound; MergedInto says where it went.
func (s *Store) Event(ctx context.Context, id int64) (model.Event, error) {
	e, err := scanEvent(s.queryRow(ctx, "SELECT "+eventColumns+eventFrom+" WHERE e.id = ? AND e.deleted = 0", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("event %d: %w", id, ErrNotFound)
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
	err := s.queryRow(ctx, "SELECT merged_into FROM events WHERE id = ?", id).Scan(&into)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("event %d: %w", id, ErrNotFound)
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
	rows, err := s.query(ctx, `SELECT q.event_id, q.text, q.speaker, q.role, q.mention, q.kind, q.cue, q.document_id,
		q.offset, q."end" FROM event_quotes q LEFT JOIN documents d ON d.id = q.document_id
		WHERE q.event_id IN (SELECT value FROM json_each(?)) ORDER BY q.event_id, d.published, q.document_id, q.offset`, jsonOf(ids))
	if err != nil {
		return nil, fmt.Errorf("quotes of events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q model.Quote
		var kind, cue string
		if err := rows.Scan(&q.EventID, &q.Text, &q.Speaker, &q.Role, &q.Mention, &kind, &cue, &q.DocumentID, &q.Start, &q.End); err != nil {
			return nil, fmt.Errorf("quotes of events: %w", err)
		}
		q.Kind, q.Cue = model.QuoteKind(kind), model.QuoteCue(cue)
		out[q.EventID] = append(out[q.EventID], q)
	}
	return out, rows.Err()
}

// EditedFields lists which fields of event id people corrected: title,
// happened, type, and documents (pinned by a merge or split).
func (s *Store) EditedFields(ctx context.Context, id int64) ([]string, error) {
	var title, typ sql.NullString
	var happened sql.NullInt64
	var fields []string
	err := s.queryRow(ctx, "SELECT title, happened, type FROM event_edits WHERE event_id = ?", id).Scan(&title, &happened, &typ)
	switch {
	case err == nil:
		if title.Valid {
			fields = append(fields, "title")
		}
		if happened.Valid {
			fields = append(fields, "happened")
		}
		if typ.Valid {
			fields = append(fields, "type")
		}
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("edits of event %d: %w", id, err)
	}
	var pinned int
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM event_pins WHERE event_id = ? AND reason <> 'edit'", id).Scan(&pinned); err != nil {
		return nil, fmt.Errorf("edits of event %d: %w", id, err)
	}
	if pinned > 0 {
		fields = append(fields, "documents")
	}
	return fields, nil
}

// EventFilter selects events. Zero fields select everything.
type EventFilter struct {
	IDs      map[int64]bool // only these events (nil: all)
	Story    int64          // only the events of this story (0: all)
	Types    []model.EventType
	From, To time.Time // happened range, inclusive
	Sources  []string  // events with a document from one of these sources
	Official bool      // events with at least one official document
	Limit    int
}

// EachEvent calls fn for every live event f selects, in happened order (edits
// applied), reading rows as it goes so memory stays flat. Quotes are included.
func (s *Store) EachEvent(ctx context.Context, f EventFilter, fn func(model.Event) error) error {
	conds := []string{"e.deleted = 0"}
	var args []any
	if f.Story != 0 {
		conds = append(conds, "e.story_id = ?")
		args = append(args, f.Story)
	}
	if len(f.Types) > 0 {
		conds = append(conds, "COALESCE(x.type, e.type) IN (?"+strings.Repeat(",?", len(f.Types)-1)+")")
		for _, t := range f.Types {
			args = append(args, string(t))
		}
	}
	if !f.From.IsZero() {
		conds = append(conds, "COALESCE(x.happened, e.happened) >= ?")
		args = append(args, f.From.Unix())
	}
	if !f.To.IsZero() {
		conds = append(conds, "COALESCE(x.happened, e.happened) <= ?")
		args = append(args, f.To.Unix())
	}
	if len(f.Sources) > 0 {
		conds = append(conds, `EXISTS (SELECT 1 FROM event_documents ed JOIN documents d ON d.id = ed.document_id
			WHERE ed.event_id = e.id AND d.source_id IN (?`+strings.Repeat(",?", len(f.Sources)-1)+"))")
		for _, src := range f.Sources {
			args = append(args, src)
		}
	}
	if f.Official {
		conds = append(conds, "e.primary_document_ids <> '[]'")
	}
	// A topic's events (a few out of tens of thousands) are read by id; a
	// set so large that reading it page by page would cost more than one
	// walk through every event is filtered while walking.
	filterIDs := f.IDs != nil
	if filterIDs && len(f.IDs) <= maxEventIDList {
		if len(f.IDs) == 0 {
			return nil
		}
		conds = append(conds, "e.id IN (SELECT value FROM json_each(?))")
		args = append(args, jsonOf(sortedKeys(f.IDs)))
		filterIDs = false
	}
	// Events are read a page at a time and each page's rows are closed before
	// fn and the quote queries run: holding a result set open while issuing
	// more queries pins a pooled connection per caller, and enough concurrent
	// timelines would then wait on each other for ever.
	n := 0
	var afterHappened, afterID int64
	for page := 0; ; page++ {
		pageConds, pageArgs := conds, args
		if page > 0 {
			pageConds = append(append([]string{}, conds...),
				"(COALESCE(x.happened, e.happened) > ? OR (COALESCE(x.happened, e.happened) = ? AND e.id > ?))")
			pageArgs = append(append([]any{}, args...), afterHappened, afterHappened, afterID)
		}
		q := "SELECT " + eventColumns + eventFrom + " WHERE " + strings.Join(pageConds, " AND ") +
			" ORDER BY COALESCE(x.happened, e.happened), e.id LIMIT ?"
		events, err := s.queryEvents(ctx, q, append(pageArgs, eventPageSize)...)
		if err != nil {
			return fmt.Errorf("list events: %w", err)
		}
		// The page's quotes in one query, not one per event.
		var ids []int64
		for _, e := range events {
			if !filterIDs || f.IDs[e.ID] {
				ids = append(ids, e.ID)
			}
		}
		quotes, err := s.eventQuotesOf(ctx, ids)
		if err != nil {
			return err
		}
		for _, e := range events {
			if filterIDs && !f.IDs[e.ID] {
				continue
			}
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

// eventPageSize is how many events EachEvent reads per query.
const eventPageSize = 256

// maxEventIDList is the most event ids EachEvent asks for by id: every page
// looks each of them up again, so beyond this walking every event is
// cheaper.
const maxEventIDList = 4 * eventPageSize

// queryEvents runs an event query and reads every row before returning.
func (s *Store) queryEvents(ctx context.Context, q string, args ...any) ([]model.Event, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var events []model.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, rows.Err()
}

// EventsAfter returns up to limit events (merged or removed ones included,
// with an empty Title and no documents) whose seq is above after, in seq
// order: the log of event changes.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]model.Event, error) {
	rows, err := s.query(ctx, "SELECT "+eventColumns+eventFrom+" WHERE e.seq > ? ORDER BY e.seq LIMIT ?", after, limit)
	if err != nil {
		return nil, fmt.Errorf("events after %d: %w", after, err)
	}
	defer rows.Close()
	var es []model.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("events after %d: %w", after, err)
		}
		es = append(es, e)
	}
	return es, rows.Err()
}

// EventIDsOfDocuments returns the set of live events that hold any of docs.
func (s *Store) EventIDsOfDocuments(ctx context.Context, docs []int64) (map[int64]bool, error) {
	out := make(map[int64]bool)
	m, err := s.EventsOfDocuments(ctx, docs)
	if err != nil {
		return nil, err
	}
	for _, ev := range m {
		out[ev] = true
	}
	return out, nil
}

// EventsOfDocuments maps each of docs that belongs to an event to that event.
func (s *Store) EventsOfDocuments(ctx context.Context, docs []int64) (map[int64]int64, error) {
	return s.documentEvents(ctx, "events of documents", "event_documents", docs, "event_id")
}

// documentEvents maps each of docs that has a row in table (a document_id
// table: event_documents, event_pins or story_pins) to the value of column.
// The ids go in as one JSON array, so the statement is the same for any
// number of them (prepared once) and a topic's thousands of documents are one
// query.
func (s *Store) documentEvents(ctx context.Context, what, table string, docs []int64, column string) (map[int64]int64, error) {
	out := make(map[int64]int64, len(docs))
	if len(docs) == 0 {
		return out, nil
	}
	rows, err := s.query(ctx, "SELECT document_id, "+column+" FROM "+table+" WHERE document_id IN (SELECT value FROM json_each(?))", jsonOf(docs))
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
func (s *Store) EventMembers(ctx context.Context, id int64) ([]EventMember, error) {
	return s.members(ctx, "WHERE ed.event_id = ?", id)
}

// EventMembersStarted returns the members of every live event whose first
// document was published in [from, to], grouped by event.
func (s *Store) EventMembersStarted(ctx context.Context, from, to time.Time) ([]EventMember, error) {
	return s.members(ctx, `WHERE e.deleted = 0 AND e.first_published >= ? AND e.first_published <= ?`, unix(from), unix(to))
}

func (s *Store) members(ctx context.Context, where string, args ...any) ([]EventMember, error) {
	rows, err := s.query(ctx, `SELECT ed.document_id, ed.event_id, COALESCE(e.story_id, 0), ed.published,
		ed.role, ed.analysis FROM event_documents ed LEFT JOIN events e ON e.id = ed.event_id `+where+`
		ORDER BY ed.event_id, ed.published, ed.document_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("event members: %w", err)
	}
	defer rows.Close()
	var ms []EventMember
	for rows.Next() {
		var m EventMember
		var pub int64
		if err := rows.Scan(&m.DocumentID, &m.EventID, &m.StoryID, &pub, &m.Role, &m.Analysis); err != nil {
			return nil, fmt.Errorf("event members: %w", err)
		}
		m.Published = fromUnix(pub)
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// Pins returns the editor's pins (document -> event) for docs.
func (s *Store) Pins(ctx context.Context, docs []int64) (map[int64]int64, error) {
	return s.documentEvents(ctx, "pins", "event_pins", docs, "event_id")
}

// MaxEventID is the highest event id used by events, pins or edits (0 if none),
// so new events never reuse an id a correction refers to.
func (s *Store) MaxEventID(ctx context.Context) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT MAX(COALESCE((SELECT MAX(id) FROM events), 0),
		COALESCE((SELECT MAX(event_id) FROM event_pins), 0), COALESCE((SELECT MAX(event_id) FROM event_edits), 0))`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("max event id: %w", err)
	}
	return id, nil
}

// ClusterState returns the named clusterer state (nil if none).
func (s *Store) ClusterState(ctx context.Context, name string) ([]byte, error) {
	var b []byte
	err := s.queryRow(ctx, "SELECT value FROM cluster_state WHERE name = ?", name).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cluster state %s: %w", name, err)
	}
	return b, nil
}

// ResetEvents forgets every computed event, membership, quote and clusterer
// state and moves cursor back to 0, keeping people's pins, edits and merges, so the
// next clustering run rebuilds events from the whole log with corrections
// still applied.
func (s *Store) ResetEvents(ctx context.Context, cursor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Records of merges stay, so a merged-away id still leads somewhere.
		for _, q := range []string{"DELETE FROM event_quotes", "DELETE FROM document_quotes", "DELETE FROM event_documents",
			"DELETE FROM events WHERE merged_into = 0", "DELETE FROM stories WHERE merged_into = 0",
			"DELETE FROM cluster_state"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("reset events: %w", err)
			}
		}
		return setCursorTx(ctx, tx, cursor, 0)
	})
}

// EventSource is one document of an event, as a timeline lists it. A
// document known under more URLs than its canonical one (an imported row
// whose text repeats an earlier row's, a page served at two addresses) is
// listed once more for each of them, with Alias set, so every URL ever stored
// appears in exactly one event.
type EventSource struct {
	DocumentID int64     `json:"document_id"`
	URL        string    `json:"url"`
	SourceID   string    `json:"source"`
	Title      string    `json:"title"`
	Published  time.Time `json:"published"`
	// PublishedPrecision is "day" when only the day of publication is known
	// (Published is then midnight UTC); absent when the time is known too.
	PublishedPrecision model.Precision `json:"published_precision,omitempty"`
	Official           bool            `json:"official"`
	Role               string          `json:"role,omitempty"`
	DuplicateOf        int64           `json:"duplicate_of,omitempty"`
	Alias              bool            `json:"alias,omitempty"` // another URL of the document just before
}

// EventSources returns the documents of event id in published order, a date
// known only to the day counting as that day's end (model.LatestPublished):
// a wire story stamped 08:40 comes before a page dated only to that day. Each
// document is followed by its other URLs.
func (s *Store) EventSources(ctx context.Context, id int64) ([]EventSource, error) {
	m, err := s.EventSourcesOf(ctx, []int64{id})
	return m[id], err
}

// EventSourcesOf is EventSources for many events in one query: a timeline
// page shows the sources of every event on it.
func (s *Store) EventSourcesOf(ctx context.Context, events []int64) (map[int64][]EventSource, error) {
	out := make(map[int64][]EventSource, len(events))
	if len(events) == 0 {
		return out, nil
	}
	rows, err := s.query(ctx, `SELECT ed.event_id, d.id, d.canonical_url, d.source_id, d.title, d.published, d.published_offset, d.official,
		ed.role, COALESCE(d.duplicate_of, 0), COALESCE(u.url, '') FROM event_documents ed
		JOIN documents d ON d.id = ed.document_id
		LEFT JOIN document_urls u ON u.document_id = d.id AND u.url <> d.canonical_url
		WHERE ed.event_id IN (SELECT value FROM json_each(?)) ORDER BY ed.event_id, d.published, d.id, u.url`, jsonOf(events))
	if err != nil {
		return nil, fmt.Errorf("sources of events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev, pub int64
		var offset int
		var es EventSource
		var alias string
		if err := rows.Scan(&ev, &es.DocumentID, &es.URL, &es.SourceID, &es.Title, &pub, &offset, &es.Official, &es.Role,
			&es.DuplicateOf, &alias); err != nil {
			return nil, fmt.Errorf("sources of events: %w", err)
		}
		es.Published = model.InOffset(pub, offset)
		srcs := out[ev]
		if len(srcs) == 0 || srcs[len(srcs)-1].DocumentID != es.DocumentID {
			srcs = append(srcs, es)
		}
		if alias != "" {
			a := es
			a.URL, a.Alias = alias, true
			srcs = append(srcs, a)
		}
		out[ev] = srcs
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sources of events: %w", err)
	}
	for _, srcs := range out {
		SortEventSources(srcs)
	}
	return out, nil
}

// SortEventSources marks the sources whose publication is known only to the
// day and orders them by publication, such a date counting as that day's
// end. Every store's EventSources ends with it.
func SortEventSources(out []EventSource) {
	for i := range out {
		if model.DayOnly(out[i].Published) {
			out[i].PublishedPrecision = model.PrecisionDay
		}
	}
	// Stable: a document's other URLs (aliases) stay right after it.
	sort.SliceStable(out, func(i, j int) bool {
		return model.LatestPublished(out[i].Published).Before(model.LatestPublished(out[j].Published))
	})
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "[]"
	}
	return string(b)
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
