package ui

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/assets"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/internal/imagetest"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

func TestOutputsSaveAndList(t *testing.T) {
	b := bundletest.Tiny(1)
	o := outputs{dir: filepath.Join(t.TempDir(), "out")}
	tokens := make([]int, b.ImageTokens())
	rec := recordFor("1.0", b, core.DefaultParams(), 7, tokens, nil, "", kindGenerate)
	now := time.Unix(1700000000, 0)
	p1, err := o.save(b.Decode(tokens), rec, now)
	must(t, err)
	p2, err := o.save(b.Decode(tokens), rec, now) // same second, same seed
	must(t, err)
	if p1 == p2 {
		t.Fatal("second save overwrote the first")
	}
	os.Chtimes(p1, now, now)
	os.Chtimes(p2, now.Add(time.Second), now.Add(time.Second))
	list, err := o.list(0)
	must(t, err)
	if !slices.Equal(list, []string{p2, p1}) {
		t.Fatalf("list %v, want newest first", list)
	}
	text, err := pngmeta.ReadFile(p1)
	must(t, err)
	got, ok, err := pngmeta.ParseRecord(text)
	if !ok || err != nil || got.Seed != 7 || got.Version != "tessera 1.0" {
		t.Fatalf("record %+v %v %v", got, ok, err)
	}
	if missing, err := (outputs{dir: filepath.Join(t.TempDir(), "none")}).list(5); err != nil || len(missing) != 0 {
		t.Fatal("missing folder should be empty")
	}
}

func TestExportUpscalesAndKeepsMetadata(t *testing.T) {
	b := bundletest.Tiny(1)
	tokens := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0}
	img := b.Decode(tokens)
	mask := make([]bool, 16)
	mask[3] = true
	rec := recordFor("1.0", b, core.DefaultParams(), 3, tokens, mask, "", "export")
	for _, f := range []Filter{Nearest, Lanczos} {
		path := filepath.Join(t.TempDir(), "x.png")
		must(t, exportPNG(path, img, 5, f, rec))
		out := imagetest.ReadPNG(t, path)
		if out.Bounds().Dx() != 40 || out.Bounds().Dy() != 40 {
			t.Fatalf("%v: size %v", f, out.Bounds())
		}
		if f == Nearest {
			// every 5x5 block is one source pixel
			for y := 0; y < 8; y++ {
				for x := 0; x < 8; x++ {
					r0, g0, b0, _ := img.At(x, y).RGBA()
					r1, g1, b1, _ := out.At(x*5+4, y*5+4).RGBA()
					if r0 != r1 || g0 != g1 || b0 != b1 {
						t.Fatalf("nearest changed pixel (%d,%d)", x, y)
					}
				}
			}
		}
		o, err := openImageFile(path, b)
		must(t, err)
		if !o.Exact || !slices.Equal(o.Tokens, tokens) || !slices.Equal(o.Mask, mask) {
			t.Fatalf("%v: reopened exact=%v tokens %v mask %v", f, o.Exact, o.Tokens, o.Mask)
		}
	}
	if err := exportPNG(filepath.Join(t.TempDir(), "x.png"), img, 17, Nearest, rec); err == nil {
		t.Fatal("scale 17 accepted")
	}
}

