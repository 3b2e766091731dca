package store

import (
	"context"
	"fmt"

	"github.com/watchline/watchline/model"
)

// replaceDocumentQuotes makes qs the stored quotes of document id.
func replaceDocumentQuotes(c *stmts, id int64, qs []model.Quote) error {
	if _, err := c.exec("DELETE FROM document_quotes WHERE document_id = ?", id); err != nil {
		return fmt.Errorf("save quotes of document %d: %w", id, err)
	}
	for _, q := range qs {
		_, err := c.exec(`INSERT OR IGNORE INTO document_quotes(document_id, start, "end", kind, text,
			speaker, role, mention, cue) VALUES(?,?,?,?,?,?,?,?,?)`,
			id, q.Start, q.End, string(q.Kind), q.Text, q.Speaker, q.Role, q.Mention, string(q.Cue))
		if err != nil {
			return fmt.Errorf("save quotes of document %d: %w", id, err)
		}
	}
	return nil
}

// DocumentQuotes returns the stored quotes of document id in text order
// (none until the clusterer has processed the document).
func (s *Store) DocumentQuotes(ctx context.Context, id int64) ([]model.Quote, error) {
	rows, err := s.query(ctx, `SELECT start, "end", kind, text, speaker, role, mention, cue
		FROM document_quotes WHERE document_id = ? ORDER BY start, "end"`, id)
	if err != nil {
		return nil, fmt.Errorf("quotes of document %d: %w", id, err)
	}
	defer rows.Close()
	qs := []model.Quote{}
	for rows.Next() {
		q := model.Quote{DocumentID: id}
		var kind, cue string
		if err := rows.Scan(&q.Start, &q.End, &kind, &q.Text, &q.Speaker, &q.Role, &q.Mention, &cue); err != nil {
			return nil, fmt.Errorf("quotes of document %d: %w", id, err)
		}
		q.Kind, q.Cue = model.QuoteKind(kind), model.QuoteCue(cue)
		qs = append(qs, q)
	}
	return qs, rows.Err()
}
