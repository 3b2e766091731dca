package postgres

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// PutDocument stores d like the embedded store does: new, a new version of a
// known URL, the same text again, or a known text under another URL. Two
// crawlers putting the same URL or the same text at once are serialised by
// advisory locks on those keys, so each article is stored once.
func (s *Store) PutDocument(ctx context.Context, d *model.Document, raw store.Raw) (store.PutOutcome, error) {
	p := []*put{{doc: d, raw: raw}}
	if err := s.putAll(ctx, p); err != nil {
		return 0, err
	}
	return p[0].outcome, nil
}

// PutDocuments stores a batch of documents in one transaction, in order,
// each as PutDocument would (a later one sees the earlier ones), with their
// relinks and validators: the batch is committed whole or not at all. Each
// Put's Outcome and Relinked are set.
func (s *Store) PutDocuments(ctx context.Context, puts []store.Put) error {
	ps := make([]*put, len(puts))
	for i, in := range puts {
		p := &put{doc: in.Doc, raw: in.Raw, validatorsURL: in.ValidatorsURL, validators: in.Validators}
		for _, r := range in.Relink {
			p.relink = append(p.relink, relinkFrom{from: r.From, sim: r.Similarity})
		}
		ps[i] = p
	}
	if err := s.putAll(ctx, ps); err != nil {
		return err
	}
	for i, p := range ps {
		puts[i].Outcome, puts[i].Relinked = p.outcome, p.relinked
	}
	return nil
}

// put is one document of a write, with what is committed together with it.
type put struct {
	doc *model.Document
	raw store.Raw
	// relink: stored originals that become near-duplicates of doc when it
	// is inserted as a new original.
	relink []relinkFrom
	// validatorsURL, when set, gets validators in the same transaction.
	validatorsURL string
	validators    store.Validators

	outcome  store.PutOutcome
	relinked int
}

type relinkFrom struct {
	from int64
	sim  float64
}

// putAll stores puts in one transaction, in order, each as PutDocument
// would (a later one sees the earlier ones). It first locks every URL and
// text hash of the batch, in one order, so concurrent batches never wait on
// each other in a circle; the log head is taken once, at the end.
func (s *Store) putAll(ctx context.Context, puts []*put) error {
	var keys []string
	versions := make([]int, len(puts))
	urls := make([][]string, len(puts))
	for i, p := range puts {
		d := p.doc
		if err := store.PrepareDocument(d, s.now()); err != nil {
			return err
		}
		versions[i] = d.Versions
		urls[i] = uniqueStrings(append([]string{d.CanonicalURL, d.URL}, d.URLs...))
		keys = append(keys, "hash "+d.ContentHash)
		keys = append(keys, prefixed("url ", urls[i])...)
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockKeysSQL, keys); err != nil {
			return fmt.Errorf("put documents: lock: %w", err)
		}
		var changed []int64 // documents that get new seqs, in order
		for i, p := range puts {
			p.doc.Versions, p.relinked = versions[i], 0
			ids, err := s.putOne(ctx, tx, p, urls[i])
			if err != nil {
				return fmt.Errorf("put document %s: %w", p.doc.CanonicalURL, err)
			}
			changed = append(changed, ids...)
		}
		seqs, err := s.setDocSeqs(ctx, tx, changed)
		if err != nil {
			return err
		}
		for _, p := range puts {
			if seq, ok := seqs[p.doc.ID]; ok && (p.outcome == store.Inserted || p.outcome == store.Updated) {
				p.doc.Seq = seq
			}
		}
		return nil
	})
}

