package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/sampler"
)

func TestProgressETA(t *testing.T) {
	var p progress
	t0 := time.Unix(1000, 0)
	p.Begin("generating", 0, t0)
	for i := 1; i <= 25; i++ {
		p.Event(sampler.Event{Step: i, Steps: 100})
	}
	st := p.State(t0.Add(5 * time.Second))
	if st.Step != 25 || st.Steps != 100 {
		t.Fatalf("step %d/%d", st.Step, st.Steps)
	}
	if eta := st.ETA(); eta != 15*time.Second {
		t.Fatalf("eta %v, want 15s", eta)
	}
	if tps := st.TokensPerSecond(); tps != 5 {
		t.Fatalf("tok/s %v", tps)
	}
	txt := st.String()
	for _, want := range []string{"patch 25 / 100", "5 tok/s", "ETA 0:15"} {
		if !strings.Contains(txt, want) {
			t.Errorf("%q lacks %q", txt, want)
		}
	}
	// An edit counts the edit model's patches, not the timeline's.
	edit := st
	edit.Label = editingLabel
	if txt := edit.String(); !strings.HasPrefix(txt, "edit-model patch 25 / 100") {
		t.Errorf("an edit's progress: %q", txt)
	}
	p.End(t0.Add(6 * time.Second))
	if st := p.State(t0.Add(time.Hour)); st.Running || st.Elapsed != 6*time.Second {
		t.Fatalf("after End: %+v", st)
	}
	// A slow ranking after the patches says so until it is done or the
	// next run begins.
	p.After("ranking 4 candidates by description margin")
	if got := p.State(t0.Add(time.Hour)).String(); !strings.HasSuffix(got, " · ranking 4 candidates by description margin…") {
		t.Fatalf("while ranking: %q", got)
	}
	p.Begin("generating", 0, t0)
	if got := p.State(t0).String(); strings.Contains(got, "ranking") {
		t.Fatalf("a new run still says %q", got)
	}
}

func TestProgressIdleText(t *testing.T) {
	var p progress
	if got := p.State(time.Now()).String(); got != "ready" {
		t.Fatalf("idle: %q", got)
	}
	p.Begin("loading tiny", 0, time.Now())
	if got := p.State(time.Now()).String(); got != "loading tiny…" {
		t.Fatalf("loading: %q", got)
	}
	p.End(time.Now())
	if got := p.State(time.Now()).String(); got != "ready" {
		t.Fatalf("after loading: %q", got)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0:00", 1500 * time.Millisecond: "0:02", 61 * time.Second: "1:01", 3725 * time.Second: "1:02:05"} {
		if got := formatDuration(d); got != want {
			t.Errorf("%v: %q want %q", d, got, want)
		}
	}
}

// A run that keeps some patches says how many of image 0's were drawn
// anew and how many kept, whatever the batch.
func TestProgressCountsKeptPatches(t *testing.T) {
	var p progress
	t0 := time.Unix(1000, 0)
	p.Begin("regenerating", 0, t0)
	for range 2 { // drawn again: the same patches reported twice
		for i := 1; i <= 10; i++ {
			for im := range 3 {
				p.Event(sampler.Event{Image: im, Index: i - 1, Step: i, Steps: 10, Kept: i%5 != 0})
			}
		}
	}
	st := p.State(t0.Add(time.Second))
	if txt := st.String(); !strings.Contains(txt, "patch 10 / 10 (2 new, 8 kept)") || !strings.Contains(txt, "60 tok/s") {
		t.Errorf("%q: want 2 new and 8 kept of image 0, 60 tok/s", txt)
	}
	// Ended at its last masked patch of an image of 16: the 6 after it are
	// kept too, and the counts add up to the image.
	p.SetPatches(16, false)
	p.End(t0.Add(time.Second))
	if txt := p.State(t0.Add(time.Second)).String(); !strings.HasPrefix(txt, "2 new, 14 kept of 16 patches · ") {
		t.Errorf("a finished run that ended at patch 10 of 16: %q", txt)
	}
	p.Begin("generating", 0, t0)
	p.Event(sampler.Event{Step: 1, Steps: 10})
	if txt := p.State(t0.Add(time.Second)).String(); strings.Contains(txt, "kept") {
		t.Errorf("a run that keeps nothing: %q", txt)
	}
	// A stopped image of 16 continued from patch 6 (or a branch): 10
	// drawn, and once ended the 6 before them said kept, as the timeline
	// counts the whole image; while it runs, and stopped, its own steps.
	p.Begin("completing", 0, t0)
	p.SetPatches(16, true)
	for i := 1; i <= 10; i++ {
		p.Event(sampler.Event{Index: 5 + i, Step: i, Steps: 10})
		if i == 4 {
			if txt := p.State(t0.Add(time.Second)).String(); !strings.HasPrefix(txt, "patch 4 / 10 · ") {
				t.Errorf("a continued image, running: %q", txt)
			}
		}
	}
	p.End(t0.Add(time.Second))
	if txt := p.State(t0.Add(time.Second)).String(); !strings.HasPrefix(txt, "10 new, 6 kept of 16 patches · ") {
		t.Errorf("a continued image, ended: %q", txt)
	}
	// Extend down adds rows after an image it keeps whole: its own steps,
	// not a count of the image before it (8 of an image of 16 then 24).
	p.Begin("extending", 0, t0)
	p.SetPatches(16, false)
	for i := 1; i <= 8; i++ {
		p.Event(sampler.Event{Index: 15 + i, Step: i, Steps: 8})
	}
	p.End(t0.Add(time.Second))
	if txt := p.State(t0.Add(time.Second)).String(); !strings.HasPrefix(txt, "patch 8 / 8 · ") {
		t.Errorf("an extended image, ended: %q", txt)
	}
}

// While a batch is ranked by a score, the bar says how many are scored.
func TestRankingNote(t *testing.T) {
	if got := sampler.RankDescription.Progress(0, 4); got != "ranking 4 candidates by description margin" {
		t.Errorf("before the first: %q", got)
	}
	if got := sampler.RankDescription.Progress(3, 4); got != "ranking 4 candidates by description margin: 3 scored" {
		t.Errorf("after three: %q", got)
	}
}

// A run that does something before its first patch (a redraw reads the
// picture for seconds) says so, where the bar said "editing…" throughout.
func TestProgressSaysWhatComesBeforeThePatches(t *testing.T) {
	var p progress
	now := time.Now()
	p.Begin(editingLabel, 64, now)
	p.After("emoji reads the picture")
	if got := p.State(now).String(); got != editingLabel+" · emoji reads the picture…" {
		t.Fatalf("before the first patch: %q", got)
	}
	p.After("")
	p.Event(sampler.Event{Index: 0, Step: 1, Steps: 64})
	if got := p.State(now.Add(time.Second)).String(); !strings.HasPrefix(got, "edit-model patch 1 / 64") {
		t.Fatalf("drawing: %q", got)
	}
}
