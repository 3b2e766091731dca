package alert

import (
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		spec, tz string
		want     string // String() of the result, or "error"
	}{
		{"", "", "immediate"},
		{"immediate", "", "immediate"},
		{"hourly", "", "hourly"},
		{"daily", "", "daily@08:00"},
		{"daily@7:30", "Europe/London", "daily@07:30"},
		{"weekly", "", "weekly@mon 08:00"},
		{"weekly@fri 17:05", "", "weekly@fri 17:05"},
		{"Weekly@SUN 23:59", "", "weekly@sun 23:59"},
		{"daily@25:00", "", "error"},
		{"daily@8", "", "error"},
		{"daily@08:5", "", "error"},
		{"weekly@mon", "", "error"},
		{"weekly@someday 08:00", "", "error"},
		{"hourly@08:00", "", "error"},
		{"monthly", "", "error"},
		{"daily", "Mars/Olympus", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.spec+"/"+tt.tz, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec, tt.tz)
			got := s.String()
			if err != nil {
				got = "error"
			}
			if got != tt.want {
				t.Errorf("ParseSchedule(%q, %q) = %s (err %v), want %s", tt.spec, tt.tz, got, err, tt.want)
			}
		})
	}
}

// Europe/London moves to BST on the last Sunday of March (2026-03-29) and back
// on the last Sunday of October (2026-10-25): 08:00 local is 08:00Z in winter
// and 07:00Z in summer.
func TestScheduleNextAcrossDST(t *testing.T) {
	z := func(s string) time.Time {
		t.Helper()
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name, spec, tz string
		after          string
		want           string
	}{
		{"daily before spring change", "daily@08:00", "Europe/London", "2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z"},
		{"daily on spring change day", "daily@08:00", "Europe/London", "2026-03-29T06:59:59Z", "2026-03-29T07:00:00Z"},
		{"daily after spring change", "daily@08:00", "Europe/London", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"},
		{"daily before autumn change", "daily@08:00", "Europe/London", "2026-10-24T07:00:00Z", "2026-10-25T08:00:00Z"},
		{"nonexistent local time moves forward", "daily@01:30", "Europe/London", "2026-03-28T12:00:00Z", "2026-03-29T01:30:00Z"},
		{"ambiguous local time is once", "daily@01:30", "Europe/London", "2026-10-24T12:00:00Z", "2026-10-25T01:30:00Z"},
		{"ambiguous local time next day", "daily@01:30", "Europe/London", "2026-10-25T01:30:00Z", "2026-10-26T01:30:00Z"},
		{"ambiguous local time, first occurrence passed", "daily@01:30", "Europe/London", "2026-10-25T00:45:00Z", "2026-10-26T01:30:00Z"},
		{"weekly across spring change", "weekly@mon 08:00", "Europe/London", "2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"},
		{"weekly across autumn change", "weekly@mon 08:00", "Europe/London", "2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z"},
		{"weekly same day later", "weekly@wed 18:00", "", "2026-03-25T09:00:00Z", "2026-03-25T18:00:00Z"},
		{"hourly over spring gap", "hourly", "Europe/London", "2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z"},
		{"hourly on the hour", "hourly", "", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"},
		{"new york", "daily@08:00", "America/New_York", "2026-03-07T13:00:00Z", "2026-03-08T12:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec, tt.tz)
			if err != nil {
				t.Fatal(err)
			}
			got := s.Next(z(tt.after)).UTC()
			if want := z(tt.want); !got.Equal(want) {
				t.Errorf("Next(%s) = %s, want %s", tt.after, got.Format(time.RFC3339), tt.want)
			}
		})
	}
	if got := (Schedule{}).Next(z("2026-01-01T00:00:00Z")); !got.IsZero() {
		t.Errorf("immediate Next = %v, want zero", got)
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"", "immediate", "hourly", "daily", "daily@08:00", "weekly@mon 08:00", "weekly@sun 23:59",
		"daily@24:00", "weekly@mon", "daily@-1:00", "weekly@fri 7:5", "daily@@", "WEEKLY@TUE 00:00"} {
		f.Add(s, "Europe/London")
	}
	after := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec, tz string) {
		if tz != "" && tz != "Europe/London" && tz != "UTC" {
			tz = "UTC" // loading arbitrary zone names reads files; the spec is what is fuzzed
		}
		s, err := ParseSchedule(spec, tz)
		if err != nil {
			return
		}
		again, err := ParseSchedule(s.String(), tz)
		if err != nil || again.String() != s.String() {
			t.Fatalf("%q parsed as %q, which reparses as %q (%v)", spec, s.String(), again.String(), err)
		}
		if next := s.Next(after); !s.Immediate() && !next.After(after) {
			t.Fatalf("%q: Next(%v) = %v, not after it", spec, after, next)
		}
	})
}