func TestExportFailureLeavesNoFile(t *testing.T) {
	b := bundletest.Tiny(1)
	dir := t.TempDir()
	path := filepath.Join(dir, "keep.png")
	must(t, os.WriteFile(path, []byte("old content"), 0o644))
	p := core.DefaultParams()
	p.Prompt = "a\xffb" // text that is not UTF-8 cannot go into a PNG text chunk: encoding fails
	rec := recordFor("1.0", b, p, 3, make([]int, 16), nil, "", "")
	if err := exportPNG(path, b.Decode(make([]int, 16)), 2, Nearest, rec); err == nil {
		t.Fatal("export with a prompt that is not UTF-8 succeeded")
	}
	data, _ := os.ReadFile(path)
	if string(data) != "old content" {
		t.Fatal("failed export touched the existing file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	if err := exportPNG(filepath.Join(dir, "no", "such", "dir.png"), b.Decode(nil), 1, Nearest, rec); err == nil {
		t.Fatal("export into a missing folder succeeded")
	}
}

func TestOpenImageEncodesForeignPictures(t *testing.T) {
	b := bundletest.Tiny(1)
	dir := t.TempDir()
	big := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	for i := range big.Pix {
		big.Pix[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	must(t, jpeg.Encode(&buf, big, nil))
	jp := filepath.Join(dir, "photo.jpg")
	must(t, os.WriteFile(jp, buf.Bytes(), 0o644))
	o, err := openImageFile(jp, b)
	must(t, err)
	if o.Exact || len(o.Tokens) != b.ImageTokens() || !strings.Contains(o.Note, "scaled to fit (on white, keeping its shape) from 40×30 to 8×8") {
		t.Fatalf("jpeg: exact=%v tokens=%d note=%q", o.Exact, len(o.Tokens), o.Note)
	}

	// a transparent picture: drawn on white, said; an opaque one says nothing of it
	clear := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	clear.SetNRGBA(3, 3, color.NRGBA{200, 0, 0, 255})
	for _, c := range []struct {
		img  image.Image
		want bool
	}{{clear, true}, {imagetest.Random(8, 8, 2), false}} {
		buf.Reset()
		must(t, png.Encode(&buf, c.img))
		pp := filepath.Join(dir, "logo.png")
		must(t, os.WriteFile(pp, buf.Bytes(), 0o644))
		o, err := openImageFile(pp, b)
		must(t, err)
		if got := strings.Contains(o.Note, "its transparent parts are drawn on white"); got != c.want {
			t.Errorf("note %q: says transparent %v, want %v", o.Note, got, c.want)
		}
	}

	// an animated GIF: its first frame, said
	pal := color.Palette{color.White, color.Black}
	anim := &gif.GIF{Image: []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 8, 8), pal), image.NewPaletted(image.Rect(0, 0, 8, 8), pal)}, Delay: []int{10, 10}}
	buf.Reset()
	must(t, gif.EncodeAll(&buf, anim))
	gp := filepath.Join(dir, "anim.gif")
	must(t, os.WriteFile(gp, buf.Bytes(), 0o644))
	if o, err := openImageFile(gp, b); err != nil || !strings.HasPrefix(o.Note, "an animated GIF: its first frame of 2") {
		t.Fatalf("an animated GIF: %v, note %q", err, o.Note)
	}
	still := &gif.GIF{Image: anim.Image[:1], Delay: []int{0}}
	buf.Reset()
	must(t, gif.EncodeAll(&buf, still))
	must(t, os.WriteFile(gp, buf.Bytes(), 0o644))
	if o, err := openImageFile(gp, b); err != nil || strings.Contains(o.Note, "animated") {
		t.Fatalf("a still GIF: %v, note %q", err, o.Note)
	}

	// an A1111 PNG: pixels encoded, parameters read
	a1111 := "a red cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 512x512"
	pp := filepath.Join(dir, "a1111.png")
	must(t, pngmeta.WriteFileAtomic(pp, big, map[string]string{"parameters": a1111}))
	o, err = openImageFile(pp, b)
	must(t, err)
	if o.A1111 == nil || o.Record != nil {
		t.Fatal("A1111 parameters not read")
	}
	// Another tool's knobs are not this model's: Stable Diffusion's CFG
	// scale 7 leaves the guidance as it was.
	p := core.DefaultParams().WithA1111(*o.A1111)
	if p.Prompt != "a red cat" || p.Negative != "dog" || p.Seed != 1234 || p.Guidance != core.DefaultParams().Guidance {
		t.Fatalf("A1111 params %+v", p)
	}
	// Tessera's own parameters text (a PNG that lost its JSON record)
	// brings its knobs too.
	ours := pngmeta.ParseParameters("a red cat\nSeed: 5, Temperature: 0.7, Guidance: 2.5, Version: tessera 0.1.0")
	if q := core.DefaultParams().WithA1111(ours); q.Temperature != 0.7 || q.Guidance != 2.5 || q.Seed != 5 {
		t.Fatalf("Tessera's parameters text: %+v", q)
	}
	// Tessera's text of an imported picture (no prompt, seed or settings
	// made it) leaves the panel as it is.
	imported := pngmeta.ParseParameters("Imported from: photo.png, Size: 8x8, Model: tiny, Version: tessera 0.1.0")
	if q, p0 := p.WithA1111(imported), p; q != p0 {
		t.Fatalf("an imported picture's text changed the panel: %+v", q)
	}

	// Tessera metadata from another model: re-encoded with a note
	other := bundletest.Tiny(2)
	other.Model.Hash = "other"
	rec := recordFor("1", other, core.DefaultParams(), 1, make([]int, 16), nil, "", "")
	tp := filepath.Join(dir, "other.png")
	must(t, pngmeta.WriteFileAtomic(tp, other.Decode(make([]int, 16)), pngmeta.Metadata(rec)))
	o, err = openImageFile(tp, b)
	must(t, err)
	if o.Exact || !strings.Contains(o.Note, "re-encoded") {
		t.Fatalf("foreign model: exact=%v note=%q", o.Exact, o.Note)
	}

	// This model's codes over pixels painted since (the metadata kept by
	// another editor): the pixels are read, with a note; the file as
	// written, upscaled three times, keeps its codes.
	own := recordFor("1", b, core.DefaultParams(), 1, make([]int, 16), nil, "", "")
	pic := b.Decode(own.Tokens)
	repainted := make([]int, 16) // another picture the codebook draws exactly
	for i := range repainted {
		repainted[i] = 1 + i%7
	}
	painted := b.Decode(repainted)
	pp = filepath.Join(dir, "painted.png")
	must(t, pngmeta.WriteFileAtomic(pp, painted, pngmeta.Metadata(own)))
	o, err = openImageFile(pp, b)
	must(t, err)
	if o.Exact || !strings.Contains(o.Note, "not what its recorded codes draw") {
		t.Fatalf("painted over: exact=%v note=%q", o.Exact, o.Note)
	}
	// A stopped image (half its codes; the rest transparent) reopens as
	// itself, so Continue can finish it.
	half := recordFor("1", b, core.DefaultParams(), 1, own.Tokens[:8], nil, "", "")
	pp = filepath.Join(dir, "half.png")
	must(t, pngmeta.WriteFileAtomic(pp, b.Decode(half.Tokens), pngmeta.Metadata(half)))
	o, err = openImageFile(pp, b)
	must(t, err)
	if !o.Exact || len(o.Tokens) != 8 {
		t.Fatalf("a stopped image: exact=%v, %d codes, note %q", o.Exact, len(o.Tokens), o.Note)
	}
	pp = filepath.Join(dir, "big.png")
	must(t, pngmeta.WriteFileAtomic(pp, render.Upscale(pic, 3, false), pngmeta.Metadata(own)))
	o, err = openImageFile(pp, b)
	must(t, err)
	if !o.Exact || o.Note != "" {
		t.Fatalf("as written, upscaled: exact=%v note=%q", o.Exact, o.Note)
	}
	// Changed a little since (one pixel painted over, the text, pixel
	// hash and all, kept): its codes still draw it within DrawsPicture's
	// bounds, but the hash says it changed, so its pixels are read.
	written := pngmeta.Metadata(own)
	written[pngmeta.KeyPixels] = pngmeta.PixelsHash(pic)
	touched := image.NewNRGBA(pic.Bounds())
	copy(touched.Pix, pic.Pix)
	touched.SetNRGBA(0, 0, color.NRGBA{0, 0, 255, 255})
	if ok, db := b.DrawsPicture(touched, own.Tokens); !ok {
		t.Fatalf("the test's picture is changed too much (%.1f dB) to need the hash", db)
	}
	pp = filepath.Join(dir, "touched.png")
	must(t, pngmeta.WriteFileAtomic(pp, touched, written))
	o, err = openImageFile(pp, b)
	must(t, err)
	if o.Exact || !strings.Contains(o.Note, "it was changed since it was written") {
		t.Fatalf("changed a little: exact=%v note=%q", o.Exact, o.Note)
	}
}

