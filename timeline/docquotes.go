package timeline

import (
	"context"

	"github.com/watchline/watchline/model"
)

// DocumentQuotes returns what document d quotes, in text order: as the
// clusterer stored them once it has processed d, else extracted now with an
// — the same extraction, so the answer does not depend on when it is asked,
// and a document just imported already shows its quotes.
func DocumentQuotes(ctx context.Context, st Store, an *Analyzer, d model.Document) ([]model.Quote, error) {
	cur, err := st.Cursor(ctx, CursorName)
	if err != nil {
		return nil, err
	}
	if d.Seq != 0 && d.Seq <= cur {
		return st.DocumentQuotes(ctx, d.ID)
	}
	qs := an.Quotes(d)
	if qs == nil {
		qs = []model.Quote{}
	}
	return qs, nil
}
