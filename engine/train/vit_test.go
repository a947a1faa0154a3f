package train

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/kernels"
	"github.com/tessera-studio/tessera/engine/vit"
)

func tinyViTConfig() vit.Config {
	return vit.Config{Type: vit.TypeViTVQ, ImageSize: 8, PatchSize: 2, NEmbd: 8, NHead: 2, NInner: 16,
		EncoderLayers: 1, DecoderLayers: 2, CodebookSize: 6, CodeDim: 3, LayerNormEpsilon: 1e-5}
}

// TestGradViT checks the whole tokenizer's backward (encoder, l2 norm,
// decoder with mask embedding and partial grids) against finite differences,
// unquantised (the straight-through path is not a derivative).
func TestGradViT(t *testing.T) {
	cfg := tinyViTConfig()
	m, err := NewViT(cfg, nil, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 3))
	for i := range m.Data {
		m.Data[i] = float32(r.NormFloat64() * 0.3)
	}
	for _, tn := range m.Tensors {
		if tn.Shape[0] == cfg.NEmbd && len(tn.Shape) == 1 && (len(tn.Name) > 6 && tn.Name[len(tn.Name)-6:] == "weight") {
			for i := tn.Off; i < tn.Off+tn.Size; i++ {
				m.Data[i] = 1 + m.Data[i]*0.1 // norm gains near 1
			}
		}
	}
	b := 2
	R := b * m.T
	for i := range m.x[:R*m.P] {
		m.x[i] = float32(r.Float64()*2 - 1)
	}
	known := make([]bool, R)
	for i := range known {
		known[i] = i%m.T < 10 // a partial grid: the first 10 patches of each image
	}
	if _, err := m.Forward(b, known, false); err != nil {
		t.Fatal(err)
	}
	m.ZeroGrad()
	if err := m.Backward(); err != nil {
		t.Fatal(err)
	}
	grad := append([]float32(nil), m.Grad...)
	loss := func() float64 {
		l, err := m.Forward(b, known, false)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	var vars []gcVar
	for _, tn := range m.Tensors[:len(m.Tensors)-1] { // all but the codebook
		vars = append(vars, gcVar{tn.Name, m.Data[tn.Off : tn.Off+tn.Size], grad[tn.Off : tn.Off+tn.Size]})
	}
	checkGrads(t, "vit", vars, loss, 1e-2, 12, 2e-2, 1e-4)
}

// TestViTQuantize checks that quantised codes are the nearest entries and
// that decoding them reproduces the quantised forward's output.
func TestViTQuantize(t *testing.T) {
	cfg := tinyViTConfig()
	m, err := NewViT(cfg, nil, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(4, 4))
	for i := range m.Data {
		m.Data[i] = float32(r.NormFloat64() * 0.3)
	}
	cb := m.w.codebook
	for k := 0; k < m.K; k++ {
		l2normForward(m.p, cb[k*m.D:(k+1)*m.D], make([]float32, 1), append([]float32(nil), cb[k*m.D:(k+1)*m.D]...), 1, m.D)
	}
	for i := range m.x[:m.T*m.P] {
		m.x[i] = float32(r.Float64()*2 - 1)
	}
	if _, err := m.Forward(1, nil, true); err != nil {
		t.Fatal(err)
	}
	codes := append([]int32(nil), m.Codes()...)
	out := append([]float32(nil), m.Output()...)
	for row, c := range codes {
		z := m.z[row*m.D : (row+1)*m.D]
		best := kernels.Dot(z, cb[int(c)*m.D:(int(c)+1)*m.D])
		for k := 0; k < m.K; k++ {
			if d := kernels.Dot(z, cb[k*m.D:(k+1)*m.D]); d > best+1e-6 {
				t.Fatalf("row %d: code %d (dot %v) is not the nearest: %d has %v", row, c, best, k, d)
			}
		}
	}
	if err := m.Encode(1); err != nil {
		t.Fatal(err)
	}
	for i, c := range m.Codes() {
		if c != codes[i] {
			t.Fatalf("Encode code %d = %d, Forward chose %d", i, c, codes[i])
		}
	}
	if err := m.Decode(codes, 1); err != nil {
		t.Fatal(err)
	}
	for i, v := range m.Output() {
		if v != out[i] {
			t.Fatalf("Decode output %d = %v, Forward gave %v", i, v, out[i])
		}
	}
	// Unknown codes decode from the mask embedding, so the known patches
	// change when later ones are hidden (bidirectional decoder), but nothing fails.
	codes[len(codes)-1] = -1
	if err := m.Decode(codes, 1); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(m.Output()[:m.P], out[:m.P]) {
		t.Error("patch 0 decodes the same with the last code hidden: the decoder does not attend across patches")
	}
	codes[0] = int32(m.K)
	if err := m.Decode(codes, 1); err == nil {
		t.Fatal("Decode accepted a code outside the codebook")
	}
}