func TestOpenImageRejectsBrokenFiles(t *testing.T) {
	b := bundletest.Tiny(1)
	dir := t.TempDir()
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.White)
	var buf bytes.Buffer
	must(t, png.Encode(&buf, img))
	cases := map[string][]byte{
		"garbage.png":   []byte("this is not an image"),
		"truncated.png": buf.Bytes()[:buf.Len()/2],
		"empty.png":     nil,
	}
	for name, data := range cases {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, data, 0o644))
		if _, err := openImageFile(p, b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := openImageFile(filepath.Join(dir, "missing.png"), b); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := openImageFile(dir, b); err == nil {
		t.Error("folder: no error")
	}
}

func TestAutosaverDebouncesAndFlushes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "session.json")
	a := newAutosaver(path, time.Hour)
	a.Save([]byte("one"))
	a.Save([]byte("two"))
	if _, err := os.Stat(path); err == nil {
		t.Fatal("written before the delay")
	}
	must(t, a.Flush())
	data, err := os.ReadFile(path)
	must(t, err)
	if string(data) != "two" {
		t.Fatalf("wrote %q, want the latest", data)
	}
	b := newAutosaver(path, time.Millisecond)
	b.Save([]byte("three"))
	deadline := time.Now().Add(5 * time.Second)
	for b.Pending() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	b.Flush() // wait for the timer's write to finish
	data, _ = os.ReadFile(path)
	if string(data) != "three" {
		t.Fatalf("debounced write gave %q", data)
	}
}

func TestLoadSession(t *testing.T) {
	dir := t.TempDir()
	if s, err := loadSession(filepath.Join(dir, "none.json")); s != nil || err != nil {
		t.Fatal("missing session should be (nil, nil)")
	}
	bad := filepath.Join(dir, "bad.json")
	must(t, os.WriteFile(bad, []byte("{"), 0o644))
	if _, err := loadSession(bad); err == nil {
		t.Fatal("broken session accepted")
	}
	old := filepath.Join(dir, "old.json")
	must(t, os.WriteFile(old, []byte(`{"version": 99}`), 0o644))
	if _, err := loadSession(old); err == nil {
		t.Fatal("unknown version accepted")
	}
}

func TestRunnerOneAtATime(t *testing.T) {
	idle := 0
	r := newRunner(context.Background(), func() { idle++ })
	release := make(chan struct{})
	started := make(chan struct{})
	must(t, r.Start("first", func(ctx context.Context) {
		close(started)
		select {
		case <-release:
		case <-ctx.Done():
		}
	}))
	<-started
	if err := r.Start("second", func(context.Context) {}); err == nil || !strings.Contains(err.Error(), "first") {
		t.Fatalf("second start: %v", err)
	}
	if r.Running() != "first" {
		t.Fatal("Running")
	}
	r.Stop()
	r.Wait()
	if r.Running() != "" {
		t.Fatal("still running after Wait")
	}
	must(t, r.Start("third", func(context.Context) {}))
	r.Wait()
	if idle != 2 {
		t.Fatalf("idle called %d times, want 2", idle)
	}
}

func TestParamsValidateAndClamp(t *testing.T) {
	p := core.DefaultParams()
	must(t, p.Validate())
	for _, bad := range []core.Params{
		{Settings: sampling.Settings{Temperature: 0.05, TopP: 1, Guidance: 1}, Batch: 1},
		{Settings: sampling.Settings{Temperature: 1, TopP: 0, Guidance: 1}, Batch: 1},
		{Settings: sampling.Settings{Temperature: 1, TopP: 1, Guidance: 0.5}, Batch: 1},
		{Settings: sampling.Settings{Temperature: 1, TopP: 1, Guidance: 1}, Batch: 0},
		{Settings: sampling.Settings{Temperature: 1, TopP: 1, Guidance: 1, TopK: -1}, Batch: 1},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
		must(t, bad.Clamped().Validate())
	}
	// values from other tools are pulled to the nearest value the panel
	// offers, not reset: temperature 150 is the hottest, guidance 500 the
	// strongest; a min-p of 1 (excluded) is off, NaN takes the default
	far := core.Params{Settings: sampling.Settings{Temperature: 150, TopP: 1, Guidance: 500, GuidanceMinP: 1, TopK: -3}, Batch: 1}.Clamped()
	if far.Temperature != core.MaxTemperature || far.Guidance != core.MaxGuidance || far.GuidanceMinP != 0 || far.TopK != 0 {
		t.Errorf("clamped %+v", far.Settings)
	}
	if nan := (core.Params{Settings: sampling.Settings{Temperature: math.NaN(), TopP: 1, Guidance: 1}, Batch: 1}).Clamped(); nan.Temperature != 1 {
		t.Errorf("NaN temperature clamped to %g", nan.Temperature)
	}
	o := p.Options(3)
	if o.Workers != 3 || o.Temperature != p.Temperature || o.Batch != 1 {
		t.Fatalf("options %+v", o)
	}
}

// The status line names the folder an output went to, home as ~.
func TestSavedNote(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if got := savedNote(filepath.Join(home, "Pictures", "Tessera", "a.png")); got != " · saved in "+filepath.Join("~", "Pictures", "Tessera")+" as a.png" {
		t.Errorf("under home: %q", got)
	}
	if got := savedNote("/srv/out/b.png"); got != " · saved in /srv/out as b.png" {
		t.Errorf("elsewhere: %q", got)
	}
	// The Train tab's run folder is named so too ("…me/Tessera/runs" hid
	// where), and a sibling folder of home's name is not under it.
	if got := tildePath(filepath.Join(home, "Tessera", "runs")); got != filepath.Join("~", "Tessera", "runs") {
		t.Errorf("runs under home: %q", got)
	}
	if got := tildePath(home + "..x/y"); got != home+"..x/y" {
		t.Errorf("a folder beside home: %q", got)
	}
}

