package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// A model of 64 MiB or more shows a progress line while it loads, except
// under --quiet (quietLog), which printed it anyway.
func TestLoadProgressQuiet(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		var buf strings.Builder
		log := logFor(Env{Stderr: &buf}, quiet)
		progress, done := loadProgress(log, "rm/small")
		progress(0, 300<<20)
		progress(300<<20, 300<<20)
		done()
		fmt.Fprintln(log, "note: a note")
		got := buf.String()
		if shown := strings.Contains(got, "100% [====================]  loading rm/small: 314.6 MB in "); shown == quiet || !strings.Contains(got, "note: a note") || strings.Contains(got, "snote") {
			t.Errorf("quiet %v: %q", quiet, got)
		}
	}
	var buf strings.Builder
	progress, done := loadProgress(&buf, "small")
	progress(1<<20, 1<<20)
	done()
	if buf.Len() != 0 {
		t.Errorf("a 1 MiB model: %q", buf.String())
	}
}

// The note on pictures drawn alike names the setting that varies them:
// under guidance min-p a confident model leaves one code whatever the
// temperature (the note said more --temperature would).
func TestVaryHintNamesWhatVaries(t *testing.T) {
	for _, c := range []struct {
		opt  sampler.Options
		want string
	}{
		{sampler.Options{Settings: sampling.Settings{Temperature: 0.8, Guidance: 3, GuidanceMinP: 0.5}}, "a lower --guidance-min-p (0 is off) or --guidance 1 varies it"},
		{sampler.Options{Settings: sampling.Settings{Temperature: 0, Guidance: 3, GuidanceMinP: 0.5}}, "more --temperature"},
		{sampler.Options{Settings: sampling.Settings{Temperature: 1, Guidance: 1, GuidanceMinP: 0.5}}, "more --temperature"},
		{sampler.Options{Settings: sampling.Settings{Temperature: 1, Guidance: 3}}, "more --temperature"},
	} {
		if got := varyHint(c.opt); !strings.HasPrefix(got, c.want) {
			t.Errorf("%+v: %q, want %q…", c.opt, got, c.want)
		}
	}
}

// A model folder named without a '/' (where no built-in has the name) and
// a training run's folder open as the model (both were refused), and a
// picture it made is read with it without --model when the folder of the
// recorded name here holds the recorded weights.
func TestModelFolderByNameAndRun(t *testing.T) {
	tiny := tinyModel(t)
	work := t.TempDir()
	if err := os.CopyFS(filepath.Join(work, "run1", "model"), os.DirFS(tiny)); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(work, "mine"), os.DirFS(tiny)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "run1", bundle.RunRecordFile), []byte("{}"), 0o644); err != nil { // a run's record
		t.Fatal(err)
	}
	t.Chdir(work)
	for _, m := range []string{"mine", "run1", "./run1", "run1/model"} {
		if code, _, stderr := run(t, "generate", "--model", m, "--prompt", "red cat", "--seed", "1", "--out", m+"-pic.png", "--quiet", "--force"); code != 0 {
			t.Errorf("generate --model %s: exit %d, %s", m, code, stderr)
		}
	}
	// The record names the model "run1" (a run's model takes its run's
	// name) or "tiny" (a model folder's own name, with no folder of that
	// name here).
	code, stdout, stderr := run(t, "score", "--json", "run1-pic.png")
	if code != 0 || !strings.Contains(stdout, `"bits_per_token"`) {
		t.Errorf("score of run1's picture without --model: exit %d, %q %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "score", "mine-pic.png"); code == 0 || !strings.Contains(stderr, "not built in") {
		t.Errorf("score of a picture whose model's folder is not found here: exit %d, %q", code, stderr)
	}
}

// TestNoModelOrFolderOfAName: a --model name that is neither a built-in
// model nor a folder here says so (it said "a folder path needs a '/'",
// while a name no built-in has is the folder of that name).
func TestNoModelOrFolderOfAName(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, stderr := run(t, "generate", "--model", "run1", "--prompt", "red cat", "--out", "x.png")
	if code != 1 || !strings.Contains(stderr, "tessera generate: no built-in model or folder named run1 (built-in: ") ||
		!strings.Contains(stderr, "tessera models lists them") || strings.Contains(stderr, "needs a '/'") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
}

// Pictures of a batch drawn alike are said once each, with the images that
// repeat them, and a batch of many repeats in one line (64 images said 58
// lines).
func TestSameNotesGroupRepeats(t *testing.T) {
	a, b := []int{1, 2}, []int{3, 4}
	ims := func(tokens ...[]int) []sampler.Image {
		out := make([]sampler.Image, len(tokens))
		for i, tk := range tokens {
			out[i] = sampler.Image{Tokens: tk}
		}
		return out
	}
	opt := sampler.Options{Settings: sampling.Settings{Temperature: 0}}
	got := sameNotes("x.png", ims(a, b, a, a, b), nil, opt)
	want := []string{
		"x-3.png, x-4.png are the same picture as x-1.png (more --temperature or less --guidance varies it)",
		"x-5.png is the same picture as x-2.png (more --temperature or less --guidance varies it)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("notes %q, want %q", got, want)
	}
	var many [][]int
	for i := range 64 {
		many = append(many, []int{i % 6})
	}
	got = sameNotes("x.png", ims(many...), nil, opt)
	if len(got) != 1 || !strings.HasPrefix(got[0], "58 of the 64 images repeat earlier ones of the batch: 6 different pictures") {
		t.Errorf("a batch of 64 with 6 pictures: %q", got)
	}
}
