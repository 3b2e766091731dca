package alert

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/watchline/watchline/model"
)

// AtomEntries is how many of a subscription's newest matches its feed holds.
const AtomEntries = 50

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Link       atomLink       `xml:"link"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Summary    atomText       `xml:"summary"`
	Categories []atomCategory `xml:"category"`
}

// WriteAtom writes subscription subID's feed (RFC 4287) to w: its newest
// matches, newest first, each with a link to the document and a summary of
// why it matched. The web package serves it; the atom channel writes it to a
// file.
func WriteAtom(ctx context.Context, st Store, subID int64, w io.Writer) error {
	sub, err := st.Subscription(ctx, subID)
	if err != nil {
		return err
	}
	ms, err := st.RecentMatches(ctx, subID, AtomEntries)
	if err != nil {
		return err
	}
	name := sub.Name
	if name == "" {
		name = sub.Query
	}
	f := atomFeed{
		ID:        fmt.Sprintf("urn:watchline:subscription:%d:%d", sub.ID, sub.Created.Unix()),
		Title:     "watchline: " + name,
		Subtitle:  "New matches for the query " + sub.Query,
		Updated:   atomTime(sub.Created),
		Author:    atomPerson{Name: "watchline"},
		Generator: "watchline",
	}
	items := itemsOf(ctx, st, ms)
	for i, m := range ms {
		if i == 0 {
			f.Updated = atomTime(m.Created)
		}
		it := items[i]
		title := it.Title
		if title == "" {
			title = it.URL
		}
		summary := it.Snippet
		categories := []atomCategory{{Term: it.Source}}
		if it.Version > 1 {
			// An edited statement is an update of something published
			// before, not a new publication: say so where readers look.
			title = "Updated: " + title
			summary = fmt.Sprintf("Edited after publication (version %d of the text). %s", it.Version, summary)
			categories = append(categories, atomCategory{Term: "updated"})
		}
		if len(it.Terms) > 0 {
			summary += " (matched: " + strings.Join(it.Terms, ", ") + ")"
		}
		if len(m.Similar) > 0 {
			summary += fmt.Sprintf(" +%d similar", len(m.Similar))
		}
		e := atomEntry{
			ID:         fmt.Sprintf("%s:match:%d", f.ID, m.ID),
			Title:      title,
			Link:       atomLink{Href: it.URL, Rel: "alternate"},
			Updated:    atomTime(m.Created),
			Summary:    atomText{Type: "text", Body: strings.TrimSpace(summary + " — why: " + it.Rule)},
			Categories: categories,
		}
		if !it.Published.IsZero() {
			e.Published = atomTime(it.Published)
		}
		f.Entries = append(f.Entries, e)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("write atom feed of subscription %d: %w", subID, err)
	}
	_, err = io.WriteString(w, "\n")
	return err
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// AtomDir is the folder of a data directory that holds the Atom channel's
// feeds.
const AtomDir = "atom"

// AtomPath is where the Atom channel writes subscription id's feed in
// dataDir. Only the data directory and the id make up the path: no value a
// user sends ever names a file.
func AtomPath(dataDir string, id int64) string {
	return filepath.Join(dataDir, AtomDir, fmt.Sprintf("subscription-%d.xml", id))
}

// writeAtomFile rewrites sub's feed under the data directory atomically
// (temporary file, then rename), so a reader never sees half a feed. The
// folder is created on first use.
func (s *Service) writeAtomFile(ctx context.Context, sub model.Subscription) error {
	path := AtomPath(s.opts.DataDir, sub.ID)
	var buf bytes.Buffer
	if err := WriteAtom(ctx, s.st, sub.ID, &buf); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("atom feed %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".atom-*")
	if err != nil {
		return fmt.Errorf("atom feed %s: %w (check the data directory is writable)", path, err)
	}
	_, err = tmp.Write(buf.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("atom feed %s: %w", path, err)
	}
	return nil
}
