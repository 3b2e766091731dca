package timeline

import (
	"reflect"
	"testing"
)

func TestRequiredLiteral(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{"charged with", []string{"charged with"}},
		{"arrests?", []string{"arrests", "arrest"}},
		{"(?:been|were|was) charged", []string{"been charged", "were charged", "was charged"}},
		{"says|said|insists", []string{"says", "said", "insists"}},
		{"warn(?:ed|s|ing)?", []string{"warned", "warns", "warning", "warn"}},
		{"(?:is|am) ['\"]?innocent", []string{"innocent"}},
		{"a|bc", nil},
		{"\\w+", nil},
	}
	for _, tt := range tests {
		if got := requiredLiteral(tt.pattern); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("requiredLiteral(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}
