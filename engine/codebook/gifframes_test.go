package codebook

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"os"
	"path/filepath"
	"testing"
)

// Animated tells a GIF of several frames from one of one (with and
// without colour tables of their own, with extension blocks), and a PNG,
// a cut-short GIF and a missing file from neither.
func TestAnimated(t *testing.T) {
	dir := t.TempDir()
	frame := func(c uint8) *image.Paletted {
		p := image.NewPaletted(image.Rect(0, 0, 5, 4), color.Palette{color.Black, color.Gray{c}, color.White})
		p.SetColorIndex(1, 1, 1)
		return p
	}
	write := func(name string, g *gif.GIF) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := gif.EncodeAll(f, g); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return path
	}
	one := write("one.gif", &gif.GIF{Image: []*image.Paletted{frame(9)}, Delay: []int{0}})
	three := write("three.gif", &gif.GIF{Image: []*image.Paletted{frame(9), frame(99), frame(199)}, Delay: []int{5, 5, 5}, LoopCount: 0})
	if Animated(one) || !Animated(three) {
		t.Fatalf("Animated: one frame %v, three frames %v", Animated(one), Animated(three))
	}
	data, err := os.ReadFile(three)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.gif")
	if err := os.WriteFile(cut, data[:40], 0o644); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "x.png")
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{cut, png, filepath.Join(dir, "missing.gif")} {
		if Animated(p) {
			t.Errorf("%s counted as animated", filepath.Base(p))
		}
	}
}

// GIFFrames counts frames by the GIF's blocks (local colour tables and
// extensions included) without decoding them, and never reads past data
// cut short.
func TestGIFFrames(t *testing.T) {
	frames := make([]*image.Paletted, 5)
	delays := make([]int, len(frames))
	for i := range frames {
		// each frame its own palette: a local colour table
		frames[i] = image.NewPaletted(image.Rect(0, 0, 9, 7), color.Palette{color.NRGBA{uint8(40 * i), 0, 0, 255}, color.White, color.Black})
		frames[i].Pix[i] = 2
		delays[i] = 5
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: frames, Delay: delays, LoopCount: 0}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if n := GIFFrames(data); n != 5 {
		t.Fatalf("%d frames, want 5", n)
	}
	for cut := 0; cut < len(data); cut++ {
		if n := GIFFrames(data[:cut]); n > 5 {
			t.Fatalf("cut at %d: %d frames", cut, n)
		}
	}
	if n := GIFFrames(data[:len(data)/2]); n < 1 || n >= 5 {
		t.Errorf("half the file: %d frames, want those whole in it", n)
	}
	if GIFFrames([]byte("\x89PNG\r\n\x1a\n")) != 0 {
		t.Error("a PNG counted as a GIF")
	}
}
