// Package crawler owns getting documents from the web into the store: polite
// fetching (robots.txt, one request at a time per host with a delay, an honest
// User-Agent, conditional GET, bounded retries with backoff and Retry-After,
// body caps, redirect limits and an SSRF guard enforced at dial time), reading
// feeds (RSS, Atom and JSON Feed parsed by gofeed; feedprep.go prepares the
// bytes for it and notes what it drops, feed.go completes its entries; an
// entry without a link is kept under a stable key below the feed's URL), HTML
// listing pages (goquery selectors) and XML sitemaps, turning each item into
// a model.Document with the extract package, exact and near-duplicate
// detection (SHA-256 of the normalised text, 64-bit SimHash over word
// shingles), adaptive scheduling of sources and recording each source's
// health. It also imports documents from NDJSON and CSV files through the
// same hashing and dedupe path.
//
// Every document is committed by store.PutDocument on its own, so an
// interrupted crawl loses nothing already stored and the next one resumes.
package crawler