// putOne stores p inside a transaction that holds its keys' locks and
// returns the documents whose seqs must move: p's own when it was inserted
// or changed, and those it relinked.
func (s *Store) putOne(ctx context.Context, tx pgx.Tx, p *put, urls []string) ([]int64, error) {
	d := p.doc
	// One round trip: the document by its URLs, and by its text.
	var b pgx.Batch
	b.Queue(`SELECT d.id, d.content_hash, d.versions FROM document_urls u
		JOIN documents d ON d.id = u.document_id WHERE u.url = ANY($1)
		ORDER BY array_position($1, u.url) LIMIT 1`, urls)
	b.Queue("SELECT id FROM documents WHERE content_hash = $1 AND NOT deleted ORDER BY id LIMIT 1", d.ContentHash)
	br := tx.SendBatch(ctx, &b)
	var id, existing int64
	var hash string
	var have int
	byURL := br.QueryRow().Scan(&id, &hash, &have)
	byText := br.QueryRow().Scan(&existing)
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("look up: %w", err)
	}
	var changed []int64
	switch {
	case byURL == nil && hash == d.ContentHash:
		p.outcome = store.Unchanged
		d.ID = id
		if err := addURLs(ctx, tx, id, urls); err != nil {
			return nil, err
		}
	case byURL == nil:
		p.outcome = store.Updated
		d.ID = id
		d.Versions = have + 1
		if err := updateVersion(ctx, tx, d, urls, p.raw); err != nil {
			return nil, err
		}
		changed = append(changed, id)
	case !errors.Is(byURL, pgx.ErrNoRows):
		return nil, fmt.Errorf("find by url: %w", byURL)
	case byText == nil:
		p.outcome = store.Aliased
		d.ID = existing
		if err := addURLs(ctx, tx, existing, urls); err != nil {
			return nil, err
		}
	case !errors.Is(byText, pgx.ErrNoRows):
		return nil, fmt.Errorf("find by content: %w", byText)
	default:
		p.outcome = store.Inserted
		d.Versions = 1
		if err := insert(ctx, tx, d, urls, p.raw); err != nil {
			return nil, err
		}
		changed = append(changed, d.ID)
	}
	if p.outcome == store.Inserted && d.DuplicateOf == 0 {
		for _, r := range p.relink {
			ids, err := relink(ctx, tx, r.from, d.ID, r.sim)
			if err != nil {
				return nil, err
			}
			changed = append(changed, ids...)
			p.relinked++
		}
	}
	if p.validatorsURL != "" {
		if err := setValidators(ctx, tx, p.validatorsURL, p.validators, s.now()); err != nil {
			return nil, err
		}
	}
	return changed, nil
}

func prefixed(p string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = p + x
	}
	return out
}

// lockKeysSQL takes a transaction advisory lock on each key of $1, in one
// order for every caller so two transactions never wait on each other in a
// circle.
const lockKeysSQL = `SELECT pg_advisory_xact_lock(k) FROM
	(SELECT DISTINCT hashtextextended(key, 0) AS k FROM unnest($1::text[]) AS key ORDER BY 1) AS keys`

// insert stores a new document with its URLs, first version and raw page
// in one statement; its seq comes at the end of the transaction.
func insert(ctx context.Context, tx pgx.Tx, d *model.Document, urls []string, raw store.Raw) error {
	var body []byte
	if len(raw.Body) > 0 {
		var err error
		if body, err = gzipped(raw.Body); err != nil {
			return err
		}
	}
	err := tx.QueryRow(ctx, `WITH d AS (INSERT INTO documents(url, canonical_url, source_id, title, text, authors,
			language, tags, official, published, published_source, published_confidence, modified, fetched,
			content_hash, simhash, duplicate_of, similarity, versions, page_missing_since, published_offset)
			VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$23,$24) RETURNING id),
		u AS (INSERT INTO document_urls(url, document_id) SELECT x, d.id FROM d, unnest($20::text[]) AS x
			ON CONFLICT (url) DO NOTHING),
		v AS (INSERT INTO document_versions(document_id, version, title, text, content_hash, fetched)
			SELECT d.id, $19, $4, $5, $15, $14 FROM d),
		r AS (INSERT INTO raw_pages(document_id, version, content_type, body)
			SELECT d.id, $19, $21, $22 FROM d WHERE $22::bytea IS NOT NULL)
		SELECT id FROM d`,
		d.URL, d.CanonicalURL, d.SourceID, d.Title, d.Text, jsonList(d.Authors), d.Language, jsonList(d.Tags),
		d.Official, unix(d.Published), d.PublishedSource, d.PublishedConfidence, unix(d.Modified), unix(d.Fetched),
		d.ContentHash, int64(d.SimHash), nullID(d.DuplicateOf), d.Similarity, d.Versions,
		urls, raw.ContentType, body, unix(d.PageMissingSince), model.Offset(d.Published)).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	return nil
}

