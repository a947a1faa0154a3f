package train

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/blas"
)

func TestZZAttn(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	s := attnShape{B: 32, T: 81, C: 256, NH: 8, Scale: 0.17}
	n := s.B * s.T
	qkv, dout := randVec(r, n*3*s.C, 1), randVec(r, n*s.C, 1)
	out, att, dqkv := make([]float32, n*s.C), make([]float32, s.B*s.NH*s.T*s.T), make([]float32, n*3*s.C)
	p := newPar(2)
	blas.SetThreads(2)
	sc := attnScratch(p, nil, s.T, 2)
	timeit := func(name string, f func()) {
		f()
		t0 := time.Now()
		it := 0
		for time.Since(t0) < 500*time.Millisecond {
			f()
			it++
		}
		t.Logf("%s: %.2f ms", name, time.Since(t0).Seconds()*1000/float64(it))
	}
	timeit("fwd", func() { attentionForward(p, out, att, nil, qkv, s, sc) })
	timeit("bwd", func() { attentionBackward(p, dqkv, dout, att, nil, qkv, s, sc) })
	big := make([]float32, 2592*256)
	w := make([]float32, 256*256)
	bo := make([]float32, 2592*256)
	var el time.Duration
	for i := 0; i < 50; i++ {
		blas.Gemm(false, false, 2592, 256, 256, 1, big, 256, w, 256, 0, bo, 256)
		t0 := time.Now()
		attentionForward(p, out, att, nil, qkv, s, sc)
		el += time.Since(t0)
	}
	t.Logf("fwd after a threaded gemm: %.2f ms", el.Seconds()*1000/50)
	el = 0
	for i := 0; i < 50; i++ {
		blas.Gemm(false, false, 2592, 256, 256, 1, big, 256, w, 256, 0, bo, 256)
		t0 := time.Now()
		geluForward(p, bo[:2592*64], big[:2592*64], w[:64], 2592, 64, actQuickGelu)
		el += time.Since(t0)
	}
	t.Logf("gelu after a threaded gemm: %.3f ms", el.Seconds()*1000/50)
	el = 0
	for i := 0; i < 50; i++ {
		t0 := time.Now()
		geluForward(p, bo[:2592*64], big[:2592*64], w[:64], 2592, 64, actQuickGelu)
		el += time.Since(t0)
	}
	t.Logf("gelu alone: %.3f ms", el.Seconds()*1000/50)
	hd := 32
	T := 81
	S := make([]float32, T*T)
	timeit("1 gemm QK x256 (1 thread)", func() {
		for i := 0; i < 256; i++ {
			blas.Gemm(false, true, T, T, hd, 1, qkv, 768, qkv[256:], 768, 0, S, T)
		}
	})
	timeit("1 gemm PV x256 (1 thread)", func() {
		for i := 0; i < 256; i++ {
			blas.Gemm(false, false, T, hd, T, 1, S, T, qkv[512:], 768, 0, out, 256)
		}
	})
	timeit("softmax x256 (1 thread)", func() {
		for i := 0; i < 256; i++ {
			for r := 0; r < T; r++ {
				softmaxCausal(S[r*T:(r+1)*T], r+1)
			}
		}
	})
}
