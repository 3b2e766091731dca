// Package config owns watchline's typed configuration: the feeds.yaml file
// that says which sources to watch, the named topics, optional alerts and the
// SMTP and web settings. It parses the file with the yaml.v3 node API so that
// every problem is reported with the file, line, column and field it concerns,
// validates everything before anything runs, and fills in defaults so callers
// never see a source without an interval, delay, User-Agent or body cap.
//
// Secrets never live in the file: the SMTP password comes from
// WATCHLINE_SMTP_PASSWORD and the API token from WATCHLINE_TOKEN.
package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
)

// Environment variables that hold the secrets the file must not contain.
const (
	EnvSMTPPassword = "WATCHLINE_SMTP_PASSWORD"
	EnvToken        = "WATCHLINE_TOKEN"
)

// DefaultUserAgent is the User-Agent sent when the file does not set one.
// Some sites (the US State Department, the Council of the EU, ASIO's CDN, the
// FBI) refuse requests from agents they do not know; defaults.contact adds
// who to ask, which is what their operators look for before unblocking.
const DefaultUserAgent = "watchline/0.1 (+https://github.com/watchline/watchline)"

// MinInterval is the shortest polling interval allowed for a real (public)
// source; only sources with allow_private (local test servers) may go lower.
const MinInterval = time.Minute

// MinDelay is the shortest per-host gap allowed for a real (public) source.
const MinDelay = time.Second

// DefaultVisitBudget is how long one visit of one source may take unless
// visit_budget says otherwise: enough for a few hundred pages at a polite
// delay, short enough that a source that trickles bytes is cut off and
// holds one crawl worker for minutes, not hours.
const DefaultVisitBudget = 10 * time.Minute

// MinVisitBudget and MaxVisitBudget bound visit_budget: under a second no
// page gets fetched; over a day a stuck visit holds its worker, and its
// source's lease, for longer than any polling interval.
const (
	MinVisitBudget = time.Second
	MaxVisitBudget = 24 * time.Hour
)

// maxFileSize caps what Load reads: a config file is a few kilobytes.
const maxFileSize = 8 << 20

// Defaults are the settings every source inherits unless it sets its own.
type Defaults struct {
	Interval  time.Duration // base polling interval, default 30m
	Delay     time.Duration // per-host minimum gap between requests, default 1s
	UserAgent string        // default DefaultUserAgent
	// Contact is who runs this crawler: an e-mail address or a URL. It is
	// added to every source's User-Agent and, if an address, sent as the From
	// header (RFC 9110 10.1.2), so a site's operator can reach a person
	// instead of blocking an unknown bot.
	Contact string
	MaxBody int64         // response body cap in bytes, default 10 MiB
	Timeout time.Duration // per-request timeout, default 30s
	Workers int           // hosts crawled concurrently, default 4
	// VisitBudget bounds one visit of one source, default
	// DefaultVisitBudget; items not reached in time wait for the next visit.
	VisitBudget time.Duration
}

// BuiltinDefaults returns the defaults used for anything the file leaves out.
func BuiltinDefaults() Defaults {
	return Defaults{
		Interval:  30 * time.Minute,
		Delay:     time.Second,
		UserAgent: DefaultUserAgent,
		MaxBody:   10 << 20,
		Timeout:   30 * time.Second,
		Workers:   4,

		VisitBudget: DefaultVisitBudget,
	}
}

// Alert is a saved query from the optional alerts: section. Exactly one of
// Webhook, Email and Atom is set.
type Alert struct {
	ID      string
	Query   string   // search query; its syntax is checked by the index package
	Level   string   // "article" (default) or "event"
	Webhook string   // absolute http(s) URL
	Email   string   // recipient address; needs the smtp: section
	Atom    bool     // write the feed to the data directory's atom/ folder
	Digest  string   // "" or "immediate", "hourly", "daily@08:00", "weekly@mon 08:00"
	Sources []string // restrict to these source ids; empty means all
}

// SMTP is the outgoing mail server for e-mail alerts. The password is read
// from the WATCHLINE_SMTP_PASSWORD environment variable, never from the file.
type SMTP struct {
	Host     string
	Port     int // default 587
	Username string
	From     string
	StartTLS bool // default true
}

// Password returns the SMTP password from the environment.
func (s SMTP) Password() string { return os.Getenv(EnvSMTPPassword) }

// Web is the HTTP server's settings. The API token for writes is read from the
// WATCHLINE_TOKEN environment variable, never from the file.
type Web struct {
	Addr string // listen address, default 127.0.0.1:8080
}

// Token returns the API token from the environment.
func (w Web) Token() string { return os.Getenv(EnvToken) }

