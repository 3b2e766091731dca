package config

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/watchline/watchline/model"
)

// Known fields of each mapping, in the order they are listed in messages.
var (
	topFields      = []string{"defaults", "sources", "topics", "alerts", "alerts_allow_private", "smtp", "web"}
	defaultsFields = []string{"interval", "delay", "user_agent", "contact", "max_body", "timeout", "workers", "visit_budget"}
	sourceFields   = []string{"id", "title", "kind", "url", "links", "official", "tags", "language",
		"interval", "delay", "user_agent", "max_body", "allow_private", "fetch_articles", "visit_budget"}
	topicFields   = []string{"id", "title", "query"}
	alertFields   = []string{"id", "query", "level", "deliver", "digest", "sources"}
	deliverFields = []string{"webhook", "email", "atom"}
	smtpFields    = []string{"host", "port", "username", "from", "starttls"}
	webFields     = []string{"addr"}
)

// nodeBudget bounds how many nodes one parse visits, so a document built from
// nested aliases (a "billion laughs") or a self-referencing anchor cannot make
// the walk exponential or endless.
const nodeBudget = 200_000

var yamlLineErr = regexp.MustCompile(`^yaml: line (\d+): (?:column (\d+): )?(.*)$`)

// decoder walks the YAML node tree into a Config, collecting every problem.
type decoder struct {
	file   string
	errs   Errors
	pos    map[string]position
	bad    map[string]bool
	budget int
}

