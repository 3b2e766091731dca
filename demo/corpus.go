// Package demo owns the bundled sample corpus that `watchline demo` serves on a
// loopback port: a few dozen news reports, wire copies, analysis pieces and
// official statements about the collapsed UK China spy case and some other
// espionage cases, written by us, with ground-truth labels (true publication
// time, event, event date and type, quotes) so that the crawler, index,
// timeline and alert packages can be tested against known answers.
//
// The facts and dates follow the real story; the outlets, reporters and every
// sentence are ours. Quotes attributed to real people paraphrase positions
// they took in public (only the embassy's "pure fabrication" and "malicious
// slander" are their own words): the corpus is for testing, not for citing.
package demo

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed corpus
var corpusFS embed.FS

// storiesYAML labels the corpus's stories: story id -> its event labels.
//
//go:embed stories.yaml
var storiesYAML []byte

// Quote is a direct quotation in an article's body and who said it.
type Quote struct{ Text, Speaker string }

// Article is one document of the corpus with its ground truth.
type Article struct {
	ID, Source, Path, Title string
	Published               time.Time // true publication time
	Authors                 []string
	Language                string
	Official                bool
	Event                   string // ground-truth event label
	Story                   string // ground-truth story label (stories.yaml)
	Happened                string // "2024-04-22" | "2024-04" | "2024"
	Type                    string
	WireOf                  string
	Quotes                  []Quote
	Phase                   int
	Text                    string // body paragraphs separated by "\n\n" (phase-1 version)
	TextV2                  string // non-empty only for the silently edited statement

	// MisleadingDate says, when non-empty, how a naive extractor would get
	// this page's publication date wrong.
	MisleadingDate string
	// Charset is the page's encoding when it is not UTF-8 (e.g. "gb2312").
	Charset string
}

// eventTypes are the event types of DESIGN.md.
var eventTypes = []string{"arrest", "charge", "hearing", "trial", "discontinued", "verdict",
	"sentencing", "statement", "warning", "policy", "other"}

// doc is an Article plus the rendering hints that are not ground truth.
type doc struct {
	Article
	updated  time.Time // a visible "last updated" stamp, if any
	feedDate time.Time // the date the feed item claims, if it differs
	trimLast bool
}

// frontMatter is the YAML header of a corpus file, corpus/<source>/<id>.md.
// The body after the closing "---" is paragraphs separated by blank lines.
// A wire copy (wire_of set) may leave its body empty: it then reprints the
// original's body, without its last paragraph if trim_last is true, and
// inherits the original's event labels, authors and the quotes still present.
// updated and feed_date are rendering hints that set misleading dates (a
// visible "last updated" stamp, a feed item date); they are not ground truth.
type frontMatter struct {
	ID        string   `yaml:"id"`
	Path      string   `yaml:"path"`
	Title     string   `yaml:"title"`
	Published string   `yaml:"published"`
	Authors   []string `yaml:"authors"`
	Language  string   `yaml:"language"`
	Event     string   `yaml:"event"`
	Happened  string   `yaml:"happened"`
	Type      string   `yaml:"type"`
	WireOf    string   `yaml:"wire_of"`
	TrimLast  bool     `yaml:"trim_last"`
	Quotes    []struct {
		Text    string `yaml:"text"`
		Speaker string `yaml:"speaker"`
	} `yaml:"quotes"`
	MisleadingDate string `yaml:"misleading_date"`
	Phase          int    `yaml:"phase"`
	TextV2         string `yaml:"text_v2"`
	Updated        string `yaml:"updated"`
	FeedDate       string `yaml:"feed_date"`
	Charset        string `yaml:"charset"`
}

// Articles returns every document of the corpus, ground truth included,
// sorted by Published then ID.
func Articles() ([]Article, error) {
	docs, err := loadDocs()
	if err != nil {
		return nil, err
	}
	out := make([]Article, len(docs))
	for i, d := range docs {
		out[i] = d.Article
	}
	return out, nil
}

var happenedRE = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

func loadDocs() ([]*doc, error) {
	var docs []*doc
	err := fs.WalkDir(corpusFS, "corpus", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		b, err := corpusFS.ReadFile(p)
		if err != nil {
			return err
		}
		d, err := parseDoc(path.Base(path.Dir(p)), b)
		if err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load demo corpus: %w", err)
	}
	if err := resolveWires(docs); err != nil {
		return nil, err
	}
	if err := validate(docs); err != nil {
		return nil, err
	}
	if err := labelStories(docs); err != nil {
		return nil, err
	}
	sort.Slice(docs, func(i, j int) bool {
		a, b := docs[i].Published, docs[j].Published
		if !a.Equal(b) {
			return a.Before(b)
		}
		return docs[i].ID < docs[j].ID
	})
	return docs, nil
}

