package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.golden from the current output")

// TestBadConfigs checks the exact error text for every broken config under
// testdata/bad against its .golden file.
func TestBadConfigs(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("found %d bad configs, want at least 15", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(filepath.Base(file), data)
			if err == nil {
				t.Fatalf("Parse succeeded, want an error; got %d sources", len(c.Sources))
			}
			if c != nil {
				t.Errorf("Parse returned a config along with the error")
			}
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error is %T, want a non-empty Errors", err)
			}
			got := err.Error() + "\n"

			// Every line names the file; lines are sorted by line number.
			prev := 0
			for _, e := range errs {
				if e.File != filepath.Base(file) {
					t.Errorf("error %q: file %q, want %q", e, e.File, filepath.Base(file))
				}
				if e.Line < prev {
					t.Errorf("errors not sorted by line: %d after %d", e.Line, prev)
				}
				prev = e.Line
			}

			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./config -run TestBadConfigs -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("errors differ from %s\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// TestErrorsArePlaced checks that errors about something written in the file
// carry its line and column, so an editor can jump to it.
func TestErrorsArePlaced(t *testing.T) {
	placed := regexp.MustCompile(`^[a-z-]+\.yaml:\d+:\d+: `)
	unplaced := map[string]bool{"empty": true, "comments-only": true, "syntax": true, "syntax-mapping": true}
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		if unplaced[name] {
			continue
		}
		data, _ := os.ReadFile(file)
		_, err := Parse(filepath.Base(file), data)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !placed.MatchString(line) {
				t.Errorf("%s: %q has no line:column", name, line)
			}
		}
	}
}

func TestSyntaxErrorKeepsLine(t *testing.T) {
	_, err := Parse("feeds.yaml", []byte("sources:\n  - id: a\n    url: x: y\n"))
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("got %v, want one error", err)
	}
	if errs[0].Line != 3 {
		t.Errorf("line = %d, want 3 (yaml's own line); error %q", errs[0].Line, errs[0])
	}
}