func decode(name string, data []byte) (*Config, Errors) {
	d := &decoder{file: name, pos: map[string]position{}, bad: map[string]bool{}, budget: nodeBudget}

	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{d.fileErr("the file is empty; add a sources: list (see the shipped feeds.yaml for an example)")}
		}
		return nil, Errors{d.syntaxErr(err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, Errors{d.errAt(&next, "", "the file holds more than one YAML document (a second --- line); keep one document")}
	} else if !errors.Is(err, io.EOF) {
		return nil, Errors{d.syntaxErr(err)}
	}

	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, Errors{d.fileErr("the file is empty; add a sources: list (see the shipped feeds.yaml for an example)")}
		}
		root = root.Content[0]
	}
	d.scanSecrets(root)
	root = d.resolve(root)
	if root == nil {
		return nil, d.errs
	}
	if isNull(root) {
		return nil, Errors{d.errAt(root, "", "the file has no settings; add a sources: list (see the shipped feeds.yaml for an example)")}
	}
	if root.Kind != yaml.MappingNode {
		return nil, Errors{d.errAt(root, "", "the top level must be a mapping with keys like sources: and topics:")}
	}

	c := &Config{Defaults: BuiltinDefaults(), pos: d.pos, bad: d.bad}
	type sourceSet struct{ interval, delay, ua, maxBody, fetch, budget bool }
	var sets []sourceSet
	var smtpSet, startTLSSet bool

	d.mapping(root, "", topFields, func(key string, v *yaml.Node, path string) {
		switch key {
		case "defaults":
			d.defaults(v, path, &c.Defaults)
		case "sources":
			d.sequence(v, path, "a list of sources", func(item *yaml.Node, p string) {
				var s model.Source
				var set sourceSet
				s.FetchArticles = true
				d.mapping(item, p, sourceFields, func(key string, v *yaml.Node, path string) {
					switch key {
					case "id":
						s.ID = d.str(v, path)
					case "title":
						s.Title = d.str(v, path)
					case "kind":
						s.Kind = model.SourceKind(d.str(v, path))
					case "url":
						s.URL = d.str(v, path)
					case "links":
						s.Links = d.str(v, path)
					case "official":
						s.Official = d.boolean(v, path)
					case "tags":
						s.Tags = d.strings(v, path)
					case "language":
						s.Language = d.str(v, path)
					case "interval":
						s.Interval, set.interval = d.duration(v, path)
					case "delay":
						s.Delay, set.delay = d.duration(v, path)
					case "user_agent":
						s.UserAgent, set.ua = d.str(v, path), true
					case "max_body":
						s.MaxBody, set.maxBody = d.size(v, path)
					case "allow_private":
						s.AllowPrivate = d.boolean(v, path)
					case "fetch_articles":
						s.FetchArticles, set.fetch = d.boolean(v, path), true
					case "visit_budget":
						s.VisitBudget, set.budget = d.duration(v, path)
					}
				})
				c.Sources = append(c.Sources, s)
				sets = append(sets, set)
			})
		case "topics":
			d.sequence(v, path, "a list of topics", func(item *yaml.Node, p string) {
				var t model.Topic
				d.mapping(item, p, topicFields, func(key string, v *yaml.Node, path string) {
					switch key {
					case "id":
						t.ID = d.str(v, path)
					case "title":
						t.Title = d.str(v, path)
					case "query":
						t.Query = d.str(v, path)
					}
				})
				c.Topics = append(c.Topics, t)
			})
		case "alerts":
			d.sequence(v, path, "a list of alerts", func(item *yaml.Node, p string) {
				var a Alert
				d.mapping(item, p, alertFields, func(key string, v *yaml.Node, path string) {
					switch key {
					case "id":
						a.ID = d.str(v, path)
					case "query":
						a.Query = d.str(v, path)
					case "level":
						a.Level = d.str(v, path)
					case "digest":
						a.Digest = d.str(v, path)
					case "sources":
						a.Sources = d.strings(v, path)
					case "deliver":
						d.mapping(v, path, deliverFields, func(key string, v *yaml.Node, path string) {
							switch key {
							case "webhook":
								a.Webhook = d.str(v, path)
							case "email":
								a.Email = d.str(v, path)
							case "atom":
								a.Atom = d.atomFlag(v, path)
							}
						})
					}
				})
				c.Alerts = append(c.Alerts, a)
			})
		case "alerts_allow_private":
			c.AlertsAllowPrivate = d.boolean(v, path)
		case "smtp":
			smtpSet = true
			d.mapping(v, path, smtpFields, func(key string, v *yaml.Node, path string) {
				switch key {
				case "host":
					c.SMTP.Host = d.str(v, path)
				case "port":
					c.SMTP.Port = d.integer(v, path)
				case "username":
					c.SMTP.Username = d.str(v, path)
				case "from":
					c.SMTP.From = d.str(v, path)
				case "starttls":
					c.SMTP.StartTLS, startTLSSet = d.boolean(v, path), true
				}
			})
		case "web":
			d.mapping(v, path, webFields, func(key string, v *yaml.Node, path string) {
				if key == "addr" {
					c.Web.Addr = d.str(v, path)
				}
			})
		}
	})

	// Defaults may come after the sources in the file, so apply them last,
	// and only to settings a source left out: an explicit 0s is an error for
	// Validate to report, not something to paper over.
	for i := range c.Sources {
		s, set := &c.Sources[i], sets[i]
		if !set.interval {
			s.Interval = c.Defaults.Interval
		}
		if !set.delay {
			s.Delay = c.Defaults.Delay
		}
		if !set.ua {
			s.UserAgent = c.Defaults.UserAgent
		}
		if !set.maxBody {
			s.MaxBody = c.Defaults.MaxBody
		}
		if !set.budget {
			s.VisitBudget = c.Defaults.VisitBudget
		}
		withContact(s, c.Defaults.Contact)
	}
	if smtpSet && !startTLSSet {
		c.SMTP.StartTLS = true
	}
	if _, ok := d.pos["smtp.port"]; !ok && c.SMTP.Host != "" {
		c.SMTP.Port = 587
	}
	if _, ok := d.pos["web.addr"]; !ok {
		c.Web.Addr = "127.0.0.1:8080"
	}
	for i := range c.Sources {
		if c.Sources[i].Title == "" {
			c.Sources[i].Title = c.Sources[i].ID
		}
		if _, ok := d.pos[fmt.Sprintf("sources[%d].kind", i)]; !ok && c.Sources[i].Kind == "" {
			c.Sources[i].Kind = model.KindFeed
		}
	}
	for i := range c.Topics {
		if c.Topics[i].Title == "" {
			c.Topics[i].Title = c.Topics[i].ID
		}
	}
	for i := range c.Alerts {
		if _, ok := d.pos[fmt.Sprintf("alerts[%d].level", i)]; !ok {
			c.Alerts[i].Level = string(model.LevelArticle)
		}
	}
	c.Path = name
	if d.budget < 0 {
		return nil, d.errs // the walk stopped early; what it built is not worth validating
	}
	return c, d.errs
}

