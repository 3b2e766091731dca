package netguard

import (
	"context"
	"errors"
	"net/netip"
	"testing"
)

func TestAllowed(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		// Public addresses pass, in every form that reaches them.
		{"93.184.215.14", true},
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"2606:4700::1111", true},
		{"2a00:1450:4009:81f::200e", true},
		{"::ffff:93.184.215.14", true},
		{"64:ff9b::808:808", true},          // NAT64 of 8.8.8.8
		{"64:ff9b:1:808:8:800::", true},     // local-use NAT64 of 8.8.8.8
		{"2002:808:808::1", true},           // 6to4 of 8.8.8.8
		{"2001:0:808:808::f7f7:f7f7", true}, // Teredo: server 8.8.8.8, client 8.8.8.8
		{"2001:4:112::1", true},             // AS112, globally reachable inside 2001::/23
		{"192.31.196.1", true},              // AS112-v4
		{"192.52.193.1", true},              // AMT

		// IPv4 ranges that are not globally reachable.
		{"0.0.0.0", false},
		{"0.1.2.3", false}, // 0.0.0.0/8 beyond 0.0.0.0
		{"10.1.2.3", false},
		{"100.64.0.1", false},
		{"100.127.255.254", false},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"169.254.169.254", false},
		{"172.16.5.5", false},
		{"172.31.255.255", false},
		{"192.0.0.170", false}, // NAT64 discovery (192.0.0.0/24)
		{"192.0.2.1", false},
		{"192.88.99.1", false},
		{"192.168.1.1", false},
		{"198.18.0.1", false},
		{"198.19.255.255", false},
		{"198.51.100.7", false},
		{"203.0.113.9", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},

		// IPv6 outside global unicast, and special ranges inside it.
		{"::", false},
		{"::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"ff02::1", false},
		{"100::1", false},      // discard-only
		{"2001:db8::1", false}, // documentation
		{"3fff::1", false},     // documentation (RFC 9637)
		{"2001:2::1", false},   // benchmarking
		{"2001:10::1", false},  // ORCHID (deprecated)
		{"5f00::1", false},     // SRv6 SIDs
		{"4000::1", false},     // unassigned, outside 2000::/3

		// IPv4 hidden in IPv6.
		{"::ffff:127.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"::127.0.0.1", false},               // IPv4-compatible
		{"::8.8.8.8", false},                 // IPv4-compatible: deprecated, refused whatever it holds
		{"64:ff9b::a9fe:a9fe", false},        // NAT64 of 169.254.169.254
		{"64:ff9b::7f00:1", false},           // NAT64 of 127.0.0.1
		{"64:ff9b::a00:1", false},            // NAT64 of 10.0.0.1
		{"64:ff9b:1:7f00:0:100::", false},    // local-use NAT64 of 127.0.0.1
		{"2002:7f00:1::1", false},            // 6to4 of 127.0.0.1
		{"2002:a9fe:a9fe::", false},          // 6to4 of 169.254.169.254
		{"2002:c0a8:101::1", false},          // 6to4 of 192.168.1.1
		{"2001:0:7f00:1::f7f7:f7f7", false},  // Teredo server 127.0.0.1
		{"2001:0:808:808::80ff:fffe", false}, // Teredo client 127.0.0.1 (inverted)
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.addr)
			if got := Allowed(ip); got != tt.want {
				t.Errorf("Allowed(%s) = %v, want %v", tt.addr, got, tt.want)
			}
			err := Check(ip)
			if (err == nil) != tt.want || (err != nil && !errors.Is(err, ErrRefused)) {
				t.Errorf("Check(%s) = %v, want refused=%v", tt.addr, err, !tt.want)
			}
		})
	}
}

func TestControl(t *testing.T) {
	tests := []struct {
		address string
		ok      bool
	}{
		{"93.184.215.14:443", true},
		{"[2606:4700::1111]:443", true},
		{"127.0.0.1:80", false},
		{"[::1]:443", false},
		{"[64:ff9b::a9fe:a9fe]:80", false},
		{"localhost:80", false}, // not an address: the resolver's job, refused here
		{"", false},
	}
	for _, tt := range tests {
		err := Control("tcp", tt.address, nil)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrRefused)) {
			t.Errorf("Control(%q) = %v, want ok=%v", tt.address, err, tt.ok)
		}
	}
}

// fakeResolver answers from a map: resolving names is not what is tested.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := f[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	return ips, nil
}

func TestCheckHost(t *testing.T) {
	r := fakeResolver{
		"public.example":   {netip.MustParseAddr("93.184.215.14")},
		"rebind.example":   {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("127.0.0.1")},
		"metadata.example": {netip.MustParseAddr("169.254.169.254")},
	}
	tests := []struct {
		host string
		ok   bool
	}{
		{"public.example", true},
		{"rebind.example", false}, // one private answer is enough
		{"metadata.example", false},
		{"127.0.0.1", false},
		{"::1", false},
		{"93.184.215.14", true},
		{"unknown.example", true}, // unresolvable now: left to the dial-time check
	}
	for _, tt := range tests {
		err := CheckHost(context.Background(), r, tt.host)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrRefused)) {
			t.Errorf("CheckHost(%q) = %v, want ok=%v", tt.host, err, tt.ok)
		}
	}
}

// FuzzAllowed checks properties of the guard on arbitrary addresses: it
// never panics, never lets through what the standard library calls
// loopback, private, link-local, multicast or unspecified, and judges an IPv4
// address the same however it is wrapped in IPv6 (mapped, NAT64, 6to4).
func FuzzAllowed(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "8.8.8.8", "::1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1",
		"2001:0:808:808::80ff:fffe", "fe80::1", "2606:4700::1111", "::ffff:10.0.0.1", "198.18.0.1"} {
		f.Add(netip.MustParseAddr(s).AsSlice())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ip, ok := netip.AddrFromSlice(b)
		if !ok {
			return
		}
		got := Allowed(ip)
		u := ip.Unmap()
		if got && (u.IsLoopback() || u.IsPrivate() || u.IsLinkLocalUnicast() || u.IsLinkLocalMulticast() ||
			u.IsInterfaceLocalMulticast() || u.IsMulticast() || u.IsUnspecified()) {
			t.Fatalf("Allowed(%s) = true for a special address", ip)
		}
		if again := Allowed(netip.MustParseAddr(ip.String())); again != got {
			t.Fatalf("Allowed(%s) = %v but %v after a round trip through its text", ip, got, again)
		}
		if !ip.Is4() {
			return
		}
		v4 := ip.As4()
		wrapped := map[string]netip.Addr{
			"mapped": netip.AddrFrom16(netip.AddrFrom4(v4).As16()),
			"nat64":  netip.AddrFrom16([16]byte{0, 0x64, 0xff, 0x9b, 10: 0, 11: 0, 12: v4[0], 13: v4[1], 14: v4[2], 15: v4[3]}),
			"6to4":   netip.AddrFrom16([16]byte{0x20, 0x02, v4[0], v4[1], v4[2], v4[3], 15: 1}),
		}
		for name, w := range wrapped {
			if Allowed(w) != got {
				t.Fatalf("Allowed(%s) = %v but its %s form %s gives %v", ip, got, name, w, !got)
			}
		}
		if err := Control("tcp", netip.AddrPortFrom(ip, 80).String(), nil); (err == nil) != got {
			t.Fatalf("Control(%s) = %v, Allowed = %v", ip, err, got)
		}
	})
}
