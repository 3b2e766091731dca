package timeline

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/watchline/watchline/model"
)

// A document's analysis is stored with its event membership so that open
// events can be rebuilt without re-reading texts. It is written once per
// document and read whenever an event is loaded, so it is a compact binary
// record rather than JSON: decoding it costs a few hundred nanoseconds, not
// the tens of microseconds JSON took (the cause of the clusterer's slow
// reloads at 100k documents). Numbers the clusterer compares are kept
// exactly (float64), so a clusterer that reloads an event decides as one that
// kept it in memory. Records written by earlier versions as JSON are still
// read.

// memberVersion is the first byte of a binary record; JSON starts with '{'.
// Version 2 kept a document's quotes as JSON inside the record; version 3
// writes them as the rest is written. A reloaded member's quotes were the
// largest part of decoding it (0.64 of 2.35 CPU-seconds loading members in a
// CPU profile at 20,000 synthetic documents with caps of 2,000 events).
// Version 2 records are still read.
const memberVersion = 3

var errMember = errors.New("timeline: damaged member record")

type enc struct{ b []byte }

func (e *enc) uvarint(x uint64) { e.b = binary.AppendUvarint(e.b, x) }
func (e *enc) varint(x int64)   { e.b = binary.AppendVarint(e.b, x) }
func (e *enc) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) f32(f float64) {
	e.b = binary.LittleEndian.AppendUint32(e.b, math.Float32bits(float32(f)))
}
func (e *enc) f64(f float64) { e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(f)) }
func (e *enc) flag(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *enc) time(t time.Time) {
	if t.IsZero() {
		e.varint(math.MinInt64)
		return
	}
	e.varint(t.UnixNano())
}
func (e *enc) date(d model.DateFound) {
	e.time(d.Date)
	e.str(string(d.Precision))
	e.f64(d.Confidence)
	e.str(d.Phrase)
	e.varint(int64(d.Offset))
}

type dec struct {
	b   []byte
	err error
}

func (d *dec) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errMember
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *dec) varint() int64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errMember
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *dec) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) { // every element takes at least one byte
		d.err = errMember
		return 0
	}
	return int(n)
}

func (d *dec) str() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// strs reads a list of strings into a slice of its length (a reloaded
// event's members keep theirs).
func (d *dec) strs() []string { return decList(d, d.str) }

// decList reads a count, then that many items with item, into a slice of
// its length (nil when empty); it stops at the first error.
func decList[T any](d *dec, item func() T) []T {
	n := d.count()
	if n == 0 || d.err != nil {
		return nil
	}
	out := make([]T, n)
	for i := 0; i < n && d.err == nil; i++ {
		out[i] = item()
	}
	return out
}

// actors writes a document's actors; dec.actors reads them back.
func (e *enc) actors(as []model.Actor) {
	e.uvarint(uint64(len(as)))
	for _, a := range as {
		e.str(a.Name)
		e.str(a.Kind)
		e.uvarint(uint64(a.Mentions))
	}
}

func (d *dec) actors() []model.Actor {
	return decList(d, func() model.Actor {
		return model.Actor{Name: d.str(), Kind: d.str(), Mentions: int(d.uvarint())}
	})
}

// quotes writes a document's quotes; dec.quotes reads them back.
func (e *enc) quotes(qs []model.Quote) {
	e.uvarint(uint64(len(qs)))
	for _, q := range qs {
		e.str(q.Text)
		e.str(q.Speaker)
		e.str(q.Role)
		e.str(q.Mention)
		e.str(string(q.Kind))
		e.str(string(q.Cue))
		e.varint(int64(q.Start))
		e.varint(int64(q.End))
		e.varint(q.DocumentID)
		e.varint(q.EventID)
	}
}

func (d *dec) quotes() []model.Quote {
	return decList(d, func() (q model.Quote) {
		q.Text, q.Speaker, q.Role, q.Mention = d.str(), d.str(), d.str(), d.str()
		q.Kind, q.Cue = model.QuoteKind(d.str()), model.QuoteCue(d.str())
		q.Start, q.End = int(d.varint()), int(d.varint())
		q.DocumentID, q.EventID = d.varint(), d.varint()
		return q
	})
}

