package score

import (
	"math"
	"testing"
)

func same(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestNMI(t *testing.T) {
	ln := math.Log
	for _, c := range []struct {
		name string
		gold []string
		pred []int
		want float64
	}{
		{"identical partitions", []string{"a", "a", "b", "b"}, []int{7, 7, 9, 9}, 1},
		{"independent", []string{"a", "a", "b", "b"}, []int{1, 2, 1, 2}, 0},
		{"one predicted cluster", []string{"a", "b", "c"}, []int{1, 1, 1}, 0},
		{"empty", nil, nil, 0},
		// By hand: n=6, gold a=3 b=3, pred 1=2 2=4, cells (a,1)=2 (a,2)=1 (b,2)=3.
		// I = 2/6·ln(6·2/6) + 1/6·ln(6/12) + 3/6·ln(18/12) = ln2/6 + ln1.5/2
		// H(G) = ln2; H(P) = ln3/3 + (2/3)·ln1.5.
		{"partial", []string{"a", "a", "a", "b", "b", "b"}, []int{1, 1, 2, 2, 2, 2},
			(ln(2)/6 + ln(1.5)/2) / math.Sqrt(ln(2)*(ln(3)/3+2*ln(1.5)/3))},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := NMI(c.gold, c.pred); !same(got, c.want) {
				t.Errorf("NMI = %.6f, want %.6f", got, c.want)
			}
		})
	}
}

func TestBCubed(t *testing.T) {
	// The partial case above, by hand. Items of gold a in predicted 1 (two):
	// P 2/2, R 2/3. The a in predicted 2: P 1/4, R 1/3. The three b in 2:
	// P 3/4, R 3/3. P = 4.5/6 = 3/4, R = (14/3)/6 = 7/9, F1 = 42/55.
	got := BCubed([]string{"a", "a", "a", "b", "b", "b"}, []int{1, 1, 2, 2, 2, 2})
	if !same(got.Precision, 0.75) || !same(got.Recall, 7.0/9) || !same(got.F1, 42.0/55) {
		t.Errorf("BCubed = %+v, want P 0.75 R 0.7778 F1 0.7636", got)
	}
	// Singletons: perfect precision, recall 1/size of the gold cluster.
	got = BCubed([]string{"a", "a", "b"}, []int{1, 2, 3})
	if !same(got.Precision, 1) || !same(got.Recall, (0.5+0.5+1)/3) {
		t.Errorf("singletons: BCubed = %+v, want P 1 R 0.6667", got)
	}
	if n := Clusters([]int{1, 2, 3, 2}); n != 3 {
		t.Errorf("Clusters = %d, want 3", n)
	}
}

func TestDateF1(t *testing.T) {
	// Task one: P 1/3, R 1/2; task two: P 1, R 1/2 (a repeated predicted date
	// counts once). Averages P 2/3, R 1/2, so F1 = 2·(2/3)(1/2)/(7/6) = 4/7 —
	// not the mean of the per-task F1s (0.4 and 0.667).
	f, per := DateF1([]DateTask{
		{Name: "one", Pred: []string{"2020-01-01", "2020-01-02", "2020-01-03"}, Gold: []string{"2020-01-01", "2020-01-04"}},
		{Name: "two", Pred: []string{"2020-02-05", "2020-02-06", "2020-02-06"}, Gold: []string{"2020-02-05", "2020-02-06", "2020-02-07", "2020-02-08"}},
	})
	if !same(f.Precision, 2.0/3) || !same(f.Recall, 0.5) || !same(f.F1, 4.0/7) {
		t.Errorf("DateF1 = %+v, want P 0.6667 R 0.5 F1 0.5714", f)
	}
	if len(per) != 2 || per[1].Pred != 2 || per[1].Matched != 2 {
		t.Errorf("per task = %+v", per)
	}
}

func TestPubCount(t *testing.T) {
	got := PubCount([]string{"2020-01-02", "2020-01-01", "2020-01-02", "2020-01-03", "2020-01-01", "2020-01-04"}, 2)
	// 01-01 and 01-02 both have two; 01-03 and 01-04 one each (ties: earlier).
	if len(got) != 2 || got[0] != "2020-01-01" || got[1] != "2020-01-02" {
		t.Errorf("PubCount = %v", got)
	}
}