// Config is one validated feeds.yaml.
type Config struct {
	Path     string
	Defaults Defaults
	Sources  []model.Source // defaults applied: Interval, Delay, UserAgent, MaxBody, VisitBudget are set
	Topics   []model.Topic
	Alerts   []Alert
	// AlertsAllowPrivate lets webhooks reach loopback, private and other
	// non-public addresses (alerts_allow_private: true); by default they
	// may reach only global unicast addresses, as the crawler.
	AlertsAllowPrivate bool
	SMTP               SMTP
	Web                Web

	// pos maps a field path such as "sources[3].interval" to where it was
	// written, so Validate can point at the line; nil for configs built in code.
	pos map[string]position
	// bad holds field paths that already failed to decode, so Validate does
	// not report them a second time as missing or zero.
	bad map[string]bool
}

// Load reads and parses the config file at path.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load config: %w (pass --config FILE, or run from the directory that holds feeds.yaml; `watchline demo` needs none)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("load config %s: file is larger than %d bytes; is this the right file?", path, maxFileSize)
	}
	return Parse(path, data)
}

// Parse parses and validates a config file's contents. name is the file name
// used in error messages. The error, if any, is an Errors listing every
// problem found, sorted by line.
func Parse(name string, data []byte) (*Config, error) {
	c, errs := decode(name, data)
	if c != nil {
		if verr := c.Validate(); verr != nil {
			errs = append(errs, verr.(Errors)...)
		}
	}
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return c, nil
}

// ApplyDefaults fills every zero setting of the config and its sources from
// Defaults (and zero Defaults from BuiltinDefaults). Parse does this already;
// it is for configs built in code, such as the demo's.
func (c *Config) ApplyDefaults() {
	b := BuiltinDefaults()
	d := &c.Defaults
	if d.Interval == 0 {
		d.Interval = b.Interval
	}
	if d.Delay == 0 {
		d.Delay = b.Delay
	}
	if d.UserAgent == "" {
		d.UserAgent = b.UserAgent
	}
	if d.MaxBody == 0 {
		d.MaxBody = b.MaxBody
	}
	if d.Timeout == 0 {
		d.Timeout = b.Timeout
	}
	if d.Workers == 0 {
		d.Workers = b.Workers
	}
	if d.VisitBudget == 0 {
		d.VisitBudget = b.VisitBudget
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.Kind == "" {
			s.Kind = model.KindFeed
		}
		if s.Title == "" {
			s.Title = s.ID
		}
		if s.Interval == 0 {
			s.Interval = d.Interval
		}
		if s.Delay == 0 {
			s.Delay = d.Delay
		}
		if s.UserAgent == "" {
			s.UserAgent = d.UserAgent
		}
		if s.MaxBody == 0 {
			s.MaxBody = d.MaxBody
		}
		if s.VisitBudget == 0 {
			s.VisitBudget = d.VisitBudget
		}
		withContact(s, d.Contact)
	}
	for i := range c.Topics {
		if c.Topics[i].Title == "" {
			c.Topics[i].Title = c.Topics[i].ID
		}
	}
	for i := range c.Alerts {
		if c.Alerts[i].Level == "" {
			c.Alerts[i].Level = string(model.LevelArticle)
		}
	}
	if c.SMTP.Host != "" && c.SMTP.Port == 0 {
		c.SMTP.Port = 587
	}
	if c.Web.Addr == "" {
		c.Web.Addr = "127.0.0.1:8080"
	}
}

// withContact adds the crawler's contact to a source's User-Agent (once) and
// records it for the From header.
func withContact(s *model.Source, contact string) {
	if contact == "" {
		return
	}
	s.Contact = contact
	if strings.Contains(s.UserAgent, contact) {
		return
	}
	if base, ok := strings.CutSuffix(s.UserAgent, ")"); ok && strings.Contains(base, "(") {
		s.UserAgent = base + "; " + contact + ")"
		return
	}
	s.UserAgent += " (" + contact + ")"
}

// FormatDuration prints a duration the way people write it and feeds.yaml
// takes it: 30m rather than 30m0s, 1h rather than 1h0m0s.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// Source returns the source with the given id.
func (c *Config) Source(id string) (model.Source, bool) {
	for _, s := range c.Sources {
		if s.ID == id {
			return s, true
		}
	}
	return model.Source{}, false
}

// Topic returns the topic with the given id.
func (c *Config) Topic(id string) (model.Topic, bool) {
	for _, t := range c.Topics {
		if t.ID == id {
			return t, true
		}
	}
	return model.Topic{}, false
}