// BenchmarkViTStep times one training step (forward, backward) of the emoji
// tokenizer's shape at batch 16.
func BenchmarkViTStep(b *testing.B) {
	cfg := vit.Config{Type: vit.TypeViTVQ, ImageSize: 64, PatchSize: 4, NEmbd: 128, NHead: 4, NInner: 512,
		EncoderLayers: 3, DecoderLayers: 5, CodebookSize: 1024, CodeDim: 16, LayerNormEpsilon: 1e-5}
	m, err := NewViT(cfg, nil, 16, 0)
	if err != nil {
		b.Fatal(err)
	}
	initViT(m, 1)
	normRows(m.w.codebook, m.D)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range m.x {
		m.x[i] = float32(r.Float64()*2 - 1)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := m.Forward(16, nil, true); err != nil {
			b.Fatal(err)
		}
		m.ZeroGrad()
		if err := m.Backward(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(16*b.N)/b.Elapsed().Seconds(), "img/s")
}

// tinyImages draws n random blocky 8×8 RGB images.
func tinyImages(n int, seed uint64) [][]uint8 {
	r := rand.New(rand.NewPCG(seed, 9))
	out := make([][]uint8, n)
	for i := range out {
		img := make([]uint8, 8*8*3)
		c := [3]uint8{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256))}
		for y := range 8 {
			for x := range 8 {
				for k := range 3 {
					v := uint8(255)
					if (x/2+y/2+i)%3 == 0 {
						v = c[k]
					}
					img[(y*8+x)*3+k] = v
				}
			}
		}
		out[i] = img
	}
	return out
}

