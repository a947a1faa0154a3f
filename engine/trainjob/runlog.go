package trainjob

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/internal/progress"
)

// LogFile is the run's log inside the run folder: what `tessera train`
// prints (and the Train tab shows), kept across pauses, resumes and
// restarts of the studio. Progress lines are thinned to one a minute.
const LogFile = "train.log"

// LockFile is the file a run's process holds an advisory lock on while it
// trains (Run): a second process refuses the folder meanwhile.
const LockFile = ".lock"

// logEvery is how often the run log keeps a progress line.
const logEvery = time.Minute

// runLog appends a run's output to its LogFile.
type runLog struct {
	f   *os.File
	out *progress.Log
}

// openRunLog opens dir's log for appending; a log that cannot be written
// is reported on w and skipped (training goes on without it).
func openRunLog(dir string, w io.Writer) *runLog {
	f, err := os.OpenFile(filepath.Join(dir, LogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintf(w, "warning: run log: %v\n", err)
		return nil
	}
	return &runLog{f: f, out: progress.NewLog(f, logEvery)}
}

// tee returns a writer to w and the log; the log's errors (a full disk)
// never stop what w is told.
func (l *runLog) tee(w io.Writer) io.Writer {
	if l == nil {
		return w
	}
	return teeWriter{w, l.out}
}

// close ends the log with a last line.
func (l *runLog) close(last string) {
	if l == nil {
		return
	}
	l.out.Flush()
	if last != "" {
		fmt.Fprintln(l.out, last)
	}
	l.f.Close()
}

// teeWriter writes to w and, ignoring its errors, to log.
type teeWriter struct {
	w   io.Writer
	log io.Writer
}

func (t teeWriter) Write(p []byte) (int, error) {
	t.log.Write(p) //nolint:errcheck // the log is a record; training does not stop for it
	return t.w.Write(p)
}

// ReadLogTail returns the last n lines of the log of the run in dir (nil
// when it has none): a few kilobytes from its end, not the whole file.
func ReadLogTail(dir string, n int) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, LogFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("run log: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("run log: %w", err)
	}
	const maxTail = 256 * (1 << 10)
	size := min(st.Size(), int64(max(n, 1))*512, maxTail)
	buf := make([]byte, size)
	if _, err := f.ReadAt(buf, st.Size()-size); err != nil && err != io.EOF {
		return nil, fmt.Errorf("run log: %w", err)
	}
	if size < st.Size() {
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			buf = buf[i+1:] // the first line is cut
		}
	}
	lines := strings.Split(strings.TrimRight(string(buf), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil, nil
	}
	return lines[max(0, len(lines)-n):], nil
}