func updateVersion(ctx context.Context, tx pgx.Tx, d *model.Document, urls []string, raw store.Raw) error {
	// The first publication date stays: a later version is the same document.
	// A version from the page clears page_missing_since; another from the
	// feed alone keeps the first time the page was missed.
	_, err := tx.Exec(ctx, `UPDATE documents SET title = $1, text = $2, authors = $3, language = $4,
		modified = $5, fetched = $5, content_hash = $6, simhash = $7, versions = $8, deleted = false,
		page_missing_since = CASE WHEN $10::bigint = 0 THEN 0 WHEN page_missing_since = 0 THEN $10 ELSE page_missing_since END
		WHERE id = $9`,
		d.Title, d.Text, jsonList(d.Authors), d.Language, unix(d.Fetched), d.ContentHash, int64(d.SimHash), d.Versions, d.ID,
		unix(d.PageMissingSince))
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if err := addURLs(ctx, tx, d.ID, urls); err != nil {
		return err
	}
	return addVersion(ctx, tx, d, raw)
}

// setDocSeqs gives documents ids (already written, so already locked by this
// transaction) the next seqs of the log, in the order of each one's last
// appearance, and returns each one's seq. It takes the log head's lock, so it
// must be the transaction's last lock; the head is held until commit, and
// seqs therefore become visible in the order they were given.
func (s *Store) setDocSeqs(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]int64, error) {
	order := lastOccurrences(ids)
	if len(order) == 0 {
		return nil, nil
	}
	var last int64
	err := tx.QueryRow(ctx, `WITH h AS (UPDATE log_heads SET seq = seq + cardinality($1::bigint[]) WHERE name = 'documents' RETURNING seq)
		UPDATE documents d SET seq = h.seq - cardinality($1::bigint[]) + x.n FROM h, unnest($1::bigint[]) WITH ORDINALITY AS x(id, n)
		WHERE d.id = x.id RETURNING h.seq`, order).Scan(&last)
	if err != nil {
		return nil, fmt.Errorf("set seq: %w", err)
	}
	if s.beforeCommit != nil {
		s.beforeCommit()
	}
	seqs := make(map[int64]int64, len(order))
	for i, id := range order {
		seqs[id] = last - int64(len(order)) + int64(i) + 1
	}
	return seqs, nil
}

// lastOccurrences is ids without repeats, each where it last appears.
func lastOccurrences(ids []int64) []int64 {
	last := make(map[int64]int, len(ids))
	for i, id := range ids {
		last[id] = i
	}
	var order []int64
	for i, id := range ids {
		if last[id] == i {
			order = append(order, id)
		}
	}
	return order
}

func addVersion(ctx context.Context, tx pgx.Tx, d *model.Document, raw store.Raw) error {
	if _, err := tx.Exec(ctx, `INSERT INTO document_versions(document_id, version, title, text, content_hash, fetched)
		VALUES($1,$2,$3,$4,$5,$6)`, d.ID, d.Versions, d.Title, d.Text, d.ContentHash, unix(d.Fetched)); err != nil {
		return fmt.Errorf("add version: %w", err)
	}
	if d.Versions > store.MaxVersions {
		// Keep the first version and the newest store.MaxVersions-1.
		for _, table := range []string{"document_versions", "raw_pages"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE document_id = $1 AND version > 1 AND version <= $2`,
				d.ID, d.Versions-store.MaxVersions+1); err != nil {
				return fmt.Errorf("drop old versions: %w", err)
			}
		}
	}
	if len(raw.Body) == 0 {
		return nil
	}
	body, err := gzipped(raw.Body)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO raw_pages(document_id, version, content_type, body) VALUES($1,$2,$3,$4)`,
		d.ID, d.Versions, raw.ContentType, body); err != nil {
		return fmt.Errorf("add raw page: %w", err)
	}
	return nil
}

// gzipped compresses a raw page for keeping.
func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress raw page: %w", err)
	}
	return buf.Bytes(), nil
}

