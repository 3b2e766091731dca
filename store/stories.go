package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
)

// StoryRecord is a story as the clusterer computed it, with its model (opaque
// to the store). An empty Title keeps the stored one.
type StoryRecord struct {
	ID         int64
	Title      string
	Importance float64
	Model      []byte
}

// StoryEdit is a human correction of a story's title.
type StoryEdit struct {
	StoryID int64
	Title   string
}

// applyStories writes the story part of ch inside ApplyEvents' transaction.
func applyStories(c *stmts, ch EventChanges, now int64) error {
	if len(ch.Stories) == 0 && len(ch.GoneStories) == 0 && len(ch.StoryPins) == 0 && len(ch.StoryEdits) == 0 {
		return nil
	}
	var seq int64
	if err := c.queryRow("SELECT COALESCE(MAX(seq), 0) FROM stories").Scan(&seq); err != nil {
		return fmt.Errorf("story seq: %w", err)
	}
	for _, st := range ch.Stories {
		seq++
		if st.Model == nil {
			st.Model = []byte{}
		}
		_, err := c.exec(`INSERT INTO stories(id, seq, title, importance, model, merged_into, deleted)
			VALUES(?,?,?,?,?,0,0) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq,
			title = CASE WHEN excluded.title = '' THEN stories.title ELSE excluded.title END,
			importance = excluded.importance, model = excluded.model, merged_into = 0, deleted = 0`,
			st.ID, seq, st.Title, st.Importance, st.Model)
		if err != nil {
			return fmt.Errorf("save story %d: %w", st.ID, err)
		}
	}
	for _, id := range sortedKeys(ch.GoneStories) {
		seq++
		into := ch.GoneStories[id]
		_, err := c.exec(`INSERT INTO stories(id, seq, merged_into, deleted) VALUES(?,?,?,1)
			ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, merged_into = excluded.merged_into, deleted = 1,
			model = x''`, id, seq, into)
		if err != nil {
			return fmt.Errorf("remove story %d: %w", id, err)
		}
		if into != 0 {
			if _, err := c.exec("UPDATE events SET story_id = ? WHERE story_id = ?", into, id); err != nil {
				return fmt.Errorf("move events of story %d: %w", id, err)
			}
		}
	}
	for _, doc := range sortedKeys(ch.StoryPins) {
		_, err := c.exec(`INSERT INTO story_pins(document_id, story_id, reason, pinned) VALUES(?,?,?,?)
			ON CONFLICT(document_id) DO UPDATE SET story_id = excluded.story_id, pinned = excluded.pinned,
			reason = CASE WHEN excluded.reason = 'edit' AND story_pins.story_id = excluded.story_id
				THEN story_pins.reason ELSE excluded.reason END`,
			doc, ch.StoryPins[doc], ch.StoryPinReason, now)
		if err != nil {
			return fmt.Errorf("pin document %d to a story: %w", doc, err)
		}
	}
	for _, ed := range ch.StoryEdits {
		_, err := c.exec(`INSERT INTO story_edits(story_id, title, edited) VALUES(?,?,?)
			ON CONFLICT(story_id) DO UPDATE SET title = excluded.title, edited = excluded.edited`, ed.StoryID, ed.Title, now)
		if err != nil {
			return fmt.Errorf("edit story %d: %w", ed.StoryID, err)
		}
		seq++
		if _, err := c.exec("UPDATE stories SET seq = ? WHERE id = ?", seq, ed.StoryID); err != nil {
			return fmt.Errorf("edit story %d: %w", ed.StoryID, err)
		}
	}
	return nil
}

// StoryModels calls fn with the id and model of every live story, for the
// clusterer to resume from.
func (s *Store) StoryModels(ctx context.Context, fn func(id int64, model []byte) error) error {
	rows, err := s.db.QueryContext(ctx, "SELECT id, model FROM stories WHERE deleted = 0 ORDER BY id")
	if err != nil {
		return fmt.Errorf("story models: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return fmt.Errorf("story models: %w", err)
		}
		if err := fn(id, b); err != nil {
			return err
		}
	}
	return rows.Err()
}

