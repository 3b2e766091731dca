package extract

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"strings"
)

// ErrNotHTTP is returned by NormalizeURL for URLs that are not http or https.
var ErrNotHTTP = errors.New("not an http or https URL")

// trackingParams are query parameters that identify a campaign or a click,
// never the document. Keys are lower-case; utm_* is matched by prefix.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gclsrc": true, "msclkid": true,
	"mc_cid": true, "mc_eid": true, "ocid": true, "cmpid": true, "cmp": true,
	"at_medium": true, "at_campaign": true, "at_custom1": true, "at_custom2": true,
	"at_custom3": true, "at_custom4": true, "at_format": true, "at_link_id": true,
	"at_link_origin": true, "at_link_type": true, "at_ptr_name": true, "at_bbc_team": true,
	"igshid": true, "ref": true, "ref_src": true, "ref_url": true, "_ga": true, "_gl": true,
	"yclid": true, "_hsenc": true, "_hsmi": true, "mkt_tok": true, "wt.mc_id": true,
	"s_cid": true, "smid": true, "sr_share": true, "ito": true,
	"xtor": true, "spm": true, "vero_id": true, "oly_enc_id": true, "oly_anon_id": true,
}

// NormalizeURL returns the canonical form of an http(s) URL used as a
// document's identity: lower-case scheme and host, no default port, no
// fragment, no tracking parameters (the others keep their order), and a path
// with dot segments resolved. The scheme is kept as given: http and https can
// serve different documents.
func NormalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("normalize url %q: %w", raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("normalize url %q: %w (use an absolute http:// or https:// address)", raw, ErrNotHTTP)
	}
	if u.Host == "" {
		return "", fmt.Errorf("normalize url %q: missing host", raw)
	}
	u.User = nil
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	// A bracket left in the name is not an IPv6 literal ("http://]:0",
	// "http://.]"): there is no host to normalise.
	if host = strings.TrimRight(strings.Trim(host, "[]"), "."); host == "" || strings.ContainsAny(host, "[]") {
		return "", fmt.Errorf("normalize url %q: missing host", raw)
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	u.Opaque = ""
	u.Path, u.RawPath = cleanPath(u.EscapedPath())
	// A space a link left raw in its query is sent as %20: kept raw, it
	// would end the address (and be trimmed when it is read again).
	u.RawQuery = strings.ReplaceAll(stripTracking(u.RawQuery), " ", "%20")
	u.ForceQuery = false
	return u.String(), nil
}

// cleanPath resolves "." and ".." segments but otherwise keeps the path as
// published, including a trailing slash, because servers treat "/a" and
// "/a/" as different resources often enough.
func cleanPath(escaped string) (p, raw string) {
	if escaped == "" {
		escaped = "/"
	}
	if strings.Contains(escaped, "/.") {
		trailing := strings.HasSuffix(escaped, "/") || strings.HasSuffix(escaped, "/.") || strings.HasSuffix(escaped, "/..")
		escaped = path.Clean("/" + escaped)
		if trailing && escaped != "/" {
			escaped += "/"
		}
	}
	unescaped, err := url.PathUnescape(escaped)
	if err != nil {
		return escaped, ""
	}
	return unescaped, escaped
}

// stripTracking removes tracking parameters from a raw query, keeping the
// remaining pairs in their original order and spelling.
func stripTracking(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	var kept []string
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		key := pair
		if i := strings.IndexByte(pair, '='); i >= 0 {
			key = pair[:i]
		}
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		key = strings.ToLower(key)
		if strings.HasPrefix(key, "utm_") || trackingParams[key] {
			continue
		}
		kept = append(kept, pair)
	}
	return strings.Join(kept, "&")
}
