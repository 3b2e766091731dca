package timeline

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/score"
)

// TestStoriesDev runs the story model alone (no store) over MStream's Tweets
// stream, batch by batch as the protocol cuts it, and logs NMI, BCubed and
// the number of stories: a quick loop for tuning the model. The data set is
// read from $WATCHLINE_EVAL_DIR/clustering-tweets (see ../shared/eval); the
// test skips without it. `watchline eval clustering` measures the same
// through import, clustering and export.
func TestStoriesDev(t *testing.T) {
	dir := os.Getenv("WATCHLINE_EVAL_DIR")
	if dir == "" {
		t.Skip("set WATCHLINE_EVAL_DIR to the evaluation data directory to run")
	}
	name := os.Getenv("WATCHLINE_EVAL_STREAM")
	if name == "" {
		name = "Tweets.jsonl.gz"
	}
	rows := readStream(t, filepath.Join(dir, "clustering-tweets", name))
	an := newAnalyzer(t)
	c := &Clusterer{stories: newStorySet(), pinned: map[int64]bool{}, df: newDF()}
	pub := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	storyOf := make([]*story, len(rows))
	first := map[string]int{} // identical texts are one document, as import makes them
	gone := map[int64]int64{}
	start := time.Now()
	cuts := score.MStreamBatches(len(rows), 16)
	for b := 0; b+1 < len(cuts); b++ {
		var items []*item
		var idx []int
		for i := cuts[b]; i < cuts[b+1]; i++ {
			if _, dup := first[rows[i].Text]; dup {
				continue
			}
			first[rows[i].Text] = i
			info := an.analyze(model.Document{ID: int64(i + 1), Title: rows[i].Text, Text: rows[i].Text, Published: pub}, c.df)
			items = append(items, &item{info: info, sd: newStoryDoc(info), free: true, dupOf: -1})
			idx = append(idx, i)
		}
		bs := &batchState{stories: map[int64]bool{}, goneStory: map[int64]int64{}}
		c.stories.vocab = c.df.vocab
		c.assignStories(items, bs)
		c.mergeStories(bs)
		for k, it := range items {
			storyOf[idx[k]] = it.story
		}
		for from, into := range bs.goneStory {
			gone[from] = into
		}
	}
	gold := make([]string, len(rows))
	pred := make([]int64, len(rows))
	for i, r := range rows {
		gold[i] = r.Cluster
		id := storyOf[first[r.Text]].id
		for {
			into, ok := gone[id]
			if !ok {
				break
			}
			id = into
		}
		pred[i] = id
	}
	bc := score.BCubed(gold, pred)
	size := map[int64]int{}
	for _, p := range pred {
		size[p]++
	}
	small, smallDocs := 0, 0
	for _, n := range size {
		if n <= 2 {
			small++
			smallDocs += n
		}
	}
	t.Logf("%d stories of 1-2 documents hold %d documents", small, smallDocs)
	t.Logf("%s: NMI %.4f BCubed P %.3f R %.3f F1 %.3f stories %d (%v)", name, score.NMI(gold, pred),
		bc.Precision, bc.Recall, bc.F1, score.Clusters(pred), time.Since(start).Round(time.Millisecond))
}

type streamRow struct {
	Cluster string
	Text    string
}

// readStream reads a clustering stream in MStream's JSON Lines format
// (gzip): {"id", "cluster", "text"} per line, in stream order.
func readStream(t *testing.T, path string) []streamRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var rows []streamRow
	sc := bufio.NewScanner(gz)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var r struct {
			Cluster json.RawMessage `json:"cluster"`
			Text    string          `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, streamRow{string(r.Cluster), r.Text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}
