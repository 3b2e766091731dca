package extract

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file reads calendar dates written for people ("3. März 2019",
// "12 de junio de 2021", "3 марта 2020 г.", "2019年3月3日", "Sept. 3, 2025",
// "22.04.2024") with a small tokenizer instead of regular expressions: Go's
// \b only knows ASCII word characters, so regexes miss dates in Cyrillic or
// next to CJK characters, and one pass over tokens is faster than a dozen
// regexes over the same string.

// dateOrder says how to read an ambiguous numeric date such as 04/05/2024.
type dateOrder int

const (
	orderUnknown    dateOrder = iota // skip ambiguous dates
	orderDayFirst                    // 04/05/2024 is 4 May (most of the world)
	orderMonthFirst                  // 04/05/2024 is 5 April (the United States)
)

// months maps month names and abbreviations to months, in the languages
// whose pages the crawler meets (en, fr, de, es, it, pt, nl, ru, uk, pl, tr,
// the Scandinavian languages), genitive forms included.
var months = func() map[string]time.Month {
	out := make(map[string]time.Month)
	for m, names := range map[time.Month][]string{
		time.January: {"january", "jan", "janvier", "janv", "januar", "jän", "jänner", "enero", "ene", "gennaio", "gen", "janeiro", "januari",
			"январь", "января", "янв", "січень", "січня", "styczeń", "stycznia", "sty", "ocak", "tammikuuta"},
		time.February: {"february", "feb", "février", "fevrier", "févr", "fév", "fevr", "februar", "febrero", "febbraio", "fevereiro", "fev", "februari",
			"февраль", "февраля", "фев", "февр", "лютий", "лютого", "luty", "lutego", "lut", "şubat", "subat"},
		time.March: {"march", "mar", "mars", "märz", "maerz", "mär", "marzo", "março", "marco", "maart", "mrt",
			"март", "марта", "мар", "березень", "березня", "marzec", "marca", "mart"},
		time.April: {"april", "apr", "avril", "avr", "abril", "abr", "aprile", "апрель", "апреля", "апр", "квітень", "квітня",
			"kwiecień", "kwietnia", "kwi", "nisan"},
		time.May: {"may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maj", "май", "мая", "травень", "травня", "maja", "mayıs", "mayis"},
		time.June: {"june", "jun", "juin", "juni", "junio", "giugno", "giu", "junho", "июнь", "июня", "июн", "червень", "червня",
			"czerwiec", "czerwca", "cze", "haziran"},
		time.July: {"july", "jul", "juillet", "juil", "juli", "julio", "luglio", "lug", "julho", "июль", "июля", "июл", "липень", "липня",
			"lipiec", "lipca", "lip", "temmuz"},
		time.August: {"august", "aug", "août", "aout", "agosto", "ago", "augustus", "augusti", "август", "августа", "авг", "серпень", "серпня",
			"sierpień", "sierpnia", "sie", "ağustos", "agustos"},
		time.September: {"september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro", "сентябрь", "сентября", "сен", "сент",
			"вересень", "вересня", "wrzesień", "września", "wrz", "eylül", "eylul"},
		time.October: {"october", "oct", "octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro", "out", "октябрь", "октября", "окт",
			"жовтень", "жовтня", "październik", "października", "paź", "ekim"},
		time.November: {"november", "nov", "novembre", "noviembre", "novembro", "ноябрь", "ноября", "ноя", "нояб", "листопад", "листопада",
			"listopad", "listopada", "lis", "kasım", "kasim"},
		time.December: {"december", "dec", "décembre", "decembre", "déc", "dezember", "dez", "diciembre", "dic", "dicembre", "dezembro",
			"декабрь", "декабря", "дек", "грудень", "грудня", "grudzień", "grudnia", "gru", "aralık", "aralik"},
	} {
		for _, n := range names {
			out[n] = m
		}
	}
	// More languages, in the forms their dates are written in: Arabic
	// (the Egyptian and Gulf names, and the single-word Levantine ones; the
	// two-word ones are in monthPairs), Persian (Gregorian months), Greek
	// and Czech (genitive), Hungarian, Romanian, Indonesian, Serbian and
	// Bosnian (Latin script), Finnish (partitive), Norwegian, Catalan and
	// Hindi. A name shared by two languages must mean the same month
	// (Croatian is left out: its "listopad" is October, Polish November).
	for m, names := range map[time.Month][]string{
		time.January: {"يناير", "ژانویه", "ιανουαρίου", "ιανουάριος", "ledna", "leden", "január", "ianuarie", "januar",
			"जनवरी", "gener"},
		time.February: {"فبراير", "شباط", "فوریه", "φεβρουαρίου", "φεβρουάριος", "února", "únor", "február", "februarie",
			"helmikuuta", "फ़रवरी", "फरवरी", "febrer"},
		time.March: {"مارس", "آذار", "μαρτίου", "μάρτιος", "března", "březen", "március", "martie", "maret", "maaliskuuta",
			"मार्च", "març"},
		time.April: {"أبريل", "إبريل", "ابريل", "نيسان", "آوریل", "απριλίου", "απρίλιος", "dubna", "duben", "április",
			"aprilie", "huhtikuuta", "अप्रैल"},
		time.May: {"مايو", "أيار", "ايار", "مه", "μαΐου", "μαΐου", "μάιος", "května", "květen", "május", "toukokuuta", "मई",
			"maig"},
		time.June: {"يونيو", "يونيه", "حزيران", "ژوئن", "ιουνίου", "ιούνιος", "června", "červen", "június", "iunie",
			"kesäkuuta", "जून", "juny"},
		time.July: {"يوليو", "يوليه", "تموز", "ژوئیه", "ιουλίου", "ιούλιος", "července", "červenec", "július", "iulie",
			"heinäkuuta", "जुलाई", "juliol"},
		time.August: {"أغسطس", "اغسطس", "آب", "اوت", "αυγούστου", "αύγουστος", "srpna", "srpen", "augusztus", "agustus",
			"avgust", "elokuuta", "अगस्त", "agost"},
		time.September: {"سبتمبر", "أيلول", "ايلول", "سپتامبر", "σεπτεμβρίου", "σεπτέμβριος", "září", "szeptember",
			"septembrie", "septembar", "syyskuuta", "सितंबर", "सितम्बर", "setembre"},
		time.October: {"أكتوبر", "اكتوبر", "اکتبر", "οκτωβρίου", "οκτώβριος", "října", "říjen", "október", "octombrie",
			"oktobar", "lokakuuta", "अक्टूबर", "अक्तूबर"},
		time.November: {"نوفمبر", "نوامبر", "νοεμβρίου", "νοέμβριος", "listopadu", "noiembrie", "novembar", "marraskuuta",
			"नवंबर", "नवम्बर", "novembre"},
		time.December: {"ديسمبر", "دسامبر", "δεκεμβρίου", "δεκέμβριος", "prosince", "prosinec", "decembrie", "decembar",
			"desember", "joulukuuta", "दिसंबर", "दिसम्बर", "desembre"},
	} {
		for _, n := range names {
			if prev, dup := out[n]; dup && prev != m {
				panic("extract: month name " + n + " names two months")
			}
			out[n] = m
		}
	}
	return out
}()

// monthPairs are month names written as two words: the Levantine Arabic
// months "كانون الثاني" (January), "تشرين الأول" (October) and so on.
var monthPairs = map[[2]string]time.Month{
	{"كانون", "الثاني"}: time.January, {"تشرين", "الأول"}: time.October,
	{"تشرين", "الثاني"}: time.November, {"كانون", "الأول"}: time.December,
}

// dayWords may stand between a day number and its month ("1st", "1er",
// "3º", "12 de junio"), yearWords between a month and its year or after the
// year ("de 2021", "2020 г.", "2020 року").
var (
	ordinalSuffix = map[string]bool{"st": true, "nd": true, "rd": true, "th": true, "er": true, "e": true, "º": true, "ª": true, "o": true, "a": true}
	linkWords     = map[string]bool{"de": true, "del": true, "of": true}
)

type dtoken struct {
	kind  byte // 'n' number, 'w' word, 'p' punctuation
	s     string
	n     int // value of a number
	ndig  int // digits of a number
	pos   int // byte offset in the input
	space bool
}

// maxDateScan bounds the text one call looks at.
const maxDateScan = 4096

func dateTokens(s string) []dtoken {
	if len(s) > maxDateScan {
		s = s[:maxDateScan]
	}
	var out []dtoken
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '0' && r <= '9':
			j, n := i, 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				if j-i < 9 {
					n = n*10 + int(s[j]-'0')
				}
				j++
			}
			out = append(out, dtoken{kind: 'n', s: s[i:j], n: n, ndig: j - i, pos: i, space: space})
			i, space = j, false
		case r >= 0x0660 && r <= 0x06F9 && easternDigit(r) >= 0:
			// Arabic-Indic and Persian digits (٢٠٢٠, ۱۳۹۹).
			j, n, nd := i, 0, 0
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				v := easternDigit(r2)
				if v < 0 {
					break
				}
				if nd < 9 {
					n = n*10 + v
				}
				nd++
				j += sz
			}
			out = append(out, dtoken{kind: 'n', s: s[i:j], n: n, ndig: nd, pos: i, space: space})
			i, space = j, false
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r):
			// One ideograph or syllable per token: 年, 月, 日, 년, 월, 일
			// are units, whatever follows them.
			out = append(out, dtoken{kind: 'w', s: string(r), pos: i, space: space})
			i, space = i+size, false
		case unicode.IsLetter(r) || r == 'º' || r == 'ª':
			j := i
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !(unicode.IsLetter(r2) || unicode.IsMark(r2)) || unicode.Is(unicode.Han, r2) || unicode.Is(unicode.Hangul, r2) {
					break
				}
				j += sz
			}
			if j == i {
				j = i + size
			}
			out = append(out, dtoken{kind: 'w', s: strings.ToLower(s[i:j]), pos: i, space: space})
			i, space = j, false
		case unicode.IsSpace(r):
			i, space = i+size, true
		default:
			out = append(out, dtoken{kind: 'p', s: string(r), pos: i, space: space})
			i, space = i+size, false
		}
	}
	return out
}

