package timeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/terminal"
)

// Formats are the export formats, in the order help lists them.
var Formats = []string{"text", "csv", "json", "ndjson", "timelinejs", "ics", "md"}

// Header is what makes an export reproducible: what was asked, when, and the
// store seq the events reflect.
type Header struct {
	Title     string    `json:"title"`
	Query     Query     `json:"query"`
	Generated time.Time `json:"generated"`
	StoreSeq  int64     `json:"store_seq"`
}

// Export writes every event q selects to w in format, streaming, and returns
// how many it wrote.
func Export(ctx context.Context, t *Timeline, q Query, h Header, format string, w io.Writer) (int, error) {
	ew, err := NewWriter(format, w)
	if err != nil {
		return 0, err
	}
	if err := ew.Begin(h); err != nil {
		return 0, err
	}
	n := 0
	err = t.Each(ctx, q, func(e Entry) error {
		n++
		return ew.Event(e)
	})
	if err != nil {
		return n, err
	}
	return n, ew.End()
}

// Writer writes a timeline in one format: Begin, Event for each event in
// order, End.
type Writer interface {
	Begin(Header) error
	Event(Entry) error
	End() error
}

// NewWriter returns a writer for format (see Formats).
func NewWriter(format string, w io.Writer) (Writer, error) {
	bw := bufio.NewWriter(w)
	switch format {
	case "", "text":
		return &textWriter{w: bw}, nil
	case "csv":
		return &csvWriter{bw: bw, w: csv.NewWriter(bw)}, nil
	case "json":
		return &jsonWriter{w: bw}, nil
	case "ndjson":
		return &ndjsonWriter{w: bw}, nil
	case "timelinejs":
		return &tljsWriter{w: bw}, nil
	case "ics":
		return &icsWriter{w: bw}, nil
	case "md", "markdown":
		return &mdWriter{w: bw}, nil
	}
	return nil, fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(Formats, ", "))
}

// DateString writes a happened date at its precision: 2024-04-22, 2024-04 or
// 2024.
func DateString(t time.Time, p model.Precision) string {
	if t.IsZero() {
		return "undated"
	}
	switch p {
	case model.PrecisionYear:
		return t.Format("2006")
	case model.PrecisionMonth:
		return t.Format("2006-01")
	}
	return t.Format("2006-01-02")
}

