package store

import (
	"context"
	"fmt"
	"testing"
)

// TestVersionsAreBounded: a page that changes on every fetch (a clock, a
// counter, a rotating ad) must not grow its history without bound (issue
// 17). The first version and the newest ones are kept, with their raw pages;
// the document still counts every version it had.
func TestVersionsAreBounded(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const fetches = MaxVersions + 30
	var id int64
	for i := 1; i <= fetches; i++ {
		d := doc("https://example.org/ticker", fmt.Sprintf("The page as fetched the %dth time.", i))
		if _, err := s.PutDocument(ctx, d, Raw{ContentType: "text/html", Body: []byte(fmt.Sprintf("<p>%d</p>", i))}); err != nil {
			t.Fatal(err)
		}
		id = d.ID
	}
	vs, err := s.Versions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != MaxVersions || vs[0].Version != 1 || vs[len(vs)-1].Version != fetches || vs[1].Version != fetches-MaxVersions+2 {
		var nums []int
		for _, v := range vs {
			nums = append(nums, v.Version)
		}
		t.Fatalf("kept versions %v; want %d: the first and the %d newest", nums, MaxVersions, MaxVersions-1)
	}
	d, err := s.Document(ctx, id)
	if err != nil || d.Versions != fetches {
		t.Errorf("document versions = %d, %v; want %d (it counts every version it had)", d.Versions, err, fetches)
	}
	var raws int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM raw_pages WHERE document_id = ?", id).Scan(&raws); err != nil || raws != MaxVersions {
		t.Errorf("%d raw pages kept (%v), want %d", raws, err, MaxVersions)
	}
	for _, v := range []int{1, fetches} {
		if _, err := s.RawPage(ctx, id, v); err != nil {
			t.Errorf("raw page of version %d: %v", v, err)
		}
	}
}
