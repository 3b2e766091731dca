// Package index owns watchline's full-text index: a bleve (scorch) index in
// <data dir>/index built from the store. It is the only package that imports
// bleve. It owns the mapping (title and text analysed per language family,
// keyword source/tags/language/type, published date, official flag), keeping
// the index in step with the store by tailing its seq log, the query language
// and its parser, facets, near-duplicate folding and highlighted snippets,
// and in-memory matching of new documents for alerts (Batch).
//
// The index is a cache: the store is the truth, and Rebuild recreates the
// index from it. The indexer's cursor (the last store seq applied) is written
// inside the index in the same batch as the documents, so a crash at any point
// replays from the cursor and applies every change exactly once.
//
// Concurrent access: bleve locks an open index for its process, so one
// watchline process at a time has <data dir>/index open; a second one (say
// `watchline search` while `watchline serve` runs) gets ErrLocked after a short
// wait instead of hanging. `watchline reindex` never opens the live index: it
// builds a new one beside it from the store and renames it into place, so a
// running server keeps answering from the old index and switches to the new
// one at its next Sync.
package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	bolt "go.etcd.io/bbolt"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Dir is the index directory's name inside the data directory.
const Dir = "index"

// ErrCorrupt is returned by Open when the index cannot be read (damaged files,
// or written by a watchline with another mapping). The index is a cache:
// Rebuild it from the store.
var ErrCorrupt = errors.New("index is corrupt or out of date")

// ErrLocked is returned by Open when another process has the index open.
var ErrLocked = errors.New("index is locked by another watchline process")

// DefaultLockTimeout is how long Open waits for another process to release
// the index before giving up with ErrLocked.
const DefaultLockTimeout = 3 * time.Second

const (
	syncBatch    = 500  // documents per batch while tailing
	rebuildBatch = 1000 // documents per batch while rebuilding
)

var (
	keyCursor  = []byte("watchline.cursor")
	keyVersion = []byte("watchline.mapping")
	// keyMaxID is the highest store id ever indexed: a document above it is
	// new to the index, so Sync need not look for an older bleve id of it.
	keyMaxID = []byte("watchline.maxid")
)

// Log is what the index reads of the store to keep up with it: the seq log,
// every change after a seq in seq order (deleted documents included).
type Log interface {
	DocumentsAfter(ctx context.Context, after int64, limit int) ([]model.Document, error)
}

// Archive is what a rebuild reads: the log, and how long it is.
type Archive interface {
	Log
	CountDocuments(ctx context.Context, f store.DocFilter) (int64, error)
}

// Options tune Open.
type Options struct {
	// LockTimeout bounds the wait for another process's lock
	// (DefaultLockTimeout when zero).
	LockTimeout time.Duration
}

// Index is an open full-text index. Its methods are safe for concurrent use.
type Index struct {
	dataDir string
	dir     string
	opts    Options
	m       *mapping.IndexMappingImpl

	syncMu sync.Mutex // one Sync at a time

	gen    atomic.Uint64 // bumped by every change the index takes: the facet cache's version
	facets facetCache

	mu    sync.RWMutex // guards the fields below; Sync takes it to swap indexes
	bi    bleve.Index
	fams  []string    // language families present in the index
	dirs  os.FileInfo // the directory opened, to notice a Rebuild's swap
	hook  func(int64) // tests: called after each committed batch with its cursor
	batch int         // documents per Sync batch
}

// Open opens the index in dataDir/index, creating it if missing. A damaged
// index gives ErrCorrupt (Rebuild it); one held by another process gives
// ErrLocked.
func Open(dataDir string) (*Index, error) { return OpenWith(dataDir, Options{}) }

// OpenWith is Open with options.
func OpenWith(dataDir string, opts Options) (*Index, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("open index: mapping: %w", err)
	}
	ix := &Index{dataDir: dataDir, dir: filepath.Join(dataDir, Dir), opts: opts, m: m, batch: syncBatch}
	ix.facets.size = DefaultFacetCache
	cleanStale(dataDir)
	bi, info, err := openBleve(ix.dir, m, opts.LockTimeout)
	if err != nil {
		return nil, err
	}
	ix.bi, ix.dirs = bi, info
	if err := ix.refreshFamilies(); err != nil {
		bi.Close()
		return nil, err
	}
	return ix, nil
}

