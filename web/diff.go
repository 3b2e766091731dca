package web

import (
	"strings"
	"unicode"
)

// OpKind says what a diff segment is.
type OpKind string

const (
	OpEqual  OpKind = "equal"
	OpInsert OpKind = "insert"
	OpDelete OpKind = "delete"
)

// DiffOp is one run of text in a diff.
type DiffOp struct {
	Kind OpKind `json:"kind"`
	Text string `json:"text"`
}

// DiffPara is one paragraph of a two-version diff, with its word-level ops.
type DiffPara struct {
	Ops     []DiffOp `json:"ops"`
	Changed bool     `json:"changed"`
}

// maxDiffCells caps the LCS table (rows × columns), so a diff of two huge
// texts costs bounded memory; beyond it the changed block is shown as a whole
// deletion and insertion.
const maxDiffCells = 2_000_000

// diffText compares two texts paragraph by paragraph, then word by word
// inside paragraphs that were replaced, which reads well for edited
// statements: a changed sentence shows the words that changed.
func diffText(a, b string) []DiffPara {
	pa, pb := splitParas(a), splitParas(b)
	var out []DiffPara
	ops := lcsDiff(pa, pb)
	for i := 0; i < len(ops); i++ {
		op := ops[i]
		// A deletion run followed by an insertion run is a replacement: pair
		// the paragraphs up and diff their words.
		if op.Kind == OpDelete {
			var dels, ins []string
			for ; i < len(ops) && ops[i].Kind == OpDelete; i++ {
				dels = append(dels, ops[i].Text)
			}
			for ; i < len(ops) && ops[i].Kind == OpInsert; i++ {
				ins = append(ins, ops[i].Text)
			}
			i--
			for k := 0; k < len(dels) || k < len(ins); k++ {
				switch {
				case k < len(dels) && k < len(ins):
					out = append(out, DiffPara{Ops: mergeOps(lcsDiff(splitWords(dels[k]), splitWords(ins[k]))), Changed: true})
				case k < len(dels):
					out = append(out, DiffPara{Ops: []DiffOp{{OpDelete, dels[k]}}, Changed: true})
				default:
					out = append(out, DiffPara{Ops: []DiffOp{{OpInsert, ins[k]}}, Changed: true})
				}
			}
			continue
		}
		out = append(out, DiffPara{Ops: []DiffOp{op}, Changed: op.Kind != OpEqual})
	}
	return out
}

func splitParas(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitWords splits s into tokens: runs of letters and digits, runs of
// spaces, and single other characters, so punctuation changes stay small and
// joining the tokens gives s back.
func splitWords(s string) []string {
	var out []string
	class := func(r rune) int {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return 1
		case unicode.IsSpace(r):
			return 2
		}
		return 3
	}
	start, prev := 0, 0
	for i, r := range s {
		c := class(r)
		if i > 0 && (c != prev || c == 3) {
			out = append(out, s[start:i])
			start = i
		}
		prev = c
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// lcsDiff returns the edit script turning a into b, one op per element,
// using a longest-common-subsequence table after trimming the common prefix
// and suffix.
func lcsDiff(a, b []string) []DiffOp {
	var pre, suf []DiffOp
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		pre = append(pre, DiffOp{OpEqual, a[0]})
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		suf = append([]DiffOp{{OpEqual, a[len(a)-1]}}, suf...)
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	var mid []DiffOp
	if (len(a)+1)*(len(b)+1) > maxDiffCells {
		for _, x := range a {
			mid = append(mid, DiffOp{OpDelete, x})
		}
		for _, x := range b {
			mid = append(mid, DiffOp{OpInsert, x})
		}
	} else {
		// t[i][j] is the LCS length of a[i:] and b[j:].
		n, m := len(a), len(b)
		t := make([]int32, (n+1)*(m+1))
		at := func(i, j int) int32 { return t[i*(m+1)+j] }
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if a[i] == b[j] {
					t[i*(m+1)+j] = at(i+1, j+1) + 1
				} else {
					t[i*(m+1)+j] = max(at(i+1, j), at(i, j+1))
				}
			}
		}
		i, j := 0, 0
		for i < n && j < m {
			switch {
			case a[i] == b[j]:
				mid = append(mid, DiffOp{OpEqual, a[i]})
				i++
				j++
			case at(i+1, j) >= at(i, j+1):
				mid = append(mid, DiffOp{OpDelete, a[i]})
				i++
			default:
				mid = append(mid, DiffOp{OpInsert, b[j]})
				j++
			}
		}
		for ; i < n; i++ {
			mid = append(mid, DiffOp{OpDelete, a[i]})
		}
		for ; j < m; j++ {
			mid = append(mid, DiffOp{OpInsert, b[j]})
		}
	}
	return append(append(pre, mid...), suf...)
}

// mergeOps joins neighbouring ops of the same kind, putting a run's
// deletions before its insertions so a replaced phrase reads "old new", then
// folds short equal runs between two changes into the change around them
// (the semantic clean-up of diff-match-patch): "We [did not reach] this"
// reads better than a confetti of one-word edits.
func mergeOps(ops []DiffOp) []DiffOp {
	// chunk is an equal run (eq) or a change (del/ins).
	type chunk struct {
		change       bool
		eq, del, ins string
	}
	var cs []chunk
	for i := 0; i < len(ops); {
		if ops[i].Kind == OpEqual {
			var b strings.Builder
			for ; i < len(ops) && ops[i].Kind == OpEqual; i++ {
				b.WriteString(ops[i].Text)
			}
			cs = append(cs, chunk{eq: b.String()})
			continue
		}
		var del, ins strings.Builder
		for ; i < len(ops) && ops[i].Kind != OpEqual; i++ {
			if ops[i].Kind == OpDelete {
				del.WriteString(ops[i].Text)
			} else {
				ins.WriteString(ops[i].Text)
			}
		}
		cs = append(cs, chunk{change: true, del: del.String(), ins: ins.String()})
	}
	for changed := true; changed; {
		changed = false
		for i := 1; i+1 < len(cs); i++ {
			before, eq, after := cs[i-1], cs[i], cs[i+1]
			if eq.change || !before.change || !after.change {
				continue
			}
			n := len(strings.TrimSpace(eq.eq))
			if n > max(len(before.del), len(before.ins)) || n > max(len(after.del), len(after.ins)) {
				continue
			}
			merged := chunk{change: true, del: before.del + eq.eq + after.del, ins: before.ins + eq.eq + after.ins}
			cs = append(cs[:i-1], append([]chunk{merged}, cs[i+2:]...)...)
			changed = true
			break
		}
	}
	var out []DiffOp
	for _, c := range cs {
		switch {
		case !c.change:
			out = append(out, DiffOp{OpEqual, c.eq})
		default:
			if c.del != "" {
				out = append(out, DiffOp{OpDelete, c.del})
			}
			if c.ins != "" {
				out = append(out, DiffOp{OpInsert, c.ins})
			}
		}
	}
	return out
}
