// Package progress keeps the progress lines of tessera's commands readable
// where stderr is not a terminal. The commands refresh a progress line in
// place: each update starts with '\r' and the last one ends with '\n'. On a
// terminal that redraws one line; in a log file, a pipe or a CI log every
// update piles up on one ever-longer line (a three-hour training run wrote
// four updates a second).
package progress

import (
	"bytes"
	"io"
	"os"
	"sync"
	"time"
)

// DefaultEvery is how often a Log writes a progress line of its own.
const DefaultEvery = 15 * time.Second

// Log is an io.Writer for a log file or a pipe. Text passes through as it
// is, except progress lines (text that follows a '\r'): of the updates of one
// progress line it writes the first, then one at most every Every, and
// always the last (the one a '\n' ends), each as a line of its own with its
// trailing padding trimmed. Safe for concurrent use.
type Log struct {
	w     io.Writer
	every time.Duration
	now   func() time.Time

	mu       sync.Mutex
	inUpdate bool      // a '\r' began the text now arriving
	pending  []byte    // the update arriving, not yet written
	col      bool      // text passed through since the last '\n'
	last     time.Time // when an update was last written
}

// NewLog returns a Log that writes to w at most one update of a progress
// line every every (DefaultEvery when every ≤ 0).
func NewLog(w io.Writer, every time.Duration) *Log {
	if every <= 0 {
		every = DefaultEvery
	}
	return &Log{w: w, every: every, now: time.Now}
}

// ForStream returns f itself when it is a terminal (a character device),
// and a Log over f otherwise.
func ForStream(f *os.File, every time.Duration) io.Writer {
	if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		return f
	}
	return NewLog(f, every)
}

// Write implements io.Writer; it always reports len(p) bytes written unless
// the underlying writer fails.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			if err := l.text(p); err != nil {
				return 0, err
			}
			break
		}
		if err := l.text(p[:i]); err != nil {
			return 0, err
		}
		var err error
		if p[i] == '\r' {
			err = l.carriageReturn()
		} else {
			err = l.newline()
		}
		if err != nil {
			return 0, err
		}
		p = p[i+1:]
	}
	return n, nil
}

// text handles bytes without '\r' or '\n'.
func (l *Log) text(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	if l.inUpdate {
		l.pending = append(l.pending, p...)
		return nil
	}
	l.col = true
	_, err := l.w.Write(p)
	return err
}

// carriageReturn starts the next update, writing the one before it when
// Every has passed since the last one written.
func (l *Log) carriageReturn() error {
	if l.inUpdate {
		if len(bytes.TrimSpace(l.pending)) > 0 && (l.last.IsZero() || l.now().Sub(l.last) >= l.every) {
			if err := l.writeUpdate(); err != nil {
				return err
			}
		}
		l.pending = l.pending[:0]
		return nil
	}
	l.inUpdate = true
	if l.col { // end the plain text a progress line would have overwritten
		l.col = false
		_, err := l.w.Write([]byte{'\n'})
		return err
	}
	return nil
}

// newline ends a line: an update's last one is always written, and the
// next progress line's first one will be.
func (l *Log) newline() error {
	if l.inUpdate {
		l.inUpdate = false
		err := l.writeUpdate()
		l.last = time.Time{}
		return err
	}
	l.col = false
	_, err := l.w.Write([]byte{'\n'})
	return err
}

// writeUpdate writes the pending update as a line of its own.
func (l *Log) writeUpdate() error {
	line := append(bytes.TrimRight(l.pending, " "), '\n')
	l.pending = l.pending[:0]
	l.last = l.now()
	if len(line) == 1 {
		return nil
	}
	_, err := l.w.Write(line)
	return err
}

// Flush writes an update still pending (a progress line that no '\n'
// ended, as when a command fails in the middle of one).
func (l *Log) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.inUpdate {
		return nil
	}
	l.inUpdate = false
	if len(bytes.TrimSpace(l.pending)) == 0 {
		return nil
	}
	return l.writeUpdate()
}
