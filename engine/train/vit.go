package train

import (
	"fmt"
	"math"

	"github.com/tessera-studio/tessera/engine/kernels"
	"github.com/tessera-studio/tessera/engine/vit"
)

// vitWeights views every tensor of a ViT parameter (or gradient) buffer.
type vitWeights struct {
	patchW, patchB, encPos    []float32
	enc                       []layerW
	encLnf, toCodeW, toCodeB  []float32
	fromCodeW, fromCodeB      []float32
	decPos, maskEmbed         []float32
	dec                       []layerW
	decLnf, toPixelsW, toPixB []float32
	codebook                  []float32
}

func viewViT(cfg vit.Config, data []float32) vitWeights {
	ts, _ := vit.Layout(cfg)
	i := 0
	next := func() []float32 { t := ts[i]; i++; return data[t.Off : t.Off+t.Size] }
	blocks := func(n int) []layerW { return viewBlocks(n, next) }
	var w vitWeights
	w.patchW, w.patchB, w.encPos = next(), next(), next()
	w.enc = blocks(cfg.EncoderLayers)
	w.encLnf, w.toCodeW, w.toCodeB = next(), next(), next()
	w.fromCodeW, w.fromCodeB, w.decPos, w.maskEmbed = next(), next(), next(), next()
	w.dec = blocks(cfg.DecoderLayers)
	w.decLnf, w.toPixelsW, w.toPixB = next(), next(), next()
	w.codebook = next()
	if i != len(ts) {
		panic("train: ViT weight table and views disagree")
	}
	return w
}

// ViT is the trainer's ViT-VQ tokenizer (see package vit): parameters,
// gradients and activations for up to MaxBatch images, each in one
// allocation. It also serves inference (Encode, Decode) in float32.
type ViT struct {
	Config  vit.Config
	Data    []float32 // every tensor of vit.Layout, the codebook last
	Grad    []float32 // same layout (the codebook's part stays zero: it is learnt by EMA)
	Tensors []vit.Tensor

	MaxBatch             int
	T, C, NH, F, P, D, K int
	eps                  float32
	p                    par
	w, g                 vitWeights
	enc, dec             []layerActs
	buf                  *blockBuffers

	x, emb, lnf, lnfr    []float32 // input patches R×P, encoder input R×C, final norm R×C and its rstd
	ze, znorm, z, zq     []float32 // code vectors R×D before and after l2 norm, their norms, the chosen entries
	idx                  []int32   // chosen codes (−1: not quantised)
	demb, dlnf, dlnfr, y []float32 // decoder input R×C, final norm, output pixels R×P
	known                []bool    // rows the decoder sees (others get the mask embedding)
	scores               []float32 // R×K code similarities
	dres, dy, dz         []float32
	b, counted           int
	quantized            bool
	decoderOnly          bool // the last Forward decoded given codes: Backward stops at the decoder's input
	haveLoss             bool
	beta                 float32
}