func openBleve(dir string, m *mapping.IndexMappingImpl, timeout time.Duration) (bi bleve.Index, info os.FileInfo, err error) {
	if _, statErr := os.Stat(dir); errors.Is(statErr, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return nil, nil, fmt.Errorf("open index: %w", err)
		}
		bi, err = createBleve(dir, m)
		if err != nil {
			return nil, nil, err
		}
		info, err = os.Stat(dir)
		if err != nil {
			bi.Close()
			return nil, nil, fmt.Errorf("open index: %w", err)
		}
		return bi, info, nil
	}
	// A damaged segment can make bleve panic while loading; that is a
	// corrupt index, not a crash.
	defer func() {
		if r := recover(); r != nil {
			bi, info, err = nil, nil, fmt.Errorf("open index %s: %w: %v; rebuild it with `watchline reindex`", dir, ErrCorrupt, r)
		}
	}()
	bi, err = bleve.OpenUsing(dir, scorchConfig(map[string]any{"bolt_timeout": timeout.String()}))
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, nil, fmt.Errorf("open index %s: %w (such as `watchline run` or `watchline serve`); search through that process's web UI or API, or stop it and try again", dir, ErrLocked)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open index %s: %w: %v; rebuild it with `watchline reindex`", dir, ErrCorrupt, err)
	}
	v, err := bi.GetInternal(keyVersion)
	if err != nil || string(v) != mappingVersion {
		bi.Close()
		why := fmt.Sprintf("mapping version %q, this build writes %q", v, mappingVersion)
		if err != nil {
			why = err.Error()
		}
		return nil, nil, fmt.Errorf("open index %s: %w (%s); rebuild it with `watchline reindex`", dir, ErrCorrupt, why)
	}
	if _, err := bi.GetInternal(keyCursor); err != nil {
		bi.Close()
		return nil, nil, fmt.Errorf("open index %s: %w: read cursor: %v", dir, ErrCorrupt, err)
	}
	info, err = os.Stat(dir)
	if err != nil {
		bi.Close()
		return nil, nil, fmt.Errorf("open index: %w", err)
	}
	return bi, info, nil
}

// maxMergeDocs caps what one scorch merge reads: segments are merged only
// while their live documents add up to less than this, and a segment of half
// of it is not merged again. (Scorch's file-size cap applies to vector
// segments only, so the cap is in documents; at the bench corpus's 3.7 kB of
// index per document it is about 240 MB.) A merge reads every page of its
// input segments through their memory mappings, and those pages count in the
// process's resident set until the inputs are closed, so with scorch's
// default (5M documents) a 1M-document bench ingest (a 3.7 GB index) peaked
// at 2,756 MiB resident, of which 849 MiB was the process's own memory and
// the rest merge reads; with this cap the same run peaked at 1,112 MiB
// (mapped files at most 299 MiB, about 30 segments of 130 MB) and its search
// latencies stayed within 5% (term p50 4.56 ms vs 4.70, facets p50 106 vs
// 103, deep page 51 vs 58).
const maxMergeDocs = 1 << 16

// scorchConfig is the runtime configuration every open of the index passes
// to scorch (it is not stored with the index), with extra settings added.
func scorchConfig(extra map[string]any) map[string]any {
	c := map[string]any{
		"scorchMergePlanOptions": map[string]any{"MaxSegmentSize": maxMergeDocs},
	}
	maps.Copy(c, extra)
	return c
}

func createBleve(dir string, m *mapping.IndexMappingImpl) (bleve.Index, error) {
	bi, err := bleve.NewUsing(dir, m, scorch.Name, scorch.Name, scorchConfig(nil))
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", dir, err)
	}
	if err := bi.SetInternal(keyVersion, []byte(mappingVersion)); err != nil {
		bi.Close()
		return nil, fmt.Errorf("create index %s: %w", dir, err)
	}
	return bi, nil
}

// Exists reports whether dataDir has an index directory (sound or not), so
// a caller can build a missing index with Rebuild and a progress display
// instead of letting the first Sync do it silently.
func Exists(dataDir string) bool {
	_, err := os.Stat(filepath.Join(dataDir, Dir))
	return err == nil
}

