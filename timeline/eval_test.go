package timeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/watchline/watchline/demo"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/score"
	"github.com/watchline/watchline/store"
)

// labelled is one document with its ground truth, from the demo corpus or
// from testdata/fixtures.json.
type labelled struct {
	ID        string    `json:"id"`
	Source    string    `json:"source"`
	Published time.Time `json:"published"`
	Official  bool      `json:"official,omitempty"`
	Authors   []string  `json:"authors,omitempty"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Event     string    `json:"event"`
	Story     string    `json:"story,omitempty"`
	Happened  string    `json:"happened"`
	Type      string    `json:"type"`
	WireOf    string    `json:"wire_of,omitempty"`
	Quotes    []struct {
		Text    string `json:"text"`
		Speaker string `json:"speaker"`
	} `json:"quotes,omitempty"`
}

func demoCorpus(t testing.TB) []labelled {
	arts, err := demo.Articles()
	if err != nil {
		t.Fatal(err)
	}
	var out []labelled
	for _, a := range arts {
		l := labelled{ID: a.ID, Source: a.Source, Published: a.Published, Official: a.Official, Authors: a.Authors,
			Title: a.Title, Text: a.Text, Event: a.Event, Story: a.Story, Happened: a.Happened, Type: a.Type, WireOf: a.WireOf}
		for _, q := range a.Quotes {
			l.Quotes = append(l.Quotes, struct {
				Text    string `json:"text"`
				Speaker string `json:"speaker"`
			}{q.Text, q.Speaker})
		}
		out = append(out, l)
	}
	return out
}

func fixtureCorpus(t testing.TB) []labelled {
	b, err := os.ReadFile("testdata/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []labelled
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("testdata/fixtures.json: %v", err)
	}
	return out
}

// loadCorpus puts docs into a new store in published order, as a crawler
// would, and returns it with the store id of each labelled doc.
func loadCorpus(t testing.TB, docs []labelled) (*store.Store, map[string]int64) {
	sorted := append([]labelled(nil), docs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Published.Before(sorted[j].Published) })
	return loadOrdered(t, sorted)
}

// crawlOrder is the order a first crawl of the demo stores its documents
// in: source by source (in the demo configuration's order), each source's
// newest first, as feeds and listings list them.
func crawlOrder(docs []labelled) []labelled {
	rank := map[string]int{}
	for i, s := range demo.Sources() {
		rank[s.ID] = i
	}
	out := append([]labelled(nil), docs...)
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].Source] != rank[out[j].Source] {
			return rank[out[i].Source] < rank[out[j].Source]
		}
		return out[i].Published.After(out[j].Published)
	})
	return out
}

// loadOrdered puts docs into a new store in the order given. A copy is
// marked as the copy of whichever of it and its original came first, as the
// crawler's duplicate detection would.
func loadOrdered(t testing.TB, sorted []labelled) (*store.Store, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	st := tempStore(t)
	copyOf := map[string]string{} // original -> a copy of it already stored
	ids := map[string]int64{}
	for _, l := range sorted {
		h := sha256.Sum256([]byte(l.Source + l.ID + l.Text))
		d := model.Document{
			CanonicalURL: "https://" + l.Source + ".example/" + l.ID, SourceID: l.Source, Title: l.Title, Text: l.Text,
			Authors: l.Authors, Official: l.Official, Published: l.Published, Fetched: l.Published.Add(time.Minute),
			ContentHash: hex.EncodeToString(h[:]), Language: "en",
		}
		if l.WireOf != "" {
			if id, ok := ids[l.WireOf]; ok {
				d.DuplicateOf = id
			} else {
				copyOf[l.WireOf] = l.ID
			}
		}
		if c, ok := copyOf[l.ID]; ok {
			d.DuplicateOf = ids[c]
		}
		if _, err := st.PutDocument(ctx, &d, store.Raw{}); err != nil {
			t.Fatal(err)
		}
		ids[l.ID] = d.ID
	}
	return st, ids
}

// evaluation is how well the timeline did on a labelled corpus.
type evaluation struct {
	Docs, GoldEvents, Events int
	PairP, PairR, PairF1     float64
	BCubedF1                 float64
	// Story grouping, where the corpus labels stories.
	GoldStories, Stories          int
	StoryNMI, StoryBCubedF1       float64
	DateAcc, TypeAcc              float64
	DateConsistent                float64 // a finer predicted date inside the labelled period counts
	QuoteP, QuoteR                float64
	QuotesGold, QuotesFound       int
	dateMisses, typeMisses, qMiss []string
	clusterMisses                 []string // gold events split, predicted events merging gold ones
}

func (e evaluation) String() string {
	return fmt.Sprintf("docs=%d gold_events=%d events=%d pairwise P=%.3f R=%.3f F1=%.3f BCubed F1=%.3f gold_stories=%d stories=%d story NMI=%.3f BCubed F1=%.3f date_acc=%.3f (consistent %.3f) type_acc=%.3f quote_speaker P=%.3f R=%.3f (gold %d, matched-text %d)",
		e.Docs, e.GoldEvents, e.Events, e.PairP, e.PairR, e.PairF1, e.BCubedF1, e.GoldStories, e.Stories, e.StoryNMI, e.StoryBCubedF1, e.DateAcc, e.DateConsistent, e.TypeAcc, e.QuoteP, e.QuoteR, e.QuotesGold, e.QuotesFound)
}

func evaluate(t testing.TB, docs []labelled) evaluation {
	t.Helper()
	ctx := context.Background()
	st, ids := loadOrdered(t, docs)
	an, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewClusterer(st, an, Options{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	var all []int64
	for _, id := range ids {
		all = append(all, id)
	}
	evOf, err := st.EventsOfDocuments(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	events := map[int64]model.Event{}
	for _, e := range evOf {
		if _, ok := events[e]; !ok {
			ev, err := st.Event(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			events[e] = ev
		}
	}
	var ev evaluation
	ev.Docs = len(docs)
	ev.Events = len(events)
	gold := map[string]bool{}
	for _, d := range docs {
		gold[d.Event] = true
	}
	ev.GoldEvents = len(gold)

	// Pairwise and BCubed over documents.
	tp, fp, fn := 0, 0, 0
	bp, br := 0.0, 0.0
	for i, a := range docs {
		sameP, sameG, both := 0, 0, 0
		for j, b := range docs {
			p := evOf[ids[a.ID]] == evOf[ids[b.ID]]
			g := a.Event == b.Event
			if p {
				sameP++
			}
			if g {
				sameG++
			}
			if p && g {
				both++
			}
			if j <= i {
				continue
			}
			switch {
			case p && g:
				tp++
			case p:
				fp++
			case g:
				fn++
			}
		}
		bp += float64(both) / float64(sameP)
		br += float64(both) / float64(sameG)
	}
	ev.PairP, ev.PairR = ratio(tp, tp+fp), ratio(tp, tp+fn)
	ev.PairF1 = f1(ev.PairP, ev.PairR)
	bp, br = bp/float64(len(docs)), br/float64(len(docs))
	ev.BCubedF1 = f1(bp, br)

	// Stories, where labelled.
	var goldStory []string
	var predStory []int64
	for _, d := range docs {
		if d.Story != "" {
			goldStory = append(goldStory, d.Story)
			predStory = append(predStory, events[evOf[ids[d.ID]]].Story.ID)
		}
	}
	if len(goldStory) > 0 {
		ev.GoldStories, ev.Stories = score.Clusters(goldStory), score.Clusters(predStory)
		ev.StoryNMI, ev.StoryBCubedF1 = score.NMI(goldStory, predStory), score.BCubed(goldStory, predStory).F1
		stIn := map[string]map[int64]bool{}
		for i, g := range goldStory {
			if stIn[g] == nil {
				stIn[g] = map[int64]bool{}
			}
			stIn[g][predStory[i]] = true
		}
		for _, g := range sortedKeys(stIn) {
			if n := len(stIn[g]); n > 1 {
				ev.clusterMisses = append(ev.clusterMisses, fmt.Sprintf("story split: %s over %d stories", g, n))
			}
		}
	}

	// Which gold events were split and which predicted events mix gold ones.
	goldIn, predHas := map[string]map[int64]bool{}, map[int64]map[string][]string{}
	for _, d := range docs {
		e := evOf[ids[d.ID]]
		if goldIn[d.Event] == nil {
			goldIn[d.Event] = map[int64]bool{}
		}
		goldIn[d.Event][e] = true
		if predHas[e] == nil {
			predHas[e] = map[string][]string{}
		}
		predHas[e][d.Event] = append(predHas[e][d.Event], d.ID)
	}
	for _, g := range sortedKeys(goldIn) {
		if n := len(goldIn[g]); n > 1 {
			ev.clusterMisses = append(ev.clusterMisses, fmt.Sprintf("split: %s over %d events", g, n))
		}
	}
	for _, e := range sortedIDs(predHas) {
		if len(predHas[e]) > 1 {
			ev.clusterMisses = append(ev.clusterMisses, fmt.Sprintf("merged: event %d holds %v", e, predHas[e]))
		}
	}

	// Dates and types, per document, of the event it was put in.
	dateOK, typeOK, consistent := 0, 0, 0
	for _, d := range docs {
		e := events[evOf[ids[d.ID]]]
		got := DateString(e.Happened, e.Precision)
		if got == d.Happened {
			dateOK++
			consistent++
		} else {
			if strings.HasPrefix(got, d.Happened+"-") {
				consistent++
			}
			ev.dateMisses = append(ev.dateMisses, fmt.Sprintf("%s: got %s (%q) want %s", d.ID, got, e.DatePhrase, d.Happened))
		}
		if string(e.Type) == d.Type {
			typeOK++
		} else {
			ev.typeMisses = append(ev.typeMisses, fmt.Sprintf("%s: got %s (%q) want %s", d.ID, e.Type, e.TypeEvidence, d.Type))
		}
	}
	ev.DateAcc, ev.TypeAcc = ratio(dateOK, len(docs)), ratio(typeOK, len(docs))
	ev.DateConsistent = ratio(consistent, len(docs))

	// Quotes: of the extracted quotes that match a labelled quote's words, how
	// many have the right speaker (precision); of the labelled quotes, how many
	// were found with the right speaker (recall).
	right, foundText := 0, 0
	recalled := 0
	for _, d := range docs {
		doc, err := st.Document(ctx, ids[d.ID])
		if err != nil {
			t.Fatal(err)
		}
		qs := an.Quotes(doc)
		for _, g := range d.Quotes {
			ev.QuotesGold++
			hit, hitText := false, false
			for _, q := range qs {
				if !sameQuote(q.Text, g.Text) {
					continue
				}
				hitText = true
				if sameSpeaker(q.Speaker, g.Speaker) {
					hit = true
				}
			}
			if hit {
				recalled++
			}
			if !hit {
				ev.qMiss = append(ev.qMiss, fmt.Sprintf("%s: %q by %q (found text: %v; got %v)", d.ID, g.Text, g.Speaker, hitText, speakers(qs, g.Text)))
			}
		}
		for _, q := range qs {
			for _, g := range d.Quotes {
				if sameQuote(q.Text, g.Text) {
					foundText++
					if sameSpeaker(q.Speaker, g.Speaker) {
						right++
					}
					break
				}
			}
		}
	}
	ev.QuotesFound = foundText
	ev.QuoteP, ev.QuoteR = ratio(right, foundText), ratio(recalled, ev.QuotesGold)
	return ev
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func speakers(qs []model.Quote, text string) []string {
	var out []string
	for _, q := range qs {
		if sameQuote(q.Text, text) {
			out = append(out, q.Speaker)
		}
	}
	return out
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func normWords(s string) string {
	s = strings.ToLower(s)
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ' ' {
			return r
		}
		if r > 127 && !unicode.IsPunct(r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// sameQuote: one quote's words contain the other's.
func sameQuote(a, b string) bool {
	a, b = normWords(a), normWords(b)
	return a != "" && b != "" && (strings.Contains(a, b) || strings.Contains(b, a))
}

var speakerNoise = toSet("the a an of for in at spokesperson spokesman spokeswoman press office")

// sameSpeaker: the content words of one speaker name are all in the other
// ("Chinese Embassy spokesperson" ~ "Chinese embassy spokesperson").
func sameSpeaker(a, b string) bool {
	wa, wb := contentWords(a), contentWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return normWords(a) == normWords(b)
	}
	sub := func(x, y map[string]bool) bool {
		for w := range x {
			if !y[w] {
				return false
			}
		}
		return true
	}
	return sub(wa, wb) || sub(wb, wa)
}

func contentWords(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(normWords(s)) {
		if !speakerNoise[w] {
			m[w] = true
		}
	}
	return m
}

// Quality floors: a little under the numbers reached when this test was
// written (see the log line), so a change that makes the timeline worse fails
// here. Raise them as the timeline gets better. The demo corpus is labelled by
// its author; the fixtures by us (testdata/fixtures.json).
//
// The demo's quote-speaker precision floor is 0.95, not 0.98: with reported
// speech two demo reports' "political farce" is found, and
// attributed to "China", the subject their lede gives it; the label names the
// embassy spokesperson whose statement it came from (0.962 when set).
var floors = map[string]evaluation{
	"demo": {PairF1: 0.93, BCubedF1: 0.95, DateAcc: 0.86, DateConsistent: 0.95, TypeAcc: 0.96, QuoteP: 0.95, QuoteR: 0.95,
		StoryBCubedF1: 0.86},
	"fixtures": {PairF1: 0.97, BCubedF1: 0.97, DateAcc: 0.97, DateConsistent: 0.97, TypeAcc: 0.97, QuoteP: 0.97, QuoteR: 0.97},
	// The demo as a first crawl stores it: source by source, newest first
	// (before stories and roles: pairwise F1 0.855, BCubed F1 0.912).
	"demo-crawl-order": {PairF1: 0.91, BCubedF1: 0.93, DateAcc: 0.84, DateConsistent: 0.93, TypeAcc: 0.95, QuoteP: 0.95,
		QuoteR: 0.95, StoryBCubedF1: 0.91},
}

func TestQuality(t *testing.T) {
	for _, c := range []struct {
		name string
		load func(testing.TB) []labelled
	}{{"demo", demoCorpus}, {"demo-crawl-order", func(t testing.TB) []labelled { return crawlOrder(demoCorpus(t)) }},
		{"fixtures", fixtureCorpus}} {
		t.Run(c.name, func(t *testing.T) {
			docs := c.load(t)
			ev := evaluate(t, docs)
			t.Logf("%s: %v", c.name, ev)
			for _, m := range ev.clusterMisses {
				t.Logf("cluster miss: %s", m)
			}
			for _, m := range ev.dateMisses {
				t.Logf("date miss: %s", m)
			}
			for _, m := range ev.typeMisses {
				t.Logf("type miss: %s", m)
			}
			for _, m := range ev.qMiss {
				t.Logf("quote miss: %s", m)
			}
			fl := floors[c.name]
			check := func(name string, got, floor float64) {
				if got < floor {
					t.Errorf("%s %s = %.3f, below the floor %.3f", c.name, name, got, floor)
				}
			}
			check("pairwise F1", ev.PairF1, fl.PairF1)
			check("BCubed F1", ev.BCubedF1, fl.BCubedF1)
			check("date consistency", ev.DateConsistent, fl.DateConsistent)
			check("date accuracy", ev.DateAcc, fl.DateAcc)
			check("type accuracy", ev.TypeAcc, fl.TypeAcc)
			check("quote-speaker precision", ev.QuoteP, fl.QuoteP)
			check("quote-speaker recall", ev.QuoteR, fl.QuoteR)
			check("story BCubed F1", ev.StoryBCubedF1, fl.StoryBCubedF1)
		})
	}
}