// storyWords writes the words the story model reads with their counts;
// dec.storyWords reads them back.
func (e *enc) storyWords(terms []uint32, counts []uint16) {
	e.uvarint(uint64(len(terms)))
	for i, t := range terms {
		e.b = binary.LittleEndian.AppendUint32(e.b, t)
		e.uvarint(uint64(counts[i]))
	}
}

func (d *dec) storyWords() ([]uint32, []uint16) {
	n := d.count()
	if n == 0 || d.err != nil {
		return nil, nil
	}
	terms, counts := make([]uint32, n), make([]uint16, n)
	for i := 0; i < n && d.err == nil; i++ {
		if len(d.b) < 4 {
			d.err = errMember
			break
		}
		terms[i] = binary.LittleEndian.Uint32(d.b)
		d.b = d.b[4:]
		counts[i] = uint16(d.uvarint())
	}
	return terms, counts
}

func (d *dec) f32() float64 {
	if d.err != nil || len(d.b) < 4 {
		d.err = errMember
		return 0
	}
	f := math.Float32frombits(binary.LittleEndian.Uint32(d.b))
	d.b = d.b[4:]
	return float64(f)
}

func (d *dec) f64() float64 {
	if d.err != nil || len(d.b) < 8 {
		d.err = errMember
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return f
}

func (d *dec) flag() bool {
	if d.err != nil || len(d.b) < 1 {
		d.err = errMember
		return false
	}
	v := d.b[0] != 0
	d.b = d.b[1:]
	return v
}

func (d *dec) time() time.Time {
	x := d.varint()
	if x == math.MinInt64 || d.err != nil {
		return time.Time{}
	}
	return time.Unix(0, x).UTC()
}

func (d *dec) date() model.DateFound {
	var f model.DateFound
	f.Date = d.time()
	f.Precision = model.Precision(d.str())
	f.Confidence = d.f64()
	f.Phrase = d.str()
	f.Offset = int(d.varint())
	return f
}

// marshalMember encodes a document's analysis.
func marshalMember(info *docInfo) []byte {
	e := &enc{b: make([]byte, 0, 256+8*len(info.TermIDs))}
	e.b = append(e.b, memberVersion)
	e.varint(info.ID)
	e.time(info.Published)
	e.flag(info.Official)
	e.str(info.Source)
	e.str(info.Title)
	e.varint(info.DuplicateOf)
	e.str(string(info.Role))
	e.uvarint(uint64(len(info.TermIDs)))
	for i, t := range info.TermIDs {
		e.b = binary.LittleEndian.AppendUint32(e.b, t)
		e.f32(float64(info.TermW[i]))
	}
	e.storyWords(info.StoryTerms, info.StoryCounts)
	e.uvarint(uint64(len(info.Entities)))
	for _, s := range info.Entities {
		e.str(s)
	}
	e.date(info.Happened)
	e.uvarint(uint64(len(info.Mentioned)))
	for _, m := range info.Mentioned {
		e.date(m)
	}
	e.str(string(info.Type))
	e.str(info.TypeEvidence)
	e.f64(info.TypeConfidence)
	e.uvarint(uint64(len(info.TypeScores)))
	for _, t := range model.EventTypes { // a fixed order, so equal analyses encode equally
		if s, ok := info.TypeScores[t]; ok {
			e.str(string(t))
			e.f64(s)
		}
	}
	e.actors(info.Actors)
	e.uvarint(uint64(len(info.Principals)))
	for _, s := range info.Principals {
		e.str(s)
	}
	e.uvarint(uint64(len(info.Sides)))
	for _, s := range info.Sides {
		e.str(s)
	}
	e.quotes(info.Quotes)
	return e.b
}

// unmarshalMember decodes a stored analysis (binary, or JSON from earlier
// versions).
func unmarshalMember(b []byte) (*docInfo, error) {
	if len(b) > 0 && b[0] == '{' {
		var info docInfo
		if err := json.Unmarshal(b, &info); err != nil {
			return nil, err
		}
		return &info, nil
	}
	if len(b) == 0 || (b[0] != memberVersion && b[0] != 2) {
		return nil, errMember
	}
	version := b[0]
	d := &dec{b: b[1:]}
	info := &docInfo{}
	info.ID = d.varint()
	info.Published = d.time()
	info.Official = d.flag()
	info.Source = d.str()
	info.Title = d.str()
	info.DuplicateOf = d.varint()
	info.Role = model.DocumentRole(d.str())
	if n := d.count(); n > 0 && d.err == nil {
		info.TermIDs, info.TermW = make([]uint32, n), make([]float32, n)
		for i := 0; i < n && d.err == nil; i++ {
			if len(d.b) < 4 {
				d.err = errMember
				break
			}
			info.TermIDs[i] = binary.LittleEndian.Uint32(d.b)
			d.b = d.b[4:]
			info.TermW[i] = float32(d.f32())
		}
	}
	info.StoryTerms, info.StoryCounts = d.storyWords()
	info.Entities = d.strs()
	info.Happened = d.date()
	for n := d.count(); n > 0 && d.err == nil; n-- {
		info.Mentioned = append(info.Mentioned, d.date())
	}
	info.Type = model.EventType(d.str())
	info.TypeEvidence = d.str()
	info.TypeConfidence = d.f64()
	if n := d.count(); n > 0 && d.err == nil {
		info.TypeScores = make(map[model.EventType]float64, n)
		for ; n > 0 && d.err == nil; n-- {
			t := model.EventType(d.str())
			info.TypeScores[t] = d.f64()
		}
	}
	info.Actors = d.actors()
	info.Principals = d.strs()
	info.Sides = d.strs()
	if version == 2 {
		if n := d.count(); n > 0 && d.err == nil {
			if err := json.Unmarshal(d.b[:n], &info.Quotes); err != nil {
				return nil, err
			}
			d.b = d.b[n:]
		}
	} else {
		info.Quotes = d.quotes()
	}
	if d.err != nil {
		return nil, d.err
	}
	return info, nil
}

// member is what a cached event keeps of one document's analysis. Choosing,
// scoring and re-voting the event read the fields below; the rest (title,
// type confidence, mentioned dates, actors, quotes, story words) only
// saving the event or moving it to another story reads, so it stays packed
// in binary, written as member records are, until then (see info). Open
// events are most of the clusterer's live heap, and at 30,000 synthetic
// documents their members' whole analyses were more than half of it: 3.1 kB
// each, actors and quotes alone 1.2 kB; a member takes 1.7 kB.
type member struct {
	ID           int64
	DuplicateOf  int64
	Published    time.Time
	Official     bool
	Source       string
	Role         model.DocumentRole
	Happened     model.DateFound
	Type         model.EventType
	TypeEvidence string
	TypeScores   []typeScore // in model.EventTypes order
	TermIDs      []uint32
	TermW        []float32
	Entities     []string
	Principals   []string
	Sides        []string
	// Speakers are who its direct quotes quote, each once (importance
	// counts the voices an event quotes).
	Speakers []string
	packed   []byte
}

// typeScore is one of a document's event type scores (docInfo.TypeScores).
type typeScore struct {
	typ   model.EventType
	score float64
}

// names holds one copy of each string that cached members repeat: their
// sources, types, roles, the names they mention and who they quote. A
// member decoded from the store has a string of its own for each (at 1M
// synthetic documents the decoded strings were 28 MB of a 523 MB live heap,
// in 1.1M objects the collector walked), and so does a document just
// analysed.
type names map[string]string

// namesMax bounds names: past it the table starts again, which only costs
// sharing (a corpus's sources and types are few; its names many).
const namesMax = 1 << 17

func (n names) of(s string) string {
	if v, ok := n[s]; ok {
		return v
	}
	if len(n) >= namesMax {
		clear(n)
	}
	n[s] = s
	return s
}

func (n names) all(ss []string) {
	for i, s := range ss {
		ss[i] = n.of(s)
	}
}

// intern replaces the strings of info that newMember keeps with their
// shared copies.
func (n names) intern(info *docInfo) {
	info.Source, info.TypeEvidence = n.of(info.Source), n.of(info.TypeEvidence)
	info.Type, info.Role = model.EventType(n.of(string(info.Type))), model.DocumentRole(n.of(string(info.Role)))
	info.Happened.Precision = model.Precision(n.of(string(info.Happened.Precision)))
	info.Happened.Phrase = n.of(info.Happened.Phrase)
	n.all(info.Entities)
	n.all(info.Principals)
	n.all(info.Sides)
	for i := range info.Quotes { // newMember keeps their speakers
		info.Quotes[i].Speaker = n.of(info.Quotes[i].Speaker)
	}
}

// newMember keeps info as a cached event's member. It shares info's slices
// and strings, which nothing changes once a document is analysed.
func newMember(info *docInfo) *member {
	m := &member{
		ID: info.ID, DuplicateOf: info.DuplicateOf, Published: info.Published, Official: info.Official,
		Source: info.Source, Role: info.Role, Happened: info.Happened,
		Type: info.Type, TypeEvidence: info.TypeEvidence,
		TermIDs: info.TermIDs, TermW: info.TermW, Entities: info.Entities, Principals: info.Principals, Sides: info.Sides,
	}
	for _, t := range model.EventTypes { // the order marshalMember writes them in
		if s, ok := info.TypeScores[t]; ok {
			m.TypeScores = append(m.TypeScores, typeScore{t, s})
		}
	}
	for _, q := range info.Quotes {
		if q.Speaker != "" && q.Kind == model.QuoteDirect && !slices.Contains(m.Speakers, q.Speaker) {
			m.Speakers = append(m.Speakers, q.Speaker)
		}
	}
	e := &enc{b: make([]byte, 0, 1024)}
	e.str(info.Title) // first, so title reads nothing else
	e.f64(info.TypeConfidence)
	e.uvarint(uint64(len(info.Mentioned)))
	for _, d := range info.Mentioned {
		e.date(d)
	}
	e.actors(info.Actors)
	e.quotes(info.Quotes)
	e.storyWords(info.StoryTerms, info.StoryCounts)
	m.packed = slices.Clone(e.b) // sized exactly: it is kept as long as the event is cached
	return m
}

// title is the document's title.
func (m *member) title() string {
	d := &dec{b: m.packed}
	return d.str()
}

// info is the document's whole analysis again, as newMember was given it.
func (m *member) info() *docInfo {
	info := &docInfo{
		ID: m.ID, DuplicateOf: m.DuplicateOf, Published: m.Published, Official: m.Official,
		Source: m.Source, Role: m.Role, Happened: m.Happened,
		Type: m.Type, TypeEvidence: m.TypeEvidence,
		TermIDs: m.TermIDs, TermW: m.TermW, Entities: m.Entities, Principals: m.Principals, Sides: m.Sides,
	}
	if m.TypeScores != nil {
		info.TypeScores = make(map[model.EventType]float64, len(m.TypeScores))
		for _, s := range m.TypeScores {
			info.TypeScores[s.typ] = s.score
		}
	}
	// The record was written in this process; it cannot be damaged.
	d := &dec{b: m.packed}
	info.Title = d.str()
	info.TypeConfidence = d.f64()
	if n := d.count(); n > 0 {
		info.Mentioned = make([]model.DateFound, n)
		for i := range info.Mentioned {
			info.Mentioned[i] = d.date()
		}
	}
	info.Actors = d.actors()
	info.Quotes = d.quotes()
	info.StoryTerms, info.StoryCounts = d.storyWords()
	return info
}
