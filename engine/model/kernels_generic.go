//go:build !amd64 || purego

package model

const vectorOK = false

func qgeluAVX(x *float32, n int) { panic("no AVX2") }
