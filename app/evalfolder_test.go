package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/trainjob"
)

// eval-prompts on a model of a folder of pictures judges its samples
// against the folder: each caption evaluated is a prompt, and a sample is
// right when its nearest picture has that caption. The folder here holds
// the model's own first-seed pictures of its captions, so with one seed
// every sample is its caption's picture: all right and all near-copies. A
// model in a run folder finds the folder its run recorded.
func TestEvalPromptsOnAFolderModel(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	model := tinyModel(t)
	pics := filepath.Join(t.TempDir(), "pics")
	if err := os.Mkdir(pics, 0o755); err != nil {
		t.Fatal(err)
	}
	captions := []string{"red cat", "blue dog", "cat dog", "red"}
	for i, c := range captions {
		out := filepath.Join(pics, fmt.Sprintf("p%d.png", i))
		if code, _, stderr := run(t, "generate", "--model", model, "--prompt", c, "--seed", "1", "--out", out); code != 0 {
			t.Fatalf("generate %q: exit %d: %s", c, code, stderr)
		}
	}

	check := func(args ...string) {
		t.Helper()
		code, stdout, stderr := run(t, append([]string{"eval-prompts", "--seeds", "1", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, stderr)
		}
		var got struct {
			Hits       int            `json:"hits"`
			Samples    int            `json:"samples"`
			NearCopies int            `json:"near_copies"`
			Prompts    []promptResult `json:"prompts"`
			Data       string         `json:"data"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("%v in %q", err, stdout)
		}
		if got.Data != pics {
			t.Errorf("%q: data %q, want the folder judged against, %s", args, got.Data, pics)
		}
		if got.Samples != len(captions) || got.Hits != len(captions) || got.NearCopies != len(captions) || len(got.Prompts) != len(captions) {
			t.Fatalf("%q: %d of %d right, %d near-copies, want all %d: %s", args, got.Hits, got.Samples, got.NearCopies, len(captions), stdout)
		}
		for i, p := range got.Prompts {
			if p.Prompt != captions[i] || p.NearestCaption[0] != captions[i] || p.Got[0] != fmt.Sprintf("p%d.png", i) {
				t.Errorf("prompt %d: %+v, want %q nearest p%d.png", i, p, captions[i], i)
			}
		}
	}
	check("--model", model, "--data", pics)
	t.Chdir(filepath.Dir(pics))
	check("--model", model, "--data", "pics") // a folder's name, as train takes it

	// A model exported by a run folder whose record names the folder.
	runDir := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(model, filepath.Join(runDir, "model")); err != nil {
		t.Fatal(err)
	}
	rec, err := json.Marshal(trainjob.Record{Settings: trainjob.Settings{Data: pics, OutDir: runDir}, State: trainjob.StateDone})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(runDir, trainjob.RecordFile), rec, 0o644); err != nil {
		t.Fatal(err)
	}
	check("--model", filepath.Join(runDir, "model"))

	names := filepath.Join(t.TempDir(), "names.txt")
	if err := os.WriteFile(names, []byte("red cat\ngreen cat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "eval-prompts", "--model", filepath.Join(runDir, "model"), "--seeds", "1")
	if code != 0 || !strings.Contains(stdout, "judged against the 4 pictures of "+pics+", 4 of their captions as the prompts\n") ||
		!strings.Contains(stdout, "distribution over the 1 seed of each prompt: 4 prompts gave 1 picture\n") {
		t.Errorf("text output: exit %d, %q %q", code, stdout, stderr)
	}
	code, _, stderr = run(t, "eval-prompts", "--model", filepath.Join(runDir, "model"), "--names", names)
	if code == 0 || !strings.Contains(stderr, `caption "green cat" is not one of the 4 captions in `+pics) {
		t.Errorf("a caption the folder lacks: exit %d, %q", code, stderr)
	}
	code, _, stderr = run(t, "eval-prompts", "--model", filepath.Join(runDir, "model"), "--style", "google")
	if code != 2 || !strings.Contains(stderr, "--style") {
		t.Errorf("--style on a folder: exit %d, %q", code, stderr)
	}
	// The folder it records, moved since: said as the model's record,
	// with the way out (it said "image folder: open …" alone).
	moved := pics + "-moved"
	if err := os.Rename(pics, moved); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "eval-prompts", "--model", filepath.Join(runDir, "model"), "--seeds", "1")
	if code != 2 || !strings.Contains(stderr, "was trained on the pictures in "+pics+", as it records") || !strings.Contains(stderr, "pass --data FOLDER") {
		t.Errorf("the recorded folder moved: exit %d, %q", code, stderr)
	}
	if err := os.Rename(moved, pics); err != nil {
		t.Fatal(err)
	}

	// Interrupted after its first prompt (its line, the second written,
	// cancels), it
	// reports that prompt's figures and says how many were done; it had
	// said nothing at all.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs bytes.Buffer
	err = runEvalPrompts(ctx, Env{Stdout: &cancelOnWrite{w: &out, cancel: cancel, after: 2}, Stderr: &errs}, []string{"--model", filepath.Join(runDir, "model"), "--seeds", "1"})
	if err == nil || err.Error() != "interrupted: 1 of 4 prompts evaluated (the figures are theirs)" || !strings.Contains(out.String(), "distribution over the 1 seed of each prompt: 1 prompt gave 1 picture\n") {
		t.Errorf("interrupted: %v, stdout %q", err, out.String())
	}
}

// cancelOnWrite is a writer that cancels a context at its after-th write.
type cancelOnWrite struct {
	w             io.Writer
	cancel        context.CancelFunc
	writes, after int
}

func (c *cancelOnWrite) Write(p []byte) (int, error) {
	if c.writes++; c.writes == c.after {
		c.cancel()
	}
	return c.w.Write(p)
}

// A model that does not record its training data (copied out of its run
// folder) is told to name it, not "--data NAME: …" of a flag never given.
func TestEvalPromptsAsksForTheDataOfACopiedModel(t *testing.T) {
	code, _, stderr := run(t, "eval-prompts", "--model", tinyModel(t), "--seeds", "1")
	if code != 2 || !strings.Contains(stderr, "does not record the pictures it was trained on") || strings.Contains(stderr, "--data tiny") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
}

// A folder's sample shows a caption that is its own or one of its
// alternative captions (a caption file's further lines, a copy's caption):
// eval-prompts judged by the first caption alone.
func TestEvalCaseShowsAlternativeCaptions(t *testing.T) {
	s := data.Sample{Caption: "red square", Names: []string{"Crimson Tile"}, Key: "a.png"}
	for label, want := range map[string]bool{"red square": true, "crimson tile": true, "blue square": false} {
		if got := (evalCase{label: label, byCaption: true}).shows(s); got != want {
			t.Errorf("%q: %v", label, got)
		}
	}
	if (evalCase{label: "crimson tile"}).shows(s) {
		t.Error("a case by key took a caption")
	}
}

// eval-prompts on data whose prompts the model knows no word of refuses,
// where it reported a rate of samples drawn as with no prompt.
func TestEvalPromptsRefusesPromptsTheModelCannotRead(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	model := tinyModel(t)
	pics := captionedFolder(t, "zebra quokka", "okapi")
	code, _, stderr := run(t, "eval-prompts", "--model", model, "--data", pics, "--seeds", "1")
	if code != 1 || !strings.Contains(stderr, "knows no word of any prompt of") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// eval-prompts' text columns are laid out by display width and a long
// caption is cut to its column (a 340-word caption took its whole line,
// and the columns after a CJK caption went out of line).
func TestColumnFitsByDisplayWidth(t *testing.T) {
	for _, c := range []struct {
		s     string
		width int
		want  string
	}{
		{"red cat", 10, "red cat   "},
		{"猫の顔", 10, "猫の顔    "}, // three wide characters: six cells
		{"a very long caption indeed", 10, "a very lo…"},
		{"猫猫猫猫猫猫", 6, "猫猫… "}, // a wide character that would cross the edge is left out
	} {
		if got := column(c.s, c.width); got != c.want {
			t.Errorf("column(%q, %d) = %q, want %q", c.s, c.width, got, c.want)
		}
	}
}
