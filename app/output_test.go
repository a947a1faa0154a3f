package app

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
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
