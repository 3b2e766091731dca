package web

import (
	"strings"
	"testing"
)

// FuzzMarkText checks that whatever text and offsets the index returns, the
// snippet is escaped HTML whose only tags are balanced <mark> pairs, and
// that removing the tags and unescaping gives the text back.
func FuzzMarkText(f *testing.F) {
	f.Add("the spy case", 4, 7, 0, 0)
	f.Add(`<script>alert(1)</script>`, 0, 8, 8, 16)
	f.Add("héllo wörld", 1, 3, 7, 9)
	f.Add("", 0, 0, 0, 0)
	f.Fuzz(func(t *testing.T, text string, a, b, c, d int) {
		got := string(markText(text, [][2]int{{a, b}, {c, d}}))
		rest := strings.ReplaceAll(strings.ReplaceAll(got, "<mark>", ""), "</mark>", "")
		if strings.ContainsAny(rest, "<>") {
			t.Fatalf("unescaped markup in %q", got)
		}
		if strings.Count(got, "<mark>") != strings.Count(got, "</mark>") {
			t.Fatalf("unbalanced marks in %q", got)
		}
		unescaped := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`, "&#39;", "'", "&#43;", "+", "\u0000", "\uFFFD").Replace(rest)
		want := strings.ReplaceAll(text, "\u0000", "\uFFFD")
		if unescaped != want && !strings.Contains(text, "\u0000") {
			t.Fatalf("text changed: got %q, want %q", unescaped, want)
		}
	})
}

// FuzzDiffText checks that a diff's equal and deleted runs rebuild the old
// text's paragraphs and its equal and inserted runs the new one's.
func FuzzDiffText(f *testing.F) {
	f.Add("the case was dropped", "the case was discontinued")
	f.Add("one\ntwo\nthree", "one\nthree\nfour")
	f.Add("", "new text")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 2000 || len(b) > 2000 {
			return
		}
		var old, nw []string
		for _, p := range diffText(a, b) {
			var o, n strings.Builder
			for _, op := range p.Ops {
				if op.Kind != OpInsert {
					o.WriteString(op.Text)
				}
				if op.Kind != OpDelete {
					n.WriteString(op.Text)
				}
			}
			if o.Len() > 0 {
				old = append(old, o.String())
			}
			if n.Len() > 0 {
				nw = append(nw, n.String())
			}
		}
		if got, want := strings.Join(old, "\n"), strings.Join(splitParas(a), "\n"); got != want {
			t.Fatalf("old text: got %q, want %q", got, want)
		}
		if got, want := strings.Join(nw, "\n"), strings.Join(splitParas(b), "\n"); got != want {
			t.Fatalf("new text: got %q, want %q", got, want)
		}
	})
}
