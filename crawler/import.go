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
	"path/filepath"
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

// BadRow is an import row that was skipped, and why.
type BadRow struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func (b BadRow) String() string { return fmt.Sprintf("line %d: %s", b.Line, b.Reason) }

// ImportReport is what Import did.
type ImportReport struct {
	Rows       int      `json:"rows"` // data rows read (header excluded)
	New        int      `json:"new"`
	Updated    int      `json:"updated"`
	Unchanged  int      `json:"unchanged"`
	Duplicates int      `json:"duplicates"`
	Bad        []BadRow `json:"bad,omitempty"`
}

func (r ImportReport) String() string {
	return fmt.Sprintf("imported %d rows: %d new, %d updated, %d unchanged, %d duplicate, %d bad",
		r.Rows, r.New, r.Updated, r.Unchanged, r.Duplicates, len(r.Bad))
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
// from the content). Each row needs url and text; title, published (RFC 3339
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
	handle := func(line int, row importRow) error {
		rep.Rows++
		doc, reason := row.document(now)
		if reason != "" {
			rep.Bad = append(rep.Bad, BadRow{line, reason})
			return nil
		}
		known, err := st.KnownURL(ctx, doc.CanonicalURL)
		if err != nil {
			return err
		}
		outcome, _, err := d.put(ctx, &doc, store.Raw{}, known)
		if err != nil {
			return err
		}
		switch outcome {
		case store.Inserted:
			rep.New++
		case store.Updated:
			rep.Updated++
		case store.Unchanged:
			rep.Unchanged++
		case store.Aliased:
			rep.Duplicates++
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
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	return rep, nil
}

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
			rep.Rows++
			rep.Bad = append(rep.Bad, BadRow{line, fmt.Sprintf("line longer than %s", humanBytes(maxImportLine))})
		case len(b) == 0:
		default:
			var row importRow
			dec := json.NewDecoder(bytes.NewReader(b))
			if err := dec.Decode(&row); err != nil {
				rep.Rows++
				rep.Bad = append(rep.Bad, BadRow{line, "invalid JSON: " + err.Error()})
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

func importCSV(ctx context.Context, br *bufio.Reader, rep *ImportReport, handle func(int, importRow) error) error {
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
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
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rep.Rows++
			rep.Bad = append(rep.Bad, BadRow{pe.StartLine, "bad CSV: " + pe.Err.Error()})
			continue
		}
		if err != nil {
			return err
		}
		// FieldPos panics on a record without fields; csv never returns one
		// without an error today, but the line is only for messages.
		line := 0
		if len(rec) > 0 {
			line, _ = cr.FieldPos(0)
		}
		if len(rec) != len(header) {
			rep.Rows++
			rep.Bad = append(rep.Bad, BadRow{line, fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		row := importRow{URL: get(rec, "url"), Title: get(rec, "title"), Text: get(rec, "text"),
			Published: get(rec, "published"), Source: get(rec, "source")}
		if err := handle(line, row); err != nil {
			return err
		}
	}
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
		return model.Document{}, "missing text"
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
