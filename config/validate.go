package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/netguard"
)

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	langPattern   = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	digestPattern = regexp.MustCompile(`^(immediate|hourly|daily(@\d{1,2}:\d{2})?|weekly(@(mon|tue|wed|thu|fri|sat|sun) \d{1,2}:\d{2})?)$`)
)

// validator collects semantic problems, placing each at the line its field
// was written on when the config came from a file.
type validator struct {
	c    *Config
	errs Errors
	// badDefault names defaults (interval, delay, user_agent, max_body) that
	// were reported as wrong, so sources inheriting them are not reported too.
	badDefault map[string]bool
}

// errorf reports a problem with field unless decoding already reported it.
func (v *validator) errorf(field, format string, args ...any) {
	if v.c.bad[field] {
		return
	}
	e := &Error{File: v.c.Path, Field: field, Msg: fmt.Sprintf(format, args...)}
	if p, ok := v.lookup(field); ok {
		e.Line, e.Column = p.line, p.col
	}
	v.errs = append(v.errs, e)
}

// lookup finds where field was written, or failing that the nearest
// enclosing thing ("sources[2]" for a missing "sources[2].url").
func (v *validator) lookup(field string) (position, bool) {
	for f := field; ; {
		if p, ok := v.c.pos[f]; ok {
			return p, true
		}
		i := strings.LastIndexAny(f, ".[")
		if i <= 0 {
			return position{}, false
		}
		f = f[:i]
	}
}

// where describes the place of field for "first defined at" messages.
func (v *validator) where(field string) string {
	if p, ok := v.c.pos[field]; ok {
		return fmt.Sprintf("line %d", p.line)
	}
	return field
}

// Validate checks every setting and returns an Errors listing all problems,
// or nil. Parse calls it; call it yourself on a Config built in code (after
// ApplyDefaults).
func (c *Config) Validate() error {
	v := &validator{c: c, badDefault: map[string]bool{}}
	v.defaults()
	v.sources()
	v.topics()
	v.alerts()
	v.smtp()
	v.web()
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs.sorted()
}

func (v *validator) defaults() {
	d := v.c.Defaults
	v.badDefault["interval"] = !v.positive("defaults.interval", d.Interval)
	v.badDefault["delay"] = !v.nonNegative("defaults.delay", d.Delay)
	v.positive("defaults.timeout", d.Timeout)
	v.badDefault["user_agent"] = !v.userAgent("defaults.user_agent", d.UserAgent)
	v.contact("defaults.contact", d.Contact)
	if d.MaxBody <= 0 {
		v.badDefault["max_body"] = true
		v.errorf("defaults.max_body", "must be a positive size like 10MiB")
	}
	if d.Workers < 1 || d.Workers > 256 {
		v.errorf("defaults.workers", "%d is out of range; use a number of hosts from 1 to 256", d.Workers)
	}
	v.badDefault["visit_budget"] = !v.visitBudget("defaults.visit_budget", d.VisitBudget)
}

// visitBudget checks how long one visit of a source may take.
func (v *validator) visitBudget(field string, d time.Duration) bool {
	if !v.positive(field, d) {
		return false
	}
	if d < MinVisitBudget || d > MaxVisitBudget {
		v.errorf(field, "%s is out of range; give one visit of a source from %s to %s, like 10m", short(d), short(MinVisitBudget), short(MaxVisitBudget))
		return false
	}
	return true
}

func (v *validator) positive(field string, d time.Duration) bool {
	if d <= 0 {
		v.errorf(field, "%s must be positive; use Go duration syntax like 15m or 2h", short(d))
		return false
	}
	return true
}

// nonNegative accepts zero: a delay of 0s turns the per-host gap off, which
// only loopback test and demo sources (allow_private) may do.
func (v *validator) nonNegative(field string, d time.Duration) bool {
	if d < 0 {
		v.errorf(field, "%s must not be negative; use Go duration syntax like 2s, or 0s for no gap", short(d))
		return false
	}
	return true
}

func (v *validator) userAgent(field, ua string) bool {
	switch {
	case strings.TrimSpace(ua) == "":
		v.errorf(field, "must not be empty; say who is crawling, like %q", DefaultUserAgent)
	case strings.ContainsAny(ua, "\r\n\x00"):
		v.errorf(field, "must be one line of text")
	default:
		return true
	}
	return false
}

