// Package cputime reads the CPU time the process has used, for benchmarks
// and evaluations that report cost per pass: on a shared machine wall time
// says more about the neighbours than about the code.
package cputime

import (
	"syscall"
	"time"
)

// Used is the process's user and system CPU time so far, all threads; 0 if
// the system cannot say.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