func parseDoc(source string, b []byte) (*doc, error) {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	rest, ok := bytes.CutPrefix(b, []byte("---\n"))
	if !ok {
		return nil, fmt.Errorf("missing front matter")
	}
	fm, body, ok := bytes.Cut(rest, []byte("\n---\n"))
	if !ok {
		return nil, fmt.Errorf("unterminated front matter")
	}
	var m frontMatter
	if err := yaml.Unmarshal(fm, &m); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	src, ok := sourceByID(source)
	if !ok {
		return nil, fmt.Errorf("unknown source directory %q", source)
	}
	d := &doc{Article: Article{
		ID: m.ID, Source: source, Path: m.Path, Title: m.Title, Authors: m.Authors,
		Language: m.Language, Official: src.Official, Event: m.Event, Happened: m.Happened,
		Type: m.Type, WireOf: m.WireOf, Phase: m.Phase, Text: paragraphs(string(body)),
		TextV2: paragraphs(m.TextV2), MisleadingDate: strings.TrimSpace(m.MisleadingDate),
		Charset: m.Charset,
	}, trimLast: m.TrimLast}
	for _, q := range m.Quotes {
		d.Quotes = append(d.Quotes, Quote{Text: q.Text, Speaker: q.Speaker})
	}
	var err error
	if d.Published, err = time.Parse(time.RFC3339, m.Published); err != nil {
		return nil, fmt.Errorf("published: %w", err)
	}
	if m.Updated != "" {
		if d.updated, err = time.Parse(time.RFC3339, m.Updated); err != nil {
			return nil, fmt.Errorf("updated: %w", err)
		}
	}
	if m.FeedDate != "" {
		if d.feedDate, err = time.Parse(time.RFC3339, m.FeedDate); err != nil {
			return nil, fmt.Errorf("feed_date: %w", err)
		}
	}
	if d.Language == "" {
		d.Language = "en"
	}
	if d.Phase == 0 {
		d.Phase = 1
	}
	if d.Path == "" {
		d.Path = defaultPath(source, d.ID, d.Published)
	}
	return d, nil
}

// paragraphs normalises a markdown-ish body: blank lines separate paragraphs,
// line breaks inside a paragraph become spaces.
func paragraphs(s string) string {
	var out []string
	for _, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
		p = strings.Join(strings.Fields(p), " ")
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// resolveWires fills in wire copies from their originals: same body (the last
// paragraph trimmed if asked), the event labels and the quotes still present.
func resolveWires(docs []*doc) error {
	byID := map[string]*doc{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	for _, d := range docs {
		if d.WireOf == "" {
			continue
		}
		o, ok := byID[d.WireOf]
		if !ok {
			return fmt.Errorf("demo corpus: %s: wire_of %q does not exist", d.ID, d.WireOf)
		}
		if d.Text == "" {
			ps := strings.Split(o.Text, "\n\n")
			if d.trimLast && len(ps) > 1 {
				ps = ps[:len(ps)-1]
			}
			d.Text = strings.Join(ps, "\n\n")
		}
		if d.Event == "" {
			d.Event, d.Happened, d.Type = o.Event, o.Happened, o.Type
		}
		if len(d.Quotes) == 0 {
			for _, q := range o.Quotes {
				if strings.Contains(d.Text, q.Text) {
					d.Quotes = append(d.Quotes, q)
				}
			}
		}
		if len(d.Authors) == 0 {
			d.Authors = o.Authors
		}
	}
	return nil
}

var idRE = regexp.MustCompile(`^[a-z0-9-]+$`)

func validate(docs []*doc) error {
	ids := map[string]bool{}
	paths := map[string]bool{}
	type ev struct{ happened, typ string }
	events := map[string]ev{}
	for _, d := range docs {
		switch {
		case !idRE.MatchString(d.ID):
			return fmt.Errorf("demo corpus: bad id %q", d.ID)
		case ids[d.ID]:
			return fmt.Errorf("demo corpus: duplicate id %q", d.ID)
		case paths[d.Path]:
			return fmt.Errorf("demo corpus: %s: duplicate path %q", d.ID, d.Path)
		case d.Title == "" || d.Text == "":
			return fmt.Errorf("demo corpus: %s: missing title or body", d.ID)
		case d.Event == "" || !happenedRE.MatchString(d.Happened):
			return fmt.Errorf("demo corpus: %s: missing event or bad happened %q", d.ID, d.Happened)
		case !validType(d.Type):
			return fmt.Errorf("demo corpus: %s: bad type %q", d.ID, d.Type)
		case d.Phase != 1 && d.Phase != 2:
			return fmt.Errorf("demo corpus: %s: bad phase %d", d.ID, d.Phase)
		}
		ids[d.ID], paths[d.Path] = true, true
		if e, ok := events[d.Event]; ok && (e.happened != d.Happened || e.typ != d.Type) {
			return fmt.Errorf("demo corpus: %s: event %s labelled %s/%s elsewhere, %s/%s here",
				d.ID, d.Event, e.happened, e.typ, d.Happened, d.Type)
		}
		events[d.Event] = ev{d.Happened, d.Type}
		for _, q := range d.Quotes {
			if q.Speaker == "" || !strings.Contains(d.Text, q.Text) {
				return fmt.Errorf("demo corpus: %s: quote %q not in body or without speaker", d.ID, q.Text)
			}
		}
	}
	return nil
}

// labelStories sets each document's story from stories.yaml; every event
// must be in exactly one story.
func labelStories(docs []*doc) error {
	var stories map[string][]string
	if err := yaml.Unmarshal(storiesYAML, &stories); err != nil {
		return fmt.Errorf("demo stories.yaml: %w", err)
	}
	storyOf := map[string]string{}
	for s, events := range stories {
		for _, e := range events {
			if other, dup := storyOf[e]; dup {
				return fmt.Errorf("demo stories.yaml: event %s is in stories %s and %s", e, other, s)
			}
			storyOf[e] = s
		}
	}
	for _, d := range docs {
		s, ok := storyOf[d.Event]
		if !ok {
			return fmt.Errorf("demo stories.yaml: event %s (of %s) is in no story", d.Event, d.ID)
		}
		d.Story = s
	}
	return nil
}

func validType(t string) bool {
	for _, v := range eventTypes {
		if v == t {
			return true
		}
	}
	return false
}
