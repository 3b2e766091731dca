package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// applyStories writes the story part of ch inside ApplyEvents' transaction
// (which holds the events lock, so story seqs need no log head of their own).
func applyStories(ctx context.Context, tx pgx.Tx, ch store.EventChanges, now int64) error {
	if len(ch.Stories) == 0 && len(ch.GoneStories) == 0 && len(ch.StoryPins) == 0 && len(ch.StoryEdits) == 0 {
		return nil
	}
	var seq int64
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM stories").Scan(&seq); err != nil {
		return fmt.Errorf("story seq: %w", err)
	}
	for _, st := range ch.Stories {
		seq++
		if st.Model == nil {
			st.Model = []byte{}
		}
		_, err := tx.Exec(ctx, `INSERT INTO stories(id, seq, title, importance, model, merged_into, deleted)
			VALUES($1,$2,$3,$4,$5,0,false) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq,
			title = CASE WHEN excluded.title = '' THEN stories.title ELSE excluded.title END,
			importance = excluded.importance, model = excluded.model, merged_into = 0, deleted = false`,
			st.ID, seq, st.Title, st.Importance, st.Model)
		if err != nil {
			return fmt.Errorf("save story %d: %w", st.ID, err)
		}
	}
	for _, id := range sortedIDs(ch.GoneStories) {
		seq++
		into := ch.GoneStories[id]
		_, err := tx.Exec(ctx, `INSERT INTO stories(id, seq, merged_into, deleted) VALUES($1,$2,$3,true)
			ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, merged_into = excluded.merged_into, deleted = true,
			model = ''`, id, seq, into)
		if err != nil {
			return fmt.Errorf("remove story %d: %w", id, err)
		}
		if into != 0 {
			if _, err := tx.Exec(ctx, "UPDATE events SET story_id = $1 WHERE story_id = $2", into, id); err != nil {
				return fmt.Errorf("move events of story %d: %w", id, err)
			}
		}
	}
	for _, doc := range sortedIDs(ch.StoryPins) {
		_, err := tx.Exec(ctx, `INSERT INTO story_pins(document_id, story_id, reason, pinned) VALUES($1,$2,$3,$4)
			ON CONFLICT(document_id) DO UPDATE SET story_id = excluded.story_id, pinned = excluded.pinned,
			reason = CASE WHEN excluded.reason = 'edit' AND story_pins.story_id = excluded.story_id
				THEN story_pins.reason ELSE excluded.reason END`,
			doc, ch.StoryPins[doc], ch.StoryPinReason, now)
		if err != nil {
			return fmt.Errorf("pin document %d to a story: %w", doc, err)
		}
	}
	for _, ed := range ch.StoryEdits {
		_, err := tx.Exec(ctx, `INSERT INTO story_edits(story_id, title, edited) VALUES($1,$2,$3)
			ON CONFLICT(story_id) DO UPDATE SET title = excluded.title, edited = excluded.edited`, ed.StoryID, ed.Title, now)
		if err != nil {
			return fmt.Errorf("edit story %d: %w", ed.StoryID, err)
		}
		seq++
		if _, err := tx.Exec(ctx, "UPDATE stories SET seq = $1 WHERE id = $2", seq, ed.StoryID); err != nil {
			return fmt.Errorf("edit story %d: %w", ed.StoryID, err)
		}
	}
	return nil
}

// StoryModels calls fn with the id and model of every live story.
func (s *Store) StoryModels(ctx context.Context, fn func(id int64, model []byte) error) error {
	rows, err := s.pool.Query(ctx, "SELECT id, model FROM stories WHERE NOT deleted ORDER BY id")
	if err != nil {
		return fmt.Errorf("story models: %w", err)
	}
	type rec struct {
		id    int64
		model []byte
	}
	recs, err := collect(rows, func(r pgx.CollectableRow) (rec, error) {
		var x rec
		err := r.Scan(&x.id, &x.model)
		return x, err
	})
	if err != nil {
		return fmt.Errorf("story models: %w", err)
	}
	for _, x := range recs {
		if err := fn(x.id, x.model); err != nil {
			return err
		}
	}
	return nil
}

// StoryModel returns the stored model of story id (nil if none).
func (s *Store) StoryModel(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, "SELECT model FROM stories WHERE id = $1 AND NOT deleted", id).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("story %d model: %w", id, err)
	}
	return b, nil
}

// StoryMembers returns the members of every live event of story id, grouped
// by event.
func (s *Store) StoryMembers(ctx context.Context, id int64) ([]store.EventMember, error) {
	return s.members(ctx, "WHERE e.story_id = $1 AND NOT e.deleted", id)
}

// MembersOfDocuments returns the event memberships of docs.
func (s *Store) MembersOfDocuments(ctx context.Context, docs []int64) ([]store.EventMember, error) {
	return s.members(ctx, "WHERE ed.document_id = ANY($1)", docs)
}