// contact must be an e-mail address or an http(s) URL: it goes into a
// header of every request.
func (v *validator) contact(field, c string) {
	if c == "" {
		return
	}
	if strings.ContainsAny(c, "\r\n\x00();") {
		v.errorf(field, "must be one e-mail address or URL, without ( ) or ;")
		return
	}
	if u, err := url.Parse(c); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return
	}
	if a, err := mail.ParseAddress(c); err == nil && a.Address == c {
		return
	}
	v.errorf(field, "%q is neither an e-mail address nor an http(s) URL; write who runs this crawler, like ops@example.org", c)
}

func (v *validator) sources() {
	if len(v.c.Sources) == 0 && !v.c.bad["sources"] {
		v.errorf("", "no sources; add at least one under sources: with an id, kind and url")
		return
	}
	ids := map[string]int{}
	urls := map[string]int{}
	for i, s := range v.c.Sources {
		p := fmt.Sprintf("sources[%d]", i)
		v.id(p, s.ID, "source", ids, i)

		switch s.Kind {
		case model.KindFeed, model.KindPage, model.KindSitemap:
		case "":
			v.errorf(p+".kind", "missing kind; use feed, page or sitemap")
		default:
			v.errorf(p+".kind", "unknown kind %q; use feed, page or sitemap", s.Kind)
		}

		if s.URL == "" {
			v.errorf(p+".url", "missing url; give the feed, page or sitemap address")
		} else if v.httpURL(p+".url", s.URL) {
			if j, ok := urls[s.URL]; ok {
				v.errorf(p+".url", "same url as sources[%d] (%s); list each address once", j, v.where(fmt.Sprintf("sources[%d].url", j)))
			} else {
				urls[s.URL] = i
			}
		}

		switch {
		case s.Kind == model.KindPage && strings.TrimSpace(s.Links) == "":
			v.errorf(p+".links", "a page source needs links: a CSS selector for its article links, like \"a.article\"")
		case s.Links != "" && (s.Kind == model.KindFeed || s.Kind == model.KindSitemap):
			v.errorf(p+".links", "only page sources use links; remove it or set kind: page")
		case s.Links != "":
			if _, err := cascadia.Compile(s.Links); err != nil {
				v.errorf(p+".links", "invalid CSS selector %q: %v", s.Links, err)
			}
		}

		d := v.c.Defaults
		inherited := func(name string, same bool) bool { return same && v.badDefault[name] }
		if !inherited("interval", s.Interval == d.Interval) && v.positive(p+".interval", s.Interval) &&
			s.Interval < MinInterval && !s.AllowPrivate {
			v.errorf(p+".interval", "%s is too often for a public source; use at least %s (only allow_private test sources may poll faster)", short(s.Interval), short(MinInterval))
		}
		if !inherited("delay", s.Delay == d.Delay) && v.nonNegative(p+".delay", s.Delay) &&
			s.Delay < MinDelay && !s.AllowPrivate {
			v.errorf(p+".delay", "%s is too short a gap between requests to a public host; use at least %s", short(s.Delay), short(MinDelay))
		}
		if !inherited("user_agent", s.UserAgent == d.UserAgent) {
			v.userAgent(p+".user_agent", s.UserAgent)
		}
		if s.MaxBody <= 0 && !inherited("max_body", s.MaxBody == d.MaxBody) {
			v.errorf(p+".max_body", "must be a positive size like 10MiB")
		}
		if !inherited("visit_budget", s.VisitBudget == d.VisitBudget) {
			v.visitBudget(p+".visit_budget", s.VisitBudget)
		}
		if s.Language != "" && !langPattern.MatchString(s.Language) {
			v.errorf(p+".language", "%q is not a language code; use a code like en, zh or en-GB", s.Language)
		}
		for j, t := range s.Tags {
			if strings.TrimSpace(t) == "" {
				v.errorf(fmt.Sprintf("%s.tags[%d]", p, j), "empty tag; remove it")
			}
		}
	}
}

// id checks an id's presence, pattern and uniqueness within seen.
func (v *validator) id(p, id, what string, seen map[string]int, i int) {
	field := p + ".id"
	switch {
	case id == "":
		v.errorf(field, "missing id; give the %s a short name of lower-case letters, digits and dashes, like cps-news", what)
		return
	case !idPattern.MatchString(id):
		v.errorf(field, "%q is not a valid id; use lower-case letters, digits and dashes (a-z, 0-9, -), at most 64", id)
		return
	}
	if j, ok := seen[id]; ok {
		prefix := p[:strings.IndexByte(p, '[')]
		v.errorf(field, "duplicate id %q (first defined at %s)", id, v.where(fmt.Sprintf("%s[%d].id", prefix, j)))
		return
	}
	seen[id] = i
}

