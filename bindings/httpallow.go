package bindings

// What the http module may reach. Public addresses are reachable; loopback,
// private, link-local, shared (100.64/10) and reserved addresses only when
// http_allow lists the URL's host name or a network holding the address.
// The check is made on the address a connection is about to use, after DNS
// (a net.Dialer Control function), so that a name that resolves to the
// cloud's metadata service or to the status page is refused however it was
// resolved; each redirect is checked again before it is followed.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// specialNets are ranges that are global unicast to net/netip but are no
// public host: shared address space, benchmarking, documentation, reserved,
// and the IPv6 prefixes that embed an IPv4 address (NAT64, 6to4, Teredo).
var specialNets = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
		"64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "2002::/16",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// addrKind says why ip is not a public address, or "" when it is one.
func addrKind(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsPrivate():
		return "private"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsMulticast() || ip.IsInterfaceLocalMulticast():
		return "multicast"
	case !ip.IsGlobalUnicast():
		return "reserved"
	}
	for _, n := range specialNets {
		if n.Contains(ip) {
			return "reserved"
		}
	}
	return ""
}

// hostName is a DNS name, optionally "*." and a domain (its subdomains).
var hostName = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// CheckHTTPAllow reports what is wrong with an entry of http_allow: a host
// name ("hr.example.com", "*.corp.example" for its subdomains), an address
// ("10.2.3.4", "::1") or a network ("10.2.0.0/16", "fd00::/8").
func CheckHTTPAllow(entry string) error {
	_, _, err := parseHTTPAllow(entry)
	return err
}

// parseHTTPAllow reads an entry of http_allow as a network or a host name
// (lower case).
func parseHTTPAllow(entry string) (netip.Prefix, string, error) {
	s := strings.TrimSpace(entry)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), "", nil
	}
	if ip, err := netip.ParseAddr(s); err == nil && ip.Zone() == "" {
		ip = ip.Unmap()
		return netip.PrefixFrom(ip, ip.BitLen()), "", nil
	}
	name := strings.ToLower(strings.TrimSuffix(s, "."))
	switch {
	case strings.Contains(s, "://") || strings.ContainsAny(s, ":/?#@"):
		return netip.Prefix{}, "", fmt.Errorf("%q: write a host name, an address or a network (10.0.0.0/8), without scheme, port or path", entry)
	case len(name) > 253 || !hostName.MatchString(name):
		return netip.Prefix{}, "", fmt.Errorf("%q is not a host name, an address or a network (such as hr.example.com, *.corp.example, 10.2.3.4 or 10.0.0.0/8)", entry)
	}
	return netip.Prefix{}, name, nil
}

// httpPolicy is a parsed http_allow.
type httpPolicy struct {
	names []string       // host names, lower case; "*.x" for the subdomains of x
	nets  []netip.Prefix // networks, addresses as /32 or /128
}

// newHTTPPolicy parses entries; those that do not parse (Validate refuses
// them) allow nothing.
func newHTTPPolicy(entries []string) *httpPolicy {
	p := &httpPolicy{}
	for _, e := range entries {
		n, name, err := parseHTTPAllow(e)
		switch {
		case err != nil:
		case name != "":
			p.names = append(p.names, name)
		default:
			p.nets = append(p.nets, n)
		}
	}
	return p
}

// nameListed reports whether http_allow lists host by name.
func (p *httpPolicy) nameListed(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, n := range p.names {
		if host == n || strings.HasPrefix(n, "*.") && strings.HasSuffix(host, n[1:]) {
			return true
		}
	}
	return false
}

// check returns an error when a connection for host may not use ip.
func (p *httpPolicy) check(host string, ip netip.Addr) error {
	ip = ip.Unmap()
	kind := addrKind(ip)
	if kind == "" || p.nameListed(host) {
		return nil
	}
	for _, n := range p.nets {
		if n.Contains(ip) {
			return nil
		}
	}
	return &blockedError{host: host, ip: ip, kind: kind}
}

// blockedError is a connection the policy refused.
type blockedError struct {
	host string
	ip   netip.Addr
	kind string
}

func (e *blockedError) Error() string {
	at := e.ip.String()
	if e.host != at {
		at = fmt.Sprintf("%s (%s)", e.host, e.ip)
	}
	article := "a"
	if strings.ContainsRune("aeiou", rune(e.kind[0])) {
		article = "an"
	}
	return fmt.Sprintf("%s is %s %s address, which http reaches only when http_allow in jobs.yaml lists it", at, article, e.kind)
}

// maxRedirects bounds the redirects http follows.
const maxRedirects = 10

// client returns an HTTP client that connects only where p allows: every
// address a connection is about to use is checked, and every redirect.
// Proxies from the environment are not used: the proxy, not the check,
// would choose where requests go.
func (p *httpPolicy) client(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		d := &net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
			Control: func(_, address string, _ syscall.RawConn) error {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return err
				}
				return p.check(host, ap.Addr())
			},
		}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: t,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return p.checkRedirect(req)
		},
	}
}

// checkRedirect checks the target of a redirect before it is followed: its
// scheme, and the addresses its host resolves to (the connection is checked
// again when it is made).
func (p *httpPolicy) checkRedirect(req *http.Request) error {
	u := req.URL
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("redirected to a %s: URL", u.Scheme)
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		return redirectError(u, p.check(host, ip))
	}
	if p.nameListed(host) {
		return nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(req.Context(), "ip", host)
	if err != nil {
		return redirectError(u, err)
	}
	for _, ip := range ips {
		if err := p.check(host, ip); err != nil {
			return redirectError(u, err)
		}
	}
	return nil
}

// redirectError names the redirect's target (without its query) in err.
func redirectError(u *url.URL, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redirected to %s: %w", redactURL(u), err)
}
