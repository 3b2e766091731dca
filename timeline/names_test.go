package timeline

import (
	"testing"
	"unsafe"
)

// TestNamesIntern: members decoded apart share one copy of each repeated
// string, and the table starts again past namesMax without losing values.
func TestNamesIntern(t *testing.T) {
	n := names{}
	decode := func() *docInfo {
		info, err := unmarshalMember(marshalMember(&docInfo{ID: 7, Source: "wire", Type: "arrest", Role: "report",
			Entities: []string{"Metropolitan Police", "Westminster"}, Principals: []string{"Home Office"}}))
		if err != nil {
			t.Fatal(err)
		}
		n.intern(info)
		return info
	}
	a, b := decode(), decode()
	if a.Source != "wire" || a.Entities[1] != "Westminster" || a.Principals[0] != "Home Office" || a.Type != "arrest" {
		t.Fatalf("interning changed the values: %+v", a)
	}
	same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
	if !same(a.Source, b.Source) || !same(a.Entities[0], b.Entities[0]) || !same(string(a.Type), string(b.Type)) {
		t.Fatal("two decoded members keep separate copies of the same strings")
	}
	for i := 0; i < namesMax+10; i++ {
		n.of(string(rune('a'+i%26)) + string(rune(i)))
	}
	if len(n) > namesMax {
		t.Fatalf("%d strings kept, bound %d", len(n), namesMax)
	}
	if got := n.of("Westminster"); got != "Westminster" {
		t.Fatalf("after a reset: %q", got)
	}
}
