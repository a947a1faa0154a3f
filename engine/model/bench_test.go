package model

import (
	"testing"
)

// benchmarkDecode times one KV-cache decode step at a position halfway
// through the context of an imagegpt-small shaped model.
func benchmarkDecode(b *testing.B, batch int, prec string) {
	m, err := Random(SmallConfig(), 1)
	if err != nil {
		b.Fatal(err)
	}
	switch prec {
	case "f16":
		m.EnableHalf()
	case "int8":
		m.EnableInt8()
	}
	kc := m.NewCache(batch)
	half := m.Config.NPositions / 2
	prefix := make([]int, batch*half)
	if _, err := m.Forward(kc, prefix, half, ForwardOptions{}); err != nil {
		b.Fatal(err)
	}
	ids := make([]int, batch)
	b.ResetTimer()
	for b.Loop() {
		kc.Truncate(half)
		if _, err := m.Forward(kc, ids, 1, ForwardOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

func BenchmarkDecodeBatch1(b *testing.B)     { benchmarkDecode(b, 1, "f32") }
func BenchmarkDecodeBatch8(b *testing.B)     { benchmarkDecode(b, 8, "f32") }
func BenchmarkDecodeHalfBatch1(b *testing.B) { benchmarkDecode(b, 1, "f16") }
func BenchmarkDecodeHalfBatch4(b *testing.B) { benchmarkDecode(b, 4, "f16") }
func BenchmarkDecodeHalfBatch8(b *testing.B) { benchmarkDecode(b, 8, "f16") }
func BenchmarkDecodeInt8Batch1(b *testing.B) { benchmarkDecode(b, 1, "int8") }
func BenchmarkDecodeInt8Batch4(b *testing.B) { benchmarkDecode(b, 4, "int8") }
func BenchmarkDecodeInt8Batch8(b *testing.B) { benchmarkDecode(b, 8, "int8") }
