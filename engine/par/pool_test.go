package par

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// TestForCoversEveryItemOnce runs many loops of varied sizes back to back
// (helpers spinning) and after pauses (helpers asleep), checking each item
// is visited exactly once and the loop is finished when For returns.
func TestForCoversEveryItemOnce(t *testing.T) {
	for _, size := range []int{1, 2, 3, 5} {
		team := NewTeam(size)
		for iter := 0; iter < 300; iter++ {
			n := (iter * 37) % 101
			hits := make([]int32, n)
			team.For(n, 1+iter%3, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&hits[i], 1)
				}
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("size %d, loop %d: item %d of %d visited %d times", size, iter, i, n, h)
				}
			}
			if iter%100 == 99 {
				time.Sleep(20 * time.Millisecond) // let helpers fall asleep
			}
		}
		team.Close()
		team.Close() // idempotent
		ran := false
		team.For(4, 1, func(lo, hi int) { ran = lo == 0 && hi == 4 })
		if !ran {
			t.Fatalf("size %d: a closed team did not run the loop inline", size)
		}
	}
}

// TestForUsesHelpers checks the chunks really run on different goroutines
// at once: each chunk waits until every chunk has started.
func TestForUsesHelpers(t *testing.T) {
	team := NewTeam(3)
	defer team.Close()
	var started atomic.Int32
	deadline := time.Now().Add(5 * time.Second)
	team.For(3, 1, func(lo, hi int) {
		started.Add(1)
		for started.Load() < 3 {
			if time.Now().After(deadline) {
				t.Error("chunks did not run concurrently")
				return
			}
		}
	})
}

// TestTasksCoversEveryItemOnce mixes Tasks with For on one team: every
// item runs once, on a worker index in [0, Size), and a worker held up by
// a slow item leaves the rest to the others.
func TestTasksCoversEveryItemOnce(t *testing.T) {
	for _, size := range []int{1, 2, 4} {
		team := NewTeam(size)
		for iter := range 200 {
			n := (iter * 13) % 29
			hits := make([]int32, n)
			team.Tasks(n, func(w, i int) {
				if w < 0 || w >= size {
					t.Errorf("worker %d of %d", w, size)
				}
				atomic.AddInt32(&hits[i], 1)
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("size %d, loop %d: item %d of %d ran %d times", size, iter, i, n, h)
				}
			}
			team.For(n, 1, func(lo, hi int) {}) // the next loop is a For again
		}
		team.Close()
	}
	team := NewTeam(2)
	defer team.Close()
	var byWorker [2]atomic.Int32
	team.Tasks(20, func(w, i int) {
		if i == 0 {
			time.Sleep(50 * time.Millisecond)
		}
		byWorker[w].Add(1)
	})
	if a, b := byWorker[0].Load(), byWorker[1].Load(); a+b != 20 || min(a, b) > 2 {
		t.Fatalf("items per worker %d and %d: the one with the slow item should take few", a, b)
	}
}

func BenchmarkForHandOff(b *testing.B) {
	team := NewTeam(2)
	defer team.Close()
	var sink atomic.Int64
	for b.Loop() {
		team.For(2, 1, func(lo, hi int) { sink.Add(int64(hi - lo)) })
	}
}

func TestEachRunsEveryIndexOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 100} {
		seen := make([]int32, 50)
		Each(len(seen), workers, func(i int) { atomic.AddInt32(&seen[i], 1) })
		for i, n := range seen {
			if n != 1 {
				t.Fatalf("workers %d: index %d ran %d times", workers, i, n)
			}
		}
	}
	Each(0, 4, func(int) { t.Fatal("ran with n = 0") })
}

// TestPollerYieldsOnAClock polls for 5 ms and checks the poller yields
// about every yieldEvery, not at every 64th poll (each yield takes the
// scheduler's global lock, which a team of 16 polling workers saturated),
// and that it reports how long the polling has lasted.
func TestPollerYieldsOnAClock(t *testing.T) {
	var p poller
	start := time.Now()
	var lasted time.Duration
	for time.Since(start) < 5*time.Millisecond {
		for range 64 {
			lasted = p.poll()
		}
	}
	most := int(5*time.Millisecond/yieldEvery) + 1
	if p.yields < 1 || p.yields > most {
		t.Fatalf("%d polls over 5 ms yielded %d times, want 1 to %d (every %v)", p.polls, p.yields, most, yieldEvery)
	}
	if lasted < 4*time.Millisecond || lasted > time.Since(start) {
		t.Fatalf("poll reported %v of polling after 5 ms", lasted)
	}
}

// TestTeamWordsOnOwnCacheLines checks the words the idle helpers poll
// (gen), the workers claim (claims) and the caller polls (finished) lie at
// least a cache line pair apart, so that claiming or finishing a part does
// not take the line every helper reads.
func TestTeamWordsOnOwnCacheLines(t *testing.T) {
	var team Team
	words := []struct {
		name string
		at   uintptr
	}{
		{"stop", unsafe.Offsetof(team.stop)},
		{"gen", unsafe.Offsetof(team.gen)},
		{"claims", unsafe.Offsetof(team.claims)},
		{"finished", unsafe.Offsetof(team.finished)},
		{"loop", unsafe.Offsetof(team.body)},
		{"parked", unsafe.Offsetof(team.parked)},
	}
	for i := 1; i < len(words); i++ {
		if gap := words[i].at - words[i-1].at; gap < 128 {
			t.Errorf("%s is %d bytes after %s, want 128 at least", words[i].name, gap, words[i-1].name)
		}
	}
}

// DefaultSize is the CPUs, but no more than Go runs at once: a team sized
// by NumCPU under a lower GOMAXPROCS (a container's CPU limit) had helpers
// polling for threads they could not have.
func TestDefaultSizeFollowsGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if got := DefaultSize(); got != 1 {
		t.Fatalf("GOMAXPROCS 1: default size %d", got)
	}
	runtime.GOMAXPROCS(runtime.NumCPU())
	if got := DefaultSize(); got != runtime.NumCPU() {
		t.Fatalf("GOMAXPROCS %d: default size %d", runtime.NumCPU(), got)
	}
}
