// Package terminal makes untrusted text safe to print on a terminal. Titles,
// names, queries and error messages come from pages, users and servers: the
// command line and the plain-text exports print them through Printable.
package terminal

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Printable makes s one line of text that is safe to print on a terminal:
// CR, LF and tab become \r, \n and \t, other control characters \xNN, and
// the Unicode controls that reorder text (bidi overrides and isolates) \uNNNN.
// Names, queries, titles and error messages come from users, pages and
// servers: printed as is, a CR/LF forges rows of a listing and an escape
// sequence drives the terminal.
func Printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		case reorders(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsEscape(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || reorders(r) || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// reorders reports the invisible characters that change the order text is
// shown in: bidi embeddings and overrides, isolates and marks.
func reorders(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}
