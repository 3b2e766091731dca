package timeline

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/watchline/watchline/internal/litfilter"
	"github.com/watchline/watchline/model"
)

//go:embed lexicon.json
var lexiconJSON []byte

// Lexicon is the event-type data: per type, weighted patterns.
type Lexicon struct {
	Types map[string][]struct {
		Pattern string  `json:"pattern"`
		Weight  float64 `json:"weight"`
		Where   string  `json:"where,omitempty"` // "title": headline only
	} `json:"types"`
}

type typePattern struct {
	typ       model.EventType
	re        *regexp.Regexp
	weight    float64
	titleOnly bool
	need      litfilter.Filter
	find      literalRegexp
}

// typer classifies documents into event types from the lexicon.
type typer struct {
	patterns []typePattern
	fold     string // every pattern's need.Fold
}

func newTyper(data []byte) (*typer, error) {
	var lx Lexicon
	if err := json.Unmarshal(data, &lx); err != nil {
		return nil, fmt.Errorf("read lexicon: %w", err)
	}
	known := map[model.EventType]bool{}
	for _, t := range model.EventTypes {
		known[t] = true
	}
	names := make([]string, 0, len(lx.Types))
	for name := range lx.Types {
		names = append(names, name)
	}
	sort.Strings(names)
	ty := &typer{}
	for _, name := range names {
		t := model.EventType(name)
		if !known[t] {
			return nil, fmt.Errorf("lexicon: unknown event type %q (known: %v)", name, model.EventTypes)
		}
		for _, p := range lx.Types[name] {
			re, err := regexp.Compile(`(?i)\b(?:` + p.Pattern + `)\b`)
			if err != nil {
				return nil, fmt.Errorf("lexicon %s: pattern %q: %w", name, p.Pattern, err)
			}
			if p.Where != "" && p.Where != "title" {
				return nil, fmt.Errorf("lexicon %s: pattern %q: where must be \"title\" or absent", name, p.Pattern)
			}
			ty.patterns = append(ty.patterns, typePattern{t, re, p.Weight, p.Where == "title", litfilter.Of(re), newLiteralRegexp(re)})
		}
	}
	var lits []string
	for _, p := range ty.patterns {
		lits = append(lits, p.need.Need...)
	}
	ty.fold = litfilter.FoldOnly(lits)
	return ty, nil
}

// typing is a document's event type with the phrase that decided it and the
// offsets (into the text) of the phrases that support it.
type typing struct {
	Type       model.EventType `json:"type"`
	Evidence   string          `json:"evidence,omitempty"`
	Confidence float64         `json:"confidence"`
	Scores     map[model.EventType]float64
	triggers   []int
}

// typeTextLimit bounds how much of a text is read for its type: what happened
// is said in the title and the first paragraphs.
const typeTextLimit = 2500

// classify types a document from its title and the start of its text.
func (ty *typer) classify(title, text string) typing {
	body := text
	if len(body) > typeTextLimit {
		body = body[:typeTextLimit]
	}
	lead := leadLength(text)
	scores := map[model.EventType]float64{}
	type ev struct {
		phrase string
		w      float64
		off    int
	}
	best := map[model.EventType]ev{}
	triggers := map[model.EventType][]int{}
	lowTitle, lowBody := strings.ToLower(title), strings.ToLower(body)
	var titleTri, bodyTri trigrams
	titleTri.add(lowTitle)
	bodyTri.add(lowBody)
	// A text holding a rune that folds to a letter of a pattern's literals
	// but is not lowered to it (the long s) is read by every pattern.
	folded := litfilter.ContainsRuneOf(title, ty.fold) || litfilter.ContainsRuneOf(body, ty.fold)
	for _, p := range ty.patterns {
		if !folded && !containsAnyOf(lowTitle, &titleTri, p.need.Need) && !containsAnyOf(lowBody, &bodyTri, p.need.Need) {
			continue
		}
		for _, loc := range p.re.FindAllStringIndex(title, -1) {
			scores[p.typ] += 3 * p.weight
			if 3*p.weight > best[p.typ].w {
				best[p.typ] = ev{title[loc[0]:loc[1]], 3 * p.weight, -1}
			}
		}
		if p.titleOnly {
			continue
		}
		for _, loc := range p.find.findAll(body, lowBody, false) {
			w := p.weight
			if loc[0] < lead {
				w *= 2
			}
			scores[p.typ] += w
			if p.weight >= 3 {
				triggers[p.typ] = append(triggers[p.typ], loc[0])
			}
			if w > best[p.typ].w {
				best[p.typ] = ev{body[loc[0]:loc[1]], w, loc[0]}
			}
		}
	}
	out := typing{Type: model.TypeOther, Confidence: 0.2, Scores: scores}
	total, top := 0.0, 0.0
	for _, t := range model.EventTypes {
		s := scores[t]
		if s <= 0 {
			continue
		}
		total += s
		if s > top {
			top, out.Type = s, t
		}
	}
	if top > 0 {
		out.Evidence = strings.TrimSpace(best[out.Type].phrase)
		out.Confidence = min(1, top/total*min(1, top/8))
		out.triggers = triggers[out.Type]
	}
	return out
}

// voteType picks an event's type from its documents' scores: summed, official
// documents counting double. Each document's scores are added in
// model.EventTypes order (see member), so the confidence does not depend on
// the order a map gives them in.
func voteType(docs []*member) (model.EventType, string, float64) {
	sum := map[model.EventType]float64{}
	total := 0.0
	for _, d := range docs {
		w := 1.0
		if d.Official {
			w = 2
		}
		for _, s := range d.TypeScores {
			if s.score > 0 {
				sum[s.typ] += w * s.score
				total += w * s.score
			}
		}
	}
	best, top := model.TypeOther, 0.0
	for _, t := range model.EventTypes {
		if sum[t] > top {
			best, top = t, sum[t]
		}
	}
	if top == 0 {
		return model.TypeOther, "", 0.2
	}
	evidence := ""
	for _, d := range docs {
		if d.Type == best && d.TypeEvidence != "" {
			evidence = d.TypeEvidence
			break
		}
	}
	return best, evidence, min(1, top/total)
}
