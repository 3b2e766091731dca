package index

// Store is everything the index reads of the store: the log it keeps up
// with and rebuilds from (Archive) and the documents a search page shows
// (Documents). Each function asks only for the part it uses.
type Store interface {
	Archive
	Documents
}
