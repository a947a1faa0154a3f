package prepare

import (
	"context"
	"image"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/engine/tokenizer"
)

func square(c color.NRGBA, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			img.SetNRGBA(x, y, color.NRGBA{255, 255, 255, 255})
			if x >= size/4 && x < 3*size/4 && y >= size/4 && y < 3*size/4 {
				img.SetNRGBA(x, y, c)
			}
		}
	}
	return img
}

func TestPrepareBuildsConsistentModelInputs(t *testing.T) {
	samples := []data.Sample{
		{Caption: "red square", Names: []string{"crimson block"}, Key: "r", Image: square(color.NRGBA{255, 0, 0, 255}, 16)},
		{Caption: "blue square", Key: "b", Image: square(color.NRGBA{0, 0, 255, 255}, 16)},
		{Caption: "green square", Key: "g", Image: square(color.NRGBA{255, 0, 0, 255}, 16)}, // a colour the codebook learned,
	}
	arch := model.DefaultConfig()
	arch.NEmbd, arch.NLayer, arch.NHead = 16, 1, 2
	p, err := Prepare(context.Background(), samples[:2], samples[2:], Spec{
		Name: "squares", Size: 8, Patch: 2, Codes: 4, Shifts: 2, MaxShift: 1, Seed: 1,
	}, arch, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Config
	if c.Codes() != 4 || c.PatchSize() != 2 || c.ImageTokens() != 16 || c.PromptLength() != 2 {
		t.Fatalf("config: codes %d patch %d tokens %d L %d", c.Codes(), c.PatchSize(), c.ImageTokens(), c.PromptLength())
	}
	want := []string{"<pad>", "block", "blue", "crimson", "green", "red", "square"}
	if !slices.Equal(c.Tessera.PromptVocab, want) {
		t.Errorf("vocab %v, want %v", c.Tessera.PromptVocab, want)
	}
	// Training: (2 captions + 1 caption) × (1 + 2 shifts); validation: 1 caption, no shifts.
	if len(p.Train) != 9 || len(p.Val) != 1 {
		t.Fatalf("%d training and %d validation examples, want 9 and 1", len(p.Train), len(p.Val))
	}
	for _, ex := range append(p.Train, p.Val...) {
		if len(ex.Codes) != 16 || len(ex.Prompt) != 2 {
			t.Fatalf("example sizes %d codes, %d prompt ids", len(ex.Codes), len(ex.Prompt))
		}
		for _, id := range ex.Prompt {
			if id < 4 || int(id) >= 4+len(want) {
				t.Fatalf("prompt id %d outside the word range", id)
			}
		}
	}
	// The unshifted first example's codes decode back to the red square's layout.
	img := p.Codebook.Decode(intCodes(p.Train[0].Codes), 4, 4)
	if r, g, b, _ := img.At(4, 4).RGBA(); r>>8 < 200 || g>>8 > 60 || b>>8 > 60 {
		t.Errorf("centre of the red square decodes to %d,%d,%d", r>>8, g>>8, b>>8)
	}
	if p.PSNR < 20 {
		t.Errorf("PSNR %.1f dB on simple squares", p.PSNR)
	}
}

func intCodes(c []int32) []int {
	out := make([]int, len(c))
	for i, v := range c {
		out[i] = int(v)
	}
	return out
}

// TestPrepareWarnsOfCutCaptions: a fine-tune keeps its model's prompt
// slots; captions longer than them are said to lose their last words.
func TestPrepareWarnsOfCutCaptions(t *testing.T) {
	samples := []data.Sample{
		{Caption: "three big red squares on yellow", Key: "r", Image: square(color.NRGBA{255, 0, 0, 255}, 16)},
		{Caption: "blue square", Key: "b", Image: square(color.NRGBA{0, 0, 255, 255}, 16)},
	}
	arch := model.DefaultConfig()
	arch.NEmbd, arch.NLayer, arch.NHead = 16, 1, 2
	var log strings.Builder
	p, err := Prepare(context.Background(), samples, samples[1:], Spec{
		Name: "squares", Size: 8, Patch: 2, Codes: 4, Seed: 1, Vocab: []string{"<pad>", "red"}, PromptLength: 2,
	}, arch, &log)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "warning: captions longer than the model's 2 words of prompt lose their last words: 1 of 3 (the longest has 6 words)") {
		t.Fatalf("log:\n%s", log.String())
	}
	// The words cut are not in the vocabulary: never read in training,
	// generate took them without a word.
	vocab := p.Config.Tessera.PromptVocab
	if !slices.Contains(vocab, "three") || !slices.Contains(vocab, "big") || slices.Contains(vocab, "squares") || slices.Contains(vocab, "yellow") {
		t.Errorf("vocabulary %q: want the first 2 words of each caption, none after", vocab)
	}
	// Replayed pictures' captions are the model's own: not counted (a
	// newcomer found the count mixing them in).
	log.Reset()
	replay := []data.Sample{{Caption: "one two three four five six seven", Key: "x", Image: square(color.NRGBA{0, 255, 0, 255}, 16)}}
	if _, err := Prepare(context.Background(), samples, samples[1:], Spec{
		Name: "squares", Size: 8, Patch: 2, Codes: 4, Seed: 1, Vocab: []string{"<pad>", "red"}, PromptLength: 2, Replay: replay,
	}, arch, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "lose their last words: 1 of 3 (the longest has 6 words)") {
		t.Fatalf("with a replay, log:\n%s", log.String())
	}
}

