package ui

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/vit"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// emojiV2Bundle is a random model of the built-in emoji model's shapes:
// a 6×256 transformer over 15 prompt words and 16×16 codes from 1024, with
// the ViT tokenizer's shapes (3 + 5 blocks × 128, codes of dimension 16).
func emojiV2Bundle(tb testing.TB) *bundle.Bundle {
	tb.Helper()
	words := []string{prompt.PAD, "red", "cat"}
	for len(words) < 2342 {
		words = append(words, "w"+string(rune('a'+len(words)%26))+string(rune('a'+len(words)/26%26))+string(rune('a'+len(words)/676)))
	}
	const K, L, G = 1024, 15, 16
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 256, 6, 8
	c.Tessera = &model.Ext{Name: "emoji", PatchSize: 4, Grid: [2]int{G, G}, PromptLength: L, PromptVocab: words}
	c.VocabSize = K + len(words) + 1
	c.NPositions = L + G*G
	m, err := model.Random(c, 1)
	if err != nil {
		tb.Fatal(err)
	}
	vc := vit.Config{Type: vit.TypeViTVQ, ImageSize: 64, PatchSize: 4, NEmbd: 128, NHead: 4, NInner: 512,
		EncoderLayers: 3, DecoderLayers: 5, CodebookSize: K, CodeDim: 16, LayerNormEpsilon: 1e-5}
	ts, n := vit.Layout(vc)
	data := make([]float32, n)
	r := rand.New(rand.NewPCG(1, 1))
	for _, t := range ts {
		for i := t.Off; i < t.Off+t.Size; i++ {
			data[i] = float32(r.NormFloat64() * 0.02)
		}
	}
	tok, err := tokenizer.NewViT(vc, data)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := bundle.FromTokenizer("emoji", "test:emoji", m, tok)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkViTLivePaint samples a 64×64 image of the emoji model's shapes
// through the studio's ViT canvas path (the grid painter decodes the codes
// known so far at most every gridRepaint) and reports the painter's share
// of the generation time, decode-% (target: under 10), and how much slower
// generation is than the same image sampled without painting, slower-%.
func BenchmarkViTLivePaint(b *testing.B) {
	test.NewTempApp(b)
	bb := emojiV2Bundle(b)
	lc := widgets.NewLiveCanvas()
	lc.SetGrid(16, 16, 4)
	var spent, total, alone time.Duration
	for i := range b.N {
		opt := sampler.Defaults()
		opt.Prompt, opt.Seed, opt.Workers = "red cat", uint64(i+1), runtime.NumCPU()
		// the same image without painting, side by side
		start := time.Now()
		if _, err := sampler.Generate(context.Background(), bb, opt, nil); err != nil {
			b.Fatal(err)
		}
		alone += time.Since(start)
		g := newGridPainter(bb.Tokenizer, lc, 16, 16, nil)
		start = time.Now()
		if _, err := sampler.Generate(context.Background(), bb, opt, g.event); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		spent += g.spent
	}
	b.ReportMetric(100*spent.Seconds()/total.Seconds(), "decode-%")
	b.ReportMetric(100*(total.Seconds()/alone.Seconds()-1), "slower-%")
	b.ReportMetric(total.Seconds()/float64(b.N), "s/image")
}
