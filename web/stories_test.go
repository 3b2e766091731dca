package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/watchline/watchline/timeline"
)

func TestStoriesPagesAndAPI(t *testing.T) {
	f := newFixture(t, testToken)
	an, err := timeline.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := timeline.NewClusterer(f.st, an, timeline.Options{}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, body := f.get(t, "/api/stories")
	var list struct {
		Stories []struct {
			ID         int64 `json:"id"`
			Events     int   `json:"events"`
			Documents  int   `json:"documents"`
			KeyMoments []struct {
				ID    int64 `json:"id"`
				Story struct {
					ID int64 `json:"id"`
				} `json:"story"`
			} `json:"key_moments"`
			Sources []string `json:"sources"`
		} `json:"stories"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("/api/stories: %v\n%s", err, body)
	}
	docs := 0
	for _, s := range list.Stories {
		docs += s.Documents
		if len(s.KeyMoments) == 0 || len(s.Sources) == 0 {
			t.Errorf("story %d has no key moments or sources: %+v", s.ID, s)
		}
		for _, e := range s.KeyMoments {
			if e.Story.ID != s.ID {
				t.Errorf("key moment %d of story %d names story %d", e.ID, s.ID, e.Story.ID)
			}
		}
	}
	if len(list.Stories) == 0 || docs != 2 {
		t.Fatalf("stories hold %d documents in %d stories, want the fixture's 2", docs, len(list.Stories))
	}
	first := list.Stories[0]
	id := itoa(first.ID)
	ev := itoa(first.KeyMoments[0].ID)
	cases := []struct {
		path, want string
		status     int
	}{
		{"/stories", `href="/stories/` + id + `"`, 200},
		{"/stories?sort=importance", `aria-current="page">importance`, 200},
		{"/stories/" + id, "Key moments", 200},
		{"/stories/" + id + "?key=1", `href="/events/` + ev + `"`, 200},
		{"/events/" + ev, `story: <a href="/stories/` + id + `"`, 200},
		{"/api/stories/" + id + "?top=1", `"story"`, 200},
		{"/timeline?top=1&sort=importance", "1 event", 200},
		{"/stories/9999", "not_found", 404},
		{"/api/stories?sort=size", "bad_request", 400},
		{"/api/timeline?top=-1", "bad_request", 400},
	}
	for _, c := range cases {
		resp, body := f.get(t, c.path)
		if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
			t.Errorf("GET %s: status %d, want %d with %q in:\n%.600s", c.path, resp.StatusCode, c.status, c.want, body)
		}
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
