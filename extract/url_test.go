package extract

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lower scheme and host", "HTTPS://WWW.Example.COM/News/Story", "https://www.example.com/News/Story"},
		{"default https port", "https://example.com:443/a", "https://example.com/a"},
		{"default http port", "http://example.com:80/a", "http://example.com/a"},
		{"other port kept", "http://example.com:8080/a", "http://example.com:8080/a"},
		{"https on port 80 kept", "https://example.com:80/a", "https://example.com:80/a"},
		{"fragment dropped", "https://example.com/a#comments", "https://example.com/a"},
		{"utm stripped, order kept", "https://example.com/a?b=2&utm_source=x&a=1&utm_medium=y", "https://example.com/a?b=2&a=1"},
		{"click ids stripped", "https://example.com/a?fbclid=1&gclid=2&id=7&yclid=3&_ga=4&igshid=5", "https://example.com/a?id=7"},
		{"mailchimp and bbc", "https://example.com/a?mc_cid=1&mc_eid=2&at_medium=3&at_campaign=4&ocid=5&cmpid=6", "https://example.com/a"},
		{"ref params", "https://example.com/a?ref=twitter&ref_src=twsrc&page=3", "https://example.com/a?page=3"},
		{"tracking key case-insensitive", "https://example.com/a?UTM_Source=x&q=1", "https://example.com/a?q=1"},
		{"only tracking leaves no question mark", "https://example.com/a?utm_source=x", "https://example.com/a"},
		{"dot segments", "https://example.com/a/./b/../c", "https://example.com/a/c"},
		{"dot segments keep trailing slash", "https://example.com/a/b/../", "https://example.com/a/"},
		{"index.html kept", "https://example.com/news/index.html", "https://example.com/news/index.html"},
		{"trailing slash kept", "https://example.com/news/", "https://example.com/news/"},
		{"empty path becomes slash", "https://example.com", "https://example.com/"},
		{"http kept", "http://example.com/a", "http://example.com/a"},
		{"escapes kept", "https://example.com/a%20b/c%2Fd", "https://example.com/a%20b/c%2Fd"},
		{"userinfo dropped", "https://user:pw@example.com/a", "https://example.com/a"},
		{"trailing dot in host", "https://example.com./a", "https://example.com/a"},
		{"ipv6 host", "http://[::1]:80/a", "http://[::1]/a"},
		{"spaces trimmed", "  https://example.com/a  ", "https://example.com/a"},
		{"query value case kept", "https://example.com/s?Q=China+Spy", "https://example.com/s?Q=China+Spy"},
		{"unicode path", "https://example.com/wiki/Café", "https://example.com/wiki/Caf%C3%A9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeURL(tt.in)
			if err != nil {
				t.Fatalf("NormalizeURL(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeURLErrors(t *testing.T) {
	tests := []struct {
		in      string
		notHTTP bool
	}{
		{"ftp://example.com/file", true},
		{"mailto:press@example.com", true},
		{"javascript:alert(1)", true},
		{"/relative/path", true},
		{"example.com/no-scheme", true},
		{"https://", false},
		{"http://[::1", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeURL(tt.in)
			if err == nil {
				t.Fatalf("NormalizeURL(%q) = %q, want an error", tt.in, got)
			}
			if errors.Is(err, ErrNotHTTP) != tt.notHTTP {
				t.Errorf("errors.Is(%v, ErrNotHTTP) = %v, want %v", err, !tt.notHTTP, tt.notHTTP)
			}
			if tt.notHTTP && !strings.Contains(err.Error(), "http") {
				t.Errorf("error %q does not say what to use instead", err)
			}
		})
	}
}

func TestNormalizeURLIdempotent(t *testing.T) {
	for _, in := range []string{
		"HTTPS://Example.com:443/a/../b?utm_source=x&z=1#f",
		"http://example.com/a%2Fb?x=%20",
		"https://example.com/wiki/Café?q=é",
	} {
		once, err := NormalizeURL(in)
		if err != nil {
			t.Fatal(err)
		}
		twice, err := NormalizeURL(once)
		if err != nil {
			t.Fatal(err)
		}
		if once != twice {
			t.Errorf("not idempotent: %q -> %q -> %q", in, once, twice)
		}
	}
}