// easternDigit is the value of an Arabic-Indic (U+0660-0669) or Persian
// (U+06F0-06F9) digit, or -1.
func easternDigit(r rune) int {
	switch {
	case r >= 0x0660 && r <= 0x0669:
		return int(r - 0x0660)
	case r >= 0x06F0 && r <= 0x06F9:
		return int(r - 0x06F0)
	}
	return -1
}

// foundDate is one calendar date found in a text and where it starts.
type foundDate struct {
	t   time.Time
	pos int
}

func validDay(y, m, d int) (time.Time, bool) {
	if y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// textDates returns up to max calendar dates in s in order of appearance,
// each midnight UTC: bylines rarely give a usable zone. Numeric dates whose
// order is ambiguous (04/05/2024) are read with order, or skipped when it
// is orderUnknown.
func textDates(s string, order dateOrder, max int) []foundDate {
	toks := dateTokens(s)
	var out []foundDate
	at := func(i int) *dtoken {
		if i < len(toks) {
			return &toks[i]
		}
		return nil
	}
	isP := func(i int, set string) bool {
		t := at(i)
		return t != nil && t.kind == 'p' && strings.Contains(set, t.s)
	}
	isYear := func(t *dtoken) bool { return t != nil && t.kind == 'n' && t.ndig == 4 }
	// month reads a month name at token i; width is how many tokens it
	// takes.
	month := func(i int) (m time.Month, width int) {
		t := at(i)
		if t == nil || t.kind != 'w' {
			return 0, 0
		}
		if m, ok := months[t.s]; ok {
			return m, 1
		}
		if u := at(i + 1); u != nil && u.kind == 'w' {
			if m, ok := monthPairs[[2]string{t.s, u.s}]; ok {
				return m, 2
			}
		}
		return 0, 0
	}
	for i := 0; i < len(toks) && len(out) < max; i++ {
		t := &toks[i]
		var d foundDate
		matched, next := false, i+1
		switch t.kind {
		case 'n':
			// Day first: 3 March 2020, 3. März 2019, 1er mars 2024,
			// 12 de junio de 2021, 3 марта 2020, 03-Mar-2020.
			if t.ndig <= 2 {
				j := i + 1
				if u := at(j); u != nil && u.kind == 'w' && ordinalSuffix[u.s] && !u.space {
					j++
				}
				if isP(j, ".-/") {
					j++
				}
				if u := at(j); u != nil && u.kind == 'w' && linkWords[u.s] {
					j++
				}
				if m, w := month(j); w > 0 {
					j += w
					if isP(j, ".") {
						j++
					}
					if isP(j, ",-/") {
						j++
					}
					if u := at(j); u != nil && u.kind == 'w' && linkWords[u.s] {
						j++
					}
					if y := at(j); isYear(y) {
						if tm, ok := validDay(y.n, int(m), t.n); ok {
							d, matched, next = foundDate{tm, t.pos}, true, j+1
						}
					}
				}
			}
			if matched {
				break
			}
			// Year first: 2024-04-22, 2024/4/22, 2024.04.22, 2019年3月3日, 2019년 3월 3일,
			// 2020. október 7.
			if isYear(t) {
				j := i + 1
				if u := at(j); u != nil && (u.kind == 'w' && (u.s == "年" || u.s == "년")) {
					mo, dd := at(j+1), at(j+3)
					if mo != nil && mo.kind == 'n' && dd != nil && dd.kind == 'n' {
						if u2 := at(j + 2); u2 != nil && (u2.s == "月" || u2.s == "월") {
							if tm, ok := validDay(t.n, mo.n, dd.n); ok {
								d, matched, next = foundDate{tm, t.pos}, true, j+4
							}
						}
					}
					break
				}
				// Year, month name, day: "2020. október 7." (Hungarian).
				k := j
				if isP(k, ".") {
					k++
				}
				if m, w := month(k); w > 0 {
					if dd := at(k + w); dd != nil && dd.kind == 'n' && dd.ndig <= 2 {
						if tm, ok := validDay(t.n, int(m), dd.n); ok {
							d, matched, next = foundDate{tm, t.pos}, true, k+w+1
						}
					}
					break
				}
				if isP(j, "-/.") {
					sep := toks[j].s
					mo, dd := at(j+1), at(j+3)
					if mo != nil && mo.kind == 'n' && mo.ndig <= 2 && isP(j+2, sep) && dd != nil && dd.kind == 'n' && dd.ndig <= 2 {
						if tm, ok := validDay(t.n, mo.n, dd.n); ok {
							d, matched, next = foundDate{tm, t.pos}, true, j+4
						}
					}
				}
				break
			}
			// Numeric day/month/year: 22.04.2024, 22/04/2024, 04/22/2024.
			if t.ndig <= 2 && isP(i+1, "./-") {
				sep := toks[i+1].s
				b, y := at(i+2), at(i+4)
				if b != nil && b.kind == 'n' && b.ndig <= 2 && isP(i+3, sep) && isYear(y) {
					a := t.n
					day, mon := 0, 0
					switch {
					case sep == ".": // 22.04.2024 is day-first everywhere
						day, mon = a, b.n
					case a > 12:
						day, mon = a, b.n
					case b.n > 12:
						day, mon = b.n, a
					case order == orderDayFirst:
						day, mon = a, b.n
					case order == orderMonthFirst:
						day, mon = b.n, a
					}
					if tm, ok := validDay(y.n, mon, day); ok {
						d, matched, next = foundDate{tm, t.pos}, true, i+5
					}
				}
			}
		case 'w':
			// Month first: April 22, 2024; Sept. 3, 2025; March 3rd 2020.
			if m, w := month(i); w > 0 {
				j := i + w
				if isP(j, ".") {
					j++
				}
				if dd := at(j); dd != nil && dd.kind == 'n' && dd.ndig <= 2 {
					j++
					if u := at(j); u != nil && u.kind == 'w' && ordinalSuffix[u.s] && !u.space {
						j++
					}
					if isP(j, ",") {
						j++
					}
					if y := at(j); isYear(y) {
						if tm, ok := validDay(y.n, int(m), dd.n); ok {
							d, matched, next = foundDate{tm, t.pos}, true, j+1
						}
					}
				}
			}
		}
		if matched {
			// A number glued to the match ("2024-04-221") is not a date.
			if u := at(next); u != nil && u.kind == 'n' && !u.space {
				continue
			}
			out = append(out, d)
			i = next - 1
		}
	}
	return out
}

// parseTextDate finds the first human-written calendar date in s
// ("22 April 2024", "April 22, 2024", "22. März 2024", "2024年4月22日",
// "22.04.2024"). Ambiguous numeric dates such as 04/05/2024 are skipped.
// The result is midnight UTC.
func parseTextDate(s string) (time.Time, bool) {
	return parseTextDateOrder(s, orderUnknown)
}

func parseTextDateOrder(s string, order dateOrder) (time.Time, bool) {
	if ds := textDates(s, order, 1); len(ds) > 0 {
		return ds[0].t, true
	}
	return time.Time{}, false
}
