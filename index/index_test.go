package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/synth"
)

func mustSearch(t *testing.T, ix *Index, st storeT, r Request) *Result {
	t.Helper()
	res, err := ix.Search(context.Background(), st, r)
	if err != nil {
		t.Fatalf("Search(%q): %v", r.Query, err)
	}
	return res
}

// TestSyncCrashReplay stops a sync after its first batch (as a crash would),
// reopens the index and syncs again: every document is applied exactly once.
func TestSyncCrashReplay(t *testing.T) {
	st, dir := openStore(t)
	const n = 230
	for i := range n {
		put(t, st, i, testDoc{source: "s", title: fmt.Sprintf("report %d", i), text: fmt.Sprintf("espionage case number w%d", i)})
	}
	ix, err := OpenWith(dir, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ix.batch = 50
	ctx, cancel := context.WithCancel(context.Background())
	var cursors []int64
	ix.hook = func(c int64) { cursors = append(cursors, c); cancel() }
	first, err := ix.Sync(ctx, st)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("first sync: %v, want canceled", err)
	}
	if first != 50 || len(cursors) != 1 {
		t.Fatalf("first sync applied %d in %d batches, want 50 in 1", first, len(cursors))
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix = openIndex(t, dir)
	if c, _ := ix.Cursor(); c != cursors[0] {
		t.Fatalf("cursor after reopen = %d, want %d", c, cursors[0])
	}
	ix.batch = 50
	second := mustSync(t, ix, st)
	if first+second != n {
		t.Errorf("applied %d + %d, want %d in all", first, second, n)
	}
	if got, _ := ix.DocCount(); got != n {
		t.Errorf("doc count %d, want %d", got, n)
	}
	if again := mustSync(t, ix, st); again != 0 {
		t.Errorf("sync when up to date applied %d", again)
	}
	// Every document is found once: each unique word matches exactly one.
	for _, i := range []int{0, 49, 50, 51, 229} {
		res := mustSearch(t, ix, st, Request{Query: fmt.Sprintf("w%d", i)})
		if res.Total != 1 {
			t.Errorf("w%d: %d hits", i, res.Total)
		}
	}
}

func TestDeletesAndNewVersions(t *testing.T) {
	st, dir := openStore(t)
	keep := put(t, st, 1, testDoc{source: "a", title: "first", text: "the embassy denied the claims"})
	gone := put(t, st, 2, testDoc{source: "a", title: "second", text: "the embassy issued a statement"})
	edited := put(t, st, 3, testDoc{source: "a", title: "third", text: "ministers discussed sanctions"})
	ix := openIndex(t, dir)
	mustSync(t, ix, st)

	if err := st.DeleteDocument(context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	// The same URL with another text is a new version of document 3.
	if id := put(t, st, 3, testDoc{source: "a", title: "third", text: "ministers announced an embassy closure"}); id != edited {
		t.Fatalf("new version got id %d, want %d", id, edited)
	}
	if n := mustSync(t, ix, st); n != 2 {
		t.Errorf("applied %d changes, want 2", n)
	}
	tests := []struct {
		q    string
		want []int64
	}{
		{"embassy", []int64{keep, edited}},
		{"statement", nil},
		{"sanctions", nil},
		{"closure", []int64{edited}},
	}
	for _, tt := range tests {
		got := ids(mustSearch(t, ix, st, Request{Query: tt.q, Sort: SortOldest}).Hits)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("%s: got %v, want %v", tt.q, got, tt.want)
		}
	}
	if n, _ := ix.DocCount(); n != 2 {
		t.Errorf("doc count %d, want 2", n)
	}
}

func fixture(t *testing.T) (storeT, *Index, map[string]int64) {
	t.Helper()
	st, _ := openStore(t)
	docs := map[string]int64{}
	docs["cps"] = put(t, st, 1, testDoc{source: "cps-news", official: true, published: "2025-10-01", tags: []string{"uk", "courts"},
		title: "Case against two men discontinued", text: "The Crown Prosecution Service said it could no longer proceed with the case against Christopher Cash and Christopher Berry, charged under the Official Secrets Act."})
	docs["courier"] = put(t, st, 2, testDoc{source: "courier", published: "2025-09-15", tags: []string{"uk"},
		title: "China spy case collapses", text: "The prosecution of two men accused of spying for China has collapsed, prosecutors said on Monday. Critics asked why the government would not call China a threat."})
	docs["wire"] = put(t, st, 3, testDoc{source: "ledger", published: "2025-09-15", tags: []string{"uk"}, dupOf: docs["courier"],
		title: "China spy case collapses", text: "LONDON - The prosecution of two men accused of spying for China has collapsed, prosecutors said on Monday. Critics asked why the government would not call China a threat."})
	docs["wire2"] = put(t, st, 4, testDoc{source: "gazette", published: "2025-09-16", dupOf: docs["courier"],
		title: "Spy case collapses", text: "The prosecution of two men accused of spying for China has collapsed, prosecutors said. Critics asked why the government would not call China a threat."})
	docs["mi5"] = put(t, st, 5, testDoc{source: "mi5", official: true, published: "2025-11-18", tags: []string{"uk", "security"},
		title: "Interference alert", text: "MI5 warned that Chinese intelligence officers approach people on LinkedIn through headhunters, recruiting sources in Parliament."})
	docs["embassy"] = put(t, st, 6, testDoc{source: "embassy", official: true, published: "2025-10-02", lang: "zh",
		title: "大使馆发言人答记者问", text: "所谓中国间谍案纯属捏造，是恶意诽谤。"})
	docs["fr"] = put(t, st, 7, testDoc{source: "monde", published: "2024-04-23", lang: "fr", tags: []string{"eu"},
		title: "Deux hommes inculpés d'espionnage", text: "Deux hommes ont été inculpés pour espionnage au profit de la Chine, a annoncé la police britannique."})
	docs["de"] = put(t, st, 8, testDoc{source: "zeitung", published: "2024-04-22", lang: "de", tags: []string{"eu"},
		title: "Spionageverdacht in Großbritannien", text: "Zwei Männer wurden wegen Spionage für China angeklagt, teilte die Polizei mit."})
	docs["old"] = put(t, st, 9, testDoc{source: "courier", published: "2023-03-20", tags: []string{"uk"},
		title: "Two arrested under Official Secrets Act", text: "Police arrested two men in March under the Official Secrets Act; one worked as a parliamentary researcher."})
	ix := openIndex(t, st.Dir())
	mustSync(t, ix, st)
	return st, ix, docs
}

func TestSearchQueries(t *testing.T) {
	st, ix, d := fixture(t)
	tests := []struct {
		name string
		r    Request
		want []string // in order for newest/oldest, as a set for relevance
	}{
		{"stemmed word", Request{Query: "spy", NoCollapse: true}, []string{"courier", "wire", "wire2"}},
		{"default AND", Request{Query: "China prosecution"}, []string{"courier"}},
		{"phrase", Request{Query: `"Official Secrets Act"`, Sort: SortOldest}, []string{"old", "cps"}},
		{"phrase order matters", Request{Query: `"Act Secrets Official"`}, nil},
		{"OR", Request{Query: "LinkedIn OR researcher", Sort: SortOldest}, []string{"old", "mi5"}},
		{"NOT", Request{Query: `"Official Secrets" NOT police`}, []string{"cps"}},
		{"minus", Request{Query: `"Official Secrets" -police`}, []string{"cps"}},
		{"prefix", Request{Query: "recruit*"}, []string{"mi5"}},
		{"title field", Request{Query: "title:discontinued"}, []string{"cps"}},
		{"title field not text", Request{Query: "title:LinkedIn"}, nil},
		{"source field", Request{Query: "source:courier", Sort: SortNewest}, []string{"courier", "old"}},
		{"tag field", Request{Query: "tag:security"}, []string{"mi5"}},
		{"official field", Request{Query: "official:true", Sort: SortOldest}, []string{"cps", "embassy", "mi5"}},
		{"type field", Request{Query: "type:statement LinkedIn"}, []string{"mi5"}},
		{"language field", Request{Query: "language:fr"}, []string{"fr"}},
		{"french stemming", Request{Query: "inculpé"}, []string{"fr"}},
		{"german", Request{Query: "Spionage"}, []string{"de"}},
		{"chinese", Request{Query: "间谍"}, []string{"embassy"}},
		{"chinese phrase", Request{Query: `"恶意诽谤"`}, []string{"embassy"}},
		{"date range", Request{Query: "China", From: day("2025-09-01"), To: day("2025-09-30"), NoCollapse: true, Sort: SortOldest}, []string{"courier", "wire", "wire2"}},
		{"source filter", Request{Query: "China", Sources: []string{"ledger", "gazette"}, NoCollapse: true, Sort: SortOldest}, []string{"wire", "wire2"}},
		{"official filter", Request{Query: "Parliament", Official: true}, []string{"mi5"}},
		{"tags filter", Request{Query: "*", Tags: []string{"eu"}, Sort: SortOldest}, []string{"de", "fr"}},
		{"language filter", Request{Query: "*", Languages: []string{"ZH"}}, []string{"embassy"}},
		{"type filter", Request{Query: "*", Types: []string{"statement"}, Sort: SortNewest}, []string{"mi5", "embassy", "cps"}},
		{"sort newest", Request{Query: `"Official Secrets"`, Sort: SortNewest}, []string{"cps", "old"}},
		{"stop words dropped in AND", Request{Query: "the LinkedIn"}, []string{"mi5"}},
		{"boolean + date + source", Request{Query: "(China OR Chinese) AND -embassy", From: day("2025-01-01"), Sources: []string{"mi5", "courier"}, Sort: SortOldest}, []string{"courier", "mi5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustSearch(t, ix, st, tt.r)
			var got []string
			for _, h := range res.Hits {
				got = append(got, nameOf(d, h.ID))
			}
			want := tt.want
			if tt.r.Sort == "" {
				got, want = sorted(got), sorted(want)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q: got %v, want %v", tt.r.Query, got, want)
			}
		})
	}
}

func TestSearchErrors(t *testing.T) {
	st, ix, _ := fixture(t)
	tests := []struct {
		r    Request
		want string
	}{
		{Request{Query: "(China"}, "unbalanced parenthesis"},
		{Request{Query: "c*"}, "too short"},
		{Request{Query: "China", Sort: "best"}, "unknown sort"},
		{Request{Query: "China", From: day("2025-01-02"), To: day("2025-01-01")}, "before the start"},
		{Request{Query: "China", Limit: -1}, "negative"},
		{Request{Query: "China", Limit: MaxLimit + 1}, "with Each"},
	}
	for _, tt := range tests {
		_, err := ix.Search(context.Background(), st, tt.r)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.r, err, tt.want)
		}
	}
}

