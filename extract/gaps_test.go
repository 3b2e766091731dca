package extract

import (
	"strings"
	"testing"
)

func TestFillGaps(t *testing.T) {
	page := `<html><body>
<div class="post">
<div class="top"><div class="top-inner"><p>A teaser before the article that runs long enough to look like a sentence of prose.</p></div></div>
<div class="entry">
<p>The lead of the article, set right above its first paragraph, which the extractor left out.</p>
<p>The first paragraph of the article, which the extractor found and kept as it was, and it goes on for a while so that the article is longer than the boxes around it on the page.</p>
Prose written straight into the container between two headings, which the extractor dropped.<br>
<h2>A heading</h2>
<p>The second paragraph of the article, which the extractor also found and kept, and it goes on for a while so that the article is longer than the boxes around it on the page.</p>
<img src="a.jpg"><div>A short caption under the picture of the harbour at dawn, with the credit.</div>
<p><a href="/x">A link line to another story that is long enough to pass the length test.</a></p>
<div class="related-links"><p>A related story in a small box that reads like a real sentence, too.</p></div>
<div class="inset"><div class="inset-body"><p>An inset story set in a box of its own, nested below the article's paragraphs.</p></div></div>
<div>Price may be higher now. Price checked on the second of January at noon.</div>
<div>Price may be higher now. Price checked on the second of January at noon.</div>
<p>The third paragraph of the article, the last one the extractor kept from the page, and it goes on for a while so that the article is longer than the boxes around it on the page.</p>
</div>
<p>Text after the article that runs long enough to look like a sentence of prose too.</p>
</div>
</body></html>`
	root, _, err := parseHTML(page)
	if err != nil {
		t.Fatal(err)
	}
	pb := scanBlocks(root, nil)
	paras := []string{
		"The first paragraph of the article, which the extractor found and kept as it was, and it goes on for a while so that the article is longer than the boxes around it on the page.",
		"The second paragraph of the article, which the extractor also found and kept, and it goes on for a while so that the article is longer than the boxes around it on the page.",
		"The third paragraph of the article, the last one the extractor kept from the page, and it goes on for a while so that the article is longer than the boxes around it on the page.",
	}
	got := fillGaps(pb.pageFlow(root), paras)
	want := []string{"The lead of the article, set right above its first paragraph, which the extractor left out.", paras[0], "Prose written straight into the container between two headings, which the extractor dropped.", paras[1], paras[2]}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("fillGaps:\n got %q\nwant %q", got, want)
	}

	// Text the extractor kept in part is not put back a second time.
	partial := []string{paras[0], "Prose written straight into the container between two headings", paras[1], paras[2]}
	if got := fillGaps(pb.pageFlow(root), partial); len(got) != len(partial)+1 {
		t.Errorf("fillGaps added a block the extractor kept in part: %q", got)
	}
}
