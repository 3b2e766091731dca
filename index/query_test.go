package index

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		q    string
		want string // canonical form
	}{
		{"spy", "spy"},
		{"China spy", "(China AND spy)"},
		{"China AND spy", "(China AND spy)"},
		{"China OR Russia spy", "(China OR (Russia AND spy))"},
		{"(China OR Russia) spy", "((China OR Russia) AND spy)"},
		{`"official secrets act"`, `"official secrets act"`},
		{`"  official   secrets "`, `"official secrets"`},
		{"China -embassy", "(China AND NOT embassy)"},
		{"China NOT embassy", "(China AND NOT embassy)"},
		{"NOT embassy", "NOT embassy"},
		{`-"pure fabrication"`, `NOT "pure fabrication"`},
		{"recruit*", "recruit*"},
		{`title:spy`, "title:spy"},
		{`title:"spy case"`, `title:"spy case"`},
		{`TITLE:spy`, "title:spy"},
		{"source:cps-news", "source:cps-news"},
		{"tag:uk tags:us", "(tag:uk AND tag:us)"},
		{"tag:(uk OR us)", "(tag:uk OR tag:us)"},
		{"official:yes", "official:true"},
		{"official:false", "official:false"},
		{"language:fr lang:de", "(language:fr AND language:de)"},
		{"type:statement", "type:statement"},
		{"*", "*"},
		{"10:30 meeting", "(10:30 AND meeting)"},
		{"e-mail", "e-mail"},
		{"a && b || c", "((a AND b) OR c)"},
		{"MI5 AND (China OR MSS) AND (LinkedIn OR recruit*)", "(MI5 AND (China OR MSS) AND (LinkedIn OR recruit*))"},
		{`"Christopher Cash" OR "Christopher Berry" OR (China spy case)`, `("Christopher Cash" OR "Christopher Berry" OR (China AND spy AND case))`},
		{"间谍 中国", "(间谍 AND 中国)"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			p, err := Parse(tt.q)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.q, err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.q, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		q       string
		pos     int
		msgPart string
	}{
		{"", 1, "empty"},
		{"   ", 1, "empty"},
		{"(China AND spy", 1, "unbalanced parenthesis"},
		{"China AND spy)", 14, "unbalanced parenthesis"},
		{"(a (b c)", 1, "unbalanced parenthesis"},
		{"a ()", 3, "empty parentheses"},
		{`"official secrets`, 1, "unbalanced quote"},
		{`spy "official secrets`, 5, "unbalanced quote"},
		{`spy ""`, 5, "empty phrase"},
		{"titel:spy", 1, "unknown field"},
		{"spy auhtor:x", 5, "unknown field"},
		{"title:", 1, "no value"},
		{"title: spy", 1, "no value"},
		{"China AND", 7, "dangling AND"},
		{"AND China", 1, "dangling AND"},
		{"China OR", 7, "dangling OR"},
		{"OR China", 1, "dangling OR"},
		{"China AND OR spy", 7, "dangling AND"},
		{"(China OR) spy", 8, "dangling OR"},
		{"China NOT", 7, "dangling NOT"},
		{"China -", 7, "dangling '-'"},
		{"r*", 1, "too short"},
		{"title:r*", 7, "too short"},
		{"re*cruit", 3, "only allowed at the end"},
		{"recr?it", 5, "not supported"},
		{"official:maybe", 10, "true or false"},
		{"type:blog", 6, "statement or article"},
		{"source:(a OR NOT b)", 14, "NOT inside"},
		{"title:(source:x)", 8, "field inside"},
		{strings.Repeat("w ", MaxClauses+1), 2*MaxClauses + 1, "too complex"},
		{strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100), 66, "levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			p, err := Parse(tt.q)
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) = %v, %v; want a *QueryError", tt.q, p, err)
			}
			if qe.Pos != tt.pos || !strings.Contains(qe.Msg, tt.msgPart) {
				t.Errorf("Parse(%q) error = %q at %d, want %q at %d", tt.q, qe.Msg, qe.Pos, tt.msgPart, tt.pos)
			}
			if !strings.HasPrefix(err.Error(), "query: ") || !strings.Contains(err.Error(), "column") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestQueryErrorMessage(t *testing.T) {
	_, err := Parse("(China AND spy")
	want := "query: unbalanced parenthesis: '(' is never closed at column 1: (China AND spy"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestTerms(t *testing.T) {
	p, err := Parse(`MI5 "secret service" recruit* -embassy source:x title:spy NOT (a OR b)`)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p.Terms(), "|")
	if want := "MI5|secret service|recruit*|spy"; got != want {
		t.Errorf("Terms() = %s, want %s", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"spy", `"a b" OR c`, "(a AND (b OR -c))", "title:\"x y\" tag:(a OR b)", "re*", "NOT NOT a",
		"official:true", ")(", `"`, "a:b:c", "-(-a)", "间谍 AND 中国", "x\x00y", "((((", "tag:", "* -x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		p, err := Parse(q)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) returned %T, want *QueryError", q, err)
			}
			if qe.Pos < 1 {
				t.Fatalf("Parse(%q): position %d", q, qe.Pos)
			}
			return
		}
		// The canonical form parses to itself.
		again, err := Parse(p.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", q, p.String(), err)
		}
		if again.String() != p.String() {
			t.Fatalf("canonical form not stable: %q → %q → %q", q, p.String(), again.String())
		}
	})
}

func TestQueryErrorExcerpt(t *testing.T) {
	long := strings.Repeat("spy OR ", 2000) + "(China"
	_, err := Parse(long)
	var qe *QueryError
	if !errors.As(err, &qe) {
		t.Fatalf("Parse(long query) = %v, want a *QueryError", err)
	}
	if n := len(err.Error()); n > 200 {
		t.Errorf("error is %d bytes; a long query must not be echoed whole: %.120s…", n, err.Error())
	}
	tests := []struct {
		query     string
		pos       int
		wantText  string
		wantCaret int
	}{
		{"(China AND spy", 1, "(China AND spy", 1},
		{strings.Repeat("a", 40) + "(", 41, "…" + strings.Repeat("a", 30) + "(", 32},
		{"(" + strings.Repeat("b", 40), 1, "(" + strings.Repeat("b", 29) + "…", 1},
	}
	for _, tt := range tests {
		text, caret := (&QueryError{Query: tt.query, Pos: tt.pos}).Excerpt()
		if text != tt.wantText || caret != tt.wantCaret {
			t.Errorf("Excerpt(%q, %d) = %q, %d; want %q, %d", tt.query, tt.pos, text, caret, tt.wantText, tt.wantCaret)
		}
	}
}
