package timeline

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/watchline/watchline/model"
)

// tuesday is a publication time: Tuesday 16 September 2025, 10:00 UTC.
var tuesday = time.Date(2025, 9, 16, 10, 0, 0, 0, time.UTC)

func TestResolveDates(t *testing.T) {
	tests := []struct {
		name, text string
		pub        time.Time
		want       string // DateString of the first date found, "" for none
		phrase     string
	}{
		{"yesterday", "The hearing took place yesterday.", tuesday, "2025-09-15", "yesterday"},
		{"last night", "He issued a statement last night.", tuesday, "2025-09-15", "last night"},
		{"today", "The minister said today that", tuesday, "2025-09-16", "today"},
		{"on Monday in a Tuesday report", "Police arrested him on Monday.", tuesday, "2025-09-15", "on Monday"},
		{"on Tuesday in a Tuesday report is today", "The court sat on Tuesday.", tuesday, "2025-09-16", "on Tuesday"},
		{"on Wednesday is last week's", "The court sat on Wednesday.", tuesday, "2025-09-10", "on Wednesday"},
		{"last Tuesday is a week ago", "It happened last Tuesday.", tuesday, "2025-09-09", "last Tuesday"},
		{"next Friday", "He will appear next Friday.", tuesday, "2025-09-19", "next Friday"},
		{"day month, year from publication", "He was charged on 15 September.", tuesday, "2025-09-15", "15 September"},
		{"month day", "He was charged on September 15.", tuesday, "2025-09-15", "September 15"},
		{"day month year", "Charged on 22 April 2024 in London.", tuesday, "2024-04-22", "22 April 2024"},
		{"weekday day month year", "They will appear on Friday 26 April 2024.", tuesday, "2024-04-26", "Friday 26 April 2024"},
		{"month day, year", "Charged on April 22, 2024.", tuesday, "2024-04-22", "April 22, 2024"},
		{"ordinal", "on the 3rd of March 2023", tuesday, "2023-03-03", "3rd of March 2023"},
		{"in March, the one just gone", "The men were arrested in March.", tuesday, "2025-03", "in March"},
		{"in December, last year's", "The men were arrested in December.", tuesday, "2024-12", "in December"},
		{"month year", "The men were arrested in March 2023.", tuesday, "2023-03", "March 2023"},
		{"year", "The law was passed in 2018.", tuesday, "2018", "in 2018"},
		{"iso", "Filed 2024-04-22 at the court.", tuesday, "2024-04-22", "2024-04-22"},
		{"days ago", "Two days ago the court ruled.", tuesday, "2025-09-14", "Two days ago"},
		{"last month", "The case collapsed last month.", tuesday, "2025-08", "last month"},
		{"last year", "The law changed last year.", tuesday, "2024", "last year"},
		{"last week", "Police raided the offices last week.", tuesday, "2025-09-09", "last week"},
		{"invalid day is no date", "on 31 February 2024", tuesday, "2024-02", "February 2024"},
		{"a Sunday newspaper is no date", "first reported by a Sunday newspaper", tuesday, "", ""},
		{"the Friday deadline is no date", "Ministers missed the Friday deadline.", tuesday, "", ""},
		{"may the verb", "The court may decide later.", tuesday, "", ""},
		{"nothing", "No dates here at all.", tuesday, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ResolveDates(tt.text, tt.pub)
			got, phrase := "", ""
			if len(ds) > 0 {
				got, phrase = DateString(ds[0].Date, ds[0].Precision), ds[0].Phrase
				if tt.text[ds[0].Offset:ds[0].Offset+len(ds[0].Phrase)] != ds[0].Phrase {
					t.Errorf("offset %d does not point at %q", ds[0].Offset, ds[0].Phrase)
				}
			}
			if got != tt.want || phrase != tt.phrase {
				t.Errorf("ResolveDates(%q) = %s (%q), want %s (%q)", tt.text, got, phrase, tt.want, tt.phrase)
			}
		})
	}
}