// Open image… starts where an image was last opened from, else where the
// exports go.
func TestOpenDialogStartsWhereImagesAre(t *testing.T) {
	s := newTestStudio(t)
	if got := s.files.openDir(); got != s.files.exportDir() {
		t.Fatalf("first open starts in %q, want the export folder %q", got, s.files.exportDir())
	}
	dir := t.TempDir()
	s.set.SetOpenDir(dir)
	if got := s.files.openDir(); got != dir {
		t.Fatalf("open starts in %q, want %q", got, dir)
	}
	s.set.SetOpenDir(filepath.Join(dir, "gone"))
	if got := s.files.openDir(); got != s.files.exportDir() {
		t.Fatalf("a folder that is gone: %q", got)
	}
}

// TestModelLabelNamesRunsByTheirRun: a run's exported model folder is shown
// by the run's name, not as "model".
func TestModelLabelNamesRunsByTheirRun(t *testing.T) {
	runs := t.TempDir()
	run := filepath.Join(runs, "shapes-20261202-0130")
	must(t, os.MkdirAll(run, 0o755))
	must(t, os.WriteFile(filepath.Join(run, trainjob.RecordFile), []byte("{}"), 0o644))
	where := shortenPath(runs, 32)
	if got := modelLabel(filepath.Join(run, "model")); got != "shapes-20261202-0130 — "+where {
		t.Errorf("run model: %q", got)
	}
	if got := modelLabel(filepath.Join(run, "final")); got != "shapes-20261202-0130/final — "+where {
		t.Errorf("run's final model: %q", got)
	}
	// A folder called model that is not a run's is named as it is.
	downloads := filepath.Join(t.TempDir(), "Downloads")
	must(t, os.MkdirAll(filepath.Join(downloads, "model"), 0o755))
	if got := modelLabel(filepath.Join(downloads, "model")); got != "model — "+shortenPath(tildePath(downloads), 32) {
		t.Errorf("a folder called model: %q", got)
	}
	// A run's model whose run folder was deleted (or moved) outside
	// Tessera is still named by its run (it read "model — …/runs/shapes-…"),
	// and failing to open it says what happened, not "Open model model".
	must(t, os.RemoveAll(run))
	if got := modelLabel(filepath.Join(run, "model")); got != "shapes-20261202-0130 — "+where {
		t.Errorf("a gone run's model: %q", got)
	}
	err := modelOpenError(filepath.Join(run, "model"), errors.New("load: no such model folder"))
	if msg := err.Error(); !strings.HasPrefix(msg, "open model shapes-20261202-0130: the run folder "+run+" was moved or deleted outside Tessera") || strings.Contains(msg, "…") {
		t.Errorf("opening a gone run's model: %q", msg)
	}
	if home, err := os.UserHomeDir(); err == nil {
		if got := modelLabel(filepath.Join(home, "models", "cats")); got != "cats — "+filepath.Join("~", "models") {
			t.Errorf("a folder under home: %q", got)
		}
	}
	if got := modelLabel("/home/me/models/cats"); !strings.HasPrefix(got, "cats — /home/me/models") {
		t.Errorf("folder model: %q", got)
	}
	if got := modelLabel("emoji"); got != "emoji" {
		t.Errorf("built-in: %q", got)
	}
}

// A grey picture the built-in emoji model can only draw in colour is
// flagged as tinted (a grey gradient came back brown without a word); a
// coloured one is not.
func TestOpenFlagsTintedGreys(t *testing.T) {
	b, err := assets.Open("emoji")
	must(t, err)
	encode := func(img image.Image) []byte {
		var buf bytes.Buffer
		must(t, png.Encode(&buf, img))
		return buf.Bytes()
	}
	grad := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	red := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			v := uint8(y * 4)
			grad.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
			c := color.NRGBA{255, 255, 255, 255}
			if (x-32)*(x-32)+(y-32)*(y-32) < 400 {
				c = color.NRGBA{220, 30, 40, 255}
			}
			red.SetNRGBA(x, y, c)
		}
	}
	o, err := openImageData(encode(grad), "grad.png", b)
	must(t, err)
	if !o.Tinted {
		t.Errorf("a grey gradient on the emoji model: not flagged (PSNR %.1f dB)", o.PSNR)
	}
	o, err = openImageData(encode(red), "red.png", b)
	must(t, err)
	if o.Tinted || o.PSNR < poorEncodingDB {
		t.Errorf("a red disk on white: tinted %v, %.1f dB", o.Tinted, o.PSNR)
	}
}