func (d *decoder) defaults(n *yaml.Node, path string, def *Defaults) {
	d.mapping(n, path, defaultsFields, func(key string, v *yaml.Node, path string) {
		switch key {
		case "interval":
			if x, ok := d.duration(v, path); ok {
				def.Interval = x
			}
		case "delay":
			if x, ok := d.duration(v, path); ok {
				def.Delay = x
			}
		case "user_agent":
			def.UserAgent = d.str(v, path)
		case "contact":
			def.Contact = strings.TrimSpace(d.str(v, path))
		case "max_body":
			if x, ok := d.size(v, path); ok {
				def.MaxBody = x
			}
		case "timeout":
			if x, ok := d.duration(v, path); ok {
				def.Timeout = x
			}
		case "workers":
			if x := d.integer(v, path); !d.bad[path] {
				def.Workers = x
			}
		case "visit_budget":
			if x, ok := d.duration(v, path); ok {
				def.VisitBudget = x
			}
		}
	})
}

// errAt records a problem at node n.
func (d *decoder) errAt(n *yaml.Node, field, format string, args ...any) *Error {
	e := &Error{File: d.file, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
	return e
}

// badField records a problem with a field's value and remembers that the
// field failed, so validation does not report it again.
func (d *decoder) badField(n *yaml.Node, field, format string, args ...any) {
	d.bad[field] = true
	d.errAt(n, field, format, args...)
}

func (d *decoder) fileErr(msg string) *Error {
	return &Error{File: d.file, Msg: msg}
}

// syntaxErr turns a yaml error into one that keeps yaml's line number in the
// usual file:line: form.
func (d *decoder) syntaxErr(err error) *Error {
	msg := err.Error()
	if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		return &Error{File: d.file, Line: line, Column: col, Msg: "invalid YAML: " + m[3]}
	}
	return &Error{File: d.file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// resolve follows aliases and charges the node budget; nil means the budget
// is spent (and that has been reported).
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && d.budget >= 0 {
		d.budget--
		n = n.Alias
	}
	d.budget--
	if d.budget < 0 {
		if d.budget == -1 {
			d.errAt(n, "", "the document expands to too many nodes (aliases nested too deep or referring to themselves); write it out plainly")
		}
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// secretWords are parts of key names that suggest a secret. Known fields
// never contain them.
var secretWords = []string{"password", "passwd", "token", "secret", "api_key", "apikey", "credential"}

// scanSecrets reports every mapping key anywhere in the document that looks
// like it holds a secret. It walks the tree as written (not through aliases),
// so it is linear in the file's size.
func (d *decoder) scanSecrets(n *yaml.Node) {
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 10_000 {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind == yaml.ScalarNode && isSecretKey(k.Value) {
					d.errAt(k, "", "%q looks like a secret; secrets must not be in the config file: %s", k.Value, secretHint(k.Value))
				}
			}
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
}

func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func secretHint(key string) string {
	k := strings.ToLower(key)
	switch {
	case strings.Contains(k, "pass"):
		return "remove it and set the " + EnvSMTPPassword + " environment variable instead"
	case strings.Contains(k, "token"):
		return "remove it and set the " + EnvToken + " environment variable instead"
	default:
		return "remove it and pass it in the environment (" + EnvSMTPPassword + " for SMTP, " + EnvToken + " for the API)"
	}
}

// mapping walks a mapping node, calling fn for each known key with its value
// and field path. It reports unknown and duplicate keys, and supports YAML
// merge keys (<<: *anchor) so shared settings can be written once.
func (d *decoder) mapping(n *yaml.Node, path string, known []string, fn func(key string, v *yaml.Node, path string)) {
	n = d.resolve(n)
	if n == nil {
		return
	}
	d.pos[path] = position{n.Line, n.Column}
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.badField(n, path, "must be a mapping of fields (%s), not %s", strings.Join(known, ", "), describe(n))
		return
	}
	type pair struct{ k, v *yaml.Node }
	var pairs, merged []pair
	var mergeFrom func(m *yaml.Node, depth int)
	mergeFrom = func(m *yaml.Node, depth int) {
		m = d.resolve(m)
		if m == nil || depth > 100 {
			return
		}
		switch m.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(m.Content); i += 2 {
				k := d.resolve(m.Content[i])
				if k == nil {
					return
				}
				if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
					mergeFrom(m.Content[i+1], depth+1)
					continue
				}
				merged = append(merged, pair{k, m.Content[i+1]})
			}
		case yaml.SequenceNode:
			for _, c := range m.Content {
				mergeFrom(c, depth+1)
			}
		default:
			d.errAt(m, path, "a merge key (<<) must refer to a mapping, like <<: *defaults")
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			mergeFrom(n.Content[i+1], 0)
			continue
		}
		pairs = append(pairs, pair{k, n.Content[i+1]})
	}
	first := map[string]*yaml.Node{}
	for _, p := range pairs {
		k := d.resolve(p.k)
		if k == nil {
			return
		}
		if k.Kind != yaml.ScalarNode {
			d.errAt(k, path, "a field name must be a plain word, not %s", describe(k))
			continue
		}
		field := join(path, k.Value)
		if prev, ok := first[k.Value]; ok {
			d.errAt(k, field, "duplicate field (first set at line %d); keep one", prev.Line)
			continue
		}
		first[k.Value] = k
		if isSecretKey(k.Value) {
			continue // reported by scanSecrets
		}
		if path == "" && strings.HasPrefix(k.Value, "x-") {
			continue // a place for anchors shared by several entries, as in Compose files
		}
		if !contains(known, k.Value) {
			d.errAt(k, field, "unknown field; known fields are %s", strings.Join(known, ", "))
			continue
		}
		v := d.resolve(p.v)
		if v == nil {
			return
		}
		d.pos[field] = position{v.Line, v.Column}
		fn(k.Value, v, field)
	}
	// Merged fields fill in only what the mapping did not set itself.
	for _, p := range merged {
		k := p.k
		if k.Kind != yaml.ScalarNode || first[k.Value] != nil || !contains(known, k.Value) {
			if k.Kind == yaml.ScalarNode && first[k.Value] == nil && !contains(known, k.Value) && !isSecretKey(k.Value) {
				d.errAt(k, join(path, k.Value), "unknown field (merged in with <<); known fields are %s", strings.Join(known, ", "))
			}
			continue
		}
		first[k.Value] = k
		v := d.resolve(p.v)
		if v == nil {
			return
		}
		field := join(path, k.Value)
		d.pos[field] = position{v.Line, v.Column}
		fn(k.Value, v, field)
	}
}