// PublishedString writes a publication time as exactly as it is known, on
// the page's own day: "2025-10-16 18:00" (UTC), "2025-10-08 00:30 +01:00"
// for a time the page stated with its offset, or "2025-10-16" for a date
// known only to the day (model.DayOnly), never "2025-10-16 00:00".
func PublishedString(t time.Time) string {
	switch {
	case t.IsZero():
		return "undated"
	case model.DayOnly(t):
		return t.Format("2006-01-02")
	case model.Offset(t) != 0:
		return t.Format("2006-01-02 15:04 -07:00")
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// publishedRFC3339 is PublishedString for machine-readable columns: RFC 3339
// with the page's own offset, or a bare YYYY-MM-DD for a day-only date.
func publishedRFC3339(t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case model.DayOnly(t):
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// filterSummary says what an export selected, for its header: "topic:
// uk-china-spy-case · query: "Christopher Cash" OR Berry · types: charge".
// The query is written as typed, never re-quoted: a reader must be able to
// paste it back into a search box.
func filterSummary(q Query) string {
	var parts []string
	if q.Topic != "" {
		parts = append(parts, "topic: "+q.Topic)
	}
	if q.Query != "" {
		parts = append(parts, "query: "+q.Query)
	}
	if len(q.Types) > 0 {
		ts := make([]string, len(q.Types))
		for i, t := range q.Types {
			ts[i] = string(t)
		}
		parts = append(parts, "types: "+strings.Join(ts, ", "))
	}
	if !q.From.IsZero() {
		parts = append(parts, "from: "+q.From.Format("2006-01-02"))
	}
	if !q.To.IsZero() {
		parts = append(parts, "to: "+q.To.Format("2006-01-02"))
	}
	if len(q.Sources) > 0 {
		parts = append(parts, "sources: "+strings.Join(q.Sources, ", "))
	}
	if q.Official {
		parts = append(parts, "official sources only")
	}
	if len(parts) == 0 {
		return "all events"
	}
	return strings.Join(parts, " · ")
}

// marshal is json.Marshal without HTML escaping: exports are files, not
// script in a page, so a URL's & stays & (not \u0026) and a quote in the
// query is escaped once, by JSON itself.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// --- text

// textWriter writes plain text for a terminal: every title, URL and query
// goes through terminal.Printable, so a hostile page's control characters
// and escape sequences are shown, not obeyed, and no value adds a line.
type textWriter struct {
	w *bufio.Writer
	n int
}

func (t *textWriter) Begin(h Header) error {
	fmt.Fprintf(t.w, "# %s — %s — generated %s at store seq %d\n", terminal.Printable(h.Title), terminal.Printable(filterSummary(h.Query)),
		h.Generated.UTC().Format(time.RFC3339), h.StoreSeq)
	return nil
}

func (t *textWriter) Event(e Entry) error {
	t.n++
	edited := ""
	if e.Edited {
		edited = " [edited]"
	}
	first := e.First()
	fmt.Fprintf(t.w, "%-10s  %-12s  #%d  %s%s\n", DateString(e.Happened, e.Precision), e.Type, e.ID, terminal.Printable(e.Title), edited)
	fmt.Fprintf(t.w, "            %d source(s); first: %s (%s, %s)\n", len(e.DocumentIDs), terminal.Printable(first.SourceID),
		PublishedString(first.Published), terminal.Printable(first.URL))
	return nil
}

func (t *textWriter) End() error {
	fmt.Fprintf(t.w, "%d event(s)\n", t.n)
	return t.w.Flush()
}

// --- CSV (RFC 4180: CRLF line ends, a header row)

type csvWriter struct {
	bw *bufio.Writer
	w  *csv.Writer
	h  Header
}

var csvHeader = []string{"id", "happened", "precision", "date_confidence", "date_phrase", "type", "type_confidence",
	"title", "first_url", "first_source", "first_published", "official_urls", "sources", "actors", "quotes",
	"edited", "edited_fields", "query", "generated", "store_seq", "importance", "story_id", "story"}

func (c *csvWriter) Begin(h Header) error {
	c.h = h
	c.w.UseCRLF = true
	return c.w.Write(csvHeader)
}

func (c *csvWriter) Event(e Entry) error {
	first := e.First()
	var official, sources []string
	for _, s := range e.Sources {
		if s.Official {
			official = append(official, s.URL)
		}
		sources = append(sources, s.SourceID)
	}
	var actors []string
	for _, a := range e.Actors {
		actors = append(actors, a.Name)
	}
	fp := publishedRFC3339(first.Published)
	return c.w.Write([]string{strconv.FormatInt(e.ID, 10), DateString(e.Happened, e.Precision), string(e.Precision),
		strconv.FormatFloat(e.DateConfidence, 'f', 2, 64), e.DatePhrase, string(e.Type),
		strconv.FormatFloat(e.TypeConfidence, 'f', 2, 64), e.Title, first.URL, first.SourceID, fp,
		strings.Join(official, " "), strings.Join(uniq(sources), " "), strings.Join(actors, "; "),
		strconv.Itoa(len(e.Quotes)), strconv.FormatBool(e.Edited), strings.Join(e.EditedFields, " "),
		filterSummary(c.h.Query), c.h.Generated.UTC().Format(time.RFC3339), strconv.FormatInt(c.h.StoreSeq, 10),
		strconv.FormatFloat(e.Importance, 'f', 2, 64), strconv.FormatInt(e.Story.ID, 10), e.Story.Title})
}

func (c *csvWriter) End() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// --- JSON: {"title", "query", "generated", "store_seq", "events": [...], "count"}

type jsonWriter struct {
	w *bufio.Writer
	n int
}

func (j *jsonWriter) Begin(h Header) error {
	b, err := marshal(h)
	if err != nil {
		return err
	}
	j.w.Write(b[:len(b)-1]) // leave the object open for the events
	j.w.WriteString(`,"events":[`)
	return nil
}

func (j *jsonWriter) Event(e Entry) error {
	if j.n > 0 {
		j.w.WriteString(",")
	}
	j.n++
	j.w.WriteString("\n")
	b, err := marshal(e)
	if err != nil {
		return err
	}
	_, err = j.w.Write(b)
	return err
}

func (j *jsonWriter) End() error {
	fmt.Fprintf(j.w, "\n],\"count\":%d}\n", j.n)
	return j.w.Flush()
}

// --- NDJSON: a first line {"header": {...}}, then one event per line.

type ndjsonWriter struct{ w *bufio.Writer }

func (n *ndjsonWriter) Begin(h Header) error {
	b, err := marshal(struct {
		Header Header `json:"header"`
	}{h})
	if err != nil {
		return err
	}
	n.w.Write(b)
	return n.w.WriteByte('\n')
}

func (n *ndjsonWriter) Event(e Entry) error {
	b, err := marshal(e)
	if err != nil {
		return err
	}
	n.w.Write(b)
	return n.w.WriteByte('\n')
}

func (n *ndjsonWriter) End() error { return n.w.Flush() }

// --- TimelineJS3 JSON (https://timeline.knightlab.com/docs/json-format.html)

type tljsDate struct {
	Year  string `json:"year"`
	Month string `json:"month,omitempty"`
	Day   string `json:"day,omitempty"`
}

type tljsText struct {
	Headline string `json:"headline"`
	Text     string `json:"text"`
}

type tljsSlide struct {
	StartDate *tljsDate `json:"start_date,omitempty"`
	Text      tljsText  `json:"text"`
	Group     string    `json:"group,omitempty"`
	UniqueID  string    `json:"unique_id,omitempty"`
}

type tljsWriter struct {
	w *bufio.Writer
	n int
}

func (t *tljsWriter) Begin(h Header) error {
	title := tljsSlide{Text: tljsText{Headline: htmlEscape(h.Title), Text: htmlEscape(fmt.Sprintf(
		"%s. Generated %s from store seq %d.", filterSummary(h.Query), h.Generated.UTC().Format(time.RFC3339), h.StoreSeq))}}
	tb, err := marshal(title)
	if err != nil {
		return err
	}
	hb, err := marshal(h)
	if err != nil {
		return err
	}
	fmt.Fprintf(t.w, `{"watchline":%s,"title":%s,"events":[`, hb, tb)
	return nil
}

func (t *tljsWriter) Event(e Entry) error {
	d := &tljsDate{Year: strconv.Itoa(e.Happened.Year())}
	if e.Precision == model.PrecisionMonth || e.Precision == model.PrecisionDay {
		d.Month = strconv.Itoa(int(e.Happened.Month()))
	}
	if e.Precision == model.PrecisionDay {
		d.Day = strconv.Itoa(e.Happened.Day())
	}
	var body strings.Builder
	fmt.Fprintf(&body, "<p>%s", htmlEscape(string(e.Type)))
	if e.DatePhrase != "" {
		fmt.Fprintf(&body, " · dated from “%s”", htmlEscape(e.DatePhrase))
	}
	body.WriteString("</p>")
	for _, q := range e.Quotes {
		if body.Len() > 2000 {
			break
		}
		fmt.Fprintf(&body, "<blockquote>%s — %s</blockquote>", htmlEscape(q.Display()), htmlEscape(q.Speaker))
	}
	if f := e.First(); f.URL != "" {
		// The first report is a link in the text, not media: TimelineJS loads
		// media.url as an image or an embed, and an article page is neither.
		fmt.Fprintf(&body, `<p>First reported by <a href="%s">%s</a> (%s, %s).</p>`, attrEscape(f.URL),
			htmlEscape(f.Title), htmlEscape(f.SourceID), tljsPublished(f.Published))
	}
	body.WriteString("<ul>")
	for _, s := range e.Sources {
		fmt.Fprintf(&body, `<li><a href="%s">%s</a> (%s, %s)</li>`, attrEscape(s.URL), htmlEscape(s.Title),
			htmlEscape(s.SourceID), tljsPublished(s.Published))
	}
	body.WriteString("</ul>")
	slide := tljsSlide{StartDate: d, Text: tljsText{Headline: htmlEscape(e.Title), Text: body.String()},
		Group: string(e.Type), UniqueID: "event-" + strconv.FormatInt(e.ID, 10)}
	b, err := marshal(slide)
	if err != nil {
		return err
	}
	if t.n > 0 {
		t.w.WriteString(",")
	}
	t.n++
	t.w.WriteString("\n")
	_, err = t.w.Write(b)
	return err
}

func (t *tljsWriter) End() error {
	t.w.WriteString("\n]}\n")
	return t.w.Flush()
}

// tljsPublished is a publication time for a slide's text: "2 Jan 2006
// 15:04 UTC", or the date alone when only the day is known.
func tljsPublished(t time.Time) string {
	if t.IsZero() {
		return "undated"
	}
	if model.DayOnly(t) {
		return t.Format("2 Jan 2006")
	}
	if model.Offset(t) != 0 {
		return t.Format("2 Jan 2006 15:04 -07:00")
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

// htmlEscape escapes text for a slide's HTML; quotes stay quotes, as
// TimelineJS shows headlines and text as HTML content.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// attrEscape escapes a value for a double-quoted HTML attribute.
func attrEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// --- iCalendar (RFC 5545): all-day events, CRLF, lines folded at 75 octets.

type icsWriter struct {
	w *bufio.Writer
	h Header
}

func (c *icsWriter) line(s string) {
	// Fold at 75 octets without splitting a UTF-8 sequence; continuation lines
	// start with a space, which counts towards their 75.
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		c.w.WriteString(s[:cut])
		c.w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74
	}
	c.w.WriteString(s)
	c.w.WriteString("\r\n")
}

// icsText escapes a TEXT value (RFC 5545 3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

func (c *icsWriter) Begin(h Header) error {
	c.h = h
	c.line("BEGIN:VCALENDAR")
	c.line("VERSION:2.0")
	c.line("PRODID:-//watchline//timeline//EN")
	c.line("CALSCALE:GREGORIAN")
	c.line("X-WR-CALNAME:" + icsText(h.Title))
	c.line("X-WATCHLINE-QUERY:" + icsText(filterSummary(h.Query)))
	c.line("X-WATCHLINE-GENERATED:" + h.Generated.UTC().Format("20060102T150405Z"))
	c.line("X-WATCHLINE-STORE-SEQ:" + strconv.FormatInt(h.StoreSeq, 10))
	return nil
}

func (c *icsWriter) Event(e Entry) error {
	if e.Happened.IsZero() {
		return nil // a calendar cannot place an undated event
	}
	start := e.Happened
	var end time.Time
	switch e.Precision {
	case model.PrecisionYear:
		start = time.Date(start.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(1, 0, 0)
	case model.PrecisionMonth:
		start = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(0, 1, 0)
	default:
		end = start.AddDate(0, 0, 1)
	}
	c.line("BEGIN:VEVENT")
	c.line(fmt.Sprintf("UID:event-%d@watchline", e.ID))
	c.line("DTSTAMP:" + c.h.Generated.UTC().Format("20060102T150405Z"))
	c.line("DTSTART;VALUE=DATE:" + start.Format("20060102"))
	c.line("DTEND;VALUE=DATE:" + end.Format("20060102"))
	c.line("SUMMARY:" + icsText(e.Title))
	c.line("CATEGORIES:" + icsText(string(e.Type)))
	var desc strings.Builder
	fmt.Fprintf(&desc, "%s (%s, precision %s, date confidence %.2f)", e.Type, DateString(e.Happened, e.Precision), e.Precision, e.DateConfidence)
	if e.Edited {
		desc.WriteString("\nEdited by hand: " + strings.Join(e.EditedFields, ", "))
	}
	for _, q := range e.Quotes {
		fmt.Fprintf(&desc, "\n%s — %s", q.Display(), q.Speaker)
	}
	for _, s := range e.Sources {
		fmt.Fprintf(&desc, "\n%s: %s %s", s.SourceID, s.Title, s.URL)
	}
	c.line("DESCRIPTION:" + icsText(desc.String()))
	if f := e.First(); f.URL != "" {
		c.line("URL:" + f.URL)
	}
	c.line("END:VEVENT")
	return nil
}

func (c *icsWriter) End() error {
	c.line("END:VCALENDAR")
	return c.w.Flush()
}

// --- Markdown

type mdWriter struct {
	w *bufio.Writer
	n int
}

func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;").Replace(s)
}

func (m *mdWriter) Begin(h Header) error {
	fmt.Fprintf(m.w, "# %s\n\n", mdEscape(h.Title))
	fmt.Fprintf(m.w, "_%s · generated %s · store seq %d_\n", mdEscape(filterSummary(h.Query)),
		h.Generated.UTC().Format(time.RFC3339), h.StoreSeq)
	return nil
}

func (m *mdWriter) Event(e Entry) error {
	m.n++
	fmt.Fprintf(m.w, "\n## %s — %s\n\n", DateString(e.Happened, e.Precision), mdEscape(e.Title))
	fmt.Fprintf(m.w, "- **Type:** %s (confidence %.2f", e.Type, e.TypeConfidence)
	if e.TypeEvidence != "" {
		fmt.Fprintf(m.w, `, from "%s"`, mdEscape(e.TypeEvidence))
	}
	m.w.WriteString(")\n")
	fmt.Fprintf(m.w, "- **Happened:** %s (%s precision, confidence %.2f", DateString(e.Happened, e.Precision), e.Precision, e.DateConfidence)
	if e.DatePhrase != "" {
		fmt.Fprintf(m.w, `, from "%s"`, mdEscape(e.DatePhrase))
	}
	m.w.WriteString(")\n")
	if e.Edited {
		fmt.Fprintf(m.w, "- **Edited by hand:** %s\n", strings.Join(e.EditedFields, ", "))
	}
	if e.Story.ID != 0 {
		fmt.Fprintf(m.w, "- **Story:** %s (importance of this event %.1f)\n", mdEscape(e.Story.Title), e.Importance)
	}
	if len(e.Actors) > 0 {
		var names []string
		for i, a := range e.Actors {
			if i == 8 {
				break
			}
			names = append(names, mdEscape(a.Name))
		}
		fmt.Fprintf(m.w, "- **Actors:** %s\n", strings.Join(names, ", "))
	}
	if f := e.First(); f.URL != "" {
		when := f.Published.UTC().Format("2 Jan 2006 15:04 MST")
		switch {
		case model.DayOnly(f.Published):
			when = f.Published.Format("2 Jan 2006")
		case model.Offset(f.Published) != 0:
			when = f.Published.Format("2 Jan 2006 15:04 -07:00")
		}
		fmt.Fprintf(m.w, "- **First reported:** [%s](%s) — %s, %s\n", mdEscape(f.Title), f.URL, f.SourceID, when)
	}
	for _, q := range e.Quotes {
		fmt.Fprintf(m.w, "\n> %s\n> — %s", mdEscape(q.Display()), mdEscape(q.Speaker))
		if q.Role != "" {
			fmt.Fprintf(m.w, ", %s", mdEscape(q.Role))
		}
		m.w.WriteString("\n")
	}
	m.w.WriteString("\n**Sources**\n\n")
	for _, s := range e.Sources {
		tag := ""
		if s.Official {
			tag = " (official)"
		}
		fmt.Fprintf(m.w, "1. %s — [%s](%s), %s%s\n", PublishedString(s.Published), mdEscape(s.Title), s.URL, s.SourceID, tag)
	}
	return nil
}

func (m *mdWriter) End() error {
	fmt.Fprintf(m.w, "\n_%d event(s)_\n", m.n)
	return m.w.Flush()
}
