// Package eval scores watchline against labelled data sets kept outside the
// repository (see `watchline eval`): it reads a set, runs watchline on it as
// a user would (import, then read what watchline made of each document) and
// computes the figures the set's protocol asks for.
package eval

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/watchline/watchline/crawler"
	"github.com/watchline/watchline/model"
	"github.com/watchline/watchline/score"
	"github.com/watchline/watchline/store"
	"github.com/watchline/watchline/timeline"
)

// QuoteArticle is one labelled article of a quote set: a JSON Lines row in
// the format of PolNeAR converted to rune offsets (one article per line).
type QuoteArticle struct {
	Article         string        `json:"article"`
	Publisher       string        `json:"publisher,omitempty"`
	PublicationDate string        `json:"publication_date,omitempty"` // YYYY-MM-DD
	Title           string        `json:"title,omitempty"`
	Text            string        `json:"text"`
	Attributions    []Attribution `json:"attributions"`
}

// Published is the article's publication date (zero if absent or unreadable).
func (a QuoteArticle) Published() time.Time {
	t, _ := time.Parse("2006-01-02", a.PublicationDate)
	return t
}

// Attribution is one gold source–cue–content triple. Source is nil for an
// attribution without a stated source.
type Attribution struct {
	Type    string `json:"type"`
	Source  *Role  `json:"source"`
	Cue     *Role  `json:"cue"`
	Content *Role  `json:"content"`
	Direct  bool   `json:"direct"`
}

// Role is the text of a source, cue or content and its rune spans.
type Role struct {
	Spans [][2]int `json:"spans"`
	Text  string   `json:"text"`
}

// ReadQuoteSet reads every *.jsonl and *.jsonl.gz file in dir, in name order.
func ReadQuoteSet(dir string) ([]QuoteArticle, error) {
	var arts []QuoteArticle
	err := eachJSONL(dir, func(name string, line int, b []byte) error {
		var a QuoteArticle
		if err := json.Unmarshal(b, &a); err != nil {
			return fmt.Errorf("%s:%d: not a quote article: %w", name, line, err)
		}
		for i, at := range a.Attributions {
			if at.Content == nil {
				return fmt.Errorf("%s:%d: attribution %d of %q has no content", name, line, i+1, a.Article)
			}
		}
		arts = append(arts, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(arts) == 0 {
		return nil, fmt.Errorf("quote set %s holds no articles: give a directory of *.jsonl or *.jsonl.gz files, one article per line (text and attributions)", dir)
	}
	return arts, nil
}

// eachJSONL calls fn with every non-empty line of the *.jsonl and *.jsonl.gz
// files in dir.
func eachJSONL(dir string, fn func(name string, line int, b []byte) error) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read set: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".jsonl") || strings.HasSuffix(e.Name(), ".jsonl.gz")) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := readJSONL(filepath.Join(dir, name), func(line int, b []byte) error { return fn(name, line, b) }); err != nil {
			return err
		}
	}
	return nil
}

