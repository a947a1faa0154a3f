package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// runStopped runs a command (or the studio) as Main does, with the status
// Main gives its error, but under a context already cancelled: a command
// that goes past its command line into work stops at once.
func runStopped(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	env := Env{Stdout: &o, Stderr: &e}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var err error
	if args[0] == "studio" {
		err = runStudio(ctx, env, args[1:])
	} else {
		err = commands()[args[0]].run(ctx, env, args[1:])
	}
	code = exitStatus(env, args[0], err, false)
	return code, o.String(), e.String()
}

// takesArguments are the commands whose arguments after the flags are
// images, folders or checkpoints; every other command takes none.
var takesArguments = []string{"average", "check-data", "convert", "describe", "info", "score", "tokenize"}

// TestStrayArgumentsAreRefused: a command that takes no arguments refuses
// one left after its flags (they were silently dropped by bench, sheet,
// branch, extend, timelapse, the eval commands and train-tokenizer), and
// "true" or "false" written apart from a yes/no flag (--limits false sets
// --limits and left "false" over) says to write --limits=false, in every
// command, before any work.
func TestStrayArgumentsAreRefused(t *testing.T) {
	var names []string // the studio takes a picture to open ("stray": no such file, below)
	for name := range commands() {
		if !slices.Contains(takesArguments, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		code, _, stderr := runStopped(t, name, "stray")
		if code != 2 || !strings.Contains(stderr, `takes no arguments (got "stray")`) {
			t.Errorf("%s stray: exit %d, %q; want 2 and takes no arguments", name, code, stderr)
		}
	}
	if code, _, stderr := runStopped(t, "studio", "stray"); code != 2 || !strings.Contains(stderr, "stray: there is no such file to open (the model goes in --model)") {
		t.Errorf("studio stray: exit %d, %q", code, stderr)
	}

	dir := t.TempDir()
	runDir := filepath.Join(dir, "tt2")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--model", "mnist", "--batch", "1", "--limits", "false"}, `"false" after --limits is not read as its value: write --limits=false`},
		{[]string{"sheet", "--prompt", "rocket", "--labels", "false", "--out", filepath.Join(dir, "s.png")}, "write --labels=false"},
		{[]string{"score", "--json", "true", filepath.Join(dir, "x.png")}, "write --json=true"},
		{[]string{"extend", "-json", "0", "--from", "x.png", "--rows", "1"}, "write --json=0"},
		{[]string{"train-tokenizer", "--out", runDir, "foo"}, `takes no arguments (got "foo"): the run folder goes in --out`},
		{[]string{"generate", "--prompt", "cat", "face", "dog"}, `takes no arguments (got "face", "dog"): the prompt goes in --prompt`},
		{[]string{"generate", "--prompt", "cat", "cat.png"}, `takes no arguments (got "cat.png"): the file to write goes in --out (--out cat.png)`},
	}
	for _, c := range cases {
		code, stdout, stderr := runStopped(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, stdout, stderr, c.want)
		}
	}
	if _, err := os.Stat(runDir); err == nil {
		t.Error("train-tokenizer with a stray argument made its run folder")
	}
	// The value joined to the flag still works.
	if code, _, stderr := run(t, "models", "--json=false"); code != 0 {
		t.Errorf("models --json=false: exit %d, %q", code, stderr)
	}
}

// The studio's bad command line exits 2, as every command's does (it gave 1).
func TestStudioBadCommandLineExits2(t *testing.T) {
	for _, args := range [][]string{{"studio", "--bogus"}, {"studio", "extra"}, {"studio", "--edit-model", "mnist"}} {
		if code, _, stderr := run(t, args...); code != 2 || !strings.Contains(stderr, "tessera studio: ") {
			t.Errorf("tessera %s: exit %d, %q", strings.Join(args, " "), code, stderr)
		}
	}
}

// "tessera FILE.png" (a file manager's Open with) opens the studio on the
// picture: a picture file or a folder that is there, not any other word.
func TestIsOpenable(t *testing.T) {
	dir := t.TempDir()
	pic, text := filepath.Join(dir, "Cat.PNG"), filepath.Join(dir, "notes.txt")
	writePNG(t, pic, 4, 4)
	if err := os.WriteFile(text, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	modelDir := filepath.Join(dir, "m")
	if err := os.MkdirAll(modelDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.json", "model.safetensors"} { // what model.IsFolder looks for
		if err := os.WriteFile(filepath.Join(modelDir, f), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for arg, want := range map[string]bool{pic: true, modelDir: true, dir: false, text: false, filepath.Join(dir, "gone.png"): false, "generat": false} {
		if got := isOpenable(arg); got != want {
			t.Errorf("isOpenable(%q) = %v, want %v", arg, got, want)
		}
	}
}
