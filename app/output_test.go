package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// wideModel saves into a folder a random model of Tiny's words and codes
// whose pictures are 2 rows of 1,040 patches of 2 px: 2,080×4 px, which
// --scale 16 makes wider than Tessera opens (32,768 px a side).
func wideModel(t *testing.T) string {
	t.Helper()
	c := bundletest.Config()
	c.Tessera.Name, c.Tessera.Grid = "wide", [2]int{2, 1040}
	c.NPositions = c.Tessera.PromptLength + 2*1040
	m, err := model.Random(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	entries := make([]float32, c.Codes()*3*4)
	for i := range entries {
		entries[i] = float32(i%7)/3 - 1
	}
	cb, err := codebook.New(2, entries)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.FromParts("wide", "test:wide", m, cb)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "wide")
	if err := b.Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestOversizeScaleIsRefusedUpFront: a --scale that would save a PNG
// larger than Tessera opens (codebook.TooLarge) is a usage error before
// sampling, naming the largest --scale that fits (extend --rows 300
// --scale 16 of an emoji wrote a 1024×39424-px PNG that score, extend and
// timelapse then refused); extend names the rows that fit too. generate,
// branch and edit check their model's picture size the same way.
func TestOversizeScaleIsRefusedUpFront(t *testing.T) {
	dir := t.TempDir()
	src := solidPNG(t, dir, "g1.png", 64)
	big := filepath.Join(dir, "big16.png")
	code, _, stderr := run(t, "extend", "--model", "emoji", "--prompt", "apple", "--from", src, "--rows", "300", "--seed", "1", "--scale", "16", "--out", big, "--quiet")
	if code != 2 || !strings.Contains(stderr, "--scale 16: the PNG would be 1024×39424 px, and the largest picture Tessera opens has") ||
		!strings.Contains(stderr, "give --scale 13 or less, or --rows 248 or fewer") {
		t.Fatalf("extend --rows 300 --scale 16: exit %d, %q", code, stderr)
	}
	if fileExists(big) {
		t.Error("extend wrote the oversize picture")
	}
	if strings.Contains(stderr, "rows added") {
		t.Error("extend sampled before refusing the scale")
	}

	wide := wideModel(t)
	out := filepath.Join(dir, "wide.png")
	code, _, stderr = run(t, "generate", "--model", wide, "--prompt", "red cat", "--scale", "16", "--out", out, "--quiet")
	if code != 2 || !strings.Contains(stderr, "--scale 16: the PNG would be 33280×64 px") || !strings.Contains(stderr, "give --scale 15 or less") {
		t.Fatalf("generate --scale 16 of 2080-px pictures: exit %d, %q", code, stderr)
	}
	if fileExists(out) {
		t.Error("generate wrote the oversize picture")
	}
	// The largest scale that fits is written, and opens.
	if code, _, stderr := run(t, "generate", "--model", wide, "--prompt", "red cat", "--scale", "15", "--out", out, "--quiet"); code != 0 {
		t.Fatalf("generate --scale 15: exit %d, %q", code, stderr)
	}
	if _, err := codebook.LoadImage(out); err != nil {
		t.Errorf("the --scale 15 picture does not open: %v", err)
	}
	code, _, stderr = run(t, "branch", "--model", wide, "--from", out, "--at", "4", "--scale", "16", "--out", filepath.Join(dir, "br.png"), "--quiet")
	if code != 2 || !strings.Contains(stderr, "give --scale 15 or less") {
		t.Errorf("branch --scale 16 of 2080-px pictures: exit %d, %q", code, stderr)
	}
}

// TestCheckScale: the largest scale named fits, and one more does not.
func TestCheckScale(t *testing.T) {
	for _, c := range []struct{ w, h, scale, most int }{
		{64, 2464, 16, 13}, {2080, 4, 16, 15}, {8192, 8192, 2, 1}, {40000, 1, 2, 0}, {8, 8, 16, -1},
	} {
		err := checkScale(c.scale, c.w, c.h, "")
		if c.most < 0 {
			if err != nil {
				t.Errorf("%d×%d at %d: %v", c.w, c.h, c.scale, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%d×%d at %d: not refused", c.w, c.h, c.scale)
			continue
		}
		if got := largestScale(c.w, c.h, c.scale); got != c.most {
			t.Errorf("%d×%d: largest scale %d, want %d", c.w, c.h, got, c.most)
		}
		if c.most == 0 && strings.Contains(err.Error(), "give") {
			t.Errorf("%d×%d at %d: %v names a way that does not fit", c.w, c.h, c.scale, err)
		}
	}
}

// stopAtLook is a context that reads as cancelled from its nth look (Err)
// on, as after a Ctrl-C part way through a run: the sampler looks once a
// patch, so a run stops after about n patches.
type stopAtLook struct {
	context.Context
	n     int64
	looks atomic.Int64
	once  sync.Once
	done  chan struct{}
}

func newStopAtLook(n int64) *stopAtLook {
	return &stopAtLook{Context: context.Background(), n: n, done: make(chan struct{})}
}

func (c *stopAtLook) Err() error {
	if c.looks.Add(1) < c.n {
		return nil
	}
	c.once.Do(func() { close(c.done) })
	return context.Canceled
}

func (c *stopAtLook) Done() <-chan struct{} { return c.done }

// TestInterruptedRunKeepsTheEarlierOutput: a sheet or extend stopped part
// way (Ctrl-C) saves what it finished beside an --out that is there
// (OUT-partial.png, then OUT-partial-2.png, …) and says where, leaving the
// earlier, complete file as it was (it was replaced by the partial one);
// where no file was there, the part goes to --out as before. Stopped
// before a row is finished, extend saves nothing (it saved a copy of
// --from, or panicked).
func TestInterruptedRunKeepsTheEarlierOutput(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "p.txt")
	if err := os.WriteFile(list, []byte("red cat\nblue dog\ngreen cat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sheet := filepath.Join(dir, "s.png")
	sheetArgs := []string{"--model", model, "--prompts", list, "--out", sheet, "--cell", "16", "--seeds", "2", "--labels=false"}
	if code, _, stderr := run(t, append([]string{"sheet"}, sheetArgs...)...); code != 0 {
		t.Fatalf("sheet: exit %d, %q", code, stderr)
	}
	whole := readFile(t, sheet)
	for i, partial := range []string{"s-partial.png", "s-partial-2.png"} {
		ctx, cancel := context.WithCancel(context.Background())
		var stdout bytes.Buffer
		stderr := &stopAfter{line: "red cat\n", cancel: cancel}
		env := Env{Stdout: &stdout, Stderr: stderr}
		err := commands()["sheet"].run(ctx, env, sheetArgs)
		code := exitStatus(env, "sheet", err, ctx.Err() != nil)
		cancel()
		path := filepath.Join(dir, partial)
		want := fmt.Sprintf("interrupted: saved the 1 row finished so far, of 3, to %s; %s, already there, is left as it was", path, sheet)
		if code != interruptedStatus || !strings.Contains(stderr.String(), want) || !strings.HasPrefix(stdout.String(), path+": 1 prompt × 2 columns") {
			t.Fatalf("sheet stopped over an earlier one (%d): exit %d, %q, %q", i, code, stdout.String(), stderr.String())
		}
		if !bytes.Equal(readFile(t, sheet), whole) {
			t.Fatal("the earlier, complete sheet was replaced")
		}
		// The note said at the start does not claim a replacing that an
		// interrupted run does not do.
		if !strings.Contains(stderr.String(), "note: replacing "+sheet+" once the run finishes (one stopped part way leaves it as it is)") {
			t.Errorf("the replacing note: %q", stderr.String())
		}
		if cfg, _, err := codebook.ImageConfig(path); err != nil || cfg.Height != 16+2*sheetGap {
			t.Fatalf("%s: %+v, %v; want one row", partial, cfg, err)
		}
	}

	src := filepath.Join(dir, "a.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--out", src, "--quiet"); code != 0 {
		t.Fatalf("generate: exit %d, %q", code, stderr)
	}
	ex := filepath.Join(dir, "ex.png")
	exArgs := []string{"--model", model, "--from", src, "--rows", "8", "--stride", "2", "--out", ex, "--quiet", "--json"}
	if code, _, stderr := run(t, append([]string{"extend"}, exArgs...)...); code != 0 {
		t.Fatalf("extend: exit %d, %q", code, stderr)
	}
	whole = readFile(t, ex)
	// Two steps of two rows (8 patches a step, a look each and one at its
	// start) and part of the third.
	ctx := newStopAtLook(20)
	var stdout, stderr bytes.Buffer
	env := Env{Stdout: &stdout, Stderr: &stderr}
	err := commands()["extend"].run(ctx, env, exArgs)
	code := exitStatus(env, "extend", err, ctx.Err() != nil)
	partial := filepath.Join(dir, "ex-partial.png")
	var line extendedImage
	if jerr := json.Unmarshal(stdout.Bytes(), &line); code != interruptedStatus || jerr != nil || !line.Stopped || line.Path != partial || line.Rows <= 4 || line.Rows >= 12 ||
		!strings.Contains(stderr.String(), fmt.Sprintf("added so far, of 8, to %s; %s, already there, is left as it was", partial, ex)) {
		t.Fatalf("extend stopped over an earlier one: exit %d, %q, %q", code, stdout.String(), stderr.String())
	}
	if !bytes.Equal(readFile(t, ex), whole) {
		t.Fatal("the earlier, complete extension was replaced")
	}
	if rec, _ := readRecord(t, partial); rec.Grid[0] != line.Rows {
		t.Errorf("%s has %d rows; the line says %d", partial, rec.Grid[0], line.Rows)
	}
	// Where nothing was there, the part goes to --out.
	fresh := filepath.Join(dir, "fresh.png")
	ctx = newStopAtLook(20)
	stdout.Reset()
	stderr.Reset()
	err = commands()["extend"].run(ctx, env, append(exArgs, "--out", fresh))
	if code := exitStatus(env, "extend", err, true); code != interruptedStatus || !fileExists(fresh) || strings.Contains(stderr.String(), "left as it was") {
		t.Fatalf("extend stopped onto a new file: exit %d, %q, %q", code, stdout.String(), stderr.String())
	}
	// Stopped before a row: nothing saved, and no panic.
	none := filepath.Join(dir, "none.png")
	if code, _, stderr := runStopped(t, "extend", "--model", model, "--from", src, "--rows", "4", "--out", none, "--quiet"); code == 0 || !strings.Contains(stderr, "interrupted; nothing saved") {
		t.Errorf("extend stopped at once: exit %d, %q", code, stderr)
	}
	if ok, _ := free(none); !ok {
		t.Error("extend stopped before a row wrote a file")
	}
}

// TestPartialOutGivesUpOnANameItCannotLookAt: beside an --out whose name
// leaves no room for "-partial" (a 252-byte name), partialOut says so
// rather than looping for ever on the file system's refusal.
func TestPartialOutGivesUpOnANameItCannotLookAt(t *testing.T) {
	out := filepath.Join(t.TempDir(), strings.Repeat("a", 248)+".png")
	if err := os.WriteFile(out, []byte("earlier"), 0o644); err != nil {
		t.Skip("this file system takes no 252-byte names:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := partialOut(out)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no name beside") {
			t.Errorf("partialOut beside a 252-byte name: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("partialOut is still looking for a free name after 10 s")
	}
	if path, kept, err := partialOut(filepath.Join(filepath.Dir(out), "new.png")); err != nil || kept || filepath.Base(path) != "new.png" {
		t.Errorf("partialOut of a free name: %q, %v, %v", path, kept, err)
	}
}

// readFile is the bytes of the file at path.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestBatchWriteFailureSaysWhatWasWritten: a batch whose second file
// cannot be written (a full disk) fails saying how many of the batch were
// written and which, then the failed file's error: it failed on b-2.png
// with the first written and listed, and not a word of how many.
func TestBatchWriteFailureSaysWhatWasWritten(t *testing.T) {
	b := bundletest.Tiny(9)
	opt := sampler.Defaults()
	opt.Prompt, opt.Seed, opt.Batch = "red cat", 3, 4
	res, err := sampler.Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "b.png")
	full := func(path string, img image.Image, text map[string]string) error {
		if filepath.Base(path) == "b-2.png" {
			return fmt.Errorf("write png %s: %w", path, syscall.ENOSPC)
		}
		return pngmeta.WriteFileAtomic(path, img, text)
	}
	var stdout, stderr bytes.Buffer
	env := Env{Stdout: &stdout, Stderr: &stderr}
	err = saveImages(context.Background(), env, b, opt, res.Images, saveOptions{out: out, scale: 1, json: true, write: full})
	first, second := filepath.Join(dir, "b-1.png"), filepath.Join(dir, "b-2.png")
	want := fmt.Sprintf("1 of 4 images written (%s); write png %s: no space left on device", first, second)
	if err == nil || err.Error() != want || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("the second file failed: %v; want %q", err, want)
	}
	if code := exitStatus(env, "generate", err, false); code != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("exit %d, %q", code, stderr.String())
	}
	if lines := strings.Count(stdout.String(), "\n"); lines != 1 || !strings.Contains(stdout.String(), jsonString(first)) || !fileExists(first) || fileExists(second) {
		t.Errorf("stdout %q; b-1.png there %v, b-2.png there %v", stdout.String(), fileExists(first), fileExists(second))
	}
	enospc := fmt.Errorf("write png b-1.png: %w", syscall.ENOSPC)
	if err := batchWriteError(nil, 4, enospc); err.Error() != "none of the 4 images written; write png b-1.png: no space left on device" {
		t.Errorf("the first file failed: %v", err)
	}
	if err := batchWriteError(nil, 1, enospc); err != enospc {
		t.Errorf("a batch of one: %v", err)
	}
}

// TestForceWithoutAnOutputIsSaid: --force given to a command whose output
// file is optional, with none asked for, is said to do nothing, as other
// flags without effect are (tokenize --force IMAGE took it without a word);
// with the output it is not.
func TestForceWithoutAnOutputIsSaid(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "a.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--out", src, "--quiet"); code != 0 {
		t.Fatalf("generate: exit %d, %q", code, stderr)
	}
	const unused = "warning: --force has no effect without "
	for _, c := range []struct {
		args []string
		want string // "" for no warning
	}{
		{[]string{"tokenize", "--model", model, "--force", src}, "--out: it only lets --out replace what is there"},
		{[]string{"tokenize", "--model", model, "--force", "--out", filepath.Join(dir, "rec.png"), src}, ""},
		{[]string{"tokenize", "--model", model, src}, ""},
		{[]string{"score", "--model", model, "--force", src}, "--map"},
		{[]string{"score", "--model", model, "--force", "--map", filepath.Join(dir, "map.png"), src}, ""},
	} {
		code, _, stderr := run(t, c.args...)
		if warned := strings.Contains(stderr, unused+c.want); code != 0 || (c.want == "") == strings.Contains(stderr, unused) || c.want != "" && !warned {
			t.Errorf("%q: exit %d, %q; want the warning %v", c.args, code, stderr, c.want != "")
		}
	}
	// The commands that also write on request say it before their work.
	if _, _, stderr := runStopped(t, "eval-tokenizer", "--force"); !strings.Contains(stderr, unused+"--sheet") {
		t.Errorf("eval-tokenizer --force: %q", stderr)
	}
	if _, _, stderr := runStopped(t, "eval-edits", "--force", "--families", "sepia"); !strings.Contains(stderr, unused+"--sheet or --record") {
		t.Errorf("eval-edits --force: %q", stderr)
	}
}
