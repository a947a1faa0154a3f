package ui

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/vit"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// emojiBundle is a random model of the built-in emoji model's shapes:
// a 6×256 transformer over 15 prompt words and 8×8 codes from 1024, with
// the ViT tokenizer's shapes (8×8 px patches; 3 + 5 blocks × 192, codes of
// dimension 16).
func emojiBundle(tb testing.TB) *bundle.Bundle {
	tb.Helper()
	words := []string{prompt.PAD, "red", "cat"}
	for len(words) < 2329 {
		words = append(words, "w"+string(rune('a'+len(words)%26))+string(rune('a'+len(words)/26%26))+string(rune('a'+len(words)/676)))
	}
	const K, L, G, P = 1024, 15, 8, 8
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 256, 6, 8
	c.Tessera = &model.Ext{Name: "emoji", PatchSize: P, Grid: [2]int{G, G}, PromptLength: L, PromptVocab: words}
	c.VocabSize = K + len(words) + 1
	c.NPositions = L + G*G
	m, err := model.Random(c, 1)
	if err != nil {
		tb.Fatal(err)
	}
	vc := vit.Config{Type: vit.TypeViTVQ, ImageSize: 64, PatchSize: P, NEmbd: 192, NHead: 4, NInner: 768,
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

// TestGridPainterRepaintsWhenDue: the painter decodes the grid once
// gridRepaint has passed since it started or last decoded, showing the
// codes known so far, and always at the last code; not at the first code,
// when the grid is all but empty.
func TestGridPainterRepaintsWhenDue(t *testing.T) {
	test.NewTempApp(t)
	b := bundletest.TinyViT(3)
	rows, cols := b.Grid()
	n, p := rows*cols, b.PatchSize()
	lc := widgets.NewLiveCanvas()
	lc.SetGrid(rows, cols, p)
	g := newGridPainter(b.Tokenizer, lc, rows, cols, nil)
	send := func(i int) { g.event(sampler.Event{Index: i, Code: i % b.Codes(), Step: i + 1, Steps: n}) }
	send(0)
	if g.decodes != 0 {
		t.Fatalf("decoded at the first code (%d decodes)", g.decodes)
	}
	for i := 1; i < n/2; i++ {
		send(i)
	}
	time.Sleep(gridRepaint + 20*time.Millisecond)
	send(n / 2)
	if g.decodes != 1 {
		t.Fatalf("%d decodes after a pause of gridRepaint, want 1", g.decodes)
	}
	opaque := 0
	for i := range n {
		if patchOpaque(lc.Image(), i, cols, p) {
			opaque++
		}
	}
	if opaque != n/2+1 {
		t.Errorf("%d patches shown after %d codes", opaque, n/2+1)
	}
	for i := n/2 + 1; i < n; i++ {
		send(i)
	}
	if g.decodes != 2 {
		t.Errorf("%d decodes at the end, want 2 (the last code always repaints)", g.decodes)
	}
}

// BenchmarkViTLivePaint samples a 64×64 image of the emoji model's shapes
// through the studio's ViT canvas path (the grid painter decodes the codes
// known so far at most every gridRepaint) and reports the painter's share
// of the generation time, decode-% (target: under 10), and how much slower
// generation is than the same image sampled without painting, slower-%.
func BenchmarkViTLivePaint(b *testing.B) {
	test.NewTempApp(b)
	bb := emojiBundle(b)
	lc := widgets.NewLiveCanvas()
	lc.SetGrid(8, 8, 8)
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
		g := newGridPainter(bb.Tokenizer, lc, 8, 8, nil)
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
