package extract

import (
	"strings"
	"testing"
	"unicode"
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

// TestCleanLinkLinesAnchorsAndAddresses: an <a name> anchor is not a link,
// and a line that is one web or e-mail address is kept.
func TestCleanLinkLinesAnchorsAndAddresses(t *testing.T) {
	page := `<html><body><article><h1>Headline</h1>
<p>The petition opened on Monday and has collected many signatures since then.</p>
<p><a name="q1">One of the questions readers ask most often is what the scientists think.</a></p>
<p><a href="https://petitions.example.org/open/budget">https://petitions.example.org/open/budget</a></p>
<p><a href="mailto:desk@example.org">desk@example.org</a></p>
<p><a href="/other">Council sets new parking fees for the town centre</a></p>
<p>The council will answer the petition at its next meeting in the spring.</p>
</article></body></html>`
	root, _, err := parseHTML(page)
	if err != nil {
		t.Fatal(err)
	}
	pb := scanBlocks(root, []string{"Headline"})
	got := strings.Join(pb.clean(renderBlocks(root, false)), "|")
	want := "The petition opened on Monday and has collected many signatures since then.|" +
		"One of the questions readers ask most often is what the scientists think.|" +
		"https://petitions.example.org/open/budget|desk@example.org|" +
		"The council will answer the petition at its next meeting in the spring."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestIsDateline: bylines and datelines are, sentences that name a date
// without a full stop are not.
func TestIsDateline(t *testing.T) {
	for p, want := range map[string]bool{
		"Tuesday 15 October 2019 by Jane Doe":                                   true,
		"Jane Doe, staff writer, 3 March 2020":                                  true,
		"23.01.2022 - Skier wins the last race of the season at home":           true,
		"Home | News | 23.01.2022 | Reading time 4 min":                         true,
		"Minutes of the board meeting of 5 August 2019 were accepted by all":    false,
		"On 12 May 2006 I started writing to every member of parliament about:": false,
		"The council approved the budget.":                                      false,
	} {
		if got := isDateline(p); got != want {
			t.Errorf("isDateline(%q) = %v, want %v", p, got, want)
		}
	}
}

// TestCleanWrappersAndArticleBoxes: a <form> around the whole page is not
// chrome, and a box-classed element that holds most of the extracted text
// is the article; a small sharing box beside it still goes.
func TestCleanWrappersAndArticleBoxes(t *testing.T) {
	body := `<p>The council approved the budget on Monday after a long debate about the schools of the town.</p>
<p>Members voted 31 to 12 in favour, the clerk said, and the opposition asked for another week.</p>
<p>The mayor said the new budget would pay for two new schools and a library by the end of the decade.</p>`
	for name, page := range map[string]string{
		"form": `<html><body><form id="main"><nav><a href="/">Home</a></nav><h1>Headline</h1>` + body +
			`<p>Share this article with your friends on every network you use today.</p></form></body></html>`,
		"box": `<html><body><h1>Headline</h1><div class="article commentary-sharing">` + body +
			`<div class="share-tools"><p>Share this article with your friends on every network you use today.</p></div></div>` +
			`<div class="sidebar">` + strings.Repeat(`<p><a href="/x">Another story from the town hall this week</a></p>`, 30) + `</div></body></html>`,
	} {
		root, _, err := parseHTML(page)
		if err != nil {
			t.Fatal(err)
		}
		pb := scanBlocks(root, []string{"Headline"})
		var paras []string
		for _, p := range renderBlocks(root, false) {
			if !strings.Contains(p, "Another story") && p != "Home" {
				paras = append(paras, p) // what an extractor would keep
			}
		}
		got := strings.Join(pb.clean(paras), "|")
		if !strings.Contains(got, "Members voted") || !strings.Contains(got, "two new schools") {
			t.Errorf("%s: article text cut: %q", name, got)
		}
		if name == "box" && strings.Contains(got, "Share this article") {
			t.Errorf("%s: sharing box kept: %q", name, got)
		}
	}
}

// TestClassWordsDigits: a generated id with a keyword after a digit
// ("e1ad") is one word and no advertisement; "ad2" and "ad-slot" are.
func TestClassWordsDigits(t *testing.T) {
	for v, want := range map[string]bool{
		"e1ad":          false,
		"x9nav3 ab cd":  false,
		"ad2":           true,
		"ad-slot":       true,
		"story ads":     true,
		"gp dg ay gq b": false,
	} {
		if got := boxClass.match(v); got != want {
			t.Errorf("boxClass.match(%q) = %v, want %v", v, got, want)
		}
	}
	page := `<html><body><article><h1>Headline</h1>
<p id="a1b2">The council approved the budget on Monday after a long debate about schools.</p>
<p id="e1ad">Members voted 31 to 12 in favour, the clerk said after the meeting.</p>
<p id="c3d4">The mayor said the new budget would pay for two new schools and a library.</p>
<p id="f5e6">Work on the first school is to start in the spring, the council said.</p>
<div class="ad"><p>Buy the new phone today at the lowest price in town.</p></div>
</article></body></html>`
	root, _, err := parseHTML(page)
	if err != nil {
		t.Fatal(err)
	}
	pb := scanBlocks(root, []string{"Headline"})
	got := strings.Join(pb.clean(renderBlocks(root, false)), "|")
	want := "The council approved the budget on Monday after a long debate about schools.|" +
		"Members voted 31 to 12 in favour, the clerk said after the meeting.|" +
		"The mayor said the new budget would pay for two new schools and a library.|" +
		"Work on the first school is to start in the spring, the council said."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestCleanTrailingHeading: a heading left at the end of the text, once
// the link list under it is gone, goes too; a heading between paragraphs
// and a sentence set as a heading stay.
func TestCleanTrailingHeading(t *testing.T) {
	body := `<p>The council approved the budget on Monday after a long debate about schools.</p>
<h2>What the money pays for</h2>
<p>The mayor said the money would pay for two new schools and a library.</p>
<p>Work on the first school is to start in the spring, the council said.</p>`
	for name, tc := range map[string]struct{ tail, want string }{
		"label":    {`<h3>More from the town hall:</h3>`, ""},
		"heading":  {`<h2>Latest news</h2>`, ""},
		"sentence": {`<h2>The vote is final.</h2>`, "|The vote is final."},
	} {
		page := `<html><body><article><h1>Headline</h1>` + body + tc.tail +
			`<ul class="related-links"><li><a href="/a">Another story from the town hall this week</a></li></ul></article></body></html>`
		root, _, err := parseHTML(page)
		if err != nil {
			t.Fatal(err)
		}
		pb := scanBlocks(root, []string{"Headline"})
		got := strings.Join(pb.clean(renderBlocks(root, false)), "|")
		want := "The council approved the budget on Monday after a long debate about schools.|What the money pays for|" +
			"The mayor said the money would pay for two new schools and a library.|" +
			"Work on the first school is to start in the spring, the council said." + tc.want
		if got != want {
			t.Errorf("%s: got  %q\nwant %q", name, got, want)
		}
	}
}

// blockKeyRunes is blockKey's definition, rune by rune: the fast path for
// ASCII must give the same key.
func blockKeyRunes(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func FuzzBlockKey(f *testing.F) {
	for _, s := range []string{"", "Read MORE: the 2019 report", "Ärger im Ämt, ÉTÉ", "习近平 3月 ２０２０", "Σ σ ς İ ı", "\xff\xfeA\x80z", "٣ مارس", "A\u0301b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := blockKey(s), blockKeyRunes(s); got != want {
			t.Fatalf("blockKey(%q) = %q, want %q", s, got, want)
		}
	})
}
