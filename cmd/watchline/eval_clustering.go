package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/eval"
	"github.com/watchline/watchline/internal/cputime"
	"github.com/watchline/watchline/score"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

// clusteringResult is `watchline eval clustering`'s figures for one stream.
type clusteringResult struct {
	Stream  string `json:"stream"`
	Docs    int    `json:"docs"`
	Gold    int    `json:"gold_clusters"`
	Batches int    `json:"batches"`
	// Stories as the stream left them (what `timeline --format ndjson`
	// exports at the end); AsAssigned is each document's story right after
	// its batch (MStream's protocol: a document keeps the cluster its batch
	// gave it); Events groups by event instead of story.
	Stories    grouping `json:"stories"`
	AsAssigned grouping `json:"stories_as_assigned"`
	Events     grouping `json:"events"`
	// CPU seconds the clusterer took, and documents per CPU second.
	ClusterCPUSeconds float64 `json:"cluster_cpu_seconds"`
	DocsPerCPUSecond  float64 `json:"docs_per_cpu_second"`
}

type grouping struct {
	NMI      float64   `json:"nmi"`
	BCubed   score.PRF `json:"bcubed"`
	Clusters int       `json:"clusters"`
}

func (g grouping) String() string {
	return fmt.Sprintf("NMI %.4f  BCubed P %.3f R %.3f F1 %.3f  clusters %d", g.NMI, g.BCubed.Precision, g.BCubed.Recall, g.BCubed.F1, g.Clusters)
}

func groupingOf(gold []string, pred []int64) grouping {
	return grouping{NMI: score.NMI(gold, pred), BCubed: score.BCubed(gold, pred), Clusters: score.Clusters(pred)}
}

// runEvalClustering imports a labelled stream batch by batch into an empty
// store, as `watchline import` would, clusters each batch as the timeline
// does, exports the timeline as `watchline timeline --format ndjson` does,
// and scores the stories (and events) against the gold clusters.
func runEvalClustering(ctx context.Context, a *app, args []string) error {
	fs := a.flags("eval clustering", "--set DIR|FILE [--batches N] [--out FILE.json]")
	set := fs.String("set", "", "labelled clustering set: a JSON Lines `file` of {id, cluster, text[, title, published]} or a directory of them")
	batches := fs.Int("batches", 16, "cut each stream into `N` batches (MStream's protocol uses 16)")
	out := fs.String("out", "", "also write the figures as JSON to `file`")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *set == "" {
		return fmt.Errorf("%w: give --set with the labelled stream", errUsage)
	}
	if *batches < 1 {
		return fmt.Errorf("%w: --batches must be 1 or more", errUsage)
	}
	streams, err := eval.ReadClusterSet(*set)
	if err != nil {
		return err
	}
	var results []clusteringResult
	for _, s := range streams {
		r, err := evalStream(ctx, a, s, *batches)
		if err != nil {
			return fmt.Errorf("eval %s: %w", s.Name, err)
		}
		results = append(results, r)
		fmt.Fprintf(a.stdout, "%s: %d documents, %d gold clusters, %d batches\n", r.Stream, r.Docs, r.Gold, r.Batches)
		fmt.Fprintf(a.stdout, "  stories               %v\n", r.Stories)
		fmt.Fprintf(a.stdout, "  stories as assigned   %v\n", r.AsAssigned)
		fmt.Fprintf(a.stdout, "  events                %v\n", r.Events)
		fmt.Fprintf(a.stdout, "  clustering: %.1f CPU s, %.0f documents per CPU second\n", r.ClusterCPUSeconds, r.DocsPerCPUSecond)
	}
	return a.writeEvalJSON(*out, results)
}

