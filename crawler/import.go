package crawler

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/watchline/watchline/extract"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// Import formats.
const (
	FormatNDJSON = "ndjson"
	FormatCSV    = "csv"
)

// ImportSource is the source id of imported rows that name none.
const ImportSource = "import"

// maxImportLine caps one NDJSON line or CSV record.
const maxImportLine = 16 << 20

// BadRow is an import row, or a range of lines, that was skipped, and why.
type BadRow struct {
	Line    int    `json:"line"`               // first line
	EndLine int    `json:"end_line,omitempty"` // last line of a range (0: Line alone)
	Rows    int    `json:"rows"`               // rows it may have held: 1, or every line of an unreadable range
	Reason  string `json:"reason"`
}

// End is the last line of the range.
func (b BadRow) End() int { return max(b.Line, b.EndLine) }

// Lines is "12" or "12-15".
func (b BadRow) Lines() string {
	if b.End() > b.Line {
		return fmt.Sprintf("%d-%d", b.Line, b.End())
	}
	return strconv.Itoa(b.Line)
}

func (b BadRow) String() string {
	if b.End() > b.Line {
		return fmt.Sprintf("lines %s: %s", b.Lines(), b.Reason)
	}
	return fmt.Sprintf("line %d: %s", b.Line, b.Reason)
}

// ImportReport is what Import did.
type ImportReport struct {
	Rows       int      `json:"rows"` // data rows read (header excluded)
	New        int      `json:"new"`
	Updated    int      `json:"updated"`
	Unchanged  int      `json:"unchanged"`
	Duplicates int      `json:"duplicates"`
	Bad        []BadRow `json:"bad,omitempty"`
}

// BadRows is how many rows were skipped: a line range that could not be read
// as records counts every line in it, so it is never less than what was lost.
func (r ImportReport) BadRows() int {
	n := 0
	for _, b := range r.Bad {
		n += max(b.Rows, 1)
	}
	return n
}

func (r ImportReport) String() string {
	return fmt.Sprintf("imported %d rows: %d new, %d updated, %d unchanged, %d duplicate, %d bad",
		r.Rows, r.New, r.Updated, r.Unchanged, r.Duplicates, r.BadRows())
}

// bad records a skipped row or line range, merging it into the previous
// entry when that ends on the line before for the same reason (a run of
// unreadable lines is one range).
func (r *ImportReport) bad(first, last, rows int, reason string) {
	r.Rows += rows
	if n := len(r.Bad); n > 0 && r.Bad[n-1].Reason == reason && r.Bad[n-1].End() == first-1 && rows == last-first+1 {
		r.Bad[n-1].EndLine = last
		r.Bad[n-1].Rows += rows
		return
	}
	b := BadRow{Line: first, Rows: rows, Reason: reason}
	if last > first {
		b.EndLine = last
	}
	r.Bad = append(r.Bad, b)
}

// importRow is one row of an import file: url, title, text, published, source.
type importRow struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	Published string `json:"published"`
	Source    string `json:"source"`
}

// DetectFormat picks the import format from a file name's extension, or
// from the first bytes (a '{' means NDJSON) when the extension says nothing.
func DetectFormat(name string, head []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl", ".json":
		return FormatNDJSON
	case ".csv":
		return FormatCSV
	}
	if bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n"), []byte("{")) {
		return FormatNDJSON
	}
	return FormatCSV
}

