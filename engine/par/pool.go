// Package par runs data-parallel loops on a small team of goroutines that
// stay awake between loops. A decode step is a chain of ~100 short loops
// (tens of microseconds each); starting goroutines for each one costs an OS
// thread wake-up per loop, which on a virtual machine is a large share of
// the loop itself. A Team's helpers spin briefly waiting for the next loop
// and only then sleep, so back-to-back loops hand over in nanoseconds.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// spinChecks is how many times an idle helper polls for work (yielding its
// thread every 64 polls) before it sleeps: tens of microseconds, enough to
// bridge the serial work between the loops of one forward pass.
const spinChecks = 1 << 12

// Team runs loops on its caller plus size−1 helper goroutines. One
// goroutine at a time may call For; helpers stop when Close is called.
type Team struct {
	size int
	gen  atomic.Uint64 // bumped once per loop
	done atomic.Int64  // helpers finished with the current loop
	stop atomic.Bool
	// The current loop, written before gen is bumped: a For's body over
	// chunks of per items, or a Tasks's task taking items from next.
	body   func(lo, hi int)
	task   func(worker, i int)
	next   atomic.Int64
	n, per int

	parked atomic.Int32
	wake   chan struct{}
	wg     sync.WaitGroup
}

// NewTeam starts a team of size workers (the caller counts as one).
func NewTeam(size int) *Team {
	size = max(1, size)
	t := &Team{size: size, wake: make(chan struct{}, size)}
	for i := 1; i < size; i++ {
		t.wg.Add(1)
		go t.helper(i)
	}
	return t
}

// Size is the number of workers, the caller included.
func (t *Team) Size() int { return t.size }

// Close stops the helpers and waits for them to exit.
func (t *Team) Close() {
	if t.stop.Swap(true) {
		return
	}
	t.gen.Add(1)
	t.rouse(t.size - 1)
	t.wg.Wait()
}

// For splits [0, n) into at most Size contiguous chunks of at least
// minPer items and runs body on each, the caller taking the first; it
// returns when all are done. Small loops run inline.
func (t *Team) For(n, minPer int, body func(lo, hi int)) {
	parts := min(t.size, n/max(1, minPer))
	if parts <= 1 || t.stop.Load() {
		body(0, n)
		return
	}
	t.body, t.n, t.per = body, n, (n+parts-1)/parts
	t.start()
	body(0, min(t.per, n))
	t.wait()
	t.body = nil
}

// Tasks runs task(worker, i) for every i in [0, n), handing items out one
// at a time as each worker finishes its last, so a worker slowed by other
// load does fewer: for loops of uneven or few large items (a row block of
// a product, one attention head). worker is in [0, Size): the caller is 0,
// and it indexes per-worker scratch space. One item runs inline.
func (t *Team) Tasks(n int, task func(worker, i int)) {
	if n <= 0 {
		return
	}
	if n == 1 || t.size == 1 || t.stop.Load() {
		for i := range n {
			task(0, i)
		}
		return
	}
	t.task, t.n = task, n
	t.next.Store(0)
	t.start()
	t.takeTasks(0)
	t.wait()
	t.task = nil
}

// takeTasks runs the current Tasks loop's items as worker until none is left.
func (t *Team) takeTasks(worker int) {
	for {
		i := int(t.next.Add(1) - 1)
		if i >= t.n {
			return
		}
		t.task(worker, i)
	}
}

// start publishes the loop written into t and wakes the sleeping helpers.
func (t *Team) start() {
	t.done.Store(0)
	t.gen.Add(1)
	t.rouse(int(t.parked.Load()))
}

// wait spins until every helper is done with the current loop.
func (t *Team) wait() {
	want := int64(t.size - 1)
	for i := 0; t.done.Load() != want; i++ {
		if i%64 == 63 {
			runtime.Gosched()
		}
	}
}

// rouse hands out up to k wake-up tokens. A full channel already holds a
// token for every helper, so sends that would block are dropped; a helper
// woken by a stale token finds no new loop and sleeps again.
func (t *Team) rouse(k int) {
	for ; k > 0; k-- {
		select {
		case t.wake <- struct{}{}:
		default:
			return
		}
	}
}

func (t *Team) helper(id int) {
	defer t.wg.Done()
	var seen uint64 // gen's value at NewTeam, whenever this goroutine starts
	for {
		// Wait for the next loop: spin, then sleep.
		for i := 0; t.gen.Load() == seen; i++ {
			if i < spinChecks {
				if i%64 == 63 {
					runtime.Gosched()
				}
				continue
			}
			t.parked.Add(1)
			if t.gen.Load() == seen {
				<-t.wake
			}
			t.parked.Add(-1)
			i = 0
		}
		seen = t.gen.Load()
		if t.stop.Load() {
			return
		}
		if t.task != nil {
			t.takeTasks(id)
		} else if lo := id * t.per; lo < t.n {
			t.body(lo, min(lo+t.per, t.n))
		}
		t.done.Add(1)
	}
}