// sequence walks a list, calling fn with each item and its path ("sources[3]").
func (d *decoder) sequence(n *yaml.Node, path, what string, fn func(item *yaml.Node, path string)) {
	n = d.resolve(n)
	if n == nil || isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.badField(n, path, "must be %s (each item starting with \"- \"), not %s", what, describe(n))
		return
	}
	for i, item := range n.Content {
		item = d.resolve(item)
		if item == nil {
			return
		}
		p := fmt.Sprintf("%s[%d]", path, i)
		d.pos[p] = position{item.Line, item.Column}
		fn(item, p)
	}
}

func (d *decoder) str(n *yaml.Node, path string) string {
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.badField(n, path, "must be a single value, not %s", describe(n))
		return ""
	}
	return n.Value
}

func (d *decoder) strings(n *yaml.Node, path string) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.badField(n, path, "must be a list like [uk, prosecution], not %s", describe(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		item = d.resolve(item)
		if item == nil {
			return out
		}
		p := fmt.Sprintf("%s[%d]", path, i)
		d.pos[p] = position{item.Line, item.Column}
		if item.Kind != yaml.ScalarNode || isNull(item) {
			d.badField(item, p, "must be a single word, not %s", describe(item))
			continue
		}
		out = append(out, item.Value)
	}
	return out
}