// Import stores the documents of an NDJSON or CSV file (format "" detects it
// from the content). Each row needs url and text (a headline-only row may give
// just a title: it becomes the text); title, published (RFC 3339
// or YYYY-MM-DD) and source are optional. CSV files need a header row naming
// the columns. Bad rows are reported with their line numbers and skipped;
// good rows go through the same hashing and dedupe as crawled pages, with
// published_source "import". The error is for I/O failures and cancellation.
func Import(ctx context.Context, st Store, r io.Reader, format string) (ImportReport, error) {
	var rep ImportReport
	br := bufio.NewReaderSize(r, 64<<10)
	if format == "" {
		head, _ := br.Peek(512)
		format = DetectFormat("", head)
	}
	d, err := newDedupe(ctx, st)
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	now := time.Now()
	// Rows are stored importBatch at a time, one transaction each; a crash
	// loses at most the batch in flight, which a second run of the same
	// import stores (rows already stored count as unchanged).
	var queue []*queued
	var lines []int
	flush := func() error {
		if len(queue) == 0 {
			return nil
		}
		if err := d.flush(ctx); err != nil && ctx.Err() != nil {
			return err
		}
		for i, q := range queue {
			if q.err != nil {
				return fmt.Errorf("line %d: %w", lines[i], q.err)
			}
			switch q.put.Outcome {
			case store.Inserted:
				rep.New++
			case store.Updated:
				rep.Updated++
			case store.Unchanged:
				rep.Unchanged++
			case store.Aliased:
				rep.Duplicates++
			}
		}
		queue, lines = queue[:0], lines[:0]
		return nil
	}
	handle := func(line int, row importRow) error {
		rep.Rows++
		doc, reason := row.document(now)
		if reason != "" {
			rep.Rows--
			rep.bad(line, line, 1, reason)
			return nil
		}
		known, err := d.known(ctx, doc.CanonicalURL)
		if err != nil {
			return err
		}
		q, err := d.add(ctx, store.Put{Doc: &doc}, known)
		if err != nil {
			return err
		}
		queue, lines = append(queue, q), append(lines, line)
		if len(queue) >= importBatch {
			return flush()
		}
		return nil
	}
	switch format {
	case FormatNDJSON:
		err = importNDJSON(ctx, br, &rep, handle)
	case FormatCSV:
		err = importCSV(ctx, br, &rep, handle)
	default:
		return rep, fmt.Errorf("import: unknown format %q (use ndjson or csv)", format)
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	return rep, nil
}

// importBatch is how many rows one import transaction stores.
const importBatch = 500

func importNDJSON(ctx context.Context, br *bufio.Reader, rep *ImportReport, handle func(int, importRow) error) error {
	for line := 1; ; line++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, tooLong, err := readLine(br, maxImportLine)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		eof := errors.Is(err, io.EOF)
		b = bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
		switch {
		case tooLong:
			rep.bad(line, line, 1, fmt.Sprintf("line longer than %s", humanBytes(maxImportLine)))
		case len(b) == 0:
		default:
			var row importRow
			dec := json.NewDecoder(bytes.NewReader(b))
			if err := dec.Decode(&row); err != nil {
				rep.bad(line, line, 1, "invalid JSON: "+err.Error())
				break
			}
			if err := handle(line, row); err != nil {
				return err
			}
		}
		if eof {
			return nil
		}
	}
}

// readLine reads one line of at most limit bytes; a longer line is consumed
// and reported as tooLong.
func readLine(br *bufio.Reader, limit int) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(line)+len(chunk) > limit {
			tooLong = true
		} else {
			line = append(line, chunk...)
		}
		if err != nil {
			return line, tooLong, err
		}
		if !isPrefix {
			return line, tooLong, nil
		}
	}
}

// importCSV reads CSV records line by line rather than with one csv.Reader
// over the whole file, so that one broken row costs that row only: a quote
// opened and never closed would otherwise swallow every line after it into
// one field. A record is the lines from its first up to the one where the
// quotes balance, read as one CSV record; when that fails, or a line inside
// it reads as a complete record of its own (a URL in the url column and the
// header's number of fields), the first line is reported bad and reading
// starts again at the next.
func importCSV(ctx context.Context, br *bufio.Reader, rep *ImportReport, handle func(int, importRow) error) error {
	sc := &csvLines{br: br}
	header, _, err := sc.record(nil)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	header = slices.Clone(header)
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		cols[h] = i
	}
	if _, ok := cols["url"]; !ok {
		return fmt.Errorf("csv header: no url column (the first row must name the columns: url,title,text,published,source)")
	}
	if _, ok := cols["text"]; !ok {
		return fmt.Errorf("csv header: no text column (the first row must name the columns: url,title,text,published,source)")
	}
	get := func(rec []string, name string) string {
		if i, ok := cols[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	// isRecord says whether one line, alone, reads as a data row.
	isRecord := func(line []byte) bool {
		if bytes.Count(line, []byte{'"'})%2 != 0 {
			return false
		}
		rec, err := parseCSVRecord(line)
		if err != nil || len(rec) != len(header) {
			return false
		}
		u, err := url.Parse(strings.TrimSpace(get(rec, "url")))
		return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, lines, err := sc.record(isRecord)
		if errors.Is(err, io.EOF) {
			return sc.err
		}
		var skip *skipError
		if errors.As(err, &skip) {
			rep.bad(skip.line, skip.line, 1, skip.reason)
			continue
		}
		if err != nil {
			return err
		}
		if len(rec) != len(header) {
			rep.bad(lines[0], lines[1], 1, fmt.Sprintf("%d fields, the header has %d", len(rec), len(header)))
			continue
		}
		row := importRow{URL: get(rec, "url"), Title: get(rec, "title"), Text: get(rec, "text"),
			Published: get(rec, "published"), Source: get(rec, "source")}
		if err := handle(lines[0], row); err != nil {
			return err
		}
	}
}

// csvLines hands out CSV records from physical lines, keeping the lines read
// ahead of the current record so reading can start again at any of them.
type csvLines struct {
	br      *bufio.Reader
	next    int // number of the next line to read from br
	pending []csvLine
	eof     bool
	err     error // a read error other than EOF
}

type csvLine struct {
	n       int
	text    []byte
	tooLong bool
}

// skipError is a line that starts no readable record.
type skipError struct {
	line   int
	reason string
}

func (e *skipError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.reason) }

