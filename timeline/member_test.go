package timeline

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/watchline/watchline/model"
)

// TestMemberKeepsAnalysis: a cached event's member gives back the whole
// analysis it was made from, packed fields included.
func TestMemberKeepsAnalysis(t *testing.T) {
	an := newAnalyzer(t)
	df := newDF()
	var quoted, dated, named int
	for _, l := range append(demoCorpus(t), fixtureCorpus(t)...) {
		d := model.Document{ID: 7, Title: l.Title, Text: l.Text, Published: l.Published, Official: l.Official,
			SourceID: l.Source, Authors: l.Authors}
		info := an.analyze(d, df)
		m := newMember(info)
		if got := m.title(); got != info.Title {
			t.Errorf("%s: title %q, want %q", l.ID, got, info.Title)
		}
		got := m.info()
		gv, wv := reflect.ValueOf(*got), reflect.ValueOf(*info)
		for i := 0; i < gv.NumField(); i++ {
			// %v shows an empty and a nil map or slice alike, and a time's
			// location.
			if fmt.Sprintf("%v", gv.Field(i)) != fmt.Sprintf("%v", wv.Field(i)) {
				t.Errorf("%s: unpacked %s = %+v, want %+v", l.ID, gv.Type().Field(i).Name, gv.Field(i), wv.Field(i))
			}
		}
		for _, q := range info.Quotes {
			if q.Kind == model.QuoteDirect && q.Speaker != "" && !slices.Contains(m.Speakers, q.Speaker) {
				t.Errorf("%s: speakers %q lack %q", l.ID, m.Speakers, q.Speaker)
			}
		}
		if len(info.Quotes) > 0 {
			quoted++
		}
		if len(info.Mentioned) > 0 {
			dated++
		}
		if len(info.Actors) > 0 {
			named++
		}
	}
	if quoted == 0 || dated == 0 || named == 0 {
		t.Fatalf("corpus too plain: %d documents with quotes, %d with mentioned dates, %d with actors", quoted, dated, named)
	}
}