// TestPrepareSaysTooFewPatches: more codes than the pictures have patches is
// said in the words of the flag that asks for them (k-means said "176
// vectors cannot make 256 clusters").
func TestPrepareSaysTooFewPatches(t *testing.T) {
	samples := []data.Sample{{Caption: "red", Key: "r", Image: square(color.NRGBA{255, 0, 0, 255}, 16)}}
	arch := model.DefaultConfig()
	arch.NEmbd, arch.NLayer, arch.NHead = 16, 1, 2
	_, err := Prepare(context.Background(), samples, samples, Spec{
		Name: "squares", Size: 8, Patch: 2, Codes: 64, Seed: 1, Vocab: []string{"<pad>", "red"}, PromptLength: 2,
	}, arch, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "the training pictures have 16 patches of 2×2 px, fewer than the 64 codes asked: ask for fewer codes (tessera train --codes) or add pictures") {
		t.Fatalf("%v", err)
	}
}

// TestEncodingProgress: encoding that takes more than a second reports
// its progress as a line refreshed with '\r' and ends it with the count
// done; a quick one writes nothing.
func TestEncodingProgress(t *testing.T) {
	var log strings.Builder
	var done atomic.Int64
	stop := encodingProgress(&log, "training", 40, &done)
	for range 40 {
		time.Sleep(30 * time.Millisecond)
		done.Add(1)
	}
	stop()
	// The time left at the rate so far, and the whole count at the end.
	got := log.String()
	last := strings.TrimRight(got, " \n")
	last = strings.TrimSpace(last[strings.LastIndex(last, "\r")+1:])
	if !strings.HasPrefix(got, "\r") || !strings.Contains(got, "]  encoding the training pictures: ") || !strings.Contains(got, " a second, about ") ||
		last != "100% [====================]  encoding the training pictures: 40 of 40" || !strings.HasSuffix(got, "\n") {
		t.Fatalf("progress %q ends with %q", got, last)
	}
	log.Reset()
	encodingProgress(&log, "validation", 5, &done)()
	if log.Len() != 0 {
		t.Fatalf("a quick encoding wrote %q", log.String())
	}
}

// An exact reconstruction counts as psnr.Max in the mean (it printed 0 dB
// when every image was exact), and no images give NaN.
func TestMeanPSNRCountsExact(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	entries := make([]float32, 2*3*4*4) // two 4×4 codes: white and black
	for i := range 3 * 16 {
		entries[i] = 1
	}
	for i := 3 * 16; i < len(entries); i++ {
		entries[i] = -1
	}
	cb, err := codebook.New(4, entries)
	if err != nil {
		t.Fatal(err)
	}
	if got := meanPSNR([]*image.NRGBA{img}, tokenizer.Codebook{Codebook: cb}, 1, 1); got != psnr.Max {
		t.Errorf("an exact reconstruction: %g dB, want %d", got, psnr.Max)
	}
	if got := meanPSNR(nil, tokenizer.Codebook{Codebook: cb}, 1, 1); !math.IsNaN(got) {
		t.Errorf("no images: %g", got)
	}
}
