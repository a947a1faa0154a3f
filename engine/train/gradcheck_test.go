package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tessera-studio/tessera/engine/model"
)

// gcVar is one input of an op under gradient check with its analytic gradient.
type gcVar struct {
	name string
	x    []float32
	grad []float32
}

// checkGrads compares every analytic gradient with central finite
// differences of loss() (which must recompute the op from the current
// inputs), at up to sample positions per input (all when sample ≤ 0).
func checkGrads(t *testing.T, op string, vars []gcVar, loss func() float64, eps float32, sample int, rtol, atol float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	for _, v := range vars {
		idx := make([]int, 0, len(v.x))
		if sample <= 0 || sample >= len(v.x) {
			for i := range v.x {
				idx = append(idx, i)
			}
		} else {
			// The largest gradient plus a random sample.
			best := 0
			for i, g := range v.grad {
				if math.Abs(float64(g)) > math.Abs(float64(v.grad[best])) {
					best = i
				}
			}
			idx = append(idx, best)
			for len(idx) < sample {
				idx = append(idx, r.IntN(len(v.x)))
			}
		}
		var num2, diff2, ana2 float64
		worst := 0.0
		for _, i := range idx {
			old := v.x[i]
			v.x[i] = old + eps
			lp := loss()
			v.x[i] = old - eps
			lm := loss()
			v.x[i] = old
			num := (lp - lm) / (2 * float64(eps))
			ana := float64(v.grad[i])
			d := math.Abs(num - ana)
			num2 += num * num
			ana2 += ana * ana
			diff2 += d * d
			if d > atol+rtol*math.Max(math.Abs(num), math.Abs(ana)) {
				t.Errorf("%s: d/d%s[%d]: analytic %.6g, numeric %.6g", op, v.name, i, ana, num)
			}
			worst = math.Max(worst, d/(atol+math.Max(math.Abs(num), math.Abs(ana))))
		}
		rel := math.Sqrt(diff2) / math.Max(math.Sqrt(math.Max(num2, ana2)), 1e-12)
		if rel > 10*rtol {
			t.Errorf("%s: d/d%s: relative error of the sampled gradient %.3g", op, v.name, rel)
		}
		if testing.Verbose() {
			t.Logf("%-44s %-34s n=%3d  rel err %.2e  |grad| %.3g", op, v.name, len(idx), rel, math.Sqrt(ana2))
		}
	}
}

func randVec(r *rand.Rand, n int, std float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * std)
	}
	return x
}

// dotLoss is Σ out·w in float64: a scalar whose gradient with respect to out is w.
func dotLoss(out, w []float32) float64 {
	var s float64
	for i, v := range out {
		s += float64(v) * float64(w[i])
	}
	return s
}

func TestGradEncoder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	p := testPar(t, 2)
	B, T, C, V := 3, 5, 4, 7
	R := B * T
	wte, wpe := randVec(r, V*C, 1), randVec(r, T*C, 1)
	ids := make([]int32, R)
	for i := range ids {
		ids[i] = int32(r.IntN(V))
	}
	out, w := make([]float32, R*C), randVec(r, R*C, 1)
	dwte, dwpe := make([]float32, V*C), make([]float32, T*C)
	encoderBackward(p, dwte, dwpe, w, ids, R, T, C, V)
	checkGrads(t, "encoder", []gcVar{{"wte", wte, dwte}, {"wpe", wpe, dwpe}}, func() float64 {
		encoderForward(p, out, ids, wte, wpe, R, T, C)
		return dotLoss(out, w)
	}, 1e-2, 0, 1e-3, 1e-4)
}

func TestGradRMSNorm(t *testing.T) {
	for _, tc := range []struct{ R, seg, skip int }{{12, 12, 0}, {8, 4, 3}} {
		r := rand.New(rand.NewPCG(2, 2))
		p := testPar(t, 2)
		C := 19
		inRows := tc.R
		if tc.skip > 0 {
			inRows = tc.R / tc.seg * (tc.seg + tc.skip)
		}
		inp, wt := randVec(r, inRows*C, 1), randVec(r, C, 1)
		for i := range wt {
			wt[i] += 1
		}
		out, rstd, w := make([]float32, tc.R*C), make([]float32, tc.R), randVec(r, tc.R*C, 1)
		rmsnormForward(p, out, rstd, inp, wt, tc.R, C, tc.seg, tc.skip, 1e-5)
		dinp, dw := make([]float32, inRows*C), make([]float32, C)
		rmsnormBackward(p, dinp, dw, w, inp, wt, rstd, nil, tc.R, C, tc.seg, tc.skip)
		checkGrads(t, fmt.Sprintf("rmsnorm seg %d skip %d", tc.seg, tc.skip), []gcVar{{"inp", inp, dinp}, {"w", wt, dw}}, func() float64 {
			rmsnormForward(p, out, rstd, inp, wt, tc.R, C, tc.seg, tc.skip, 1e-5)
			return dotLoss(out, w)
		}, 1e-2, 0, 1e-2, 1e-3)
	}
}

