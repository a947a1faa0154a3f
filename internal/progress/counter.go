package progress

import (
	"fmt"
	"io"
	"time"
)

// Counter draws "what: done of total" on w as a progress Line, at most
// twice a second and only once the work has taken a second, so that quick
// work prints nothing; the last update (done == total) is always drawn once
// the line is showing. end finishes the line with '\n' if one was drawn.
// Use it from one goroutine.
func Counter(w io.Writer, what string) (update func(done, total int), end func()) {
	return counter(w, what, time.Now)
}

func counter(w io.Writer, what string, now func() time.Time) (func(done, total int), func()) {
	l := newLine(w, 500*time.Millisecond, time.Second, now)
	return func(done, total int) {
			l.Update(int64(done), int64(total), fmt.Sprintf("%s: %d of %d", what, done, total))
		}, func() {
			l.End("")
		}
}
