package crawler

import (
	"testing"
	"time"
)

func TestParseFeedDate(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	century := time.Now().Year() / 100 * 100
	tests := []struct {
		in   string
		want time.Time // zero: must not parse
	}{
		// RFC 822 and what feeds make of it.
		{"Thu, 01 Jan 2004 19:48:21 GMT", utc(2004, 1, 1, 19, 48, 21)},
		{"Thu, 1 Jan 2004 19:48:21 +0200", utc(2004, 1, 1, 17, 48, 21)},
		{"Thu,01 Jan 2004 19:48:21 -05:00", utc(2004, 1, 2, 0, 48, 21)},
		{"01 Jan 2004 19:48 EST", utc(2004, 1, 2, 0, 48, 0)},
		{"Thu, 01 Jan 04 19:48:21 PDT", utc(2004, 1, 2, 2, 48, 21)},
		{"Fri, 31 Dec 99 23:00:00 GMT", utc(1999, 12, 31, 23, 0, 0)},
		{"Thu, 01 Jan 2004", utc(2004, 1, 1, 0, 0, 0)},
		{"Jan 01 2004 10:00:00 GMT", utc(2004, 1, 1, 10, 0, 0)},
		{"Thu, 01 January 2004 10:00:00 GMT+01:00", utc(2004, 1, 1, 9, 0, 0)},
		{"Thu, 01 Jan 2004 10:00:00 Etc/GMT", utc(2004, 1, 1, 10, 0, 0)},
		{"Thu, 01 Jan 2004 10:00:00 +0100 (CET)", utc(2004, 1, 1, 9, 0, 0)},
		{"Thu, 01 Jan 2004 10:00:00 A", utc(2004, 1, 1, 11, 0, 0)},   // military: UTC-1
		{"Thu, 01 Jan 2004 10:00:00 N", utc(2004, 1, 1, 9, 0, 0)},    // military: UTC+1
		{"Thu, 01 Jan 2004 10:00:00 Y", utc(2003, 12, 31, 22, 0, 0)}, // military: UTC+12
		{"Thu, 01 Jan 2004 10:00:00 Z", utc(2004, 1, 1, 10, 0, 0)},
		{"Thu, 01 Jan 2004 10:00:00 XYZ", utc(2004, 1, 1, 10, 0, 0)}, // unknown zone: kept as UTC
		{"Thu, 01 Jan 2004 10:00:00.250 +0000", utc(2004, 1, 1, 10, 0, 0)},
		{"January 5, 2004 10:00 pm", utc(2004, 1, 5, 22, 0, 0)},
		// asctime and slash dates.
		{"Sun Jan  4 16:29:06 PST 2004", utc(2004, 1, 5, 0, 29, 6)},
		{"Sun Jan 4 16:29:06 2004", utc(2004, 1, 4, 16, 29, 6)},
		{"Fri, 2006/09/15 08:19:53 EDT", utc(2006, 9, 15, 12, 19, 53)},
		// W3C-DTF and RFC 3339.
		{"2003-12-31T10:14:55Z", utc(2003, 12, 31, 10, 14, 55)},
		{"2003-12-31T10:14:55.12-08:00", utc(2003, 12, 31, 18, 14, 55)},
		{"2003-12-31T10:14:55+0100", utc(2003, 12, 31, 9, 14, 55)},
		{"2003-12-31t10:14z", utc(2003, 12, 31, 10, 14, 0)},
		{"2003-12-31 10:14:55", utc(2003, 12, 31, 10, 14, 55)},
		{"2003-12-31 10:14:55 EST", utc(2003, 12, 31, 15, 14, 55)},
		{"2003-12-31", utc(2003, 12, 31, 0, 0, 0)},
		{"2003-12", utc(2003, 12, 1, 0, 0, 0)},
		{"2003", utc(2003, 1, 1, 0, 0, 0)},
		// ISO 8601 beyond W3C-DTF.
		{"20031231", utc(2003, 12, 31, 0, 0, 0)},
		{"20031231T101455Z", utc(2003, 12, 31, 10, 14, 55)},
		{"2003-365", utc(2003, 12, 31, 0, 0, 0)},
		{"2004366T12:00Z", utc(2004, 12, 31, 12, 0, 0)},
		{"2004-W01-1", utc(2003, 12, 29, 0, 0, 0)},
		{"2004W534", utc(2004, 12, 30, 0, 0, 0)},
		{"2009-W01-1T10:00:00+01:00", utc(2008, 12, 29, 9, 0, 0)},
		{"03-12-31", utc(century+3, 12, 31, 0, 0, 0)},
		// Other languages.
		{"Κυρ, 11 Ιούλ 2004 12:00:00 EST", utc(2004, 7, 11, 17, 0, 0)},
		{"Τρι, 02 Μάρ 2004 08:00:00 +0200", utc(2004, 3, 2, 6, 0, 0)},
		{"2004-július-3T13:40+02:00", utc(2004, 7, 3, 11, 40, 0)},
		{"2004-október-13T9:05+01:00", utc(2004, 10, 13, 8, 5, 0)},
		{"2004년 05월 28일 01:31:15", utc(2004, 5, 27, 16, 31, 15)},
		{"2004-05-25 오후 11:23:17", utc(2004, 5, 25, 14, 23, 17)},
		{"2004-05-25 오전 11:23:17", utc(2004, 5, 25, 2, 23, 17)},
		{"lun., 5 janv. 2004 10:00:00 +0100", utc(2004, 1, 5, 9, 0, 0)},
		{"Mo, 5. Januar 2004 10:00:00 +0100", utc(2004, 1, 5, 9, 0, 0)},
		// Not dates.
		{"", time.Time{}},
		{"yesterday", time.Time{}},
		{"Thu, 31 Feb 2004 10:00:00 GMT", time.Time{}},
		{"2004-13-01", time.Time{}},
		{"2004-02-30T10:00:00Z", time.Time{}},
		{"2004-W60", time.Time{}},
		{"10:00:00", time.Time{}},
		{"Thu, 01 Jan 2004 10:00:00 +9999", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := parseFeedDate(tt.in)
		switch {
		case tt.want.IsZero() && ok:
			t.Errorf("parseFeedDate(%q) = %v, want no date", tt.in, got)
		case !tt.want.IsZero() && !ok:
			t.Errorf("parseFeedDate(%q) failed, want %v", tt.in, tt.want)
		case ok && (!got.Equal(tt.want) || got.Location() != time.UTC):
			t.Errorf("parseFeedDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzParseFeedDate: any string either fails or gives a UTC time that
// formats and re-reads as itself.
func FuzzParseFeedDate(f *testing.F) {
	for _, s := range []string{"Thu, 01 Jan 2004 19:48:21 GMT", "2004-W53-7T24:00Z", "2004년 05월 28일 01:31:15", "Κυρ, 11 Ιούλ 2004 12:00:00 EST", "20040105T1014+0100", "1:2:3 4 5 jan"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseFeedDate(s)
		if !ok {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("%q: %v not UTC", s, got)
		}
		back, ok := parseFeedDate(got.Format(time.RFC3339))
		if !ok || !back.Equal(got) {
			t.Fatalf("%q: %v does not round-trip (%v)", s, got, back)
		}
	})
}