// NewViT builds a ViT around parameters data (nil: zeros) for batches of up
// to maxBatch images; workers ≤ 0 means par.DefaultSize() (the CPUs Go runs at once).
func NewViT(cfg vit.Config, data []float32, maxBatch, workers int) (*ViT, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ts, n := vit.Layout(cfg)
	if data == nil {
		data = make([]float32, n)
	}
	if len(data) != n {
		return nil, fmt.Errorf("train: %d ViT parameters do not fit the config (%d)", len(data), n)
	}
	if maxBatch < 1 {
		return nil, fmt.Errorf("train: batch size %d must be positive", maxBatch)
	}
	m := &ViT{Config: cfg, Data: data, Grad: make([]float32, n), Tensors: ts, MaxBatch: maxBatch,
		T: cfg.Tokens(), C: cfg.NEmbd, NH: cfg.NHead, F: cfg.NInner, P: cfg.PatchDim(), D: cfg.CodeDim, K: cfg.CodebookSize,
		eps: float32(cfg.LayerNormEpsilon), beta: 0.25}
	m.p = newPar(workers)
	closeWith(m, m.p)
	m.w, m.g = viewViT(cfg, m.Data), viewViT(cfg, m.Grad)
	R := maxBatch * m.T
	m.enc = allocLayerActs(cfg.EncoderLayers, maxBatch, m.T, m.C, m.NH, m.F)
	m.dec = allocLayerActs(cfg.DecoderLayers, maxBatch, m.T, m.C, m.NH, m.F)
	m.buf = newBlockBuffers(m.p, R, m.T, m.C, m.F)
	f := func(k int) []float32 { return make([]float32, k) }
	m.x, m.emb, m.lnf, m.lnfr = f(R*m.P), f(R*m.C), f(R*m.C), f(R)
	m.ze, m.znorm, m.z, m.zq = f(R*m.D), f(R), f(R*m.D), f(R*m.D)
	m.demb, m.dlnf, m.dlnfr, m.y = f(R*m.C), f(R*m.C), f(R), f(R*m.P)
	m.scores = f(R * m.K)
	m.dres, m.dy, m.dz = f(R*m.C), f(R*m.P), f(R*m.D)
	m.idx = make([]int32, R)
	m.known = make([]bool, R)
	return m, nil
}

// TrainedSize is how many leading floats of Data the optimiser trains
// (everything but the codebook).
func (m *ViT) TrainedSize() int { return len(m.Data) - m.K*m.D }

// shape is the block shape of b images.
func (m *ViT) shape(b int) blockShape {
	return blockShape{B: b, T: m.T, C: m.C, NH: m.NH, F: m.F, Eps: m.eps, Act: actQuickGelu,
		Scale: float32(1 / math.Sqrt(float64(m.C/m.NH))), Bidirectional: true}
}

// Patches converts b images (each S×S×3 bytes, RGB, raster order) into the
// model's input rows: b·T rows of p·p·3 values in [−1, 1] (x/127.5 − 1), patch
// rows in raster order, pixels within a patch in raster order, RGB
// interleaved — the layout of preprocessor_config.json's clusters.
func (m *ViT) Patches(dst []float32, imgs [][]uint8) {
	S, p, G := m.Config.ImageSize, m.Config.PatchSize, m.Config.Grid()
	for i, img := range imgs {
		for py := range G {
			for px := range G {
				row := dst[((i*G+py)*G+px)*m.P:][:m.P]
				k := 0
				for y := py * p; y < (py+1)*p; y++ {
					for x := px * p; x < (px+1)*p; x++ {
						o := (y*S + x) * 3
						row[k], row[k+1], row[k+2] = float32(img[o])/127.5-1, float32(img[o+1])/127.5-1, float32(img[o+2])/127.5-1
						k += 3
					}
				}
			}
		}
	}
}

// Input returns the input rows of the next Forward (MaxBatch·T × P).
func (m *ViT) Input() []float32 { return m.x }

// Output returns the reconstructed patches of the last Forward or Decode
// (b·T × P, in [−1, 1] up to the model's accuracy).
func (m *ViT) Output() []float32 { return m.y[:m.b*m.T*m.P] }

// Codes returns the codes chosen by the last quantised Forward or Encode (b·T).
func (m *ViT) Codes() []int32 { return m.idx[:m.b*m.T] }

// addPosForward adds pos (T×C) to each of the R rows of x, row r getting pos[r mod T].
func addPosForward(p par, x, pos []float32, R, T, C int) {
	p.For(R, 64, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			kernels.Add(x[r*C:(r+1)*C], pos[(r%T)*C:(r%T+1)*C])
		}
	})
}

// addPosBackward adds to dpos (T×C) the sum of dx's rows by position, in
// row order.
func addPosBackward(p par, dpos, dx []float32, R, T, C int) {
	p.For(T, 4, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			for r := t; r < R; r += T {
				kernels.Add(dpos[t*C:(t+1)*C], dx[r*C:(r+1)*C])
			}
		}
	})
}

