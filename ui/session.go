package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/tessera-studio/tessera/ui/core"
)

// sessionVersion is the layout version of the session file.
const sessionVersion = 1

// sessionFile is the name of the autosaved work in the state folder.
const sessionFile = "session.json"

// session is the current work as autosaved: enough to reopen the studio
// where it was after a crash or a kill.
type session struct {
	Version int    `json:"version"`
	Model   string `json:"model"` // what Models.Open takes
	// ModelHash identifies the weights the tokens belong to.
	ModelHash string      `json:"model_hash"`
	Params    core.Params `json:"params"`
	Doc       core.State  `json:"document"`
	// Saved reports whether the current image is in the outputs folder or
	// was exported (quitting then loses nothing).
	Saved bool `json:"saved"`
	// Others holds the work of the other models used, by model key: each
	// model keeps its own image, undo history and settings.
	Others map[string]savedWork `json:"others,omitempty"`
	stripsKept
	// Instruction is what the Edit by instruction box held (typed, not
	// necessarily run): it comes back in the box, as the prompt does.
	Instruction string `json:"instruction,omitempty"`
}

// savedWork is one other model's work in the session file.
type savedWork struct {
	ModelHash string      `json:"model_hash"`
	Params    core.Params `json:"params"`
	Doc       core.State  `json:"document"`
	Saved     bool        `json:"saved"`
	// Its strips, as session's are the current model's. Absent from older
	// session files: none kept.
	stripsKept
}

// stripsKept are a model's candidate strips in the session file, the same
// fields for the model open and for the others (session, sessionOut,
// savedWork, workOut, modelWork).
type stripsKept struct {
	// Candidates is the candidate strip of the model's image (nil: none
	// was shown), which can still be picked from.
	Candidates *savedStrip `json:"candidates,omitempty"`
	// Shelf holds the strips put away with the images an undo or redo
	// goes back to (candidateStrip.savedShelf), oldest first.
	Shelf []*savedStrip `json:"shelf,omitempty"`
	// NoStrip are the places (as savedStrip.History) of the undo steps
	// whose run offered no candidates (candidateStrip.savedShelf): a redo
	// to one shows none. Absent from older session files: none known.
	NoStrip []int `json:"none_history,omitempty"`
}

// loadSession reads a session file; a missing file gives (nil, nil).
func loadSession(path string) (*session, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read saved session: %w", err)
	}
	var s session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("read saved session %s: %w", path, err)
	}
	if s.Version != sessionVersion {
		return nil, fmt.Errorf("saved session %s has version %d, want %d", path, s.Version, sessionVersion)
	}
	return &s, nil
}

// autosaver writes the latest data handed to it to a file, at most once per
// delay; Flush writes what is pending at once. It is safe for concurrent use.
type autosaver struct {
	path  string
	delay time.Duration

	mu      sync.Mutex
	pending []byte
	timer   *time.Timer
	err     error
	write   sync.Mutex // serialises file writes
	// off, when set, is why nothing is written: Save drops the data and
	// Flush and Err return it (errSessionElsewhere).
	off error
	// failed, when set, is told the first error of a run of failed writes
	// (a full disk), on the goroutine that wrote: a timer's write has no
	// caller to return it to.
	failed func(error)
}

// sessionLockFile, in the state folder, is locked by the studio that keeps
// the session (Options.LockSession).
const sessionLockFile = "session.lock"

// errSessionElsewhere is the autosave's error in a studio opened while
// another keeps the session.
var errSessionElsewhere = errors.New("another Tessera window keeps this session: this window's work is not kept for next time")

// lockSession takes the session lock of stateDir, kept until the process
// ends; held by another process, the session is left to it: this studio's
// autosaver writes nothing (errSessionElsewhere) and restore reads nothing.
func (s *Studio) lockSession(stateDir string) {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return // the autosave says what is wrong with the folder
	}
	l := flock.New(filepath.Join(stateDir, sessionLockFile))
	held, err := l.TryLock()
	switch {
	case err != nil:
		return // a file system without locks: as before
	case held:
		s.sessionLock = l // kept: a lock collected with its file would be let go
	default:
		s.save.off = errSessionElsewhere
		s.set.guest = true
	}
}

// KeepsSession reports whether this window keeps the session (its work is
// kept for next time): false where another window holds the session lock.
func (s *Studio) KeepsSession() bool { return s.save.off == nil }

// newAutosaver returns a saver for path.
func newAutosaver(path string, delay time.Duration) *autosaver {
	return &autosaver{path: path, delay: delay}
}

// Save schedules data to be written.
func (a *autosaver) Save(data []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.off != nil {
		return
	}
	a.pending = data
	if a.timer == nil {
		a.timer = time.AfterFunc(a.delay, func() { a.Flush() })
	}
}

// Pending reports whether data is waiting to be written.
func (a *autosaver) Pending() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pending != nil
}

// Flush writes pending data now and returns the last write error.
func (a *autosaver) Flush() error {
	a.write.Lock()
	defer a.write.Unlock()
	a.mu.Lock()
	data := a.pending
	a.pending = nil
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	a.mu.Unlock()
	if data == nil {
		return a.Err()
	}
	err := writeFileAtomic(a.path, data)
	a.mu.Lock()
	first := err != nil && a.err == nil
	a.err = err
	failed := a.failed
	a.mu.Unlock()
	if first && failed != nil {
		failed(err)
	}
	return err
}

// Err is the error of the last write (nil if it succeeded).
func (a *autosaver) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.off != nil {
		return a.off
	}
	return a.err
}