func TestHappenedDate(t *testing.T) {
	an, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, title, text string
		pub               time.Time
		want              string
	}{
		{"yesterday's hearing", "Engineer appears in court",
			"A defence engineer appeared at Westminster Magistrates' Court yesterday and was remanded in custody.",
			time.Date(2025, 9, 16, 8, 0, 0, 0, time.UTC), "2025-09-15"},
		{"the event, not the report", "Researcher was arrested on suspicion of spying",
			"A researcher was arrested in March on suspicion of spying, police confirmed on Sunday.",
			time.Date(2023, 9, 10, 9, 0, 0, 0, time.UTC), "2023-03"},
		{"not the future hearing", "Two men charged",
			"Two men have been charged under the Official Secrets Act. They will appear in court on Friday 26 April 2024.",
			time.Date(2024, 4, 22, 16, 0, 0, 0, time.UTC), "2024-04"},
		{"background dates do not win", "Spy ring members sentenced",
			"Three people were sentenced today. They were convicted in March after a trial that began in 2024.",
			time.Date(2025, 5, 12, 12, 0, 0, 0, time.UTC), "2025-05-12"},
		{"the page's time stamp is not the event's day", "Ferry operator fined",
			"Page last updated at 07:10 GMT, Wednesday, 14 May 2025\n\nA ferry operator was fined on Monday for breaching safety rules.",
			time.Date(2025, 5, 14, 7, 10, 0, 0, time.UTC), "2025-05-12"},
		{"a stamp alone dates the page to its day", "Ferry operator fined",
			"Last updated: 14 May 2025\n\nA ferry operator has been fined for breaching safety rules.",
			time.Date(2025, 5, 14, 7, 10, 0, 0, time.UTC), "2025-05-14"},
		{"without a date the day is a guess", "Ferry operator fined",
			"A ferry operator has been fined for breaching safety rules.",
			time.Date(2025, 5, 14, 7, 10, 0, 0, time.UTC), "2025-05"},
		{"published in prose is no stamp", "Council releases audit",
			"The council published on 12 May 2025 the audit it had withheld, and councillors were told on Tuesday.",
			time.Date(2025, 5, 14, 9, 0, 0, 0, time.UTC), "2025-05-12"},
		// 00:30 in London is 23:30 UTC the day before: "yesterday" is
		// the day before the page's own day, not before the UTC day.
		{"yesterday by the page's own clock", "Engineer appears in court",
			"A defence engineer appeared at Westminster Magistrates' Court yesterday and was remanded in custody.",
			time.Date(2025, 10, 8, 0, 30, 0, 0, time.FixedZone("", 3600)), "2025-10-07"},
		{"the page's own day when the text names none", "Official statement on the case",
			"The ministry said it would respond in due course.",
			time.Date(2025, 10, 1, 0, 30, 0, 0, time.FixedZone("", 2*3600)), "2025-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := an.Happened(tt.title, tt.text, tt.pub)
			if got := DateString(d.Date, d.Precision); got != tt.want {
				t.Errorf("Happened = %s (%q, %.2f), want %s", got, d.Phrase, d.Confidence, tt.want)
			}
		})
	}
}

func TestVoteDate(t *testing.T) {
	day := func(s string, c float64) dateVote {
		tm, _ := time.Parse("2006-01-02", s)
		return dateVote{model.DateFound{Date: tm, Precision: model.PrecisionDay, Confidence: c}, c}
	}
	month := func(s string, c float64) dateVote {
		tm, _ := time.Parse("2006-01", s)
		return dateVote{model.DateFound{Date: tm, Precision: model.PrecisionMonth, Confidence: c}, c}
	}
	tests := []struct {
		name  string
		votes []dateVote
		want  string
	}{
		{"agreeing days", []dateVote{day("2024-04-22", 0.8), day("2024-04-22", 0.6), day("2024-04-23", 0.3)}, "2024-04-22"},
		{"an official day beats vague months", []dateVote{month("2024-04", 0.3), month("2024-04", 0.3), day("2024-04-22", 1.8)}, "2024-04-22"},
		{"scattered days give the month", []dateVote{day("2023-03-02", 0.4), day("2023-03-20", 0.4), month("2023-03", 0.7)}, "2023-03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := voteDate(tt.votes)
			if got := DateString(d.Date, d.Precision); got != tt.want {
				t.Errorf("voteDate = %s, want %s", got, tt.want)
			}
		})
	}
}

func FuzzResolveDates(f *testing.F) {
	for _, s := range []string{"yesterday", "on Monday 15 September 2025", "in March", "22 April 2024", "31 February",
		"last week", "three days ago", "2024-13-45", "on 99 March 99999", "May may May 2024", "\xff\xfeon Friday"} {
		f.Add(s, int64(1726480800))
	}
	f.Fuzz(func(t *testing.T, text string, pubSec int64) {
		pub := time.Unix(pubSec%(1<<36), 0).UTC()
		ds := ResolveDates(text, pub)
		last := -1
		for _, d := range ds {
			if d.Offset < 0 || d.Offset+len(d.Phrase) > len(text) || d.Offset < last {
				t.Fatalf("bad offset %d for %q in %q", d.Offset, d.Phrase, text)
			}
			last = d.Offset
			if d.Confidence <= 0 || d.Confidence > 1 {
				t.Fatalf("confidence %v", d.Confidence)
			}
			switch d.Precision {
			case model.PrecisionDay, model.PrecisionMonth, model.PrecisionYear:
			default:
				t.Fatalf("precision %q", d.Precision)
			}
			if utf8.ValidString(text) && !utf8.ValidString(d.Phrase) {
				t.Fatalf("phrase %q split a character", d.Phrase)
			}
			if !strings.Contains(text, d.Phrase) {
				t.Fatalf("phrase %q not in text", d.Phrase)
			}
		}
	})
}
