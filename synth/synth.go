// Package synth generates a deterministic synthetic news corpus for
// benchmarks: English-like articles with Zipf-distributed vocabulary, named
// people, organisations and countries, about fifty sources (a few of them
// official publishers), publication dates spread over 2015–2026, wire copies
// (near-identical text of an earlier document from another source) and a few
// long-running stories whose documents share entities and keywords and cluster
// around event dates, so timelines built from it have real events.
//
// The same seed and count always give the same documents, byte for byte, and
// Generate streams: memory stays flat however many documents are asked for.
// The text means nothing; it only has the statistics of news text.
package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
)

// Truth is what the generator knows about a document that the document itself
// does not say: where it sits in the stream, what it copies and which story it
// belongs to. Consumers use it to check duplicate detection and clustering.
type Truth struct {
	Index  int    // 0-based position in the stream
	WireOf int    // Index of the document this one copies, or -1
	Story  string // story id ("story-03"), or "" for a standalone article
	Event  int    // event number within the story (0-based), or -1
}

// Generate calls fn for n synthetic documents made from seed, in order,
// stopping at the first error fn returns. Every field a store needs is set:
// CanonicalURL (unique), URL, SourceID, Title, Text, Language "en", Official,
// Tags, Authors, Published, Fetched and ContentHash (sha256 hex of Text).
// ID, Seq and DuplicateOf are left zero: the store assigns the first two and
// finding duplicates is the consumer's job.
func Generate(seed int64, n int, fn func(model.Document) error) error {
	return GenerateTruth(seed, n, func(d model.Document, _ Truth) error { return fn(d) })
}

// GenerateTruth is Generate with each document's ground truth.
func GenerateTruth(seed int64, n int, fn func(model.Document, Truth) error) error {
	g := newGenerator(seed)
	for i := 0; i < n; i++ {
		d, t := g.next(i)
		if err := fn(d, t); err != nil {
			return err
		}
	}
	return nil
}

const (
	wireRate   = 0.05 // share of documents that copy an earlier one
	storyRate  = 0.18 // share of original documents that belong to a story
	recentKeep = 256  // wire copies are drawn from this many recent originals
)