// l2normForward writes z = x/|x| per row of D values and the norms.
func l2normForward(p par, z, norms, x []float32, R, D int) {
	p.For(R, 64, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			n := float32(math.Sqrt(float64(kernels.SumSq(x[r*D:(r+1)*D])))) + 1e-6
			norms[r] = n
			zr, xr := z[r*D:(r+1)*D], x[r*D:(r+1)*D]
			for i := range zr {
				zr[i] = xr[i] / n
			}
		}
	})
}

// l2normBackward turns dz into dx = (dz − z(z·dz))/|x| in place.
func l2normBackward(p par, dz, z, norms []float32, R, D int) {
	p.For(R, 64, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			g, zr := dz[r*D:(r+1)*D], z[r*D:(r+1)*D]
			c := kernels.Dot(g, zr)
			for i := range g {
				g[i] = (g[i] - zr[i]*c) / norms[r]
			}
		}
	})
}

// Encode runs the encoder and quantiser on b images whose patches are in
// Input(), leaving the codes in Codes().
func (m *ViT) Encode(b int) error {
	if b < 1 || b > m.MaxBatch {
		return fmt.Errorf("train: ViT batch %d outside [1, %d]", b, m.MaxBatch)
	}
	m.b = b
	m.encode(b)
	m.quantize(b * m.T)
	return nil
}

// encode runs the encoder: z (l2-normalised code vectors) for b images.
func (m *ViT) encode(b int) {
	p, R, C := m.p, b*m.T, m.C
	matmulForward(p, m.emb, m.x, m.w.patchW, m.w.patchB, R, m.P, C)
	addPosForward(p, m.emb, m.w.encPos, R, m.T, C)
	x := m.emb[:R*C]
	sh := m.shape(b)
	for l := range m.enc {
		blockForward(p, &m.enc[l], &m.w.enc[l], x, sh, m.buf)
		x = m.enc[l].res3
	}
	rmsnormForward(p, m.lnf, m.lnfr, x, m.w.encLnf, R, C, R, 0, m.eps)
	matmulForward(p, m.ze, m.lnf, m.w.toCodeW, m.w.toCodeB, R, C, m.D)
	l2normForward(p, m.z, m.znorm, m.ze, R, m.D)
}

// quantize picks for each of R rows of z the codebook entry with the largest
// dot product (the nearest, both being unit vectors) into idx and zq.
func (m *ViT) quantize(R int) {
	p, D, K := m.p, m.D, m.K
	p.Gemm(false, true, R, K, D, 1, m.z, D, m.w.codebook, D, 0, m.scores, K)
	p.For(R, 64, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			s := m.scores[r*K : (r+1)*K]
			best := 0
			for k, v := range s {
				if v > s[best] {
					best = k
				}
			}
			m.idx[r] = int32(best)
			copy(m.zq[r*D:(r+1)*D], m.w.codebook[best*D:(best+1)*D])
		}
	})
}

// Decode runs the decoder on b·T codes (−1: unknown, drawn from the mask
// embedding), leaving the patches in Output().
func (m *ViT) Decode(codes []int32, b int) error {
	if b < 1 || b > m.MaxBatch || len(codes) != b*m.T {
		return fmt.Errorf("train: ViT decode of %d codes for batch %d (want %d, batch ≤ %d)", len(codes), b, b*m.T, m.MaxBatch)
	}
	m.b = b
	D := m.D
	for r, c := range codes {
		if c >= int32(m.K) {
			return fmt.Errorf("train: ViT decode: code %d outside [0, %d)", c, m.K)
		}
		m.known[r] = c >= 0
		m.idx[r] = c
		if c >= 0 {
			copy(m.zq[r*D:(r+1)*D], m.w.codebook[int(c)*D:(int(c)+1)*D])
		}
	}
	m.decode(b)
	return nil
}

