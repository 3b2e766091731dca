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

// TestStandfirstMarks: a lead marked as the article's description under a
// headline marked in microdata, one classed as a teaser, and one on a page
// whose <body> is classed with a noise word are found; a related-stories
// teaser is not, and a lead up to leadMaxRunes long is taken.
func TestStandfirstMarks(t *testing.T) {
	lead := "The council approved next year's budget after a long debate about the town's schools."
	long := strings.Repeat("The council met again on Monday to talk about the schools of the town. ", 10) // about 700 characters
	body := `<p>Members voted 31 to 12 in favour on Monday evening, the clerk said.</p>
<p>The mayor said the money would pay for two new schools.</p>`
	paras := []string{"Members voted 31 to 12 in favour on Monday evening, the clerk said.",
		"The mayor said the money would pay for two new schools."}
	for name, tc := range map[string]struct{ page, want string }{
		"microdata": {`<html><body><div itemscope itemtype="https://schema.org/Article">
<h3 itemprop="headline">Council approves the budget</h3>
<div class="teaser-text" itemprop="description"><p>` + lead + `</p></div>` + body + `</div></body></html>`, lead},
		"teaser class": {`<html><body><h1>Council approves the budget</h1>
<div class="article-teaser">` + lead + `</div>` + body + `</body></html>`, lead},
		"body class": {`<html><body class="page no-sidebars"><h1>Council approves the budget</h1>
<div class="text-intro">` + lead + `</div>` + body + `</body></html>`, lead},
		"related teaser": {`<html><body><h1>Council approves the budget</h1>
<div class="related-teaser">` + lead + `</div>` + body + `</body></html>`, ""},
		"long": {`<html><body><h1>Council approves the budget</h1>
<div class="standfirst">` + long + `</div>` + body + `</body></html>`, strings.TrimSpace(long)},
	} {
		root, _, err := parseHTML(tc.page)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(standfirst(root, paras), "|"); got != tc.want {
			t.Errorf("%s: standfirst = %q, want %q", name, got, tc.want)
		}
	}
}