// TestExampleMessages pins the messages quoted in the design brief.
func TestExampleMessages(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"duration", "sources:\n  - id: a\n    url: https://example.org/a\n    interval: 15 minutes\n",
			`feeds.yaml:4:15: sources[0].interval: "15 minutes" is not a duration; use Go duration syntax like 15m or 2h`},
		{"duplicate", "sources:\n  - id: cps-news\n    url: https://example.org/a\n  - id: cps-news\n    url: https://example.org/b\n",
			`feeds.yaml:4:9: sources[1].id: duplicate id "cps-news" (first defined at line 2)`},
		{"unknown", "sources:\n  - id: a\n    url: https://example.org/a\n    colour: red\n",
			`feeds.yaml:4:5: sources[0].colour: unknown field; known fields are id, title, kind, url, links, official, tags, language, interval, delay, user_agent, max_body, allow_private, fetch_articles`},
		{"url", "sources:\n  - id: a\n    url: ftp://x\n",
			`feeds.yaml:3:10: sources[0].url: "ftp://x" must be an absolute http or https URL`},
		{"selector", "sources:\n  - id: a\n    kind: page\n    url: https://example.org/a\n    links: \"a[\"\n",
			`feeds.yaml:5:12: sources[0].links: invalid CSS selector "a[": `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("feeds.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestGoodConfigs(t *testing.T) {
	def := BuiltinDefaults()
	feed := func(id, url string) model.Source {
		return model.Source{ID: id, Title: id, Kind: model.KindFeed, URL: url, Interval: def.Interval,
			Delay: def.Delay, UserAgent: def.UserAgent, MaxBody: def.MaxBody, FetchArticles: true, VisitBudget: def.VisitBudget}
	}
	tests := []struct {
		name string
		yaml string
		want Config
	}{
		{
			name: "minimal source gets every default",
			yaml: "sources:\n  - id: a\n    url: https://example.org/a.xml\n",
			want: Config{Defaults: def, Sources: []model.Source{feed("a", "https://example.org/a.xml")},
				Web: Web{Addr: "127.0.0.1:8080"}},
		},
		{
			name: "every source field",
			yaml: `
sources:
  - id: cps-news
    title: CPS news
    kind: page
    url: https://www.cps.gov.uk/news
    links: "a[href*='/cps/news/'], a.article"
    official: true
    tags: [uk, prosecution]
    language: en-GB
    interval: 15m
    delay: 3s
    user_agent: test-agent/1
    max_body: 512KiB
    allow_private: false
    fetch_articles: false
`,
			want: Config{Defaults: def, Web: Web{Addr: "127.0.0.1:8080"}, Sources: []model.Source{{
				ID: "cps-news", Title: "CPS news", Kind: model.KindPage, URL: "https://www.cps.gov.uk/news",
				Links: "a[href*='/cps/news/'], a.article", Official: true, Tags: []string{"uk", "prosecution"},
				Language: "en-GB", Interval: 15 * time.Minute, Delay: 3 * time.Second, UserAgent: "test-agent/1",
				MaxBody: 512 << 10, FetchArticles: false, VisitBudget: def.VisitBudget,
			}}},
		},
		{
			name: "file defaults apply even when written after the sources",
			yaml: `
sources:
  - id: a
    url: https://example.org/a.xml
  - id: b
    url: https://example.org/b.xml
    interval: 2h
defaults: {interval: 45m, delay: 5s, user_agent: "ua/2", max_body: 5MB, timeout: 10s, workers: 2}
`,
			want: Config{
				Defaults: Defaults{Interval: 45 * time.Minute, Delay: 5 * time.Second, UserAgent: "ua/2",
					MaxBody: 5_000_000, Timeout: 10 * time.Second, Workers: 2, VisitBudget: def.VisitBudget},
				Sources: []model.Source{
					{ID: "a", Title: "a", Kind: model.KindFeed, URL: "https://example.org/a.xml", Interval: 45 * time.Minute,
						Delay: 5 * time.Second, UserAgent: "ua/2", MaxBody: 5_000_000, FetchArticles: true, VisitBudget: def.VisitBudget},
					{ID: "b", Title: "b", Kind: model.KindFeed, URL: "https://example.org/b.xml", Interval: 2 * time.Hour,
						Delay: 5 * time.Second, UserAgent: "ua/2", MaxBody: 5_000_000, FetchArticles: true, VisitBudget: def.VisitBudget},
				},
				Web: Web{Addr: "127.0.0.1:8080"},
			},
		},
		{
			name: "the visit budget has a default and a per-source override",
			yaml: `
defaults: {visit_budget: 20m}
sources:
  - id: a
    url: https://example.org/a.xml
  - id: b
    url: https://example.org/b.xml
    visit_budget: 2m30s
`,
			want: Config{
				Defaults: func() Defaults { d := def; d.VisitBudget = 20 * time.Minute; return d }(),
				Sources: []model.Source{
					func() model.Source {
						s := feed("a", "https://example.org/a.xml")
						s.VisitBudget = 20 * time.Minute
						return s
					}(),
					func() model.Source {
						s := feed("b", "https://example.org/b.xml")
						s.VisitBudget = 150 * time.Second
						return s
					}(),
				},
				Web: Web{Addr: "127.0.0.1:8080"},
			},
		},
		{
			name: "the contact joins every User-Agent once and is the From address",
			yaml: `
defaults: {contact: ops@example.org}
sources:
  - id: a
    url: https://example.org/a.xml
  - id: b
    url: https://example.org/b.xml
    user_agent: "own-agent/2"
`,
			want: Config{
				Defaults: func() Defaults { d := def; d.Contact = "ops@example.org"; return d }(),
				Sources: []model.Source{
					{ID: "a", Title: "a", Kind: model.KindFeed, URL: "https://example.org/a.xml", Interval: def.Interval,
						Delay: def.Delay, UserAgent: "watchline/0.1 (+https://github.com/watchline/watchline; ops@example.org)",
						Contact: "ops@example.org", MaxBody: def.MaxBody, FetchArticles: true, VisitBudget: def.VisitBudget},
					{ID: "b", Title: "b", Kind: model.KindFeed, URL: "https://example.org/b.xml", Interval: def.Interval,
						Delay: def.Delay, UserAgent: "own-agent/2 (ops@example.org)", Contact: "ops@example.org",
						MaxBody: def.MaxBody, FetchArticles: true, VisitBudget: def.VisitBudget},
				},
				Web: Web{Addr: "127.0.0.1:8080"},
			},
		},
		{
			name: "allow_private permits fast polling of a local test server",
			yaml: `
sources:
  - id: local
    url: http://127.0.0.1:8999/feed.xml
    allow_private: true
    interval: 50ms
    delay: 1ms
    max_body: 1048576
`,
			want: Config{Defaults: def, Web: Web{Addr: "127.0.0.1:8080"}, Sources: []model.Source{{
				ID: "local", Title: "local", Kind: model.KindFeed, URL: "http://127.0.0.1:8999/feed.xml",
				AllowPrivate: true, Interval: 50 * time.Millisecond, Delay: time.Millisecond,
				UserAgent: def.UserAgent, MaxBody: 1 << 20, FetchArticles: true, VisitBudget: def.VisitBudget,
			}}},
		},
		{
			name: "merge keys share settings between sources",
			yaml: `
sources:
  - &gov
    id: a
    kind: feed
    url: https://example.org/a.xml
    official: true
    tags: [uk]
    interval: 1h
  - <<: *gov
    id: b
    url: https://example.org/b.xml
`,
			want: Config{Defaults: def, Web: Web{Addr: "127.0.0.1:8080"}, Sources: []model.Source{
				{ID: "a", Title: "a", Kind: model.KindFeed, URL: "https://example.org/a.xml", Official: true,
					Tags: []string{"uk"}, Interval: time.Hour, Delay: def.Delay, UserAgent: def.UserAgent,
					MaxBody: def.MaxBody, FetchArticles: true, VisitBudget: def.VisitBudget},
				{ID: "b", Title: "b", Kind: model.KindFeed, URL: "https://example.org/b.xml", Official: true,
					Tags: []string{"uk"}, Interval: time.Hour, Delay: def.Delay, UserAgent: def.UserAgent,
					MaxBody: def.MaxBody, FetchArticles: true, VisitBudget: def.VisitBudget},
			}},
		},
		{
			name: "topics, alerts, smtp and web",
			yaml: `
sources:
  - id: a
    url: https://example.org/a.xml
topics:
  - id: uk-china-spy-case
    title: The collapsed case
    query: '"Christopher Cash" OR "Christopher Berry"'
  - id: firs
    query: FIRS
alerts:
  - id: hook
    query: MI5 AND China
    deliver: {webhook: "https://example.org/hook"}
  - id: mail
    query: MSS
    level: event
    digest: weekly@mon 08:00
    sources: [a]
    deliver: {email: desk@example.org}
  - id: feed
    query: FIRS
    digest: daily@08:00
    deliver:
      atom: true
alerts_allow_private: true
smtp: {host: smtp.example.org, username: watchline, from: "watchline <w@example.org>"}
web: {addr: ":9090"}
`,
			want: Config{
				Defaults: def,
				Sources:  []model.Source{feed("a", "https://example.org/a.xml")},
				Topics: []model.Topic{
					{ID: "uk-china-spy-case", Title: "The collapsed case", Query: `"Christopher Cash" OR "Christopher Berry"`},
					{ID: "firs", Title: "firs", Query: "FIRS"},
				},
				Alerts: []Alert{
					{ID: "hook", Query: "MI5 AND China", Level: "article", Webhook: "https://example.org/hook"},
					{ID: "mail", Query: "MSS", Level: "event", Digest: "weekly@mon 08:00", Sources: []string{"a"}, Email: "desk@example.org"},
					{ID: "feed", Query: "FIRS", Level: "article", Digest: "daily@08:00", Atom: true},
				},
				AlertsAllowPrivate: true,
				SMTP:               SMTP{Host: "smtp.example.org", Port: 587, Username: "watchline", From: "watchline <w@example.org>", StartTLS: true},
				Web:                Web{Addr: ":9090"},
			},
		},
		{
			name: "starttls can be turned off for a local relay",
			yaml: "sources: [{id: a, url: 'https://example.org/a'}]\nsmtp: {host: localhost, port: 25, from: w@example.org, starttls: false}\n",
			want: Config{Defaults: def, Sources: []model.Source{feed("a", "https://example.org/a")},
				SMTP: SMTP{Host: "localhost", Port: 25, From: "w@example.org"}, Web: Web{Addr: "127.0.0.1:8080"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("feeds.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.want.Path = "feeds.yaml"
			got.pos, got.bad = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestShippedFeedsLoad(t *testing.T) {
	c, err := Load("../feeds.yaml")
	if err != nil {
		t.Fatalf("the shipped feeds.yaml does not load:\n%v", err)
	}
	if len(c.Sources) < 25 {
		t.Errorf("%d sources, want at least 25", len(c.Sources))
	}
	var official, outlets int
	kinds := map[model.SourceKind]int{}
	for _, s := range c.Sources {
		kinds[s.Kind]++
		if s.Official {
			official++
		} else {
			outlets++
		}
		if s.AllowPrivate {
			t.Errorf("%s: shipped sources must not allow private addresses", s.ID)
		}
		if s.Interval < 15*time.Minute {
			t.Errorf("%s: interval %s, want at least 15m for a real source", s.ID, s.Interval)
		}
		if s.Delay < time.Second {
			t.Errorf("%s: delay %s, want at least 1s", s.ID, s.Delay)
		}
	}
	if official == 0 || outlets == 0 {
		t.Errorf("%d official sources and %d outlets, want some of each", official, outlets)
	}
	for _, k := range []model.SourceKind{model.KindFeed, model.KindPage, model.KindSitemap} {
		if kinds[k] == 0 {
			t.Errorf("no %s source in the shipped file", k)
		}
	}
	for _, id := range []string{"uk-china-spy-case", "mss-recruitment", "firs"} {
		if _, ok := c.Topic(id); !ok {
			t.Errorf("topic %q missing", id)
		}
	}
	topic, _ := c.Topic("uk-china-spy-case")
	if want := `"Christopher Cash" OR "Christopher Berry" OR (China AND spy AND case)`; topic.Query != want {
		t.Errorf("uk-china-spy-case query = %q, want %q", topic.Query, want)
	}
	if s, ok := c.Source("cps-news"); !ok || !s.Official || s.Kind != model.KindPage {
		t.Errorf("cps-news = %+v, %v; want an official page source", s, ok)
	}
}

// TestShippedFeedsNoSecrets makes sure the commented-out smtp example keeps
// the password out of the file.
func TestShippedFeedsNoSecrets(t *testing.T) {
	data, err := os.ReadFile("../feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		code := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if strings.HasPrefix(code, "password:") || strings.HasPrefix(code, "token:") {
			t.Errorf("feeds.yaml:%d: %q; secrets belong in the environment", i+1, line)
		}
	}
}

func TestLookup(t *testing.T) {
	c, err := Parse("feeds.yaml", []byte("sources:\n  - {id: a, url: 'https://example.org/a'}\n  - {id: b, url: 'https://example.org/b', official: true}\ntopics:\n  - {id: t, query: x}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := c.Source("b"); !ok || !s.Official || s.URL != "https://example.org/b" {
		t.Errorf("Source(b) = %+v, %v", s, ok)
	}
	if _, ok := c.Source("c"); ok {
		t.Error("Source(c) found a source that does not exist")
	}
	if tp, ok := c.Topic("t"); !ok || tp.Query != "x" {
		t.Errorf("Topic(t) = %+v, %v", tp, ok)
	}
	if _, ok := c.Topic("u"); ok {
		t.Error("Topic(u) found a topic that does not exist")
	}
}

func TestValidateBuiltInCode(t *testing.T) {
	c := &Config{Sources: []model.Source{
		{ID: "local", URL: "http://127.0.0.1:1/feed", AllowPrivate: true},
		{ID: "Bad", URL: "https://example.org/", Kind: model.KindPage},
	}}
	c.ApplyDefaults()
	if c.Sources[0].Interval != 30*time.Minute || c.Sources[0].UserAgent != DefaultUserAgent || c.Sources[0].Kind != model.KindFeed {
		t.Errorf("ApplyDefaults left %+v", c.Sources[0])
	}
	err := c.Validate()
	want := "sources[1].id: \"Bad\" is not a valid id; use lower-case letters, digits and dashes (a-z, 0-9, -), at most 64\n" +
		"sources[1].links: a page source needs links: a CSS selector for its article links, like \"a.article\""
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v\nwant %s", err, want)
	}
	c.Sources = c.Sources[:1]
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() of a good config = %v", err)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"10MiB", 10 << 20, true},
		{"512KiB", 512 << 10, true},
		{"5MB", 5_000_000, true},
		{"1048576", 1 << 20, true},
		{"2 GiB", 2 << 30, true},
		{"1.5MiB", 3 << 19, true},
		{"10mib", 10 << 20, true},
		{"100B", 100, true},
		{"", 0, false},
		{"MiB", 0, false},
		{"ten", 0, false},
		{"99999999999999999999GiB", 0, false},
		{"NaN", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want an error wrapping os.ErrNotExist", err)
	}
}

func TestSecretsFromEnvironment(t *testing.T) {
	t.Setenv(EnvSMTPPassword, "pw")
	t.Setenv(EnvToken, "tok")
	if got := (SMTP{}).Password(); got != "pw" {
		t.Errorf("Password() = %q", got)
	}
	if got := (Web{}).Token(); got != "tok" {
		t.Errorf("Token() = %q", got)
	}
}

// TestShippedFeedsMarked: every shipped source says when and how it was last
// checked, or that it is unverified, so a reader knows what to trust.
func TestShippedFeedsMarked(t *testing.T) {
	b, err := os.ReadFile("../feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	sources := text[strings.Index(text, "\nsources:\n"):strings.Index(text, "\ntopics:\n")]
	blocks := strings.Split(sources, "\n  - id: ")[1:]
	if len(blocks) < 40 {
		t.Fatalf("%d sources in feeds.yaml, want the 40+ the file lists", len(blocks))
	}
	checked := regexp.MustCompile(`# checked: \d{4}-\d{2}-\d{2}, \S`)
	for _, blk := range blocks {
		id, _, _ := strings.Cut(blk, "\n")
		if !checked.MatchString(blk) && !strings.Contains(blk, "# unverified: ") {
			t.Errorf("source %s has neither `# checked: DATE, how` nor `# unverified: why`", id)
		}
	}
}
