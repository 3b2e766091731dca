package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/watchline/watchline/model"
)

// PutOutcome says what PutDocument did with a document.
type PutOutcome int

const (
	// Inserted: a new document with a new seq.
	Inserted PutOutcome = iota + 1
	// Updated: a known URL served a different text; a new version was kept
	// and the document got a new seq.
	Updated
	// Unchanged: a known URL served the same text again.
	Unchanged
	// Aliased: a new URL served the text of a known document; the URL was
	// added to that document.
	Aliased
)

func (o PutOutcome) String() string {
	switch o {
	case Inserted:
		return "new"
	case Updated:
		return "updated"
	case Unchanged:
		return "unchanged"
	case Aliased:
		return "duplicate"
	}
	return "unknown"
}

// Raw is the page a document was extracted from.
type Raw struct {
	ContentType string
	Body        []byte
}

// PutDocument stores d, deciding in one transaction whether it is new, a new
// version of a known document (same URL, other text), the same text again, or a
// known text under another URL. d.ID and d.Seq are set on return. raw, when it
// has a body, is kept compressed beside the version it produced.
//
// d.CanonicalURL is the key; d.URL and d.URLs are recorded as aliases.
func (s *Store) PutDocument(ctx context.Context, d *model.Document, raw Raw) (PutOutcome, error) {
	p := []Put{{Doc: d, Raw: raw}}
	if err := s.PutDocuments(ctx, p); err != nil {
		return 0, err
	}
	return p[0].Outcome, nil
}

// Put is one document of a PutDocuments batch, with what must be committed
// together with it.
type Put struct {
	Doc *model.Document
	Raw Raw
	// Relink names stored originals that become near-duplicates of Doc when
	// Doc is inserted as a new original (see RelinkDuplicates); ignored
	// otherwise.
	Relink []Relink
	// ValidatorsURL, when set, gets Validators (conditional GET) in the same
	// transaction, so a crash never keeps the validators of a page whose
	// document was lost.
	ValidatorsURL string
	Validators    Validators

	Outcome  PutOutcome // set by PutDocuments
	Relinked int        // documents relinked to Doc
}

// Relink is a stored original that becomes a near-duplicate.
type Relink struct {
	From       int64
	Similarity float64
}

// PrepareDocument checks that d can be stored and fills in what every
// store fills in before writing: Fetched (now) and URL (the canonical URL).
func PrepareDocument(d *model.Document, now time.Time) error {
	if d.CanonicalURL == "" {
		return errors.New("put document: canonical URL is empty")
	}
	if d.ContentHash == "" {
		return fmt.Errorf("put document %s: content hash is empty", d.CanonicalURL)
	}
	if d.Fetched.IsZero() {
		d.Fetched = now
	}
	if d.URL == "" {
		d.URL = d.CanonicalURL
	}
	return nil
}

// PutDocuments stores a batch of documents in one transaction, in order, each
// as PutDocument would (a later one sees the earlier ones), with their
// relinks and validators: the batch is committed whole or not at all. One
// transaction and one set of prepared statements for many documents is what
// makes an import or a crawl write at the speed of the disk, not of the
// per-transaction overhead.
func (s *Store) PutDocuments(ctx context.Context, puts []Put) error {
	for i := range puts {
		if err := PrepareDocument(puts[i].Doc, s.now()); err != nil {
			return err
		}
	}
	return s.batch(ctx, func(c *stmts) error {
		seq, err := nextSeq(c)
		if err != nil {
			return err
		}
		for i := range puts {
			p := &puts[i]
			if err := s.put(c, p, &seq); err != nil {
				return fmt.Errorf("put document %s: %w", p.Doc.CanonicalURL, err)
			}
		}
		return nil
	})
}

