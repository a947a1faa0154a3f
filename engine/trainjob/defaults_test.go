package trainjob

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

// A fine-tune recommends the sampling settings of the model it tunes,
// each replaced where its own settings recommend one (the emoji model's
// fine-tunes lost its min-p and style per seed and drew at temperature 1
// without guidance); a model without defaults leaves its own as they are,
// and so does a built-in dataset with a sampling recipe of its own (the
// shapes': the emoji model's min-p drew them blank).
func TestFineTuneInheritsDefaults(t *testing.T) {
	emoji := sampling.Recommended{Temperature: 0.8, Guidance: 3, GuidanceMinP: 0.5, StylePerSeed: 1}
	base := &bundle.Bundle{Model: &model.Model{Config: model.Config{Tessera: &model.Ext{Defaults: &emoji}}}}
	if got := inheritDefaults(base, "emoji", Preset("emoji").Defaults, true); got != emoji {
		t.Errorf("on emoji: %+v, want %+v", got, emoji)
	}
	// Extra knobs given by the user (--default-top-p) replace the base's.
	own := sampling.Recommended{TopP: 0.9, Guidance: 1.5, RankBy: "description"}
	want := sampling.Recommended{Temperature: 0.8, TopP: 0.9, Guidance: 1.5, GuidanceMinP: 0.5, StylePerSeed: 1, RankBy: "description"}
	if got := inheritDefaults(base, "mnist", own, true); got != want {
		t.Errorf("with its own: %+v, want %+v", got, want)
	}
	// Data without style words (one's own icons): no style per seed.
	want.StylePerSeed = 0
	if got := inheritDefaults(base, "mnist", own, false); got != want {
		t.Errorf("on data without styles: %+v, want %+v", got, want)
	}
	// A folder of one's own pictures: the base's guidance and min-p too.
	if got := inheritDefaults(base, "/my/icons", sampling.Recommended{}, false); got != (sampling.Recommended{Temperature: 0.8, Guidance: 3, GuidanceMinP: 0.5}) {
		t.Errorf("on a folder: %+v", got)
	}
	// The shapes: their preset's recipe whole.
	if got := inheritDefaults(base, "shapes", Preset("shapes").Defaults, false); got != Preset("shapes").Defaults {
		t.Errorf("on the shapes: %+v, want the preset's %+v", got, Preset("shapes").Defaults)
	}
	plain := &bundle.Bundle{Model: &model.Model{Config: model.Config{}}}
	if got := inheritDefaults(plain, "mnist", own, true); got != own {
		t.Errorf("a base without defaults: %+v, want %+v", got, own)
	}
}

// A folder of one picture trains on it whichever split its name draws it
// into: drawn into validation, it left no training image ("prepare: no
// training images").
func TestOnePictureFolderTrains(t *testing.T) {
	for i := range 200 {
		name := fmt.Sprintf("p%d", i)
		if tr, _ := data.Split([]data.Sample{{Key: name + ".png"}}, 0.1, 1); len(tr) > 0 {
			continue
		}
		dir := t.TempDir()
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, imagetest.Solid(color.NRGBA{200, 30, 30, 255}, 8)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		var log strings.Builder
		tr, va, err := LoadDataset(context.Background(), dir, 8, nil, &log)
		if err != nil || len(tr) != 1 || len(va) != 1 {
			t.Fatalf("%s.png: %d training, %d validation pictures, %v", name, len(tr), len(va), err)
		}
		// ... and says that it validates on the picture it trains on
		if !strings.Contains(log.String(), "warning: one picture: it is trained on and validated on") {
			t.Fatalf("log %q", log.String())
		}
		return
	}
	t.Fatal("no name of 200 falls into validation (a tenth should)")
}

// A run with a budget (the Train tab's), paused and resumed, trains for
// what is left of it; once it is spent, for a whole budget again; a run
// without one (tessera train --minutes) has each call's own.
func TestMinutesLeft(t *testing.T) {
	s := Settings{Minutes: 2, Budget: 2}
	for _, c := range []struct {
		elapsed time.Duration
		want    float64
	}{{0, 2}, {30 * time.Second, 1.5}, {100 * time.Second, 2 - 100.0/60}, {115 * time.Second, 2}, {5 * time.Minute, 2}} {
		if got := s.MinutesLeft(c.elapsed); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("after %v: %g minutes, want %g", c.elapsed, got, c.want)
		}
	}
	if got := (Settings{Minutes: 3}).MinutesLeft(time.Minute); got != 3 {
		t.Errorf("a call's own budget: %g minutes, want 3", got)
	}
}

// A run with a whole budget (the Train tab's), paused and resumed, goes on
// for what is left of it; its record keeps the budget it was given.
func TestResumeTrainsForTheBudgetLeft(t *testing.T) {
	s := tinyRun(t, 1000, 500)
	s.Minutes, s.Budget = 1, 1
	pauseAt := func(step int) (context.Context, Events) {
		ctx, cancel := context.WithCancelCause(context.Background())
		return ctx, Events{Step: func(i train.StepInfo) {
			if i.Step >= step {
				cancel(ErrPaused)
			}
		}}
	}
	ctx, ev := pauseAt(3)
	if _, err := Run(ctx, s, ev); !errors.Is(err, context.Canceled) {
		t.Fatalf("paused run: %v", err)
	}
	rec, err := ReadRecord(s.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	s2 := rec.Settings
	s2.Resume = true
	var log strings.Builder
	ctx, ev = pauseAt(5)
	ev.Log = &log
	if _, err := Run(ctx, s2, ev); !errors.Is(err, context.Canceled) {
		t.Fatalf("resumed run: %v", err)
	}
	if !strings.Contains(log.String(), "what is left of its 1-minute budget") || strings.Contains(log.String(), " 1 minutes") {
		t.Errorf("the resumed run's log:\n%s", log.String())
	}
	if rec, err := ReadRecord(s.OutDir); err != nil || rec.Settings.Minutes != 1 || rec.Settings.Budget != 1 {
		t.Errorf("record after the resume: %+v (%v)", rec.Settings, err)
	}
}

// A small folder's report names the pictures held out for validation and
// the words only their captions have, which the model never trains on (a
// one-off caption drawn into validation was dropped without a word).
func TestHeldOutWarning(t *testing.T) {
	tr := []data.Sample{{Key: "red-circle.png", Caption: "red circle"}, {Key: "blue-circle.png", Caption: "blue circle"}}
	va := []data.Sample{{Key: "purple-star.png", Caption: "purple star"}}
	w := heldOutWarning(tr, va, nil)
	if !strings.Contains(w, "held out for validation, never trained on: purple-star.png") || !strings.Contains(w, "are not learnt: purple, star") {
		t.Fatalf("%q", w)
	}
	// A fine-tune's base model knows them already: not said.
	if w := heldOutWarning(tr, va, []string{"<pad>", "purple", "star"}); strings.Contains(w, "not learnt") {
		t.Fatalf("words the base model knows: %q", w)
	}
	va[0].Caption = "red circle"
	if w := heldOutWarning(tr, va, nil); strings.Contains(w, "not learnt") || !strings.Contains(w, "purple-star.png") {
		t.Fatalf("%q", w)
	}
	many := make([]data.Sample, 2*data.FewImages)
	for i := range many {
		many[i] = data.Sample{Key: fmt.Sprintf("%d.png", i), Caption: "red circle"}
	}
	if w := heldOutWarning(many, va, nil); w != "" {
		t.Fatalf("a folder of %d pictures whose held-out captions are all trained: %q", len(many)+1, w)
	}
}