func TestOnlyStopWords(t *testing.T) {
	st, dir := openStore(t)
	put(t, st, 1, testDoc{source: "a", title: "x", text: "the spy and the embassy"})
	ix := openIndex(t, dir)
	mustSync(t, ix, st)
	_, err := ix.Search(context.Background(), st, Request{Query: "the OR of"})
	var qe *QueryError
	if !errors.As(err, &qe) || !strings.Contains(qe.Msg, "very common words") {
		t.Errorf("stop words only: %v, want a QueryError", err)
	}
	if res := mustSearch(t, ix, st, Request{Query: `the spy "the embassy"`}); res.Total != 1 {
		t.Errorf("stop words beside other words: %d hits, want 1", res.Total)
	}
}

func TestPrefixExpansionLimit(t *testing.T) {
	st, dir := openStore(t)
	var words []string
	for i := range MaxExpansion + 20 {
		words = append(words, fmt.Sprintf("zed%04d", i))
	}
	put(t, st, 1, testDoc{source: "a", title: "many words", text: strings.Join(words, " ")})
	ix := openIndex(t, dir)
	mustSync(t, ix, st)
	_, err := ix.Search(context.Background(), st, Request{Query: "zed*"})
	var qe *QueryError
	if !errors.As(err, &qe) || !strings.Contains(qe.Msg, "more than 500") {
		t.Fatalf("zed*: %v, want expansion error", err)
	}
	if res := mustSearch(t, ix, st, Request{Query: "zed00*"}); res.Total != 1 {
		t.Errorf("zed00*: %d hits", res.Total)
	}
}

