//go:build !(linux || windows || darwin || freebsd || openbsd || netbsd)

package ui

// workArea knows no work area where GLFW does not run (the studio's window
// then opens at the size it asks for).
func workArea() (w, h int, contentScale float32, ok bool) { return 0, 0, 0, false }
