package alert

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/synth"
)

// envMatchChild makes the test binary run one matching pass over the store
// in the directory it names, for TestCrashMidMatch to kill.
const envMatchChild = "WATCHLINE_ALERT_MATCH_CHILD"

// matchChild runs Match once and exits.
func matchChild(dir string) {
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := New(st, Options{Matcher: IndexMatcher(), BatchSize: 20}).Match(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// matchFixture fills dir's store with subscriptions and then documents
// (wire copies among them) for them to match.
func matchFixture(t *testing.T, dir string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st := openStore(t, dir)
	svc := New(st, Options{Matcher: IndexMatcher()})
	var first []model.Document
	if err := synth.Generate(3, 60, func(d model.Document) error { first = append(first, d); return nil }); err != nil {
		t.Fatal(err)
	}
	for i, d := range first[:40] {
		var ws []string // the title's longer words
		for _, w := range strings.Fields(strings.ToLower(d.Title)) {
			if w = strings.Trim(w, ".,:;'\""); len(w) >= 5 {
				ws = append(ws, w)
			}
		}
		if len(ws) == 0 {
			continue
		}
		q := ws[0]
		if i%2 == 1 && len(ws) > 1 {
			q = ws[0] + " OR " + ws[len(ws)-1]
		}
		// A stop word alone is refused; the next title gives another.
		svc.Add(ctx, model.Subscription{Query: q, Atom: true}, AddOptions{})
	}
	var puts []store.Put
	err := synth.Generate(3, 600, func(d model.Document) error {
		puts = append(puts, store.Put{Doc: &d})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The generator's wire copies become near-duplicates, so copies fold.
	byHash := map[string]int64{}
	for i := range puts {
		if err := st.PutDocuments(ctx, puts[i:i+1]); err != nil {
			t.Fatal(err)
		}
		d := puts[i].Doc
		key := d.Title
		if orig, ok := byHash[key]; ok && orig != d.ID {
			if err := st.RelinkDuplicates(ctx, d.ID, orig, 0.9); err != nil {
				t.Fatal(err)
			}
		} else {
			byHash[key] = d.ID
		}
	}
	return st
}

// matchSet is every recorded article match as "query / document URL",
// with its similar documents' URLs.
func matchSet(t *testing.T, st *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	subs, err := st.Subscriptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range subs {
		ms, err := st.RecentMatches(ctx, s.ID, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		roots := map[int64]bool{}
		for _, m := range ms {
			if roots[m.RootID] {
				t.Errorf("subscription %q: two matches for story %d", s.Query, m.RootID)
			}
			roots[m.RootID] = true
			d, err := st.Document(ctx, m.DocumentID)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s / %s +%d", s.Query, d.CanonicalURL, len(m.Similar)))
		}
	}
	slices.Sort(out)
	return out
}

// TestCrashMidMatch kills a process matching 40 subscriptions against 600
// documents (many multi-row batches) with SIGKILL at random moments, lets a
// last pass finish, and checks that the matches are exactly those of an
// undisturbed pass over the same store: nothing lost, nothing recorded
// twice, every subscription at the end of the log.
func TestCrashMidMatch(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process several times")
	}
	want := func() []string {
		st := matchFixture(t, t.TempDir())
		if _, err := New(st, Options{Matcher: IndexMatcher(), BatchSize: 20}).Match(context.Background()); err != nil {
			t.Fatal(err)
		}
		return matchSet(t, st)
	}()
	if len(want) == 0 {
		t.Fatal("the reference pass matched nothing")
	}
	dir := t.TempDir()
	st := matchFixture(t, dir)
	rng := rand.New(rand.NewPCG(7, 11))
	for kill := range 6 {
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), envMatchChild+"="+dir)
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rng.IntN(300)) * time.Millisecond)
		child.Process.Signal(syscall.SIGKILL)
		child.Wait()
		var recorded int
		subs, _ := st.Subscriptions(context.Background())
		for _, s := range subs {
			ms, _ := st.RecentMatches(context.Background(), s.ID, 1<<20)
			recorded += len(ms)
		}
		t.Logf("kill %d: %d of the %d matches recorded", kill+1, recorded, len(want))
	}
	if _, err := New(st, Options{Matcher: IndexMatcher(), BatchSize: 20}).Match(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := matchSet(t, st)
	if !slices.Equal(got, want) {
		t.Errorf("after the kills %d matches, undisturbed %d", len(got), len(want))
		for i := 0; i < min(len(got), len(want)); i++ {
			if got[i] != want[i] {
				t.Errorf("first difference: %q vs %q", got[i], want[i])
				break
			}
		}
	}
	maxSeq, _ := st.MaxSeq(context.Background())
	subs, _ := st.Subscriptions(context.Background())
	for _, s := range subs {
		if s.Cursor != maxSeq {
			t.Errorf("subscription %q at %d, log ends at %d", s.Query, s.Cursor, maxSeq)
		}
	}
}
