//go:build !amd64 || purego

package kernels

const asmOK, asm512OK, full512, vnniOK = false, false, false, false

func vi8dot8x2(x *int16, ldx int, w *int8, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func vi8dot4x2(x *int16, ldx int, w *int8, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func vi8dot1x4(x *int16, w *int8, ldw int, k int, out *float32, ahead int) { panic("no kernels") }
func absMax16(x *float32, n int) float32                                   { panic("no kernels") }
func round16(x *float32, n int, inv float32, q *int16)                     { panic("no kernels") }

func dot4x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func dot1x4(x *float32, w *uint16, ldw int, k int, out *float32)                { panic("no kernels") }
func scores8(q *float32, k *uint16, ld int, n int, scale float32, out *float32) { panic("no kernels") }
func dot1(q *float32, k *uint16, n int) float32                                 { panic("no kernels") }
func wsum64(p *float32, v *uint16, t int, ld int, out *float32)                 { panic("no kernels") }
func wsum8(p *float32, v *uint16, t int, ld int, out *float32)                  { panic("no kernels") }
func encode8(dst *uint16, src *float32, n int)                                  { panic("no kernels") }
func dot8x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func i8dot4x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func i8dot8x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func i8dot1x4(x *float32, w *int8, ldw int, k int, out *float32) { panic("no kernels") }
func zdot1x4(x *float32, w *uint16, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func zdot8x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func zi8dot4x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func zi8dot8x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func zi8dot1x4(x *float32, w *int8, ldw int, k int, out *float32, ahead int) {
	panic("no kernels")
}
func zi8dot1x4n(x *float32, w *int8, ldw int, k int, out *float32, ahead int, blocks int) {
	panic("no kernels")
}
func zwsum64(p *float32, v *uint16, t int, ld int, out *float32) { panic("no kernels") }
func tile8x32(x *float32, ldx int, w *uint16, k int, out *float32, ahead int) {
	panic("no kernels")
}
func tile4x64(x *float32, ldx int, w *uint16, k int, out *float32, ahead int) {
	panic("no kernels")
}
func tile1x64(x *float32, w *uint16, k int, out *float32, ahead int) { panic("no kernels") }
func zscores8n(q *float32, k *uint16, ld int, n int, scale float32, out *float32, ahead int, blocks int) {
	panic("no kernels")
}
