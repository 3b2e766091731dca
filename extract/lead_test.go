package extract

import (
	"strings"
	"testing"
)

// TestStandfirst: the lead classed as one between the headline and the
// first extracted paragraph comes first, also when a block without letters
// was extracted and an empty element stands above the headline.
func TestStandfirst(t *testing.T) {
	page := `<html><body><div class="top"> </div>
<h1>Council approves the budget</h1>
<div class="article__perex">The council approved next year's budget after a long debate about the town's schools.</div>
<p>Members voted 31 to 12 in favour on Monday evening, the clerk said.</p>
<p>*</p>
<p>The mayor said the money would pay for two new schools.</p>
</body></html>`
	root, _, err := parseHTML(page)
	if err != nil {
		t.Fatal(err)
	}
	paras := []string{"Members voted 31 to 12 in favour on Monday evening, the clerk said.", "*",
		"The mayor said the money would pay for two new schools."}
	got := strings.Join(standfirst(root, paras), "|")
	if want := "The council approved next year's budget after a long debate about the town's schools."; got != want {
		t.Errorf("standfirst = %q, want %q", got, want)
	}
}
