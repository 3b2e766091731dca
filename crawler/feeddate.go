package crawler

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// parseFeedDate reads a date as feeds write them and returns it in UTC:
//
//   - W3C-DTF / RFC 3339 and its relatives: 2004-01-05, 2004-01,
//     2004-01-05T10:14:55.5+01:00, 2004-01-05 10:14 (a space for the T), a
//     zone name after the time ("2004-01-05T10:14:55 EST");
//   - ISO 8601 basic and other forms: 20040105, 20040105T101455Z, ordinal
//     dates (2004-005, 2004005), week dates (2004-W02-1, 2004W021) and
//     two-digit years (04-01-05);
//   - RFC 822 and the many ways feeds bend it: with or without the day name
//     (also "Mon,5 Jan"), day and month in either order, two-digit years,
//     no seconds, no time at all, numeric zones with or without a colon,
//     "GMT+01:00", "Etc/GMT", North American and other common zone names,
//     RFC 822's single-letter military zones; asctime ("Mon Jan  5 10:14:55
//     2004"); slash dates ("2004/01/05 10:14:55 EDT");
//   - month and day names in other languages: Greek ("Κυρ, 11 Ιούλ 2004"),
//     Hungarian ("2004-július-3T13:40+02:00"), and the major Western
//     European languages;
//   - Korean blog formats ("2004년 05월 28일 01:31:15",
//     "2004-05-25 오후 11:23:17"), which carry no zone and are Korea time.
//
// A date without a zone is taken as UTC, a date without a time as midnight.
// The forms are the ones feedparser's date handlers accept, written anew.
func parseFeedDate(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || len(s) > 96 {
		return time.Time{}, false
	}
	for _, parse := range []func(string) (time.Time, bool){parseW3CDTF, parseISO8601, parseKorean, parseNamedDate} {
		if t, ok := parse(s); ok {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// rxW3CDTF: year, month, day, then an optional time with optional seconds,
// fraction and zone. The zone may follow a space ("2004-01-05 10:14 +0100").
var rxW3CDTF = regexp.MustCompile(`(?i)^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?` +
	`(?:(?:t|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(z|[+-]\d{1,2}(?::?\d{2})?|[a-z][a-z/+\-:0-9]{0,15})?)?$`)

func parseW3CDTF(s string) (time.Time, bool) {
	// Hungarian and similar feeds write the month as a word between dashes.
	if m := rxWordMonth.FindStringSubmatch(s); m != nil {
		mo, ok := monthByName(m[2])
		if !ok {
			return time.Time{}, false
		}
		s = m[1] + "-" + strconv.Itoa(int(mo)) + "-" + m[3] + m[4]
	}
	m := rxW3CDTF.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	y := atoi(m[1])
	mo, d := 1, 1
	if m[2] != "" {
		mo = atoi(m[2])
	}
	if m[3] != "" {
		d = atoi(m[3])
	}
	var h, mi, sec int
	if m[4] != "" {
		h, mi = atoi(m[4]), atoi(m[5])
		if m[6] != "" {
			sec = atoi(m[6])
		}
	}
	off, ok := zoneOffset(m[7])
	if !ok {
		return time.Time{}, false
	}
	return makeDate(y, mo, d, h, mi, sec, off)
}

var (
	rxWordMonth = regexp.MustCompile(`^(\d{4})-(\pL+)-(\d{1,2})(.*)$`)
	rxComment   = regexp.MustCompile(`\([^)]*\)`)
)

// ISO 8601 forms W3C-DTF does not cover. A two-digit year is in the current
// century, as ISO 8601 says.
var (
	rxISOWeek    = regexp.MustCompile(`(?i)^(\d{4})-?w(\d{2})(?:-?([1-7]))?` + isoTime + `$`)
	rxISOOrdinal = regexp.MustCompile(`(?i)^(\d{4})-?(\d{3})` + isoTime + `$`)
	rxISOBasic   = regexp.MustCompile(`(?i)^(\d{4})(\d{2})(\d{2})` + isoTime + `$`)
	rxISOShort   = regexp.MustCompile(`(?i)^(\d{2})-(\d{2})-(\d{2})` + isoTime + `$`)
)

// isoTime: an optional time of day, extended or basic, with an optional zone.
const isoTime = `(?:t?(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?(z|[+-]\d{2}(?::?\d{2})?)?)?`

func parseISO8601(s string) (time.Time, bool) {
	timeOf := func(m []string) (h, mi, sec, off int, ok bool) {
		if m[0] != "" {
			h, mi = atoi(m[0]), atoi(m[1])
		}
		if m[2] != "" {
			sec = atoi(m[2])
		}
		off, ok = zoneOffset(m[3])
		return
	}
	if m := rxISOWeek.FindStringSubmatch(s); m != nil {
		y, w, wd := atoi(m[1]), atoi(m[2]), 1
		if m[3] != "" {
			wd = atoi(m[3])
		}
		if w < 1 || w > 53 {
			return time.Time{}, false
		}
		h, mi, sec, off, ok := timeOf(m[4:])
		if !ok {
			return time.Time{}, false
		}
		// Week 1 is the week with the year's first Thursday; its Monday is
		// at most three days before 4 January.
		jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		day := monday.AddDate(0, 0, (w-1)*7+wd-1)
		return makeDate(day.Year(), int(day.Month()), day.Day(), h, mi, sec, off)
	}
	if m := rxISOOrdinal.FindStringSubmatch(s); m != nil {
		y, n := atoi(m[1]), atoi(m[2])
		h, mi, sec, off, ok := timeOf(m[3:])
		if !ok || n < 1 || n > 366 {
			return time.Time{}, false
		}
		day := time.Date(y, time.January, n, 0, 0, 0, 0, time.UTC)
		if day.Year() != y {
			return time.Time{}, false
		}
		return makeDate(y, int(day.Month()), day.Day(), h, mi, sec, off)
	}
	for _, rx := range []*regexp.Regexp{rxISOBasic, rxISOShort} {
		if m := rx.FindStringSubmatch(s); m != nil {
			y := atoi(m[1])
			if len(m[1]) == 2 {
				y += time.Now().Year() / 100 * 100
			}
			h, mi, sec, off, ok := timeOf(m[4:])
			if !ok {
				return time.Time{}, false
			}
			return makeDate(y, atoi(m[2]), atoi(m[3]), h, mi, sec, off)
		}
	}
	return time.Time{}, false
}

// Korean blogs write "2004년 05월 28일 01:31:15" (year, month, day markers)
// or "2004-05-25 오후 11:23:17" (오전 = a.m., 오후 = p.m.), always in Korea
// time (UTC+9) and without saying so.
var (
	rxKoreanMarkers = regexp.MustCompile(`^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일\s*(?:(\d{1,2}):(\d{2})(?::(\d{2}))?)?$`)
	rxKoreanAMPM    = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})\s+(오전|오후)\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$`)
)

const koreaOffset = 9 * 3600

func parseKorean(s string) (time.Time, bool) {
	if m := rxKoreanMarkers.FindStringSubmatch(s); m != nil {
		return makeDate(atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6]), koreaOffset)
	}
	if m := rxKoreanAMPM.FindStringSubmatch(s); m != nil {
		h := atoi(m[5])
		if m[4] == "오후" && h < 12 {
			h += 12
		} else if m[4] == "오전" && h == 12 {
			h = 0
		}
		return makeDate(atoi(m[1]), atoi(m[2]), atoi(m[3]), h, atoi(m[6]), atoi(m[7]), koreaOffset)
	}
	return time.Time{}, false
}

// parseNamedDate reads dates with a month name: RFC 822 and its variants,
// asctime, and the same shapes in other languages. It works on tokens, so
// the order of the parts may vary as it does in real feeds.
func parseNamedDate(s string) (time.Time, bool) {
	s = rxComment.ReplaceAllString(s, " ") // "+0100 (CET)"
	toks := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	var (
		y, mo, d       = -1, -1, -1
		h, mi, sec     int
		haveTime, pm   bool
		am             bool
		off            int
		haveZone       bool
		numbers        []string
		slashDateFound bool
	)
	for i, tok := range toks {
		low := strings.ToLower(tok)
		switch {
		case strings.Contains(tok, ":") && isDigit(tok[0]) && !haveTime:
			parts := strings.Split(tok, ":")
			if len(parts) < 2 || len(parts) > 3 {
				return time.Time{}, false
			}
			// A zone glued to the time: "10:14:55Z", "10:14:55+0100".
			last := parts[len(parts)-1]
			if j := strings.IndexFunc(last, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' }); j > 0 {
				o, ok := zoneOffset(last[j:])
				if !ok {
					return time.Time{}, false
				}
				off, haveZone = o, true
				parts[len(parts)-1] = last[:j]
			}
			for k, p := range parts {
				if k == 2 {
					p, _, _ = strings.Cut(p, ".")
				}
				n, err := strconv.Atoi(p)
				if err != nil {
					return time.Time{}, false
				}
				switch k {
				case 0:
					h = n
				case 1:
					mi = n
				case 2:
					sec = n
				}
			}
			haveTime = true
		case strings.Count(tok, "/") == 2 && isDigit(tok[0]):
			// Perforce and others: 2006/09/15.
			parts := strings.Split(tok, "/")
			if len(parts[0]) != 4 {
				return time.Time{}, false
			}
			y, mo, d = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
			slashDateFound = true
		case low == "am" || low == "a.m.":
			am = true
		case low == "pm" || low == "p.m.":
			pm = true
		case isAllDigits(strings.TrimSuffix(tok, ".")):
			numbers = append(numbers, strings.TrimSuffix(tok, "."))
		case (tok[0] == '+' || tok[0] == '-') && i > 0:
			o, ok := zoneOffset(tok)
			if !ok {
				return time.Time{}, false
			}
			off, haveZone = o, true
		default:
			word := strings.TrimSuffix(low, ".")
			if m, ok := monthByName(word); ok && mo < 0 {
				mo = int(m)
				continue
			}
			if isWeekday(word) {
				continue
			}
			// "Fri,24" without a space was split at the comma already; a
			// zone is the only other word a date may carry.
			if !haveZone && (haveTime || i == len(toks)-1) {
				if o, ok := zoneOffset(tok); ok {
					off, haveZone = o, true
					continue
				}
				// An unknown zone name after the time ("IDT", "WAST"): the
				// time is kept as UTC rather than the whole date lost.
				if haveTime && len(tok) <= 5 && strings.IndexFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
					haveZone = true
					continue
				}
			}
			return time.Time{}, false
		}
	}
	if !slashDateFound {
		if mo < 0 {
			return time.Time{}, false
		}
		// The numbers are a day and a year, in either order: the year is
		// the one with four digits, or the later one.
		switch len(numbers) {
		case 2:
			a, b := numbers[0], numbers[1]
			switch {
			case len(a) == 4:
				y, d = atoi(a), atoi(b)
			default:
				d, y = atoi(a), atoi(b)
				if len(b) <= 2 {
					y = twoDigitYear(y)
				}
			}
		default:
			return time.Time{}, false
		}
	}
	if pm && h < 12 {
		h += 12
	} else if am && h == 12 {
		h = 0
	}
	return makeDate(y, mo, d, h, mi, sec, off)
}

// twoDigitYear reads RFC 822's two-digit years: 90–99 are the 1990s, the
// rest this century, as feedparser does.
func twoDigitYear(y int) int {
	if y >= 90 {
		return 1900 + y
	}
	return 2000 + y
}

// makeDate builds the instant, rejecting impossible dates (31 April, 25:00).
func makeDate(y, mo, d, h, mi, sec, offset int) (time.Time, bool) {
	if y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	if sec == 60 { // a leap second
		sec = 59
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.FixedZone("", offset))
	if t.Day() != d && h != 24 {
		return time.Time{}, false
	}
	// The zone may carry 0001-01-01 into year 0 or 9999-12-31 into 10000,
	// which RFC 3339 cannot write.
	if u := t.UTC(); u.Year() < 1 || u.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

// zoneOffset reads a zone: "", "Z", "+0100", "+01:00", "+01", "-5",
// "GMT", "GMT+01:00", "UTC-5", "Etc/GMT", a zone abbreviation, or a
// military letter. An unknown word is not a zone.
func zoneOffset(z string) (int, bool) {
	z = strings.TrimSpace(z)
	if z == "" {
		return 0, true
	}
	low := strings.ToLower(z)
	low = strings.TrimPrefix(low, "etc/")
	for _, prefix := range []string{"gmt", "utc", "ut"} {
		if rest, ok := strings.CutPrefix(low, prefix); ok && rest != "" && (rest[0] == '+' || rest[0] == '-') {
			low = rest
			break
		}
	}
	if low[0] == '+' || low[0] == '-' {
		digits := strings.ReplaceAll(low[1:], ":", "")
		if !isAllDigits(digits) || len(digits) == 0 || len(digits) > 4 {
			return 0, false
		}
		var hh, mm int
		switch len(digits) {
		case 1, 2:
			hh = atoi(digits)
		case 3:
			hh, mm = atoi(digits[:1]), atoi(digits[1:])
		case 4:
			hh, mm = atoi(digits[:2]), atoi(digits[2:])
		}
		if hh > 14 || mm > 59 {
			return 0, false
		}
		off := hh*3600 + mm*60
		if low[0] == '-' {
			off = -off
		}
		return off, true
	}
	if h, ok := zoneNames[low]; ok {
		return int(h * 3600), true
	}
	if len(low) == 1 && low[0] >= 'a' && low[0] <= 'z' && low[0] != 'j' {
		// RFC 822 section 5: A–M (without J) are -1 to -12 hours, N–Y +1 to
		// +12, Z is UT. RFC 1123 notes senders got the signs wrong, but the
		// letters are rare enough that following the text is as good as any.
		c := int(low[0])
		switch {
		case c == 'z':
			return 0, true
		case c <= 'i':
			return -(c - 'a' + 1) * 3600, true
		case c <= 'm':
			return -(c - 'a') * 3600, true
		default:
			return (c - 'n' + 1) * 3600, true
		}
	}
	return 0, false
}

// zoneNames are the zone abbreviations feeds use, in hours east of UTC.
// Ambiguous ones (IST, CST in China) take their most common meaning in
// English-language feeds.
var zoneNames = map[string]float64{
	"z": 0, "ut": 0, "utc": 0, "gmt": 0, "wet": 0,
	"bst": 1, "cet": 1, "met": 1, "wat": 1, "west": 1, "ist": 5.5,
	"cest": 2, "mest": 2, "eet": 2, "sast": 2, "eest": 3, "msk": 3,
	"pkt": 5, "ict": 7, "wib": 7, "hkt": 8, "sgt": 8, "awst": 8, "jst": 9, "kst": 9,
	"acst": 9.5, "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13,
	"at": -4, "ast": -4, "adt": -3, "nst": -3.5, "ndt": -2.5,
	"et": -5, "est": -5, "edt": -4, "ct": -6, "cst": -6, "cdt": -5,
	"mt": -7, "mst": -7, "mdt": -6, "pt": -8, "pst": -8, "pdt": -7,
	"akst": -9, "akdt": -8, "hst": -10,
}

// monthNames maps month names and their usual abbreviations, lower-case and
// without accents, in English, Greek, Hungarian and the major Western
// European languages, to months.
var monthNames = func() map[string]time.Month {
	out := map[string]time.Month{}
	for m, names := range map[time.Month][]string{
		time.January:   {"january", "jan", "janvier", "janv", "januar", "jan", "janner", "enero", "ene", "gennaio", "gen", "janeiro", "januari", "ιανουαριος", "ιανουαριου", "ιαν", "januar"},
		time.February:  {"february", "feb", "fevrier", "fevr", "fev", "februar", "febrero", "febbraio", "fevereiro", "februari", "φεβρουαριος", "φεβρουαριου", "φεβ", "februari"},
		time.March:     {"march", "mar", "mars", "marz", "maerz", "marzo", "marco", "maart", "mrt", "μαρτιος", "μαρτιου", "μαρ", "μαω", "marcius"},
		time.April:     {"april", "apr", "avril", "avr", "abril", "abr", "aprile", "απριλιος", "απριλιου", "απρ", "aprilis"},
		time.May:       {"may", "mai", "mayo", "maggio", "mag", "maio", "mei", "μαιος", "μαιου", "μαι", "majus", "maujus"},
		time.June:      {"june", "jun", "juin", "juni", "junio", "giugno", "giu", "junho", "ιουνιος", "ιουνιου", "ιουν", "ιον", "junius"},
		time.July:      {"july", "jul", "juillet", "juil", "juli", "julio", "luglio", "lug", "julho", "ιουλιος", "ιουλιου", "ιουλ", "ιολ", "julius"},
		time.August:    {"august", "aug", "aout", "agosto", "ago", "augustus", "αυγουστος", "αυγουστου", "αυγ", "augusztus"},
		time.September: {"september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro", "σεπτεμβριος", "σεπτεμβριου", "σεπ", "szeptember"},
		time.October:   {"october", "oct", "octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro", "out", "οκτωβριος", "οκτωβριου", "οκτ", "oktober"},
		time.November:  {"november", "nov", "novembre", "noviembre", "novembro", "νοεμβριος", "νοεμβριου", "νοε", "november"},
		time.December:  {"december", "dec", "decembre", "dezember", "dez", "diciembre", "dic", "dicembre", "dezembro", "δεκεμβριος", "δεκεμβριου", "δεκ", "december"},
	} {
		for _, n := range names {
			out[n] = m
		}
	}
	return out
}()

// weekdayNames are day names and abbreviations, folded like monthNames. A
// date's day name is only skipped, never checked against the date. ("mar",
// Tuesday in French and Spanish, is left out: it is March far more often.)
var weekdayNames = func() map[string]bool {
	out := map[string]bool{}
	for _, n := range strings.Fields(`monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday sat sunday sun
		lundi lun mardi mercredi mer jeudi jeu vendredi ven samedi sam dimanche dim
		montag mo dienstag di mittwoch mi donnerstag do freitag fr samstag sa sonntag so
		lunes martes miercoles mie jueves jue viernes vie sabado sab domingo dom
		κυριακη κυρ δευτερα δευ τριτη τρι τεταρτη τετ πεμπτη πεμ παρασκευη παρ σαββατο σαβ
		hetfo kedd szerda csutortok pentek szombat vasarnap`) {
		out[n] = true
	}
	return out
}()

// fold lower-cases a word and removes its accents (é → e, ά → α, ü → u), so
// names match however a feed spells them.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func monthByName(word string) (time.Month, bool) {
	m, ok := monthNames[fold(word)]
	return m, ok
}

func isWeekday(word string) bool { return weekdayNames[fold(word)] }

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi is strconv.Atoi for strings a regexp has already checked; "" is 0.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