func TestSnippets(t *testing.T) {
	st, ix, d := fixture(t)
	res := mustSearch(t, ix, st, Request{Query: `recruit* Parliament "intelligence officers"`})
	if len(res.Hits) != 1 || res.Hits[0].ID != d["mi5"] {
		t.Fatalf("hits %v", ids(res.Hits))
	}
	h := res.Hits[0]
	var marked []string
	for _, o := range h.Snippet.Offsets {
		marked = append(marked, h.Snippet.Text[o[0]:o[1]])
	}
	if want := []string{"intelligence officers", "recruiting", "Parliament"}; !reflect.DeepEqual(marked, want) {
		t.Errorf("offsets mark %q, want %q", marked, want)
	}
	if !strings.Contains(h.Snippet.Marked, "[[recruiting]] sources in [[Parliament]]") {
		t.Errorf("marked = %q", h.Snippet.Marked)
	}
	if want := []string{`"intelligence officers"`, "Parliament", "recruit*"}; !reflect.DeepEqual(sorted(h.Matched), want) {
		t.Errorf("matched %q, want %q", h.Matched, want)
	}
	if h.URL == "" || h.Title != "Interference alert" || h.Source != "mi5" || !h.Official || h.Published.IsZero() {
		t.Errorf("hit fields not filled from the store: %+v", h)
	}
}

func TestSnippetWindow(t *testing.T) {
	long := strings.Repeat("filler words here. ", 40) + "The verdict came after the trial. " + strings.Repeat("more filler text. ", 40)
	spans := []span{{start: strings.Index(long, "verdict"), end: strings.Index(long, "verdict") + 7}}
	sn := makeSnippet(long, spans)
	if !strings.HasPrefix(sn.Text, "… ") || !strings.HasSuffix(sn.Text, " …") || len(sn.Text) > snippetLen+40 {
		t.Errorf("snippet %q", sn.Text)
	}
	if len(sn.Offsets) != 1 || sn.Text[sn.Offsets[0][0]:sn.Offsets[0][1]] != "verdict" {
		t.Errorf("offsets %v in %q", sn.Offsets, sn.Text)
	}
}

