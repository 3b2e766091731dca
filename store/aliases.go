package store

import (
	"context"
	"fmt"
	"strings"
)

// Aliases returns, for each of docs known under more URLs than its canonical
// one, those other URLs in order: an imported row whose text repeated an
// earlier row's, a page served at two addresses.
func (s *Store) Aliases(ctx context.Context, docs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	const chunk = 500
	for i := 0; i < len(docs); i += chunk {
		part := docs[i:min(i+chunk, len(docs))]
		args := make([]any, len(part))
		for j, d := range part {
			args[j] = d
		}
		rows, err := s.db.QueryContext(ctx, `SELECT u.document_id, u.url FROM document_urls u JOIN documents d ON d.id = u.document_id
			WHERE u.document_id IN (?`+strings.Repeat(",?", len(part)-1)+`) AND u.url <> d.canonical_url
			ORDER BY u.document_id, u.url`, args...)
		if err != nil {
			return nil, fmt.Errorf("document aliases: %w", err)
		}
		for rows.Next() {
			var id int64
			var u string
			if err := rows.Scan(&id, &u); err != nil {
				rows.Close()
				return nil, fmt.Errorf("document aliases: %w", err)
			}
			out[id] = append(out[id], u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("document aliases: %w", err)
		}
	}
	return out, nil
}
