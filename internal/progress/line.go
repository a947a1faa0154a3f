package progress

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Line is one progress line of a command, drawn on a terminal by
// github.com/schollz/progressbar/v3 (MIT): the share done, a bar and the
// caller's text, redrawn in place ("  40% [=======>            ] step
// 400/1000 | loss 0.612 bpt"; each redraw begins with '\r', and where w is
// a terminal the bar narrows to fit it). Log keeps such lines readable in
// a log file or a pipe. Nothing is written before the first Update that is
// due; End finishes the line with '\n' once it was drawn. Use a Line from
// one goroutine.
type Line struct {
	w     io.Writer
	every time.Duration // least time between two redraws
	delay time.Duration // quiet for this long after NewLine
	now   func() time.Time

	bar         *progressbar.ProgressBar // nil until the first redraw, and after Break
	start, last time.Time
	done, total int64
	text        string
}

// NewLine returns a Line on w that redraws at most once every every (the
// last step, done == total, always) and stays quiet for the first delay,
// so that quick work prints nothing.
func NewLine(w io.Writer, every, delay time.Duration) *Line {
	return newLine(w, every, delay, time.Now)
}

func newLine(w io.Writer, every, delay time.Duration, now func() time.Time) *Line {
	return &Line{w: w, every: every, delay: delay, now: now, start: now()}
}

// Update records done of total (total ≤ 0: not known, drawn as no bar's
// share) and text, and redraws the line when it is due: after the delay,
// every Every at most, and always at done == total once shown or due.
func (l *Line) Update(done, total int64, text string) {
	l.done, l.total, l.text = done, total, text
	t := l.now()
	last := total > 0 && done >= total
	if t.Sub(l.start) < l.delay && (l.bar == nil || !last) {
		return
	}
	if !l.last.IsZero() && t.Sub(l.last) < l.every && !last {
		return
	}
	l.draw(t)
}

// Draw redraws the line now with its latest state, whatever the time.
func (l *Line) Draw() { l.draw(l.now()) }

// Shown reports whether the line was drawn and not yet ended.
func (l *Line) Shown() bool { return l.bar != nil }

// End redraws the line with text (when not "") if it was drawn, and ends it
// with '\n'; the next Update starts a new line.
func (l *Line) End(text string) {
	if l.bar == nil {
		return
	}
	if text != "" {
		l.text = text
	}
	l.draw(l.now())
	l.Break()
}

// Break ends a drawn line with '\n' as it stands, so that other output
// starts a line of its own; the next Update draws a new one.
func (l *Line) Break() {
	if l.bar == nil {
		return
	}
	fmt.Fprintln(l.w)
	l.bar, l.last = nil, time.Time{}
}

// draw renders the line through the bar: its share and bar, then the text.
func (l *Line) draw(t time.Time) {
	max := l.total
	if max <= 0 {
		max = -1 // a spinner: the share is not known
	}
	done := min(l.done, max)
	fresh := l.bar == nil
	if fresh {
		l.bar = progressbar.NewOptions64(max,
			progressbar.OptionSetWriter(l.w),
			progressbar.OptionSetWidth(20),
			progressbar.OptionThrottle(0), // the Line paces its redraws
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionSetElapsedTime(false),
			progressbar.OptionShowDescriptionAtLineEnd(),
			progressbar.OptionSetTheme(progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: " ", BarStart: "[", BarEnd: "]"}),
			progressbar.OptionSetDescription(l.text))
	} else if l.bar.GetMax64() != max {
		l.bar.ChangeMax64(max)
	}
	// Set64 redraws only when the whole percentage moves, Describe always:
	// a fresh bar has its text, an older one gets it before its share.
	if !fresh {
		l.bar.Describe(l.text)
	}
	if done >= 0 {
		_ = l.bar.Set64(done) // its only errors are of a share past the end, clamped above
	}
	if fresh {
		l.bar.Describe(l.text)
	}
	l.last = t
}