func TestFacets(t *testing.T) {
	st, ix, _ := fixture(t)
	res := mustSearch(t, ix, st, Request{Query: "*", Facets: true})
	if res.Total != 9 {
		t.Fatalf("total %d", res.Total)
	}
	want := map[string][]FacetValue{
		"official": {{"false", 6}, {"true", 3}},
		"year":     {{"2023", 1}, {"2024", 2}, {"2025", 6}},
		"month":    {{"2023-03", 1}, {"2024-04", 2}, {"2025-09", 3}, {"2025-10", 2}, {"2025-11", 1}},
		"language": {{"en", 6}, {"de", 1}, {"fr", 1}, {"zh", 1}},
		"tag":      {{"uk", 5}, {"eu", 2}, {"courts", 1}, {"security", 1}},
	}
	for name, w := range want {
		if got := res.Facets[name]; !reflect.DeepEqual(got, w) {
			t.Errorf("facet %s = %v, want %v", name, got, w)
		}
	}
	src := map[string]int{}
	for _, v := range res.Facets["source"] {
		src[v.Value] = v.Count
	}
	if src["courier"] != 2 || src["cps-news"] != 1 || len(src) != 8 {
		t.Errorf("source facet %v", src)
	}
	// Facets count what the query matches, not the whole index.
	res = mustSearch(t, ix, st, Request{Query: "Parliament", Facets: true, Official: true})
	if got := res.Facets["source"]; !reflect.DeepEqual(got, []FacetValue{{"mi5", 1}}) {
		t.Errorf("filtered source facet %v", got)
	}
	// Counts are cached per index generation: a document synced in shows.
	put(t, st, 100, testDoc{source: "mi5", title: "Parliament briefing", text: "MI5 briefed Parliament.", official: true, published: "2025-11-20"})
	mustSync(t, ix, st)
	res = mustSearch(t, ix, st, Request{Query: "Parliament", Facets: true, Official: true})
	if got := res.Facets["source"]; !reflect.DeepEqual(got, []FacetValue{{"mi5", 2}}) {
		t.Errorf("source facet after a sync %v, want the new document counted", got)
	}
	ix.SetFacetCache(0)
	if again := mustSearch(t, ix, st, Request{Query: "Parliament", Facets: true, Official: true}); !reflect.DeepEqual(again.Facets, res.Facets) {
		t.Errorf("uncached facets %v differ from cached %v", again.Facets, res.Facets)
	}
}

func TestCollapse(t *testing.T) {
	st, ix, d := fixture(t)
	res := mustSearch(t, ix, st, Request{Query: `"spy case" collapses`})
	if len(res.Hits) != 1 {
		t.Fatalf("collapsed hits %v, want one", ids(res.Hits))
	}
	h := res.Hits[0]
	group := []int64{d["courier"], d["wire"], d["wire2"]}
	others := slices.DeleteFunc(slices.Clone(group), func(id int64) bool { return id == h.ID })
	if !slices.Contains(group, h.ID) || h.Similar != 2 || !reflect.DeepEqual(sortedIDs(h.SimilarIDs), sortedIDs(others)) {
		t.Errorf("hit %d similar %d %v, want one of %v with the other two", h.ID, h.Similar, h.SimilarIDs, group)
	}
	if res.Total != 3 {
		t.Errorf("total %d, want 3 (before folding)", res.Total)
	}
	res = mustSearch(t, ix, st, Request{Query: `"spy case" collapses`, NoCollapse: true})
	if len(res.Hits) != 3 {
		t.Errorf("no-collapse hits %v, want 3", ids(res.Hits))
	}
	for _, h := range res.Hits {
		if h.Similar != 0 {
			t.Errorf("no-collapse hit %d has similar %d", h.ID, h.Similar)
		}
	}
	// Paging counts folded groups: page 2 of size 1 is the next group.
	res = mustSearch(t, ix, st, Request{Query: "China OR Chinese", Sort: SortOldest, Limit: 1, Offset: 1})
	if len(res.Hits) != 1 || res.Hits[0].ID != d["courier"] || res.Hits[0].Similar != 2 {
		t.Errorf("page 2: %v", res.Hits)
	}
}