// OpenOrRebuild opens dataDir's index the way a command that needs it should:
// a missing index is built from the store (when the store has documents) and
// a corrupt one is rebuilt from it, then opened. The index is a cache of the
// store, so a damaged one costs a rebuild, never data. notice, if not nil,
// hears one line saying what is being done and why, before the (possibly
// long) rebuild starts; progress is passed to Rebuild. Other errors,
// ErrLocked among them, are returned as Open returns them.
func OpenOrRebuild(ctx context.Context, dataDir string, st Archive, progress func(done, total int64), notice func(string)) (*Index, error) {
	say := func(format string, args ...any) {
		if notice != nil {
			notice(fmt.Sprintf(format, args...))
		}
	}
	if !Exists(dataDir) {
		n, err := st.CountDocuments(ctx, store.DocFilter{})
		if err != nil {
			return nil, fmt.Errorf("open index: %w", err)
		}
		if n > 0 {
			say("building the search index from the store (%d documents)", n)
			if err := Rebuild(ctx, dataDir, st, progress); err != nil {
				return nil, err
			}
		}
	}
	ix, err := Open(dataDir)
	if !errors.Is(err, ErrCorrupt) {
		return ix, err
	}
	n, cerr := st.CountDocuments(ctx, store.DocFilter{})
	if cerr != nil {
		return nil, fmt.Errorf("open index: %w", cerr)
	}
	say("search index is damaged; rebuilding it from the store (%d documents)", n)
	if err := Rebuild(ctx, dataDir, st, progress); err != nil {
		return nil, err
	}
	return Open(dataDir)
}

// Close closes the index.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.bi == nil {
		return nil
	}
	err := ix.bi.Close()
	ix.bi = nil
	if err != nil {
		return fmt.Errorf("close index: %w", err)
	}
	return nil
}

// reader returns the open bleve index and families under the read lock;
// callers must call the returned unlock.
func (ix *Index) reader() (bleve.Index, []string, func(), error) {
	ix.mu.RLock()
	if ix.bi == nil {
		ix.mu.RUnlock()
		return nil, nil, nil, errors.New("index is closed")
	}
	return ix.bi, ix.fams, ix.mu.RUnlock, nil
}

// Cursor is the last store seq the index has applied.
func (ix *Index) Cursor() (int64, error) {
	bi, _, unlock, err := ix.reader()
	if err != nil {
		return 0, err
	}
	defer unlock()
	return readCursor(bi)
}

func readCursor(bi bleve.Index) (int64, error) {
	v, err := bi.GetInternal(keyCursor)
	if err != nil {
		return 0, fmt.Errorf("read index cursor: %w", err)
	}
	if len(v) == 0 {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("read index cursor: %w: cursor has %d bytes", ErrCorrupt, len(v))
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

func encodeCursor(seq int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(seq))
}

// DocCount is the number of documents in the index.
func (ix *Index) DocCount() (uint64, error) {
	bi, _, unlock, err := ix.reader()
	if err != nil {
		return 0, err
	}
	defer unlock()
	return bi.DocCount()
}

// Sync applies every store change after the index's cursor: new documents
// and new versions are (re)indexed, deleted ones removed. Each batch commits
// its documents and the new cursor together. It returns how many changes it
// applied. If a Rebuild has swapped in a new index directory since this one
// was opened, Sync first switches to it.
func (ix *Index) Sync(ctx context.Context, st Log) (int, error) {
	ix.syncMu.Lock()
	defer ix.syncMu.Unlock()
	if err := ix.followSwap(); err != nil {
		return 0, err
	}
	ix.mu.RLock()
	bi, hook, size := ix.bi, ix.hook, ix.batch
	ix.mu.RUnlock()
	if bi == nil {
		return 0, errors.New("sync index: index is closed")
	}
	cursor, err := readCursor(bi)
	if err != nil {
		return 0, err
	}
	applied := 0
	newFamily := false
	for {
		if err := ctx.Err(); err != nil {
			return applied, err
		}
		docs, err := st.DocumentsAfter(ctx, cursor, size)
		if err != nil {
			return applied, fmt.Errorf("sync index: %w", err)
		}
		if len(docs) == 0 {
			break
		}
		b := bi.NewBatch()
		if err := ix.apply(ctx, bi, b, docs); err != nil {
			return applied, fmt.Errorf("sync index: %w", err)
		}
		for i := range docs {
			if !docs[i].Deleted && !ix.hasFamily(familyOf(docs[i].Language)) {
				newFamily = true
			}
		}
		cursor = docs[len(docs)-1].Seq
		b.SetInternal(keyCursor, encodeCursor(cursor))
		if err := bi.Batch(b); err != nil {
			return applied, fmt.Errorf("sync index: write batch: %w", err)
		}
		ix.gen.Add(1)
		applied += len(docs)
		if hook != nil {
			hook(cursor)
		}
	}
	if newFamily {
		if err := ix.refreshFamilies(); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// apply adds docs (a stretch of the log) to b: deleted documents removed,
// the others (re)indexed under their bleve id, and any older bleve id of a
// document that was in the index before (a new version, a document relinked
// to another group) removed.
func (ix *Index) apply(ctx context.Context, bi bleve.Index, b *bleve.Batch, docs []model.Document) error {
	maxID, err := readMaxID(bi)
	if err != nil {
		return err
	}
	var known []int64
	newMax := maxID
	for i := range docs {
		if docs[i].ID <= maxID {
			known = append(known, docs[i].ID)
		}
		newMax = max(newMax, docs[i].ID)
	}
	old, err := bleveIDsOf(ctx, bi, known)
	if err != nil {
		return err
	}
	for i := range docs {
		d := &docs[i]
		id := bleveID(d)
		for _, o := range old[d.ID] {
			if o != id || d.Deleted {
				b.Delete(o)
			}
		}
		if d.Deleted {
			continue
		}
		if err := b.Index(id, indexable(d)); err != nil {
			return fmt.Errorf("document %d: %w", d.ID, err)
		}
	}
	if newMax > maxID {
		b.SetInternal(keyMaxID, encodeCursor(newMax))
	}
	return nil
}

// bleveIDsOf returns the bleve ids under which the index holds each of
// ids, found through the docid field.
func bleveIDsOf(ctx context.Context, bi bleve.Index, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		qs := make([]query.Query, n)
		for i, id := range ids[:n] {
			tq := query.NewTermQuery(docID(id))
			tq.SetField(fieldDocID)
			qs[i] = tq
		}
		req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(qs), 2*n+10, 0, false)
		req.Score = "none"
		res, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("find indexed documents: %w", err)
		}
		for _, h := range res.Hits {
			if id, _, ok := parseID(h.ID); ok {
				out[id] = append(out[id], h.ID)
			}
		}
		ids = ids[n:]
	}
	return out, nil
}