func readJSONL(path string, fn func(line int, b []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read set: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		if err := fn(n, sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("read %s: a line is longer than 16 MiB", path)
		}
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// PredictedQuote is what a quote extractor said: the words attributed, the
// speaker it resolved and the words that named the speaker in the text ("he",
// "the ministry"), and whether it saw quotation marks.
type PredictedQuote struct {
	Text    string `json:"text"`
	Speaker string `json:"speaker"`
	Mention string `json:"mention,omitempty"`
	Direct  bool   `json:"direct"`
	// Start and End are the quote's rune offsets in the article's text (0,
	// 0 when unknown), for error analysis: scoring reads only Text.
	Start int `json:"start,omitempty"`
	End   int `json:"end,omitempty"`
}

// QuoteReport is the outcome of ScoreQuotes. Counts are pooled over all
// articles.
type QuoteReport struct {
	Articles        int `json:"articles"`
	Gold            int `json:"gold"`
	GoldDirect      int `json:"gold_direct"`
	Predicted       int `json:"predicted"`
	Matched         int `json:"matched"`
	MatchedDirect   int `json:"matched_direct"`   // predictions matched to a direct gold quote
	MatchedIndirect int `json:"matched_indirect"` // predictions matched to indirect speech
	All             PRF `json:"all"`
	Direct          PRF `json:"direct"`
	// Speaker accuracy over found gold attributions that have a source: the
	// resolved speaker, and the resolved speaker or the mention (a
	// pronoun-only gold source can only match the mention).
	Speaker          SpeakerScores `json:"speaker"`
	SpeakerOrMention SpeakerScores `json:"speaker_or_mention"`
	// Details lists, per article, what matched and what did not.
	Details []QuoteArticleDetail `json:"details,omitempty"`
}

// PRF is precision, recall and F1.
type PRF = score.PRF

// SpeakerScores is speaker accuracy over all found attributions and over
// those whose gold source is not pronoun-only, for all and for direct quotes.
type SpeakerScores struct {
	All              Accuracy `json:"all"`
	NonPronoun       Accuracy `json:"non_pronoun"`
	Direct           Accuracy `json:"direct"`
	DirectNonPronoun Accuracy `json:"direct_non_pronoun"`
}

// Accuracy is correct out of total.
type Accuracy struct {
	Correct  int     `json:"correct"`
	Total    int     `json:"total"`
	Accuracy float64 `json:"accuracy"`
}

func (a *Accuracy) add(ok bool) {
	a.Total++
	if ok {
		a.Correct++
	}
	a.Accuracy = float64(a.Correct) / float64(a.Total)
}

// QuoteArticleDetail is one article's matching, for error analysis.
type QuoteArticleDetail struct {
	Article  string           `json:"article"`
	Matches  []QuoteMatch     `json:"matches,omitempty"`
	Missed   []Attribution    `json:"missed,omitempty"`
	Spurious []PredictedQuote `json:"spurious,omitempty"`
}

// QuoteMatch is a prediction paired with a gold attribution.
type QuoteMatch struct {
	Dice           float64        `json:"dice"`
	Gold           Attribution    `json:"gold"`
	Predicted      PredictedQuote `json:"predicted"`
	SpeakerCorrect bool           `json:"speaker_correct"`
}

// MatchThreshold is the least Dice coefficient of token multisets at which a
// prediction counts as finding a gold quote (the quote set's protocol).
const MatchThreshold = 0.5

// ScoreQuotes matches predictions to gold attributions article by article
// (pred[i] belongs to gold[i]) and computes the figures: one-to-one greedy
// matching on Dice ≥ MatchThreshold, highest Dice first, ties by prediction
// then gold order; P/R/F1 over all attributions and over direct quotes; and
// speaker accuracy on the found ones. With details, the report lists each
// article's matches, misses and spurious predictions.
func ScoreQuotes(gold []QuoteArticle, pred [][]PredictedQuote, details bool) QuoteReport {
	var r QuoteReport
	r.Articles = len(gold)
	for i, a := range gold {
		var ps []PredictedQuote
		if i < len(pred) {
			ps = pred[i]
		}
		d := scoreArticle(&r, a, ps)
		if details {
			r.Details = append(r.Details, d)
		}
	}
	r.All = prf(r.Matched, r.Predicted, r.Matched, r.Gold)
	// A prediction that found indirect speech is right, just not direct: it
	// leaves the direct precision's denominator.
	foundDirect := r.MatchedDirect
	r.Direct = prf(r.MatchedDirect, r.Predicted-r.MatchedIndirect, foundDirect, r.GoldDirect)
	return r
}

func scoreArticle(r *QuoteReport, a QuoteArticle, ps []PredictedQuote) QuoteArticleDetail {
	d := QuoteArticleDetail{Article: a.Article}
	r.Gold += len(a.Attributions)
	r.Predicted += len(ps)
	gt := make([]map[string]int, len(a.Attributions))
	for j, g := range a.Attributions {
		gt[j] = bag(g.Content.Text)
		if g.Direct {
			r.GoldDirect++
		}
	}
	type pair struct {
		dice float64
		p, g int
	}
	var pairs []pair
	for i, p := range ps {
		pt := bag(p.Text)
		for j := range a.Attributions {
			if dc := dice(pt, gt[j]); dc >= MatchThreshold {
				pairs = append(pairs, pair{dc, i, j})
			}
		}
	}
	sort.SliceStable(pairs, func(x, y int) bool {
		if pairs[x].dice != pairs[y].dice {
			return pairs[x].dice > pairs[y].dice
		}
		if pairs[x].p != pairs[y].p {
			return pairs[x].p < pairs[y].p
		}
		return pairs[x].g < pairs[y].g
	})
	pTaken, gTaken := make([]bool, len(ps)), make([]bool, len(a.Attributions))
	for _, pr := range pairs {
		if pTaken[pr.p] || gTaken[pr.g] {
			continue
		}
		pTaken[pr.p], gTaken[pr.g] = true, true
		g, p := a.Attributions[pr.g], ps[pr.p]
		r.Matched++
		if g.Direct {
			r.MatchedDirect++
		} else {
			r.MatchedIndirect++
		}
		m := QuoteMatch{Dice: pr.dice, Gold: g, Predicted: p}
		if g.Source != nil {
			pronoun := PronounOnly(g.Source.Text)
			m.SpeakerCorrect = SameSpeaker(p.Speaker, g.Source.Text)
			orMention := m.SpeakerCorrect || SameSpeaker(p.Mention, g.Source.Text)
			for _, s := range []struct {
				sc *SpeakerScores
				ok bool
			}{{&r.Speaker, m.SpeakerCorrect}, {&r.SpeakerOrMention, orMention}} {
				s.sc.All.add(s.ok)
				if !pronoun {
					s.sc.NonPronoun.add(s.ok)
				}
				if g.Direct {
					s.sc.Direct.add(s.ok)
					if !pronoun {
						s.sc.DirectNonPronoun.add(s.ok)
					}
				}
			}
		}
		d.Matches = append(d.Matches, m)
	}
	for j, g := range a.Attributions {
		if !gTaken[j] {
			d.Missed = append(d.Missed, g)
		}
	}
	for i, p := range ps {
		if !pTaken[i] {
			d.Spurious = append(d.Spurious, p)
		}
	}
	return d
}

func prf(hitP, nP, hitR, nR int) PRF {
	var x PRF
	if nP > 0 {
		x.Precision = float64(hitP) / float64(nP)
	}
	if nR > 0 {
		x.Recall = float64(hitR) / float64(nR)
	}
	if x.Precision+x.Recall > 0 {
		x.F1 = 2 * x.Precision * x.Recall / (x.Precision + x.Recall)
	}
	return x
}

// Tokens splits s the way the quote protocol counts words: maximal runs of
// letters, digits and underscores, lower-cased ("Clinton’s" is "clinton",
// "s").
func Tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
	})
}

