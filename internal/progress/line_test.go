package progress

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// drawn is what a terminal showed of a progress line's output, redraw by
// redraw: the text of each '\r'-started redraw, trimmed, without the
// blanks that clear a line and without a redraw repeating the one before.
// (An update whose share moves by a whole percent is drawn twice, its text
// first.)
func drawn(out string) []string {
	var got []string
	for _, part := range strings.FieldsFunc(out, func(r rune) bool { return r == '\r' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part != "" && (len(got) == 0 || got[len(got)-1] != part) {
			got = append(got, part)
		}
	}
	return got
}

// A Line draws its share, a bar and the caller's text through
// progressbar; it redraws at most once every Every except at the end, and
// follows a total that changes; End redraws with the final text and ends
// the line, and the next Update starts another.
func TestLine(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	l := newLine(&buf, time.Second, 0, clock.now)
	l.Update(0, 10, "step 0/10")
	clock.t = clock.t.Add(100 * time.Millisecond)
	l.Update(3, 10, "step 3/10")                                                                          // too soon after the first
	if got := drawn(buf.String()); !slices.Equal(got, []string{"0% [                    ]  step 0/10"}) { // the second not drawn
		t.Fatalf("drew %q", got)
	}
	clock.t = clock.t.Add(time.Second)
	l.Update(5, 20, "step 5/20 | loss 1.5 bpt") // the schedule grew
	l.End("step 5/20 | loss 1.4 bpt (mean of the last 5 steps)")
	if l.Shown() || !strings.HasSuffix(buf.String(), " \n") {
		t.Fatalf("the line was not ended: %q", buf.String())
	}
	got := drawn(buf.String())
	if last := got[len(got)-1]; last != "25% [====>               ]  step 5/20 | loss 1.4 bpt (mean of the last 5 steps)" {
		t.Fatalf("ended on %q (drew %q)", last, got)
	}
	// A new line: its first redraw is due at once, its last always drawn.
	buf.Reset()
	l.Update(1, 2, "images: 1 of 2")
	clock.t = clock.t.Add(time.Millisecond)
	l.Update(2, 2, "images: 2 of 2")
	l.End("")
	if got, want := drawn(buf.String()), []string{"50% [=========>          ]  images: 1 of 2", "100% [====================]  images: 2 of 2"}; !drewInOrder(got, want) || got[len(got)-1] != want[1] {
		t.Fatalf("drew %q, want %q", got, want)
	}
}

// A Line with a delay draws nothing for work that ends before it, and
// Break ends a drawn line where it stands.
func TestLineQuiet(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	l := newLine(&buf, 0, time.Second, clock.now)
	l.Update(1, 2, "a")
	l.Update(2, 2, "b")
	l.End("done")
	if buf.Len() != 0 {
		t.Fatalf("quick work printed %q", buf.String())
	}
	clock.t = clock.t.Add(2 * time.Second)
	l.Update(1, 3, "c")
	l.Break()
	l.Break() // a second break writes nothing
	if got := buf.String(); strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\n") || !slices.Equal(drawn(got), []string{"33% [=====>              ]  c"}) {
		t.Fatalf("printed %q", got)
	}
}

// drewInOrder reports whether the redraws got include want in its order.
func drewInOrder(got, want []string) bool {
	for _, g := range got {
		if len(want) > 0 && g == want[0] {
			want = want[1:]
		}
	}
	return len(want) == 0
}

// A Line written through a Log (a run's log file) leaves whole lines: its
// first redraw, one at most every Every after it, and its last; never the
// blanks that clear it between redraws.
func TestLineThroughLog(t *testing.T) {
	log, buf, clock := newTestLog(10 * time.Second)
	line := newLine(log, 0, 0, clock.now)
	for step := 1; step <= 30; step++ {
		line.Update(int64(step), 30, fmt.Sprintf("step %d/30", step))
		clock.t = clock.t.Add(time.Second)
	}
	line.Break()
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	want := []string{"3% [                    ]  step 1/30", "36% [======>             ]  step 11/30", "70% [=============>      ]  step 21/30", "100% [====================]  step 30/30"}
	for i := range got {
		got[i] = strings.TrimSpace(got[i])
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the log holds %q, want %q", got, want)
	}
}

// A total that shrinks, or changes after the bar was full, is drawn as it
// is (progressbar's own state drew "300%" and a bar three times as long),
// each redraw blanks the longer one before it, and a total of 0 draws no
// spinner of progressbar's own that would go on writing.
func TestLineTotalChanges(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	l := newLine(&buf, 0, 0, clock.now)
	l.Update(300, 300, "encoding the training pictures: 300 of 300 (1,000 a second, about 0s left)")
	l.Update(50, 100, "short")
	got := drawn(buf.String())
	if last := got[len(got)-1]; last != "50% [=========>          ]  short" {
		t.Fatalf("drew %q", got)
	}
	long := len("100% [====================]  encoding the training pictures: 300 of 300 (1,000 a second, about 0s left)")
	if blank := strings.Repeat(" ", long); !strings.Contains(buf.String(), "\r"+blank) {
		t.Fatalf("the short redraw does not blank the long one: %q", buf.String())
	}
	l.End("")
	buf.Reset()
	l.Update(3, 0, "no total")
	l.Break()
	before := buf.String()
	time.Sleep(250 * time.Millisecond) // progressbar's spinner redraws every 100 ms
	if buf.String() != before || drawn(before)[0] != "100% [====================]  no total" {
		t.Fatalf("a total of 0 drew %q, then %q", before, buf.String())
	}
}
