package ui

import (
	"fmt"
	"sync"
	"time"

	"github.com/tessera-studio/tessera/engine/sampler"
)

// progress follows a run: patch i of N, tokens per second and the time
// left. The sampler goroutine feeds it; the UI reads a snapshot on each
// repaint. It is safe for concurrent use.
type progress struct {
	mu     sync.Mutex
	label  string
	start  time.Time
	step   int
	steps  int
	tokens int
	// kept0 says, for each patch of image 0 reported so far, whether it
	// was kept as it was (teacher-forced: a masked regeneration's unmasked
	// ones) rather than drawn anew; a run drawn again reports the same
	// patches again.
	kept0   map[int]bool
	running bool
	end     time.Time
	// after is what the run does once its patches are drawn ("ranking
	// the candidates by description margin"), until the next Begin.
	after string
	// patches is image 0's size in patches (0: unknown), which a run that
	// ends at its last masked patch does not go through to the end of.
	patches int
	// prefix is whether the run keeps the patches before its first
	// position (Continue, Branch from here) and draws the rest.
	prefix bool
}

// progressState is a consistent view of a progress.
type progressState struct {
	Label       string
	Step, Steps int
	Tokens      int
	// Fresh and Kept are image 0's patches drawn anew and kept so far.
	Fresh, Kept int
	Elapsed     time.Duration
	Running     bool
	// After is what the run does once its patches are drawn (progress.After).
	After string
	// Patches is image 0's size in patches (0: unknown; progress.SetPatches).
	Patches int
	// Prefix: the run keeps the patches before its first position
	// (progress.SetPatches).
	Prefix bool
}

// Begin starts following a run of steps positions.
func (p *progress) Begin(label string, steps int, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label, p.start, p.steps, p.running = label, now, steps, true
	p.step, p.tokens, p.kept0, p.end, p.after, p.patches, p.prefix = 0, 0, nil, time.Time{}, "", 0, false
}

// SetPatches gives image 0's size in patches: a finished run that kept
// some then counts every patch, those after its last position too, and,
// with prefix (a run that keeps the patches before its first position and
// draws the rest: Continue, Branch from here), those before its first.
func (p *progress) SetPatches(n int, prefix bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.patches, p.prefix = n, prefix
}

// After says what the run does once its patches are drawn, shown after
// the patch count ("" shows nothing).
func (p *progress) After(what string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.after = what
}

// Event records one sampler event.
func (p *progress) Event(ev sampler.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokens++
	if ev.Image == 0 {
		if p.kept0 == nil {
			p.kept0 = map[int]bool{}
		}
		p.kept0[ev.Index] = ev.Kept
	}
	p.step = max(p.step, ev.Step)
	if ev.Steps > 0 {
		p.steps = ev.Steps
	}
}

// End marks the run as finished.
func (p *progress) End(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = false
	p.end = now
}

// Clear forgets the last run (the bar says "ready"): the canvas no
// longer shows what it made, e.g. once a file was opened.
func (p *progress) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label, p.start, p.step, p.steps, p.tokens, p.kept0, p.running, p.end, p.after = "", time.Time{}, 0, 0, 0, nil, false, time.Time{}, ""
}

// State returns the current state as of now.
func (p *progress) State(now time.Time) progressState {
	p.mu.Lock()
	defer p.mu.Unlock()
	end := now
	if !p.running && !p.end.IsZero() {
		end = p.end
	}
	var el time.Duration
	if !p.start.IsZero() {
		el = end.Sub(p.start)
	}
	st := progressState{Label: p.label, Step: p.step, Steps: p.steps, Tokens: p.tokens, Elapsed: el, Running: p.running, After: p.after, Patches: p.patches, Prefix: p.prefix}
	for _, kept := range p.kept0 {
		if kept {
			st.Kept++
		} else {
			st.Fresh++
		}
	}
	return st
}

// Fraction is the part done, 0 to 1.
func (s progressState) Fraction() float64 {
	if s.Steps <= 0 {
		return 0
	}
	return float64(s.Step) / float64(s.Steps)
}

// TokensPerSecond is the sampling speed so far.
func (s progressState) TokensPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Tokens) / s.Elapsed.Seconds()
}

// ETA is the time left at the speed so far (N is known in advance, so
// it is remaining steps × time per step).
func (s progressState) ETA() time.Duration {
	if s.Step <= 0 || s.Steps <= s.Step {
		return 0
	}
	per := s.Elapsed / time.Duration(s.Step)
	return per * time.Duration(s.Steps-s.Step)
}

// String renders the progress bar text, e.g. "patch 12 / 256 · 340 tok/s
// · ETA 0:04"; a run that keeps some patches (a masked regeneration) says
// how many of the positions gone through were drawn anew: "patch 40 / 61
// (18 new, 22 kept) · …", and once it ended, of the whole image: "18 new,
// 46 kept of 64 patches · …".
func (s progressState) String() string {
	if s.Running && s.Step == 0 && s.After != "" {
		return s.Label + " · " + s.After + "…" // before its first patch (a redraw reads the picture first)
	}
	if s.Steps == 0 {
		if s.Running {
			return s.Label + "…"
		}
		return "ready"
	}
	// An edit counts the edit model's patches (8×8 on the built-in, as
	// the emoji model's), not the drawing model's the timeline counts.
	noun := "patch"
	if s.Label == editingLabel {
		noun = "edit-model patch"
	}
	txt := fmt.Sprintf("%s %d / %d · %.0f tok/s", noun, s.Step, s.Steps, s.TokensPerSecond())
	switch {
	case s.Kept > 0 && !s.Running && s.Patches > s.Step:
		// Ended at its last masked patch: the ones after it are kept too,
		// and the counts add up to the image ("15 new, 49 kept of 64
		// patches"; "patch 23 / 23 (15 new, 49 kept of 64)", the positions
		// gone through beside the image's, puzzled a newcomer).
		txt = fmt.Sprintf("%d new, %d kept of %d %ses · %.0f tok/s", s.Fresh, s.Patches-s.Fresh, s.Patches, noun, s.TokensPerSecond())
	case s.Kept > 0:
		txt = fmt.Sprintf("%s %d / %d (%d new, %d kept) · %.0f tok/s", noun, s.Step, s.Steps, s.Fresh, s.Kept, s.TokensPerSecond())
	case s.Prefix && !s.Running && s.Steps > 0 && s.Step == s.Steps && s.Patches > s.Steps:
		// Ended after keeping the patches before its first position (a
		// stopped image continued, a branch): of the whole image too, as
		// the timeline counts ("patch 56 / 56" beside its 64 / 64).
		txt = fmt.Sprintf("%d new, %d kept of %d %ses · %.0f tok/s", s.Steps, s.Patches-s.Steps, s.Patches, noun, s.TokensPerSecond())
	}
	if s.Running {
		if s.Step == 0 {
			return s.Label + " · starting…"
		}
		return txt + " · ETA " + formatDuration(s.ETA())
	}
	if s.After != "" {
		return txt + " · " + s.After + "…"
	}
	return txt + " · " + formatDuration(s.Elapsed)
}

// formatDuration prints m:ss (or h:mm:ss), rounding up to whole seconds.
func formatDuration(d time.Duration) string {
	sec := int((d + time.Second - 1) / time.Second)
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}
