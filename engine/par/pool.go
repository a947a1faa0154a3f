// Package par runs data-parallel loops on a small team of goroutines that
// stay awake between loops. A decode step is a chain of ~100 short loops
// (tens of microseconds each); starting goroutines for each one costs an OS
// thread wake-up per loop, which on a virtual machine is a large share of
// the loop itself. A Team's helpers spin briefly waiting for the next loop
// and only then sleep, so back-to-back loops hand over in nanoseconds.
//
// A loop's parts are claimed, not assigned: each worker, the caller
// included, takes the next unclaimed part until none is left. A helper the
// operating system has not scheduled yet (another process holds its core)
// therefore never holds the loop up: the caller runs its part instead.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinFor is how long an idle helper polls for work (yielding its thread
// every yieldEvery) before it sleeps: long enough to bridge the serial work
// between the loops of one forward pass and between decode steps
// (sampling), which on a 2-core Zen 5 EPYC often took more than the 14 µs
// that the earlier 4,096 polls lasted; each such gap then cost a futex
// sleep and wake-up (9,000 context switches a second, 15% of the cores
// idle). Polling for 200 µs instead, `tessera bench --random small
// --precision f16` alternated three times: batch 1 138–147 → 146–200
// tokens/s, batch 8 405–426 → 450–548.
const spinFor = 200 * time.Microsecond

// yieldEvery is how often a polling worker (an idle helper, or the caller
// waiting for the last parts) lets another goroutine have its thread.
// runtime.Gosched takes the scheduler's global lock, and a team of 16
// yielding every 64 polls (about every 0.1 µs) held it all the time: on a
// 16-core Xeon (Emerald Rapids) a batch-1 decode step ran no faster at 16
// threads than at 2 (f16 191 against 195 tokens/s, int8 210 against 297;
// the lock took 49% of the CPU profile). Yielding every 10 µs instead, and
// the shared words padded apart (cacheLine), alternated twice there
// (`tessera bench --random small --batch 1 --tokens 512`): f16 178–204 →
// 457–533 tokens/s, int8 199–213 → 334–725; batch 8 unchanged, the 2-core
// EPYC unchanged. Every 10 µs still gives a goroutine waiting for the thread
// (another team of the studio, the garbage collector) its turn soon.
const yieldEvery = 10 * time.Microsecond

// cacheLine pads the Team's shared words apart (two 64-byte lines, as
// Intel's adjacent-line prefetcher pairs them), so that a worker claiming
// or finishing a part does not take the line the idle helpers poll.
type cacheLine [128]byte

// poller paces a worker polling a shared word: it reads the clock every
// 64 polls only (a loop that follows at once costs none) and yields the
// thread every yieldEvery.
type poller struct {
	polls          int
	start, yielded time.Time
	lasted         time.Duration // as of the last clock read
	yields         int
}

// poll counts one poll and yields when it is time. It returns how long the
// polling has lasted, as of the last clock read.
func (p *poller) poll() time.Duration {
	if p.polls++; p.polls%64 != 0 {
		return p.lasted
	}
	now := time.Now()
	if p.start.IsZero() {
		p.start, p.yielded = now, now
		return 0
	}
	if now.Sub(p.yielded) >= yieldEvery {
		runtime.Gosched()
		p.yielded = now
		p.yields++
	}
	p.lasted = now.Sub(p.start)
	return p.lasted
}

// Team runs loops on its caller plus size−1 helper goroutines. One
// goroutine at a time may call For or Tasks; helpers stop when Close is
// called.
type Team struct {
	size int
	stop atomic.Bool
	_    cacheLine
	gen  atomic.Uint64 // the current loop's number, bumped once per loop (idle helpers poll it)
	_    cacheLine
	// claims is the current loop's claim word: its number (low 32 bits of
	// gen) << 32 | its parts << 16 | the parts claimed. A claim is a
	// compare-and-swap on it, so a helper late for one loop cannot claim a
	// part of the next; finished counts the parts done.
	claims   atomic.Uint64
	_        cacheLine
	finished atomic.Int64 // polled by the caller alone
	_        cacheLine
	// The current loop, written before claims and gen are published: a
	// For's body over parts of per items, or a Tasks's task of one item
	// per part.
	body   func(lo, hi int)
	task   func(worker, i int)
	n, per int
	_      cacheLine

	parked atomic.Int32
	wake   chan struct{}
	wg     sync.WaitGroup
}

// maxParts is the most parts one loop has (the claim word's 16 bits).
const maxParts = 1<<16 - 1

// DefaultSize is the team size for "all cores": the CPUs, but no more than
// Go runs at once (GOMAXPROCS: a container's CPU limit since Go 1.25), so
// that no helper polls for a thread it cannot have (each yields it only
// every yieldEvery).
func DefaultSize() int { return max(1, min(runtime.NumCPU(), runtime.GOMAXPROCS(0))) }

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
// minPer items and runs body on each; it returns when all are done. Small
// loops run inline.
func (t *Team) For(n, minPer int, body func(lo, hi int)) {
	parts := min(t.size, n/max(1, minPer))
	if parts <= 1 || t.stop.Load() {
		body(0, n)
		return
	}
	t.body, t.task, t.n, t.per = body, nil, n, (n+parts-1)/parts
	t.run((n + t.per - 1) / t.per)
	t.body = nil
}

// Tasks runs task(worker, i) for every i in [0, n), handing items out one
// at a time as each worker finishes its last, so a worker slowed by other
// load does fewer: for loops of uneven or few large items (a row block of
// a product, one attention head). worker is in [0, Size): the caller is 0,
// and it indexes per-worker scratch space. One item runs inline.
func (t *Team) Tasks(n int, task func(worker, i int)) {
	if n == 1 || t.size == 1 || t.stop.Load() {
		for i := range max(n, 0) {
			task(0, i)
		}
		return
	}
	for lo := 0; lo < n; lo += maxParts {
		base := lo
		t.body, t.task, t.n, t.per = nil, func(w, i int) { task(w, base+i) }, min(n-lo, maxParts), 1
		t.run(t.n)
	}
	t.task = nil
}

// run publishes a loop of parts parts (its state written into t), wakes
// the sleeping helpers, claims parts with them and returns when every part
// is done.
func (t *Team) run(parts int) {
	g := t.gen.Load() + 1 // only the goroutine running loops (or Close) writes gen
	t.finished.Store(0)
	t.claims.Store(g<<32 | uint64(parts)<<16)
	t.gen.Store(g)
	t.rouse(int(t.parked.Load()))
	t.claim(0, g)
	var p poller
	for t.finished.Load() != int64(parts) {
		p.poll()
	}
}

// claim runs, as worker, parts of loop g until none is left unclaimed.
func (t *Team) claim(worker int, g uint64) {
	for {
		v := t.claims.Load()
		parts, claimed := v>>16&0xffff, v&0xffff
		if v>>32 != g&0xffffffff || claimed >= parts {
			return
		}
		if !t.claims.CompareAndSwap(v, v+1) {
			continue
		}
		if p := int(claimed); t.task != nil {
			t.task(worker, p)
		} else {
			lo := p * t.per
			t.body(lo, min(lo+t.per, t.n))
		}
		t.finished.Add(1)
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
		var p poller
		for t.gen.Load() == seen {
			if p.poll() < spinFor {
				continue
			}
			t.parked.Add(1)
			if t.gen.Load() == seen {
				<-t.wake
			}
			t.parked.Add(-1)
			p = poller{}
		}
		seen = t.gen.Load()
		if t.stop.Load() {
			return
		}
		t.claim(id, seen)
	}
}