func bag(s string) map[string]int {
	m := map[string]int{}
	for _, t := range Tokens(s) {
		m[t]++
	}
	return m
}

// dice is 2·|A∩B| / (|A|+|B|) on token multisets.
func dice(a, b map[string]int) float64 {
	na, nb, both := 0, 0, 0
	for t, n := range a {
		na += n
		both += min(n, b[t])
	}
	for _, n := range b {
		nb += n
	}
	if na+nb == 0 {
		return 0
	}
	return 2 * float64(both) / float64(na+nb)
}

// Dice is the Dice coefficient of two texts' token multisets.
func Dice(a, b string) float64 { return dice(bag(a), bag(b)) }

// speakerStop are the function words left out when speakers are compared
// (the protocol's list).
var speakerStop = wordSet("the a an of and to in on for at by s mr mrs ms dr")

// pronounWords are the words a pronoun-only source consists of (the
// protocol's list).
var pronounWords = wordSet("he she they it we i you him her his them us me who which that this these those itself himself herself")

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func speakerTokens(s string) map[string]bool {
	m := map[string]bool{}
	for _, t := range Tokens(s) {
		if !speakerStop[t] {
			m[t] = true
		}
	}
	return m
}

// SameSpeaker says whether a predicted speaker names the gold source: their
// token sets, without function words, share a word.
func SameSpeaker(pred, gold string) bool {
	g := speakerTokens(gold)
	for t := range speakerTokens(pred) {
		if g[t] {
			return true
		}
	}
	return false
}

// PronounOnly says whether a gold source is nothing but pronouns ("he",
// "who"), after function words are removed.
func PronounOnly(source string) bool {
	ts := speakerTokens(source)
	for t := range ts {
		if !pronounWords[t] {
			return false
		}
	}
	return true
}

// RunQuotes measures quote extraction the way a user meets it: the
// articles are imported into a fresh store in dir (`watchline import`, one
// NDJSON row each: url, title, text, published), and each document's quotes
// are read as `watchline docs show` reads them. Then they are scored.
func RunQuotes(ctx context.Context, arts []QuoteArticle, dir string, details bool) (QuoteReport, error) {
	st, err := store.Open(ctx, dir)
	if err != nil {
		return QuoteReport{}, err
	}
	defer st.Close()
	var rows bytes.Buffer
	enc := json.NewEncoder(&rows)
	for i, a := range arts {
		row := map[string]string{"url": articleURL(i, a), "title": a.Title, "text": a.Text, "source": "eval"}
		if a.PublicationDate != "" {
			row["published"] = a.PublicationDate
		}
		if err := enc.Encode(row); err != nil {
			return QuoteReport{}, err
		}
	}
	rep, err := crawler.Import(ctx, st, &rows, crawler.FormatNDJSON)
	if err != nil {
		return QuoteReport{}, err
	}
	if len(rep.Bad) > 0 {
		return QuoteReport{}, fmt.Errorf("import the set: row %d: %s", rep.Bad[0].Line, rep.Bad[0].Reason)
	}
	an, err := timeline.NewAnalyzer()
	if err != nil {
		return QuoteReport{}, err
	}
	pred := make([][]PredictedQuote, len(arts))
	for i, a := range arts {
		d, err := st.DocumentByURL(ctx, articleURL(i, a))
		if errors.Is(err, store.ErrNotFound) {
			continue // an empty text imports nothing
		}
		if err != nil {
			return QuoteReport{}, err
		}
		qs, err := timeline.DocumentQuotes(ctx, st, an, d)
		if err != nil {
			return QuoteReport{}, err
		}
		for _, q := range qs {
			pred[i] = append(pred[i], PredictedQuote{Text: q.Text, Speaker: q.Speaker, Mention: q.Mention,
				Direct: q.Kind == model.QuoteDirect, Start: q.Start, End: q.End})
		}
	}
	return ScoreQuotes(arts, pred, details), nil
}

// articleURL is the made-up address an article is imported under.
func articleURL(i int, a QuoteArticle) string {
	return fmt.Sprintf("https://eval.invalid/%d/%s", i+1, url.PathEscape(a.Article))
}
