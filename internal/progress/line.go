package progress

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
)

// Line is one progress line of a command, drawn on a terminal by
// github.com/schollz/progressbar/v3 (MIT): the share done, a bar and the
// caller's text, redrawn in place ("  40% [=======>            ] step
// 400/1000 | loss 0.612 bpt"; each redraw begins with '\r' and blanks the
// one before, and where w is a terminal the bar narrows to fit it). Log
// keeps such lines readable in a log file or a pipe. Nothing is written
// before the first Update that is due; End finishes the line with '\n' once
// it was drawn. Use a Line from one goroutine.
type Line struct {
	w     io.Writer
	every time.Duration // least time between two redraws
	delay time.Duration // quiet for this long after NewLine
	now   func() time.Time

	start, last time.Time
	done, total int64
	text        string
	shown       bool // drawn and not yet ended
	width       int  // the widest redraw of the line so far, in runes
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

// Update records done of total and text, and redraws the line when it is
// due: after the delay, every Every at most, and always at done == total
// once shown or due. The total may change from one update to the next; a
// total under done (or under 1) is drawn as done of done.
func (l *Line) Update(done, total int64, text string) {
	l.done, l.total, l.text = done, total, text
	t := l.now()
	last := total > 0 && done >= total
	if t.Sub(l.start) < l.delay && (!l.shown || !last) {
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
func (l *Line) Shown() bool { return l.shown }

// End redraws the line with text (when not "") if it was drawn, and ends it
// with '\n'; the next Update starts a new line.
func (l *Line) End(text string) {
	if !l.shown {
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
	if !l.shown {
		return
	}
	fmt.Fprintln(l.w)
	l.shown, l.last, l.width = false, time.Time{}, 0
}

// draw blanks the line drawn before and renders this one through a bar of
// its own: a fresh bar each time, as progressbar's state does not follow
// a total that shrinks, nor redraw a bar it has finished.
func (l *Line) draw(t time.Time) {
	total := max(l.total, l.done, 1)
	if l.width > 0 {
		fmt.Fprintf(l.w, "\r%s\r", strings.Repeat(" ", l.width))
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(l.w),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(0), // the Line paces its redraws
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: " ", BarStart: "[", BarEnd: "]"}),
		progressbar.OptionSetDescription(l.text))
	if l.done > 0 {
		_ = bar.Set64(l.done) // draws once the whole percentage is above 0, or the bar is full
	}
	if bar.String() == "" {
		_ = bar.RenderBlank() // nothing done, or under 1%
	}
	l.width = max(l.width, utf8.RuneCountInString(strings.TrimLeft(bar.String(), "\r")))
	l.shown, l.last = true, t
}
