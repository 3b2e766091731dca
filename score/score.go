// Package score holds the figures watchline is measured by on labelled
// data: NMI and BCubed of a clustering against gold clusters (as MStream's
// protocol reports them), Date-F1 of timelines' dates (as news-tls computes
// it for Timeline17) and the publication-count baseline for key dates. It
// imports nothing of watchline, so the evaluation commands and the
// packages' own quality tests can both use it.
package score

import (
	"math"
	"sort"
)

// NMI is the normalised mutual information of two labelings of the same
// items, with geometric normalisation:
//
//	NMI = I(G;P) / sqrt(H(G)·H(P))
//
// It equals scikit-learn's normalized_mutual_info_score(gold, pred,
// average_method="geometric"), and is 0 when either labeling has a single
// cluster (or there are no items).
func NMI[G, P comparable](gold []G, pred []P) float64 {
	n := float64(len(gold))
	if n == 0 || len(pred) != len(gold) {
		return 0
	}
	ng, np := map[G]float64{}, map[P]float64{}
	type cell struct {
		g G
		p P
	}
	both := map[cell]float64{}
	for i := range gold {
		ng[gold[i]]++
		np[pred[i]]++
		both[cell{gold[i], pred[i]}]++
	}
	mi := 0.0
	for c, v := range both {
		mi += v / n * math.Log(n*v/(ng[c.g]*np[c.p]))
	}
	hg, hp := entropy(ng, n), entropy(np, n)
	if hg == 0 || hp == 0 {
		return 0
	}
	return mi / math.Sqrt(hg*hp)
}

func entropy[K comparable](counts map[K]float64, n float64) float64 {
	h := 0.0
	for _, v := range counts {
		h -= v / n * math.Log(v/n)
	}
	return h
}

// PRF is precision, recall and F1.
type PRF struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// newPRF completes a precision and recall with their F1.
func newPRF(p, r float64) PRF {
	x := PRF{Precision: p, Recall: r}
	if p+r > 0 {
		x.F1 = 2 * p * r / (p + r)
	}
	return x
}

// BCubed is the BCubed precision and recall of a clustering (Bagga and
// Baldwin 1998; Amigó et al. 2009): for each item, the share of its predicted
// cluster that shares its gold cluster (precision) and the share of its gold
// cluster that shares its predicted cluster (recall), averaged over items.
func BCubed[G, P comparable](gold []G, pred []P) PRF {
	if len(gold) == 0 || len(pred) != len(gold) {
		return PRF{}
	}
	ng, np := map[G]float64{}, map[P]float64{}
	type cell struct {
		g G
		p P
	}
	both := map[cell]float64{}
	for i := range gold {
		ng[gold[i]]++
		np[pred[i]]++
		both[cell{gold[i], pred[i]}]++
	}
	p, r := 0.0, 0.0
	for i := range gold {
		b := both[cell{gold[i], pred[i]}]
		p += b / np[pred[i]]
		r += b / ng[gold[i]]
	}
	n := float64(len(gold))
	return newPRF(p/n, r/n)
}

// Clusters counts the distinct labels.
func Clusters[P comparable](pred []P) int {
	seen := map[P]bool{}
	for _, p := range pred {
		seen[p] = true
	}
	return len(seen)
}

// DateTask is one timeline's predicted and gold dates (days, YYYY-MM-DD).
type DateTask struct {
	Name string   `json:"name"`
	Pred []string `json:"pred"`
	Gold []string `json:"gold"`
}

// DateScore is one task's date precision and recall.
type DateScore struct {
	Name    string  `json:"name"`
	P       float64 `json:"p"`
	R       float64 `json:"r"`
	Matched int     `json:"matched"`
	Pred    int     `json:"pred"`
	Gold    int     `json:"gold"`
}

// DateF1 scores timelines by their dates as news-tls does (Gholipour
// Ghalandari and Ifrim, ACL 2020): per task, P = |pred ∩ gold| / |pred| and
// R = |pred ∩ gold| / |gold| over the sets of dates; P and R are averaged
// over the tasks and F1 is computed from the averages (not averaged per task).
func DateF1(tasks []DateTask) (PRF, []DateScore) {
	var scores []DateScore
	sp, sr := 0.0, 0.0
	for _, t := range tasks {
		pred, gold := set(t.Pred), set(t.Gold)
		m := 0
		for d := range pred {
			if gold[d] {
				m++
			}
		}
		s := DateScore{Name: t.Name, Matched: m, Pred: len(pred), Gold: len(gold)}
		if len(pred) > 0 {
			s.P = float64(m) / float64(len(pred))
		}
		if len(gold) > 0 {
			s.R = float64(m) / float64(len(gold))
		}
		sp += s.P
		sr += s.R
		scores = append(scores, s)
	}
	if len(tasks) == 0 {
		return PRF{}, nil
	}
	n := float64(len(tasks))
	return newPRF(sp/n, sr/n), scores
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// PubCount is the publication-count baseline for key dates: the l days on
// which most documents were published, ties to the earlier day.
func PubCount(published []string, l int) []string {
	n := map[string]int{}
	for _, d := range published {
		n[d]++
	}
	days := make([]string, 0, len(n))
	for d := range n {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool {
		if n[days[i]] != n[days[j]] {
			return n[days[i]] > n[days[j]]
		}
		return days[i] < days[j]
	})
	if len(days) > l {
		days = days[:l]
	}
	return days
}

// MStreamBatches returns the start of each of parts consecutive batches of a
// stream of n documents, as MStream's code cuts them (Model.getAveBatch: the
// first batch holds n/parts+1 documents, the next ones one more, the last the
// rest), followed by n. For 30,322 documents and 16 parts: 0, 1896, 3793, …,
// 28454, 30322.
func MStreamBatches(n, parts int) []int {
	if n <= 0 || parts <= 0 {
		return []int{0, max(n, 0)}
	}
	size := n/parts + 1
	cuts := []int{0}
	for start := size; start < n && len(cuts) < parts; start += size + 1 {
		cuts = append(cuts, start)
	}
	return append(cuts, n)
}