// decode runs the decoder from zq and known into y.
func (m *ViT) decode(b int) {
	p, R, C := m.p, b*m.T, m.C
	matmulForward(p, m.demb, m.zq, m.w.fromCodeW, m.w.fromCodeB, R, m.D, C)
	for r := 0; r < R; r++ {
		if !m.known[r] {
			copy(m.demb[r*C:(r+1)*C], m.w.maskEmbed)
		}
	}
	addPosForward(p, m.demb, m.w.decPos, R, m.T, C)
	x := m.demb[:R*C]
	sh := m.shape(b)
	for l := range m.dec {
		blockForward(p, &m.dec[l], &m.w.dec[l], x, sh, m.buf)
		x = m.dec[l].res3
	}
	rmsnormForward(p, m.dlnf, m.dlnfr, x, m.w.decLnf, R, C, R, 0, m.eps)
	matmulForward(p, m.y, m.dlnf, m.w.toPixelsW, m.w.toPixB, R, C, m.P)
}

// Forward runs b images through encoder, quantiser (when quantize; otherwise
// the decoder sees the unquantised code vectors) and decoder. known[r] says
// whether row r's code is shown to the decoder (nil: all); the loss is the
// mean squared error over the known rows' values in [−1, 1] plus, when
// quantising, beta times the mean squared distance of z from its entry (the
// commitment loss). It returns the reconstruction MSE alone.
func (m *ViT) Forward(b int, known []bool, quantize bool) (float64, error) {
	if b < 1 || b > m.MaxBatch {
		return 0, fmt.Errorf("train: ViT batch %d outside [1, %d]", b, m.MaxBatch)
	}
	R := b * m.T
	if known != nil && len(known) != R {
		return 0, fmt.Errorf("train: %d known flags for %d rows", len(known), R)
	}
	m.b, m.quantized = b, quantize
	m.encode(b)
	if quantize {
		m.quantize(R)
	} else {
		copy(m.zq[:R*m.D], m.z[:R*m.D])
		for r := range R {
			m.idx[r] = -1
		}
	}
	m.decoderOnly = false
	return m.decodeLoss(b, known), nil
}

// ForwardCodes runs the decoder alone on b images' given codes (b·T entries
// of [0, K), as Encode chose them for the images whose patches are in
// Input()), with the same loss as Forward but no commitment term; Backward
// then trains only the decoder (from_code onwards). It serves fine-tuning a
// decoder behind a frozen encoder and codebook, so that the codes a
// transformer was trained on keep their meaning.
func (m *ViT) ForwardCodes(codes []int32, b int, known []bool) (float64, error) {
	if b < 1 || b > m.MaxBatch || len(codes) != b*m.T {
		return 0, fmt.Errorf("train: ViT decoder pass of %d codes for batch %d (want %d, batch ≤ %d)", len(codes), b, b*m.T, m.MaxBatch)
	}
	R := b * m.T
	if known != nil && len(known) != R {
		return 0, fmt.Errorf("train: %d known flags for %d rows", len(known), R)
	}
	D := m.D
	for r, c := range codes {
		if c < 0 || c >= int32(m.K) {
			return 0, fmt.Errorf("train: ViT decoder pass: code %d outside [0, %d)", c, m.K)
		}
		m.idx[r] = c
		copy(m.zq[r*D:(r+1)*D], m.w.codebook[int(c)*D:(int(c)+1)*D])
	}
	m.b, m.quantized, m.decoderOnly = b, false, true
	return m.decodeLoss(b, known), nil
}

// decodeLoss marks the known rows, decodes zq and returns the mean squared
// error over the known rows' values (Forward's loss without commitment).
func (m *ViT) decodeLoss(b int, known []bool) float64 {
	R := b * m.T
	m.counted = 0
	for r := range R {
		m.known[r] = known == nil || known[r]
		if m.known[r] {
			m.counted++
		}
	}
	m.decode(b)
	// Squared error over the known rows, summed in row order (float64).
	P := m.P
	var sum float64
	for r := range R {
		if !m.known[r] {
			continue
		}
		y, x := m.y[r*P:(r+1)*P], m.x[r*P:(r+1)*P]
		for i := range y {
			d := float64(y[i] - x[i])
			sum += d * d
		}
	}
	m.haveLoss = true
	if m.counted == 0 {
		return 0
	}
	return sum / float64(m.counted*P)
}

