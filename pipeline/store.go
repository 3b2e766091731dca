package pipeline

import (
	"github.com/watchline/watchline/alert"
	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/index"
	"github.com/watchline/watchline/timeline"
)

// Store is what a pipeline hands to its consumers (the index, the
// clusterer, the alert service and the crawler), plus the leases that pick
// the one node of a shared store that clusters and matches.
type Store interface {
	index.Store
	timeline.Store
	alert.Store
	crawler.Store
	leaseStore
}