var (
	corpusStart = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	corpusEnd   = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

type source struct {
	id       string
	name     string
	official bool
	tags     []string
}

type story struct {
	id       string
	people   []string
	orgs     []string
	places   []string
	keywords []string
	events   []time.Time
}

type recent struct {
	index  int
	doc    model.Document
	story  string
	event  int
	origin int // the source's index
}

type generator struct {
	rng     *rand.Rand
	words   []string
	cdf     []float64 // cumulative Zipf weights of words, for drawing by rank
	people  []string
	pzipf   *rand.Zipf
	sources []source
	stories []story
	recent  []recent // ring buffer of recent originals
	b       strings.Builder
}

func newGenerator(seed int64) *generator {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	g := &generator{rng: rng, words: strings.Fields(wordList)}
	// Zipf weights (rank+2)^-1.07 as a cumulative table: a binary search per
	// word is several times faster than rand.Zipf's exp/log per draw.
	g.cdf = make([]float64, len(g.words))
	sum := 0.0
	for i := range g.words {
		sum += math.Pow(float64(i+2), -1.07)
		g.cdf[i] = sum
	}
	// A fixed cast of people, some far more often in the news than others.
	for _, f := range firstNames {
		for _, s := range surnames {
			g.people = append(g.people, f+" "+s)
		}
	}
	rng.Shuffle(len(g.people), func(i, j int) { g.people[i], g.people[j] = g.people[j], g.people[i] })
	g.people = g.people[:600]
	g.pzipf = rand.NewZipf(rng, 1.2, 4, uint64(len(g.people)-1))

	for _, id := range officialSources {
		g.sources = append(g.sources, source{id: id, name: titleCase(strings.ReplaceAll(id, "-", " ")),
			official: true, tags: []string{"official", sourceTags[rng.IntN(3)]}})
	}
	seen := map[string]bool{}
	for len(g.sources) < 50 {
		id := outletPrefixes[rng.IntN(len(outletPrefixes))] + "-" + outletSuffixes[rng.IntN(len(outletSuffixes))]
		if seen[id] {
			continue
		}
		seen[id] = true
		tags := []string{sourceTags[rng.IntN(len(sourceTags))]}
		if t := sourceTags[rng.IntN(len(sourceTags))]; t != tags[0] {
			tags = append(tags, t)
		}
		g.sources = append(g.sources, source{id: id, name: titleCase(strings.ReplaceAll(id, "-", " ")), tags: tags})
	}

	for s := 0; s < 12; s++ {
		st := story{id: fmt.Sprintf("story-%02d", s+1)}
		for range 3 {
			st.people = append(st.people, g.people[rng.IntN(len(g.people))])
		}
		st.orgs = pick(rng, organisations, 2)
		st.places = pick(rng, countries, 2)
		st.keywords = pick(rng, storyKeywords, 4)
		// Events a few weeks to a few months apart, starting somewhere in the range.
		day := corpusStart.Add(time.Duration(rng.Int64N(int64(corpusEnd.Sub(corpusStart) * 3 / 4))))
		for e := 0; e < 4+rng.IntN(5); e++ {
			st.events = append(st.events, day.Truncate(24*time.Hour))
			day = day.Add(time.Duration(7+rng.IntN(90)) * 24 * time.Hour)
		}
		g.stories = append(g.stories, st)
	}
	return g
}

func (g *generator) next(i int) (model.Document, Truth) {
	if len(g.recent) > 8 && g.rng.Float64() < wireRate {
		if d, t, ok := g.wireCopy(i); ok {
			return d, t
		}
	}
	t := Truth{Index: i, WireOf: -1, Event: -1}
	srcIdx := g.rng.IntN(len(g.sources))
	// Official publishers are fewer and publish less than the outlets.
	if g.sources[srcIdx].official && g.rng.IntN(3) != 0 {
		srcIdx = len(officialSources) + g.rng.IntN(len(g.sources)-len(officialSources))
	}
	src := g.sources[srcIdx]
	var st *story
	var published time.Time
	if g.rng.Float64() < storyRate {
		st = &g.stories[g.rng.IntN(len(g.stories))]
		t.Story = st.id
		t.Event = g.rng.IntN(len(st.events))
		// Most coverage lands within a day or two of the event, a tail later.
		lag := time.Duration(g.rng.ExpFloat64() * float64(30*time.Hour))
		published = st.events[t.Event].Add(6*time.Hour + lag)
	} else {
		published = corpusStart.Add(time.Duration(g.rng.Int64N(int64(corpusEnd.Sub(corpusStart)))))
	}
	published = published.Truncate(time.Minute)

	title := g.title(st)
	text := g.body(st)
	slug := slugify(title)
	d := model.Document{
		URL:                 fmt.Sprintf("https://%s.example/%s/%s-%d", src.id, published.Format("2006/01/02"), slug, i),
		SourceID:            src.id,
		Title:               title,
		Text:                text,
		Authors:             []string{g.people[g.pzipf.Uint64()]},
		Language:            "en",
		Tags:                src.tags,
		Official:            src.official,
		Published:           published,
		PublishedSource:     "synth",
		PublishedConfidence: 1,
		Fetched:             published.Add(time.Duration(5+g.rng.IntN(180)) * time.Minute),
		ContentHash:         hash(text),
	}
	if src.official {
		d.Authors = nil
	}
	d.CanonicalURL = d.URL
	r := recent{index: i, doc: d, story: t.Story, event: t.Event, origin: srcIdx}
	if len(g.recent) < recentKeep {
		g.recent = append(g.recent, r)
	} else {
		g.recent[i%recentKeep] = r
	}
	return d, t
}

// wireCopy re-publishes a recent original under another source, with a
// dateline and an agency credit added: near-identical, not identical.
func (g *generator) wireCopy(i int) (model.Document, Truth, bool) {
	orig := g.recent[g.rng.IntN(len(g.recent))]
	srcIdx := g.rng.IntN(len(g.sources)-len(officialSources)) + len(officialSources)
	if srcIdx == orig.origin {
		return model.Document{}, Truth{}, false
	}
	src := g.sources[srcIdx]
	od := orig.doc
	published := od.Published.Add(time.Duration(10+g.rng.IntN(360)) * time.Minute)
	text := strings.ToUpper(g.sources[orig.origin].name) + " - " + od.Text +
		"\n\nThis report was distributed by " + g.sources[orig.origin].name + "."
	d := od
	d.URL = fmt.Sprintf("https://%s.example/%s/%s-%d", src.id, published.Format("2006/01/02"), slugify(od.Title), i)
	d.CanonicalURL = d.URL
	d.SourceID = src.id
	d.Text = text
	d.Tags = src.tags
	d.Official = false
	d.Authors = nil
	d.Published = published
	d.Fetched = published.Add(time.Duration(5+g.rng.IntN(120)) * time.Minute)
	d.ContentHash = hash(text)
	return d, Truth{Index: i, WireOf: orig.index, Story: orig.story, Event: orig.event}, true
}

func (g *generator) title(st *story) string {
	g.b.Reset()
	n := 5 + g.rng.IntN(7)
	if st != nil {
		g.b.WriteString(st.people[g.rng.IntN(len(st.people))])
		g.b.WriteString(" ")
		g.b.WriteString(st.keywords[g.rng.IntN(len(st.keywords))])
		n -= 3
	} else if g.rng.IntN(2) == 0 {
		g.b.WriteString(g.entity())
		n -= 2
	}
	for k := 0; k < n; k++ {
		if g.b.Len() > 0 {
			g.b.WriteByte(' ')
		}
		g.b.WriteString(g.word())
	}
	if st != nil {
		g.b.WriteString(" ")
		g.b.WriteString(st.places[g.rng.IntN(len(st.places))])
	}
	return capitalise(g.b.String())
}

// bodyLength draws a body length in words: log-normal around 600 with a long
// tail, kept within 100–3000.
func (g *generator) bodyLength() int {
	n := int(math.Exp(6.22 + 0.6*g.rng.NormFloat64()))
	return min(max(n, 100), 3000)
}

func (g *generator) body(st *story) string {
	words := g.bodyLength()
	g.b.Reset()
	g.b.Grow(words * 7)
	written, left := 0, 3+g.rng.IntN(4) // sentences left in this paragraph
	for written < words {
		switch {
		case written > 0 && left == 0:
			g.b.WriteString("\n\n")
			left = 3 + g.rng.IntN(4)
		case written > 0:
			g.b.WriteByte(' ')
		}
		written += g.sentence(st)
		left--
	}
	return g.b.String()
}

// sentence writes one sentence and returns how many words it had.
func (g *generator) sentence(st *story) int {
	n := 8 + g.rng.IntN(17)
	for k := 0; k < n; k++ {
		var w string
		switch r := g.rng.Float64(); {
		case st != nil && r < 0.03:
			w = st.people[g.rng.IntN(len(st.people))]
		case st != nil && r < 0.05:
			w = st.orgs[g.rng.IntN(len(st.orgs))]
		case st != nil && r < 0.07:
			w = st.places[g.rng.IntN(len(st.places))]
		case st != nil && r < 0.10:
			w = st.keywords[g.rng.IntN(len(st.keywords))]
		case r > 0.97:
			w = g.entity()
		default:
			w = g.word()
		}
		if k == 0 {
			g.b.WriteString(capitalise(w))
			continue
		}
		g.b.WriteByte(' ')
		g.b.WriteString(w)
	}
	if g.rng.IntN(8) == 0 {
		g.b.WriteByte('?')
	} else {
		g.b.WriteByte('.')
	}
	return n
}

func (g *generator) word() string {
	r := g.rng.Float64() * g.cdf[len(g.cdf)-1]
	i, _ := slices.BinarySearch(g.cdf, r)
	return g.words[min(i, len(g.words)-1)]
}

func (g *generator) entity() string {
	switch g.rng.IntN(3) {
	case 0:
		return g.people[g.pzipf.Uint64()]
	case 1:
		return organisations[g.rng.IntN(len(organisations))]
	default:
		return countries[g.rng.IntN(len(countries))]
	}
}

func pick(rng *rand.Rand, from []string, n int) []string {
	idx := rng.Perm(len(from))[:n]
	out := make([]string, n)
	for i, j := range idx {
		out[i] = from[j]
	}
	return out
}

func hash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func titleCase(s string) string {
	parts := strings.Fields(s)
	for i, p := range parts {
		parts[i] = capitalise(p)
	}
	return strings.Join(parts, " ")
}

func slugify(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
		if b.Len() >= 60 {
			break
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
