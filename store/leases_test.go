package store

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// TestDeadHere: a lease holder is known dead only when it names a process of
// this machine that no longer runs.
func TestDeadHere(t *testing.T) {
	host, _ := os.Hostname()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skip("no `true` to start and wait for")
	}
	cases := []struct {
		owner string
		want  bool
	}{
		{LeaseOwner(), false},
		{fmt.Sprintf("%s:%d:ab", host, os.Getpid()), false},
		{fmt.Sprintf("%s:%d:ab", host, gone.Process.Pid), true},
		{fmt.Sprintf("elsewhere.example:%d:ab", gone.Process.Pid), false},
		{"crawler-1", false},
		{"", false},
	}
	for _, c := range cases {
		if got := DeadHere(c.owner); got != c.want {
			t.Errorf("DeadHere(%q) = %v, want %v", c.owner, got, c.want)
		}
	}
}
