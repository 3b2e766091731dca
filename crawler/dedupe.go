package crawler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Near-duplicates are found in two steps. SimHash picks candidates cheaply:
// a wire copy with its last paragraph trimmed (about a tenth of its shingles)
// already moves the fingerprint by 4–8 bits, so the candidate radius is wider
// than the classic 3. Each candidate is then confirmed on the texts
// themselves: the shared word 3-shingles over the larger shingle set must
// reach NearDuplicateSimilarity. Unrelated 64-bit fingerprints differ by about
// 32 ± 4 bits, so candidates are rare and the confirmation is cheap.
const (
	NearDuplicateDistance   = 12
	NearDuplicateSimilarity = 0.7
)

// minShingles is the fewest word 3-shingles a text needs before its SimHash
// is trusted: very short texts collide by chance.
const minShingles = 24

// ContentHash is the SHA-256 (hex) of text normalised for comparison:
// lower-cased, whitespace collapsed. Two texts with the same hash are the same
// document.
func ContentHash(text string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.Join(strings.Fields(text), " "))))
	return hex.EncodeToString(sum[:])
}

// words splits text into lower-case words; each Han, kana or Hangul character
// counts as a word because those scripts do not separate words by spaces.
func words(text string) []string {
	var ws []string
	start := -1
	for i, r := range text {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			if start >= 0 {
				ws = append(ws, strings.ToLower(text[start:i]))
				start = -1
			}
			ws = append(ws, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				ws = append(ws, strings.ToLower(text[start:i]))
				start = -1
			}
		}
	}
	if start >= 0 {
		ws = append(ws, strings.ToLower(text[start:]))
	}
	return ws
}

// SimHash is a 64-bit Charikar fingerprint of text over word 3-shingles: texts
// that share most of their shingles differ in few bits. ok is false when the
// text is too short for the fingerprint to mean anything.
func SimHash(text string) (hash uint64, ok bool) {
	var v [64]int
	n := shingleHashes(text, func(x uint64) {
		for b := 0; b < 64; b++ {
			if x&(1<<b) != 0 {
				v[b]++
			} else {
				v[b]--
			}
		}
	})
	if n == 0 {
		return 0, false
	}
	for b := 0; b < 64; b++ {
		if v[b] > 0 {
			hash |= 1 << b
		}
	}
	return hash, n >= minShingles
}

// mix spreads FNV's weak low bits (splitmix64 finaliser).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// shingleHashes returns the hashes of text's word 3-shingles.
func shingleHashes(text string, fn func(uint64)) int {
	ws := words(text)
	h := fnv.New64a()
	n := 0
	for i := 0; i+3 <= len(ws); i++ {
		h.Reset()
		h.Write([]byte(ws[i]))
		h.Write([]byte{0})
		h.Write([]byte(ws[i+1]))
		h.Write([]byte{0})
		h.Write([]byte(ws[i+2]))
		fn(mix(h.Sum64()))
		n++
	}
	return n
}

func shingleSet(text string) map[uint64]bool {
	set := map[uint64]bool{}
	shingleHashes(text, func(x uint64) { set[x] = true })
	return set
}

// resemblance is the shared shingles over the larger set: 1 for the same
// text, about 0.9 for a copy with a tenth trimmed.
func resemblance(a, b map[uint64]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	shared := 0
	for x := range a {
		if b[x] {
			shared++
		}
	}
	return float64(shared) / float64(len(b))
}

// Distance is the Hamming distance between two SimHashes.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// dedupe holds the fingerprints of every original (not itself a duplicate)
// document in memory, and serialises check-and-store so two workers cannot
// both store the same story as an original. Documents are decided one at a
// time and committed in batches (one store transaction for many documents):
// queued documents are checked against each other too, and a document whose
// near-duplicate is still queued commits the queue first, so links always
// point at stored documents.
type dedupe struct {
	mu      sync.Mutex
	st      Store
	fps     []store.Fingerprint
	pending []*queued
}

// queued is a document decided and waiting for its batch to commit.
type queued struct {
	put           store.Put
	fingerprinted bool
	done          bool  // committed (or failed)
	err           error // why the batch failed
}

func newDedupe(ctx context.Context, st Store) (*dedupe, error) {
	d := &dedupe{st: st}
	err := st.EachFingerprint(ctx, time.Time{}, func(f store.Fingerprint) error {
		if f.SimHash != 0 {
			d.fps = append(d.fps, f)
		}
		return nil
	})
	return d, err
}

// prepare fills the hash and fingerprint fields of doc from its text. A
// document without text (a feed entry with only a headline or a date) is
// hashed by its URL and title instead, so it is never taken for a copy of
// every other document without text.
func prepare(doc *model.Document) (fingerprinted bool) {
	doc.ContentHash = ContentHash(doc.Text)
	if strings.TrimSpace(doc.Text) == "" {
		doc.ContentHash = ContentHash("\x00no text\x00" + doc.CanonicalURL + "\x00" + doc.Title)
	}
	doc.SimHash, fingerprinted = SimHash(doc.Text)
	return fingerprinted
}