// TestExportTransparentBackground: with the export's transparent
// background, the white around the picture is see-through in the file,
// the picture is not, the parameters say so, and the file reopens exactly.
func TestExportTransparentBackground(t *testing.T) {
	b := bundletest.Tiny(1)
	// Code 0 draws white and code 1 red, so that the picture is what its
	// codes draw (a reader checks): a red square of 2×2 patches on white.
	cb := b.Tokenizer.(tokenizer.Codebook)
	n := cb.PatchBytes()
	for i := range n {
		cb.Entries[i] = 1
		cb.Entries[n+i] = []float32{200/127.5 - 1, 30/127.5 - 1, 30/127.5 - 1}[i%3]
	}
	tokens := make([]int, 16)
	for _, i := range []int{5, 6, 9, 10} {
		tokens[i] = 1
	}
	img := b.Decode(tokens)
	rec := recordFor("1.0", b, core.DefaultParams(), 3, tokens, nil, "", "export")
	rec.Extra[extraTransparent] = true
	path := filepath.Join(t.TempDir(), "sticker.png")
	must(t, exportPNG(path, img, 3, Nearest, rec))
	out := imagetest.ReadPNG(t, path)
	if _, _, _, a := out.At(0, 0).RGBA(); a != 0 {
		t.Fatalf("the corner is not transparent: %v", out.At(0, 0))
	}
	if r, _, _, a := out.At(12, 12).RGBA(); a != 0xffff || r>>8 != 200 {
		t.Fatalf("the picture is not kept: %v", out.At(12, 12))
	}
	text, err := pngmeta.ReadFile(path)
	must(t, err)
	if !strings.Contains(text[pngmeta.KeyParameters], "Background: transparent") {
		t.Fatalf("parameters %q", text[pngmeta.KeyParameters])
	}
	o, err := openImageFile(path, b)
	must(t, err)
	if !o.Exact || !slices.Equal(o.Tokens, tokens) {
		t.Fatalf("reopened exact=%v tokens %v", o.Exact, o.Tokens)
	}
	// A picture with no white around it (all red) clears nothing: written
	// opaque, it records no transparent background.
	red := b.Decode(slices.Repeat([]int{1}, 16))
	opaque := filepath.Join(t.TempDir(), "red.png")
	must(t, exportPNG(opaque, red, 3, Nearest, rec))
	text, err = pngmeta.ReadFile(opaque)
	must(t, err)
	if back, _, _ := pngmeta.ParseRecord(text); back.Extra[extraTransparent] != nil || strings.Contains(text[pngmeta.KeyParameters], "Background") {
		t.Fatalf("an opaque export: parameters %q", text[pngmeta.KeyParameters])
	}
	if rec.Extra[extraTransparent] != true {
		t.Fatal("exportPNG changed its caller's record")
	}
	if a, b := transparencyNote(img, "tiny"), transparencyNote(red, "tiny"); a != "transparent background" || b != "no transparent background: no white touches the picture's border" {
		t.Fatalf("transparency notes %q, %q", a, b)
	}
}

// TestOpenPath: a typed or pasted path opens the picture (Fyne's file
// dialog takes none); a missing one says so and keeps what was typed.
func TestOpenPath(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	dir := t.TempDir()
	path := filepath.Join(dir, "typed.png")
	must(t, s.ExportTo(path))
	generate(t, s)
	if got, err := resolveOpenPath(`  "`+path+`" `, "/elsewhere"); err != nil || got != path {
		t.Fatalf("a pasted quoted path: %q, %v", got, err)
	}
	if got, err := resolveOpenPath("typed.png", dir); err != nil || got != path {
		t.Fatalf("a name in the folder: %q, %v", got, err)
	}
	if _, err := resolveOpenPath(filepath.Join(dir, "none.png"), dir); err == nil || !strings.Contains(err.Error(), "no file or folder") {
		t.Fatalf("a missing path: %v", err)
	}
	// A file manager's copied location, its spaces escaped.
	spaced := filepath.Join(dir, "a b c.png")
	must(t, os.WriteFile(spaced, nil, 0o644))
	for _, typed := range []string{"file://" + strings.ReplaceAll(spaced, " ", "%20"), "/shown/folder/file://" + strings.ReplaceAll(spaced, " ", "%20")} {
		if got, err := resolveOpenPath(typed, "/shown/folder"); err != nil || got != spaced {
			t.Fatalf("a file:// location %q: %q, %v", typed, got, err)
		}
	}
	// A path that is there but cannot be looked at says why (a loop of
	// links said "there is no file or folder").
	loop := filepath.Join(dir, "loop.png")
	must(t, os.Symlink(loop, loop))
	if _, err := resolveOpenPath(loop, dir); err == nil || strings.Contains(err.Error(), "no file or folder") || !strings.Contains(err.Error(), "too many levels of symbolic links") {
		t.Fatalf("a loop of links: %v", err)
	}
	// A full path typed or pasted after the folder shown starts afresh.
	for _, typed := range []string{"/shown/folder/" + path, "/shown/folder/'" + path + "'"} {
		if got, err := resolveOpenPath(typed, "/shown/folder"); err != nil || got != path {
			t.Fatalf("%q: %q, %v", typed, got, err)
		}
	}
	double := filepath.Join(dir, "a") + "/"
	must(t, os.MkdirAll(double, 0o755))
	must(t, os.WriteFile(filepath.Join(double, "b.png"), nil, 0o644))
	if got, err := resolveOpenPath(double+"/b.png", "/shown/folder"); err != nil || got != filepath.Join(double, "b.png") {
		t.Fatalf("a path with a double slash that names a file: %q, %v", got, err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	must(t, os.WriteFile(filepath.Join(home, "cat.png"), nil, 0o644))
	if got, err := resolveOpenPath("/shown/folder/~/cat.png", "/shown/folder"); err != nil || got != filepath.Join(home, "cat.png") {
		t.Fatalf("~/ after the folder: %q, %v", got, err)
	}
	// The dialog puts the cursor after the folder it shows, so typing a
	// name goes after it.
	s.files.showOpenPath("")
	if e, ok := s.win.Canvas().Focused().(*widgets.TipEntry); !ok || e.CursorColumn != len([]rune(e.Text)) || e.Text == "" {
		t.Fatalf("the Open path entry's cursor is not at the end: %T", s.win.Canvas().Focused())
	}
	s.dismissTopDialog()
	s.files.showOpenPath(path)
	if !hasDialog(s) {
		t.Fatal("no Open path dialog")
	}
	if !s.confirmTopDialog() {
		t.Fatal("Return did not open")
	}
	s.Wait()
	must(t, s.LastError())
	if s.Document().Parent != path {
		t.Fatalf("opened %q, want %q", s.Document().Parent, path)
	}
	// A path to nothing: the dialog comes back with it, and the status
	// line says so (it had kept an older line, "Could not open text.png").
	s.setStatus("Could not open text.png")
	s.files.showOpenPath(filepath.Join(dir, "gone", "x.png"))
	s.confirmTopDialog()
	s.Wait()
	if s.Status() != "Error: open: there is no file or folder "+filepath.Join(dir, "gone", "x.png") {
		t.Errorf("status %q after a path to nothing", s.Status())
	}
	s.closeError()
	s.dismissTopDialog()
}

// Return and Escape work in the Export PNG dialog with one of its controls
// focused (Fyne gave them to the focused check box, drop-down or option,
// which ignored them: nothing was saved, nothing closed).
func TestExportDialogKeysWithAControlFocused(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	dir := t.TempDir()
	s.set.SetExportDir(dir)
	find := func() (*widgets.TipCheck, *widgets.TipSelect) {
		var c *widgets.TipCheck
		var sel *widgets.TipSelect
		widgets.Walk(s.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
			switch w := o.(type) {
			case *widgets.TipCheck:
				c = w
			case *widgets.TipSelect:
				sel = w
			}
		})
		return c, sel
	}
	// Escape on the focused drop-down closes the dialog.
	s.files.showExport()
	check, sel := find()
	if check == nil || sel == nil {
		t.Fatal("the export dialog has no transparent check box or upscale drop-down")
	}
	s.win.Canvas().Focus(sel)
	sel.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if hasDialog(s) {
		t.Fatal("Escape on the focused drop-down did not close the dialog")
	}
	// Return on the focused check box saves.
	s.files.showExport()
	check, _ = find()
	s.win.Canvas().Focus(check)
	check.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	s.Wait()
	if hasDialog(s) {
		t.Fatal("Return on the focused check box did not save")
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Fatalf("the export folder holds %d files", len(files))
	}
	// Space still ticks the box, and the size line says what the export
	// will be, as the status line says after it.
	s.files.showExport()
	check, _ = find()
	check.SetChecked(false)
	check.TypedRune(' ')
	if !check.Checked {
		t.Error("Space did not tick the box")
	}
	size := ""
	widgets.Walk(s.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "the model's") {
			size = l.Text
		}
	})
	// The tiny model's random colours leave no white around the picture
	// to clear: both say so.
	const none = ", no transparent background: no white touches the picture's border"
	if !strings.HasSuffix(size, none) {
		t.Errorf("the export's size line %q does not say what a transparent background makes", size)
	}
	check.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	s.Wait()
	if !strings.HasSuffix(s.Status(), none+")") {
		t.Errorf("status %q", s.Status())
	}
}

