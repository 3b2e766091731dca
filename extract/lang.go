package extract

import (
	"strings"
	"unicode"
)

// stopwords holds, per language, short function words that are frequent in
// running text and rare in the other profiled languages. Words shared by
// several profiles ("a", "de", "la", "en") still count for each of them; it
// is the total that decides.
var stopwords = map[string][]string{
	"en": {"the", "and", "of", "to", "in", "is", "that", "was", "for", "it", "with", "as", "on", "be", "by", "this", "are", "have", "from", "had", "not", "but", "were", "which", "has", "been", "they", "their", "said", "would", "will", "an", "at", "or", "who", "after"},
	"fr": {"le", "la", "les", "des", "et", "est", "une", "un", "du", "que", "qui", "dans", "pour", "pas", "sur", "au", "aux", "ce", "cette", "il", "elle", "ont", "été", "par", "avec", "sont", "mais", "ses", "leur", "selon", "ne", "à", "plus", "d'un", "d'une"},
	"de": {"der", "die", "das", "und", "ist", "nicht", "den", "dem", "des", "ein", "eine", "einer", "zu", "mit", "sich", "auf", "für", "im", "von", "auch", "wurde", "hat", "sind", "nach", "wie", "bei", "aus", "dass", "oder", "sie", "er", "es", "werden", "haben", "wird"},
	"es": {"el", "los", "las", "y", "del", "que", "en", "un", "una", "por", "con", "para", "es", "se", "su", "al", "lo", "como", "más", "pero", "sus", "fue", "ha", "este", "esta", "según", "también", "sobre", "entre", "cuando"},
	"it": {"il", "di", "che", "è", "per", "una", "un", "della", "del", "dei", "delle", "nel", "nella", "con", "sono", "non", "gli", "le", "al", "alla", "anche", "ma", "si", "ha", "stato", "come", "più", "questo", "secondo", "essere"},
	"pt": {"o", "os", "as", "do", "da", "dos", "das", "que", "em", "um", "uma", "para", "com", "não", "no", "na", "por", "se", "foi", "ao", "mais", "como", "mas", "seu", "sua", "pelo", "pela", "também", "são", "está"},
	"nl": {"de", "het", "een", "en", "van", "dat", "is", "in", "op", "te", "niet", "met", "voor", "zijn", "die", "er", "aan", "ook", "werd", "door", "bij", "naar", "maar", "heeft", "hij", "ze", "worden", "dit", "nog", "wordt"},
}

// stopwordIndex maps a word to the languages it is a stopword of.
var stopwordIndex = func() map[string][]string {
	idx := make(map[string][]string)
	for lang, words := range stopwords {
		for _, w := range words {
			idx[w] = append(idx[w], lang)
		}
	}
	return idx
}()

// langSample bounds the text Language reads: a few kilobytes decide the
// language as well as the whole text does, and the time stays flat on long
// pages. The sample is taken from the start, the middle and the end, so a
// page that opens with an English summary is still judged by its body.
const langSample = 6000

// cjkCharsPerWord converts Chinese and Japanese characters, which are
// written without spaces, to word equivalents (about 1.7 characters per
// word in news text), so scripts are compared by how much they say rather
// than by how many letters they need to say it.
const cjkCharsPerWord = 1.7

// Language guesses the ISO 639-1 code of text. The script with the most
// words decides (zh, ja, ko, ru/uk, ar/fa, el, he, th, hi); Latin text is
// scored against stopword profiles for en, fr, de, es, it, pt and nl. It
// returns "" when the text is too short or the evidence is not clear.
func Language(text string) string {
	text = sampleText(text, langSample)
	var latin, han, kana, hangul, cyr, ukr, arabic, persian, greek, hebrew, thai, deva int
	var words [9]int // word runs per script, in the order of the scored list below
	prev := -1
	for _, r := range text {
		script := -1
		switch {
		case r < 0x80:
			if unicode.IsLetter(r) {
				latin++
				script = 8
			}
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			kana++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hangul, r):
			hangul++
			script = 1
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
			script = 2
			if strings.ContainsRune("іїєґІЇЄҐ", r) {
				ukr++
			}
		case unicode.Is(unicode.Arabic, r):
			arabic++
			script = 3
			if strings.ContainsRune("پچژگ", r) {
				persian++
			}
		case unicode.Is(unicode.Greek, r):
			greek++
			script = 4
		case unicode.Is(unicode.Hebrew, r):
			hebrew++
			script = 5
		case unicode.Is(unicode.Thai, r):
			thai++
			script = 6
		case unicode.Is(unicode.Devanagari, r):
			deva++
			script = 7
		case unicode.Is(unicode.Latin, r):
			latin++
			script = 8
		case unicode.IsMark(r):
			continue // combining marks stay in their word
		}
		if script >= 0 && script != prev {
			words[script]++
		}
		prev = script
	}
	// Thai is written without spaces, like Chinese.
	words[0] = int(float64(han+kana) / cjkCharsPerWord)
	words[6] = int(float64(thai) / 4)
	nonLatin := han + kana + hangul + cyr + arabic + greek + hebrew + thai + deva
	if latin+nonLatin < 10 {
		return ""
	}
	type scored struct {
		n    int
		lang string
	}
	best := scored{}
	for i, lang := range []string{"zh", "ko", "ru", "ar", "el", "he", "th", "hi"} {
		if words[i] > best.n {
			best = scored{words[i], lang}
		}
	}
	if best.n > words[8] && (best.n >= 3 || words[8] == 0) {
		switch best.lang {
		case "zh":
			// Any real share of kana means Japanese; Chinese has none.
			if kana*20 > han+kana {
				return "ja"
			}
		case "ru":
			if ukr*100 > cyr {
				return "uk"
			}
		case "ar":
			if persian*100 > arabic {
				return "fa"
			}
		}
		return best.lang
	}
	return latinLanguage(text)
}

// pageLanguage is the language of an article: its text, with the headline
// and the first paragraph counted twice, because a page says first what it
// is (a Chinese statement followed by an English summary is Chinese).
func pageLanguage(title, text string) string {
	first, _, _ := strings.Cut(text, "\n\n")
	return Language(title + "\n" + first + "\n" + text)
}

// sampleText returns text, or up to limit bytes of it taken from its
// start, middle and end (runes cut in half are dropped).
func sampleText(text string, limit int) string {
	if len(text) <= limit {
		return text
	}
	part := limit / 3
	mid := len(text)/2 - part/2
	return strings.ToValidUTF8(text[:part]+" "+text[mid:mid+part]+" "+text[len(text)-part:], "")
}

func latinLanguage(text string) string {
	scores := make(map[string]int)
	words := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	}) {
		words++
		for _, lang := range stopwordIndex[strings.Trim(w, "'")] {
			scores[lang]++
		}
		if i := strings.IndexByte(w, '\''); i > 0 { // l'enquête, d'un
			if w[:i] == "l" || w[:i] == "d" || w[:i] == "qu" || w[:i] == "n" {
				scores["fr"]++
			}
		}
	}
	if words < 5 {
		return ""
	}
	var best, second string
	for lang, n := range scores {
		switch {
		case best == "" || n > scores[best] || (n == scores[best] && lang < best):
			second, best = best, lang
		case second == "" || n > scores[second] || (n == scores[second] && lang < second):
			second = lang
		}
	}
	if best == "" {
		return ""
	}
	top, runner := scores[best], scores[second]
	// Require a minimum of evidence and a clear margin over the runner-up.
	if top < 3 || top*100 < words*8 || top*4 < runner*5 {
		return ""
	}
	return best
}
