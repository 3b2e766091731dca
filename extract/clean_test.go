package extract

import (
	"strings"
	"testing"
)

// TestCleanLinkLines: a paragraph that is only a link to another page,
// with or without a short label, goes; sentences with links, list items
// and headings stay.
func TestCleanLinkLines(t *testing.T) {
	page := `<html><body><article><h1>Headline</h1>
<p>The council approved the budget on Monday after a <a href="/debate">long debate</a> about schools.</p>
<p><a href="/other">Council sets new parking fees for the town centre</a></p>
<p>Read the statement: <a href="/other2">Mayor welcomes the decision of the council</a></p>
<p>Members voted 31 to 12 in favour, the clerk said.</p>
<h2><a href="#next">What happens next</a></h2>
<ul><li><a href="/report.pdf">The budget report in full</a></li></ul>
<p>Critics said the vote came too fast: <a href="/critics">the opposition</a> wanted another week.</p>
</article></body></html>`
	root, _, err := parseHTML(page)
	if err != nil {
		t.Fatal(err)
	}
	pb := scanBlocks(root, []string{"Headline"})
	got := strings.Join(pb.clean(renderBlocks(root, false)), "|")
	want := "The council approved the budget on Monday after a long debate about schools.|" +
		"Members voted 31 to 12 in favour, the clerk said.|What happens next|The budget report in full|" +
		"Critics said the vote came too fast: the opposition wanted another week."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