// A write that fails (a full disk, a folder gone) is told once to the
// studio, however many fail after it; a success ends the run of failures.
func TestAutosaverTellsAFailureOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "session.json")
	a := newAutosaver(path, time.Hour)
	var told []error
	a.failed = func(err error) { told = append(told, err) }
	must(t, os.WriteFile(filepath.Join(dir, "state"), []byte("a file where the folder goes"), 0o644))
	for _, data := range []string{"one", "two"} {
		a.Save([]byte(data))
		if err := a.Flush(); err == nil {
			t.Fatal("a write into a file as a folder succeeded")
		}
	}
	if len(told) != 1 {
		t.Fatalf("told %d times: %v", len(told), told)
	}
	must(t, os.Remove(filepath.Join(dir, "state")))
	a.Save([]byte("three"))
	must(t, a.Flush())
	must(t, os.Remove(filepath.Join(dir, "state", "session.json")))
	must(t, os.Remove(filepath.Join(dir, "state")))
	must(t, os.WriteFile(filepath.Join(dir, "state"), nil, 0o644))
	a.Save([]byte("four"))
	_ = a.Flush()
	if len(told) != 2 {
		t.Fatalf("a failure after a success was told %d times in all", len(told))
	}
}

// A picture whose Tessera record cannot be read opens from its pixels and
// says its record is damaged, as tessera info does (it said only that its
// parameters came from its A1111 text).
func TestOpenSaysTheRecordIsDamaged(t *testing.T) {
	s := newTestStudio(t)
	path := filepath.Join(t.TempDir(), "garbled.png")
	f, err := os.Create(path)
	must(t, err)
	must(t, pngmeta.Encode(f, image.NewNRGBA(image.Rect(0, 0, 8, 8)), map[string]string{pngmeta.KeyTessera: `{"tokens":[1,2`, pngmeta.KeyParameters: "red cat\nSteps: 16, Seed: 3"}))
	must(t, f.Close())
	must(t, s.OpenFile(path))
	s.Wait()
	must(t, s.LastError())
	if st := s.Status(); !strings.Contains(st, "its Tessera record is damaged") {
		t.Errorf("status %q", st)
	}
}