func TestGradMatmul(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	p := testPar(t, 2)
	R, Cin, Cout := 70, 9, 13 // R large enough to split the product
	inp, wt, bias := randVec(r, R*Cin, 1), randVec(r, Cin*Cout, 1), randVec(r, Cout, 1)
	out, w := make([]float32, R*Cout), randVec(r, R*Cout, 1)
	dinp, dw, db := make([]float32, R*Cin), make([]float32, Cin*Cout), make([]float32, Cout)
	matmulBackward(p, dinp, dw, db, w, inp, wt, R, Cin, Cout)
	checkGrads(t, "matmul", []gcVar{{"inp", inp, dinp}, {"w", wt, dw}, {"bias", bias, db}}, func() float64 {
		matmulForward(p, out, inp, wt, bias, R, Cin, Cout)
		return dotLoss(out, w)
	}, 1e-2, 60, 1e-2, 1e-3)
}

func TestGradActivations(t *testing.T) {
	for _, kind := range []string{"quick_gelu", "gelu", "gelu_new", "relu"} {
		r := rand.New(rand.NewPCG(4, 4))
		p := testPar(t, 2)
		k, _ := activationKind(kind)
		R, C := 40, 11
		x0, bias := randVec(r, R*C, 2), randVec(r, C, 0.5)
		if kind == "relu" { // keep clear of the kink
			for i, v := range x0 {
				if math.Abs(float64(v+bias[i%C])) < 0.05 {
					x0[i] += 0.2
				}
			}
		}
		x, out, w := make([]float32, R*C), make([]float32, R*C), randVec(r, R*C, 1)
		fwd := func() {
			copy(x, x0)
			geluForward(p, out, x, bias, R, C, k)
		}
		fwd()
		dx, db := make([]float32, R*C), make([]float32, C)
		geluBackward(p, dx, db, x, w, nil, R, C, k)
		checkGrads(t, "activation "+kind, []gcVar{{"inp", x0, dx}, {"bias", bias, db}}, func() float64 {
			fwd()
			return dotLoss(out, w)
		}, 1e-2, 0, 1e-2, 1e-3)
	}
}

func TestGradResidualDropout(t *testing.T) {
	for _, prob := range []float32{0, 0.3} {
		r := rand.New(rand.NewPCG(5, 5))
		p := testPar(t, 2)
		R, C := 9, 8
		in, br, bias := randVec(r, R*C, 1), randVec(r, R*C, 1), randVec(r, C, 1)
		out, w := make([]float32, R*C), randVec(r, R*C, 1)
		var mask []uint8
		scale := 1 / (1 - prob)
		if prob > 0 {
			mask = make([]uint8, R*C)
			dropoutMask(p, mask, 42, prob)
		}
		dbr, db := make([]float32, R*C), make([]float32, C)
		residualBackward(p, dbr, db, w, mask, scale, R, C)
		checkGrads(t, fmt.Sprintf("residual dropout %.1f", prob), []gcVar{{"in", in, w}, {"branch", br, dbr}, {"bias", bias, db}}, func() float64 {
			residualForward(p, out, in, br, bias, mask, scale, R, C)
			return dotLoss(out, w)
		}, 1e-2, 0, 1e-2, 1e-3)
	}
}

func TestGradAttention(t *testing.T) {
	for _, c := range []struct {
		drop float32
		bidi bool
	}{{0, false}, {0.2, false}, {0, true}, {0.2, true}} {
		drop := c.drop
		r := rand.New(rand.NewPCG(6, 6))
		p := testPar(t, 2)
		s := attnShape{B: 2, T: 7, C: 12, NH: 3, Scale: 0.5, Drop: drop, Key: 99, Bidirectional: c.bidi}
		n := s.B * s.T
		qkv, w := randVec(r, n*3*s.C, 1), randVec(r, n*s.C, 1)
		out, att := make([]float32, n*s.C), make([]float32, s.B*s.NH*s.T*s.T)
		var mask []uint8
		if drop > 0 {
			mask = make([]uint8, len(att))
		}
		attentionForward(p, out, att, mask, qkv, s, nil)
		dqkv := make([]float32, len(qkv))
		attentionBackward(p, dqkv, w, att, mask, qkv, s, nil)
		checkGrads(t, fmt.Sprintf("attention dropout %.1f bidirectional %v", drop, c.bidi), []gcVar{{"qkv", qkv, dqkv}}, func() float64 {
			attentionForward(p, out, att, mask, qkv, s, nil)
			return dotLoss(out, w)
		}, 1e-2, 0, 1e-2, 1e-3)
	}
}