// TestRelinkedCopyMovesGroup relinks a group of copies to an earlier
// original and checks the index holds each document once, under its new
// group: the group is part of the bleve id, so the old entries must go.
func TestRelinkedCopyMovesGroup(t *testing.T) {
	ctx := context.Background()
	st, dir := openStore(t)
	text := "The embassy denied the espionage claims about the harbour survey."
	first := put(t, st, 1, testDoc{source: "courier", title: "Harbour survey", text: text, published: "2025-03-02"})
	copyID := put(t, st, 2, testDoc{source: "wire", title: "Harbour survey", text: text + " More.", published: "2025-03-03", dupOf: first})
	ix := openIndex(t, dir)
	mustSync(t, ix, st)
	// An even earlier report turns up: the old original and its copy
	// become copies of it.
	earlier := put(t, st, 3, testDoc{source: "herald", title: "Harbour survey", text: text + " Earlier.", published: "2025-03-01"})
	if err := st.RelinkDuplicates(ctx, first, earlier, 0.9); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ix, st)
	if n, _ := ix.DocCount(); n != 3 {
		t.Errorf("index holds %d entries, want 3 (one per document)", n)
	}
	res := mustSearch(t, ix, st, Request{Query: "harbour survey"})
	if len(res.Hits) != 1 || res.Hits[0].Similar != 2 {
		t.Fatalf("hits %v, want one group of three", res.Hits)
	}
	all, err := ix.IDs(ctx, Request{Query: "harbour survey"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sortedIDs(all), sortedIDs([]int64{first, copyID, earlier})) {
		t.Errorf("ids %v, want each document once", all)
	}
	// A deleted copy leaves the index too.
	if err := st.DeleteDocument(ctx, copyID); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ix, st)
	if n, _ := ix.DocCount(); n != 2 {
		t.Errorf("after a delete the index holds %d entries, want 2", n)
	}
}

// TestSearchReadsOnPastFoldedCopies: when the copies of one story fill the
// hits first read, a page reads on until it has its groups, and the next
// page starts where it ended.
func TestSearchReadsOnPastFoldedCopies(t *testing.T) {
	st, dir := openStore(t)
	text := "Lighthouse keepers lighthouse lighthouse report the lighthouse beam failed."
	orig := put(t, st, 0, testDoc{source: "courier", title: "Lighthouse", text: text, published: "2025-01-01"})
	for i := 1; i <= 40; i++ {
		put(t, st, i, testDoc{source: fmt.Sprintf("wire%d", i), title: "Lighthouse", text: fmt.Sprintf("%s Copy %d.", text, i), published: "2025-01-02", dupOf: orig})
	}
	var others []int64
	for i := range 5 {
		others = append(others, put(t, st, 100+i, testDoc{source: "herald", title: fmt.Sprintf("Harbour note %d", i),
			text: fmt.Sprintf("A lighthouse is mentioned once in note %d, among much else about the harbour and its boats.", i), published: "2025-02-01"}))
	}
	ix := openIndex(t, dir)
	mustSync(t, ix, st)
	first := mustSearch(t, ix, st, Request{Query: "lighthouse", Limit: 3})
	if len(first.Hits) != 3 || first.Hits[0].Similar != 40 {
		t.Fatalf("page 1: %d hits, first with %d similar; want 3 hits, the story with its 40 copies", len(first.Hits), first.Hits[0].Similar)
	}
	second := mustSearch(t, ix, st, Request{Query: "lighthouse", Limit: 3, Offset: 3})
	seen := map[int64]bool{}
	for _, h := range append(first.Hits, second.Hits...) {
		if seen[h.ID] {
			t.Errorf("document %d on both pages", h.ID)
		}
		seen[h.ID] = true
	}
	if len(second.Hits) != 3 {
		t.Errorf("page 2: %d hits, want the other 3 of the 6 groups", len(second.Hits))
	}
	for _, id := range others {
		if !seen[id] {
			t.Errorf("document %d on neither page", id)
		}
	}
}

func TestEachReturnsEveryMatch(t *testing.T) {
	st, dir := openStore(t)
	const n = 1234 // three pages of eachPage
	for i := range n {
		text := "routine council minutes"
		if i%2 == 0 {
			text = "espionage trial evidence heard"
		}
		put(t, st, i, testDoc{source: fmt.Sprintf("s%d", i%7), title: fmt.Sprintf("item %d", i), text: text,
			published: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%900).Format(time.DateOnly)})
	}
	ix := openIndex(t, dir)
	mustSync(t, ix, st)
	for _, sortBy := range []string{SortRelevance, SortNewest, SortOldest} {
		seen := map[int64]bool{}
		var last time.Time
		err := ix.Each(context.Background(), st, Request{Query: "espionage", Sort: sortBy}, func(h Hit) error {
			if seen[h.ID] {
				return fmt.Errorf("hit %d twice", h.ID)
			}
			seen[h.ID] = true
			if sortBy == SortOldest && h.Published.Before(last) {
				return fmt.Errorf("hit %d out of order", h.ID)
			}
			last = h.Published
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", sortBy, err)
		}
		if len(seen) != n/2 {
			t.Errorf("%s: Each gave %d hits, want %d", sortBy, len(seen), n/2)
		}
	}
	got, err := ix.IDs(context.Background(), Request{Query: "espionage OR council"})
	if err != nil || len(got) != n {
		t.Errorf("IDs: %d, %v; want %d", len(got), err, n)
	}
	var limited int
	ix.Each(context.Background(), st, Request{Query: "espionage", Limit: 7, Offset: 600}, func(Hit) error { limited++; return nil })
	if limited != 7 {
		t.Errorf("Each with limit 7: %d hits", limited)
	}
	stop := errors.New("stop here")
	if err := ix.Each(context.Background(), st, Request{Query: "espionage"}, func(Hit) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("Each did not return fn's error: %v", err)
	}
}