// put stores one document inside a batch; seq is the next free seq.
func (s *Store) put(c *stmts, p *Put, seq *int64) error {
	d := p.Doc
	urls := uniqueStrings(append([]string{d.CanonicalURL, d.URL}, d.URLs...))
	id, hash, versions, found, err := findByURLs(c, urls)
	if err != nil {
		return err
	}
	switch {
	case found && hash == d.ContentHash:
		p.Outcome = Unchanged
		d.ID = id
		err = addURLs(c, id, urls)
	case found:
		p.Outcome = Updated
		d.ID = id
		d.Versions = versions + 1
		err = s.updateVersion(c, d, urls, p.Raw, seq)
	default:
		var existing int64
		err = c.queryRow("SELECT id FROM documents WHERE content_hash = ? AND deleted = 0 ORDER BY id LIMIT 1", d.ContentHash).Scan(&existing)
		switch {
		case err == nil:
			p.Outcome = Aliased
			d.ID = existing
			err = addURLs(c, existing, urls)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("find by content: %w", err)
		default:
			p.Outcome = Inserted
			d.Versions = 1
			err = s.insert(c, d, urls, p.Raw, seq)
		}
	}
	if err != nil {
		return err
	}
	if p.Outcome == Inserted && d.DuplicateOf == 0 {
		for _, r := range p.Relink {
			if err := relink(c, r.From, d.ID, r.Similarity, seq); err != nil {
				return err
			}
			p.Relinked++
		}
	}
	if p.ValidatorsURL != "" {
		if err := setValidators(c, p.ValidatorsURL, p.Validators, s.now()); err != nil {
			return err
		}
	}
	return nil
}

func findByURLs(c *stmts, urls []string) (id int64, hash string, versions int, found bool, err error) {
	for _, u := range urls {
		err = c.queryRow(`SELECT d.id, d.content_hash, d.versions FROM document_urls u
			JOIN documents d ON d.id = u.document_id WHERE u.url = ?`, u).Scan(&id, &hash, &versions)
		if err == nil {
			return id, hash, versions, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, "", 0, false, fmt.Errorf("find by url: %w", err)
		}
	}
	return 0, "", 0, false, nil
}

// nextSeq is the seq above every seq in the log. A batch reads it once and
// counts up: it holds the write lock, so nobody else takes seqs meanwhile.
func nextSeq(c *stmts) (int64, error) {
	var seq int64
	if err := c.queryRow("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").Scan(&seq); err != nil {
		return 0, fmt.Errorf("next seq: %w", err)
	}
	return seq, nil
}

func takeSeq(seq *int64) int64 {
	n := *seq
	*seq++
	return n
}

