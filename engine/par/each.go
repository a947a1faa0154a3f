package par

import "sync"

// Each runs fn(i) for every i in [0, n) on up to workers goroutines (at
// least one), each taking the next index as it finishes the last: for
// coarse, uneven jobs such as decoding or tokenising images, where a Team's
// contiguous ranges would leave a worker idle behind a slow one.
func Each(n, workers int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < max(1, min(workers, n)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