// httpURL reports whether raw is an absolute http or https URL, reporting it
// if not.
func (v *validator) httpURL(field, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		v.errorf(field, "%q must be an absolute http or https URL", raw)
		return false
	}
	if u.User != nil {
		v.errorf(field, "%q must not contain a user name or password; keep secrets out of the config file", raw)
		return false
	}
	return true
}

func (v *validator) topics() {
	ids := map[string]int{}
	for i, t := range v.c.Topics {
		p := fmt.Sprintf("topics[%d]", i)
		v.id(p, t.ID, "topic", ids, i)
		if strings.TrimSpace(t.Query) == "" {
			v.errorf(p+".query", "missing query; a topic is defined by its search query, like '\"Christopher Cash\" OR (China AND spy)'")
		}
	}
}

func (v *validator) alerts() {
	ids := map[string]int{}
	for i, a := range v.c.Alerts {
		p := fmt.Sprintf("alerts[%d]", i)
		v.id(p, a.ID, "alert", ids, i)
		if strings.TrimSpace(a.Query) == "" {
			v.errorf(p+".query", "missing query; an alert needs a search query to match")
		}
		switch model.SubscriptionLevel(a.Level) {
		case model.LevelArticle, model.LevelEvent, "":
		default:
			v.errorf(p+".level", "unknown level %q; use article or event", a.Level)
		}
		if a.Digest != "" && !digestPattern.MatchString(a.Digest) {
			v.errorf(p+".digest", "%q is not a schedule; use immediate, hourly, daily@08:00 or weekly@mon 08:00", a.Digest)
		}

		var channels []string
		if a.Webhook != "" {
			channels = append(channels, "webhook")
		}
		if a.Email != "" {
			channels = append(channels, "email")
		}
		if a.Atom {
			channels = append(channels, "atom")
		}
		badChannel := v.c.bad[p+".deliver.webhook"] || v.c.bad[p+".deliver.email"] || v.c.bad[p+".deliver.atom"]
		switch len(channels) {
		case 0:
			if badChannel {
				break // already reported where it was written
			}
			v.errorf(p+".deliver", "missing deliver; give exactly one channel: deliver: {webhook: URL}, {email: ADDRESS} or {atom: true}")
		case 1:
		default:
			v.errorf(p+".deliver", "has %s; give exactly one channel per alert (add another alert for another channel)", strings.Join(channels, " and "))
		}
		if a.Webhook != "" && v.httpURL(p+".deliver.webhook", a.Webhook) && !v.c.AlertsAllowPrivate {
			// Names are resolved (and every dial checked) by the alert
			// package; an address written as such is refused here.
			u, _ := url.Parse(a.Webhook)
			if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
				if err := netguard.Check(ip); err != nil {
					v.errorf(p+".deliver.webhook", "%v; set alerts_allow_private: true (top level) if this receiver is meant to be internal", err)
				}
			}
		}
		if a.Email != "" {
			if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address == "" {
				v.errorf(p+".deliver.email", "%q is not an e-mail address", a.Email)
			} else if v.c.SMTP.Host == "" {
				v.errorf(p+".deliver.email", "e-mail alerts need an smtp: section with host and from")
			}
		}
		for j, id := range a.Sources {
			if _, ok := v.c.Source(id); !ok {
				v.errorf(fmt.Sprintf("%s.sources[%d]", p, j), "no source has id %q; use an id from sources:", id)
			}
		}
	}
}

func (v *validator) smtp() {
	s := v.c.SMTP
	if s.Host == "" && s.Username == "" && s.From == "" && s.Port == 0 {
		return
	}
	if s.Host == "" {
		v.errorf("smtp.host", "missing host; give the mail server's name, like smtp.example.org")
	}
	if s.Port < 1 || s.Port > 65535 {
		v.errorf("smtp.port", "%d is not a port; use 587 (STARTTLS), 465 or 25", s.Port)
	}
	if s.From == "" {
		v.errorf("smtp.from", "missing from; give the sender address, like watchline@example.org")
	} else if addr, err := mail.ParseAddress(s.From); err != nil || addr.Address == "" {
		v.errorf("smtp.from", "%q is not an e-mail address", s.From)
	}
}

func (v *validator) web() {
	if _, _, err := net.SplitHostPort(v.c.Web.Addr); err != nil {
		v.errorf("web.addr", "%q is not a listen address; use host:port like 127.0.0.1:8080", v.c.Web.Addr)
	}
}

func short(d time.Duration) string { return FormatDuration(d) }
