package crawler

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
)

// robots is the part of one robots.txt that applies to our User-Agent.
type robots struct {
	rules []robotsRule
}

type robotsRule struct {
	allow   bool
	pattern string
}

// parseRobots reads a robots.txt (RFC 9309) and keeps the rules of the most
// specific group matching agent (the product token of our User-Agent), or of
// the "*" group if none names us.
func parseRobots(body []byte, agent string) *robots {
	agent = strings.ToLower(agent)
	type group struct {
		agents []string
		rules  []robotsRule
	}
	var groups []*group
	var cur *group
	lastWasAgent := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "user-agent":
			if !lastWasAgent || cur == nil {
				cur = &group{}
				groups = append(groups, cur)
			}
			cur.agents = append(cur.agents, strings.ToLower(val))
			lastWasAgent = true
		case "allow", "disallow":
			lastWasAgent = false
			if cur == nil {
				continue
			}
			if val == "" { // "Disallow:" with nothing allows everything
				continue
			}
			cur.rules = append(cur.rules, robotsRule{allow: key == "allow", pattern: val})
		default:
			lastWasAgent = false
		}
	}
	r := &robots{}
	best := -1
	for _, g := range groups {
		for _, a := range g.agents {
			switch {
			case a == "*" && best < 0:
				best = 0
				r.rules = g.rules
			case a != "*" && a != "" && strings.Contains(agent, a) && len(a) > best:
				// RFC 9309 merges equal groups; taking the most specific
				// named group is what the big crawlers do in practice.
				best = len(a)
				r.rules = g.rules
			}
		}
	}
	return r
}

// allowed applies the longest matching rule to path (with its query); on a
// tie Allow wins, and no matching rule means allowed.
func (r *robots) allowed(path string) bool {
	if path == "/robots.txt" {
		return true
	}
	bestLen, allow := -1, true
	for _, rule := range r.rules {
		if !robotsMatch(rule.pattern, path) {
			continue
		}
		n := len(rule.pattern)
		if n > bestLen || (n == bestLen && rule.allow) {
			bestLen, allow = n, rule.allow
		}
	}
	return allow
}

// robotsMatch matches path against a pattern with '*' (any run) and a final
// '$' (end of path).
func robotsMatch(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	pattern = strings.TrimSuffix(pattern, "$")
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	pos := len(parts[0])
	for i, p := range parts[1:] {
		if i == len(parts)-2 && anchored {
			return strings.HasSuffix(path[pos:], p)
		}
		j := strings.Index(path[pos:], p)
		if j < 0 {
			return false
		}
		pos += j + len(p)
	}
	return !anchored || pos == len(path)
}

// agentToken is the product token of a User-Agent ("watchline/0.1 (+…)" →
// "watchline"), which robots.txt groups name.
func agentToken(ua string) string {
	tok, _, _ := strings.Cut(strings.TrimSpace(ua), "/")
	tok, _, _ = strings.Cut(tok, " ")
	if tok == "" {
		return "watchline"
	}
	return tok
}

// How long a host's robots.txt, or the failure to read it, is kept.
const (
	robotsTTL    = 24 * time.Hour
	robotsErrTTL = time.Hour
)

// robotsCache keeps each host's robots.txt (see robotsTTL).
type robotsCache struct {
	mu      sync.Mutex
	entries map[string]*robotsEntry
}

type robotsEntry struct {
	mu      sync.Mutex
	done    bool
	expires time.Time
	robots  *robots
	err     error
}

func (c *robotsCache) entry(key string) *robotsEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*robotsEntry{}
	}
	e := c.entries[key]
	if e == nil {
		e = &robotsEntry{}
		c.entries[key] = e
	}
	return e
}

// allowed reports (as an error) whether src may fetch rawURL under the host's
// robots.txt.
func (f *fetcher) allowed(ctx context.Context, src model.Source, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("bad URL %q: %w", rawURL, err)
	}
	agent := agentToken(src.UserAgent)
	e := f.robots.entry(u.Scheme + "://" + u.Host + " " + agent + fmt.Sprint(src.AllowPrivate))
	e.mu.Lock()
	if !e.done || f.now().After(e.expires) {
		e.robots, e.err = f.fetchRobots(ctx, src, u, agent)
		// A cancelled fetch, or none made because the host is backing off,
		// says nothing about the host; try again next time.
		e.done = ctx.Err() == nil && !errors.Is(e.err, ErrHostBackoff)
		// `run` lives for months: robots.txt is read again after a day
		// (RFC 9309 §2.4), an unavailable one after an hour.
		e.expires = f.now().Add(robotsTTL)
		if e.err != nil {
			e.expires = f.now().Add(robotsErrTTL)
		}
	}
	r, rerr := e.robots, e.err
	e.mu.Unlock()
	if rerr != nil {
		return rerr
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !r.allowed(path) {
		return fmt.Errorf("%w %s", ErrRobotsDisallowed, path)
	}
	return nil
}

func (f *fetcher) fetchRobots(ctx context.Context, src model.Source, u *url.URL, agent string) (*robots, error) {
	origin := u.Scheme + "://" + u.Host
	// Another crawler of the store (or this one, before a restart) may
	// have fetched it within the day.
	if f.robotsDB != nil {
		if cached, ok, err := f.robotsDB.RobotsTxt(ctx, origin); err == nil && ok && f.now().Sub(cached.Fetched) < robotsTTL {
			if cached.Status >= 400 {
				return &robots{}, nil
			}
			return parseRobots(cached.Body, agent), nil
		}
	}
	save := func(status int, body []byte) {
		if f.robotsDB != nil {
			f.robotsDB.SaveRobotsTxt(ctx, origin, store.RobotsTxt{Status: status, Body: body, Fetched: f.now()})
		}
	}
	resp, err := f.getChecked(ctx, src, origin+"/robots.txt", store.Validators{}, false)
	var he *HTTPError
	switch {
	case err == nil:
		save(resp.Status, resp.Body)
		return parseRobots(resp.Body, agent), nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.As(err, &he) && he.Status >= 400 && he.Status < 500 && he.Status != 429:
		// RFC 9309: a robots.txt that is unavailable (4xx) allows everything.
		save(he.Status, nil)
		return &robots{}, nil
	case errors.Is(err, ErrPrivateAddress):
		return nil, err
	}
	return nil, fmt.Errorf("%w: %w", ErrRobotsUnavailable, err)
}