// peek returns the i-th line ahead, reading it if needed.
func (s *csvLines) peek(i int) (csvLine, bool) {
	for len(s.pending) <= i && !s.eof {
		b, tooLong, err := readLine(s.br, maxImportLine)
		if err != nil && !errors.Is(err, io.EOF) {
			s.err, s.eof = err, true
			break
		}
		if errors.Is(err, io.EOF) {
			s.eof = true
			if len(b) == 0 && !tooLong {
				break
			}
		}
		s.next++
		s.pending = append(s.pending, csvLine{n: s.next, text: b, tooLong: tooLong})
	}
	if len(s.pending) <= i {
		return csvLine{}, false
	}
	return s.pending[i], true
}

// record returns the next record and its first and last line. An unreadable
// first line comes back as a *skipError (it is consumed, the rest is not);
// the end of the file as io.EOF. isRecord, when given, tells a continuation
// line that is really a record of its own.
func (s *csvLines) record(isRecord func([]byte) bool) ([]string, [2]int, error) {
	for {
		first, ok := s.peek(0)
		if !ok {
			return nil, [2]int{}, io.EOF
		}
		skip := func(reason string) ([]string, [2]int, error) {
			s.pending = s.pending[1:]
			return nil, [2]int{}, &skipError{first.n, reason}
		}
		if first.tooLong {
			return skip(fmt.Sprintf("line longer than %s", humanBytes(maxImportLine)))
		}
		if len(bytes.TrimSpace(first.text)) == 0 {
			s.pending = s.pending[1:] // CSV has no empty records
			continue
		}
		quotes, size, k := bytes.Count(first.text, []byte{'"'}), len(first.text), 1
		for quotes%2 == 1 {
			l, ok := s.peek(k)
			switch {
			case !ok:
				return skip("a quoted field is never closed (the file ends inside it)")
			case l.tooLong || size+len(l.text) >= maxImportLine:
				return skip(fmt.Sprintf("a quoted field is never closed within %s", humanBytes(maxImportLine)))
			case isRecord != nil && isRecord(l.text):
				return skip(fmt.Sprintf("a quoted field is never closed (line %d is the next record)", l.n))
			}
			quotes += bytes.Count(l.text, []byte{'"'})
			size += len(l.text) + 1
			k++
		}
		parts := make([][]byte, k)
		for i := range k {
			parts[i] = s.pending[i].text
		}
		rec, err := parseCSVRecord(bytes.Join(parts, []byte{'\n'}))
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return skip("bad CSV: " + err.Error())
		}
		last := s.pending[k-1].n
		s.pending = s.pending[k:]
		return rec, [2]int{first.n, last}, nil
	}
}

// parseCSVRecord reads b as exactly one CSV record.
func parseCSVRecord(b []byte) ([]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil {
		return nil, err
	}
	if _, err := r.Read(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one record on the line")
	}
	return rec, nil
}

// document validates a row and builds its document; reason says what is
// wrong with a bad row.
func (row importRow) document(now time.Time) (model.Document, string) {
	if strings.TrimSpace(row.URL) == "" {
		return model.Document{}, "missing url"
	}
	norm, err := extract.NormalizeURL(row.URL)
	if err != nil {
		return model.Document{}, fmt.Sprintf("bad url %q: use an absolute http(s) URL", row.URL)
	}
	text := paragraphs(row.Text)
	if text == "" {
		// A headline-only row (a news stream of titles): the title is
		// all the text there is.
		text = paragraphs(row.Title)
	}
	if text == "" {
		return model.Document{}, "missing text (give text, or at least a title)"
	}
	src := strings.TrimSpace(row.Source)
	if src == "" {
		src = ImportSource
	}
	d := model.Document{
		URL:          norm,
		CanonicalURL: norm,
		SourceID:     src,
		Title:        plainText(row.Title),
		Text:         text,
		Language:     extract.Language(text),
		Fetched:      now,
	}
	if p := strings.TrimSpace(row.Published); p != "" {
		t, ok := parseImportDate(p)
		if !ok {
			return model.Document{}, fmt.Sprintf("bad published date %q: use RFC 3339 (2025-10-14T09:30:00Z) or YYYY-MM-DD", p)
		}
		d.Published, d.PublishedSource, d.PublishedConfidence = t, "import", 0.9
	} else {
		d.Published, d.PublishedSource, d.PublishedConfidence = now.UTC(), "fetched", fetchedDateConfidence
	}
	return d, ""
}

func parseImportDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02", time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