// put stores doc at once (see add) and returns what the store did with it.
// relinked counts the documents that became near-duplicates of doc.
func (d *dedupe) put(ctx context.Context, doc *model.Document, raw store.Raw, known bool) (outcome store.PutOutcome, relinked int, err error) {
	q, err := d.add(ctx, store.Put{Doc: doc, Raw: raw}, known)
	if err != nil {
		return 0, 0, err
	}
	if err := d.flush(ctx); err != nil {
		return 0, 0, err
	}
	return q.put.Outcome, q.put.Relinked, nil
}

// add links p.Doc to the earliest-published near-duplicate already stored
// and queues it for the next flush. If the document itself was published
// before the originals it matches, it becomes the original and they are
// relinked to it when it is stored. Near duplicates are linked, never
// dropped. The caller must flush (or hand the queue to someone who does)
// before it relies on the document being stored.
func (d *dedupe) add(ctx context.Context, p store.Put, known bool) (*queued, error) {
	doc := p.Doc
	fingerprinted := prepare(doc)
	d.mu.Lock()
	defer d.mu.Unlock()
	if fingerprinted && !known && d.nearQueued(doc.SimHash) {
		if err := d.flushLocked(ctx); err != nil {
			return nil, err
		}
	}
	if fingerprinted && !known {
		if err := d.link(ctx, &p); err != nil {
			return nil, err
		}
	}
	q := &queued{put: p, fingerprinted: fingerprinted}
	d.pending = append(d.pending, q)
	return q, nil
}

// nearQueued reports whether a queued original's fingerprint is close to h.
func (d *dedupe) nearQueued(h uint64) bool {
	for _, q := range d.pending {
		if q.fingerprinted && q.put.Doc.DuplicateOf == 0 && Distance(q.put.Doc.SimHash, h) <= NearDuplicateDistance {
			return true
		}
	}
	return false
}

// link decides p.Doc's near-duplicate link against the stored originals.
func (d *dedupe) link(ctx context.Context, p *store.Put) error {
	doc := p.Doc
	type match struct {
		fp  store.Fingerprint
		sim float64
	}
	var later []match // matching originals published after doc
	var best *match
	var mine map[uint64]bool
	for _, f := range d.fps {
		if Distance(f.SimHash, doc.SimHash) > NearDuplicateDistance {
			continue
		}
		other, err := d.st.Document(ctx, f.ID)
		if err != nil {
			return fmt.Errorf("near-duplicate check: %w", err)
		}
		if mine == nil {
			mine = shingleSet(doc.Text)
		}
		sim := resemblance(mine, shingleSet(other.Text))
		if sim < NearDuplicateSimilarity {
			continue
		}
		m := match{f, sim}
		switch {
		case model.LatestPublished(f.Published).After(model.LatestPublished(doc.Published)):
			later = append(later, m)
		case best == nil || model.LatestPublished(f.Published).Before(model.LatestPublished(best.fp.Published)) ||
			(model.LatestPublished(f.Published).Equal(model.LatestPublished(best.fp.Published)) && f.ID < best.fp.ID):
			best = &m
		}
	}
	if best != nil {
		doc.DuplicateOf = best.fp.ID
		doc.Similarity = best.sim
		return nil // the later ones already point at best, or are its peers
	}
	for _, m := range later {
		p.Relink = append(p.Relink, store.Relink{From: m.fp.ID, Similarity: m.sim})
	}
	return nil
}

// flush commits every queued document in one transaction.
func (d *dedupe) flush(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.flushLocked(ctx)
}

func (d *dedupe) flushLocked(ctx context.Context) error {
	if len(d.pending) == 0 {
		return nil
	}
	qs := d.pending
	d.pending = nil
	puts := make([]store.Put, len(qs))
	for i, q := range qs {
		puts[i] = q.put
	}
	err := d.st.PutDocuments(ctx, puts)
	if err != nil && len(qs) > 1 && ctx.Err() == nil {
		// One bad document must not cost the others: store them one by
		// one, so only the bad one fails.
		for _, q := range qs {
			d.pending = []*queued{q}
			d.flushLocked(ctx)
		}
		return err
	}
	for i, q := range qs {
		q.done, q.err = true, err
		if err != nil {
			continue
		}
		q.put = puts[i]
		doc := q.put.Doc
		if q.put.Outcome != store.Inserted || !q.fingerprinted || doc.DuplicateOf != 0 {
			continue
		}
		for _, r := range q.put.Relink {
			d.remove(r.From)
		}
		d.fps = append(d.fps, store.Fingerprint{ID: doc.ID, SimHash: doc.SimHash, Published: doc.Published, Source: doc.SourceID})
	}
	return err
}

// known reports whether url is stored or queued to be (canonical or alias).
func (d *dedupe) known(ctx context.Context, url string) (bool, error) {
	d.mu.Lock()
	for _, q := range d.pending {
		doc := q.put.Doc
		if doc.CanonicalURL == url || doc.URL == url || slices.Contains(doc.URLs, url) {
			d.mu.Unlock()
			return true, nil
		}
	}
	d.mu.Unlock()
	return d.st.KnownURL(ctx, url)
}

func (d *dedupe) remove(id int64) {
	for i := range d.fps {
		if d.fps[i].ID == id {
			d.fps = append(d.fps[:i], d.fps[i+1:]...)
			return
		}
	}
}
