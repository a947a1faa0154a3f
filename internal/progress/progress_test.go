package progress

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fakeClock advances only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestLog(every time.Duration) (*Log, *bytes.Buffer, *fakeClock) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}
	l := NewLog(&buf, every)
	l.now = clock.now
	return l, &buf, clock
}

func TestLogThinsUpdates(t *testing.T) {
	l, buf, clock := newTestLog(10 * time.Second)
	fmt.Fprintln(l, "model emoji loaded")
	for step := 1; step <= 100; step++ {
		fmt.Fprintf(l, "\rstep %d/100   ", step) // padded, as the commands pad
		clock.t = clock.t.Add(time.Second)
	}
	fmt.Fprintln(l) // the final update ends the line
	fmt.Fprintln(l, "done")
	// The next progress line's first update is written at once.
	fmt.Fprint(l, "\rpatch 1/64")
	fmt.Fprint(l, "\rpatch 2/64")
	fmt.Fprint(l, "\rpatch 64/64\n")
	// The first update, one every 10 s after it (steps 11, 21, …, 91: each
	// update is judged when the next one replaces it), and the last.
	want := "model emoji loaded\nstep 1/100\n"
	for step := 11; step <= 91; step += 10 {
		want += fmt.Sprintf("step %d/100\n", step)
	}
	want += "step 100/100\ndone\npatch 1/64\npatch 64/64\n"
	if got := buf.String(); got != want {
		t.Fatalf("log:\n%q\nwant\n%q", got, want)
	}
	if bytes.ContainsRune(buf.Bytes(), '\r') {
		t.Fatal("a carriage return reached the log")
	}
}

func TestLogSplitWritesAndFlush(t *testing.T) {
	l, buf, clock := newTestLog(time.Minute)
	// An update split over several writes, then a suffix and its newline
	// (as openModel writes "loading …" and then " in 1.2 s").
	for _, s := range []string{"\rloa", "ding 50%", "\rloading 100%", " in 1.2 s\n"} {
		if n, err := l.Write([]byte(s)); err != nil || n != len(s) {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
		clock.t = clock.t.Add(time.Second)
	}
	// Plain text that a progress line follows is ended first.
	fmt.Fprint(l, "warning: slow disk")
	fmt.Fprint(l, "\rpatch 3 / 64")
	fmt.Fprint(l, "\rpatch 9 / 64")
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "loading 50%\nloading 100% in 1.2 s\nwarning: slow disk\npatch 3 / 64\npatch 9 / 64\n"
	if got := buf.String(); got != want {
		t.Fatalf("log:\n%q\nwant\n%q", got, want)
	}
	if err := l.Flush(); err != nil || buf.String() != want {
		t.Fatalf("a second Flush wrote %q, %v", buf.String()[len(want):], err)
	}
}

func TestForStream(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := ForStream(f, 0).(*Log); !ok {
		t.Fatal("a regular file is not wrapped in a Log")
	}
	tty, err := os.OpenFile("/dev/null", os.O_WRONLY, 0) // a character device, as a terminal is
	if err != nil {
		t.Skip(err)
	}
	defer tty.Close()
	if ForStream(tty, 0) != tty {
		t.Fatal("a character device was wrapped")
	}
}