// Opening a picture says so and can be stopped (a large one took ten
// seconds without a word, and Generate then asked to stop a job that no
// button stopped); stopped, the image on the canvas stays.
func TestOpeningAPictureCanBeStopped(t *testing.T) {
	s := newTestStudio(t)
	path := exportThenRedraw(t, s, "slow.png")
	before := s.Document().Tokens()
	reading, release := make(chan struct{}), make(chan struct{})
	defer func() { // a failure below must not leave the read waiting forever
		if !isClosed(release) {
			close(release)
		}
	}()
	s.readImage = func(p string, b *bundle.Bundle) (*opened, error) {
		close(reading)
		<-release
		return openImageFile(p, b)
	}
	must(t, s.OpenFile(path))
	<-reading // stopped before it began, a read reads nothing (below)
	if it := s.menu["stop"]; it == nil || it.Disabled {
		t.Error("Image › Stop is off while a picture opens")
	}
	if !strings.HasPrefix(s.Status(), "Opening slow.png") || s.panel.stop.Disabled() || s.Running() == "" {
		t.Fatalf("while opening: status %q, Stop disabled %v, running %q", s.Status(), s.panel.stop.Disabled(), s.Running())
	}
	// The open dialogs are refused before a path is typed (it was taken,
	// then thrown away).
	if err := s.modelOpen(); err == nil || !strings.Contains(err.Error(), "Tessera is opening an image: Stop it first") {
		t.Errorf("an open dialog while opening: %v", err)
	}
	s.Stop()
	s.Wait()
	if !strings.HasPrefix(s.Status(), "Stopped opening slow.png") || !slices.Equal(s.Document().Tokens(), before) || !s.panel.stop.Disabled() || s.Running() != "" {
		t.Fatalf("stopped: status %q, tokens kept %v, Stop disabled %v, running %q", s.Status(), slices.Equal(s.Document().Tokens(), before), s.panel.stop.Disabled(), s.Running())
	}
	// Opened again, it waits for the read given up (still decoding: two
	// decodes of a huge picture at once): stopped while it waits, it has
	// read nothing once the read given up has ended.
	given := s.reading // the read given up
	var reads atomic.Int32
	s.readImage = func(p string, b *bundle.Bundle) (*opened, error) {
		reads.Add(1)
		return openImageFile(p, b)
	}
	must(t, s.OpenFile(path))
	// It says it waits (or, not waiting, reads at once).
	s.loop.(pumper).pumpUntil(func() bool {
		return strings.HasSuffix(s.Status(), "(waiting for the read given up before to end)") || reads.Load() > 0
	})
	if s.Running() == "" || !strings.HasPrefix(s.Status(), "Opening slow.png") || reads.Load() > 0 {
		t.Fatalf("a second open beside the read given up: running %q, status %q, %d reads", s.Running(), s.Status(), reads.Load())
	}
	s.Stop()
	s.Wait()
	close(release)
	<-given
	if r := s.reading; r != nil {
		<-r // a read the second open began has ended too
	}
	if n := reads.Load(); n != 0 || !strings.HasPrefix(s.Status(), "Stopped opening slow.png") {
		t.Fatalf("a second open stopped while the read given up went on: %d reads, status %q", n, s.Status())
	}
	// Opened again once that read has ended, it opens.
	must(t, s.OpenFile(path))
	s.Wait()
	if !strings.HasPrefix(s.Status(), "Opened slow.png") || slices.Equal(s.Document().Tokens(), before) || !s.panel.stop.Disabled() || reads.Load() != 1 {
		t.Fatalf("opened: status %q, Stop disabled %v, %d reads", s.Status(), s.panel.stop.Disabled(), reads.Load())
	}
	// Pasting says so and can be stopped too.
	// Stop gives the paste up without killing the tool that reads the
	// clipboard (xclip killed halfway through a large picture left the
	// clipboard's owner stuck, and the next paste froze the studio).
	began, pasted, cancelled := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	s.paste = func(ctx context.Context) ([]byte, error) {
		close(began)
		<-pasted
		cancelled <- ctx.Err()
		return nil, errNoImagePasted
	}
	must(t, s.PasteImage())
	if !strings.HasPrefix(s.Status(), "Pasting the image on the clipboard") || s.panel.stop.Disabled() {
		t.Fatalf("while pasting: status %q, Stop disabled %v", s.Status(), s.panel.stop.Disabled())
	}
	<-began // stopped before it began, a paste reads nothing
	s.Stop()
	s.Wait()
	paste := s.reading // the paste given up
	close(pasted)
	if !strings.HasPrefix(s.Status(), "Stopped pasting the image on the clipboard") || !s.panel.stop.Disabled() {
		t.Errorf("stopped pasting: status %q", s.Status())
	}
	if err := <-cancelled; err != nil {
		t.Errorf("Stop cancelled the clipboard read itself: %v", err)
	}
	// The paste given up reads the clipboard's text on the UI loop
	// (no image was pasted): the loop runs until it has ended, so that
	// it does not outlive the test.
	s.loop.(pumper).pumpUntil(func() bool { return isClosed(paste) })
}

// A picture's read stopped before it began (Stop pressed as the read given
// up before it ended) starts no decode: it began one, whose result was
// dropped, or opened it, when the select saw the read end first.
func TestPictureReadStoppedBeforeItBeganReadsNothing(t *testing.T) {
	s := newTestStudio(t)
	path := exportThenRedraw(t, s, "never.png")
	before := s.Document().Tokens()
	read := make(chan struct{}, 1)
	s.readImage = func(p string, b *bundle.Bundle) (*opened, error) {
		read <- struct{}{}
		return openImageFile(p, b)
	}
	// Jobs whose context is done before they begin: Stop pressed at once.
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	s.runs.runner = newRunner(stopped, func() { s.loop.Do(s.runnerIdle) })
	must(t, s.OpenFile(path))
	s.Wait()
	if r := s.reading; r != nil {
		<-r // a read begun has ended
	}
	select {
	case <-read:
		t.Error("a read stopped before it began decoded the picture")
	default:
	}
	if !strings.HasPrefix(s.Status(), "Stopped opening never.png") || !slices.Equal(s.Document().Tokens(), before) {
		t.Errorf("stopped before the read began: status %q, image kept %v", s.Status(), slices.Equal(s.Document().Tokens(), before))
	}
}

// heldModels is tinyModels whose second model, "tiny2", loads once hold
// is closed.
type heldModels struct {
	tinyModels
	hold chan struct{}
}

func (m heldModels) Open(key string, progress func(done, total int64)) (*bundle.Bundle, error) {
	if key == "tiny2" {
		<-m.hold
	}
	return m.tinyModels.Open(key, progress)
}

// While a model loads, Stop (which cannot end a load) is greyed out, as is
// Image › Stop, its tooltip saying to wait; Stop asked for anyway (Escape,
// Ctrl+.) says so on the status line (it stayed enabled and did nothing).
func TestStopIsOffWhileAModelLoads(t *testing.T) {
	s, _, release := loadingModel(t)
	if !s.panel.stop.Disabled() {
		t.Error("Stop is enabled while a model loads")
	}
	if it := s.menu["stop"]; it == nil || !it.Disabled {
		t.Error("Image › Stop is enabled while a model loads")
	}
	if tip := s.panel.stop.Tip(); !strings.Contains(tip, "cannot be stopped; wait for it") {
		t.Errorf("Stop's tooltip while a model loads: %q", tip)
	}
	s.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if st := s.Status(); st != "Loading a model cannot be stopped; wait for it" {
		t.Errorf("Escape while a model loads: status %q", st)
	}
	release()
	if s.Running() != "" || !s.panel.stop.Disabled() || s.panel.stop.Tip() == "" || strings.Contains(s.panel.stop.Tip(), "cannot be stopped") {
		t.Errorf("after the load: running %q, Stop disabled %v, tooltip %q", s.Running(), s.panel.stop.Disabled(), s.panel.stop.Tip())
	}
}

