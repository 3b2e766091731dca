package alert

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule says when a subscription's matches go out: at once, or gathered
// into a digest on a wall-clock schedule in the subscriber's time zone.
type Schedule struct {
	kind    scheduleKind
	hour    int
	minute  int
	weekday time.Weekday
	loc     *time.Location
}

type scheduleKind int

const (
	immediate scheduleKind = iota
	hourly
	daily
	weekly
)

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseSchedule parses a digest spec ("" or "immediate", "hourly",
// "daily@08:00", "weekly@mon 08:00"; "daily" and "weekly" alone mean 08:00 and
// Monday 08:00) in time zone tz (an IANA name such as Europe/London; "" is UTC).
func ParseSchedule(spec, tz string) (Schedule, error) {
	s := Schedule{loc: time.UTC, hour: 8, weekday: time.Monday}
	if tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return s, fmt.Errorf("time zone %q: %w; use an IANA name such as Europe/London", tz, err)
		}
		s.loc = loc
	}
	spec = strings.ToLower(strings.TrimSpace(spec))
	name, at, hasAt := strings.Cut(spec, "@")
	bad := fmt.Errorf("digest %q is not a schedule; use immediate, hourly, daily@08:00 or weekly@mon 08:00", spec)
	switch name {
	case "", "immediate":
		if hasAt {
			return s, bad
		}
		s.kind = immediate
		return s, nil
	case "hourly":
		if hasAt {
			return s, bad
		}
		s.kind = hourly
		return s, nil
	case "daily":
		s.kind = daily
	case "weekly":
		s.kind = weekly
		if hasAt {
			day, rest, ok := strings.Cut(at, " ")
			wd, known := weekdays[day]
			if !ok || !known {
				return s, bad
			}
			s.weekday, at = wd, strings.TrimSpace(rest)
		}
	default:
		return s, bad
	}
	if hasAt {
		hh, mm, ok := strings.Cut(at, ":")
		h, err1 := strconv.Atoi(hh)
		m, err2 := strconv.Atoi(mm)
		if !ok || err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(mm) != 2 {
			return s, bad
		}
		s.hour, s.minute = h, m
	}
	return s, nil
}

// Immediate reports whether matches go out as soon as they are found.
func (s Schedule) Immediate() bool { return s.kind == immediate }

// Next returns the first digest time strictly after t (the zero time for an
// immediate schedule). Daily and weekly times are wall-clock times in the
// schedule's zone, so "daily@08:00" in Europe/London is 08:00 GMT in winter
// and 08:00 BST in summer; a time that does not exist on a spring-forward day
// is moved forward the way time.Date normalises it, and one that happens
// twice on an autumn-change day fires once.
func (s Schedule) Next(t time.Time) time.Time {
	switch s.kind {
	case hourly:
		// Hours are absolute: an hour is an hour in every zone, DST or not.
		return t.Truncate(time.Hour).Add(time.Hour)
	case daily, weekly:
		lt := t.In(s.loc)
		y, mo, d := lt.Date()
		for i := 0; i <= 8; i++ {
			// Once the wall clock has passed the digest time, today is done:
			// on the autumn change that keeps an hour that happens twice from
			// sending two digests.
			if i == 0 && lt.Hour()*60+lt.Minute() >= s.hour*60+s.minute {
				continue
			}
			c := time.Date(y, mo, d+i, s.hour, s.minute, 0, 0, s.loc)
			if s.kind == weekly && c.Weekday() != s.weekday {
				continue
			}
			if c.After(t) {
				return c
			}
		}
	}
	return time.Time{}
}

// String is the schedule as written.
func (s Schedule) String() string {
	switch s.kind {
	case hourly:
		return "hourly"
	case daily:
		return fmt.Sprintf("daily@%02d:%02d", s.hour, s.minute)
	case weekly:
		return fmt.Sprintf("weekly@%s %02d:%02d", strings.ToLower(s.weekday.String()[:3]), s.hour, s.minute)
	}
	return "immediate"
}
