// Package netguard decides which network addresses watchline may connect to
// when the address comes from a value it does not control: a link in a feed,
// a redirect, a webhook URL typed by a user. Only global unicast addresses
// pass. IPv4 addresses carried inside IPv6 ones (IPv4-mapped, NAT64, 6to4,
// Teredo) are decoded and must pass too, so 64:ff9b::a9fe:a9fe is refused
// like 169.254.169.254. Everything else — loopback, private, link-local,
// carrier-grade NAT, benchmarking, documentation, reserved, multicast,
// "this network" — is refused.
//
// The check that protects is Control, run by a net.Dialer on the address
// actually dialled: it covers redirects, names that resolve to 127.0.0.1 and
// DNS rebinding (a name that resolved to a public address when a webhook was
// created and to a private one later). CheckHost is the early, friendly
// check for a user creating something that will connect later.
//
// It imports only the standard library, so both the crawler and the alert
// package (which may not import each other) use the same guard.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// ErrRefused is returned (wrapped, with the address) for an address that is
// not global unicast.
var ErrRefused = errors.New("refusing to connect to a non-public address")

// refused4 are the IPv4 ranges that are not globally reachable (IANA IPv4
// Special-Purpose Address Registry, "Globally Reachable: False", plus
// multicast and the reserved class E).
var refused4 = prefixes(
	"0.0.0.0/8",       // "this network" (RFC 791)
	"10.0.0.0/8",      // private (RFC 1918)
	"100.64.0.0/10",   // carrier-grade NAT (RFC 6598)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, cloud metadata services
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments (RFC 6890)
	"192.0.2.0/24",    // documentation TEST-NET-1
	"192.88.99.0/24",  // deprecated 6to4 relay anycast (RFC 7526)
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking (RFC 2544)
	"198.51.100.0/24", // documentation TEST-NET-2
	"203.0.113.0/24",  // documentation TEST-NET-3
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, and 255.255.255.255 broadcast
)

// Global unicast IPv6 is 2000::/3 (RFC 4291); inside it these are not
// globally reachable (IANA IPv6 Special-Purpose Address Registry).
var (
	global6   = netip.MustParsePrefix("2000::/3")
	refused6  = prefixes("2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16")
	reachable = prefixes( // globally reachable exceptions inside 2001::/23
		"2001:1::1/128", "2001:1::2/128", "2001:1::3/128", "2001:3::/32", "2001:4:112::/48",
		"2001:20::/28", "2001:30::/28")
)

// Prefixes whose addresses carry an IPv4 address.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")   // RFC 6052 well-known prefix
	nat64L    = netip.MustParsePrefix("64:ff9b:1::/48") // RFC 8215 local-use
	sixToFour = netip.MustParsePrefix("2002::/16")      // RFC 3056
	teredo    = netip.MustParsePrefix("2001::/32")      // RFC 4380
	compat    = netip.MustParsePrefix("::/96")          // IPv4-compatible, deprecated (RFC 4291)
)

func prefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

func inAny(ps []netip.Prefix, ip netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Allowed reports whether ip is a global unicast address watchline may
// connect to on behalf of an untrusted value.
func Allowed(ip netip.Addr) bool {
	if !ip.IsValid() || ip.Zone() != "" { // a zone only makes sense on a link
		return false
	}
	if ip.Is4In6() { // ::ffff:a.b.c.d connects to a.b.c.d
		return allowed4(ip.Unmap())
	}
	if ip.Is4() {
		return allowed4(ip)
	}
	switch {
	case nat64.Contains(ip):
		return allowed4(embedded(ip, 12))
	case nat64L.Contains(ip):
		return allowed4(nat64Local(ip))
	case compat.Contains(ip):
		// ::a.b.c.d (and :: and ::1) is deprecated and never routed as
		// such; refused whatever it embeds.
		return false
	case !global6.Contains(ip):
		// Unique local fc00::/7, link-local fe80::/10, multicast ff00::/8,
		// the discard prefix 100::/64 and everything unassigned.
		return false
	case sixToFour.Contains(ip):
		return allowed4(embedded(ip, 2))
	case teredo.Contains(ip):
		// Server at bits 32–63, client (obfuscated by inverting) at 96–127:
		// both are dialled through, so both must be public.
		b := ip.As16()
		client := netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
		return allowed4(embedded(ip, 4)) && allowed4(client)
	case inAny(reachable, ip):
		return true
	case inAny(refused6, ip):
		return false
	}
	return true
}

func allowed4(ip netip.Addr) bool {
	return ip.Is4() && !inAny(refused4, ip)
}

// embedded returns the IPv4 address in bytes at..at+3 of ip.
func embedded(ip netip.Addr, at int) netip.Addr {
	b := ip.As16()
	return netip.AddrFrom4([4]byte{b[at], b[at+1], b[at+2], b[at+3]})
}

// nat64Local decodes a /48 NAT64 address (RFC 6052 §2.2): the IPv4 address
// is split around the reserved octet at bits 64–71.
func nat64Local(ip netip.Addr) netip.Addr {
	b := ip.As16()
	return netip.AddrFrom4([4]byte{b[6], b[7], b[9], b[10]})
}

// Check returns an error wrapping ErrRefused, naming ip and what kind of
// address it is, if ip is not Allowed.
func Check(ip netip.Addr) error {
	if Allowed(ip) {
		return nil
	}
	return fmt.Errorf("%s is %s: %w", ip, kind(ip), ErrRefused)
}

// kind names what ip is, for error messages.
func kind(ip netip.Addr) string {
	v4 := ip.Unmap()
	switch {
	case nat64.Contains(ip) || nat64L.Contains(ip) || sixToFour.Contains(ip) || teredo.Contains(ip):
		return "an IPv6 address carrying a non-public IPv4 address"
	case v4.IsLoopback():
		return "a loopback address"
	case v4.IsPrivate():
		return "a private address"
	case v4.IsLinkLocalUnicast():
		return "a link-local address (cloud metadata services live here)"
	case v4.IsMulticast():
		return "a multicast address"
	case v4.IsUnspecified():
		return "the unspecified address"
	}
	return "not a global unicast address"
}

// Control is a net.Dialer Control function that refuses any address that is
// not Allowed. It sees the address actually being dialled, after name
// resolution.
func Control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("dial %q: not an IP address: %w", address, ErrRefused)
	}
	return Check(ip)
}

// ControlHint is Control with hint (how to opt in) added to its errors.
func ControlHint(hint string) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, c syscall.RawConn) error {
		if err := Control(network, address, c); err != nil {
			return fmt.Errorf("%w (%s)", err, hint)
		}
		return nil
	}
}

// Dialer returns a dialer with the given timeout that refuses non-public
// addresses, saying hint when it does, or, when allowPrivate, one that dials
// anything.
func Dialer(timeout time.Duration, allowPrivate bool, hint string) *net.Dialer {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = ControlHint(hint)
	}
	return d
}

// Resolver looks host names up; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckHost resolves host (a name or an IP literal) and returns an error
// wrapping ErrRefused if any address it resolves to is not Allowed. A name
// that does not resolve is not refused here (it may resolve later); the
// dial-time Control is what protects, CheckHost only tells a user early.
// r nil means net.DefaultResolver.
func CheckHost(ctx context.Context, r Resolver, host string) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		return Check(ip)
	}
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, ip := range ips {
		if err := Check(ip); err != nil {
			return fmt.Errorf("%s resolves to %w", host, err)
		}
	}
	return nil
}