func (s *Store) insert(c *stmts, d *model.Document, urls []string, raw Raw, seq *int64) error {
	d.Seq = takeSeq(seq)
	res, err := c.exec(`INSERT INTO documents(seq, url, canonical_url, source_id, title, text, authors,
		language, tags, official, published, published_source, published_confidence, modified, fetched,
		content_hash, simhash, duplicate_of, similarity, versions, page_missing_since, published_offset)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		d.Seq, d.URL, d.CanonicalURL, d.SourceID, d.Title, d.Text, jsonList(d.Authors), d.Language, jsonList(d.Tags),
		d.Official, unix(d.Published), d.PublishedSource, d.PublishedConfidence, unix(d.Modified), unix(d.Fetched),
		d.ContentHash, int64(d.SimHash), nullID(d.DuplicateOf), d.Similarity, d.Versions, unix(d.PageMissingSince),
		model.Offset(d.Published))
	if err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	if d.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if err := addURLs(c, d.ID, urls); err != nil {
		return err
	}
	return addVersion(c, d, raw)
}

func (s *Store) updateVersion(c *stmts, d *model.Document, urls []string, raw Raw, seq *int64) error {
	d.Seq = takeSeq(seq)
	// The first publication date stays: a later version is the same document.
	// A version from the page clears page_missing_since; another from the
	// feed alone keeps the first time the page was missed.
	_, err := c.exec(`UPDATE documents SET seq = ?, title = ?, text = ?, authors = ?, language = ?,
		modified = ?, fetched = ?, content_hash = ?, simhash = ?, versions = ?, deleted = 0,
		page_missing_since = CASE WHEN ? = 0 THEN 0 WHEN page_missing_since = 0 THEN ? ELSE page_missing_since END WHERE id = ?`,
		d.Seq, d.Title, d.Text, jsonList(d.Authors), d.Language, unix(d.Fetched), unix(d.Fetched),
		d.ContentHash, int64(d.SimHash), d.Versions, unix(d.PageMissingSince), unix(d.PageMissingSince), d.ID)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if err := addURLs(c, d.ID, urls); err != nil {
		return err
	}
	return addVersion(c, d, raw)
}

// MaxVersions is how many versions of one document are kept: the first (what
// was published) and the newest MaxVersions-1. A page that changes on every
// fetch (a clock, a counter, a rotating teaser) would otherwise grow without
// bound; the versions in between are dropped with their raw pages, and
// Document.Versions still counts every version the document had.
const MaxVersions = 50

func addVersion(c *stmts, d *model.Document, raw Raw) error {
	if _, err := c.exec(`INSERT INTO document_versions(document_id, version, title, text, content_hash, fetched)
		VALUES(?,?,?,?,?,?)`, d.ID, d.Versions, d.Title, d.Text, d.ContentHash, unix(d.Fetched)); err != nil {
		return fmt.Errorf("add version: %w", err)
	}
	if d.Versions > MaxVersions {
		// Drop the oldest version but the first: at most one per new version,
		// so the history stays at MaxVersions.
		for _, table := range []string{"document_versions", "raw_pages"} {
			if _, err := c.exec(`DELETE FROM `+table+` WHERE document_id = ? AND version > 1 AND version <= ?`,
				d.ID, d.Versions-MaxVersions+1); err != nil {
				return fmt.Errorf("drop old versions: %w", err)
			}
		}
	}
	if len(raw.Body) == 0 {
		return nil
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw.Body)
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress raw page: %w", err)
	}
	if _, err := c.exec(`INSERT INTO raw_pages(document_id, version, content_type, body) VALUES(?,?,?,?)`,
		d.ID, d.Versions, raw.ContentType, buf.Bytes()); err != nil {
		return fmt.Errorf("add raw page: %w", err)
	}
	return nil
}

func addURLs(c *stmts, id int64, urls []string) error {
	for _, u := range urls {
		if _, err := c.exec("INSERT OR IGNORE INTO document_urls(url, document_id) VALUES(?, ?)", u, id); err != nil {
			return fmt.Errorf("add url: %w", err)
		}
	}
	return nil
}

// DeleteDocument marks a document deleted and gives it a new seq, so consumers
// tailing the log remove it too. Its versions are kept.
func (s *Store) DeleteDocument(ctx context.Context, id int64) error {
	return s.batch(ctx, func(c *stmts) error {
		seq, err := nextSeq(c)
		if err != nil {
			return err
		}
		res, err := c.exec("UPDATE documents SET deleted = 1, seq = ? WHERE id = ? AND deleted = 0", seq, id)
		if err != nil {
			return fmt.Errorf("delete document %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("delete document %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

const docColumns = `id, seq, url, canonical_url, source_id, title, text, authors, language, tags, official,
	published, published_source, published_confidence, modified, fetched, content_hash, simhash,
	COALESCE(duplicate_of, 0), similarity, versions, deleted, page_missing_since, published_offset`

type scanner interface{ Scan(...any) error }

func scanDocument(sc scanner) (model.Document, error) {
	var d model.Document
	var authors, tags string
	var published, modified, fetched, simhash, pageMissing int64
	var offset int
	err := sc.Scan(&d.ID, &d.Seq, &d.URL, &d.CanonicalURL, &d.SourceID, &d.Title, &d.Text, &authors, &d.Language,
		&tags, &d.Official, &published, &d.PublishedSource, &d.PublishedConfidence, &modified, &fetched,
		&d.ContentHash, &simhash, &d.DuplicateOf, &d.Similarity, &d.Versions, &d.Deleted, &pageMissing, &offset)
	if err != nil {
		return d, err
	}
	d.Authors, d.Tags = decodeList(authors), decodeList(tags)
	d.Published, d.Modified, d.Fetched = model.InOffset(published, offset), fromUnix(modified), fromUnix(fetched)
	d.PageMissingSince = fromUnix(pageMissing)
	d.SimHash = uint64(simhash)
	return d, nil
}

// Document returns the document with id, with every URL it is known under.
func (s *Store) Document(ctx context.Context, id int64) (model.Document, error) {
	d, err := scanDocument(s.queryRow(ctx, "SELECT "+docColumns+" FROM documents WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("document %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("document %d: %w", id, err)
	}
	rows, err := s.query(ctx, "SELECT url FROM document_urls WHERE document_id = ? ORDER BY url", id)
	if err != nil {
		return d, fmt.Errorf("document %d urls: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return d, err
		}
		d.URLs = append(d.URLs, u)
	}
	return d, rows.Err()
}

// DocumentByURL returns the document known under url (canonical or alias).
func (s *Store) DocumentByURL(ctx context.Context, url string) (model.Document, error) {
	var id int64
	err := s.queryRow(ctx, "SELECT document_id FROM document_urls WHERE url = ?", url).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Document{}, fmt.Errorf("document %s: %w", url, ErrNotFound)
	}
	if err != nil {
		return model.Document{}, fmt.Errorf("document %s: %w", url, err)
	}
	return s.Document(ctx, id)
}

// KnownURL reports whether url is already stored (canonical or alias).
func (s *Store) KnownURL(ctx context.Context, url string) (bool, error) {
	var one int
	err := s.queryRow(ctx, "SELECT 1 FROM document_urls WHERE url = ?", url).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("known url: %w", err)
	}
	return true, nil
}

// DocumentsAfter returns up to limit documents with seq > after, in seq order,
// deleted ones included (with Deleted set) so consumers can remove them. This is
// the log every consumer tails.
func (s *Store) DocumentsAfter(ctx context.Context, after int64, limit int) ([]model.Document, error) {
	rows, err := s.query(ctx, "SELECT "+docColumns+" FROM documents WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, fmt.Errorf("documents after %d: %w", after, err)
	}
	defer rows.Close()
	var docs []model.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("documents after %d: %w", after, err)
		}
		docs = append(docs, d)
	}
	return docs, rows.Err()
}

// MaxSeq is the newest seq in the log (0 when empty).
func (s *Store) MaxSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM documents").Scan(&seq); err != nil {
		return 0, fmt.Errorf("max seq: %w", err)
	}
	return seq, nil
}

// DocFilter selects documents for listing.
type DocFilter struct {
	Sources        []string
	From, To       time.Time // published range, inclusive; zero = open
	IncludeDeleted bool
	Limit          int // 0 = all
	Offset         int
}

// CountDocuments counts the documents f selects, ignoring Limit and Offset.
func (s *Store) CountDocuments(ctx context.Context, f DocFilter) (int64, error) {
	where, args := f.where()
	var n int64
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM documents"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return n, nil
}

// EachDocument calls fn for every document f selects, newest published first,
// reading rows as it goes so memory stays flat however many there are.
func (s *Store) EachDocument(ctx context.Context, f DocFilter, fn func(model.Document) error) error {
	where, args := f.where()
	q := "SELECT " + docColumns + " FROM documents" + where + " ORDER BY published DESC, id DESC"
	if f.Limit > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (f DocFilter) where() (string, []any) {
	var conds []string
	var args []any
	if !f.IncludeDeleted {
		conds = append(conds, "deleted = 0")
	}
	if len(f.Sources) > 0 {
		conds = append(conds, "source_id IN (?"+strings.Repeat(",?", len(f.Sources)-1)+")")
		for _, s := range f.Sources {
			args = append(args, s)
		}
	}
	if !f.From.IsZero() {
		conds = append(conds, "published >= ?")
		args = append(args, f.From.Unix())
	}
	if !f.To.IsZero() {
		conds = append(conds, "published <= ?")
		args = append(args, f.To.Unix())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Versions returns every text document id has had, oldest first.
func (s *Store) Versions(ctx context.Context, id int64) ([]model.DocumentVersion, error) {
	rows, err := s.query(ctx, `SELECT document_id, version, title, text, content_hash, fetched
		FROM document_versions WHERE document_id = ? ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("versions of %d: %w", id, err)
	}
	defer rows.Close()
	var vs []model.DocumentVersion
	for rows.Next() {
		var v model.DocumentVersion
		var fetched int64
		if err := rows.Scan(&v.DocumentID, &v.Version, &v.Title, &v.Text, &v.ContentHash, &fetched); err != nil {
			return nil, fmt.Errorf("versions of %d: %w", id, err)
		}
		v.Fetched = fromUnix(fetched)
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

// RawPage returns the raw page behind version of document id (0 = latest).
func (s *Store) RawPage(ctx context.Context, id int64, version int) (Raw, error) {
	var raw Raw
	var body []byte
	err := s.queryRow(ctx, `SELECT content_type, body FROM raw_pages WHERE document_id = ?
		AND (version = ? OR ? = 0) ORDER BY version DESC LIMIT 1`, id, version, version).Scan(&raw.ContentType, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return raw, fmt.Errorf("raw page of %d: %w", id, ErrNotFound)
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

// Fingerprint is a document's near-duplicate fingerprint.
type Fingerprint struct {
	ID        int64
	SimHash   uint64
	Published time.Time
	Source    string
}

// EachFingerprint calls fn for every live document's fingerprint published at or
// after since (zero = all), oldest first.
func (s *Store) EachFingerprint(ctx context.Context, since time.Time, fn func(Fingerprint) error) error {
	rows, err := s.query(ctx, `SELECT id, simhash, published, source_id FROM documents
		WHERE deleted = 0 AND duplicate_of IS NULL AND published >= ? ORDER BY published, id`, unix(since))
	if err != nil {
		return fmt.Errorf("fingerprints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f Fingerprint
		var sh, pub int64
		if err := rows.Scan(&f.ID, &sh, &pub, &f.Source); err != nil {
			return fmt.Errorf("fingerprints: %w", err)
		}
		f.SimHash, f.Published = uint64(sh), fromUnix(pub)
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Duplicates returns the ids of documents linked to id as near-duplicates.
func (s *Store) Duplicates(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.query(ctx, "SELECT id FROM documents WHERE duplicate_of = ? AND deleted = 0 ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("duplicates of %d: %w", id, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		ids = append(ids, d)
	}
	return ids, rows.Err()
}

func jsonList(xs []string) string {
	if len(xs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(xs)
	return string(b)
}

// decodeList is what json.Unmarshal makes of a JSON list of strings into
// a nil slice. A page of search hits decodes the authors and tags of each
// of its documents, and jsonList writes plain lists (["a","b"]) that need
// no decoder: those are split here, anything else goes to encoding/json.
func decodeList(s string) []string {
	if s == "[]" {
		return []string{}
	}
	if len(s) < 4 || s[0] != '[' || s[1] != '"' || s[len(s)-2] != '"' || s[len(s)-1] != ']' || !plainJSON(s) {
		return decodeJSONList(s)
	}
	// Between the outer quotes: items separated by ",", none holding a quote.
	inner := s[2 : len(s)-2]
	out := make([]string, 0, strings.Count(inner, `","`)+1)
	for {
		i := strings.IndexByte(inner, '"')
		if i < 0 {
			return append(out, inner)
		}
		if !strings.HasPrefix(inner[i:], `","`) {
			return decodeJSONList(s)
		}
		out = append(out, inner[:i])
		inner = inner[i+3:]
	}
}

// plainJSON reports whether s is valid UTF-8 with no backslash (escape)
// and no control character (which JSON strings may not hold).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == '\\' {
			return false
		}
	}
	return utf8.ValidString(s)
}

func decodeJSONList(s string) []string {
	var xs []string
	json.Unmarshal([]byte(s), &xs)
	return xs
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
