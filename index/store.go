package index

import (
	"context"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Store is what the index reads: the document log and documents.
type Store interface {
	CountDocuments(ctx context.Context, f store.DocFilter) (int64, error)
	Document(ctx context.Context, id int64) (model.Document, error)
	DocumentsAfter(ctx context.Context, after int64, limit int) ([]model.Document, error)
}