// MaxStoryID is the highest story id used by stories, pins or edits (0 if
// none), so new stories never reuse an id a correction refers to.
func (s *Store) MaxStoryID(ctx context.Context) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT MAX(COALESCE((SELECT MAX(id) FROM stories), 0),
		COALESCE((SELECT MAX(story_id) FROM story_pins), 0), COALESCE((SELECT MAX(story_id) FROM story_edits), 0))`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("max story id: %w", err)
	}
	return id, nil
}

// StoryPins returns the editors' story pins (document -> story) for docs.
func (s *Store) StoryPins(ctx context.Context, docs []int64) (map[int64]int64, error) {
	return s.documentEvents(ctx, "story pins", "story_pins", docs, "story_id")
}

// PinnedStories is the set of stories people corrected (pinned documents
// to, or renamed): the clusterer never merges them away.
func (s *Store) PinnedStories(ctx context.Context) (map[int64]bool, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT DISTINCT story_id FROM story_pins UNION SELECT story_id FROM story_edits")
	if err != nil {
		return nil, fmt.Errorf("pinned stories: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("pinned stories: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// storyColumns reads a story with its counts over live events and a human
// title over the computed one.
const storyColumns = `s.id, s.seq, COALESCE(x.title, s.title), s.importance, sx.events, sx.documents,
	sx.first, sx.last, sx.activity, x.story_id IS NOT NULL OR EXISTS (SELECT 1 FROM story_pins p
	WHERE p.story_id = s.id AND p.reason <> 'edit')`

const storyFrom = ` FROM stories s LEFT JOIN story_edits x ON x.story_id = s.id
	JOIN (SELECT e.story_id AS id, COUNT(*) AS events, SUM(json_array_length(e.document_ids)) AS documents,
		MIN(COALESCE(ex.happened, e.happened)) AS first, MAX(COALESCE(ex.happened, e.happened)) AS last,
		MAX(e.last_published) AS activity
		FROM events e LEFT JOIN event_edits ex ON ex.event_id = e.id
		WHERE e.deleted = 0 GROUP BY e.story_id) sx ON sx.id = s.id`

func scanStory(sc scanner) (model.Story, error) {
	var st model.Story
	var first, last, activity int64
	err := sc.Scan(&st.ID, &st.Seq, &st.Title, &st.Importance, &st.Events, &st.Documents, &first, &last, &activity, &st.Edited)
	st.First, st.Last, st.LastActivity = fromUnix(first), fromUnix(last), fromUnix(activity)
	return st, err
}

// Story returns story id with its counts. A merged story is ErrNotFound;
// MergedStoryInto says where it went.
func (s *Store) Story(ctx context.Context, id int64) (model.Story, error) {
	st, err := scanStory(s.db.QueryRowContext(ctx, "SELECT "+storyColumns+storyFrom+" WHERE s.id = ? AND s.deleted = 0", id))
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("story %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("story %d: %w", id, err)
	}
	return st, nil
}

// MergedStoryInto returns the story that took story id's events (0 if id was
// not merged).
func (s *Store) MergedStoryInto(ctx context.Context, id int64) (int64, error) {
	var into int64
	err := s.db.QueryRowContext(ctx, "SELECT merged_into FROM stories WHERE id = ?", id).Scan(&into)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("story %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("story %d: %w", id, err)
	}
	return into, nil
}

// StoryFilter selects and orders stories.
type StoryFilter struct {
	// Sort: "activity" (latest document first, the default), "importance"
	// (most important first) or "events" (most events first).
	Sort    string
	Since   time.Time // only stories with a document published since
	MinDocs int       // only stories with at least this many documents
	Limit   int
	Offset  int
}

// Stories returns the live stories f selects, in its order.
func (s *Store) Stories(ctx context.Context, f StoryFilter) ([]model.Story, error) {
	order := "sx.activity DESC, s.id DESC"
	switch f.Sort {
	case "importance":
		order = "s.importance DESC, s.id"
	case "events":
		order = "sx.events DESC, s.id"
	case "", "activity":
	default:
		return nil, fmt.Errorf("stories: unknown sort %q (use activity, importance or events)", f.Sort)
	}
	q := "SELECT " + storyColumns + storyFrom + " WHERE s.deleted = 0"
	var args []any
	if !f.Since.IsZero() {
		q += " AND sx.activity >= ?"
		args = append(args, unix(f.Since))
	}
	if f.MinDocs > 0 {
		q += " AND sx.documents >= ?"
		args = append(args, f.MinDocs)
	}
	q += " ORDER BY " + order
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	q += " LIMIT ? OFFSET ?"
	args = append(args, limit, max(0, f.Offset))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	defer rows.Close()
	var out []model.Story
	for rows.Next() {
		st, err := scanStory(rows)
		if err != nil {
			return nil, fmt.Errorf("stories: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// StoryDocuments returns the documents of every event of story id.
func (s *Store) StoryDocuments(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ed.document_id FROM event_documents ed JOIN events e ON e.id = ed.event_id
		WHERE e.story_id = ? AND e.deleted = 0 ORDER BY ed.document_id`, id)
	if err != nil {
		return nil, fmt.Errorf("documents of story %d: %w", id, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("documents of story %d: %w", id, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// HasEvents reports whether any live event is stored.
func (s *Store) HasEvents(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM events WHERE deleted = 0)").Scan(&n); err != nil {
		return false, fmt.Errorf("has events: %w", err)
	}
	return n == 1, nil
}

// StoryModel returns the stored model of story id (nil if none).
func (s *Store) StoryModel(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, "SELECT model FROM stories WHERE id = ? AND deleted = 0", id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("story %d model: %w", id, err)
	}
	return b, nil
}

// MembersOfDocuments returns the event memberships of docs (those that have
// one), with their analyses.
func (s *Store) MembersOfDocuments(ctx context.Context, docs []int64) ([]EventMember, error) {
	var out []EventMember
	const chunk = 500
	for i := 0; i < len(docs); i += chunk {
		part := docs[i:min(i+chunk, len(docs))]
		args := make([]any, len(part))
		for j, d := range part {
			args[j] = d
		}
		ms, err := s.members(ctx, "WHERE ed.document_id IN (?"+strings.Repeat(",?", len(part)-1)+")", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

// StoryMembers returns the members of every live event of story id, grouped
// by event.
func (s *Store) StoryMembers(ctx context.Context, id int64) ([]EventMember, error) {
	return s.members(ctx, "WHERE e.story_id = ? AND e.deleted = 0", id)
}

// StorySources returns the sources of story id's documents, most documents
// first.
func (s *Store) StorySources(ctx context.Context, id int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.source_id FROM event_documents ed JOIN events e ON e.id = ed.event_id
		JOIN documents d ON d.id = ed.document_id WHERE e.story_id = ? AND e.deleted = 0
		GROUP BY d.source_id ORDER BY COUNT(*) DESC, d.source_id`, id)
	if err != nil {
		return nil, fmt.Errorf("sources of story %d: %w", id, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var src string
		if err := rows.Scan(&src); err != nil {
			return nil, fmt.Errorf("sources of story %d: %w", id, err)
		}
		out = append(out, src)
	}
	return out, rows.Err()
}
