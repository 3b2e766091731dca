package bench

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line progress bar for the current phase. A nil
// writer makes every method a no-op.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	label string
	total int64
	done  int64
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w} }

// phase starts a new phase of total steps.
func (p *progress) phase(label string, total int64) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label, p.total, p.done = label, max(total, 1), 0
	p.draw(true)
}

// set records that done steps of the phase are finished.
func (p *progress) set(done int64) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = done
	p.draw(done >= p.total)
}

// poll calls count every half second and shows it, until the returned stop
// is called; for stages that report nothing while they run.
func (p *progress) poll(count func() int64) (stop func()) {
	if p == nil || p.w == nil {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				p.set(count())
			}
		}
	}()
	return func() { close(quit); wg.Wait() }
}

// draw redraws the bar at most five times a second unless forced.
func (p *progress) draw(force bool) {
	now := time.Now()
	if !force && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	frac := min(float64(p.done)/float64(p.total), 1)
	fill := int(frac * width)
	fmt.Fprintf(p.w, "\r%-38.38s [%s%s] %3.0f%%", p.label, strings.Repeat("#", fill), strings.Repeat(".", width-fill), frac*100)
	p.drawn = true
}

// done ends the bar's line.
func (p *progress) finish() {
	if p == nil || p.w == nil || !p.drawn {
		return
	}
	fmt.Fprintf(p.w, "\r%-80s\r", "")
}
