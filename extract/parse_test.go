package extract

import (
	"context"
	"strings"
	"testing"
)

// TestDeepNesting: golang.org/x/net/html refuses documents nested deeper
// than 512 elements. Such a page still has an article, and HTML must find
// it, paragraph by paragraph, instead of failing.
func TestDeepNesting(t *testing.T) {
	article := `<article><h1>Volunteers restore a canal lock</h1><p>A team of volunteers has finished restoring a canal lock that had been out of use for more than sixty years.</p>` +
		`<p>The work took three summers and involved replacing the gates and rebuilding part of the chamber wall.</p>` +
		`<p>Boats will be able to pass through the lock from next spring, once the water above it has been dredged.</p></article>`
	for _, depth := range []int{600, 3000} {
		page := `<html><head><title>Canal lock</title></head><body><nav><a href="/">Home</a></nav>` +
			strings.Repeat(`<div class="wrap">`, depth) + article + strings.Repeat(`</div>`, depth) + `</body></html>`
		art, err := HTML(context.Background(), []byte(page), "text/html", Options{now: testNow})
		if err != nil {
			t.Fatalf("depth %d: %v", depth, err)
		}
		paras := strings.Split(art.Text, "\n\n")
		if len(paras) != 3 || !strings.HasPrefix(paras[0], "A team of volunteers") || !strings.HasSuffix(paras[2], "dredged.") {
			t.Errorf("depth %d: text = %q, want the three paragraphs", depth, art.Text)
		}
		if art.Fallback {
			t.Errorf("depth %d: fell back (%s)", depth, art.FallbackReason)
		}
	}
}

func TestFlattenDeepKeepsShallowPages(t *testing.T) {
	page := `<html><body><div><p>One</p><p>Two</p></div></body></html>`
	if got := flattenDeep(page, flattenDepth); got != page {
		t.Errorf("flattenDeep changed a shallow page:\n%s", got)
	}
}

// TestTextOnlyHTML: the last resort keeps every text run, in order, and
// drops scripts.
func TestTextOnlyHTML(t *testing.T) {
	root, _, err := parseHTML(textOnlyHTML(`<div><p>First &amp; foremost</p><script>var x = "<p>no</p>";</script><li>Second</li></div>`))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(renderBlocks(root, false), "|")
	if got != "First & foremost|Second" {
		t.Errorf("text = %q", got)
	}
}

// TestRenderExtracted: the extractor trims the text around every element;
// rendering puts the spaces back where the page had them.
func TestRenderExtracted(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"link", `<p>Your<code>Dockerfile</code>might then look<a>like this</a>.</p>`, "Your Dockerfile might then look like this."},
		{"hyphen", `<p>nach<a>NDR</a>-Recherchen</p>`, "nach NDR-Recherchen"},
		{"superscript", `<p>5000 m<sup>2</sup>Park, CO<sub>2</sub>-Ausstoß</p>`, "5000 m2 Park, CO2-Ausstoß"},
		{"quotes", `<p>im Artikel "<a>Warum?</a>". Und</p>`, `im Artikel "Warum?". Und`},
		{"chinese", `<p>中国<a>外交部</a>发言人</p>`, "中国外交部发言人"},
		{"source newlines", "<p>Mitte Januar hat\nStrava\nein Update</p><pre>a\n  b</pre>", "Mitte Januar hat Strava ein Update|a\nb"},
		{"line break", `<p>Published 1 May<br>Updated 2 May</p>`, "Published 1 May\nUpdated 2 May"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, _, err := parseHTML(tt.html)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(renderExtracted(root), "|"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDropRubyAnnotations: ruby text reads as its base text, without the
// pronunciation guide, and the text after it stays.
func TestDropRubyAnnotations(t *testing.T) {
	page := `<p><ruby>子<rt>こ</rt></ruby>どもへの<ruby><rb>虐待</rb><rp>(</rp><rt>ぎゃくたい</rt><rp>)</rp></ruby>をなくす</p>`
	root, _, err := parseHTML(page)
	if err != nil {
		t.Fatal(err)
	}
	dropRubyAnnotations(page, root)
	if got, want := strings.Join(renderBlocks(root, false), "|"), "子どもへの虐待をなくす"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
