package bench

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// Machine describes where a report was measured.
type Machine struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUModel   string `json:"cpu_model,omitempty"`
	Memory     int64  `json:"memory_bytes,omitempty"`
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	// LoadAverage is the one-minute load when the run started: other work on
	// the machine slows every figure.
	LoadAverage float64 `json:"load_average,omitempty"`
}

func describeMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH}
	if v, ok := procField("/proc/meminfo", "MemTotal"); ok {
		m.Memory = v
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if fs := strings.Fields(string(b)); len(fs) > 0 {
			m.LoadAverage, _ = strconv.ParseFloat(fs[0], 64)
		}
	}
	return m
}

// procField reads a "Name: 123 kB" line of a /proc file, in bytes.
func procField(path, name string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != name {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(fs[0], 10, 64)
		if err != nil {
			return 0, false
		}
		if len(fs) > 1 && strings.EqualFold(fs[1], "kB") {
			n *= 1024
		}
		return n, true
	}
	return 0, false
}

// resetPeakRSS starts a new peak-RSS window (Linux: writing 5 to clear_refs
// resets VmHWM), so each corpus size reports its own peak. Where that is not
// possible the peak is the process's so far.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is the process's peak resident set since the last reset (VmHWM),
// or, without /proc, the memory the Go runtime holds from the system.
func peakRSS() int64 {
	if v, ok := procField("/proc/self/status", "VmHWM"); ok {
		return v
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// heapBytes is the bytes of heap objects, live or not yet swept.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// liveHeap is the heap the last garbage collection found live: what a
// streaming loop keeps, without the garbage it has not yet collected.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// memPeak is the most memory an ingest held: heap objects, what a
// collection found live among them (what the soft limit must leave room
// for), the anonymous part of the resident set (the heap plus what lives
// outside it, such as SQLite's page caches), and the file-backed part:
// pages of mapped files (bleve's segments), which the kernel can drop and
// read again. Each is the highest of its own samples, so anon+file may
// exceed the peak RSS.
type memPeak struct{ heap, live, anon, file int64 }

// watchHeap samples the heap, its live part and the anonymous and
// file-backed resident set every 50ms until ctx ends, then sends the
// highest values seen. With a profile path, it writes a heap profile there
// whenever the live heap grows a twentieth past the last one written, so
// the file shows what was live near the peak. (The heap itself, garbage
// included, reaches the soft memory limit within minutes and stays there,
// so growth of it would stop the profiles long before the peak.)
func watchHeap(ctx context.Context, profile string) <-chan memPeak {
	out := make(chan memPeak, 1)
	anon := func() int64 {
		v, _ := procField("/proc/self/status", "RssAnon")
		return v
	}
	file := func() int64 {
		v, _ := procField("/proc/self/status", "RssFile")
		return v
	}
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		peak := memPeak{heapBytes(), liveHeap(), anon(), file()}
		var written int64
		for {
			select {
			case <-ctx.Done():
				out <- memPeak{max(peak.heap, heapBytes()), max(peak.live, liveHeap()), max(peak.anon, anon()), max(peak.file, file())}
				return
			case <-t.C:
				peak.heap, peak.live = max(peak.heap, heapBytes()), max(peak.live, liveHeap())
				peak.anon, peak.file = max(peak.anon, anon()), max(peak.file, file())
				if profile != "" && peak.live > written+written/20 {
					writeHeapProfile(profile)
					written = peak.live
				}
			}
		}
	}()
	return out
}

// writeHeapProfile replaces path with a heap profile (as of the last
// garbage collection); a failure only costs the profile.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.WriteHeapProfile(f)
}