func TestGradCrossEntropy(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	p := testPar(t, 2)
	R, K := 10, 6
	logits := randVec(r, R*K, 2)
	targets := make([]int32, R)
	for i := range targets {
		targets[i] = int32(r.IntN(K))
	}
	targets[3], targets[7] = -1, -1 // masked rows
	probs, losses := make([]float32, R*K), make([]float64, R)
	loss := func() float64 {
		copy(probs, logits)
		s, n := crossEntropyForward(p, probs, losses, targets, R, K)
		return s / float64(n)
	}
	loss()
	crossEntropyBackward(p, probs, targets, R, K, 1/8.0)
	dl := append([]float32(nil), probs...)
	checkGrads(t, "cross-entropy", []gcVar{{"logits", logits, dl}}, loss, 1e-2, 0, 1e-2, 1e-4)
}

// tinyConfig is the gradient-check model: d=16, 2 layers, 2 heads, K=10 codes,
// 4 prompt slots over 5 prompt words, 2×4 image patches: T=12.
func tinyConfig() model.Config {
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 16, 2, 2
	c.Tessera = &model.Ext{Name: "tiny", PatchSize: 2, Grid: [2]int{2, 4}, PromptLength: 4, PromptVocab: []string{"<pad>", "red", "blue", "cat", "dog"}}
	c.VocabSize = 10 + 5 + 1
	c.NPositions = 4 + 8
	return c
}

// tinyBatch builds b random sequences of cfg's layout with a few masked targets.
func tinyBatch(cfg model.Config, b int, seed uint64) (inputs, targets []int32) {
	r := rand.New(rand.NewPCG(seed, 3))
	K, L, N, T := cfg.Codes(), cfg.PromptLength(), cfg.ImageTokens(), cfg.NPositions
	ex := make([]Example, b)
	for i := range ex {
		ex[i].Prompt = make([]int32, L)
		for j := range ex[i].Prompt {
			ex[i].Prompt[j] = int32(K + r.IntN(cfg.PromptWords()))
		}
		ex[i].Codes = make([]int32, N)
		for j := range ex[i].Codes {
			ex[i].Codes[j] = int32(r.IntN(K))
		}
	}
	inputs, targets = make([]int32, b*T), make([]int32, b*N)
	for i := range ex {
		fillSequence(cfg, ex[i], drops{}, inputs[i*T:(i+1)*T], targets[i*N:(i+1)*N])
	}
	targets[1], targets[N+5] = -1, -1
	return inputs, targets
}

var gcEps float32 = 3e-3

func TestGradModel(t *testing.T) {
	cfg := tinyConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name              string
		embd, resid, attn float32
		act               string
	}{
		{"no dropout", 0, 0, 0, "quick_gelu"},
		{"dropout", 0.1, 0.2, 0.15, "quick_gelu"},
		{"inverse layer scale, gelu_new", 0, 0, 0, "gelu_new"},
	} {
		cfg := cfg
		cfg.ActivationFunction = tc.act
		cfg.ScaleAttnByInverseLayerIdx = tc.act != "quick_gelu"
		params, err := InitParams(cfg, 11)
		if err != nil {
			t.Fatal(err)
		}
		// Larger, non-trivial weights everywhere (norm gains and biases too)
		// so that every gradient is well above float32 noise.
		r := rand.New(rand.NewPCG(12, 12))
		for _, ts := range params.Tensors {
			x := params.Data[ts.Off : ts.Off+ts.Size]
			for i := range x {
				if len(ts.Shape) == 1 && x[i] == 1 {
					x[i] = float32(1 + 0.3*r.NormFloat64())
				} else {
					x[i] = float32(0.3 * r.NormFloat64())
				}
			}
		}
		m, err := NewModel(params, 3, 2)
		if err != nil {
			t.Fatal(err)
		}
		m.SetDropout(tc.embd, tc.resid, tc.attn, 5, 17)
		in, tg := tinyBatch(cfg, 3, 1)
		if _, err := m.Forward(in, tg, 3, true); err != nil {
			t.Fatal(err)
		}
		m.ZeroGrad()
		if err := m.Backward(); err != nil {
			t.Fatal(err)
		}
		var vars []gcVar
		for _, ts := range params.Tensors {
			vars = append(vars, gcVar{ts.Name, params.Data[ts.Off : ts.Off+ts.Size], m.Grads.Data[ts.Off : ts.Off+ts.Size]})
		}
		checkGrads(t, "model "+tc.name, vars, func() float64 {
			l, err := m.Forward(in, tg, 3, true)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}, gcEps, 8, 1e-2, 1e-4)
	}
}