// Backward adds the gradient of the last Forward's (or ForwardCodes') loss to
// Grad; after ForwardCodes only the decoder's tensors get gradients.
func (m *ViT) Backward() error {
	if !m.haveLoss {
		return fmt.Errorf("train: ViT Backward needs a Forward first")
	}
	m.haveLoss = false
	p, b, C, D, P := m.p, m.b, m.C, m.D, m.P
	R := b * m.T
	sh := m.shape(b)
	// d loss / d y.
	scale := float32(0)
	if m.counted > 0 {
		scale = 2 / float32(m.counted*P)
	}
	p.For(R, 64, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			dy, y, x := m.dy[r*P:(r+1)*P], m.y[r*P:(r+1)*P], m.x[r*P:(r+1)*P]
			if !m.known[r] {
				clear(dy)
				continue
			}
			for i := range dy {
				dy[i] = scale * (y[i] - x[i])
			}
		}
	})
	dres := m.dres[:R*C]
	clear(dres)
	// Decoder.
	matmulBackward(p, m.buf.dln[:R*C], m.g.toPixelsW, m.g.toPixB, m.dy, m.dlnf, m.w.toPixelsW, R, C, P)
	last := m.demb[:R*C]
	if n := len(m.dec); n > 0 {
		last = m.dec[n-1].res3
	}
	rmsnormBackward(p, dres, m.g.decLnf, m.buf.dln, last, m.w.decLnf, m.dlnfr, m.buf.partial, R, C, R, 0)
	for l := len(m.dec) - 1; l >= 0; l-- {
		in := m.demb[:R*C]
		if l > 0 {
			in = m.dec[l-1].res3
		}
		blockBackward(p, dres, &m.g.dec[l], &m.dec[l], &m.w.dec[l], in, sh, m.buf)
	}
	addPosBackward(p, m.g.decPos, dres, R, m.T, C)
	for r := range R {
		if !m.known[r] {
			kernels.Add(m.g.maskEmbed, dres[r*C:(r+1)*C])
			clear(dres[r*C : (r+1)*C])
		}
	}
	if m.decoderOnly {
		matmulBackward(p, nil, m.g.fromCodeW, m.g.fromCodeB, dres, m.zq, m.w.fromCodeW, R, D, C)
		return nil
	}
	// Straight through the quantiser: the decoder's input gradient is z's.
	matmulBackward(p, m.dz, m.g.fromCodeW, m.g.fromCodeB, dres, m.zq, m.w.fromCodeW, R, D, C)
	if m.quantized {
		cb := 2 * m.beta / float32(R*D)
		p.For(R*D, 1<<12, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				m.dz[i] += cb * (m.z[i] - m.zq[i])
			}
		})
	}
	l2normBackward(p, m.dz, m.z, m.znorm, R, D)
	// Encoder.
	matmulBackward(p, m.buf.dln[:R*C], m.g.toCodeW, m.g.toCodeB, m.dz, m.lnf, m.w.toCodeW, R, C, D)
	last = m.emb[:R*C]
	if n := len(m.enc); n > 0 {
		last = m.enc[n-1].res3
	}
	clear(dres)
	rmsnormBackward(p, dres, m.g.encLnf, m.buf.dln, last, m.w.encLnf, m.lnfr, m.buf.partial, R, C, R, 0)
	for l := len(m.enc) - 1; l >= 0; l-- {
		in := m.emb[:R*C]
		if l > 0 {
			in = m.enc[l-1].res3
		}
		blockBackward(p, dres, &m.g.enc[l], &m.enc[l], &m.w.enc[l], in, sh, m.buf)
	}
	addPosBackward(p, m.g.encPos, dres, R, m.T, C)
	matmulBackward(p, nil, m.g.patchW, m.g.patchB, dres, m.x, m.w.patchW, R, P, C)
	return nil
}

// ZeroGrad clears the gradients.
func (m *ViT) ZeroGrad() {
	g := m.Grad
	m.p.For(len(g), 1<<16, func(lo, hi int) { clear(g[lo:hi]) })
}
