package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// setFiles lists the *.jsonl and *.jsonl.gz files a set names: the file
// itself, or those in the directory (in name order).
func setFiles(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read set: %w", err)
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("read set: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".jsonl") || strings.HasSuffix(e.Name(), ".jsonl.gz")) {
			out = append(out, filepath.Join(path, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// ClusterRow is one document of a clustering set, in stream order: the
// format of MStream's data converted to JSON Lines ({"id", "cluster",
// "text"}), optionally with a title and a publication date.
type ClusterRow struct {
	ID        string          `json:"id"`
	Cluster   json.RawMessage `json:"cluster"` // the gold label: a number or a string
	Text      string          `json:"text"`
	Title     string          `json:"title,omitempty"`
	Published string          `json:"published,omitempty"`
}

// ClusterStream is one file of a clustering set.
type ClusterStream struct {
	Name string // the file name without .jsonl(.gz)
	Rows []ClusterRow
}

// ReadClusterSet reads a clustering set: a JSON Lines file, or every such
// file in a directory, each file one stream.
func ReadClusterSet(path string) ([]ClusterStream, error) {
	files, err := setFiles(path)
	if err != nil {
		return nil, err
	}
	var out []ClusterStream
	for _, f := range files {
		s := ClusterStream{Name: strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".gz"), ".jsonl")}
		seen := map[string]bool{}
		err := readJSONL(f, func(line int, b []byte) error {
			var r ClusterRow
			if err := json.Unmarshal(b, &r); err != nil {
				return fmt.Errorf("%s:%d: not a clustering row: %w", f, line, err)
			}
			if r.ID == "" || len(r.Cluster) == 0 {
				return fmt.Errorf("%s:%d: a clustering row needs an id and a gold cluster", f, line)
			}
			if seen[r.ID] {
				return fmt.Errorf("%s:%d: id %q repeats an earlier row's", f, line, r.ID)
			}
			seen[r.ID] = true
			if strings.TrimSpace(r.Text) == "" && strings.TrimSpace(r.Title) == "" {
				return fmt.Errorf("%s:%d: row %q has no text and no title", f, line, r.ID)
			}
			s.Rows = append(s.Rows, r)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(s.Rows) > 0 {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("clustering set %s holds no rows: give a JSON Lines file (or a directory of them) with id, cluster and text per line", path)
	}
	return out, nil
}

// T17Article is one article of a Timeline17-style set.
type T17Article struct {
	Topic     string `json:"topic"`
	Corpus    string `json:"corpus"`
	ID        string `json:"id"`
	Published string `json:"published"` // YYYY-MM-DD
	Title     string `json:"title"`
	Text      string `json:"text"`
}

// T17Timeline is one gold timeline: the dated entries of a topic.
type T17Timeline struct {
	Topic   string `json:"topic"`
	Corpus  string `json:"corpus"`
	File    string `json:"timeline_file"`
	Entries []struct {
		Date      string   `json:"date"`
		Sentences []string `json:"sentences"`
		Malformed bool     `json:"malformed,omitempty"`
	} `json:"entries"`
}

// Dates are the timeline's valid gold dates (malformed entries left out).
func (t T17Timeline) Dates() []string {
	var out []string
	for _, e := range t.Entries {
		if !e.Malformed && len(e.Date) == 10 {
			out = append(out, e.Date)
		}
	}
	return out
}

// Name names the task: corpus/timeline file.
func (t T17Timeline) Name() string { return t.Corpus + "/" + t.File }

// ReadT17 reads a Timeline17-style set: articles.jsonl(.gz) and
// timelines.jsonl in dir.
func ReadT17(dir string) ([]T17Article, []T17Timeline, error) {
	var arts []T17Article
	var tls []T17Timeline
	art := filepath.Join(dir, "articles.jsonl.gz")
	if _, err := os.Stat(art); err != nil {
		art = filepath.Join(dir, "articles.jsonl")
	}
	err := readJSONL(art, func(line int, b []byte) error {
		var a T17Article
		if err := json.Unmarshal(b, &a); err != nil {
			return fmt.Errorf("%s:%d: not an article: %w", art, line, err)
		}
		arts = append(arts, a)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w (a timeline set is a directory with articles.jsonl[.gz] and timelines.jsonl)", err)
	}
	tf := filepath.Join(dir, "timelines.jsonl")
	err = readJSONL(tf, func(line int, b []byte) error {
		var t T17Timeline
		if err := json.Unmarshal(b, &t); err != nil {
			return fmt.Errorf("%s:%d: not a timeline: %w", tf, line, err)
		}
		tls = append(tls, t)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(arts) == 0 || len(tls) == 0 {
		return nil, nil, fmt.Errorf("timeline set %s: no articles or no timelines", dir)
	}
	return arts, tls, nil
}

// T17Input is a task's input under the news-tls protocol: the topic's
// non-empty articles published between the first and last gold date, both
// included.
func T17Input(arts []T17Article, t T17Timeline) []T17Article {
	dates := t.Dates()
	if len(dates) == 0 {
		return nil
	}
	first, last := dates[0], dates[len(dates)-1]
	for _, d := range dates {
		first, last = min(first, d), max(last, d)
	}
	var out []T17Article
	for _, a := range arts {
		if a.Topic == t.Topic && a.Published >= first && a.Published <= last && strings.TrimSpace(a.Text) != "" {
			out = append(out, a)
		}
	}
	return out
}

// ExportedEvent is one event line of `watchline timeline --format ndjson`,
// with the fields the protocols read.
type ExportedEvent struct {
	ID         int64   `json:"id"`
	Happened   string  `json:"happened"`
	Precision  string  `json:"precision"`
	Importance float64 `json:"importance"`
	Story      struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
	} `json:"story"`
	DocumentIDs []int64 `json:"document_ids"`
	Sources     []struct {
		DocumentID int64  `json:"document_id"`
		URL        string `json:"url"`
	} `json:"sources"`
}

// Day is the event's happened date as YYYY-MM-DD.
func (e ExportedEvent) Day() string {
	if len(e.Happened) < 10 {
		return e.Happened
	}
	return e.Happened[:10]
}

// ReadExport reads the event lines of an NDJSON timeline export (the header
// line is skipped).
func ReadExport(r io.Reader) ([]ExportedEvent, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var out []ExportedEvent
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if len(b) == 0 || strings.HasPrefix(string(b), `{"header"`) {
			continue
		}
		var e ExportedEvent
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("export line %d: %w", n, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
