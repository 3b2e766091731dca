package terminal

import "testing"

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain title", "plain title"},
		{"café — “quoted”", "café — “quoted”"},
		{"a\r\nb", `a\r\nb`},
		{"col\tumn", `col\tumn`},
		{"\x1b[2Jclear", `\x1b[2Jclear`},
		{"bell\x07", `bell\x07`},
		{"c1\u0085", `c1\x85`},
		{"del\x7f", `del\x7f`},
		{"evil\u202egnp.exe", `evil\u202egnp.exe`},
		{"iso\u2066late", `iso\u2066late`},
	}
	for _, tt := range tests {
		if got := Printable(tt.in); got != tt.want {
			t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