func readMaxID(bi bleve.Index) (int64, error) {
	v, err := bi.GetInternal(keyMaxID)
	if err != nil {
		return 0, fmt.Errorf("read index max id: %w", err)
	}
	if len(v) != 8 {
		return 0, nil
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

func (ix *Index) hasFamily(f string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, g := range ix.fams {
		if g == f {
			return true
		}
	}
	return false
}

// refreshFamilies records which language families have text in the index, so
// queries only search fields that exist.
func (ix *Index) refreshFamilies() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	fields, err := ix.bi.Fields()
	if err != nil {
		return fmt.Errorf("index fields: %w", err)
	}
	ix.fams = familiesIn(fields)
	return nil
}

func familiesIn(fields []string) []string {
	have := map[string]bool{}
	for _, f := range fields {
		if fam, ok := strings.CutPrefix(f, "text_"); ok {
			have[fam] = true
		}
		if fam, ok := strings.CutPrefix(f, "title_"); ok {
			have[fam] = true
		}
	}
	var out []string
	for _, f := range families {
		if have[f.name] {
			out = append(out, f.name)
		}
	}
	if len(out) == 0 {
		out = []string{"en"} // an empty index: queries still compile
	}
	return out
}

// followSwap reopens the index if Rebuild renamed a new directory into place.
func (ix *Index) followSwap() error {
	info, err := os.Stat(ix.dir)
	if err != nil || os.SameFile(info, ix.dirs) {
		return nil // a swap in progress (or none): keep the index we have
	}
	bi, info, err := openBleve(ix.dir, ix.m, ix.opts.LockTimeout)
	if err != nil {
		return fmt.Errorf("switch to rebuilt index: %w", err)
	}
	ix.mu.Lock()
	old := ix.bi
	ix.bi, ix.dirs = bi, info
	ix.gen.Add(1)
	ix.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return ix.refreshFamilies()
}

// Rebuild builds a new index of every live document in the store in a
// temporary directory beside dataDir/index and renames it into place, then
// removes the old one. Whoever has the old index open keeps using it until
// its next Sync. progress, if not nil, is called after each batch with the
// documents read so far and the total.
func Rebuild(ctx context.Context, dataDir string, st Archive, progress func(done, total int64)) error {
	final := filepath.Join(dataDir, Dir)
	cleanStale(dataDir)
	stamp := time.Now().UnixNano()
	tmp := filepath.Join(dataDir, fmt.Sprintf("%s.new-%d", Dir, stamp))
	m, err := newMapping()
	if err != nil {
		return fmt.Errorf("rebuild index: %w", err)
	}
	total, err := st.CountDocuments(ctx, store.DocFilter{IncludeDeleted: true})
	if err != nil {
		return fmt.Errorf("rebuild index: %w", err)
	}
	bi, err := createBleve(tmp, m)
	if err != nil {
		return fmt.Errorf("rebuild index: %w", err)
	}
	fail := func(err error) error {
		bi.Close()
		os.RemoveAll(tmp)
		return fmt.Errorf("rebuild index: %w", err)
	}
	var cursor, done, maxID int64
	if progress != nil {
		progress(0, total)
	}
	for {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		docs, err := st.DocumentsAfter(ctx, cursor, rebuildBatch)
		if err != nil {
			return fail(err)
		}
		if len(docs) == 0 {
			break
		}
		// A document appears in the log once, at its latest seq, so a
		// rebuild never meets an older bleve id of it.
		b := bi.NewBatch()
		for i := range docs {
			maxID = max(maxID, docs[i].ID)
			if docs[i].Deleted {
				continue
			}
			if err := b.Index(bleveID(&docs[i]), indexable(&docs[i])); err != nil {
				return fail(fmt.Errorf("document %d: %w", docs[i].ID, err))
			}
		}
		b.SetInternal(keyMaxID, encodeCursor(maxID))
		cursor = docs[len(docs)-1].Seq
		b.SetInternal(keyCursor, encodeCursor(cursor))
		if err := bi.Batch(b); err != nil {
			return fail(err)
		}
		done += int64(len(docs))
		total = max(total, done) // documents stored while we rebuild
		if progress != nil {
			progress(done, total)
		}
	}
	if err := bi.SetInternal(keyCursor, encodeCursor(cursor)); err != nil {
		return fail(err)
	}
	if err := bi.Close(); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("rebuild index: close: %w", err)
	}
	// Swap: move the old index aside, the new one in, then delete the old.
	// A crash between the two renames leaves no index; Open then creates an
	// empty one and Sync fills it from the store: slower, never wrong.
	old := filepath.Join(dataDir, fmt.Sprintf("%s.old-%d", Dir, stamp))
	if err := os.Rename(final, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		os.RemoveAll(tmp)
		return fmt.Errorf("rebuild index: move old index aside: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("rebuild index: move new index into place: %w", err)
	}
	os.RemoveAll(old) // a process may still have it open; its files vanish when it closes
	return nil
}

// cleanStale removes what interrupted rebuilds left behind: index.new-*
// folders of reindexes that were killed, and index.old-* folders of swaps
// that crashed between their renames. A folder some process still holds (a
// reindex building it right now, or a server still reading the old index
// until its next sync) keeps its bleve lock and is left alone; a folder
// without a lock file yet is left alone for a minute, the moment between a
// reindex creating it and locking it.
func cleanStale(dataDir string) {
	for _, pat := range []string{Dir + ".new-*", Dir + ".old-*"} {
		matches, _ := filepath.Glob(filepath.Join(dataDir, pat))
		for _, m := range matches {
			if !inUse(m) {
				os.RemoveAll(m)
			}
		}
	}
}

// staleGrace is how long a rebuild folder without a lock file is taken to
// be in the making.
const staleGrace = time.Minute

// inUse reports whether a process holds the bleve index in dir: its bolt
// file is locked (bleve's scorch holds an exclusive lock on store/root.bolt
// for as long as the index is open, in this process or another).
func inUse(dir string) bool {
	lockFile := filepath.Join(dir, "store", "root.bolt")
	if _, err := os.Stat(lockFile); err != nil {
		info, err := os.Stat(dir)
		return err == nil && time.Since(info.ModTime()) < staleGrace
	}
	db, err := bolt.Open(lockFile, 0o600, &bolt.Options{ReadOnly: true, Timeout: 50 * time.Millisecond})
	if errors.Is(err, bolt.ErrTimeout) {
		return true
	}
	if err == nil {
		db.Close()
	}
	return false // free, or too damaged to open: nobody is using it
}