func TestRebuildSwapWhileReaderHoldsOldIndex(t *testing.T) {
	st, dir := openStore(t)
	put(t, st, 1, testDoc{source: "a", title: "old", text: "before the rebuild"})
	reader := openIndex(t, dir)
	mustSync(t, reader, st)
	put(t, st, 2, testDoc{source: "a", title: "new", text: "added before the rebuild but not synced by the reader"})

	var progress [][2]int64
	err := Rebuild(context.Background(), dir, st, func(done, total int64) { progress = append(progress, [2]int64{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if last := progress[len(progress)-1]; last != [2]int64{2, 2} {
		t.Errorf("last progress %v, want [2 2]", last)
	}
	// The reader still answers from the old index…
	if res := mustSearch(t, reader, st, Request{Query: "rebuild"}); res.Total != 1 {
		t.Errorf("old index during swap: %d hits, want 1", res.Total)
	}
	// …and switches at its next Sync, which has nothing left to apply.
	if n := mustSync(t, reader, st); n != 0 {
		t.Errorf("sync after swap applied %d, want 0 (the rebuilt index is current)", n)
	}
	if res := mustSearch(t, reader, st, Request{Query: "rebuild"}); res.Total != 2 {
		t.Errorf("after switching: %d hits, want 2", res.Total)
	}
	left, _ := filepath.Glob(filepath.Join(dir, Dir+".*"))
	if len(left) != 0 {
		t.Errorf("rebuild left %v behind", left)
	}
}

func TestOpenCorruptAndLocked(t *testing.T) {
	st, dir := openStore(t)
	put(t, st, 1, testDoc{source: "a", title: "x", text: "some text"})
	ix := openIndex(t, dir)
	mustSync(t, ix, st)

	_, err := OpenWith(dir, Options{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "another watchline process") {
		t.Errorf("second open: %v, want ErrLocked", err)
	}
	ix.Close()

	// Damage the index: its metadata is garbage.
	if err := os.WriteFile(filepath.Join(dir, Dir, "index_meta.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open damaged index: %v, want ErrCorrupt", err)
	}
	if err := Rebuild(context.Background(), dir, st, nil); err != nil {
		t.Fatal(err)
	}
	ix = openIndex(t, dir)
	if res := mustSearch(t, ix, st, Request{Query: "text"}); res.Total != 1 {
		t.Errorf("after rebuild: %d hits", res.Total)
	}
	ix.Close()

	// Store segment files truncated to nothing.
	segs, _ := filepath.Glob(filepath.Join(dir, Dir, "store", "*.zap"))
	if len(segs) == 0 {
		t.Skip("no segment files to damage")
	}
	for _, s := range segs {
		os.WriteFile(s, []byte("junk"), 0o644)
	}
	if _, err := Open(dir); !errors.Is(err, ErrCorrupt) {
		t.Errorf("open index with damaged segments: %v, want ErrCorrupt", err)
	}
}

func TestBatchMatch(t *testing.T) {
	st, _, d := fixture(t)
	var docs = loadDocs(t, st, d["cps"], d["mi5"], d["fr"], d["embassy"])
	b, err := NewBatch(docs)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tests := []struct {
		q    string
		r    Request
		want []int64
	}{
		{"MI5 AND (China OR Chinese) AND (LinkedIn OR recruit*)", Request{}, []int64{d["mi5"]}},
		{`"Christopher Cash" OR "Christopher Berry"`, Request{}, []int64{d["cps"]}},
		{"espionnage", Request{}, []int64{d["fr"]}},
		{"间谍", Request{}, []int64{d["embassy"]}},
		{"*", Request{Official: true, Sort: SortOldest}, []int64{d["cps"], d["embassy"], d["mi5"]}},
		{"Parliament", Request{Sources: []string{"cps-news"}}, nil},
	}
	for _, tt := range tests {
		p, err := Parse(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		hits, err := b.Match(p, tt.r)
		if err != nil {
			t.Fatalf("%s: %v", tt.q, err)
		}
		if got := ids(hits); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.q, got, tt.want)
		}
	}
	p, _ := Parse("LinkedIn recruit*")
	hits, _ := b.Match(p, Request{})
	if len(hits) != 1 || !strings.Contains(hits[0].Snippet.Marked, "[[LinkedIn]]") || len(hits[0].Matched) != 2 {
		t.Errorf("batch hit snippet/matched: %+v", hits)
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func nameOf(d map[string]int64, id int64) string {
	for k, v := range d {
		if v == id {
			return k
		}
	}
	return fmt.Sprint(id)
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

func sortedIDs(xs []int64) []int64 {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// TestAnalyzeSomeFindsWhatFullAnalysisFinds: skipping words that cannot match
// must not change what is marked.
func TestAnalyzeSomeFindsWhatFullAnalysisFinds(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	text := "MI5's alert: Chinese officers were RECRUITING via LinkedIn. The Official Secrets Act's reach; recruiters, recruitment and the spies' spying on Parliament's staff. Ça, naïve café—über."
	for _, q := range []string{"recruit*", "spying spies", `"official secrets act"`, "MI5 linkedin", "parliament staff", "café OR über", "ça", "the spy"} {
		p, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		pats := patternsFor(m, p, "en")
		full := findSpans(analyze(m, "en", text), pats)
		some := findSpans(analyzeSome(m, "en", text, pats, nil), pats)
		if !reflect.DeepEqual(full, some) {
			t.Errorf("%s: full analysis %v, fast %v", q, full, some)
		}
		if len(full) == 0 && q != "the spy" {
			t.Errorf("%s: nothing found", q)
		}
	}
}

// TestAnalyzeSomeOnLongTexts compares the fast analysis with the full one
// on synthetic articles, for their own words and phrases and prefixes of
// them: the windows must hold every match, phrases included.
func TestAnalyzeSomeOnLongTexts(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	err = synth.Generate(5, 40, func(d model.Document) error {
		ws := strings.Fields(strings.ToLower(d.Text))
		var qs []string
		for i := 0; i+3 < len(ws); i += len(ws) / 5 {
			w := strings.Trim(ws[i], ".,;:")
			qs = append(qs, w, `"`+strings.Trim(ws[i+1], ".,;:")+" "+strings.Trim(ws[i+2], ".,;:")+`"`, w[:min(3, len(w))]+"*")
		}
		for _, q := range qs {
			p, err := Parse(q)
			if err != nil {
				continue // a stop word alone, or punctuation
			}
			pats := patternsFor(m, p, "en")
			full := findSpans(analyze(m, "en", d.Text), pats)
			some := findSpans(analyzeSome(m, "en", d.Text, pats, nil), pats)
			// Fast analysis keeps a few occurrences of each term: the
			// first ones must agree.
			if len(some) > len(full) || !reflect.DeepEqual(full[:len(some)], some) && !sameStarts(full, some) {
				t.Errorf("%s in %q…: full analysis %v, fast %v", q, d.Text[:60], full, some)
			}
			if len(full) > 0 && len(some) == 0 {
				t.Errorf("%s: fast analysis found nothing, full %v", q, full)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sameStarts reports whether every span of some is among full.
func sameStarts(full, some []span) bool {
	for _, s := range some {
		if !slices.Contains(full, s) {
			return false
		}
	}
	return true
}

func TestOpenOrRebuild(t *testing.T) {
	damage := func(t *testing.T, dir string) {
		if err := os.WriteFile(filepath.Join(dir, Dir, "index_meta.json"), []byte("{not json"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name       string
		docs       int
		prepare    func(t *testing.T, st *store.Store, dir string) // what the data directory holds before
		wantNotice string                                          // "" = silent
		wantHits   uint64
	}{
		{"sound index", 2, func(t *testing.T, st *store.Store, dir string) {
			ix := openIndex(t, dir)
			mustSync(t, ix, st)
			ix.Close()
		}, "", 2},
		{"missing index, empty store", 0, nil, "", 0},
		{"missing index", 3, nil, "building the search index from the store (3 documents)", 3},
		{"damaged index", 2, func(t *testing.T, st *store.Store, dir string) {
			ix := openIndex(t, dir)
			mustSync(t, ix, st)
			ix.Close()
			damage(t, dir)
		}, "search index is damaged; rebuilding it from the store (2 documents)", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, dir := openStore(t)
			for i := range c.docs {
				put(t, st, i, testDoc{source: "a", title: fmt.Sprintf("case %d", i), text: "the rebuilt index answers"})
			}
			if c.prepare != nil {
				c.prepare(t, st, dir)
			}
			var notices []string
			var lastDone int64 = -1
			ix, err := OpenOrRebuild(context.Background(), dir, st, func(done, total int64) { lastDone = done },
				func(msg string) { notices = append(notices, msg) })
			if err != nil {
				t.Fatalf("OpenOrRebuild: %v", err)
			}
			defer ix.Close()
			var want []string
			if c.wantNotice != "" {
				want = []string{c.wantNotice}
				if lastDone != int64(c.docs) {
					t.Errorf("progress ended at %d, want %d", lastDone, c.docs)
				}
			}
			if !slices.Equal(notices, want) {
				t.Errorf("notices = %q, want %q", notices, want)
			}
			// No Sync: a rebuilt index is complete as opened.
			if c.docs > 0 {
				if res := mustSearch(t, ix, st, Request{Query: "rebuilt"}); res.Total != c.wantHits {
					t.Errorf("search after open: %d hits, want %d", res.Total, c.wantHits)
				}
			}
		})
	}
}

// TestOpenRemovesKilledRebuilds: a reindex killed mid-way leaves its
// index.new-* folder (issue 17: 22 of them after 25 kills); the next open
// removes those, and the old index a crashed swap left, but never the folder
// a reindex running right now is building.
func TestOpenRemovesKilledRebuilds(t *testing.T) {
	st, dir := openStore(t)
	put(t, st, 1, testDoc{source: "a", title: "x", text: "some text"})
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	killed, err := createBleve(filepath.Join(dir, Dir+".new-1"), m)
	if err != nil {
		t.Fatal(err)
	}
	killed.Close() // the process died: nobody holds it
	long := time.Now().Add(-2 * time.Hour)
	for _, name := range []string{Dir + ".new-2", Dir + ".old-3"} { // killed before bleve wrote anything
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(filepath.Join(dir, name), long, long)
	}
	building, err := createBleve(filepath.Join(dir, Dir+".new-4"), m) // another reindex, running
	if err != nil {
		t.Fatal(err)
	}
	defer building.Close()

	ix := openIndex(t, dir)
	defer ix.Close()
	left, _ := filepath.Glob(filepath.Join(dir, Dir+".*"))
	if want := []string{filepath.Join(dir, Dir+".new-4")}; !slices.Equal(left, want) {
		t.Errorf("after open: %v left, want only the one being built, %v", left, want)
	}
}

// TestTiesBreakByID: hits with equal scores come in id order whatever order
// the index holds them in (documents re-indexed after a new version move to
// the end of the index's own order), so every replica, and every page of a
// paged list, agrees — also for a match-all query, whose hits are one tie.
func TestTiesBreakByID(t *testing.T) {
	st, dir := openStore(t)
	ix := openIndex(t, dir)
	var all []int64
	for i := range 30 {
		all = append(all, put(t, st, i, testDoc{source: "wire", title: "Harbour", text: fmt.Sprintf("The lantern glows at pier %d.", 1000+i)}))
	}
	mustSync(t, ix, st)
	// New versions of the first ten: same words, same lengths, same scores.
	for i := range 10 {
		put(t, st, i, testDoc{source: "wire", title: "Harbour", text: fmt.Sprintf("The lantern glows at pier %d!", 1000+i)})
		mustSync(t, ix, st)
	}
	// The index sorts its ids as strings ("10" before "9").
	slices.SortFunc(all, func(a, b int64) int { return strings.Compare(strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)) })
	for _, q := range []string{"lantern", "*"} {
		var got []int64
		for off := 0; off < 30; off += 4 {
			res := mustSearch(t, ix, st, Request{Query: q, Limit: 4, Offset: off, NoCollapse: true})
			got = append(got, ids(res.Hits)...)
		}
		if !slices.Equal(got, all) {
			t.Errorf("%s: pages in order %v, want the ids in order %v", q, got, all)
		}
	}
}

// TestFlattenBetween checks that a snippet's text is built as it was, pre +
// flatten(body) + post, line breaks and tabs turned into spaces byte for
// byte, and invalid UTF-8 as strings.Map leaves it.
func TestFlattenBetween(t *testing.T) {
	for _, body := range []string{"", "plain words", "one\ntwo\r\nthree\tfour", "\n", "caf\u00e9\n\u201cquoted\u201d",
		"bad \xff\nbyte", "\xe2\x80"} {
		for _, pre := range []string{"", "… "} {
			want := pre + flatten(body) + " …"
			if got := flattenBetween(pre, body, " …"); got != want {
				t.Errorf("flattenBetween(%q, %q) = %q, want %q", pre, body, got, want)
			}
		}
	}
}

// TestScorchConfigCapsMerges reads the merge options the index hands scorch
// the way scorch reads them (JSON into its MergePlanOptions): a misspelt key
// is dropped silently there and merges would read whole multi-GB segments
// again.
func TestScorchConfigCapsMerges(t *testing.T) {
	b, err := json.Marshal(scorchConfig(map[string]any{"bolt_timeout": "1s"})["scorchMergePlanOptions"])
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[mergeplan.MergePlanOptions]()) {
		known[f.Name] = true
	}
	for k := range raw {
		if !known[k] {
			t.Errorf("merge option %q is not a field of scorch's MergePlanOptions", k)
		}
	}
	o := mergeplan.DefaultMergePlanOptions
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	if o.MaxSegmentSize != maxMergeDocs || o.MaxSegmentSize >= mergeplan.DefaultMergePlanOptions.MaxSegmentSize {
		t.Errorf("MaxSegmentSize %d, want the cap %d (scorch's default %d)", o.MaxSegmentSize, maxMergeDocs, mergeplan.DefaultMergePlanOptions.MaxSegmentSize)
	}
	if err := mergeplan.ValidateMergePlannerOptions(&o); err != nil {
		t.Error(err)
	}
}