func evalStream(ctx context.Context, a *app, s eval.ClusterStream, batches int) (clusteringResult, error) {
	r := clusteringResult{Stream: s.Name, Docs: len(s.Rows)}
	dir, err := os.MkdirTemp("", "watchline-eval-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, dir)
	if err != nil {
		return r, err
	}
	defer st.Close()
	an, err := timeline.NewAnalyzer()
	if err != nil {
		return r, err
	}
	cl := timeline.NewClusterer(st, an, timeline.Options{})
	tl := timeline.New(st, nil)
	urls := make([]string, len(s.Rows))
	gold := make([]string, len(s.Rows))
	for i, row := range s.Rows {
		urls[i] = "https://eval.example/" + url.PathEscape(s.Name) + "/" + url.PathEscape(row.ID)
		gold[i] = string(row.Cluster)
	}
	assigned := make([]int64, len(s.Rows))
	cuts := score.MStreamBatches(len(s.Rows), batches)
	r.Batches = len(cuts) - 1
	var cpu time.Duration
	var final []eval.ExportedEvent
	for b := 0; b+1 < len(cuts); b++ {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for i := cuts[b]; i < cuts[b+1]; i++ {
			row := s.Rows[i]
			title := row.Title
			if title == "" {
				title = row.Text
			}
			published := row.Published
			if published == "" {
				// Unlabelled streams have no dates: every row the same day.
				published = "2020-01-01"
			}
			if err := enc.Encode(map[string]string{"url": urls[i], "title": title, "text": row.Text,
				"published": published, "source": s.Name}); err != nil {
				return r, err
			}
		}
		rep, err := crawler.Import(ctx, st, &buf, crawler.FormatNDJSON)
		if err != nil {
			return r, err
		}
		if len(rep.Bad) > 0 {
			return r, fmt.Errorf("import: %d bad rows, the first: %v", len(rep.Bad), rep.Bad[0])
		}
		c0 := cputime.Used()
		if _, err := cl.Run(ctx); err != nil {
			return r, err
		}
		cpu += cputime.Used() - c0
		if final, err = exportEvents(ctx, tl); err != nil {
			return r, err
		}
		story, _, err := byURL(final, urls[cuts[b]:cuts[b+1]])
		if err != nil {
			return r, err
		}
		copy(assigned[cuts[b]:], story)
		fmt.Fprintf(a.stderr, "batch %d/%d: %d documents\n", b+1, r.Batches, cuts[b+1]-cuts[b])
	}
	story, event, err := byURL(final, urls)
	if err != nil {
		return r, err
	}
	r.Gold = score.Clusters(gold)
	r.Stories, r.AsAssigned, r.Events = groupingOf(gold, story), groupingOf(gold, assigned), groupingOf(gold, event)
	r.ClusterCPUSeconds = cpu.Seconds()
	if cpu > 0 {
		r.DocsPerCPUSecond = float64(len(s.Rows)) / cpu.Seconds()
	}
	return r, nil
}

// exportEvents exports every event as `watchline timeline --format ndjson`
// does and reads it back.
func exportEvents(ctx context.Context, tl *timeline.Timeline) ([]eval.ExportedEvent, error) {
	var buf bytes.Buffer
	q := timeline.Query{Title: "Timeline"}
	if _, err := timeline.Export(ctx, tl, q, timeline.Header{Title: q.Title, Query: q, Generated: time.Now().UTC()}, "ndjson", &buf); err != nil {
		return nil, err
	}
	return eval.ReadExport(&buf)
}

// byURL finds each URL's story and event in an export; every URL must be in
// exactly one event's sources.
func byURL(events []eval.ExportedEvent, urls []string) (story, event []int64, err error) {
	type where struct{ story, event int64 }
	at := map[string]where{}
	for _, e := range events {
		for _, s := range e.Sources {
			if w, dup := at[s.URL]; dup && w.event != e.ID {
				return nil, nil, fmt.Errorf("%s is in the sources of events %d and %d", s.URL, w.event, e.ID)
			}
			at[s.URL] = where{e.Story.ID, e.ID}
		}
	}
	story, event = make([]int64, len(urls)), make([]int64, len(urls))
	for i, u := range urls {
		w, ok := at[u]
		if !ok {
			return nil, nil, fmt.Errorf("%s is in no event's sources", u)
		}
		story[i], event[i] = w.story, w.event
	}
	return story, event, nil
}