// TestTrainViTResumes trains a tiny tokenizer in one go and in two runs
// with a checkpoint between: the weights, the codebook and the held-out
// figures are the same bit for bit, and training improves reconstruction.
func TestTrainViTResumes(t *testing.T) {
	cfg := tinyViTConfig()
	imgs, val := tinyImages(24, 1), tinyImages(4, 2)
	opt := DefaultViTOptions(cfg)
	opt.Batch, opt.Steps, opt.Warmup, opt.PreVQSteps, opt.EvalEvery, opt.Workers = 4, 40, 5, 10, 10, 2
	opt.Data = "tiny"
	run := func(dir string, stops ...int) []ViTPoint {
		var evals []ViTPoint
		for _, stop := range stops {
			o := opt
			o.Out, o.StopAt = dir, stop
			var err error
			if evals, err = TrainViT(context.Background(), o, imgs, val, io.Discard); err != nil {
				t.Fatal(err)
			}
		}
		return evals
	}
	a, b := t.TempDir(), t.TempDir()
	ea := run(a, 0)
	eb := run(b, 17, 0)
	// The interrupted run also measured where it stopped (step 17).
	eb = slices.DeleteFunc(eb, func(p ViTPoint) bool { return p.Step == 17 })
	if len(ea) == 0 || !slices.Equal(ea, eb) {
		t.Fatalf("evaluations differ:\none run  %+v\ntwo runs %+v", ea, eb)
	}
	load := func(dir string) []float32 {
		m, err := LoadViT(filepath.Join(dir, "final"), 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		return m.Data
	}
	if !slices.Equal(load(a), load(b)) {
		t.Fatal("final weights differ between one run and a resumed one")
	}
	if first, last := ea[0].PSNR, ea[len(ea)-1].PSNR; !(last > first) {
		t.Fatalf("held-out PSNR went from %.2f to %.2f dB", first, last)
	}
	if _, err := os.Stat(filepath.Join(a, "tokenizer", vit.WeightsFile)); err != nil {
		t.Fatal("no best tokenizer exported")
	}
	// A resume on other images, or with another codebook, is refused.
	for _, change := range []func(o *ViTOptions){
		func(o *ViTOptions) { o.Data = "/elsewhere" },
		func(o *ViTOptions) { o.Config.CodebookSize *= 2 },
	} {
		o := opt
		o.Out, o.Steps = a, 50
		change(&o)
		if _, err := TrainViT(context.Background(), o, imgs, val, io.Discard); err == nil || !strings.Contains(err.Error(), "holds a run of other images or another architecture") {
			t.Errorf("resume with other settings: %v", err)
		}
	}
}

// TestFitParamsAddsWords carries a model's weights over to a config with
// two more prompt words: every tensor is kept, the embedding keeps codes and
// old words in place and moves SOS to its new last row.
func TestFitParamsAddsWords(t *testing.T) {
	from := tinyConfig()
	src, err := InitParams(from, 5)
	if err != nil {
		t.Fatal(err)
	}
	to := from
	ext := *from.Tessera
	ext.PromptVocab = append(slices.Clone(ext.PromptVocab), "newa", "newb")
	to.Tessera = &ext
	to.VocabSize += 2
	got, err := FitParams(from, to, func(name string) ([]float32, error) { return src.Get(name), nil }, 1)
	if err != nil {
		t.Fatal(err)
	}
	C, K, T := from.NEmbd, from.Codes(), from.PromptWords()
	a, b := src.Get("transformer.wte.weight"), got.Get("transformer.wte.weight")
	if !slices.Equal(a[:(K+T)*C], b[:(K+T)*C]) || !slices.Equal(a[len(a)-C:], b[len(b)-C:]) {
		t.Fatal("codes, old words or SOS moved")
	}
	if slices.Equal(b[(K+T)*C:(K+T+1)*C], make([]float32, C)) {
		t.Fatal("a new word's row is zero")
	}
	for _, tn := range src.Tensors {
		if tn.Name != "transformer.wte.weight" && !slices.Equal(src.Get(tn.Name), got.Get(tn.Name)) {
			t.Fatalf("%s changed", tn.Name)
		}
	}
	wide := from
	wide.NEmbd *= 2
	if _, err := FitParams(from, wide, func(name string) ([]float32, error) { return src.Get(name), nil }, 1); err == nil {
		t.Fatal("a wider model was accepted")
	}
}

// TestTrainViTDecoderOnly fine-tunes a tiny tokenizer's decoder behind its
// frozen encoder and codebook: every image keeps its codes, only decoder
// tensors change, reconstruction improves, and ForwardCodes's decoder
// gradient is Forward's (the commitment term reaches only the encoder).
func TestTrainViTDecoderOnly(t *testing.T) {
	cfg := tinyViTConfig()
	imgs, val := tinyImages(24, 1), tinyImages(4, 2)
	opt := DefaultViTOptions(cfg)
	opt.Batch, opt.Steps, opt.Warmup, opt.PreVQSteps, opt.EvalEvery, opt.Workers = 4, 20, 5, 10, 10, 2
	opt.Data, opt.Out = "tiny", t.TempDir()
	if _, err := TrainViT(context.Background(), opt, imgs, val, io.Discard); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(opt.Out, "final")
	before, err := LoadViT(base, len(imgs), 1)
	if err != nil {
		t.Fatal(err)
	}
	codesBefore, err := before.Reconstruct(imgs)
	if err != nil {
		t.Fatal(err)
	}
	psnrBefore, _ := EvalViT(before, val)

	ft := opt
	ft.Out, ft.Steps, ft.LR, ft.MinLR, ft.Init, ft.DecoderOnly = t.TempDir(), 60, 3e-3, 3e-4, base, true
	if _, err := TrainViT(context.Background(), ft, imgs, val, io.Discard); err != nil {
		t.Fatal(err)
	}
	after, err := LoadViT(filepath.Join(ft.Out, "final"), len(imgs), 1)
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, tn := range after.Tensors {
		same := slices.Equal(before.Data[tn.Off:tn.Off+tn.Size], after.Data[tn.Off:tn.Off+tn.Size])
		switch {
		case !strings.HasPrefix(tn.Name, "decoder.") && !same:
			t.Errorf("%s changed in a decoder-only run", tn.Name)
		case strings.HasPrefix(tn.Name, "decoder.") && !same:
			changed++
		}
	}
	if changed == 0 {
		t.Error("no decoder tensor changed")
	}
	codesAfter, err := after.Reconstruct(imgs)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(codesBefore, codesAfter) {
		t.Error("the images' codes changed in a decoder-only run")
	}
	if psnrAfter, _ := EvalViT(after, val); !(psnrAfter > psnrBefore) {
		t.Errorf("held-out PSNR %.2f dB before, %.2f after the decoder's fine-tune", psnrBefore, psnrAfter)
	}

	// Gradients: Forward (quantised) and ForwardCodes on its codes agree on
	// every decoder tensor; ForwardCodes leaves the encoder's at zero.
	m := before
	m.Patches(m.Input(), imgs[:4])
	if _, err := m.Forward(4, nil, true); err != nil {
		t.Fatal(err)
	}
	codes := append([]int32(nil), m.Codes()[:4*m.T]...)
	m.ZeroGrad()
	if err := m.Backward(); err != nil {
		t.Fatal(err)
	}
	full := append([]float32(nil), m.Grad...)
	if _, err := m.ForwardCodes(codes, 4, nil); err != nil {
		t.Fatal(err)
	}
	m.ZeroGrad()
	if err := m.Backward(); err != nil {
		t.Fatal(err)
	}
	for _, tn := range m.Tensors[:len(m.Tensors)-1] {
		got, want := m.Grad[tn.Off:tn.Off+tn.Size], full[tn.Off:tn.Off+tn.Size]
		if !strings.HasPrefix(tn.Name, "decoder.") {
			want = make([]float32, tn.Size)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: decoder-only gradient differs from the full pass's", tn.Name)
		}
	}
	bad := make([]int32, m.T)
	bad[3] = int32(m.K)
	if _, err := m.ForwardCodes(bad, 1, nil); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("a code outside the codebook: %v", err)
	}
	// Decoder only without a tokenizer to start from is refused.
	noInit := opt
	noInit.DecoderOnly, noInit.Out = true, t.TempDir()
	if _, err := TrainViT(context.Background(), noInit, imgs, val, io.Discard); err == nil {
		t.Error("a decoder-only run without --init was accepted")
	}
}
