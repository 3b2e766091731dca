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
	"github.com/watchline/watchline/score"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

// timelineResult is `watchline eval timeline`'s figures.
type timelineResult struct {
	Tasks    int               `json:"tasks"`
	DateF1   score.PRF         `json:"date_f1"`
	PubCount score.PRF         `json:"pubcount_date_f1"`
	PerTask  []score.DateScore `json:"per_task"`
	// Predicted are each task's key dates as watchline gave them.
	Predicted []score.DateTask `json:"predicted"`
	// Events and Stories are how many each task's documents formed.
	Events  []int `json:"events"`
	Stories []int `json:"stories"`
}

// runEvalTimeline runs the news-tls protocol for key dates: for each gold
// timeline, the topic's articles published within the timeline's span are
// imported into an empty store, clustered, and the l most important events
// exported (`watchline timeline --top l --format ndjson`, l = the number of
// gold dates); their happened days are scored against the gold days.
func runEvalTimeline(ctx context.Context, a *app, args []string) error {
	fs := a.flags("eval timeline", "--set DIR [--out FILE.json]")
	set := fs.String("set", "", "labelled timeline set: a `directory` with articles.jsonl[.gz] and timelines.jsonl")
	out := fs.String("out", "", "also write the figures as JSON to `file`")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *set == "" {
		return fmt.Errorf("%w: give --set with the labelled timelines", errUsage)
	}
	arts, tls, err := eval.ReadT17(*set)
	if err != nil {
		return err
	}
	var res timelineResult
	var ours, base []score.DateTask
	for _, t := range tls {
		gold := t.Dates()
		input := eval.T17Input(arts, t)
		pred, events, stories, err := keyDates(ctx, input, len(gold))
		if err != nil {
			return fmt.Errorf("eval %s: %w", t.Name(), err)
		}
		res.Events, res.Stories = append(res.Events, events), append(res.Stories, stories)
		ours = append(ours, score.DateTask{Name: t.Name(), Pred: pred, Gold: gold})
		var pubs []string
		for _, a := range input {
			pubs = append(pubs, a.Published)
		}
		base = append(base, score.DateTask{Name: t.Name(), Pred: score.PubCount(pubs, len(gold)), Gold: gold})
	}
	res.Tasks = len(tls)
	res.DateF1, res.PerTask = score.DateF1(ours)
	var basePer []score.DateScore
	res.PubCount, basePer = score.DateF1(base)
	res.Predicted = ours
	for i, s := range res.PerTask {
		fmt.Fprintf(a.stdout, "%-45s P %.3f R %.3f (%d of %d gold dates; PubCount %d; %d articles in %d events, %d stories)\n",
			s.Name, s.P, s.R, s.Matched, s.Gold, basePer[i].Matched, len(eval.T17Input(arts, tls[i])), res.Events[i], res.Stories[i])
	}
	fmt.Fprintf(a.stdout, "Date-F1 over %d tasks: P %.3f R %.3f F1 %.3f   (PubCount baseline: P %.3f R %.3f F1 %.3f)\n",
		res.Tasks, res.DateF1.Precision, res.DateF1.Recall, res.DateF1.F1, res.PubCount.Precision, res.PubCount.Recall, res.PubCount.F1)
	return a.writeEvalJSON(*out, res)
}

// keyDates imports articles into an empty store, clusters them and returns
// the happened days of the l most important events, with how many events
// and stories there are.
func keyDates(ctx context.Context, arts []eval.T17Article, l int) (days []string, events, stories int, err error) {
	dir, err := os.MkdirTemp("", "watchline-eval-")
	if err != nil {
		return nil, 0, 0, err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, dir)
	if err != nil {
		return nil, 0, 0, err
	}
	defer st.Close()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, a := range arts {
		u := "https://eval.example/" + url.PathEscape(a.Corpus) + "/" + url.PathEscape(a.ID)
		if err := enc.Encode(map[string]string{"url": u, "title": a.Title, "text": a.Text, "published": a.Published, "source": a.Corpus}); err != nil {
			return nil, 0, 0, err
		}
	}
	if _, err := crawler.Import(ctx, st, &buf, crawler.FormatNDJSON); err != nil {
		return nil, 0, 0, err
	}
	an, err := timeline.NewAnalyzer()
	if err != nil {
		return nil, 0, 0, err
	}
	if _, err := timeline.NewClusterer(st, an, timeline.Options{}).Run(ctx); err != nil {
		return nil, 0, 0, err
	}
	tl := timeline.New(st, nil)
	var out bytes.Buffer
	q := timeline.Query{Title: "Key dates", Top: l}
	if _, err := timeline.Export(ctx, tl, q, timeline.Header{Title: q.Title, Query: q, Generated: time.Now().UTC()}, "ndjson", &out); err != nil {
		return nil, 0, 0, err
	}
	top, err := eval.ReadExport(&out)
	if err != nil {
		return nil, 0, 0, err
	}
	for _, e := range top {
		days = append(days, e.Day())
	}
	all, err := exportEvents(ctx, tl)
	if err != nil {
		return nil, 0, 0, err
	}
	seen := map[int64]bool{}
	for _, e := range all {
		seen[e.Story.ID] = true
	}
	return days, len(all), len(seen), nil
}
