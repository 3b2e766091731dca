package timeline

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/watchline/watchline/model"
)

// A document's role comes from how it is written, never from who published
// it: a wire copy is a near-duplicate of an earlier document; an official
// statement is a document from a source configured as official (or one
// whose headline says it is a statement, press release or remarks); analysis
// — explainers, factboxes, timelines, opinion, Q&As, live pages — is told by
// its headline's form and its structure. Analysis attaches to the events and
// story it discusses and never starts an event of its own.

// analysisLabel: headlines labelled as something other than news ("Analysis:",
// "Explainer -", "Factbox:", "Q&A:", "Opinion |", "LIVE:"), in the forms
// newsrooms commonly use in English.
var analysisLabel = regexp.MustCompile(`(?i)^\s*(?:analysis|news analysis|explainer|explained|factbox|fact ?box|fact ?check|factcheck|q ?& ?a|timeline|opinion|comment|commentary|editorial|column|live|live updates|live blog|as it happened|in pictures|in depth|in-depth|interview|profile|review|the big read|briefing|what we know|key facts|background|backgrounder|inside)\b\s*(?:[:|\-–—]|$)`)

// analysisQuestion: a headline that asks ("Why did …?", "What is …?"): news
// reports what happened, analysis asks why. The question must open the
// headline or follow a colon.
var analysisQuestion = regexp.MustCompile(`(?i)(?:^|:\s+)(?:why|what|how|who|where|when|will|can|could|should|is|are|was|were|did|does|do)\b[^?]{3,}\?`)

// analysisAfterColon: "X: what it means", "X: how it works", "X: why it
// matters" — the explainer's headline form.
var analysisAfterColon = regexp.MustCompile(`(?i):\s+(?:what|how|why|who)\s`)

// analysisTitle: headline phrases of explainers and opinion ("The case for
// …" only opening a headline: "the case against X" is also how prosecutions
// are named).
var analysisTitle = regexp.MustCompile(`(?i)\b(?:explained|what we know|what you need to know|everything you need to know|lessons (?:of|from)|why it matters|a timeline of|key moments|in numbers|the story so far)\b|^\s*the case (?:for|against)\b`)

// statementTitle: a headline saying the page is itself a statement.
var statementTitle = regexp.MustCompile(`(?i)^\s*(?:(?:joint |press |written |ministerial |official )?statement (?:from|by|on|of|to|regarding)|press release|news release|media release|readout of|remarks (?:by|of|on|at)|transcript of|speech by|.{0,60}\bspokes(?:person|man|woman)'?s? (?:remarks|comments|statement|answers?)\b)`)

// datedLines: a paragraph that opens with a date ("March 2023: …", "April 26 -
// …", "2019 – …") — the structure of a timeline or factbox.
var datedLines = regexp.MustCompile(`(?im)^\s*(?:(?:\d{1,2} )?` + monthRe + `(?: \d{1,2})?,?(?: \d{4})?|\d{4})\s*[:\-–—]\s+\S`)

// liveLines: a paragraph that opens with a clock time ("10:32 GMT", "14.05") —
// the structure of a live page.
var liveLines = regexp.MustCompile(`(?m)^\s*\d{1,2}[:.]\d{2}(?:\s*(?:am|pm|GMT|BST|UTC|CET|CEST|EST|EDT|ET))?(?:\s*[:\-–—]\s+|\s*\n|\s+\p{Lu})`)

// analysisStructure needs this many dated or timed paragraphs: one or two
// are a report quoting dates; three make a list. Set on our fixtures (a
// factbox of five dated paragraphs, reports with up to two).
const analysisStructure = 3

// documentRole says what d is to the events it reports. text is the part
// of its text the analyzer reads.
func documentRole(d model.Document, text string) model.DocumentRole {
	if d.DuplicateOf != 0 {
		return model.RoleWire
	}
	title := strings.TrimSpace(d.Title)
	if isAnalysis(title, text) {
		return model.RoleAnalysis
	}
	if d.Official || statementTitle.MatchString(title) {
		return model.RoleStatement
	}
	return model.RoleReport
}

func isAnalysis(title, text string) bool {
	if analysisLabel.MatchString(title) || analysisQuestion.MatchString(title) ||
		analysisAfterColon.MatchString(title) || analysisTitle.MatchString(title) {
		return true
	}
	digit, letter := lineOpeners(text)
	if (digit || letter) && len(datedLines.FindAllStringIndex(text, analysisStructure)) >= analysisStructure {
		return true
	}
	return digit && len(liveLines.FindAllStringIndex(text, analysisStructure+1)) > analysisStructure
}

// lineOpeners says whether a line of text opens (after \s, as the patterns'
// ^\s* reads it) with a digit, and whether one opens with a month's first
// three letters (or a non-ASCII character: the long s folds to s):
// datedLines and liveLines can match nowhere else, so most texts need not
// run them.
var monthInitials = toSet("jan feb mar apr may jun jul aug sep oct nov dec")

func asciiLower3(s string) string {
	b := [3]byte{s[0], s[1], s[2]}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b[:])
}

func lineOpeners(text string) (digit, letter bool) {
	open := true
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !open {
			open = c == '\n'
			continue
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r':
			continue
		case '0' <= c && c <= '9':
			digit = true
		case c >= utf8.RuneSelf || i+3 <= len(text) && monthInitials[asciiLower3(text[i:i+3])]:
			letter = true
		}
		open = false
	}
	return digit, letter
}