func (d *decoder) boolean(n *yaml.Node, path string) bool {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
	}
	d.badField(n, path, "%s is not true or false", quote(n))
	return false
}

// atomFlag reads deliver.atom, which selects the Atom channel. It once took
// a file path; a path now gets an error saying why none is accepted.
func (d *decoder) atomFlag(n *yaml.Node, path string) bool {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && !isNull(n) {
		d.badField(n, path, "%s names a file, and alerts never write where a value says: the feed is written to the data directory's atom/subscription-ID.xml and served at a private URL; write atom: true", quote(n))
		return false
	}
	return d.boolean(n, path)
}

func (d *decoder) integer(n *yaml.Node, path string) int {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		var i int
		if err := n.Decode(&i); err == nil {
			return i
		}
	}
	d.badField(n, path, "%s is not a whole number", quote(n))
	return 0
}

// duration parses Go duration syntax; ok is false if the value was bad (and
// has been reported).
func (d *decoder) duration(n *yaml.Node, path string) (time.Duration, bool) {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		if x, err := time.ParseDuration(strings.TrimSpace(n.Value)); err == nil {
			return x, true
		}
	}
	d.badField(n, path, "%s is not a duration; use Go duration syntax like 15m or 2h", quote(n))
	return 0, false
}

// size parses a byte count: plain bytes or a number with a unit (KB, MB, GB
// are powers of 1000; KiB, MiB, GiB powers of 1024).
func (d *decoder) size(n *yaml.Node, path string) (int64, bool) {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		if x, err := ParseSize(n.Value); err == nil {
			return x, true
		}
	}
	d.badField(n, path, "%s is not a size; write bytes or a number with a unit, like 10MiB, 512KiB or 5MB", quote(n))
	return 0, false
}

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1000}, {"mb", 1000 * 1000}, {"gb", 1000 * 1000 * 1000},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
	{"b", 1},
}

// ParseSize parses a byte count like "10MiB", "512KiB", "5MB" or "1048576".
// Units are case-insensitive; KB/MB/GB are decimal, KiB/MiB/GiB (and the bare
// K/M/G) binary.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	t = strings.ReplaceAll(t, "_", "")
	if t == "" {
		return 0, fmt.Errorf("size %q has no number", s)
	}
	if i, err := strconv.ParseInt(t, 10, 64); err == nil {
		if i > (1<<62)/mult || i < -(1<<62)/mult {
			return 0, fmt.Errorf("size %q is too large", s)
		}
		return i * mult, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f != f || f > float64(1<<62)/float64(mult) || f < -float64(1<<62)/float64(mult) {
		return 0, fmt.Errorf("size %q is not a number of bytes", s)
	}
	return int64(f * float64(mult)), nil
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "an empty value"
		}
		return "the value " + strconv.Quote(n.Value)
	}
	return "that"
}

func quote(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		if isNull(n) {
			return "an empty value"
		}
		return strconv.Quote(n.Value)
	}
	return describe(n)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