// loadingModel is a studio loading its second model (second), held until
// release lets the load end and waits for it; a test that fails first
// releases it as it ends.
func loadingModel(t *testing.T) (s *Studio, second *bundle.Bundle, release func()) {
	t.Helper()
	e := newEnv(t)
	hold := make(chan struct{})
	second = bundletest.Tiny(4)
	e.models = heldModels{tinyModels: tinyModels{b: bundletest.Tiny(3), other: second}, hold: hold}
	s = e.open(t)
	must(t, s.OpenModel("tiny2"))
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(hold)
			s.Wait()
		})
	}
	t.Cleanup(release) // a failure must not leave the load waiting forever
	return s, second, release
}

// While a model loads, the open dialogs are refused with "wait for it" on
// the status line: Stop does not end a load (Models.Open takes no
// context), where the refusal said "Stop it first (Image › Stop, Ctrl+.)"
// in a dialog.
func TestOpenWhileAModelLoadsSaysWaitForIt(t *testing.T) {
	s, second, release := loadingModel(t)
	err := s.modelOpen()
	var busy errBusy
	if !errors.As(err, &busy) || err.Error() != "Tessera is loading a model: wait for it, then open the picture" {
		t.Errorf("an open dialog while a model loads: %v", err)
	}
	s.files.showOpen()
	if hasDialog(s) || s.Status() != "Tessera is loading a model: wait for it, then open the picture" {
		t.Errorf("Open while a model loads: a dialog %v, status %q", hasDialog(s), s.Status())
	}
	if err := s.Generate(); err == nil || err.Error() != "loading a model is still running; wait for it" {
		t.Errorf("Generate while a model loads: %v", err)
	}
	release()
	if s.Bundle() != second {
		t.Fatalf("the model did not load: %v", s.LastError())
	}
	if err := s.modelOpen(); err != nil {
		t.Errorf("once the model is loaded: %v", err)
	}
}

// An opened picture's guidance min-p that replaces the panel's is said
// with the other settings it takes (the slider moved without a word).
func TestSettingsTakenSaysGuidanceMinP(t *testing.T) {
	before := core.DefaultParams()
	before.GuidanceMinP = 0.69
	after := before
	after.GuidanceMinP = 0.125
	if got := settingsTaken(before, after); got != "guidance min-p 0.69 → 0.125" {
		t.Errorf("%q", got)
	}
	if got := settingsTaken(before, before); got != "" {
		t.Errorf("nothing changed: %q", got)
	}
}

// A picture of the user's own that the model redraws only roughly (a
// photo, noise) keeps its own pixels: the canvas shows them, and a masked
// regeneration keeps them outside the mask, as its record says (the canvas
// showed the codes' blurred drawing, and the result had it outside the
// mask too, its record saying the pixels there were kept as they were).
func TestOpenedPictureKeepsItsPixels(t *testing.T) {
	s := newTestStudio(t)
	photo := openPhoto(t, s, 7)
	if pic := s.Document().Picture(); pic == nil || !bytes.Equal(pic.Pix, photo.Pix) {
		t.Fatal("the opened picture's own pixels are not the document's")
	}
	if !bytes.Equal(s.Canvas().Image().Pix, photo.Pix) {
		t.Fatal("the canvas does not show the opened picture's pixels")
	}
	_, cols := s.Bundle().Grid()
	p := s.Bundle().PatchSize()
	mask := make([]bool, s.Document().N())
	mask[5] = true
	must(t, s.paint.SetMask(mask))
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	canvas := s.Canvas().Image()
	for i := range mask {
		if !mask[i] && !patchEqual(canvas, photo, i, cols, p) {
			t.Fatalf("patch %d outside the mask lost the picture's pixels", i)
		}
	}
	if rec := readRecord(t, s.Document().Parent); rec.Extra[extraKeptPixels] != true {
		t.Fatalf("the result's record does not say it keeps pixels: %v", rec.Extra)
	}
}

// Rewound on the timeline, an opened photo shows its own pixels in the
// patches kept, as Branch keeps them (it showed the codes' blurred
// drawing there, and Branch then kept the photo's pixels).
func TestRewoundPhotoShowsItsPixels(t *testing.T) {
	s := newTestStudio(t)
	photo := openPhoto(t, s, 9)
	_, cols := s.Bundle().Grid()
	p := s.Bundle().PatchSize()
	k := s.Document().N() / 2
	must(t, s.tl.Scrub(k))
	canvas := s.Canvas().Image()
	for i := range k {
		if !patchEqual(canvas, photo, i, cols, p) {
			t.Fatalf("rewound to %d patches, patch %d is not the photo's pixels", k, i)
		}
	}
}

// openPhoto opens in s a picture of noise at the model's size (drawn from
// seed), which the model redraws only roughly, as it does a photo, and
// returns it.
func openPhoto(t *testing.T, s *Studio, seed uint64) *image.NRGBA {
	t.Helper()
	w, h := s.Bundle().ImageSize()
	photo := imagetest.Random(w, h, seed)
	path := filepath.Join(t.TempDir(), "photo.png")
	var buf bytes.Buffer
	must(t, png.Encode(&buf, photo))
	must(t, os.WriteFile(path, buf.Bytes(), 0o644))
	must(t, s.OpenFile(path))
	s.Wait()
	must(t, s.LastError())
	return photo
}