func addURLs(ctx context.Context, tx pgx.Tx, id int64, urls []string) error {
	_, err := tx.Exec(ctx, `INSERT INTO document_urls(url, document_id) SELECT u, $2 FROM unnest($1::text[]) AS u
		ON CONFLICT (url) DO NOTHING`, urls, id)
	if err != nil {
		return fmt.Errorf("add url: %w", err)
	}
	return nil
}

// DeleteDocument marks a document deleted and gives it a new seq.
func (s *Store) DeleteDocument(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE documents SET deleted = true WHERE id = $1 AND NOT deleted", id)
		if err != nil {
			return fmt.Errorf("delete document %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("delete document %d: %w", id, store.ErrNotFound)
		}
		_, err = s.setDocSeqs(ctx, tx, []int64{id})
		return err
	})
}

// RelinkDuplicates makes from, and every document linked to it, near-
// duplicates of to; every changed document gets a new seq.
func (s *Store) RelinkDuplicates(ctx context.Context, from, to int64, sim float64) error {
	if from == to {
		return nil
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		ids, err := relink(ctx, tx, from, to, sim)
		if err != nil {
			return err
		}
		_, err = s.setDocSeqs(ctx, tx, ids)
		return err
	})
}

// relink points from and its near-duplicates at to and returns the
// documents it changed, in id order.
func relink(ctx context.Context, tx pgx.Tx, from, to int64, sim float64) ([]int64, error) {
	if from == to {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT id FROM documents WHERE (id = $1 OR duplicate_of = $1) AND NOT deleted
		AND id <> $2 ORDER BY id FOR UPDATE`, from, to)
	if err != nil {
		return nil, fmt.Errorf("relink duplicates of %d: %w", from, err)
	}
	ids, err := collect(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("relink duplicates of %d: %w", from, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE documents SET duplicate_of = $1 WHERE id = ANY($2)", to, ids); err != nil {
		return nil, fmt.Errorf("relink duplicates of %d: %w", from, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE documents SET similarity = $1 WHERE id = $2 AND id = ANY($3)", sim, from, ids); err != nil {
		return nil, fmt.Errorf("relink duplicates of %d: %w", from, err)
	}
	return ids, nil
}

const docColumns = `id, seq, url, canonical_url, source_id, title, text, authors, language, tags, official,
	published, published_source, published_confidence, modified, fetched, content_hash, simhash,
	COALESCE(duplicate_of, 0), similarity, versions, deleted, page_missing_since, published_offset`

func scanDocument(row pgx.Row) (model.Document, error) {
	var d model.Document
	var authors, tags string
	var published, modified, fetched, simhash, pageMissing int64
	var offset int32
	err := row.Scan(&d.ID, &d.Seq, &d.URL, &d.CanonicalURL, &d.SourceID, &d.Title, &d.Text, &authors, &d.Language,
		&tags, &d.Official, &published, &d.PublishedSource, &d.PublishedConfidence, &modified, &fetched,
		&d.ContentHash, &simhash, &d.DuplicateOf, &d.Similarity, &d.Versions, &d.Deleted, &pageMissing, &offset)
	if err != nil {
		return d, err
	}
	json.Unmarshal([]byte(authors), &d.Authors)
	json.Unmarshal([]byte(tags), &d.Tags)
	d.Published, d.Modified, d.Fetched = model.InOffset(published, int(offset)), fromUnix(modified), fromUnix(fetched)
	d.PageMissingSince = fromUnix(pageMissing)
	d.SimHash = uint64(simhash)
	return d, nil
}

func collectDocuments(rows pgx.Rows) ([]model.Document, error) {
	return collect(rows, func(r pgx.CollectableRow) (model.Document, error) { return scanDocument(r) })
}

// Document returns the document with id, with every URL it is known under.
func (s *Store) Document(ctx context.Context, id int64) (model.Document, error) {
	d, err := scanDocument(s.pool.QueryRow(ctx, "SELECT "+docColumns+" FROM documents WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("document %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("document %d: %w", id, err)
	}
	rows, err := s.pool.Query(ctx, "SELECT url FROM document_urls WHERE document_id = $1 ORDER BY url", id)
	if err != nil {
		return d, fmt.Errorf("document %d urls: %w", id, err)
	}
	d.URLs, err = collect(rows, pgx.RowTo[string])
	if err != nil {
		return d, fmt.Errorf("document %d urls: %w", id, err)
	}
	return d, nil
}

// DocumentByURL returns the document known under url (canonical or alias).
func (s *Store) DocumentByURL(ctx context.Context, url string) (model.Document, error) {
	var id int64
	err := s.pool.QueryRow(ctx, "SELECT document_id FROM document_urls WHERE url = $1", url).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return model.Document{}, fmt.Errorf("document %s: %w", url, store.ErrNotFound)
	}
	if err != nil {
		return model.Document{}, fmt.Errorf("document %s: %w", url, err)
	}
	return s.Document(ctx, id)
}

// KnownURL reports whether url is already stored (canonical or alias).
func (s *Store) KnownURL(ctx context.Context, url string) (bool, error) {
	var known bool
	if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM document_urls WHERE url = $1)", url).Scan(&known); err != nil {
		return false, fmt.Errorf("known url: %w", err)
	}
	return known, nil
}

// DocumentsAfter returns up to limit documents with seq > after, in seq
// order, deleted ones included: the log every consumer tails.
func (s *Store) DocumentsAfter(ctx context.Context, after int64, limit int) ([]model.Document, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+docColumns+" FROM documents WHERE seq > $1 ORDER BY seq LIMIT $2", after, limit)
	if err != nil {
		return nil, fmt.Errorf("documents after %d: %w", after, err)
	}
	docs, err := collectDocuments(rows)
	if err != nil {
		return nil, fmt.Errorf("documents after %d: %w", after, err)
	}
	return docs, nil
}

// DocumentsByID returns the live documents among ids, in id order.
func (s *Store) DocumentsByID(ctx context.Context, ids []int64) ([]model.Document, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+docColumns+" FROM documents WHERE NOT deleted AND id = ANY($1) ORDER BY id", ids)
	if err != nil {
		return nil, fmt.Errorf("documents by id: %w", err)
	}
	docs, err := collectDocuments(rows)
	if err != nil {
		return nil, fmt.Errorf("documents by id: %w", err)
	}
	return docs, nil
}

// MaxSeq is the newest seq in the log (0 when empty).
func (s *Store) MaxSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.pool.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM documents").Scan(&seq); err != nil {
		return 0, fmt.Errorf("max seq: %w", err)
	}
	return seq, nil
}

// CountDocuments counts the documents f selects, ignoring Limit and Offset.
func (s *Store) CountDocuments(ctx context.Context, f store.DocFilter) (int64, error) {
	where, args := docWhere(f)
	var n int64
	if err := s.pool.QueryRow(ctx, "SELECT COUNT(*) FROM documents"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return n, nil
}

// EachDocument calls fn for every document f selects, newest published
// first. Rows are read a page at a time (keyset) with no result set held
// open while fn runs, so fn may use the store and memory stays flat.
func (s *Store) EachDocument(ctx context.Context, f store.DocFilter, fn func(model.Document) error) error {
	where, args := docWhere(f)
	const page = 500
	remaining := f.Limit
	offset := f.Offset
	var lastPub, lastID int64
	for first := true; ; first = false {
		q, qargs := "SELECT "+docColumns+" FROM documents"+where, append([]any{}, args...)
		if !first {
			cond := fmt.Sprintf("(published, id) < ($%d, $%d)", len(qargs)+1, len(qargs)+2)
			if where == "" {
				q += " WHERE " + cond
			} else {
				q += " AND " + cond
			}
			qargs = append(qargs, lastPub, lastID)
		}
		n := page
		if f.Limit > 0 && remaining < n {
			n = remaining
		}
		q += fmt.Sprintf(" ORDER BY published DESC, id DESC LIMIT $%d OFFSET $%d", len(qargs)+1, len(qargs)+2)
		qargs = append(qargs, n, offset)
		offset = 0
		rows, err := s.pool.Query(ctx, q, qargs...)
		if err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		docs, err := collectDocuments(rows)
		if err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		for _, d := range docs {
			if err := fn(d); err != nil {
				return err
			}
		}
		if f.Limit > 0 {
			remaining -= len(docs)
			if remaining <= 0 {
				return nil
			}
		}
		if len(docs) < n {
			return nil
		}
		last := docs[len(docs)-1]
		lastPub, lastID = unix(last.Published), last.ID
	}
}

func docWhere(f store.DocFilter) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !f.IncludeDeleted {
		conds = append(conds, "NOT deleted")
	}
	if len(f.Sources) > 0 {
		conds = append(conds, "source_id = ANY("+arg(f.Sources)+")")
	}
	if !f.From.IsZero() {
		conds = append(conds, "published >= "+arg(f.From.Unix()))
	}
	if !f.To.IsZero() {
		conds = append(conds, "published <= "+arg(f.To.Unix()))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Versions returns every text document id has had, oldest first.
func (s *Store) Versions(ctx context.Context, id int64) ([]model.DocumentVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT document_id, version, title, text, content_hash, fetched
		FROM document_versions WHERE document_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("versions of %d: %w", id, err)
	}
	vs, err := collect(rows, func(r pgx.CollectableRow) (model.DocumentVersion, error) {
		var v model.DocumentVersion
		var fetched int64
		err := r.Scan(&v.DocumentID, &v.Version, &v.Title, &v.Text, &v.ContentHash, &fetched)
		v.Fetched = fromUnix(fetched)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("versions of %d: %w", id, err)
	}
	return vs, nil
}

// RawPage returns the raw page behind version of document id (0 = latest).
func (s *Store) RawPage(ctx context.Context, id int64, version int) (store.Raw, error) {
	var raw store.Raw
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT content_type, body FROM raw_pages WHERE document_id = $1
		AND (version = $2 OR $2 = 0) ORDER BY version DESC LIMIT 1`, id, version).Scan(&raw.ContentType, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return raw, fmt.Errorf("raw page of %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return raw, fmt.Errorf("raw page of %d: %w", id, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return raw, fmt.Errorf("raw page of %d: %w", id, err)
	}
	raw.Body, err = io.ReadAll(zr)
	if err != nil {
		return raw, fmt.Errorf("raw page of %d: %w", id, err)
	}
	return raw, nil
}

// EachFingerprint calls fn for every live document's fingerprint published
// at or after since (zero = all), oldest first.
func (s *Store) EachFingerprint(ctx context.Context, since time.Time, fn func(store.Fingerprint) error) error {
	rows, err := s.pool.Query(ctx, `SELECT id, simhash, published, source_id FROM documents
		WHERE NOT deleted AND duplicate_of IS NULL AND published >= $1 ORDER BY published, id`, unix(since))
	if err != nil {
		return fmt.Errorf("fingerprints: %w", err)
	}
	fps, err := collect(rows, func(r pgx.CollectableRow) (store.Fingerprint, error) {
		var f store.Fingerprint
		var sh, pub int64
		err := r.Scan(&f.ID, &sh, &pub, &f.Source)
		f.SimHash, f.Published = uint64(sh), fromUnix(pub)
		return f, err
	})
	if err != nil {
		return fmt.Errorf("fingerprints: %w", err)
	}
	for _, f := range fps {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// Duplicates returns the ids of documents linked to id as near-duplicates.
func (s *Store) Duplicates(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.pool.Query(ctx, "SELECT id FROM documents WHERE duplicate_of = $1 AND NOT deleted ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("duplicates of %d: %w", id, err)
	}
	ids, err := collect(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("duplicates of %d: %w", id, err)
	}
	return ids, nil
}

func jsonList(xs []string) string {
	if len(xs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(xs)
	return string(b)
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "[]"
	}
	return string(b)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func uniqueStrings(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := xs[:0:0]
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
