package timeline

import (
	"testing"
	"time"
)

func TestFirstReporter(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	tests := []struct {
		name    string
		members []*member // in published order, as recompute sorts them
		want    int64
	}{
		{"earliest wins", []*member{
			{ID: 1, Published: at("2024-04-22T09:00:00Z")},
			{ID: 2, Published: at("2024-04-22T16:00:00Z")},
		}, 1},
		{"a date known only to the day does not beat a timed one that day", []*member{
			{ID: 3, Published: at("2024-04-22T00:00:00Z")},
			{ID: 4, Published: at("2024-04-22T16:00:00Z")},
		}, 4},
		{"a day-only date still beats the next day", []*member{
			{ID: 5, Published: at("2024-04-22T00:00:00Z")},
			{ID: 6, Published: at("2024-04-23T08:00:00Z")},
		}, 5},
		{"a wire copy never reports first when its original is a member", []*member{
			{ID: 7, Published: at("2024-04-22T08:00:00Z"), DuplicateOf: 8},
			{ID: 8, Published: at("2024-04-22T09:00:00Z")},
		}, 8},
		{"a copy whose original is elsewhere counts", []*member{
			{ID: 9, Published: at("2024-04-22T08:00:00Z"), DuplicateOf: 99},
			{ID: 10, Published: at("2024-04-22T09:00:00Z")},
		}, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := firstReporter(tt.members).ID; got != tt.want {
				t.Errorf("first reporter = %d, want %d", got, tt.want)
			}
		})
	}
}
