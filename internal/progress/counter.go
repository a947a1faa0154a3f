package progress

import (
	"fmt"
	"io"
	"time"
)

// Counter prints "what: done of total" to w as a progress line (each
// update starts with '\r'), at most twice a second and only once the work
// has taken a second, so that quick work prints nothing; the last update
// (done == total) is always printed once the line is showing. end finishes
// the line with '\n' if one was printed. Use it from one goroutine.
func Counter(w io.Writer, what string) (update func(done, total int), end func()) {
	return counter(w, what, time.Now)
}

func counter(w io.Writer, what string, now func() time.Time) (func(done, total int), func()) {
	start, last := now(), time.Time{}
	shown := false
	return func(done, total int) {
			t := now()
			if t.Sub(start) < time.Second || t.Sub(last) < 500*time.Millisecond && done < total {
				return
			}
			last, shown = t, true
			fmt.Fprintf(w, "\r%s: %d of %d", what, done, total)
		}, func() {
			if shown {
				fmt.Fprintln(w)
			}
		}
}