// MaxStoryID is the highest story id used by stories, pins or edits.
func (s *Store) MaxStoryID(ctx context.Context) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT GREATEST(COALESCE((SELECT MAX(id) FROM stories), 0),
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

// PinnedStories is the set of stories people corrected.
func (s *Store) PinnedStories(ctx context.Context) (map[int64]bool, error) {
	rows, err := s.pool.Query(ctx, "SELECT DISTINCT story_id FROM story_pins UNION SELECT story_id FROM story_edits")
	if err != nil {
		return nil, fmt.Errorf("pinned stories: %w", err)
	}
	ids, err := collect(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("pinned stories: %w", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// HasEvents reports whether any live event is stored.
func (s *Store) HasEvents(ctx context.Context) (bool, error) {
	var has bool
	if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM events WHERE NOT deleted)").Scan(&has); err != nil {
		return false, fmt.Errorf("has events: %w", err)
	}
	return has, nil
}

// storyColumns and storyFrom read a story with its counts over live events
// and a human title over the computed one.
const storyColumns = `s.id, s.seq, COALESCE(x.title, s.title), s.importance, sx.events, sx.documents,
	sx.first, sx.last, sx.activity, x.story_id IS NOT NULL OR EXISTS (SELECT 1 FROM story_pins p
	WHERE p.story_id = s.id AND p.reason <> 'edit')`

const storyFrom = ` FROM stories s LEFT JOIN story_edits x ON x.story_id = s.id
	JOIN (SELECT e.story_id AS id, COUNT(*) AS events,
		SUM(json_array_length(e.document_ids::json)) AS documents,
		MIN(COALESCE(ex.happened, e.happened)) AS first, MAX(COALESCE(ex.happened, e.happened)) AS last,
		MAX(e.last_published) AS activity
		FROM events e LEFT JOIN event_edits ex ON ex.event_id = e.id
		WHERE NOT e.deleted GROUP BY e.story_id) sx ON sx.id = s.id`

func scanStory(row pgx.Row) (model.Story, error) {
	var st model.Story
	var first, last, activity int64
	err := row.Scan(&st.ID, &st.Seq, &st.Title, &st.Importance, &st.Events, &st.Documents, &first, &last, &activity, &st.Edited)
	st.First, st.Last, st.LastActivity = fromUnix(first), fromUnix(last), fromUnix(activity)
	return st, err
}

// Story returns story id with its counts.
func (s *Store) Story(ctx context.Context, id int64) (model.Story, error) {
	st, err := scanStory(s.pool.QueryRow(ctx, "SELECT "+storyColumns+storyFrom+" WHERE s.id = $1 AND NOT s.deleted", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return st, fmt.Errorf("story %d: %w", id, store.ErrNotFound)
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
	err := s.pool.QueryRow(ctx, "SELECT merged_into FROM stories WHERE id = $1", id).Scan(&into)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("story %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("story %d: %w", id, err)
	}
	return into, nil
}

// Stories returns the live stories f selects, in its order.
func (s *Store) Stories(ctx context.Context, f store.StoryFilter) ([]model.Story, error) {
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
	q := "SELECT " + storyColumns + storyFrom + " WHERE NOT s.deleted"
	var args []any
	if !f.Since.IsZero() {
		args = append(args, unix(f.Since))
		q += fmt.Sprintf(" AND sx.activity >= $%d", len(args))
	}
	if f.MinDocs > 0 {
		args = append(args, f.MinDocs)
		q += fmt.Sprintf(" AND sx.documents >= $%d", len(args))
	}
	q += " ORDER BY " + order
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	args = append(args, max(0, f.Offset))
	q += fmt.Sprintf(" OFFSET $%d", len(args))
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	out, err := collect(rows, func(r pgx.CollectableRow) (model.Story, error) { return scanStory(r) })
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	return out, nil
}

// StoryDocuments returns the documents of every live event of story id.
func (s *Store) StoryDocuments(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT ed.document_id FROM event_documents ed JOIN events e ON e.id = ed.event_id
		WHERE e.story_id = $1 AND NOT e.deleted ORDER BY ed.document_id`, id)
	if err != nil {
		return nil, fmt.Errorf("documents of story %d: %w", id, err)
	}
	out, err := collect(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("documents of story %d: %w", id, err)
	}
	return out, nil
}

// StorySources returns the sources of story id's documents, most documents
// first.
func (s *Store) StorySources(ctx context.Context, id int64) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.source_id FROM event_documents ed JOIN events e ON e.id = ed.event_id
		JOIN documents d ON d.id = ed.document_id WHERE e.story_id = $1 AND NOT e.deleted
		GROUP BY d.source_id ORDER BY COUNT(*) DESC, d.source_id`, id)
	if err != nil {
		return nil, fmt.Errorf("sources of story %d: %w", id, err)
	}
	out, err := collect(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("sources of story %d: %w", id, err)
	}
	return out, nil
}

// Aliases returns, for each of docs known under more URLs than its canonical
// one, those other URLs in order.
func (s *Store) Aliases(ctx context.Context, docs []int64) (map[int64][]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT u.document_id, u.url FROM document_urls u JOIN documents d ON d.id = u.document_id
		WHERE u.document_id = ANY($1) AND u.url <> d.canonical_url ORDER BY u.document_id, u.url`, docs)
	if err != nil {
		return nil, fmt.Errorf("document aliases: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return nil, fmt.Errorf("document aliases: %w", err)
		}
		out[id] = append(out[id], u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("document aliases: %w", err)
	}
	return out, nil
}
